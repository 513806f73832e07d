"""NLU evaluation (runs in the Rasa venv): own held-out split per language, and CLINC150 `test`.

CLINC150 mapping (test split only; reporting, never tuning):
  shopping_list_update → add_to_cart | remove_from_cart | change_quantity
  shopping_list        → view_cart
  order                → search_product | checkout   (strict, as the issue states); the lenient
                         figure also accepts reorder_usual and add_to_cart ("order me more lysol")
  order_status         → order_status
  every other intent, and oos_test → out of scope (predicted out_of_scope or nlu_fallback)

Usage: .venv-rasa/bin/python -m nlu.evaluate MODEL.tar.gz REPORT.json [test|val]
`val` (with `oos_val`) is the split to tune on; `test` (the default) is what gets reported.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from store.paths import clinc150_file

ROOT = Path(__file__).resolve().parents[1]
REJECT = {"out_of_scope", "nlu_fallback"}
CLINC_MAP = {
    "shopping_list_update": {"add_to_cart", "remove_from_cart", "change_quantity"},
    "shopping_list": {"view_cart"},
    "order": {"search_product", "checkout"},
    "order_status": {"order_status"},
}
ORDER_LENIENT = {"search_product", "checkout", "reorder_usual", "add_to_cart"}


def heldout(lang: str) -> list[tuple[str, str]]:
    """(text, intent) pairs from the generated held-out file of one language."""
    pairs, intent = [], None
    path = ROOT / "tests" / "rasa" / "data" / f"heldout_{lang}.yml"
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s.startswith("- intent:"):
            intent = s.split(":", 1)[1].strip()
        elif s.startswith("- ") and intent:
            pairs.append((s[2:], intent))
    return pairs


async def predict(agent: Any, texts: list[str]) -> list[str]:
    out = []
    for text in texts:
        parsed = await agent.parse_message(text)
        out.append(parsed["intent"]["name"])
    return out


async def main(model: str, split: str = "test") -> dict[str, Any]:
    if split not in ("test", "val"):
        raise SystemExit(f"split must be test or val, not {split!r}")
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    report: dict[str, Any] = {}
    for lang in ("en", "ko"):
        pairs = heldout(lang)
        preds = await predict(agent, [t for t, _ in pairs])
        confusions: Counter[str] = Counter(
            f"{gold}→{p}" for (_, gold), p in zip(pairs, preds, strict=False) if gold != p
        )
        report[f"heldout_{lang}"] = {
            "n": len(pairs),
            "accuracy": sum(g == p for (_, g), p in zip(pairs, preds, strict=False))
            / max(1, len(pairs)),
            "top_confusions": confusions.most_common(8),
        }
    data = json.loads(clinc150_file().read_text())
    test = data[split]
    preds = await predict(agent, [t for t, _ in test])
    shop_ok = shop_lenient = shop_n = shop_rejected = other_n = other_rejected = 0
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (_, gold), p in zip(test, preds, strict=False):
        if gold in CLINC_MAP:
            shop_n += 1
            ok = p in CLINC_MAP[gold]
            shop_ok += ok
            shop_lenient += ok or (gold == "order" and p in ORDER_LENIENT)
            shop_rejected += p in REJECT
            per_intent[gold][0] += ok
            per_intent[gold][1] += 1
        else:
            other_n += 1
            other_rejected += p in REJECT
    oos = [t for t, _ in data[f"oos_{split}"]]
    oos_preds = await predict(agent, oos)
    report[f"clinc_{split}"] = {
        "shopping_n": shop_n,
        "shopping_accuracy": shop_ok / shop_n,
        "shopping_accuracy_lenient_order": shop_lenient / shop_n,
        "shopping_false_rejection": shop_rejected / shop_n,
        "per_shopping_intent": {k: v[0] / v[1] for k, v in sorted(per_intent.items())},
        "other_intents_n": other_n,
        "other_intents_rejection": other_rejected / other_n,
        f"oos_{split}_n": len(oos),
        f"oos_{split}_rejection": sum(p in REJECT for p in oos_preds) / len(oos),
    }
    return report


if __name__ == "__main__":
    # Rasa logs to stdout, so the report goes to a file of its own.
    split = sys.argv[3] if len(sys.argv) > 3 else "test"
    report = json.dumps(asyncio.run(main(sys.argv[1], split)), ensure_ascii=False, indent=1)
    Path(sys.argv[2]).write_text(report, encoding="utf-8")
