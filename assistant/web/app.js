/* Jangbogi's shopper page: chat and mic to the assistant gateway, replies rendered as UI.
 *
 * Talks to the gateway only (same origin): POST /v1/chat and /v1/voice with the session cookie
 * the gateway set on GET / (HTTP-only: this script never sees it), and /v1/cart for the buttons
 * that name an exact product. Every state-changing request carries X-Requested-With, the gateway's
 * CSRF guard for cookie sessions. No build step, no libraries, no other hosts.
 */
"use strict";

(() => {
  const CSRF = { "X-Requested-With": "jangbogi-web" };
  const STORE_KEY = "jangbogi.conversation";
  const MAX_RECORD_S = 20; // the gateway's voice limit (voice_max_seconds)

  const TEXT = {
    ko: {
      title: "장보기", input_label: "메시지", placeholder: "예: 화장지 찾아줘",
      hint: "Enter로 보내기 · 마이크 버튼으로 말하기", send: "보내기", conversation: "대화",
      quick: "빠른 답장", cart: "장바구니", cart_empty: "장바구니가 비어 있어요.", total: "합계",
      checkout: "주문하기", checkout_words: "결제할게요", lang_button: "EN",
      lang_label: "English로 보기", mic: "말로 하기", mic_stop: "녹음 멈추고 보내기",
      add: "담기", add_label: (n) => `${n} 장바구니에 담기`, plus: (n) => `${n} 하나 더`,
      minus: (n) => `${n} 하나 빼기`, remove: (n) => `${n} 삭제`, remove_short: "삭제",
      qty: (q) => `${q}개`, count: (n) => `${n}개`, yes: "네", no: "아니요", confirm: (t) => `주문할까요? 합계 ${t}`,
      order: (id) => `주문 ${id}번`, status: { placed: "주문 접수", shipped: "배송 중",
        delivered: "배송 완료", cancelled: "취소" },
      added: (n, t) => `${n}을(를) 담았어요. 합계 ${t}`, changed: (n, q) => `${n} ${q}개로 바꿨어요.`,
      removed: (n) => `${n}을(를) 뺐어요.`, you: "나", bot: "도우미", heard: "들은 말",
      empty: "메시지를 입력해 주세요.",
      too_long: (n, max) => `메시지가 너무 길어요: ${n.toLocaleString()}자예요. ${max.toLocaleString()}자 이하로 줄여 주세요.`,
      rasa_down: "도우미가 지금 응답하지 않아요. 잠시 후 다시 보내 주세요. 장바구니는 그대로예요.",
      offline: "게이트웨이에 연결할 수 없어요. 네트워크를 확인하고 다시 시도해 주세요.",
      session: "세션이 만료됐어요. 페이지를 새로고침해 주세요.",
      failed: "요청을 처리하지 못했어요", stock: "재고가 부족해요",
      mic_denied: "마이크 권한이 없어요. 브라우저 설정에서 마이크를 허용하거나 글로 입력해 주세요.",
      mic_none: "마이크를 찾을 수 없어요. 글로 입력해 주세요.",
      mic_unsupported: "이 브라우저는 녹음을 지원하지 않아요. 글로 입력해 주세요.",
      recording: (s) => `듣고 있어요… ${s}초 (다시 누르면 보내요)`,
      too_long_rec: `녹음은 ${MAX_RECORD_S}초까지예요. ${MAX_RECORD_S}초에서 멈추고 보냈어요.`,
      silence: "아무 말도 들리지 않았어요. 다시 말씀해 주세요.", sending_voice: "알아듣는 중…",
      chips_start: ["화장지 찾아줘", "생수 찾아줘", "장바구니 보여줘"],
      chips_list: ["첫 번째 거", "더 싼 거", "다른 브랜드 보여줘", "장바구니 보여줘"],
      chips_yesno: ["네", "아니요"], chips_cart: ["결제할게요", "장바구니 보여줘"],
      chips_order: ["주문 상태 알려줘", "화장지 찾아줘"],
      reason: "추천 이유", listen: "답변 듣기", demo: (id) => `데모 쇼퍼 ${id}`, anon: "새 쇼퍼",
    },
    en: {
      title: "Jangbogi", input_label: "Message", placeholder: "e.g. I need toilet paper",
      hint: "Enter sends · the mic button listens", send: "Send", conversation: "Conversation",
      quick: "Quick replies", cart: "Cart", cart_empty: "Your cart is empty.", total: "Total",
      checkout: "Check out", checkout_words: "checkout", lang_button: "한국어",
      lang_label: "한국어로 보기", mic: "Speak", mic_stop: "Stop and send",
      add: "Add", add_label: (n) => `Add ${n} to the cart`, plus: (n) => `One more ${n}`,
      minus: (n) => `One fewer ${n}`, remove: (n) => `Remove ${n}`, remove_short: "Remove",
      qty: (q) => `× ${q}`, count: (n) => `${n} item${n === 1 ? "" : "s"}`, yes: "yes", no: "no", confirm: (t) => `Place the order? Total ${t}`,
      order: (id) => `Order ${id}`, status: { placed: "placed", shipped: "shipped",
        delivered: "delivered", cancelled: "cancelled" },
      added: (n, t) => `Added ${n}. Total ${t}`, changed: (n, q) => `${n} is now ${q}.`,
      removed: (n) => `Removed ${n}.`, you: "You", bot: "Assistant", heard: "Heard",
      empty: "Type a message first.",
      too_long: (n, max) => `That message is ${n.toLocaleString()} characters; please keep it under ${max.toLocaleString()}.`,
      rasa_down: "The assistant is not answering right now. Please send it again in a moment; your cart is safe.",
      offline: "Cannot reach the gateway. Check the network and try again.",
      session: "Your session has expired. Please reload the page.",
      failed: "That did not work", stock: "Not enough in stock",
      mic_denied: "No microphone permission. Allow the microphone in the browser's settings, or type instead.",
      mic_none: "No microphone found. Please type instead.",
      mic_unsupported: "This browser cannot record. Please type instead.",
      recording: (s) => `Listening… ${s} s (press again to send)`,
      too_long_rec: `Recordings stop at ${MAX_RECORD_S} seconds; I sent the first ${MAX_RECORD_S}.`,
      silence: "I didn't hear anything. Please try again.", sending_voice: "Recognising…",
      chips_start: ["I need toilet paper", "find bottled water", "view cart"],
      chips_list: ["the first one", "cheaper", "show me other brands", "view cart"],
      chips_yesno: ["yes", "no"], chips_cart: ["checkout", "view cart"],
      chips_order: ["order status", "I need toilet paper"],
      reason: "Why", listen: "Hear the reply", demo: (id) => `demo shopper ${id}`, anon: "new shopper",
    },
  };

  const $ = (id) => document.getElementById(id);
  const els = {
    log: $("log"), input: $("input"), form: $("composer"), mic: $("mic"), send: $("send"),
    chips: $("chips"), status: $("status"), lines: $("cart-lines"), empty: $("cart-empty"),
    total: $("cart-total"), checkout: $("checkout"), lang: $("lang"), who: $("who"),
    cart: $("cart"), toggle: $("cart-toggle"), count: $("cart-count"), sum: $("cart-sum"),
  };
  const state = { lang: initialLanguage(), maxChars: 1000, busy: false, cart: null, who: null,
                  history: [] };

  function initialLanguage() {
    const langs = navigator.languages || [navigator.language || "ko"];
    return String(langs[0] || "ko").toLowerCase().startsWith("ko") ? "ko" : "en";
  }
  const t = () => TEXT[state.lang];

  /* Hangul in the text: Korean; other letters: English; neither (a number): no opinion. */
  function languageOf(text) {
    if (/[\u3131-\u318e\uac00-\ud7a3]/.test(text || "")) return "ko";
    if (/[A-Za-z]/.test(text || "")) return "en";
    return null;
  }

  function money(amount, currency, lang) {
    const n = Number(amount || 0);
    if (!currency || currency === "KRW") {
      return lang === "ko" ? `${n.toLocaleString("ko-KR")}원` : `${n.toLocaleString("en-US")} won`;
    }
    return `${(n / 100).toFixed(2)} ${currency}`;
  }

  function size(value, unit, lang) {
    const v = Number(value);
    const shown = Number.isInteger(v) ? String(v) : String(+v.toFixed(2));
    if (["L", "ml", "g", "kg", "m"].includes(unit)) return `${shown}${unit}`;
    const words = { roll: ["rolls", "롤"], count: ["count", "개입"], pair: ["pairs", "켤레"] };
    const [en, ko] = words[unit] || [unit, unit];
    return lang === "ko" ? `${shown}${ko}` : `${shown} ${en}`;
  }

  const nameIn = (item, lang) => (lang === "ko" ? item.name_ko || item.name : item.name || item.name_ko);

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  /* ---- language of the page ---------------------------------------------------------------- */

  function applyLanguage(lang) {
    if (lang && lang !== state.lang) state.lang = lang;
    const s = t();
    document.documentElement.lang = state.lang;
    document.title = `${s.title} · Jangbogi`;
    for (const node of document.querySelectorAll("[data-i18n]")) {
      const v = s[node.dataset.i18n];
      if (typeof v === "string") node.textContent = v;
    }
    els.input.placeholder = s.placeholder;
    els.log.setAttribute("aria-label", s.conversation);
    els.chips.setAttribute("aria-label", s.quick);
    els.send.setAttribute("aria-label", s.send);
    setMicLabel();
    els.lang.textContent = s.lang_button;
    els.lang.setAttribute("aria-label", s.lang_label);
    showWho();
    renderCart(state.cart);
  }

  function showWho() {
    if (!state.who) return;
    els.who.textContent = state.who.demo ? t().demo(state.who.shopper) : t().anon;
  }

  /* ---- status line (errors and notes, never a blank page) ---------------------------------- */

  function showStatus(message, kind = "error") {
    els.status.textContent = message;
    els.status.dataset.kind = kind;
    els.status.hidden = false;
  }
  function clearStatus() {
    els.status.hidden = true;
    els.status.textContent = "";
  }

  /* ---- conversation ------------------------------------------------------------------------ */

  function remember(entry) {
    state.history.push(entry);
    try {
      sessionStorage.setItem(STORE_KEY, JSON.stringify(state.history.slice(-200)));
    } catch (_) { /* storage full or off: the conversation just does not survive a reload */ }
  }

  function scrollDown() {
    els.log.scrollTop = els.log.scrollHeight;
  }

  function addUser(text, extra = {}) {
    const node = el("div", { class: "msg user", "data-testid": "message", "data-from": "user",
                             ...extra },
      el("span", { class: "sr-only", text: `${t().you}: ` }), el("p", { text }));
    els.log.append(node);
    scrollDown();
    return node;
  }

  function botBubble(extra = {}) {
    const node = el("div", { class: "msg bot", "data-testid": "message", "data-from": "bot",
                             ...extra }, el("span", { class: "sr-only", text: `${t().bot}: ` }));
    els.log.append(node);
    return node;
  }

  /* One reply of Rasa's list: text, or a custom payload rendered as UI (never JSON). */
  function renderReply(reply, lang, live = true) {
    if (reply.text) {
      const bubble = botBubble({ lang });
      for (const para of String(reply.text).split("\n")) bubble.append(el("p", { text: para }));
    }
    const custom = reply.custom;
    if (!custom || typeof custom !== "object") return;
    const render = { products: renderProducts, cart: renderCartReply, confirm: renderConfirm,
                     order: renderOrder }[custom.type];
    if (render) render(custom, lang, live);
    scrollDown();
  }

  function renderProducts(payload, lang) {
    const items = Array.isArray(payload.items) ? payload.items : [];
    if (!items.length) return;
    const list = el("ul", { class: "cards", role: "list" });
    for (const item of items) list.append(el("li", {}, productCard(item, lang)));
    botBubble({ class: "msg bot wide", lang }).append(list);
  }

  function productCard(item, lang) {
    const s = TEXT[lang];
    const name = nameIn(item, lang);
    const reason = lang === "ko" ? item.reason_ko || item.reason : item.reason || item.reason_ko;
    const button = el("button", {
      type: "button", class: "add", "data-testid": "add-to-cart", "aria-label": s.add_label(name),
      text: s.add, on: { click: () => cartChange("POST", "/v1/cart/items",
                                                    { product_id: item.id, qty: 1 }, item, lang) },
    });
    return el("article", {
      class: "card", "data-testid": "product-card", "data-product-id": item.id,
      "data-type-key": item.type_key, "data-price": Math.round(Number(item.price) || 0),
      "aria-label": name,
    },
      el("h3", { class: "card-name", text: name }),
      item.brand ? el("p", { class: "card-brand", "data-testid": "brand", text: item.brand }) : null,
      el("p", { class: "card-meta" },
        item.size ? el("span", { class: "card-size", text: size(item.size, item.unit, lang) }) : null,
        el("strong", { class: "card-price", text: money(item.price, item.currency, lang) })),
      reason ? el("p", { class: "card-reason", "data-testid": "reason" },
                  el("span", { class: "sr-only", text: `${s.reason}: ` }), reason) : null,
      button);
  }

  function renderCartReply(payload, lang) {
    // The panel holds the lines (one place to change them); the conversation says the total.
    setCart(payload);
    const count = (payload.items || []).reduce((n, it) => n + Number(it.qty || 0), 0);
    const s = TEXT[lang];
    botBubble({ class: "msg bot note", lang }).append(
      el("p", { class: "cart-note", "data-testid": "cart-summary" },
        `${s.cart} · ${s.count(count)} · ${s.total} ${money(payload.total, payload.currency, lang)}`));
  }

  function renderConfirm(payload, lang, live) {
    const s = TEXT[lang];
    const yes = el("button", { type: "button", class: "primary", "data-testid": "confirm-yes",
                               text: s.yes });
    const no = el("button", { type: "button", "data-testid": "confirm-no", text: s.no });
    const box = el("div", { class: "confirm", "data-testid": "confirm", role: "group",
                            "data-total": payload.total, "aria-label": s.confirm(money(payload.total, "KRW", lang)) },
      el("p", { text: s.confirm(money(payload.total, "KRW", lang)) }), el("div", { class: "row" }, yes, no));
    const answer = (words) => {
      yes.disabled = no.disabled = true;
      send(words);
    };
    yes.addEventListener("click", () => answer(s.yes));
    no.addEventListener("click", () => answer(s.no));
    if (!live) yes.disabled = no.disabled = true; // a question from before a reload is stale
    botBubble({ class: "msg bot wide", lang }).append(box);
  }

  function renderOrder(payload, lang) {
    const s = TEXT[lang];
    const status = s.status[payload.status] || payload.status;
    botBubble({ class: "msg bot wide", lang }).append(
      el("div", { class: "receipt", "data-testid": "order", "data-order-id": payload.order_id,
                  "data-status": payload.status, "data-total": payload.total },
        el("h3", { text: s.order(payload.order_id) }),
        el("p", {}, el("span", { class: "badge", text: status }), " ",
          el("strong", { text: money(payload.total, "KRW", lang) }))));
  }

  /* ---- quick replies ----------------------------------------------------------------------- */

  function chipsFor(replies, lang) {
    const s = TEXT[lang];
    const customs = replies.map((r) => r.custom).filter(Boolean);
    const lastText = [...replies].reverse().find((r) => r.text)?.text || "";
    if (customs.some((c) => c.type === "confirm")) return [];
    if (customs.some((c) => c.type === "order")) return s.chips_order;
    const products = customs.find((c) => c.type === "products");
    if (products && (products.items || []).length > 1) return s.chips_list;
    // A yes-or-no question ("Shall I add it?", "담을까요?"), not any question ("What would you
    // like to buy?"): those want words, not yes or no.
    if (/까요\?|\b(shall|should) I\b[^?]*\?|\badd \d+[^?]*\?/i.test(lastText)) return s.chips_yesno;
    const cart = customs.find((c) => c.type === "cart");
    if (cart && (cart.items || []).length) return s.chips_cart;
    return s.chips_start;
  }

  function showChips(words) {
    els.chips.replaceChildren(...words.map((w) =>
      el("button", { type: "button", class: "chip", "data-testid": "quick-reply", text: w,
                     on: { click: () => send(w) } })));
  }

  /* ---- talking to the gateway -------------------------------------------------------------- */

  async function explain(resp, lang) {
    const s = TEXT[lang];
    let detail = "";
    try {
      const body = await resp.json();
      detail = typeof body.detail === "string" ? body.detail
        : Array.isArray(body.detail) ? body.detail.map((d) => d.msg).join("; ") : "";
    } catch (_) { /* not JSON: the status says enough */ }
    if (resp.status === 401) return s.session;
    if (resp.status === 502 || resp.status === 503) return s.rasa_down;
    if (resp.status === 409) return `${s.stock}: ${detail}`;
    return `${s.failed} (${resp.status})${detail ? `: ${detail}` : ""}`;
  }

  async function post(url, body, headers) {
    return fetch(url, { method: "POST", credentials: "same-origin", body,
                        headers: { ...CSRF, ...headers } });
  }

  async function send(raw) {
    const text = String(raw ?? "").trim();
    const lang = languageOf(text) || state.lang;
    if (!text) {
      showStatus(t().empty);
      els.input.focus();
      return;
    }
    if (text.length > state.maxChars) {
      showStatus(TEXT[lang].too_long(text.length, state.maxChars));
      els.input.focus();
      return;
    }
    if (state.busy) return;
    clearStatus();
    applyLanguage(lang);
    setBusy(true);
    const mine = addUser(text, { lang });
    els.input.value = "";
    try {
      const resp = await post("/v1/chat", JSON.stringify({ message: text }),
                              { "Content-Type": "application/json" });
      if (!resp.ok) {
        mine.dataset.failed = "true";
        els.input.value = text; // keep what was typed, to send again
        showStatus(await explain(resp, lang));
        return;
      }
      remember({ from: "user", text, lang });
      showReplies(await resp.json(), lang);
    } catch (_) {
      mine.dataset.failed = "true";
      els.input.value = text;
      showStatus(TEXT[lang].offline);
    } finally {
      setBusy(false);
      els.input.focus();
    }
  }

  function showReplies(replies, fallbackLang) {
    const list = Array.isArray(replies) ? replies : [];
    const spoken = list.map((r) => languageOf(r.text)).find(Boolean);
    const lang = spoken || fallbackLang;
    for (const reply of list) renderReply(reply, lang);
    remember({ from: "bot", replies: list, lang });
    applyLanguage(lang);
    showChips(chipsFor(list, lang));
    // An order empties the cart in the store without a cart payload: read it again.
    if (!list.some((r) => r.custom && r.custom.type === "cart")) loadCart();
    requestAnimationFrame(scrollDown);
  }

  function setBusy(busy) {
    state.busy = busy;
    els.send.disabled = busy;
    els.log.setAttribute("aria-busy", busy ? "true" : "false");
    // Turns finished (answered or failed): what tests and benchmarks wait on.
    if (!busy) els.log.dataset.turns = String(Number(els.log.dataset.turns || 0) + 1);
  }

  /* ---- the cart panel ---------------------------------------------------------------------- */

  function setCart(payload) {
    state.cart = payload;
    renderCart(payload);
  }

  function renderCart(payload) {
    const lang = state.lang;
    const s = TEXT[lang];
    const items = payload && Array.isArray(payload.items) ? payload.items : [];
    els.lines.replaceChildren(...items.map((line) => cartLine(line, lang)));
    els.empty.hidden = items.length > 0;
    els.checkout.disabled = items.length === 0;
    const total = payload ? payload.total : 0;
    els.total.textContent = money(total, payload && payload.currency, lang);
    els.total.dataset.total = String(total || 0);
    els.checkout.textContent = s.checkout;
    const count = items.reduce((n, it) => n + Number(it.qty || 0), 0);
    els.count.textContent = String(count);
    els.sum.textContent = money(total, payload && payload.currency, lang);
  }

  /* On a phone the cart folds into one line above the conversation; the button opens it. */
  function toggleCart(open) {
    els.cart.dataset.open = open ? "true" : "false";
    els.toggle.setAttribute("aria-expanded", open ? "true" : "false");
    requestAnimationFrame(scrollDown); // the conversation lost height: keep its end in view
  }

  function cartLine(line, lang) {
    const s = TEXT[lang];
    const name = nameIn(line, lang);
    const qty = Number(line.qty);
    const url = `/v1/cart/items/${encodeURIComponent(line.id)}`;
    const button = (label, text, testid, onClick, cls = "step") =>
      el("button", { type: "button", class: cls, "aria-label": label, "data-testid": testid,
                     text, on: { click: onClick } });
    return el("li", { class: "cart-line", "data-testid": "cart-line", "data-product-id": line.id,
                      "data-type-key": line.type_key, "data-qty": qty },
      el("span", { class: "line-name", text: name }),
      el("span", { class: "line-price", text: money(Number(line.price) * qty, state.cart?.currency, lang) }),
      el("span", { class: "stepper" },
        button(s.minus(name), "−", "qty-minus",
               () => cartChange("PUT", url, { qty: qty - 1 }, line, lang)),
        el("output", { class: "qty", "aria-live": "polite", text: String(qty) }),
        button(s.plus(name), "+", "qty-plus",
               () => cartChange("PUT", url, { qty: qty + 1 }, line, lang))),
      button(s.remove(name), s.remove_short, "remove", () => cartChange("DELETE", url, null, line, lang),
             "remove"));
  }

  async function cartChange(method, url, body, item, lang) {
    const s = TEXT[lang];
    clearStatus();
    try {
      const resp = await fetch(url, {
        method, credentials: "same-origin",
        headers: { ...CSRF, ...(body ? { "Content-Type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!resp.ok) {
        showStatus(await explain(resp, lang));
        return;
      }
      const cart = await resp.json();
      setCart(cart);
      const name = nameIn(item, lang);
      const note = method === "POST" ? s.added(name, money(cart.total, cart.currency, lang))
        : method === "DELETE" || body.qty === 0 ? s.removed(name) : s.changed(name, body.qty);
      showStatus(note, "note");
    } catch (_) {
      showStatus(s.offline);
    }
  }

  async function loadCart() {
    try {
      const resp = await fetch("/v1/cart", { credentials: "same-origin" });
      if (resp.ok) setCart(await resp.json());
    } catch (_) { /* the panel shows the cart after the next reply */ }
  }

  async function loadSession() {
    try {
      const resp = await fetch("/v1/session", { credentials: "same-origin" });
      if (!resp.ok) return;
      const info = await resp.json();
      state.who = { shopper: info.shopper, demo: !info.anonymous };
      if (info.max_chars) state.maxChars = info.max_chars;
      showWho();
    } catch (_) { /* the header just does not say who */ }
  }

  /* ---- the mic: Web Audio → 16-bit PCM WAV at the browser's rate → POST /v1/voice ---------- */

  const rec = { ctx: null, stream: null, node: null, chunks: [], rate: 48000, started: 0,
                timer: null };

  function setMicLabel() {
    const on = !!rec.stream;
    els.mic.setAttribute("aria-label", on ? t().mic_stop : t().mic);
    els.mic.setAttribute("aria-pressed", on ? "true" : "false");
    els.mic.classList.toggle("on", on);
  }

  async function startRecording() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.AudioContext) {
      showStatus(t().mic_unsupported);
      return;
    }
    try {
      // Raw sound: echo cancellation, noise suppression and gain control are tuned for calls
      // and smear the consonants the recogniser needs.
      rec.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false,
                 autoGainControl: false },
      });
    } catch (err) {
      rec.stream = null;
      const denied = err && (err.name === "NotAllowedError" || err.name === "SecurityError");
      showStatus(denied ? t().mic_denied : t().mic_none);
      return;
    }
    clearStatus();
    rec.ctx = new AudioContext();
    rec.rate = rec.ctx.sampleRate;
    const source = rec.ctx.createMediaStreamSource(rec.stream);
    // ScriptProcessor: deprecated but everywhere, and needs no worklet file; mono by averaging.
    rec.node = rec.ctx.createScriptProcessor(4096, 2, 1);
    rec.chunks = [];
    rec.node.onaudioprocess = (ev) => {
      const input = ev.inputBuffer;
      const mono = new Float32Array(input.length);
      for (let c = 0; c < input.numberOfChannels; c++) {
        const data = input.getChannelData(c);
        for (let i = 0; i < data.length; i++) mono[i] += data[i] / input.numberOfChannels;
      }
      rec.chunks.push(mono);
    };
    source.connect(rec.node);
    rec.node.connect(rec.ctx.destination);
    rec.started = performance.now();
    setMicLabel();
    tick();
  }

  function tick() {
    const seconds = (performance.now() - rec.started) / 1000;
    if (seconds >= MAX_RECORD_S) {
      stopRecording(true);
      return;
    }
    showStatus(t().recording(Math.floor(seconds)), "note");
    rec.timer = setTimeout(tick, 250);
  }

  async function stopRecording(cutOff = false) {
    clearTimeout(rec.timer);
    const { ctx, stream, node, chunks, rate } = rec;
    rec.stream = null;
    setMicLabel();
    if (node) node.disconnect();
    if (stream) stream.getTracks().forEach((track) => track.stop());
    if (ctx) await ctx.close();
    const samples = joinChunks(chunks, Math.round(rate * MAX_RECORD_S));
    await sendVoice(encodeWav(samples, rate), cutOff);
  }

  function joinChunks(chunks, limit) {
    const total = Math.min(limit, chunks.reduce((n, c) => n + c.length, 0));
    const out = new Float32Array(total);
    let at = 0;
    for (const c of chunks) {
      if (at >= total) break;
      const part = c.subarray(0, total - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  function encodeWav(samples, rate) {
    const buffer = new ArrayBuffer(44 + samples.length * 2);
    const view = new DataView(buffer);
    const ascii = (at, s) => { for (let i = 0; i < s.length; i++) view.setUint8(at + i, s.charCodeAt(i)); };
    ascii(0, "RIFF"); view.setUint32(4, 36 + samples.length * 2, true); ascii(8, "WAVE");
    ascii(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true);
    view.setUint16(22, 1, true); view.setUint32(24, rate, true); view.setUint32(28, rate * 2, true);
    view.setUint16(32, 2, true); view.setUint16(34, 16, true);
    ascii(36, "data"); view.setUint32(40, samples.length * 2, true);
    for (let i = 0; i < samples.length; i++) {
      const v = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, v < 0 ? v * 0x8000 : v * 0x7fff, true);
    }
    return new Blob([buffer], { type: "audio/wav" });
  }

  async function sendVoice(wav, cutOff) {
    const lang = state.lang;
    const s = TEXT[lang];
    showStatus(cutOff ? s.too_long_rec : s.sending_voice, "note");
    setBusy(true);
    try {
      const resp = await post(`/v1/voice?language=${lang}`, wav,
                              { "Content-Type": "audio/wav", Accept: "audio/wav, application/json;q=0.5" });
      if (!resp.ok) {
        showStatus(await explain(resp, lang));
        return;
      }
      let result;
      let audio = null;
      if ((resp.headers.get("Content-Type") || "").startsWith("audio/wav")) {
        const encoded = resp.headers.get("X-Voice-Result") || "";
        const bytes = Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0));
        result = JSON.parse(new TextDecoder().decode(bytes));
        audio = await resp.blob();
      } else {
        result = await resp.json();
      }
      if (!cutOff) clearStatus();
      if (result.transcript) {
        addUser(result.transcript, { lang: result.language, "data-voice": "true",
                                     "aria-label": `${s.heard}: ${result.transcript}` });
        remember({ from: "user", text: result.transcript, lang: result.language });
      } else {
        showStatus(s.silence, "note");
      }
      showReplies(result.replies, result.language || lang);
      if (audio && audio.size > 44) play(audio);
    } catch (_) {
      showStatus(s.offline);
    } finally {
      setBusy(false);
    }
  }

  /* The spoken reply plays at once, and stays in the conversation as a player to hear again. */
  function play(blob) {
    const player = el("audio", { controls: true, preload: "auto", "data-testid": "spoken-reply",
                                 "aria-label": t().listen, src: URL.createObjectURL(blob) });
    botBubble({ class: "msg bot audio" }).append(player);
    requestAnimationFrame(scrollDown);
    player.play().catch(() => { /* autoplay refused: the player and the text are there */ });
  }

  /* ---- wiring ------------------------------------------------------------------------------ */

  els.form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    send(els.input.value);
  });
  els.mic.addEventListener("click", () => (rec.stream ? stopRecording() : startRecording()));
  els.lang.addEventListener("click", () => applyLanguage(state.lang === "ko" ? "en" : "ko"));
  els.checkout.addEventListener("click", () => send(t().checkout_words));
  els.toggle.addEventListener("click", () => toggleCart(els.cart.dataset.open !== "true"));

  function restore() {
    let saved = [];
    try {
      saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "[]");
    } catch (_) { saved = []; }
    let lastReplies = null;
    for (const entry of Array.isArray(saved) ? saved : []) {
      if (entry.from === "user") addUser(entry.text, { lang: entry.lang });
      else if (Array.isArray(entry.replies)) {
        for (const reply of entry.replies) renderReply(reply, entry.lang, false);
        lastReplies = entry;
      }
      state.history.push(entry);
    }
    if (lastReplies) {
      applyLanguage(lastReplies.lang);
      showChips(chipsFor(lastReplies.replies, lastReplies.lang));
    } else {
      applyLanguage(state.lang);
      showChips(t().chips_start);
    }
  }

  restore();
  loadSession();
  loadCart(); // from the store: the cart shows even when the assistant is down
  els.input.focus();
})();
