// Small DOM and number helpers. Text from the API is only ever set as textContent, never as
// HTML: product names and search terms are typed by other people.

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === "text") node.textContent = v;
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

export function byId(id) { return document.getElementById(id); }

export function setText(id, text) { byId(id).textContent = text || ""; }

export function clear(node) { node.replaceChildren(); }

// A panel's status line: loading, empty or failed (then in red).
export function setState(id, text, bad = false) {
  const node = byId(id);
  node.textContent = text || "";
  node.classList.toggle("bad", Boolean(bad));
}

const wonFormat = new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" });
export const won = (n) => (n === null || n === undefined ? "–" : wonFormat.format(n));
export const pct = (x, digits = 0) =>
  x === null || x === undefined ? "–" : `${(100 * x).toFixed(digits)} %`;
export const ratio = (x) => (x === null || x === undefined ? "–" : x.toFixed(2));
