"""Intent understanding: a sentence encoder featurizer and a grouped linear intent classifier.

Measured on CLINC150 `val` (tuning split; `test` is only reported), against the same pipeline
without them (word + character n-gram counts, one logistic regression): the MiniLM sentence vector
lifts mapped shopping accuracy from 0.81 to 0.88 and cuts false rejection of shopping requests
from 0.11 to 0.09; training the out-of-scope class as its 146 CLINC intents (grouped, merged back
at prediction) instead of one blob lifts it to 0.90 with all of CLINC's negatives, rejection of
the other intents 0.996. A later session replaced MiniLM with all-mpnet-base-v2 (int8), better
on every measure of the development protocol (docs/nlu.md, "A larger sentence encoder"). Neither
knows Korean: the vector of a Hangul sentence is noise, so Korean messages get a zero vector and
are classified from the n-grams alone.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.nlu.featurizers.sparse_featurizer.sparse_featurizer import SparseFeaturizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    FEATURE_TYPE_SENTENCE,
    INTENT,
    METADATA,
    METADATA_INTENT,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.novelty import (
    NoveltyModel,
    References,
    Rows,
    asks_to_buy,
    cross_fit,
    features,
    fold_of,
)
from nlu.softmax import SoftmaxRegression, fit_many
from nlu.vector_cache import VectorCache
from retrieval.onnx_encoder import OnnxEncoder, default_nlu_encoder_dir

log = logging.getLogger(__name__)

HANGUL = re.compile("[\uac00-\ud7a3\u3131-\u318e]")
GROUP_SEPARATOR = "::"
OUT_OF_SCOPE = "out_of_scope"
# Parse-data key naming the out-of-scope group of a rejected message (CLINC's intent name).
OUT_OF_SCOPE_GROUP = "out_of_scope_group"


class _TextFeaturizer:
    """What both featurizers share: a positive ``weight``, and the same features for training
    examples and live messages (``_featurize``)."""

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if float(config.get("weight", 1.0)) <= 0:
            raise ValueError(f"{cls.__name__}: weight must be positive")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> Any:
        return cls(config, execution_context.node_name)  # type: ignore[call-arg]

    def _featurize(self, messages: list[Message]) -> None:
        raise NotImplementedError

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoderFeaturizer(_TextFeaturizer, DenseFeaturizer, GraphComponent):
    """A sentence vector (all-mpnet-base-v2, int8, through ONNX Runtime) times ``weight``, so it
    is not drowned by the thousands of n-gram counts beside it in a linear model. The search
    keeps MiniLM; the NLU's encoder is larger because intents and out-of-scope questions hinge
    on phrasing (docs/nlu.md, "A larger sentence encoder")."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **Featurizer.get_default_config(),
            "encoder_dir": None,  # default: JANGBOGI_NLU_ENCODER_DIR or models/nlu-encoder
            "weight": 10.0,
            "languages": ["en"],  # languages the encoder knows; others get a zero vector
        }

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._encoder = OnnxEncoder(Path(config["encoder_dir"] or default_nlu_encoder_dir()))
        self._weight = float(config["weight"])
        self._knows_korean = "ko" in config["languages"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Thousands of examples: their batches are spread over the cores while training (the
        # encoder is built for serving, one thread per run), and vectors of sentences encoded by
        # an earlier training run with the same encoder come from its cache (nlu/vector_cache.py)
        # instead: a changed template re-encodes only its own sentences. A live message is
        # encoded on one thread, never cached.
        self._featurize(
            training_data.training_examples,
            workers=min(4, os.cpu_count() or 1),
            cache=VectorCache.for_encoder(self._encoder),
        )
        return training_data

    def _featurize(
        self, messages: list[Message], workers: int = 1, cache: VectorCache | None = None
    ) -> None:
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return
        # Each distinct text once, and none the encoder does not know (Korean: a zero vector,
        # see the module docstring): sorted and without Korean, 3,000 training sentences took 21 s
        # instead of 43 s.
        texts = list(dict.fromkeys(str(m.get(TEXT)) for m in todo if self._encodes(m.get(TEXT))))
        found = cache.get(texts) if cache is not None else {}
        missing = [t for t in texts if t not in found]
        if cache is not None:
            log.info(
                "sentence vectors: %d distinct texts, %d from the cache, %d to encode",
                len(texts), len(texts) - len(missing), len(missing),
            )  # fmt: skip
        if missing:
            fresh = self._encoder.encode(missing, workers=workers)
            found.update(zip(missing, fresh, strict=True))
            if cache is not None:
                cache.put(missing, fresh)
        zero = np.zeros(self._encoder.dim, dtype=np.float32)
        for message in todo:
            vector = found.get(message.get(TEXT), zero) * self._weight
            self.add_features_to_message(None, vector[None, :], TEXT, message)

    def _encodes(self, text: str) -> bool:
        return self._knows_korean or not HANGUL.search(text)


FLAGGED_ENTITIES = ("product", "brand", "quantity", "size", "price_cap", "ordinal", "refinement")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class EntityFlagsFeaturizer(_TextFeaturizer, SparseFeaturizer, GraphComponent):
    """Which rule entities a message has (nlu/entities.py), as sentence features: "2리터짜리" (a
    size, no product) is a refinement while "생수 2리터" is a search, which the n-grams alone
    confuse because product words vary. Computed from the text, so training examples (which carry
    no entity annotations) and live messages get the same flags."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**Featurizer.get_default_config(), "weight": 3.0}

    def __init__(self, config: dict[str, Any], name: str) -> None:
        from nlu.components import shopping_entities

        super().__init__(name, config)
        self._extract = shopping_entities().extract
        self._weight = float(config["weight"])

    def _featurize(self, messages: list[Message]) -> None:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = {e.entity for e in self._extract(text)}
            row = np.array([[self._weight if k in found else 0.0 for k in FLAGGED_ENTITIES]])
            self.add_features_to_message(None, scipy.sparse.coo_matrix(row), TEXT, message)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class GroupedIntentClassifier(IntentClassifier, GraphComponent):
    """Multinomial logistic regression (nlu/softmax.py) over the sentence features. Examples of
    one intent may carry a ``group`` in their intent metadata (CLINC's 146 out-of-scope intents):
    each group is its own class while training, and the groups' probabilities are summed back
    into the intent. Groups named in ``small_talk_groups`` (CLINC's greeting, yes, no…, the same
    sentences as our own small talk) have their probabilities scaled by ``small_talk_prior``
    first, so small talk the assistant was not taught in those words is not refused."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # novelty_threshold: a message whose sentence vector is less similar than this (cosine)
        # to every in-scope training example is out of scope, whatever the classifier says;
        # 0 turns it off. Korean (zero vectors) is never gated, nor is a message naming one of
        # the entities in novelty_spares (a product of ours is in scope however it is asked for).
        return {
            "C": 10.0,
            "max_iter": 150,
            "ranking_length": 10,
            "novelty_threshold": 0.0,
            "novelty_spares": ["product", "brand"],
            # small_talk_prior: the out-of-scope groups in small_talk_groups have their
            # probabilities multiplied by this before the groups are merged (1 leaves them).
            "small_talk_groups": [],
            "small_talk_prior": 1.0,
            # The novelty model (nlu/novelty.py): 0 folds turns it off. English messages accepted
            # as an intent not in novelty_model_skips are out of scope when its score is below
            # the threshold. Training refits the classifier once per fold. With
            # novelty_model_spares_purchases it never judges a request to order, buy or
            # purchase something (nlu/novelty.py, PURCHASE_REQUEST).
            "novelty_model_folds": 0,
            "novelty_model_threshold": -3.0,
            "novelty_model_skips": [],
            "novelty_model_spares_purchases": False,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        clf: Any = None,
        reference: np.ndarray | None = None,
        novelty: tuple[References, NoveltyModel] | None = None,
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        if float(self.config["small_talk_prior"]) <= 0:
            raise ValueError("GroupedIntentClassifier: small_talk_prior must be positive")
        self._storage = model_storage
        self._resource = resource
        self._use(clf)
        # Unit sentence vectors of the in-scope training examples (for the novelty gate).
        self._reference = reference if reference is not None else np.zeros((0, 0), np.float32)
        # The novelty model and the training vectors it compares a message with.
        self._novelty = novelty

    def _use(self, clf: SoftmaxRegression | None) -> None:
        """Take a fitted model, with its intent names and the matrix summing group columns into
        intents (fixed per model, so not rebuilt per message)."""
        self._clf = clf
        classes = [str(c) for c in clf.classes_] if clf else []
        self._names = sorted({c.split(GROUP_SEPARATOR, 1)[0] for c in classes})
        self._merge, self._prior = self._merge_and_prior(classes)
        self._oos = self._names.index(OUT_OF_SCOPE) if OUT_OF_SCOPE in self._names else None
        # The out-of-scope groups' columns and names, for the group of a rejected message.
        parts = [c.partition(GROUP_SEPARATOR) for c in classes]
        grouped = [(i, g) for i, (intent, _, g) in enumerate(parts) if intent == OUT_OF_SCOPE and g]
        self._group_columns = np.array([i for i, _ in grouped], dtype=int)
        self._group_names = [g for _, g in grouped]
        # The intents the novelty model leaves alone, as columns of the merged probabilities.
        skips = set(self.config["novelty_model_skips"])
        self._novelty_skips = np.array([i for i, n in enumerate(self._names) if n in skips], int)

    def _merge_and_prior(self, classes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """For a model's classes: the matrix summing them into ``self._names`` and the prior
        scaling each (``small_talk_prior`` on the small-talk groups, 1 elsewhere)."""
        column = {name: i for i, name in enumerate(self._names)}
        merge = np.zeros((len(classes), len(self._names)))
        prior = np.ones(len(classes))
        small_talk = set(self.config["small_talk_groups"])
        for row, name in enumerate(classes):
            intent, _, group = name.partition(GROUP_SEPARATOR)
            merge[row, column[intent]] = 1.0
            if intent == OUT_OF_SCOPE and group in small_talk:
                prior[row] = float(self.config["small_talk_prior"])
        return merge, prior

    def _probabilities(
        self, clf: SoftmaxRegression, sparse: scipy.sparse.csr_matrix, dense: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per message: the classes' probabilities after the prior, and the intents' (merged)."""
        if clf is self._clf:
            merge, prior = self._merge, self._prior
        else:
            merge, prior = self._merge_and_prior([str(c) for c in clf.classes_])
        raw = clf.predict_proba(sparse, dense) * prior
        raw /= raw.sum(axis=1, keepdims=True)
        return raw, raw @ merge

    @classmethod
    def required_components(cls) -> list[type]:
        return [Featurizer]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GroupedIntentClassifier:
        return cls(config, model_storage, resource)

    @staticmethod
    def _features(messages: list[Message]) -> tuple[scipy.sparse.csr_matrix, np.ndarray]:
        """Sentence-level n-gram counts (sparse) and sentence vectors (dense), one row each: every
        featurizer's sentence features side by side, in pipeline order, as Rasa's
        ``get_sparse_features`` / ``get_dense_features`` combine them. Read straight from the
        messages' features: Rasa's combining deep-copies and stacks each message's matrices one by
        one, which took 20 s of training for 18,000 examples."""
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        values: list[np.ndarray] = []
        dense_rows: list[np.ndarray] = []
        widths: list[int] | None = None
        for i, message in enumerate(messages):
            sparse = [
                f.features
                for f in message.features
                if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()
            ]
            dense = [
                np.asarray(f.features).reshape(-1)
                for f in message.features
                if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_dense()
            ]
            if not sparse or not dense:
                raise ValueError(
                    "GroupedIntentClassifier needs a sparse featurizer (CountVectorsFeaturizer) "
                    "and SentenceEncoderFeaturizer before it in the pipeline"
                )
            shape = [block.shape[-1] for block in sparse]
            if widths is None:
                widths = shape
            elif shape != widths:
                raise ValueError(f"message {i}: sparse feature widths {shape}, not {widths}")
            offset = 0
            for block in sparse:
                coo = block.tocoo()
                rows.append(np.full(coo.nnz, i, dtype=np.int64))
                cols.append(coo.col.astype(np.int64) + offset)
                values.append(coo.data)
                offset += block.shape[-1]
            dense_rows.append(np.concatenate(dense))
        assert widths is not None
        matrix = scipy.sparse.coo_matrix(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(messages), sum(widths)),
        )
        return matrix.tocsr(), np.vstack(dense_rows)

    @staticmethod
    def _label(message: Message) -> str:
        metadata = message.get(METADATA) or {}
        group = (metadata.get(METADATA_INTENT) or {}).get("group")
        intent = str(message.get(INTENT))
        return f"{intent}{GROUP_SEPARATOR}{group}" if group else intent

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if not examples:
            return self._resource
        sparse, dense = self._features(examples)
        labels = np.array([self._label(m) for m in examples])
        folds = int(self.config["novelty_model_folds"])
        fold = self._folds(examples, labels, folds) if folds > 0 else np.zeros(0, dtype=int)
        # The served model and the novelty model's fold models, fitted side by side.
        masks = [np.ones(len(examples), dtype=bool)] + [fold != k for k in range(folds)]
        log.info("fitting %d models (the served one and %d folds) side by side", len(masks), folds)
        fitted = fit_many(
            sparse, dense, labels, masks, float(self.config["C"]), int(self.config["max_iter"])
        )
        self._use(fitted[0])
        in_scope = np.array([str(m.get(INTENT)) != OUT_OF_SCOPE for m in examples])
        self._reference, reference_rows = in_scope_reference(dense[in_scope])
        self._novelty = None
        if folds > 0:
            by_mask = {mask.tobytes(): clf for mask, clf in zip(masks[1:], fitted[1:], strict=True)}
            self._novelty = self._train_novelty(
                examples, sparse, dense, fold, by_mask, in_scope, reference_rows
            )
        self.persist()
        return self._resource

    def _folds(self, examples: list[Message], labels: np.ndarray, folds: int) -> np.ndarray:
        """Per example, the novelty model's round that holds it out: a fifth of the in-scope and
        ungrouped out-of-scope examples and whole out-of-scope groups, except the small-talk
        groups (-1: always trained, as they are in the prior)."""
        small_talk = set(self.config["small_talk_groups"])
        fold = []
        for message, label in zip(examples, labels, strict=True):
            intent, _, group = str(label).partition(GROUP_SEPARATOR)
            if group:
                fold.append(-1 if group in small_talk else fold_of(f"group|{group}", folds))
            else:
                fold.append(fold_of(f"{intent}|{message.get(TEXT)}", folds))
        return np.array(fold)

    def _train_novelty(
        self,
        examples: list[Message],
        sparse: scipy.sparse.csr_matrix,
        dense: np.ndarray,
        fold: np.ndarray,
        fold_models: dict[bytes, SoftmaxRegression],
        in_scope: np.ndarray,
        reference_rows: np.ndarray,
    ) -> tuple[References, NoveltyModel] | None:
        """Cross-fit the novelty model (nlu/novelty.py) from the fold models ``train`` fitted,
        keyed by their training mask's bytes."""
        from nlu.components import shopping_entities

        folds = int(self.config["novelty_model_folds"])
        spares = set(self.config["novelty_spares"])
        extract = shopping_entities().extract
        spared = [
            bool(spares & {e.entity for e in extract(message.get(TEXT))})
            or self._spared_as_purchase(message.get(TEXT))
            for message in examples
        ]
        unit, norms = unit_rows(dense)
        index = {name: i for i, name in enumerate(self._names)}
        rows = Rows(
            unit=unit,
            in_scope=in_scope,
            intent=np.array([index[str(m.get(INTENT))] for m in examples]),
            fold=fold,
            eligible=(norms > 0) & ~np.array(spared),
        )

        def fit_fold(train: np.ndarray) -> np.ndarray:
            return self._probabilities(fold_models[train.tobytes()], sparse, dense)[1]

        assert self._oos is not None
        try:
            model, counts = cross_fit(rows, folds, fit_fold, self._oos, self._novelty_skips)
        except ValueError as error:  # a small bot: nothing to learn novelty from
            log.warning("%s: trained without it", error)
            return None
        log.info("novelty model: trained on %s held-out rows, weights %s", counts, model.coef)
        references = References(
            self._reference,
            rows.intent[in_scope][reference_rows],
            unit[~in_scope & (norms > 0)],
        )
        return references, model

    def _novel(self, unit: np.ndarray, norms: np.ndarray) -> np.ndarray:
        """Per message (its unit sentence vector and length): whether the gate sends it out of
        scope (a sentence vector unlike every in-scope example). Messages without a vector
        (Korean) are never novel."""
        threshold = float(self.config["novelty_threshold"])
        if threshold <= 0 or self._reference.size == 0:
            return np.zeros(len(unit), dtype=bool)
        similarity = (unit @ self._reference.T).max(axis=1)
        return (norms > 0) & (similarity < threshold)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._clf is None or not messages:
            return messages
        todo = [m for m in messages if m.get(TEXT)]
        if not todo:
            return messages
        names = self._names
        sparse, dense = self._features(todo)
        raw, probabilities = self._probabilities(self._clf, sparse, dense)
        oos = self._oos
        spares = set(self.config["novelty_spares"])
        spared = np.array(
            [bool(spares & {e.get("entity") for e in m.get(ENTITIES, [])}) for m in todo]
        )
        novel = np.zeros(len(todo), dtype=bool)
        if oos is not None:
            unit, norms = unit_rows(dense)
            purchases = np.array([self._spared_as_purchase(m.get(TEXT)) for m in todo])
            novel = self._novel(unit, norms)
            novel |= self._novel_by_model(probabilities, unit, (norms > 0) & ~purchases)
            novel &= ~spared
        for message, row, probs, gated in zip(todo, raw, probabilities, novel, strict=True):
            order = np.argsort(-probs)
            if gated:
                # Out of scope with all the probability; the ranking after it keeps what the
                # classifier thought, for the logs.
                probs[oos] = 1.0
                order = np.concatenate([[oos], order[order != oos]])
            elif order[0] == oos:
                message.set(OUT_OF_SCOPE_GROUP, self._top_group(row), add_to_output=True)
            ranking = [
                {"name": names[i], "confidence": float(probs[i])}
                for i in order[: int(self.config["ranking_length"])]
            ]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages

    def _spared_as_purchase(self, text: str | None) -> bool:
        return bool(self.config["novelty_model_spares_purchases"]) and asks_to_buy(text or "")

    def _novel_by_model(
        self, probabilities: np.ndarray, unit: np.ndarray, judged: np.ndarray
    ) -> np.ndarray:
        """Per message: whether the novelty model sends it out of scope. It judges the
        ``judged`` messages (English, not spared) the classifier accepts as an intent other
        than ``novelty_model_skips``."""
        out = np.zeros(len(unit), dtype=bool)
        if self._novelty is None:
            return out
        references, model = self._novelty
        predicted = probabilities.argmax(axis=1)
        check = judged & (predicted != self._oos) & ~np.isin(predicted, self._novelty_skips)
        if check.any():
            sims = references.similarities(unit[check], predicted[check])
            score = model.score(features(probabilities[check], int(self._oos), sims))
            out[check] = score < float(self.config["novelty_model_threshold"])
        return out

    def _top_group(self, row: np.ndarray) -> str | None:
        """The most probable group of an out-of-scope message ("greeting", "weather"), so the
        dialogue can answer small talk that the issue's mapping counts as out of scope."""
        if not self._group_names:
            return None
        return self._group_names[int(np.argmax(row[self._group_columns]))]

    def persist(self) -> None:
        with self._storage.write_to(self._resource) as folder:
            self._clf.save(folder / "classifier.npz")
            np.save(folder / "reference.npy", self._reference)
            if self._novelty is not None:
                references, model = self._novelty
                model.save(folder / "novelty.npz")
                np.save(folder / "reference_intents.npy", references.in_scope_intent)
                # half precision: 15,000 out-of-scope vectors, cosines to 3 decimals suffice
                np.save(folder / "oos_reference.npy", references.out_of_scope.astype(np.float16))

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GroupedIntentClassifier:
        try:
            with model_storage.read_from(resource) as folder:
                clf = SoftmaxRegression.load(folder / "classifier.npz")
                saved = folder / "reference.npy"
                reference = np.load(saved, allow_pickle=False) if saved.exists() else None
                novelty = None
                if reference is not None and (folder / "novelty.npz").exists():
                    references = References(
                        reference,
                        np.load(folder / "reference_intents.npy", allow_pickle=False),
                        np.load(folder / "oos_reference.npy", allow_pickle=False).astype(
                            np.float32
                        ),
                    )
                    novelty = (references, NoveltyModel.load(folder / "novelty.npz"))
        except ValueError:  # not trained (no intent examples)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, clf, reference, novelty)


def in_scope_reference(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct unit vectors of the examples that have one (Korean examples have none), and the
    row of ``dense`` each comes from (its first)."""
    unit, norms = unit_rows(dense)
    rows = np.flatnonzero(norms > 0)
    distinct, first = np.unique(unit[rows], axis=0, return_index=True)
    return distinct, rows[first]


def unit_rows(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows scaled to length 1 (float32; a zero row stays zero), and their lengths."""
    norms = np.linalg.norm(dense, axis=1)
    return (dense / np.maximum(norms, 1e-12)[:, None]).astype(np.float32), norms
