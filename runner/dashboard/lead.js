// A lead's page (#/lead/KEY): its record, the actions, "why not now, and when" and its timeline.
import {api, tryApi, ApiError} from "./api.js";
import {h, notAvailable, errorNote, fmtTime, fmtRelative, table, leadLink} from "./dom.js";

const path = (key) => `/admin/records/${encodeURIComponent(key)}`;

function facts(r, now) {
  const name = [r.first_name, r.last_name].filter(Boolean).join(" ");
  const rows = [["Status", h("span", {id: "lead-status", class: `badge status-${r.status}`}, r.status)],
    ["Phone", r.phone_number], ["Name", name || "-"], ["List", r.list_id || "-"],
    ["State", r.state || "-"], ["Attempts", r.attempts],
    ["Outcomes", (r.outcomes || []).join(", ") || "-"],
    ["Next dial due", ["completed", "max_attempts", "dnc"].includes(r.status) ? "- (no more dials)"
      : `${fmtTime(r.next_redial_timestamp)} (${fmtRelative(r.next_redial_timestamp, now)})`],
    ["Last call", r.last_call_timestamp ? `${fmtTime(r.last_call_timestamp)} (${r.last_call_id || "-"})` : "-"],
    ["In flight", r.in_flight ? `${r.in_flight.call_id}, dialed ${fmtRelative(r.in_flight.dialed_at, now)}` : "no"]];
  if (r.hold_reason) rows.push(["Held", r.hold_reason]);
  if (r.paused_from) rows.push(["Paused from", r.paused_from]);
  return h("dl", {class: "facts"}, rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function explain(res) {
  if (res.missing) return notAvailable("Why not now, and when", "GET /admin/records/{key}/explain");
  if (res.error) return errorNote(res.error);
  const e = res.data;
  return h("div", {},
    h("p", {id: "explain-why", class: e.can_dial_now ? "verdict-yes" : "verdict-no"}, e.why || ""),
    h("p", {}, e.can_dial_now ? "It may be dialed now." :
      `Next dial: ${e.next_dial_at ? `${e.next_dial_local || fmtTime(e.next_dial_at)} (${fmtRelative(e.next_dial_at, e.now)})` : "none"}`),
    table("Each rule's verdict now", ["Rule", "Now", "Detail", "Next allowed"],
      (e.verdicts || []).map((v) => [v.rule,
        h("span", {class: v.allows_now ? "verdict-yes" : "verdict-no"}, v.allows_now ? "allows" : "holds"),
        v.detail || "", v.next_allowed_local || (v.next_allowed_at ? fmtTime(v.next_allowed_at) : "-")])));
}

function timeline(res) {
  if (res.missing) return notAvailable("Timeline", "GET /admin/records/{key}/timeline");
  if (res.error) return errorNote(res.error);
  const t = res.data;
  return table(`Oldest first; lead zone ${t.lead_zone || "unknown"}, business zone ${t.business_zone || "-"}`,
    ["Lead's time", "Business time", "Event", "Detail", "Outcome", "Rule", "Call"],
    (t.events || []).map((e) => [e.at_lead_local || "-", e.at_business_local || fmtTime(e.at),
      h("span", {class: `kind-${e.kind}`}, e.kind), e.detail || "", e.outcome || "-", e.rule || "-",
      e.call_id || "-"]));
}

function phoneCalls(res) {
  if (res.missing) return notAvailable("Calls to this phone", "GET /admin/phones/{phone}/calls");
  if (res.error) return errorNote(res.error);
  const calls = res.data.calls || [];
  if (!calls.length) return h("p", {class: "empty"}, "No call to this number yet.");
  return table(`Every call to ${res.data.phone}, newest first`, ["Dialed", "Lead", "Call", "Outcome", "Result"],
    calls.map((c) => [fmtTime(c.dialed_at), leadLink(c.key, c.lead_id || c.key), c.call_id || "-",
      c.outcome || "-", c.result_at ? fmtTime(c.result_at) : "-"]));
}

export function leadPage(root, key, say) {
  const slots = {facts: h("div"), explain: h("div"), timeline: h("div"), calls: h("div")};
  const title = h("h1", {id: "lead-title"}, `Lead ${key}`);
  const note = h("div", {id: "lead-message", role: "status", "aria-live": "polite"});
  const reason = h("input", {id: "action-reason", type: "text", autocomplete: "off"});
  let record = null;

  async function act(label, method, url, body, endpoint, after) {
    if (body && "reason" in body && body.reason === "" && label === "Delete") {
      note.replaceChildren(errorNote("Delete needs a reason: type it in the Reason field."));
      reason.focus();
      return;
    }
    const res = await tryApi(method, url, body);
    if (res.missing) note.replaceChildren(notAvailable(label, endpoint));
    else if (res.error) note.replaceChildren(errorNote(res.error));
    else {
      note.replaceChildren(h("p", {class: "done"}, `${label}: done.`));
      if (after) return after(res.data);
    }
    await refresh();
  }
  const button = (id, label, onclick) => h("button", {id, type: "button", onclick}, label);
  const why = () => reason.value.trim();
  const actions = h("div", {class: "actions"},
    h("label", {for: "action-reason"}, "Reason (required to delete)"), reason,
    h("div", {class: "buttons"},
      button("act-pause", "Pause", () => act("Pause", "POST", `${path(key)}/pause`,
        why() ? {reason: why()} : {}, "POST /admin/records/{key}/pause")),
      button("act-resume", "Resume", () => act("Resume", "POST", `${path(key)}/resume`, {},
        "POST /admin/records/{key}/resume")),
      button("act-stop", "Stop", () => act("Stop", "POST", `${path(key)}/stop`,
        why() ? {reason: why()} : {}, "POST /admin/records/{key}/stop")),
      button("act-delete", "Delete", () => act("Delete", "DELETE", path(key), {reason: why()},
        "DELETE /admin/records/{key}", () => { location.hash = "#/"; })),
      button("act-dnc", "Add number to do-not-call", () => record && act("Do-not-call", "POST",
        "/admin/dnc", {phone: record.phone_number, reason: why() || "added from the dashboard"},
        "POST /admin/dnc"))),
    note);

  root.replaceChildren(h("p", {}, h("a", {href: "#/"}, "Back to the overview")), title,
    h("div", {class: "grid"}, h("section", {class: "card", "aria-label": "Lead"}, slots.facts),
      h("section", {class: "card", "aria-label": "Actions"}, h("h2", {}, "Actions"), actions)),
    h("section", {class: "card", "aria-label": "Why not now"}, h("h2", {}, "Why not now, and when"), slots.explain),
    h("section", {class: "card", "aria-label": "Timeline"}, h("h2", {}, "Timeline"), slots.timeline),
    h("section", {class: "card", "aria-label": "Calls"}, h("h2", {}, "Calls to this phone"), slots.calls));

  async function refresh() {
    try {
      record = await api("GET", path(key));
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
      slots.facts.replaceChildren(errorNote(`No lead with key ${key} (it may have been deleted).`));
      return;
    }
    title.textContent = `Lead ${record.lead_id} (${record.phone_number})`;
    const [ex, tl, calls] = await Promise.all([tryApi("GET", `${path(key)}/explain`),
      tryApi("GET", `${path(key)}/timeline`),
      tryApi("GET", `/admin/phones/${encodeURIComponent(record.phone_number)}/calls`)]);
    slots.facts.replaceChildren(facts(record, Date.now()));
    // Actions that cannot apply to this status are off (the runner answers 409 anyway).
    const st = record.status, ended = ["completed", "max_attempts", "dnc"].includes(st);
    document.getElementById("act-pause").disabled = ended || st === "paused";
    document.getElementById("act-resume").disabled = st !== "paused";
    document.getElementById("act-stop").disabled = st === "completed";
    slots.explain.replaceChildren(explain(ex));
    slots.timeline.replaceChildren(timeline(tl));
    slots.calls.replaceChildren(phoneCalls(calls));
    say(`Updated ${fmtTime(Date.now())}`);
  }
  return refresh;
}
