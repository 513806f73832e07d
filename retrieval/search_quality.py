"""Search quality on a catalog: nDCG@10 and Recall@10 per leg and language.

The query set is built from the taxonomy: every type's name and synonyms in both languages, each
said the way shoppers say it (bare, and inside a request sentence). A product is relevant when
its ``type_key`` is the type the query was built from (binary relevance).

- nDCG@10 = DCG@10 / ideal DCG@10, DCG = Σ rel_i / log2(i + 1), ideal = min(10, |relevant|) hits.
- Recall@10 = relevant products in the top 10 / min(10, |relevant|) (capped, since a type
  usually has more than 10 products).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from retrieval.query import has_batchim
from retrieval.service import SearchService
from store.taxonomy import Taxonomy

TEMPLATES = {
    "ko": ("{}", "{} 주세요", "{} 찾아줘", "{} 사고 싶어요"),
    "en": ("{}", "I need {}", "find me some {}", "{} please"),
}
# system → (search mode, query understanding on)
SYSTEMS: dict[str, tuple[str, bool]] = {
    "lexical": ("lexical", False),
    "dense": ("dense", False),
    "hybrid": ("hybrid", False),
    "hybrid+understanding": ("hybrid", True),
}


def typo(text: str) -> str:
    """A shopper's slip: the longest Latin word loses its middle letter ("detergent" →
    "detegent"); Korean drops the spaces and takes an object particle ("두루마리 휴지" →
    "두루마리휴지를")."""
    words = text.split()
    if any("\uac00" <= ch <= "\ud7a3" for ch in text):
        joined = "".join(words)
        return joined + ("을" if has_batchim(joined) else "를")
    i = max(range(len(words)), key=lambda j: len(words[j]))
    w = words[i]
    if len(w) >= 5:
        words[i] = w[: len(w) // 2] + w[len(w) // 2 + 1 :]
    return " ".join(words)


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    language: str
    type_key: str


def query_set(taxonomy: Taxonomy, available: set[str], noisy: bool = False) -> list[LabelledQuery]:
    """Queries for every type the catalog carries (a type it lacks cannot be found); with
    ``noisy`` every name carries a :func:`typo` first."""
    out = []
    for t in taxonomy.types:
        if t.key not in available:
            continue
        for lang, templates in TEMPLATES.items():
            for name in t.names(lang):
                said = typo(name) if noisy else name
                out += [LabelledQuery(tpl.format(said), lang, t.key) for tpl in templates]
    return out


def ndcg_at_k(relevant_flags: list[bool], n_relevant: int, k: int = 10) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(relevant_flags[:k]) if r)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, n_relevant)))
    return dcg / ideal if ideal else 0.0


def recall_at_k(relevant_flags: list[bool], n_relevant: int, k: int = 10) -> float:
    return sum(relevant_flags[:k]) / min(k, n_relevant) if n_relevant else 0.0


def evaluate_search(
    service: SearchService, taxonomy: Taxonomy, k: int = 10, noisy: bool = False
) -> dict[tuple[str, str], dict[str, float]]:
    """{(system, language): {"ndcg@10", "recall@10", "queries"}} over the taxonomy query set.
    Stock is ignored (``in_stock=False``): quality is about finding the type, not availability."""
    from retrieval.catalog import SearchFilters

    per_type: dict[str, int] = defaultdict(int)
    for it in service.catalog.items:
        per_type[it.type_key] += 1
    queries = query_set(taxonomy, set(per_type), noisy)
    results: dict[tuple[str, str], dict[str, float]] = {}
    for system, (mode, understand) in SYSTEMS.items():
        sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for q in queries:
            hits = service.search(
                q.text, k=k, filters=SearchFilters(in_stock=False), mode=mode, understand=understand
            )
            flags = [h.item.type_key == q.type_key for h in hits]
            acc = sums[q.language]
            acc[0] += ndcg_at_k(flags, per_type[q.type_key], k)
            acc[1] += recall_at_k(flags, per_type[q.type_key], k)
            acc[2] += 1
        for lang, (ndcg, rec, n) in sums.items():
            results[(system, lang)] = {"ndcg@10": ndcg / n, "recall@10": rec / n, "queries": n}
    return results


def format_search_table(
    results: dict[tuple[str, str], dict[str, float]], title: str = "clean queries"
) -> str:
    lines = [
        f"search quality, {title} (demo catalog; relevant = same taxonomy type)",
        f"{'system':<22} {'lang':<4} {'queries':>7} {'nDCG@10':>8} {'R@10':>7} {'vs best leg':>11}",
    ]
    for lang in ("ko", "en"):
        best_leg = max(
            results.get((leg, lang), {}).get("ndcg@10", 0.0) for leg in ("lexical", "dense")
        )
        for system in SYSTEMS:
            r = results.get((system, lang))
            if r is None:
                continue
            gain = (r["ndcg@10"] / best_leg - 1) * 100 if best_leg else 0.0
            vs = f"{gain:+.1f}%" if system.startswith("hybrid") else ""
            lines.append(
                f"{system:<22} {lang:<4} {int(r['queries']):>7} {r['ndcg@10']:>8.4f} "
                f"{r['recall@10']:>7.4f} {vs:>11}"
            )
    return "\n".join(lines)
