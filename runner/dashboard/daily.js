// Calls, connects, voicemails and transfers per business-zone day, as a table with bars (plain
// HTML: readable by screen readers, no chart library needed for four bar columns).
import {h} from "./dom.js";

const SERIES = ["calls", "connects", "voicemails", "transfers"];

function bar(n, max, name) {
  const fill = h("span", {class: `bar-fill bar-${name}`});
  fill.style.width = `${max ? Math.round((100 * n) / max) : 0}%`;  // CSSOM: allowed by the CSP
  return h("span", {class: "bar"}, fill, h("span", {class: "bar-n"}, n));
}

function outcomes(day) {
  return Object.entries(day.by_outcome || {}).map(([o, n]) => `${o} ${n}`).join(", ") || "-";
}

export function dailyChart(data) {
  const days = data.days || [];
  const max = Math.max(1, ...days.map((d) => d.calls || 0));
  return h("div", {class: "table-wrap"},
    h("table", {class: "daily", id: "daily"},
      h("caption", {}, `Per day in ${data.zone || "the business zone"}`),
      h("thead", {}, h("tr", {}, h("th", {scope: "col"}, "Day"),
        SERIES.map((s) => h("th", {scope: "col"}, s)), h("th", {scope: "col"}, "By outcome"))),
      h("tbody", {}, days.map((d) => h("tr", {},
        h("th", {scope: "row"}, d.date),
        SERIES.map((s) => h("td", {}, bar(d[s] || 0, max, s))),
        h("td", {class: "outcomes"}, outcomes(d)))))));
}
