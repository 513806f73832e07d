"""nlu/intents.py in Rasa's own environment: the grouped classifier learns groups as classes and
answers with their intent, with probabilities summed over the groups; the encoder featurizer
gives English a sentence vector and Korean a zero one; the tokenizer keeps Korean words; the
entity flags mark what a message names; the novelty gate sends English unlike every in-scope
example out of scope. Runs a script in .venv-rasa."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

pytestmark = pytest.mark.rasa

SCRIPT = r"""
import json, sys
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from nlu.tokenizer import HangulWhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from nlu.intents import FLAGGED_ENTITIES, EntityFlagsFeaturizer, GroupedIntentClassifier, SentenceEncoderFeaturizer

from pathlib import Path
storage = LocalModelStorage(Path(sys.argv[1]))
ctx = ExecutionContext(GraphSchema({}), "test")
examples = {
    ("greet", None): ["hello there", "hi friend", "good morning", "hey hello"],
    ("out_of_scope", "weather"): ["is it raining", "weather today", "will it snow", "forecast please"],
    ("out_of_scope", "music"): ["play a song", "play some jazz", "put on music", "next track please"],
}
msgs = [Message.build(t, intent, None, {"group": g} if g else None)
        for (intent, g), texts in examples.items() for t in texts]
data = TrainingData(msgs)
tok = HangulWhitespaceTokenizer.create(HangulWhitespaceTokenizer.get_default_config(), storage, Resource("tok"), ctx)
tok.process_training_data(data)
cv_res = Resource("cv")
cv = CountVectorsFeaturizer.create({**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb",
                                    "min_ngram": 1, "max_ngram": 3}, storage, cv_res, ctx)
cv.train(data); cv.process_training_data(data)
enc = SentenceEncoderFeaturizer.create({**SentenceEncoderFeaturizer.get_default_config()}, storage,
                                       Resource("enc"), ctx)
enc.process_training_data(data)
res = Resource("clf")
clf = GroupedIntentClassifier.create(GroupedIntentClassifier.get_default_config(), storage, res, ctx)
clf.train(data)
loaded = GroupedIntentClassifier.load(GroupedIntentClassifier.get_default_config(), storage, res, ctx)
probe = [Message.build(t) for t in ["hello", "play jazz music", "rain forecast", "안녕하세요"]]
tok.process(probe); cv.process(probe); enc.process(probe)
loaded.process(probe)
dense = [m.get_dense_features("text")[1].features for m in probe]
# The same trained classifier with the novelty gate: messages unlike every greet example go out
# of scope; the cosine to the nearest greet example is reported beside each verdict.
gate = {**GroupedIntentClassifier.get_default_config(), "novelty_threshold": 0.5}
gated = GroupedIntentClassifier.load(gate, storage, res, ctx)
novel_texts = ["hello friend", "hello kitty lunch box", "good morning america tv ratings",
               "안녕하세요"]
novel_probe, plain_probe = ([Message.build(t) for t in novel_texts] for _ in range(2))
for batch in (novel_probe, plain_probe):
    tok.process(batch); cv.process(batch); enc.process(batch)
plain = [m.get("intent") for m in loaded.process(plain_probe)]
gated.process(novel_probe)
named = Message.build(novel_texts[1])  # the same message, naming a product of ours
tok.process([named]); cv.process([named]); enc.process([named])
named.set("entities", [{"entity": "product", "value": "lunch box", "start": 12, "end": 21}])
gated.process([named])
vectors = np.vstack([m.get_dense_features("text")[1].features.reshape(1, -1) for m in novel_probe])
unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
greet = np.vstack([m.get_dense_features("text")[1].features.reshape(1, -1)
                   for m in msgs if m.get("intent") == "greet"])
greet = greet / np.linalg.norm(greet, axis=1, keepdims=True)
flagger = EntityFlagsFeaturizer.create(EntityFlagsFeaturizer.get_default_config(), storage,
                                       Resource("flags"), ctx)
flagged = [Message.build(t) for t in ["2리터짜리", "생수 2리터", "cheaper please"]]
flagger.process(flagged)
flags = [sorted(k for k, v in zip(FLAGGED_ENTITIES, m.get_sparse_features("text")[1].features.toarray()[0]) if v)
         for m in flagged]
# The same trained classifier with a prior on the "music" group: its probability is scaled
# down before the groups merge; "weather" is untouched.
small_talk = {**GroupedIntentClassifier.get_default_config(), "small_talk_groups": ["music"],
              "small_talk_prior": 1e-4}
scaled = GroupedIntentClassifier.load(small_talk, storage, res, ctx)
prior_probe = [Message.build(t) for t in ["play jazz music", "rain forecast"]]
tok.process(prior_probe); cv.process(prior_probe); enc.process(prior_probe)
scaled.process(prior_probe)
def oos_confidence(message):
    return next(r["confidence"] for r in message.get("intent_ranking") if r["name"] == "out_of_scope")
try:
    GroupedIntentClassifier.load({**small_talk, "small_talk_prior": 0}, storage, res, ctx)
    zero_prior = "accepted"
except ValueError as error:
    zero_prior = str(error)
# The novelty model's wiring, with a hand-made model whose score is the nearest in-scope cosine:
# below 0.99 an accepted English message goes out of scope, unless its intent is skipped, it
# names a product, or it is Korean. Saved and loaded through the model storage.
from nlu.novelty import FEATURES, NoveltyModel, References
coef = np.zeros(len(FEATURES)); coef[2] = 1.0
hand_made = NoveltyModel(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), coef, 0.0)
oos_rows = np.vstack([m.get_dense_features("text")[1].features.reshape(1, -1)
                      for m in msgs if m.get("intent") == "out_of_scope"])
oos_rows = (oos_rows / np.linalg.norm(oos_rows, axis=1, keepdims=True)).astype(np.float32)
refs = References(loaded._reference, np.zeros(len(loaded._reference), dtype=int), oos_rows)
def novelty_verdicts(skips, save=False, purchases=False):
    config = {**GroupedIntentClassifier.get_default_config(), "novelty_model_threshold": 0.99,
              "novelty_model_skips": skips, "novelty_model_spares_purchases": purchases}
    resource = Resource("clf_novelty")
    clf_n = GroupedIntentClassifier(config, storage, resource, loaded._clf, loaded._reference,
                                    (refs, hand_made))
    if save:
        clf_n.persist()
        clf_n = GroupedIntentClassifier.load(config, storage, resource, ctx)
    batch = [Message.build(t) for t in ["hello there", "hello friend", "안녕하세요", "hello kitty lunch box",
                                        "hi friend, buy me one"]]
    tok.process(batch); cv.process(batch); enc.process(batch)
    batch[3].set("entities", [{"entity": "product", "value": "lunch box", "start": 12, "end": 21}])
    clf_n.process(batch)
    return [m.get("intent")["name"] for m in batch], clf_n._novelty is not None
purchase_probe = [Message.build("hi friend, buy me one")]
tok.process(purchase_probe); cv.process(purchase_probe); enc.process(purchase_probe)
loaded.process(purchase_probe)
purchase_plain = purchase_probe[0].get("intent")["name"]
# Training with the novelty model on: the classifier is refitted per fold with whole groups held
# out, and the model is saved beside it. On the four greetings above there is nothing novel to
# learn from (training goes on without it); a held-out group of greeting-like requests is.
def train_crossfit(examples, name):
    ms = [Message.build(t, intent, None, {"group": g} if g else None)
          for (intent, g), texts in examples.items() for t in texts]
    td = TrainingData(ms)
    tok.process_training_data(td); cv.process_training_data(td); enc.process_training_data(td)
    config = {**GroupedIntentClassifier.get_default_config(), "novelty_model_folds": 2}
    GroupedIntentClassifier.create(config, storage, Resource(name), ctx).train(td)
    loaded_n = GroupedIntentClassifier.load(config, storage, Resource(name), ctx)
    if loaded_n._novelty is None:
        return None
    return {"in_scope_rows": len(loaded_n._novelty[0].in_scope),
            "oos_rows": len(loaded_n._novelty[0].out_of_scope),
            "features": len(loaded_n._novelty[1].coef)}
crossfit_small = train_crossfit(examples, "clf_crossfit_small")
crossfit = train_crossfit({
    ("greet", None): ["hello there", "hi friend", "good morning", "hey hello", "hello again",
                      "hi there", "good evening", "hey there friend"],
    **{k: v for k, v in examples.items() if k[0] == "out_of_scope"},
    ("out_of_scope", "radio"): ["hello radio", "hi there radio station", "hey radio hello",
                                "good morning radio"],
    ("out_of_scope", "news"): ["hello news", "hi there news desk", "hey news hello",
                               "good morning news"],
}, "clf_crossfit")
tokenized = [Message.build(t) for t in ["1번 거 담아줘", "세탁세제 두 개", "좋아요 👍"]]
tok.process(tokenized)
# The classifier's feature rows against Rasa's own combination of each message's features (two
# sparse featurizers side by side, then the sentence vector).
import scipy.sparse
combo = [Message.build(t) for t in ["hello there", "생수 2리터 찾아줘", "cheaper please"]]
tok.process(combo); cv.process(combo); flagger.process(combo); enc.process(combo)
ours_sparse, ours_dense = GroupedIntentClassifier._features(combo)
rasa_sparse = scipy.sparse.vstack([m.get_sparse_features("text")[1].features for m in combo]).tocsr()
rasa_dense = np.vstack([m.get_dense_features("text")[1].features.reshape(1, -1) for m in combo])
print(json.dumps({
    "features_shape": [list(ours_sparse.shape), list(rasa_sparse.shape)],
    "features_differ": float(abs(ours_sparse - rasa_sparse).sum() + abs(ours_dense - rasa_dense).sum()),
    "features_flagged": int(ours_sparse[:, -len(FLAGGED_ENTITIES):].sum()),
    "tokens": [[t.text for t in m.get("text_tokens")] for m in tokenized],
    "classes": sorted(map(str, loaded._clf.classes_)),
    "intents": [m.get("intent")["name"] for m in probe],
    "groups": [m.get("out_of_scope_group") for m in probe],
    "ranking_sums": [sum(r["confidence"] for r in m.get("intent_ranking")) for m in probe],
    "ranking_names": [[r["name"] for r in m.get("intent_ranking")] for m in probe],
    "dense_norms": [float(np.linalg.norm(d)) for d in dense],
    "flags": flags,
    "reference_rows": int(loaded._reference.shape[0]),
    "novel_plain": [p["name"] for p in plain],
    "novel_gated": [m.get("intent")["name"] for m in novel_probe],
    "novel_gated_ranking": [[r["name"] for r in m.get("intent_ranking")] for m in novel_probe],
    "named_gated": named.get("intent")["name"],
    "novel_similarity": [float((u @ greet.T).max()) for u in unit],
    "plain_oos_confidence": [oos_confidence(m) for m in probe[1:3]],
    "prior_oos_confidence": [oos_confidence(m) for m in prior_probe],
    "prior_groups": [m.get("out_of_scope_group") for m in prior_probe],
    "zero_prior": zero_prior,
    "novelty_model": novelty_verdicts([]),
    "novelty_model_loaded": novelty_verdicts([], save=True),
    "novelty_model_skipping_greet": novelty_verdicts(["greet"]),
    "novelty_model_sparing_purchases": novelty_verdicts([], purchases=True),
    "purchase_plain": purchase_plain,
    "crossfit_small": crossfit_small,
    "crossfit": crossfit,
}))
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not PYTHON.exists():
        pytest.skip("no .venv-rasa: run `make venv-rasa`")
    if not (ROOT / "models" / "nlu-encoder" / "encoder.json").exists():
        pytest.skip("no exported encoder: run `make encoder`")
    proc = subprocess.run(
        [str(PYTHON), "-c", SCRIPT, str(tmp_path_factory.mktemp("storage"))],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_feature_rows_are_rasas_combination_of_each_messages_features(result: dict) -> None:
    ours, rasas = result["features_shape"]
    assert ours == rasas and ours[0] == 3
    assert result["features_differ"] == 0.0
    assert result["features_flagged"] >= 2  # the entity flags' block is really in the rows


def test_groups_are_classes_while_training(result: dict) -> None:
    assert result["classes"] == ["greet", "out_of_scope::music", "out_of_scope::weather"]


def test_predictions_name_the_intent_with_summed_probabilities(result: dict) -> None:
    assert result["intents"][:3] == ["greet", "out_of_scope", "out_of_scope"]
    for names, total in zip(result["ranking_names"], result["ranking_sums"], strict=True):
        assert sorted(names) == ["greet", "out_of_scope"]
        assert total == pytest.approx(1.0, abs=1e-6)


def test_out_of_scope_names_its_most_probable_group(result: dict) -> None:
    """The dialogue answers CLINC's small talk by its group; in-scope messages carry none."""
    assert result["groups"][:3] == [None, "music", "weather"]


def test_korean_gets_a_zero_sentence_vector(result: dict) -> None:
    norms = result["dense_norms"]
    assert norms[:3] == pytest.approx([10.0] * 3, rel=1e-4)  # unit vectors times the weight
    assert norms[3] == 0.0


def test_korean_words_are_tokens_and_emoji_are_not(result: dict) -> None:
    # Rasa's own emoji pattern spans Hangul: it kept only ["1번"] of the first message.
    assert result["tokens"] == [["1번", "거", "담아줘"], ["세탁세제", "두", "개"], ["좋아요"]]


def test_entity_flags_tell_a_refinement_from_a_search(result: dict) -> None:
    size_only, product_and_size, cheaper = result["flags"]
    assert size_only == ["size"]
    assert product_and_size == ["product", "size"]
    assert cheaper == ["refinement"]


def test_novelty_gate_sends_messages_unlike_any_in_scope_example_out_of_scope(result: dict) -> None:
    """Threshold 0.5 against the greet examples (the only in-scope ones): each English message
    below it is out of scope, the rest keep the classifier's intent; Korean has no vector and a
    message naming a product is spared, so neither is gated. The probes must include one the
    classifier alone takes for a greeting."""
    assert result["reference_rows"] == 4
    similarity, plain, gated = (
        result["novel_similarity"],
        result["novel_plain"],
        result["novel_gated"],
    )
    assert similarity[0] >= 0.5 and gated[0] == plain[0] == "greet"
    assert any(p == "greet" and s < 0.5 for p, s in zip(plain[1:3], similarity[1:3], strict=True))
    for s, g, ranking in zip(similarity[1:3], gated[1:3], result["novel_gated_ranking"][1:3],
                             strict=True):  # fmt: skip
        assert g == ("out_of_scope" if s < 0.5 else "greet")
        assert sorted(ranking) == ["greet", "out_of_scope"]
    assert similarity[3] == 0.0 and gated[3] == plain[3]
    # "hello kitty lunch box" is gated, but not when it names a product: the classifier decides.
    assert gated[1] == "out_of_scope" and result["named_gated"] == plain[1] == "greet"


def test_novelty_model_rejects_accepted_english_below_its_threshold(result: dict) -> None:
    """A hand-made model scoring the nearest in-scope cosine, threshold 0.99: a training
    sentence keeps its intent, an unseen English one is out of scope; Korean (no vector) and a
    message naming a product are not judged, nor is an intent in the skips. The same after a
    save and load through Rasa's model storage."""
    verdicts, present = result["novelty_model"]
    assert present and result["novel_plain"][0] == "greet"  # the classifier says greet alone
    assert verdicts == ["greet", "out_of_scope", result["intents"][3], "greet", "out_of_scope"]
    assert result["novelty_model_loaded"] == [verdicts, True]
    assert result["novelty_model_skipping_greet"][0][:2] == ["greet", "greet"]


def test_novelty_model_spares_requests_to_buy_when_asked(result: dict) -> None:
    """With novelty_model_spares_purchases, "hi friend, buy me one" (unseen, so below the hand-made
    model's threshold) keeps the classifier's own verdict; everything else is judged as before."""
    assert result["purchase_plain"] == "greet"  # so sparing it shows
    verdicts, _ = result["novelty_model_sparing_purchases"]
    assert verdicts == [*result["novelty_model"][0][:4], "greet"]


def test_small_talk_prior_scales_down_only_its_groups(result: dict) -> None:
    """A prior of 1e-4 on "music" takes nearly all its probability: "play jazz music" loses
    most of its out-of-scope confidence and is no longer called music; "rain forecast"
    (weather) keeps its confidence to within what music gave it."""
    (music_plain, weather_plain), (music_prior, weather_prior) = (
        result["plain_oos_confidence"],
        result["prior_oos_confidence"],
    )
    assert music_prior < music_plain - 0.3
    assert result["prior_groups"][0] != "music"
    assert result["prior_groups"][1] == "weather"
    assert weather_prior == pytest.approx(weather_plain, abs=0.05)
    assert "small_talk_prior must be positive" in result["zero_prior"]


def test_training_cross_fits_the_novelty_model_when_there_is_something_to_learn(
    result: dict,
) -> None:
    """With folds on, training refits the classifier per fold and saves the model with the
    vectors it compares against: the eight greetings and the sixteen out-of-scope examples. On
    the first toy data no held-out out-of-scope row is taken for a greeting, so there is nothing
    novel to learn from, and training finishes without the model instead of failing."""
    assert result["crossfit"] == {"in_scope_rows": 8, "oos_rows": 16, "features": 7}
    assert result["crossfit_small"] is None
