// Loyal customers by RFM (GET /v1/customers/loyal): the segment counts, the chosen segment's
// customers, and its audience as the API exports it (format=csv) for a targeted event.
import { describe } from "./api.js";
import { byId, clear, el, setState, setText, won } from "./dom.js";

const CUSTOMER_ROWS = 10;
const SEGMENT_NAMES = { champions: "champions", loyal: "loyal", new: "new", at_risk: "at risk", regular: "regular" };

export async function loadLoyal(api, segment, period = {}) {
  setState("loyal-state", "Loading customers…");
  const body = await api.get("/v1/customers/loyal", { ...period, limit: CUSTOMER_ROWS, segment: segment || undefined });
  const chosen = segment || body.audience_segment || "champions";
  const list = byId("segments");
  clear(list);
  for (const [name, n] of Object.entries(body.segments)) {
    list.append(el("li", { "data-segment": name, class: name === body.audience_segment ? "target" : "" , text: `${SEGMENT_NAMES[name] || name}: ${n}` }));
  }
  setText("loyal-advice", body.suggestion);
  byId("segment").value = chosen;
  if (!segment) return loadLoyal(api, chosen, period); // first load: the suggested audience
  const rows = byId("customers");
  clear(rows);
  for (const c of body.items) {
    rows.append(el("tr", { "data-testid": "customer" },
      el("td", { text: c.customer_id }),
      el("td", { text: SEGMENT_NAMES[c.segment] || c.segment }),
      el("td", { class: "num", text: `${c.r}·${c.f}·${c.m}` }),
      el("td", { class: "num", text: String(c.frequency) }),
      el("td", { class: "num", text: won(c.monetary) }),
      el("td", { class: "num", text: `${c.recency_days} days ago` })));
  }
  const total = body.segments[chosen] || 0;
  setState("loyal-state", total
    ? `${total} customers in ${SEGMENT_NAMES[chosen]}${body.next ? `, the first ${CUSTOMER_ROWS} shown` : ""}.`
    : `No customers in ${SEGMENT_NAMES[chosen]} in this range.`);
  byId("export").disabled = total === 0;
  return body;
}

// The CSV needs the key header, so it is fetched and handed to the browser as a file.
export async function exportAudience(api, segment, period = {}) {
  setState("loyal-state", "Exporting…");
  try {
    const resp = await api.download("/v1/customers/loyal", { ...period, format: "csv", segment });
    const blob = await resp.blob();
    const match = /filename="([^"]+)"/.exec(resp.headers.get("Content-Disposition") || "");
    const link = el("a", { href: URL.createObjectURL(blob), download: match ? match[1] : `audience-${segment}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    setState("loyal-state", `Exported the ${SEGMENT_NAMES[segment]} audience.`);
  } catch (error) {
    setState("loyal-state", describe(error), true);
  }
}
