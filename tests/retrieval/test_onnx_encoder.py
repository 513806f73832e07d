"""The ONNX export gives the vectors sentence-transformers gives, for single queries and padded
batches, and its manifest notices a changed model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval.embeddings import default_model_path
from retrieval.onnx_encoder import (
    MANIFEST,
    OnnxEncoder,
    default_encoder_dir,
    default_nlu_encoder_dir,
    export,
    is_fresh,
    weights_digest,
)

TEXTS = [
    "laundry detergent",
    "toilet paper 30 rolls, the soft kind please",
    "세탁세제 2리터",
    "a much longer sentence about bottled water that needs padding in a batch with short ones",
    "",
]


@pytest.fixture(scope="session")
def encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    model_path = default_model_path()
    target = default_encoder_dir()
    if is_fresh(target, model_path):
        return target
    return export(model_path, tmp_path_factory.mktemp("encoder") / "encoder")


@pytest.fixture(scope="session")
def reference() -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(default_model_path()), device="cpu", local_files_only=True)
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)


def test_batch_matches_sentence_transformers(encoder_dir: Path, reference: np.ndarray) -> None:
    vecs = OnnxEncoder(encoder_dir).encode(TEXTS, batch_size=8)
    assert vecs.shape == reference.shape and vecs.dtype == np.float32
    cos = (vecs * reference).sum(axis=1)
    assert cos.min() > 0.9999, cos


def test_single_queries_match_batch(encoder_dir: Path) -> None:
    enc = OnnxEncoder(encoder_dir)
    batch = enc.encode(TEXTS)
    one_by_one = np.vstack([enc.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(one_by_one, batch, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_changed_weights_make_the_export_stale(encoder_dir: Path, tmp_path: Path) -> None:
    model_path = default_model_path()
    assert is_fresh(encoder_dir, model_path)
    copy = tmp_path / "enc"
    shutil.copytree(encoder_dir, copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["weights"] = "0" * 64
    # Files that look changed (another size): the export is judged by the digest, which differs.
    manifest["files"] = [[path, size + 1, mtime] for path, size, mtime in manifest.get("files", [])]
    (copy / MANIFEST).write_text(json.dumps(manifest))
    assert not is_fresh(copy, model_path)
    assert weights_digest(model_path) != manifest["weights"]


def test_unchanged_files_skip_the_hash_and_a_touched_file_does_not(
    encoder_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh export is recognised from file sizes and times without hashing the weights; a
    model whose file changed is hashed, and a different digest makes the export stale."""
    import retrieval.onnx_encoder as onnx_encoder

    source = default_model_path()
    model_path = tmp_path / "model"
    model_path.mkdir()
    for f in source.iterdir():
        (model_path / f.name).symlink_to(f)
    (model_path / "config.json").unlink()
    shutil.copy(source / "config.json", model_path / "config.json")
    copy = tmp_path / "enc"
    shutil.copytree(encoder_dir, copy)
    manifest = json.loads((copy / MANIFEST).read_text())
    manifest["weights"] = weights_digest(model_path)
    manifest["files"] = onnx_encoder.weights_stat(model_path)
    (copy / MANIFEST).write_text(json.dumps(manifest))

    def no_hashing(_: Path) -> str:
        raise AssertionError("hashed although nothing changed")

    with monkeypatch.context() as m:
        m.setattr(onnx_encoder, "weights_digest", no_hashing)
        assert is_fresh(copy, model_path)
    config = model_path / "config.json"
    config.write_text(config.read_text().replace("}", ', "touched": 1}', 1))
    assert not is_fresh(copy, model_path)


def test_missing_export_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no exported encoder"):
        OnnxEncoder(tmp_path)


# --- the NLU's encoder: all-mpnet-base-v2, int8 -------------------------------------------------
# Paraphrase groups: each sentence's nearest neighbour must be in its own group.
GROUPS = [
    ["what's in my cart", "show me my shopping basket", "which items did I put in the cart"],
    ["is it going to rain tomorrow", "what's the weather forecast", "will it be sunny later"],
    ["place my order now", "I'm ready to check out", "complete my purchase please"],
    ["play some jazz music", "put on a song", "I want to listen to music"],
]


@pytest.fixture(scope="session")
def nlu_encoder_dir() -> Path:
    from retrieval.packaged import default_mpnet_dir

    target = default_nlu_encoder_dir()
    if not is_fresh(target, default_mpnet_dir(), quantize=True):
        pytest.skip("no NLU encoder export: run `make encoder`")
    return target


def test_nlu_encoder_is_the_quantized_mpnet(nlu_encoder_dir: Path) -> None:
    manifest = json.loads((nlu_encoder_dir / MANIFEST).read_text())
    assert (manifest["model"], manifest["dim"], manifest["quantized"]) == (
        "all-mpnet-base-v2",
        768,
        True,
    )
    enc = OnnxEncoder(nlu_encoder_dir)
    assert enc.encode(["a"]).shape == (1, 768)


def test_quantized_vectors_keep_the_float_models_neighbours(nlu_encoder_dir: Path) -> None:
    """int8 weights stay close to the float model's vectors (the dynamic per-tensor scheme
    this export replaced fell to 0.81 on these sentences) and keep which sentences are alike."""
    from sentence_transformers import SentenceTransformer

    from retrieval.packaged import default_mpnet_dir

    texts = [t for group in GROUPS for t in group]
    labels = np.repeat(np.arange(len(GROUPS)), [len(g) for g in GROUPS])
    quantized = OnnxEncoder(nlu_encoder_dir).encode(texts)
    exact = SentenceTransformer(str(default_mpnet_dir()), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    assert (quantized * exact).sum(axis=1).min() > 0.99
    for vecs in (quantized, exact):
        sim = vecs @ vecs.T
        np.fill_diagonal(sim, -1)
        assert (labels[sim.argmax(axis=1)] == labels).all()
    # A quantized export is stale for a float request, and the other way round.
    assert not is_fresh(nlu_encoder_dir, default_mpnet_dir(), quantize=False)


def test_quantized_vector_hardly_depends_on_the_batch(nlu_encoder_dir: Path) -> None:
    """The classifier trains on vectors encoded in batches and serves a message alone: the int8
    graph must give a sentence nearly the same vector either way. Weight-only int8 differs in
    rounding only (ONNX Runtime's kernels sum in another order for more rows: cosine 0.9991 at
    worst over 300 CLINC sentences); the dynamic scheme it replaced took one activation scale
    per batch (median cosine 0.92, lowest 0.72)."""
    enc = OnnxEncoder(nlu_encoder_dir)
    texts = [t for group in GROUPS for t in group] + TEXTS[:4]
    alone = np.vstack([enc.encode([t]) for t in texts])
    for workers in (1, 2):
        together = enc.encode(texts, batch_size=8, workers=workers)
        assert (together * alone).sum(axis=1).min() > 0.998


def test_workers_give_the_same_vectors(encoder_dir: Path) -> None:
    enc = OnnxEncoder(encoder_dir)
    texts = TEXTS * 40
    np.testing.assert_allclose(
        enc.encode(texts, batch_size=8, workers=2), enc.encode(texts, batch_size=8), atol=1e-6
    )
