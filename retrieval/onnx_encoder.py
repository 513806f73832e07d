"""Sentence embeddings through ONNX Runtime.

The same vectors as sentence-transformers (mean pooling, L2-normalised; cosine ≥ 0.9999 in tests)
at about a third of the cost of a single query on 2 cores, and loadable from Rasa's Python 3.10
environment, which has no torch. The ONNX graph is exported once from the local model folder by
``export`` (needs torch, so it runs in ``.venv``); at run time only numpy, onnxruntime and
tokenizers are imported. Nothing here downloads anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

MANIFEST = "encoder.json"
GRAPH = "model.onnx"
TOKENIZER = "tokenizer.json"
# 2: int8 exports hold weight-only int8 (format 1's dynamic scheme gave batch-dependent vectors).
FORMAT_VERSION = 2
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", TOKENIZER, "config.json")


def default_encoder_dir() -> Path:
    """The search's encoder: ``JANGBOGI_ENCODER_DIR`` when set, else ``models/encoder``."""
    return models_dir("JANGBOGI_ENCODER_DIR", "encoder")


def default_nlu_encoder_dir() -> Path:
    """The NLU pipeline's encoder (all-mpnet-base-v2, int8): ``JANGBOGI_NLU_ENCODER_DIR`` when
    set, else ``models/nlu-encoder``."""
    return models_dir("JANGBOGI_NLU_ENCODER_DIR", "nlu-encoder")


def models_dir(variable: str, name: str) -> Path:
    """A folder named by an environment variable, else ``name`` under the checkout's models/."""
    configured = os.environ.get(variable)
    if configured:
        return Path(configured)
    root = Path(os.environ.get("JANGBOGI_HOME", Path(__file__).resolve().parents[1]))
    return root / "models" / name


def model_name(model_path: Path) -> str:
    """The model's name: its folder, or the folder above when packages call it ``model``."""
    return model_path.name if model_path.name != "model" else model_path.parent.name


def _weight_files(model_path: Path) -> list[tuple[str, Path]]:
    """The fingerprinted files the model folder has (a model ships one weights format)."""
    return [(name, model_path / name) for name in WEIGHT_FILES if (model_path / name).exists()]


def weights_digest(model_path: Path) -> str:
    """Fingerprint of a model folder's weights and tokenizer: a changed model, a stale export."""
    digest = hashlib.sha256()
    for name, path in _weight_files(model_path):
        digest.update(name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def weights_stat(model_path: Path) -> list[list[Any]]:
    """Where the fingerprinted files are and their size and modification time: while these are
    unchanged the digest is too, so a process start need not hash 90 MB again (as make and git
    decide)."""
    out: list[list[Any]] = []
    for _, path in _weight_files(model_path):
        st = path.stat()
        out.append([str(path.resolve()), st.st_size, st.st_mtime_ns])
    return out


def read_manifest(encoder_dir: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads((encoder_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("format") != FORMAT_VERSION or not (encoder_dir / GRAPH).exists():
        return None
    return manifest


def is_fresh(encoder_dir: Path, model_path: Path, quantize: bool = False) -> bool:
    manifest = read_manifest(encoder_dir)
    if manifest is None or bool(manifest.get("quantized", False)) != quantize:
        return False
    if manifest.get("files") == weights_stat(model_path):
        return True
    return manifest.get("weights") == weights_digest(model_path)


def export(model_path: Path, encoder_dir: Path, quantize: bool = False) -> Path:
    """Export the transformer of a sentence-transformers folder to ONNX, atomically: the folder is
    written beside the target and renamed, so a reader never sees half an export. ``quantize``
    stores the matrix weights as int8 (see ``_quantize``): a base-size model then encodes a short
    message about twice as fast, with vectors within a cosine of 0.998 of the float model's."""
    import inspect

    import torch
    from transformers import AutoModel, AutoTokenizer

    pooling = _pooling_config(model_path)
    if not pooling.get("pooling_mode_mean_tokens", True):
        raise ValueError(f"{model_path}: only mean pooling is supported for ONNX export")
    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, ids: Any, mask: Any, *types: Any) -> Any:
            extra = {"token_type_ids": types[0]} if types else {}
            return self.inner(input_ids=ids, attention_mask=mask, **extra)[0]

    sample = tokenizer(["a sample sentence"], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    if "token_type_ids" not in inspect.signature(model.forward).parameters:
        names.pop()  # MPNet
    if "token_type_ids" not in sample:
        sample["token_type_ids"] = torch.zeros_like(sample["input_ids"])
    with replaced_folder(encoder_dir) as staging:
        with torch.inference_mode():
            torch.onnx.export(
                _Hidden(model),
                tuple(sample[n] for n in names),
                str(staging / GRAPH),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=17,
                dynamo=False,
            )
        if quantize:
            _quantize(staging / GRAPH)
        shutil.copy(model_path / TOKENIZER, staging / TOKENIZER)
        manifest = {
            "format": FORMAT_VERSION,
            "model": model_name(model_path),
            "weights": weights_digest(model_path),
            "files": weights_stat(model_path),
            "dim": int(model.config.hidden_size),
            "max_tokens": int(_max_seq_length(model_path)),
            "quantized": quantize,
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return encoder_dir


@contextlib.contextmanager
def replaced_folder(target: Path) -> Iterator[Path]:
    """A fresh folder beside ``target`` to fill; when the block ends without an error it takes
    ``target``'s place (a reader never sees half a folder), otherwise it is removed and
    ``target`` stays as it was."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield staging
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _quantize(graph: Path) -> None:
    """Replace a float graph with one whose matrix weights are int8 (ONNX Runtime's MatMulNBits,
    8 bits in blocks of 128 along the input dimension, symmetric), computed with int8
    activations quantised per row and block (accuracy level 4). Measured on all-mpnet-base-v2,
    one sentence, one thread (docs/nlu.md, "Weight-only int8"): median cosine to the float
    model's vectors 0.9994 at 15 ms, against 0.909 at 12 ms for the dynamic per-tensor scheme
    (one activation scale for the whole batch, so a sentence's vector also depended on its
    batch) and 30–34 ms in float. With per-row scales the batch changes a vector only by
    rounding (cosine ≥ 0.999). Embedding tables and LayerNorms stay float. ``graph`` lies in
    ``export``'s staging folder, so it is overwritten in place."""
    import onnx
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    # The quantizer logs a line per graph node at INFO (over 2,000 for MPNet).
    logging.getLogger(MatMulNBitsQuantizer.__module__).setLevel(logging.WARNING)
    quantizer = MatMulNBitsQuantizer(
        onnx.load(str(graph)), bits=8, block_size=128, is_symmetric=True, accuracy_level=4
    )
    quantizer.process()
    quantizer.model.save_model_to_file(str(graph), use_external_data_format=False)


def _pooling_config(model_path: Path) -> dict[str, Any]:
    path = model_path / "1_Pooling" / "config.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _max_seq_length(model_path: Path) -> int:
    path = model_path / "sentence_bert_config.json"
    return int(json.loads(path.read_text()).get("max_seq_length", 256)) if path.exists() else 256


class OnnxEncoder:
    """Normalised float32 sentence vectors from an exported encoder folder."""

    def __init__(self, encoder_dir: Path, threads: int | None = None) -> None:
        manifest = read_manifest(encoder_dir)
        if manifest is None:
            raise FileNotFoundError(
                f"no exported encoder at {encoder_dir} (run `jangbogi index` or `make model`)"
            )
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.dim = int(manifest["dim"])
        self.name = str(manifest["model"])
        # What the vectors depend on (weights, quantisation, truncation, format), not where the
        # files lie: two exports of the same model agree on it, a changed one does not.
        identity = {k: v for k, v in manifest.items() if k != "files"}
        self.fingerprint = hashlib.sha256(
            json.dumps(identity, sort_keys=True).encode("utf-8")
        ).hexdigest()
        self._tokenizer = Tokenizer.from_file(str(encoder_dir / TOKENIZER))
        self._tokenizer.enable_truncation(int(manifest["max_tokens"]))
        self._tokenizer.enable_padding()
        options = ort.SessionOptions()
        # One thread per call: a query is ~10 tokens, where threading costs more than it saves,
        # and the services run several requests at once on 2 cores.
        options.intra_op_num_threads = threads or 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(encoder_dir / GRAPH), options, providers=["CPUExecutionProvider"]
        )
        # MPNet has no token types: its graph takes only the ids and the mask.
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._lock = threading.Lock()  # the tokenizer's padding state is shared

    def encode(self, texts: list[str], batch_size: int = 64, workers: int = 1) -> np.ndarray:
        """Unit vectors of ``texts``. ``workers`` threads run batches side by side (each run
        uses the session's own threads, one by default): for bulk work such as training, with
        an encoder built for serving.

        Texts are batched by length, not in the order given: a batch is padded to its longest
        text, and mixed lengths made much of the work padding (3,000 of the NLU's training
        sentences, 2 cores: 43 s in the given order, 29 s sorted; cosine to the unsorted vectors
        ≥ 0.9999998). A text's vector does not depend on its batch
        (the mask hides padding; int8 rounding aside), and the rows come back in input order."""
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [
            [texts[i] for i in order[start : start + batch_size]]
            for start in range(0, len(order), batch_size)
        ]
        if workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(workers) as pool:
                sorted_vectors = np.vstack(list(pool.map(self._encode_batch, batches)))
        else:
            sorted_vectors = np.vstack([self._encode_batch(batch) for batch in batches])
        vectors = np.empty_like(sorted_vectors)
        vectors[order] = sorted_vectors
        return vectors

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            batch = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        feeds = {name: feeds[name] for name in self._inputs}
        hidden = self._session.run(None, feeds)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        mean = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        norms = np.linalg.norm(mean, axis=1, keepdims=True)
        return (mean / np.maximum(norms, 1e-12)).astype(np.float32)
