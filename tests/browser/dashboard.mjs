// The dashboard in headless Chromium (runner.browser_dashboard; started by
// runner/tests/browser_dashboard_test.py with DASHBOARD_URL, ADMIN_TOKEN, CHROMIUM, SHOTS_DIR).
// Sign-in, counts that change as calls happen, search, a lead page, pause, no console error,
// screenshots at desktop and phone sizes. Prints "N passed, N failed"; exit 1 on a failure.
import {chromium} from "playwright-core";
import path from "node:path";

const {DASHBOARD_URL: base, ADMIN_TOKEN: token, CHROMIUM: exe, SHOTS_DIR: shots} = process.env;
const DESKTOP = {width: 1280, height: 900}, PHONE = {width: 390, height: 844};
let passed = 0, failed = 0;
function check(ok, what) {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  ok ? passed++ : failed++;
  return ok;
}

async function admin(method, p, body) {
  const res = await fetch(base + p, {method, body: body && JSON.stringify(body),
    headers: {authorization: `Bearer ${token}`, "content-type": "application/json"}});
  return {status: res.status, data: await res.json().catch(() => null)};
}

const count = (page, name) => page.locator(`#count-${name}`).textContent({timeout: 5000});
const notes = (page) => page.locator(".not-available").allTextContents();

async function waitFor(pred, timeoutMs) {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    if (await pred().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

async function main() {
  const browser = await chromium.launch({executablePath: exe, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]});
  const context = await browser.newContext({viewport: DESKTOP});
  const page = await context.newPage();
  const consoleErrors = [], missingNotes = new Set();
  page.on("console", (m) => m.type() === "error" && consoleErrors.push({text: m.text(), url: m.location().url}));
  page.on("pageerror", (e) => consoleErrors.push({text: `uncaught: ${e.message}`, url: ""}));
  const note = async () => (await notes(page)).forEach((n) => missingNotes.add(n));

  console.log("[1] the page, then the token form");
  const res = await page.goto(base + "/");
  const headers = res.headers();
  check(res.status() === 200 && headers["content-type"] === "text/html; charset=utf-8", "/ is HTML");
  check(headers["cache-control"] === "no-store", "Cache-Control: no-store");
  check((headers["content-security-policy"] || "").startsWith("default-src 'self'"), "strict CSP");
  await page.locator("#login-token").waitFor({state: "visible", timeout: 5000});
  check(await page.locator("#login-token").isVisible(), "the token form is shown (no data before it)");
  check(await page.locator("#count-total").count() === 0, "no count shown before sign-in");
  await page.fill("#login-token", "wrong-token");
  await page.press("#login-token", "Enter");
  check(await waitFor(async () => /refused/.test(await page.textContent("#login-error")), 5000),
        "a wrong token brings the form back with the reason");
  const refusedErrors = consoleErrors.splice(0).filter((e) => !/status of 401/.test(e.text));
  consoleErrors.push(...refusedErrors);  // the 401 of the wrong token is expected; nothing else
  await page.fill("#login-token", token);
  await page.press("#login-token", "Enter");
  check(await waitFor(async () => (await count(page, "total")) === "0", 5000), "signed in: total 0");
  check(await page.evaluate(() => sessionStorage.getItem("redial.admin_token")) === token,
        "the token is kept in sessionStorage");

  console.log("[2] counts change as calls happen");
  const far = Date.now() + 3600 * 1000;
  const q = await admin("POST", "/admin/leads", [
    {lead_id: "A1", phone_number: "+1 555 010 0001", list_id: "L1", first_name: "Ann"},
    {lead_id: "B2", phone_number: "555-010-0002", list_id: "L2"},
    {lead_id: "C3", phone_number: "+15550100003", list_id: "L1", dial_at: far}]);
  check(q.status === 200 && q.data.queued === 3, `3 leads queued (${q.status})`);
  check(await waitFor(async () => (await count(page, "total")) === "3", 8000), "the total shows 3");
  check(await waitFor(async () => Number(await page.textContent("#in-flight")) > 0, 15000),
        "a call in flight is shown");
  check(await waitFor(async () => (await count(page, "completed")) === "1", 30000),
        "completed goes to 1 without a reload (A1 transferred)");
  await page.waitForTimeout(3500);  // one more refresh for the recent events and next dials
  await note();
  if (await page.locator("#daily").count()) {
    const calls = await page.locator("#daily tbody tr:last-child .bar-calls + .bar-n").textContent();
    check(Number(calls) >= 2, `the daily stats count today's calls (${calls})`);
  }
  await page.screenshot({path: path.join(shots, "dashboard.png"), fullPage: true});

  console.log("[3] search opens a lead page; pause");
  await page.fill("#search-q", "C3");
  await page.press("#search-q", "Enter");
  check(await waitFor(async () => /Lead C3/.test(await page.textContent("#lead-title")), 8000),
        "searching C3 opens its lead page");
  check(await page.textContent("#lead-status") === "pending", "C3 is pending");
  await page.fill("#action-reason", "customer asked for next week");
  await page.click("#act-pause");
  await waitFor(async () => (await page.textContent("#lead-message")).length > 0, 5000);
  const msg = await page.textContent("#lead-message");
  if (/not available/.test(msg)) {
    check(true, `pause: the clear "not available" note is shown (${msg})`);
  } else {
    check(await waitFor(async () => (await page.textContent("#lead-status")) === "paused", 5000),
          `pause works: C3 shows paused (${msg})`);
    const r = await admin("GET", "/admin/records/C3_5550100003");
    check(r.data && r.data.status === "paused", "the runner has C3 paused");
  }
  await note();
  await page.screenshot({path: path.join(shots, "lead.png"), fullPage: true});
  await page.fill("#search-q", "A1");
  await page.press("#search-q", "Enter");
  check(await waitFor(async () => /Lead A1/.test(await page.textContent("#lead-title")), 8000),
        "searching A1 opens its page");
  await page.waitForTimeout(1000);
  await note();
  // Where the runner has the views (issue 16 part B), they must show A1's cycle.
  if (await page.locator("#explain-why").count())
    check((await page.textContent("#explain-why")).length > 0, "explain says why in a sentence");
  if (!(await notes(page)).some((n) => n.startsWith("Timeline"))) {
    const kinds = await page.locator("table .kind-result").allTextContents();
    check(kinds.length === 2, `the timeline shows A1's 2 results (${kinds.length})`);
  }
  await page.screenshot({path: path.join(shots, "lead-completed.png"), fullPage: true});

  console.log("[4] the queue switch");
  await page.goto(base + "/#/");
  await waitFor(async () => (await count(page, "total")) === "3", 8000);
  if (await page.locator("#queue-toggle").isEnabled()) {
    await page.fill("#queue-reason", "list review");
    await page.click("#queue-toggle");
    check(await waitFor(async () => /^off: list review/.test(await page.textContent("#queue-state")), 5000),
          "the switch turns the queue off, with its reason");
    const q = await admin("GET", "/admin/queue");
    check(q.data && q.data.enabled === false, "the runner's queue is off");
    await page.click("#queue-toggle");
    check(await waitFor(async () => (await page.textContent("#queue-state")) === "on", 5000),
          "and on again");
  } else {
    check((await notes(page)).some((n) => n.startsWith("Queue switch")),
          "the queue switch is off with its \"not available\" note");
  }
  await note();

  console.log("[5] a phone-sized screen, keyboard");
  await page.setViewportSize(PHONE);
  await page.goto(base + "/#/");
  await waitFor(async () => (await count(page, "total")) === "3", 8000);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= PHONE.width, `no sideways scrolling on a phone (${wide} px wide)`);
  await page.screenshot({path: path.join(shots, "dashboard-phone.png"), fullPage: true});
  await page.goto(base + "/#/lead/A1_5550100001");
  await waitFor(async () => /Lead A1/.test(await page.textContent("#lead-title")), 8000);
  await page.screenshot({path: path.join(shots, "lead-phone.png"), fullPage: true});
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.tagName);
  check(["A", "INPUT", "BUTTON"].includes(focused), `Tab reaches a control (${focused})`);
  await note();

  console.log("[6] no console error");
  // A missing endpoint (a runner without that part of the admin API) shows a note, and the
  // browser itself logs its 404; nothing else may be logged.
  const allowed = (e) => missingNotes.size > 0 && /status of 404/.test(e.text) &&
    new URL(e.url || base).pathname.startsWith("/admin/");
  const bad = consoleErrors.filter((e) => !allowed(e));
  for (const n of missingNotes) console.log(`  note: ${n}`);
  for (const e of consoleErrors) console.log(`  console: ${e.text} ${e.url}`);
  check(bad.length === 0, `no console error (${bad.length}; ${missingNotes.size} "not available" notes)`);
  await browser.close();
}

main().catch((e) => { check(false, `browser script: ${e.stack || e}`); })
  .finally(() => {
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
  });
