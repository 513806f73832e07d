// Clicks on the seller's products by page and slot, and their CTR beside the market's CTR at
// the same slot (GET /v1/insights/page-slots), with the placement advice.
import { color, draw } from "./charts.js";
import { byId, setState, setText } from "./dom.js";

export async function loadSlots(api, period = {}) {
  setState("slots-state", "Loading page slots…");
  const body = await api.get("/v1/insights/page-slots", period);
  const items = body.items;
  const pctOf = (x) => (x === null ? null : 100 * x);
  draw(byId("slots"), {
    data: {
      labels: items.map((s) => `${s.page} #${s.slot}`),
      datasets: [
        { type: "bar", label: "clicks", data: items.map((s) => s.clicks), backgroundColor: color(0), yAxisID: "clicks" },
        { type: "line", label: "your CTR (%)", data: items.map((s) => pctOf(s.ctr)), borderColor: color(1), backgroundColor: color(1), yAxisID: "ctr" },
        { type: "line", label: "market CTR (%)", data: items.map((s) => pctOf(s.market_ctr)), borderColor: color(7), backgroundColor: color(7), borderDash: [4, 4], yAxisID: "ctr" },
      ],
    },
    options: {
      plugins: { title: { display: true, text: "Clicks and click-through rate by page slot" } },
      scales: {
        clicks: { position: "left", beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "clicks" } },
        ctr: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "CTR %" } },
      },
    },
  });
  setText("slots-advice", body.suggestion);
  setState("slots-state", items.length ? "" : "None of your products was shown in this range.");
}
