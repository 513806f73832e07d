// Chart.js (window.Chart, the vendored UMD build) behind one function: a canvas gets a new
// chart, and the one drawn on it before is destroyed first (Chart.js refuses to draw twice on
// one canvas, and a left-over chart keeps its resize observer alive).

export const PALETTE = ["#0b7285", "#e8590c", "#5f3dc4", "#2b8a3e", "#c2255c", "#1971c2",
  "#f08c00", "#495057"];

export function chartLibrary() {
  return typeof window.Chart === "function" ? window.Chart : null;
}

export function draw(canvas, config) {
  const Chart = chartLibrary();
  if (!Chart) return null;
  const old = Chart.getChart(canvas);
  if (old) old.destroy();
  return new Chart(canvas, {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false, // a dashboard's numbers, not a show; also keeps screenshots stable
      ...config.options,
    },
  });
}

export function color(i, alpha = 1) {
  const hex = PALETTE[i % PALETTE.length];
  if (alpha === 1) return hex;
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
