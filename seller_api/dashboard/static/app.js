// The dashboard: sign in with an API key, then fill every panel from the /v1 endpoints.
// The key lives in this tab's session storage only; a refused key (wrong, or revoked while
// signed in) wipes every panel, so nothing of the seller's stays on screen.
import { Api, ApiError, describe } from "./api.js";
import { chartLibrary } from "./charts.js";
import { byId, setState, setText } from "./dom.js";
import { loadLifestyle } from "./lifestyle.js";
import { loadListings, loadRelated, suggestTags } from "./listings.js";
import { exportAudience, loadLoyal } from "./loyal.js";
import { loadRoas } from "./roas.js";
import { loadSearches } from "./searches.js";
import { loadSlots } from "./slots.js";

const KEY_STORAGE = "jangbogi.sellerApiKey";
const REFUSED = "That API key was not accepted (unknown or revoked). Check it and sign in again.";
let api = null;
let pristine = null; // an untouched copy of <main>, put back on sign-out
let period = {}; // from/to chosen by the seller; empty: the API's default (its last 30 days)
const running = new Map(); // panel state id -> the AbortController of its load in flight

function showError(text) {
  const node = byId("error");
  node.textContent = text || "";
  node.hidden = !text;
}

function resetDashboard() {
  // Swapping in a fresh copy drops every chart, row and figure of the last seller at once.
  const main = byId("dashboard");
  main.replaceWith(pristine.cloneNode(true));
}

function signOut(message) {
  for (const controller of running.values()) controller.abort(); // no late answer may render
  running.clear();
  sessionStorage.removeItem(KEY_STORAGE);
  api = null;
  resetDashboard();
  byId("dashboard").hidden = true;
  byId("account").hidden = true;
  setText("seller-name", "");
  byId("sign-in").hidden = false;
  byId("api-key").value = "";
  showError(message);
  byId("api-key").focus();
}

// One panel's load: its failure is shown in the panel and does not stop the others. A newer
// load of the same panel (another period, window or title) cancels the older one, so a slow
// old answer can never overwrite a newer one.
async function panel(stateId, load) {
  running.get(stateId)?.abort();
  const controller = new AbortController();
  running.set(stateId, controller);
  try {
    return await load(api.withSignal(controller.signal));
  } catch (error) {
    if (controller.signal.aborted) return null;
    if (error instanceof ApiError && error.status === 401) return null; // signed out already
    setState(stateId, describe(error), true);
    return null;
  }
}

function wire() {
  const slider = byId("window");
  let timer = null;
  slider.addEventListener("input", () => {
    setText("window-days", `${slider.value} day${slider.value === "1" ? "" : "s"}`);
    clearTimeout(timer);
    timer = setTimeout(() => panel("roas-state", (a) => loadRoas(a, Number(slider.value), period)), 250);
  });
  byId("tag-form").addEventListener("submit", (event) => {
    event.preventDefault();
    panel("tags-state", (a) => suggestTags(a, byId("tag-title").value));
  });
  byId("listing").addEventListener("change", (event) =>
    panel("related-state", (a) => loadRelated(a, event.target.value)));
  byId("segment").addEventListener("change", (event) =>
    panel("loyal-state", (a) => loadLoyal(a, event.target.value, period)));
  byId("export").addEventListener("click", () => exportAudience(api, byId("segment").value, period));
  byId("period-form").addEventListener("submit", (event) => {
    event.preventDefault();
    period = { from: byId("from").value, to: byId("to").value };
    delete document.body.dataset.loaded;
    loadAnalytics().then(() => { document.body.dataset.loaded = "true"; });
  });
}

// Every panel that reports on the chosen period (all but tags and related products).
function loadAnalytics() {
  const roas = panel("roas-state", (a) => loadRoas(a, Number(byId("window").value), period));
  return Promise.all([
    roas.then((body) => {
      if (!body) return;
      // The range the API used: the default one is up to the seller's last sale.
      byId("from").value = body.from;
      byId("to").value = body.to;
      setText("period", period.to ? "UTC days, both included" : "your last 30 days of sales (UTC)");
    }),
    panel("searches-state", (a) => loadSearches(a, period)),
    panel("lifestyle-state", (a) => loadLifestyle(a, period)),
    panel("slots-state", (a) => loadSlots(a, period)),
    panel("loyal-state", (a) => loadLoyal(a, undefined, period)),
  ]);
}

async function loadAll() {
  await Promise.all([loadAnalytics(), panel("related-state", (a) => loadListings(a))]);
  document.body.dataset.loaded = "true"; // for tests and screenshots: every panel answered
}

async function signIn(key) {
  showError("");
  delete document.body.dataset.loaded;
  const candidate = new Api(key);
  let me;
  try {
    me = await candidate.get("/v1/me");
  } catch (error) {
    signOut(error instanceof ApiError && error.status === 401 ? REFUSED : describe(error));
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  api = new Api(key, () => signOut(REFUSED));
  period = {};
  resetDashboard();
  wire();
  setText("seller-name", `${me.name} (${me.seller_id})`);
  byId("account").hidden = false;
  byId("sign-in").hidden = true;
  byId("dashboard").hidden = false;
  await loadAll();
}

function start() {
  pristine = byId("dashboard").cloneNode(true);
  byId("vendor-missing").hidden = chartLibrary() !== null;
  byId("sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    const key = byId("api-key").value.trim();
    if (key) signIn(key);
    else showError("Paste your API key first.");
  });
  byId("sign-out").addEventListener("click", () => signOut(""));
  const saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) signIn(saved);
  else byId("api-key").focus();
}

start();
