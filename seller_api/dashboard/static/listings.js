// Tag suggestions for a listing title (POST /v1/tags/suggest) and the related products of one
// of the seller's listings (GET /v1/products, GET /v1/products/{id}/related).
import { describe } from "./api.js";
import { byId, clear, el, ratio, setState, won } from "./dom.js";

const RELATED_ROWS = 10;

export async function suggestTags(api, title) {
  const list = byId("tags");
  clear(list);
  if (!title.trim()) {
    setState("tags-state", "Type a listing title first.", true);
    return;
  }
  setState("tags-state", "Finding tags…");
  try {
    const body = await api.post("/v1/tags/suggest", { title: title.trim() });
    for (const t of body.tags) {
      list.append(el("li", { "data-testid": "tag", "data-score": String(t.score) },
        el("span", { class: "tag-name", text: t.tag }),
        el("span", { class: "tag-why", text: t.reason })));
    }
    const type = body.type_key ? ` for the type ${body.type_key}` : "";
    setState("tags-state", body.tags.length
      ? `${body.tags.length} tags${type}, best first: shoppers' own search terms (≤ 10 characters each).`
      : `No search term is popular and close enough to this title${type}.`);
  } catch (error) {
    if (error.name !== "AbortError") setState("tags-state", describe(error), true);
  }
}

function productName(p) {
  return `${p.name_ko} (${p.size} ${p.unit}, ${won(p.price)})`;
}

export async function loadListings(api) {
  const select = byId("listing");
  clear(select);
  const body = await api.get("/v1/products", { limit: 100 });
  select.append(el("option", { value: "", text: body.items.length ? "choose a listing…" : "no listings yet" }));
  for (const p of body.items) select.append(el("option", { value: String(p.id), text: productName(p) }));
  if (body.next) select.append(el("option", { value: "", disabled: "", text: "(first 100 listings)" }));
}

export async function loadRelated(api, productId) {
  const rows = byId("related");
  clear(rows);
  if (!productId) {
    setState("related-state", "");
    return;
  }
  setState("related-state", "Loading related products…");
  try {
    const body = await api.get(`/v1/products/${encodeURIComponent(productId)}/related`, { limit: RELATED_ROWS });
    for (const r of body.items) {
      rows.append(el("tr", { "data-testid": "related", "data-own": String(r.own) },
        el("td", { text: productName(r.product) }),
        el("td", { text: r.own ? "yours" : `${r.product.seller_id} (complement)` }),
        el("td", { text: r.relation.replace("_", " ") }),
        el("td", { class: "num", text: ratio(r.lift) }),
        el("td", { class: "num", text: String(r.support) })));
    }
    setState("related-state", body.items.length
      ? "Yours first (bought together or similar), then other sellers' products bought with it."
      : "Nothing related yet: it needs orders holding both products.");
  } catch (error) {
    if (error.name !== "AbortError") setState("related-state", describe(error), true);
  }
}
