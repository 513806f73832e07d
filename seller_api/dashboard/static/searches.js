// What buyers searched before buying (GET /v1/insights/search-terms) and the pack sizes those
// searches named, with the API's advice (e.g. "유자청 500g → offer smaller packs").
import { color, draw } from "./charts.js";
import { byId, pct, setState, setText } from "./dom.js";

const TOP_TERMS = 12;
const TOP_PACKS = 10;

export async function loadSearches(api, period = {}) {
  setState("searches-state", "Loading searches…");
  const body = await api.get("/v1/insights/search-terms", { ...period, limit: TOP_TERMS });
  draw(byId("search-terms"), {
    type: "bar",
    data: {
      labels: body.items.map((t) => t.term),
      datasets: [
        { label: "searches that ended in buying", data: body.items.map((t) => t.searches), backgroundColor: color(0) },
      ],
    },
    options: {
      indexAxis: "y",
      plugins: {
        title: { display: true, text: "Searches before buying your products" },
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${ctx.parsed.x} searches, ${body.items[ctx.dataIndex].buyers} buyers` } },
      },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } },
    },
  });
  // The most searched sizes across types, each as its share of the type's size searches:
  // "yuja tea 500g 70 %" reads as "most who name a size for citron tea want 500 g".
  const packs = [...body.pack_sizes].sort((a, b) => b.searches - a.searches).slice(0, TOP_PACKS);
  draw(byId("pack-sizes"), {
    type: "bar",
    data: {
      labels: packs.map((p) => `${p.type_key.replaceAll("_", " ")} ${p.size}`),
      datasets: [{ label: "share of the type's searches naming a size (%)", data: packs.map((p) => 100 * p.share), backgroundColor: color(3) }],
    },
    options: {
      indexAxis: "y",
      plugins: {
        title: { display: true, text: "Pack sizes named in those searches" },
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${ctx.parsed.x.toFixed(0)} % of the type's sized searches (${packs[ctx.dataIndex].searches})` } },
      },
      scales: { x: { beginAtZero: true, max: 100, title: { display: true, text: "% of the type's sized searches" } }, y: { ticks: { autoSkip: false } } },
    },
  });
  setText("size-share", body.size_search_share === null
    ? "No searches before buying in this range."
    : `${pct(body.size_search_share)} of these searches named a size.`);
  setText("searches-advice", body.suggestion);
  setState("searches-state", body.items.length ? "" : "No search led to one of your sales in this range.");
}
