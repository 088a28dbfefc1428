// Small DOM helpers. Text is always set with textContent (never parsed as HTML), so no value
// from the queue can inject markup; the page's CSP forbids inline script anyway.

// h("p", {class: "x", onclick: f}, "text", child...) -> element.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// The visible note for an endpoint this runner does not have (an older build).
export function notAvailable(what, endpoint) {
  return h("p", {class: "not-available", role: "note"},
           `${what}: not available on this runner (${endpoint} is missing).`);
}

export function errorNote(err) {
  return h("p", {class: "error", role: "alert"}, String(err.message || err));
}

let zone = undefined;  // the business zone, once known (from /admin/config or the daily stats)
export function setZone(z) { if (z) zone = z; }
export function getZone() { return zone; }

// Epoch ms -> "2026-12-02 14:03:05" in the business zone (or the browser's, until it is known).
export function fmtTime(ms) {
  if (ms === null || ms === undefined) return "-";
  const f = new Intl.DateTimeFormat("sv-SE", {timeZone: zone, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"});
  return f.format(new Date(ms));
}

// Epoch ms relative to now: "in 3 s", "12 min ago".
export function fmtRelative(ms, now = Date.now()) {
  if (ms === null || ms === undefined) return "-";
  const d = Math.round((ms - now) / 1000), a = Math.abs(d);
  const text = a < 90 ? `${a} s` : a < 5400 ? `${Math.round(a / 60)} min` : `${Math.round(a / 3600)} h`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

export function table(caption, headers, rows) {
  return h("div", {class: "table-wrap"},
    h("table", {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, headers.map((t) => h("th", {scope: "col"}, t)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c)))))));
}

export function leadLink(key, text = key) {
  return h("a", {href: `#/lead/${encodeURIComponent(key)}`}, text);
}
