// The dashboard's entry: sign-in (when the runner has an admin token), the routes
// (#/ overview, #/lead/KEY, #/search/QUERY) and the refresh every 3 s.
import {Unauthorized, getToken, setToken, clearToken, sessionKind, tryApi} from "./api.js";
import {errorNote, setZone} from "./dom.js";
import {overview} from "./overview.js";
import {leadPage} from "./lead.js";
import {searchPage} from "./search.js";

const REFRESH_MS = 3000;
const $ = (id) => document.getElementById(id);
let refresh = null, busy = false, timer = null, auth = "loopback";

const say = (text) => { $("updated").textContent = text; };

function showLogin(message = "") {
  clearInterval(timer);
  refresh = null;
  $("view").replaceChildren();
  $("login").hidden = false;
  $("sign-out").hidden = true;
  $("login-error").textContent = message;
  $("login-token").focus();
}

async function run() {
  if (!refresh || busy) return;
  busy = true;
  try {
    await refresh();
  } catch (e) {
    if (e instanceof Unauthorized) {
      clearToken();
      showLogin(auth === "bearer" ? `The runner refused the token: ${e.message}` : e.message);
    } else {
      say(`Refresh failed: ${e.message}`);
    }
  } finally {
    busy = false;
  }
}

function route() {
  if (auth === "bearer" && !getToken()) return showLogin();
  $("login").hidden = true;
  $("sign-out").hidden = auth !== "bearer";
  const view = $("view");
  const [, page, arg] = location.hash.match(/^#\/(\w+)\/(.*)$/) || [];
  if (page === "lead") refresh = leadPage(view, decodeURIComponent(arg), say);
  else if (page === "search") refresh = searchPage(view, decodeURIComponent(arg), say);
  else refresh = overview(view, say);
  busy = false;
  clearInterval(timer);
  timer = setInterval(() => { if (!document.hidden) run(); }, REFRESH_MS);
  return run();
}

async function loadZone() {
  const res = await tryApi("GET", "/admin/config");
  const c = res.data || {};
  setZone(c.time_zone || c["time-zone"] || c.REDIAL_TIME_ZONE);
}

async function start() {
  try {
    auth = await sessionKind();
    if (auth !== "bearer" || getToken()) await loadZone();
    await route();
  } catch (e) {
    if (e instanceof Unauthorized) {
      clearToken();
      return showLogin(auth === "bearer" ? `The runner refused the token: ${e.message}` : e.message);
    }
    $("view").replaceChildren(errorNote(e));
  }
}

$("login-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  setToken($("login-token").value.trim());
  $("login-token").value = "";
  start();
});
$("sign-out").addEventListener("click", () => { clearToken(); showLogin(); });
$("search").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = $("search-q").value.trim();
  if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
});
window.addEventListener("hashchange", () => { if (auth !== "bearer" || getToken()) route(); });
start();
