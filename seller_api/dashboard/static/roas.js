// ROAS and ACoS per campaign and per day (GET /v1/ads/roas, grouped both ways) for the chosen
// attribution window, with the API's budget advice beside them.
import { color, draw } from "./charts.js";
import { byId, clear, el, pct, ratio, setState, setText, won } from "./dom.js";

async function allPages(api, params) {
  const items = [];
  let cursor = null;
  let first = null;
  do {
    const body = await api.get("/v1/ads/roas", { ...params, limit: 100, cursor });
    first = first || body;
    items.push(...body.items);
    cursor = body.next;
  } while (cursor && items.length < 1000);
  return { ...first, items };
}

export async function loadRoas(api, windowDays, period = {}) {
  setState("roas-state", "Loading ad results…");
  const params = { ...period, attribution_window_days: windowDays };
  const [byCampaign, byDay] = await Promise.all([
    allPages(api, { ...params, group_by: "campaign" }),
    allPages(api, { ...params, group_by: "date" }),
  ]);
  const campaigns = byCampaign.items;
  draw(byId("roas-campaigns"), {
    type: "bar",
    data: {
      labels: campaigns.map((c) => c.campaign),
      datasets: [
        { label: "ROAS (revenue ÷ spend)", data: campaigns.map((c) => c.roas), backgroundColor: color(0) },
        { label: "ACoS (spend ÷ revenue)", data: campaigns.map((c) => c.acos), backgroundColor: color(1) },
      ],
    },
    options: {
      plugins: { title: { display: true, text: `Per campaign, ${windowDays}-day window` } },
      scales: { y: { beginAtZero: true } },
    },
  });
  const days = byDay.items;
  draw(byId("roas-days"), {
    data: {
      labels: days.map((d) => d.date),
      datasets: [
        { type: "line", label: "ROAS", data: days.map((d) => d.roas), borderColor: color(0), backgroundColor: color(0), spanGaps: true, yAxisID: "ratio" },
        { type: "line", label: "ACoS", data: days.map((d) => d.acos), borderColor: color(1), backgroundColor: color(1), spanGaps: true, yAxisID: "ratio", hidden: true },
        { type: "bar", label: "spend (₩)", data: days.map((d) => d.spend), backgroundColor: color(7, 0.35), yAxisID: "won" },
        { type: "bar", label: "revenue (₩)", data: days.map((d) => d.revenue), backgroundColor: color(3, 0.45), yAxisID: "won" },
      ],
    },
    options: {
      plugins: { title: { display: true, text: "Per day (sales on the click's day)" } },
      scales: {
        ratio: { position: "left", beginAtZero: true, title: { display: true, text: "ROAS" } },
        won: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "₩" } },
      },
    },
  });
  const t = byCampaign.totals;
  setText("roas-totals",
    `Spend ${won(t.spend)}, revenue ${won(t.revenue)} from ${t.orders} orders: ROAS ${ratio(t.roas)}, ACoS ${pct(t.acos)}.`);
  setText("budget", byCampaign.suggestion);
  const moves = byId("budget-moves");
  clear(moves);
  for (const m of byCampaign.budget.moves) {
    moves.append(el("li", { text: `Move ${won(m.daily_amount)} a day from ${m.from_campaign} to ${m.to_campaign}` }));
  }
  setState("roas-state", campaigns.length ? "" : "No campaigns in this range.");
  return byCampaign;
}
