// Calls to this server's /v1 endpoints with the seller's key, exactly as an API client makes
// them. Errors come back as ApiError with the server's own `detail`, so the page can say what
// went wrong instead of showing nothing.

export class ApiError extends Error {
  constructor(status, detail, retryAfter) {
    super(detail);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

function detailOf(body, fallback) {
  if (body && typeof body.detail === "string") return body.detail;
  // FastAPI's 422: a list naming each field.
  if (body && Array.isArray(body.detail)) {
    return body.detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  }
  return fallback;
}

export class Api {
  constructor(key, onUnauthorized, signal) {
    this.key = key;
    this.onUnauthorized = onUnauthorized;
    this.signal = signal;
  }

  // The same client whose calls a newer load can cancel (see app.js: panel).
  withSignal(signal) { return new Api(this.key, this.onUnauthorized, signal); }

  async request(method, path, { params, body, raw } = {}) {
    const url = new URL(path, window.location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v);
    }
    const headers = { "X-API-Key": this.key, Accept: raw ? "text/csv" : "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let resp;
    try {
      resp = await fetch(url, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "omit", cache: "no-store", signal: this.signal,
      });
    } catch (err) {
      if (err.name === "AbortError") throw err; // replaced by a newer load: nothing to report
      throw new ApiError(0, "The seller API cannot be reached: check your connection and retry.");
    }
    if (resp.ok) return raw ? resp : resp.json();
    let payload = null;
    try { payload = await resp.json(); } catch (err) { /* not JSON: use the status line */ }
    const detail = detailOf(payload, `${resp.status} ${resp.statusText}`);
    const error = new ApiError(resp.status, detail, resp.headers.get("Retry-After"));
    if (resp.status === 401 && this.onUnauthorized) this.onUnauthorized(error);
    throw error;
  }

  get(path, params) { return this.request("GET", path, { params }); }
  post(path, body) { return this.request("POST", path, { body }); }
  download(path, params) { return this.request("GET", path, { params, raw: true }); }
}

// What to show for a failed call, in words a seller can act on.
export function describe(error) {
  if (!(error instanceof ApiError)) return `Something went wrong: ${error.message}`;
  if (error.status === 429) {
    return `Too many requests for this key: wait ${error.retryAfter || "a few"} seconds and retry.`;
  }
  if (error.status === 503) return `The store is busy or unavailable: ${error.message}. Retry soon.`;
  return error.message;
}
