// The main page: counts, dialing state, the queue switch, next dials, holds, recent events and
// the last 7 days. Built once; refresh() replaces only the data, so typing and focus survive.
import {api, tryApi} from "./api.js";
import {h, notAvailable, errorNote, fmtTime, fmtRelative, table, leadLink, setZone} from "./dom.js";
import {dailyChart} from "./daily.js";

// The daily stats scan every record: every 30 s, or when the counts by status change.
const DAILY_EVERY_MS = 30000;

function card(title, slot, ...extra) {
  return h("section", {class: "card", "aria-label": title}, h("h2", {}, title), slot, ...extra);
}

// The queue's order (the JSON object comes sorted by name); any other status after these.
const ORDER = ["pending", "rescheduled", "paused", "completed", "max_attempts", "dnc"];
const rank = (s) => (ORDER.includes(s) ? ORDER.indexOf(s) : ORDER.length);

function counts(stats) {
  const byStatus = Object.entries(stats.by_status || {}).sort((a, b) => rank(a[0]) - rank(b[0]));
  const items = [["total", stats.total], ...byStatus];
  return h("div", {class: "counts"}, items.map(([name, n]) =>
    h("div", {class: `count status-${name}`},
      h("span", {class: "n", id: `count-${name}`}, n), h("span", {class: "label"}, name))));
}

function dialing(stats, queue) {
  const d = stats.dialing || {};
  const rows = [
    ["Calls in flight", h("span", {id: "in-flight"}, (stats.in_flight || []).length)],
    ["Next tick", `${fmtRelative(stats.next_tick_at, stats.now)} (${fmtTime(stats.next_tick_at)})`],
    ["Last tick", stats.last_tick && stats.last_tick.at ? `${fmtTime(stats.last_tick.at)}: ` +
      `${stats.last_tick.calls_made} dialed, ${stats.last_tick.held} held, ` +
      `${stats.last_tick.errors} errors` : "none yet"],
    ["Dialing", h("span", {id: "dialing-state", class: `state-${d.state}`},
      d.state + (d.reason ? `: ${d.reason}` : "") +
      (d.until ? ` (until ${fmtTime(d.until)})` : ""))],
  ];
  if (queue) rows.push(["Queue", h("span", {id: "queue-state"}, queue.enabled ? "on" :
    `off${queue.reason ? `: ${queue.reason}` : ""}${queue.changed_at ? ` (since ${fmtTime(queue.changed_at)})` : ""}`)]);
  const calls = (stats.in_flight || []).map((c) =>
    [leadLink(c.key), c.call_id, fmtRelative(c.dialed_at, stats.now)]);
  return h("div", {},
    h("dl", {class: "facts"}, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    calls.length ? table("Calls in flight", ["Lead", "Call", "Dialed"], calls) : null);
}

function upcoming(res, now) {
  if (res.missing) return notAvailable("Next dials", "GET /admin/upcoming");
  if (res.error) return errorNote(res.error);
  const leads = res.data.leads || [];
  if (!leads.length) return h("p", {class: "empty"}, "No lead is waiting for a dial.");
  return table("Ready leads by due time", ["Lead", "Phone", "Status", "Due", "Held by"],
    leads.map((l) => [leadLink(l.key, l.lead_id || l.key), l.phone_number, l.status,
      `${fmtTime(l.due_at ?? l.next_redial_timestamp)} (${fmtRelative(l.due_at ?? l.next_redial_timestamp, now)})`,
      l.hold_reason || "-"]));
}

function held(stats) {
  if (stats.held_by_rule === undefined)
    return notAvailable("Held leads by rule", "held_by_rule in GET /admin/stats");
  const rules = Object.entries(stats.held_by_rule);
  if (!rules.length) return h("p", {class: "empty"}, "No lead is held by a rule.");
  return table("Leads held at the last tick, by rule", ["Rule", "Leads"], rules);
}

function recent(res) {
  if (res.missing) return notAvailable("Recent results and errors", "GET /admin/recent");
  if (res.error) return errorNote(res.error);
  const events = res.data.events || [];
  if (!events.length) return h("p", {class: "empty"}, "Nothing happened yet.");
  return table("Newest first", ["When", "What", "Lead", "Outcome", "Detail"],
    events.map((e) => [fmtTime(e.at), h("span", {class: `kind-${e.kind}`}, e.kind),
      e.key ? leadLink(e.key) : "-", e.outcome || "-", e.detail || ""]));
}

export function overview(root, say) {
  const slots = {counts: h("div"), dialing: h("div"), upcoming: h("div"), held: h("div"),
                 recent: h("div"), daily: h("div")};
  const reason = h("input", {id: "queue-reason", type: "text", autocomplete: "off",
                             placeholder: "e.g. list review"});
  const toggle = h("button", {id: "queue-toggle", type: "button", role: "switch",
                              "aria-checked": "false", disabled: true}, "Queue");
  const queueNote = h("p", {id: "queue-note", role: "status"});
  let queue = null, dailyAt = 0, dailySign = "";

  toggle.addEventListener("click", async () => {
    const enabled = !(queue && queue.enabled);
    const res = await tryApi("POST", "/admin/queue", {enabled, reason: reason.value || null});
    queueNote.replaceChildren(res.missing ? notAvailable("Queue switch", "POST /admin/queue")
      : res.error ? errorNote(res.error) : `Queue turned ${enabled ? "on" : "off"}.`);
    await refresh();
  });
  const controls = h("div", {class: "queue-controls"},
    h("label", {for: "queue-reason"}, "Reason for turning the queue off (optional)"), reason,
    toggle, queueNote);

  root.replaceChildren(h("h1", {class: "visually-hidden"}, "Queue overview"),
    h("div", {class: "grid"},
      card("Leads by status", slots.counts),
      card("Dialing", slots.dialing, controls)),
    card("Next dials", slots.upcoming), card("Held leads by rule", slots.held),
    card("Recent results and errors", slots.recent), card("Last 7 days", slots.daily));

  async function refresh() {
    const stats = await api("GET", "/admin/stats");
    let q = stats.queue ? {data: stats.queue} : await tryApi("GET", "/admin/queue");
    queue = q.data || null;
    const [up, rec] = await Promise.all([tryApi("GET", "/admin/upcoming?limit=20"),
                                         tryApi("GET", "/admin/recent?limit=30")]);
    slots.counts.replaceChildren(counts(stats));
    slots.dialing.replaceChildren(dialing(stats, queue));
    toggle.disabled = !queue;
    toggle.setAttribute("aria-checked", String(!!(queue && queue.enabled)));
    toggle.textContent = !queue ? "Queue switch not available" :
      queue.enabled ? "Queue is on: turn off" : "Queue is off: turn on";
    if (q.missing) queueNote.replaceChildren(notAvailable("Queue switch", "GET /admin/queue"));
    slots.upcoming.replaceChildren(upcoming(up, stats.now));
    slots.held.replaceChildren(held(stats));
    slots.recent.replaceChildren(recent(rec));
    const sign = JSON.stringify(stats.by_status);  // a lead changed status: new results
    if (Date.now() - dailyAt >= DAILY_EVERY_MS || sign !== dailySign) {
      dailyAt = Date.now();
      dailySign = sign;
      const d = await tryApi("GET", "/admin/stats/daily");
      if (d.data) setZone(d.data.zone);
      slots.daily.replaceChildren(d.missing ? notAvailable("Daily stats", "GET /admin/stats/daily")
        : d.error ? errorNote(d.error) : dailyChart(d.data));
    }
    say(`Updated ${fmtTime(stats.now)}`);
  }
  return refresh;
}
