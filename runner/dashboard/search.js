// Search by phone (any format) or lead id (or a record key): the matching leads, and the calls
// to that phone. One matching lead opens its page.
import {api, tryApi} from "./api.js";
import {h, notAvailable, errorNote, fmtTime, table, leadLink} from "./dom.js";

const digits = (s) => String(s || "").replace(/\D/g, "");
const last10 = (s) => digits(s).slice(-10);
const MAX_RECORDS = 10000;  // the admin API's largest page; larger queues: search by phone

export function searchPage(root, query, say) {
  const list = h("div"), calls = h("div");
  root.replaceChildren(h("h1", {}, `Search: ${query}`), h("section", {class: "card"},
    h("h2", {}, "Leads"), list), h("section", {class: "card"}, h("h2", {}, "Calls to this phone"), calls));
  const phoneLike = /^[\d\s()+.-]+$/.test(query) && digits(query).length >= 7;

  return async function refresh() {
    const page = await api("GET", `/admin/records?limit=${MAX_RECORDS}`);
    const hits = page.records.filter((r) => r.key === query || r.lead_id === query ||
      (phoneLike && last10(r.phone_number) === last10(query)));
    if (hits.length === 1 && !phoneLike) {
      location.replace(`#/lead/${encodeURIComponent(hits[0].key)}`);
      return;
    }
    list.replaceChildren(hits.length ? table(`${hits.length} found` +
      (page.total > MAX_RECORDS ? ` among the first ${MAX_RECORDS} leads` : ""),
      ["Lead", "Phone", "Status", "Attempts", "Created"],
      hits.map((r) => [leadLink(r.key, r.lead_id), r.phone_number, r.status, r.attempts,
        fmtTime(r.created_at)])) : h("p", {class: "empty"}, "No lead matches."));
    if (!phoneLike) {
      calls.replaceChildren(h("p", {class: "empty"}, "Search by a phone number to see its calls."));
    } else {
      const res = await tryApi("GET", `/admin/phones/${encodeURIComponent(query)}/calls`);
      calls.replaceChildren(res.missing ? notAvailable("Calls of a phone", "GET /admin/phones/{phone}/calls")
        : res.error ? errorNote(res.error) : (res.data.calls || []).length === 0
          ? h("p", {class: "empty"}, "No call to this number.")
          : table(`Calls to ${res.data.phone}, newest first`, ["Dialed", "Lead", "Call", "Outcome"],
            res.data.calls.map((c) => [fmtTime(c.dialed_at), leadLink(c.key, c.lead_id || c.key),
              c.call_id || "-", c.outcome || "-"])));
    }
    say(`Updated ${fmtTime(Date.now())}`);
  };
}
