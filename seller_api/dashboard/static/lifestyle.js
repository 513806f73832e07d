// Buyers by gender and age band, and their inferred lifestyle (GET /v1/insights/customers),
// with the model's held-out accuracy beside it: a seller should see how far to trust it.
import { color, draw } from "./charts.js";
import { byId, clear, el, pct, setState, setText } from "./dom.js";

const STATUS = {
  training: "The lifestyle model is being trained on the store; reload in a few minutes.",
  stale: "The store changed since the lifestyle model was trained; a new one is being trained.",
  failed: "Training the lifestyle model failed; the operator can run `jangbogi lifestyle train`.",
  unavailable: "Too few shoppers with known attributes to train a lifestyle model.",
  ready: "",
};

function demographics(items) {
  const bands = [...new Set(items.map((s) => s.age_band))].sort();
  const genders = [...new Set(items.map((s) => s.gender))].sort();
  const count = (g, b) => items.filter((s) => s.gender === g && s.age_band === b)
    .reduce((n, s) => n + s.buyers, 0);
  draw(byId("demographics"), {
    type: "bar",
    data: {
      labels: bands,
      datasets: genders.map((g, i) => ({ label: g, data: bands.map((b) => count(g, b)), backgroundColor: color(i) })),
    },
    options: {
      plugins: { title: { display: true, text: "Buyers by age band and gender" } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

function lifestyleChart(attributes) {
  // One 100 % bar per attribute, one segment per value: shares of the seller's buyers.
  // Multi-line axis labels name each value and its share, so the bars read without a legend.
  const labels = attributes.map((a) => [
    a.attribute.replace("_", " "),
    a.values.slice(0, a.values.length === 2 ? 2 : 1)
      .map((v) => `${v.value.replaceAll("_", " ")} ${pct(v.share)}`).join(" · ")
      + (a.values.length > 2 ? " …" : ""),
  ]);
  const values = [];
  attributes.forEach((a, row) => a.values.forEach((v) => values.push({ row, ...v })));
  draw(byId("lifestyle"), {
    type: "bar",
    data: {
      labels,
      datasets: values.map((v, i) => ({
        label: v.value.replaceAll("_", " "),
        data: labels.map((_, row) => (row === v.row ? 100 * v.share : null)),
        backgroundColor: color(i),
      })),
    },
    options: {
      indexAxis: "y",
      plugins: {
        title: { display: true, text: "Inferred lifestyle (% of your buyers)" },
        legend: { display: false },
        tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${ctx.parsed.x.toFixed(0)} %` } },
      },
      scales: { x: { stacked: true, max: 100, beginAtZero: true }, y: { stacked: true } },
    },
  });
}

function accuracy(heldOut) {
  const rows = byId("accuracy-rows");
  clear(rows);
  for (const h of heldOut) {
    const interval = h.balanced_accuracy_interval;
    const ci = interval ? ` (${(100 * interval[0]).toFixed(0)}–${(100 * interval[1]).toFixed(0)})` : "";
    rows.append(el("tr", {},
      el("th", { scope: "row", text: h.target.replace("_", " ") }),
      el("td", { class: "num", text: `${pct(h.balanced_accuracy)}${ci}` }),
      el("td", { class: "num", text: pct(h.baseline_accuracy) })));
  }
}

export async function loadLifestyle(api, period = {}) {
  setState("lifestyle-state", "Loading buyers…");
  const body = await api.get("/v1/insights/customers", period);
  demographics(body.items);
  const life = body.lifestyle;
  lifestyleChart(life ? life.attributes : []);
  accuracy(life ? life.held_out : []);
  const notes = [STATUS[body.lifestyle_status] || ""];
  if (life && life.note) notes.push(`No lifestyle shown: ${life.note}.`);
  if (life) notes.push(`Model trained ${life.trained_at.slice(0, 10)} on ${life.trained_on} shoppers; held-out scores, 5 folds grouped by shopper.`);
  setText("lifestyle-note", notes.filter(Boolean).join(" "));
  setText("customers-advice", body.suggestion);
  setState("lifestyle-state", body.buyers ? `${body.buyers} buyers in this range.` : "No buyers in this range.");
}
