"""Tag suggestions for a draft listing: popular search terms that bring shoppers to products
like it, ranked by relevance to the product, search volume and conversion in the event log.

Marketplace rule (as on Naver Smart Store): at most 10 tags, each at most 10 characters of
letters and digits (Hangul, Latin, digits; no spaces or special characters), no other brand's
name. Tags come from shoppers' real queries (whole queries without spaces, their words and word
pairs) with price phrases removed; statistics are platform-wide aggregates, and a term needs
``min_searches`` searches before it can be shown (no rare query that could identify a shopper).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from retrieval.query import (
    SIZE_RE,
    UNIT_ALIASES,
    QueryParser,
    Size,
    is_korean,
    normalise,
    parse_price_cap,
)
from store.models import Event, Product
from store.taxonomy import Taxonomy, load_taxonomy

MAX_TAGS = 10
MAX_TAG_CHARS = 10
TAG_RE = re.compile(r"^[0-9a-z\uac00-\ud7a3]{1,10}$")
WORD_RE = re.compile(r"[0-9a-z\uac00-\ud7a3]+(?:\.[0-9]+)?")
# Words that say how to shop, not what: they fit every product, so they make poor tags.
GENERIC = frozenset(
    {
        "최저가", "저렴한", "싼", "이하", "미만", "까지", "추천", "할인", "특가", "만원", "원",
        "cheap", "cheapest", "best", "price", "under", "won", "below", "sale", "deal", "buy",
    }
)  # fmt: skip
MAX_LANGUAGE_SHARE = 7  # of 10 tags, when the other language has candidates


class Encoder(Protocol):
    languages: frozenset[str]

    def encode(self, texts: list[str]) -> np.ndarray: ...


def is_valid_tag(tag: str) -> bool:
    return bool(TAG_RE.match(tag)) and len(tag) <= MAX_TAG_CHARS


def query_words(query: str) -> list[str]:
    """The words of a query once its price phrase ("만원 이하", "under 10,000 won") is removed;
    hyphenated words stay whole ("pull-ups" → "pullups")."""
    _, text = parse_price_cap(normalise(query))
    text = re.sub(r"(?<=\w)-(?=\w)", "", text)
    return [w for w in WORD_RE.findall(text) if w not in GENERIC]


def candidate_tags(query: str) -> set[str]:
    """The whole query without spaces, its words and adjacent word pairs, where valid tags."""
    words = query_words(query)
    out = {"".join(words)} if words else set()
    out.update(words)
    out.update(a + b for a, b in itertools.pairwise(words))
    # A number cut off from its unit ("liners 40 count" → "liners40") says nothing.
    return {t for t in out if is_valid_tag(t) and len(t) >= 2 and not t[-1].isdigit()}


def is_size_only(tag: str) -> bool:
    m = SIZE_RE.fullmatch(tag)
    return m is not None


def tag_size(text: str) -> Size | None:
    m = SIZE_RE.search(normalise(text))
    if not m:
        return None
    unit, factor = UNIT_ALIASES[m.group(2).lower()]
    return Size(float(m.group(1)) * factor, unit)


def same_size(a: Size, b: Size) -> bool:
    value = a.in_unit(b.unit)
    return value is not None and abs(value - b.value) <= 1e-6 * max(1.0, b.value)


@dataclass
class TagStats:
    """Platform-wide statistics per tag over a window of the search log."""

    volume: Counter[str] = field(default_factory=Counter)
    type_clicks: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    conversions: Counter[str] = field(default_factory=Counter)
    # Normalised brand spellings (no spaces) → the brand as stored, lower case.
    brands: dict[str, str] = field(default_factory=dict)
    # Single words of multi-word brands ("베이직" of "장보기 베이직") → the brand: a tag holding
    # one without the whole name is a fragment of a brand, not a search term.
    brand_words: dict[str, str] = field(default_factory=dict)
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _norm(text: str) -> str:
    return "".join(WORD_RE.findall(normalise(text)))


def brand_aliases(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    """Brand names as stored, their Korean form (``attributes.brand_ko`` or the Korean name's
    leading words where the English name starts with the brand); and the single words of
    multi-word brands that are no taxonomy word."""
    taxonomy = load_taxonomy()
    type_words = {
        _norm(w)
        for t in taxonomy.types
        for name in (t.en, t.ko, *t.synonyms_en, *t.synonyms_ko)
        for w in name.split()
    }
    out: dict[str, str] = {}
    words: dict[str, str] = {}
    for brand, name_en, name_ko, attrs in session.execute(
        select(Product.brand, Product.name_en, Product.name_ko, Product.attributes)
    ):
        canonical = brand.lower()
        forms = {brand, (attrs or {}).get("brand_ko") or ""}
        n_words = len(brand.split())
        if name_en.lower().startswith(brand.lower()) and name_ko:
            forms.add(" ".join(name_ko.split()[:n_words]))
        for f in forms:
            key = _norm(f)
            if len(key) >= 2:
                out.setdefault(key, canonical)
            parts = [_norm(w) for w in f.split()]
            if len(parts) > 1:
                for w in parts:
                    if len(w) >= 2 and w not in type_words:
                        words.setdefault(w, canonical)
    return out, words


def build_stats(session: Session, window_days: int = 90) -> TagStats:
    """Volume, clicked types and purchases per tag over the last ``window_days`` of searches."""
    brands, words = brand_aliases(session)
    stats = TagStats(brands=brands, brand_words=words)
    last = session.scalar(select(func.max(Event.ts)).where(Event.kind == "search"))
    if last is None:
        return stats
    until = last if isinstance(last, dt.datetime) else dt.datetime.fromisoformat(str(last))
    since = until - dt.timedelta(days=window_days)
    stats.since, stats.until = since, until
    tags_of: dict[str, set[str]] = {}

    def tags(query: str) -> set[str]:
        got = tags_of.get(query)
        if got is None:
            got = tags_of[query] = candidate_tags(query)
        return got

    in_window = (Event.ts >= since, Event.ts <= until)
    for (query,) in session.execute(
        select(Event.query).where(Event.kind == "search", *in_window, Event.query.is_not(None))
    ):
        stats.volume.update(tags(query or ""))
    types = dict(session.execute(select(Product.id, Product.type_key)).all())
    clicked: dict[tuple[str | None, int | None], str] = {}
    for sess, pid, query in session.execute(
        select(Event.session_id, Event.product_id, Event.query).where(
            Event.kind == "click", *in_window, Event.query.is_not(None)
        )
    ):
        type_key = types.get(pid) if pid is not None else None
        if type_key is None or query is None:
            continue
        for t in tags(query):
            stats.type_clicks[t][type_key] += 1
        if sess is not None:
            clicked[(sess, pid)] = query
    for sess, pid in session.execute(
        select(Event.session_id, Event.product_id).where(Event.kind == "purchase", *in_window)
    ):
        query = clicked.get((sess, pid))
        if query is not None:
            stats.conversions.update(tags(query))
    return stats


@dataclass(frozen=True)
class Draft:
    title: str
    description: str | None = None
    type_key: str | None = None
    brand: str | None = None


@dataclass(frozen=True)
class Tag:
    tag: str
    score: float
    search_volume: int
    relevance: float
    # Why it was chosen: the share of its search clicks that went to the draft's type, its
    # likeness to the draft's text and the share of its searches that ended in a purchase.
    type_share: float = 0.0
    similarity: float = 0.0
    conversion: float = 0.0


def infer_type(draft: Draft, taxonomy: Taxonomy, stats: TagStats) -> str | None:
    if draft.type_key:
        return draft.type_key
    parser = QueryParser(taxonomy, dict(stats.brands))
    keys = parser.type_keys(" ".join(x for x in (draft.title, draft.description) if x))
    return keys[0] if keys else None


def _bigrams(text: str) -> set[str]:
    text = _norm(text)
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


def _dice(a: set[str], b: set[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _draft_text(draft: Draft, taxonomy: Taxonomy, type_key: str | None) -> str:
    parts = [draft.title, draft.description or "", draft.brand or ""]
    if type_key and type_key in taxonomy:
        t = taxonomy[type_key]
        parts += [t.en, t.ko, *t.synonyms_en, *t.synonyms_ko]
    return " ".join(parts)


def _other_brand(tag: str, stats: TagStats, own: set[str]) -> bool:
    """Whether the tag names a brand that is not the draft's (marketplaces forbid that), or
    holds a fragment of a brand's name without the whole of it."""
    if any(alias in tag and brand not in own for alias, brand in stats.brands.items()):
        return True
    for word, brand in stats.brand_words.items():
        if word in tag and not any(a in tag for a, b in stats.brands.items() if b == brand):
            return True
    return False


def suggest(
    draft: Draft,
    stats: TagStats,
    *,
    min_searches: int = 5,
    encoder: Encoder | None = None,
    taxonomy: Taxonomy | None = None,
    k: int = MAX_TAGS,
) -> tuple[list[Tag], str | None]:
    """Up to ``k`` tags for the draft and the type they were chosen for."""
    taxonomy = taxonomy or load_taxonomy()
    type_key = infer_type(draft, taxonomy, stats)
    text = _draft_text(draft, taxonomy, type_key)
    grams = _bigrams(text)
    own = {stats.brands.get(_norm(draft.brand), draft.brand.lower())} if draft.brand else set()
    for alias, brand in stats.brands.items():
        if alias in _norm(draft.title):
            own.add(brand)
    size = tag_size(draft.title)
    candidates: list[tuple[str, float, float, float]] = []  # tag, p(type), similarity, volume
    for tag, volume in stats.volume.items():
        if volume < min_searches or is_size_only(tag) or _other_brand(tag, stats, own):
            continue
        named = tag_size(tag)
        if named is not None and (size is None or not same_size(named, size)):
            continue  # another pack size than the listing's would mislead
        clicks = stats.type_clicks.get(tag)
        p_type = 0.0
        if clicks and type_key:
            p_type = clicks[type_key] / (sum(clicks.values()) + 5)
        sim = _dice(_bigrams(tag), grams)
        if p_type < 0.3 and sim < 0.35:
            continue
        candidates.append((tag, p_type, sim, float(volume)))
    if encoder is not None and candidates:
        candidates = _with_embeddings(candidates, text, encoder)
    if not candidates:
        return [], type_key
    max_volume = max(c[3] for c in candidates)
    rates = [stats.conversions[c[0]] / c[3] for c in candidates]
    mean_rate = (sum(rates) / len(rates)) or 1.0
    scored = []
    for (name, p_type, sim, searches), rate in zip(candidates, rates, strict=True):
        relevance = 0.7 * p_type + 0.3 * sim
        popularity = math.log1p(searches) / math.log1p(max_volume)
        conversion = min(1.0, rate / (2 * mean_rate))
        score = relevance * (0.5 + 0.3 * popularity + 0.2 * conversion)
        scored.append(
            Tag(
                name, round(score, 6), round(searches), relevance, type_share=round(p_type, 4),
                similarity=round(sim, 4), conversion=round(rate, 4),
            )
        )  # fmt: skip
    scored.sort(key=lambda t: (-t.score, t.tag))
    return balance_languages(scored, k), type_key


def _with_embeddings(
    candidates: list[tuple[str, float, float, float]], text: str, encoder: Encoder
) -> list[tuple[str, float, float, float]]:
    """Raise each tag's similarity to the cosine of embeddings where the model knows the tag's
    language (an English-only model embeds Korean as noise)."""
    known = [
        i
        for i, c in enumerate(candidates)
        if ("ko" if is_korean(c[0]) else "en") in encoder.languages
    ]
    if not known:
        return candidates
    vecs = encoder.encode([text] + [candidates[i][0] for i in known])
    cos = vecs[1:] @ vecs[0]
    out = list(candidates)
    for i, c in zip(known, cos, strict=True):
        tag, p_type, sim, volume = out[i]
        out[i] = (tag, p_type, max(sim, float(c)), volume)
    return out


def balance_languages(tags: Sequence[Tag], k: int = MAX_TAGS) -> list[Tag]:
    """The best ``k``, keeping room for both languages: at most 7 from one when the other has
    candidates."""
    ko = [t for t in tags if is_korean(t.tag)]
    en = [t for t in tags if not is_korean(t.tag)]
    cap_ko = k if not en else max(MAX_LANGUAGE_SHARE, k - len(en))
    cap_en = k if not ko else max(MAX_LANGUAGE_SHARE, k - len(ko))
    chosen = ko[:cap_ko] + en[:cap_en]
    chosen.sort(key=lambda t: (-t.score, t.tag))
    return chosen[:k]


# --- one statistics object per process and store ------------------------------------------------
_stats: dict[tuple[str, int], tuple[float, TagStats]] = {}
_stats_lock = threading.Lock()


def get_stats(engine: Engine, window_days: int = 90, ttl_s: float = 600.0) -> TagStats:
    """Tag statistics, rebuilt at most every ``ttl_s`` seconds."""
    key = (str(engine.url), window_days)
    with _stats_lock:
        hit = _stats.get(key)
        if hit is not None and time.monotonic() - hit[0] < ttl_s:
            return hit[1]
        with Session(engine) as session:
            stats = build_stats(session, window_days)
        _stats[key] = (time.monotonic(), stats)
        return stats


def clear_caches() -> None:
    with _stats_lock:
        _stats.clear()


def reason(tag: Tag, type_name: str | None) -> str:
    """One line saying why the tag was chosen, from the figures that scored it."""
    parts = [f"{tag.search_volume} searches"]
    if type_name and tag.type_share >= 0.3:
        parts.append(f"{tag.type_share:.0%} of their clicks went to {type_name}")
    if tag.similarity >= 0.35:
        parts.append("close to your listing's words")
    if tag.conversion > 0:
        parts.append(f"{tag.conversion:.0%} ended in a purchase")
    return "; ".join(parts)


def tags_public(tags: Iterable[Tag], type_key: str | None = None) -> list[dict[str, Any]]:
    taxonomy = load_taxonomy()
    type_name = taxonomy[type_key].en if type_key and type_key in taxonomy else None
    return [
        {
            "tag": t.tag, "score": t.score, "search_volume": t.search_volume,
            "type_share": t.type_share, "similarity": t.similarity, "conversion": t.conversion,
            "reason": reason(t, type_name),
        }
        for t in tags
    ]  # fmt: skip
