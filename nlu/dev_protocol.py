"""The NLU development protocol: held-out whole intents, as CLINC's `oos_test` holds (docs/nlu.md,
"Novelty model"). Runs in Rasa's environment from the project root; never touches `test`.

  capture MODEL DIR   the trained pipeline's classifier features for every training example and
                      CLINC `val`/`oos_val` (about 12 minutes on 2 cores)
  fit DIR             five classifiers, each without a development fifth of our sentences and of
                      CLINC `train`'s shopping sentences, a fifth of `oos_train` and a fifth of
                      CLINC's non-small-talk out-of-scope intents
                      (about 6 minutes)
  report DIR          the rejection rules compared on them (own sentences, `val` shopping, `val`
                      other intents, the held-out intents' sentences, `oos_val`, `oos_train`)

  PYTHONPATH=. .venv-rasa/bin/python -m nlu.dev_protocol capture models/jangbogi.tar.gz var/nludev
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse

from nlu.evaluate import CLINC_MAP as SHOPPING
from nlu.novelty import References, asks_to_buy, features, fold_of
from store.paths import clinc150_file

ROOT = Path(__file__).resolve().parents[1]
FOLDS = 5
SMALL_TALK = {"greeting", "goodbye", "yes", "no", "what_can_i_ask_you"}  # as in config.yml
FALLBACK = 0.3  # config.yml's FallbackClassifier threshold
SKIPS = {"greet", "goodbye", "affirm", "deny", "help"}
REJECTED = "REJECTED"


def capture(model: str, out: Path) -> None:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message

    from nlu.intents import GroupedIntentClassifier

    out.mkdir(parents=True, exist_ok=True)
    agent = Agent.load(model)
    steps = []
    for name, node in agent.processor.graph_runner._instantiated_nodes.items():
        if name.startswith("run_") and "GroupedIntentClassifier" in name:
            break
        if name.startswith("run_"):
            steps.append(node._component)
    data = json.loads(clinc150_file().read_text())
    oos_train = {t for t, _ in data["oos_train"]}
    rows: list[tuple[Any, str, str, str]] = []  # message, source, training label, CLINC intent
    for source, path in (("en", "shopping_en"), ("ko", "shopping_ko"), ("clinc", "clinc_train")):
        for m in load_data(str(ROOT / "nlu" / "data" / f"{path}.yml")).intent_examples:
            label = GroupedIntentClassifier._label(m)
            group = label.partition("::")[2]
            if source == "clinc" and label == "out_of_scope" and m.get("text") in oos_train:
                source_of_row = "oos_train"
            else:
                source_of_row = source
            rows.append((Message(data={"text": m.get("text")}), source_of_row, label, group))
    rows += [(Message(data={"text": t}), "val", "", i) for t, i in data["val"]]
    rows += [(Message(data={"text": t}), "oos_val", "", "oos") for t, _ in data["oos_val"]]
    messages = [r[0] for r in rows]
    for start in range(0, len(messages), 256):
        for step in steps:
            step.process(messages[start : start + 256])
        print(f"{min(start + 256, len(messages))}/{len(messages)}", flush=True)
    sparse, dense = GroupedIntentClassifier._features(messages)
    scipy.sparse.save_npz(out / "sparse.npz", sparse.tocsr())
    np.save(out / "dense.npy", dense.astype(np.float32))
    meta = [
        {
            "text": m.get("text"),
            "source": source,
            "label": label,
            "clinc": intent,
            "entities": sorted({e.get("entity") for e in m.get("entities", [])}),
        }
        for m, source, label, intent in rows
    ]
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False))


@dataclass
class Captured:
    sparse: scipy.sparse.csr_matrix
    unit: np.ndarray
    source: np.ndarray
    label: np.ndarray
    intent: np.ndarray  # our intent of a training row ("" for val)
    clinc: np.ndarray
    spared: np.ndarray
    dense: np.ndarray
    texts: list[str]

    @classmethod
    def load(cls, folder: Path) -> Captured:
        meta = json.loads((folder / "meta.json").read_text())
        dense = np.load(folder / "dense.npy")
        norms = np.linalg.norm(dense, axis=1, keepdims=True)
        label = np.array([m["label"] for m in meta])
        return cls(
            sparse=scipy.sparse.load_npz(folder / "sparse.npz").tocsr(),
            unit=(dense / np.maximum(norms, 1e-12)).astype(np.float32),
            source=np.array([m["source"] for m in meta]),
            label=label,
            intent=np.array([x.partition("::")[0] for x in label]),
            clinc=np.array([m["clinc"] for m in meta]),
            spared=np.array([bool({"product", "brand"} & set(m["entities"])) for m in meta]),
            dense=dense,
            texts=[m["text"] for m in meta],
        )

    @cached_property
    def purchase(self) -> np.ndarray:
        return np.array([asks_to_buy(t) for t in self.texts])

    @cached_property
    def has_vector(self) -> np.ndarray:
        return np.linalg.norm(self.unit, axis=1) > 0

    @cached_property
    def clinc_shopping(self) -> np.ndarray:
        """CLINC `train` sentences mapped onto one of our intents ("can you order me more
        plastic bags"): shoppers' own words, with products our catalogue may not have."""
        return (self.source == "clinc") & (self.intent != "out_of_scope")

    def fold(self) -> tuple[np.ndarray, np.ndarray]:
        """Per row: its development fold (own sentences, CLINC `train`'s shopping sentences,
        `oos_train`) and its held-out-intent fold (CLINC's out-of-scope intents but small talk,
        `train` and `val` alike); -1: none."""
        own = np.full(len(self.source), -1)
        intent = np.full(len(self.source), -1)
        for i, (source, label, clinc) in enumerate(
            zip(self.source, self.label, self.clinc, strict=True)
        ):
            if source in ("en", "ko") or self.clinc_shopping[i]:
                own[i] = fold_of(f"dev|{label}|{self.texts[i]}", FOLDS)
            elif source == "oos_train":
                own[i] = fold_of(f"fold|{self.texts[i]}", FOLDS)
            grouped = source == "clinc" and "::" in label
            if (grouped or source == "val") and clinc not in SMALL_TALK | set(SHOPPING):
                intent[i] = fold_of(f"lio|{clinc}", FOLDS)
        return own, intent


def fit(folder: Path) -> None:
    from nlu.softmax import SoftmaxRegression

    data = Captured.load(folder)
    own, held_intent = data.fold()
    trainable = np.isin(data.source, ["en", "ko", "clinc", "oos_train"])
    for k in range(FOLDS):
        train = trainable & (own != k) & (held_intent != k)
        clf = SoftmaxRegression(C=10.0, max_iter=150)
        clf.fit(data.sparse[train], data.dense[train], list(data.label[train]))
        scored = np.flatnonzero(~train)
        proba = clf.predict_proba(data.sparse[scored], data.dense[scored]).astype(np.float32)
        np.savez(
            folder / f"fold{k}.npz",
            train=train,
            scored=scored,
            proba=proba,
            classes=clf.classes_.astype(str),
        )
        print(f"fold {k}: {train.sum()} rows trained, {len(scored)} scored", flush=True)


@dataclass
class Fold:
    train: np.ndarray
    scored: np.ndarray
    probabilities: np.ndarray  # merged into intents, small-talk prior 0.1 applied
    names: list[str]
    sims: np.ndarray  # References.similarities of the scored rows
    predicted: np.ndarray  # the most probable intent's name per scored row

    def accepted(self) -> np.ndarray:
        """The classifier's own verdict: in scope, and confident enough for the fallback."""
        return (self.predicted != "out_of_scope") & (self.probabilities.max(axis=1) >= FALLBACK)


def load_fold(data: Captured, folder: Path, k: int, prior: float = 0.1) -> Fold:
    saved = np.load(folder / f"fold{k}.npz")
    classes = [str(c) for c in saved["classes"]]
    names = sorted({c.partition("::")[0] for c in classes})
    raw = saved["proba"].astype(np.float64)
    raw[:, [c.partition("::")[2] in SMALL_TALK for c in classes]] *= prior
    raw /= raw.sum(axis=1, keepdims=True)
    merge = np.zeros((len(classes), len(names)))
    for row, c in enumerate(classes):
        merge[row, names.index(c.partition("::")[0])] = 1.0
    probabilities = raw @ merge
    train, scored = saved["train"], saved["scored"]
    index = {n: i for i, n in enumerate(names)}
    inside = train & data.has_vector & (data.intent != "out_of_scope")
    references = References(
        data.unit[inside],
        np.array([index[x] for x in data.intent[inside]]),
        data.unit[train & data.has_vector & (data.intent == "out_of_scope")],
    )
    top = probabilities.argmax(axis=1)
    sims = np.vstack(
        [
            references.similarities(data.unit[scored[a : a + 1024]], top[a : a + 1024])
            for a in range(0, len(scored), 1024)
        ]
    )
    predicted = np.array(names, dtype=object)[top]
    return Fold(train, scored, probabilities, names, sims, predicted)


Rule = Callable[[Fold, np.ndarray], np.ndarray]  # (fold, predicted intent names) -> reject


def predictions(data: Captured, fold: Fold, rule: Rule | None) -> np.ndarray:
    rejected = ~fold.accepted()
    if rule is not None:
        judged = data.has_vector[fold.scored] & ~data.spared[fold.scored]
        rejected |= rule(fold, fold.predicted) & judged
    return np.where(rejected, REJECTED, fold.predicted)


def measures(data: Captured, folds: list[Fold], rule: Rule | None) -> dict[str, float]:
    hits: dict[str, list[int]] = {}

    def count(name: str, ok: bool) -> None:
        hits.setdefault(name, [0, 0])
        hits[name][0] += ok
        hits[name][1] += 1

    for fold in folds:
        trained_intents = set(data.clinc[fold.train & (data.source == "clinc")])
        for i, p in zip(fold.scored, predictions(data, fold, rule), strict=True):
            source, clinc = data.source[i], data.clinc[i]
            if source in ("en", "ko"):
                gold = data.intent[i]
                count(source, p == (REJECTED if gold == "out_of_scope" else gold))
            elif source in ("oos_train", "oos_val"):
                count(source, p == REJECTED)
            elif source == "val" and clinc in SHOPPING:
                count("val shopping", p in SHOPPING[clinc])
                count("val false rejection", p == REJECTED)
            elif source == "val":
                novel = clinc not in trained_intents and clinc not in SMALL_TALK
                count("novel val" if novel else "val other", p == REJECTED)
            elif data.clinc_shopping[i]:
                count("train shopping", p == data.intent[i])
                count("train false rejection", p == REJECTED)
            elif source == "clinc":
                count("novel train", p == REJECTED)
    return {k: v[0] / v[1] for k, v in hits.items()}


def rules(data: Captured, folds: list[Fold]) -> dict[str, Rule]:
    """The rules of docs/nlu.md's table; the novelty model is cross-fitted over the folds."""

    def gate(t: float) -> Rule:
        return lambda f, p: f.sims[:, 0] < t

    def own_intent(t: float) -> Rule:
        return lambda f, p: (f.sims[:, 1] < t) & (p != "out_of_scope")

    out: dict[str, Rule] = {"none": lambda f, p: np.zeros(len(p), dtype=bool)}
    out |= {f"cosine gate {t}": gate(t) for t in (0.35, 0.45, 0.5)}
    out |= {f"predicted intent's examples {t}": own_intent(t) for t in (0.4, 0.45)}
    out["in minus out < -0.05"] = lambda f, p: f.sims[:, 0] - f.sims[:, 2] < -0.05
    out["10 nearest > 0.9 out of scope"] = lambda f, p: f.sims[:, 3] > 0.9

    def novelty(t: float, skip: bool, scores: dict[int, np.ndarray], purchases: bool) -> Rule:
        def rule(f: Fold, p: np.ndarray) -> np.ndarray:
            judged = ~np.isin(p, list(SKIPS)) if skip else np.ones(len(p), dtype=bool)
            if purchases:
                judged &= ~data.purchase[f.scored]
            return (f.sims[:, 0] < 0.35) | (judged & (scores[id(f)] < t))

        return rule

    scores = novelty_scores(data, folds, spare_purchases=False)
    for skip in (False, True):
        for t in (-4.0, -3.5, -3.0, -2.5):
            name = f"novelty model < {t}{', small talk skipped' if skip else ''}"
            out[name] = novelty(t, skip, scores, purchases=False)
    scores = novelty_scores(data, folds, spare_purchases=True)
    for t in (-3.0, -2.5, -2.0, -1.5):
        name = f"novelty model < {t}, small talk skipped, purchases spared"
        out[name] = novelty(t, True, scores, purchases=True)
    return out


def novelty_scores(
    data: Captured, folds: list[Fold], spare_purchases: bool
) -> dict[int, np.ndarray]:
    """Each fold's rows scored by a model trained on the other folds' accepted English rows:
    in scope (our sentences, CLINC shopping) against the held-out intents and `oos_train`;
    with ``spare_purchases`` not on requests to buy, which it will never judge."""
    from nlu.novelty import NoveltyModel

    xs, ys, use = [], [], []
    for fold in folds:
        x = features(fold.probabilities, fold.names.index("out_of_scope"), fold.sims)
        source, intent = data.source[fold.scored], data.intent[fold.scored]
        clinc = data.clinc[fold.scored]
        clinc_shopping = data.clinc_shopping[fold.scored]
        positive = (
            ((source == "en") & (intent != "out_of_scope"))
            | ((source == "val") & np.isin(clinc, list(SHOPPING)))
            | clinc_shopping
        )
        negative = ((source == "clinc") & ~clinc_shopping) | (source == "oos_train")
        judged = data.has_vector[fold.scored] & ~data.spared[fold.scored]
        if spare_purchases:
            judged &= ~data.purchase[fold.scored]
        use.append(fold.accepted() & (positive | negative) & judged)
        xs.append(x)
        ys.append(positive)
    scores = {}
    for k, fold in enumerate(folds):
        others = [j for j in range(len(folds)) if j != k]
        x = np.vstack([xs[j][use[j]] for j in others])
        y = np.concatenate([ys[j][use[j]] for j in others])
        scores[id(fold)] = NoveltyModel.fit(x, y).score(xs[k])
    return scores


def report(folder: Path) -> None:
    data = Captured.load(folder)
    folds = [load_fold(data, folder, k) for k in range(FOLDS)]
    columns = ["en", "ko", "val shopping", "val false rejection", "train shopping"]
    columns += ["train false rejection", "novel val", "novel train"]
    columns += ["oos_val", "oos_train", "val other"]
    print("| rule | " + " | ".join(columns) + " |")
    for name, rule in rules(data, folds).items():
        m = measures(data, folds, rule)
        print(f"| {name} | " + " | ".join(f"{m.get(c, float('nan')):.4f}" for c in columns) + " |")


def main(argv: list[str]) -> None:
    commands = {"capture": 2, "fit": 1, "report": 1}
    if len(argv) < 2 or argv[0] not in commands or len(argv) - 1 != commands[argv[0]]:
        raise SystemExit(__doc__)
    if argv[0] == "capture":
        capture(argv[1], Path(argv[2]))
    elif argv[0] == "fit":
        fit(Path(argv[1]))
    else:
        report(Path(argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
