"""Sentence vectors of the NLU's training sentences, kept between training runs.

Encoding the 18,000 training sentences is most of a Rasa training run's featurizing, and Rasa's
own cache helps only when nothing at all changed: a new template, a changed component or an
encoder export retrains every component. The vectors depend only on the encoder and the text,
so they are kept per encoder (``OnnxEncoder.fingerprint``) in ``models/nlu-cache/`` and a run
encodes only sentences no earlier run has seen. Vectors are stored exactly (float32): a cached
vector is the one the encoder gives.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from retrieval.onnx_encoder import OnnxEncoder, models_dir

log = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    """``JANGBOGI_NLU_CACHE_DIR`` when set, else ``models/nlu-cache``."""
    return models_dir("JANGBOGI_NLU_CACHE_DIR", "nlu-cache")


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class VectorCache:
    """One file of vectors per encoder: text keys and their vectors."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self._vectors: dict[str, np.ndarray] | None = None

    @classmethod
    def for_encoder(cls, encoder: OnnxEncoder, folder: Path | None = None) -> VectorCache:
        folder = folder or default_cache_dir()
        return cls(folder / f"vectors-{encoder.fingerprint[:24]}.npz", encoder.dim)

    def _load(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            try:
                with np.load(self.path, allow_pickle=False) as data:
                    keys, vectors = data["keys"], data["vectors"]
                if vectors.ndim == 2 and vectors.shape[1] == self.dim:
                    self._vectors = dict(zip(keys.tolist(), vectors, strict=True))
            except FileNotFoundError:
                pass
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:  # torn or foreign
                log.warning("NLU vector cache %s unreadable (%s): encoding again", self.path, error)
        return self._vectors

    def get(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The cached vectors of those ``texts`` that have one."""
        cached = self._load()
        found = {}
        for text in texts:
            vector = cached.get(text_key(text))
            if vector is not None:
                found[text] = vector
        return found

    def put(self, texts: list[str], vectors: np.ndarray) -> None:
        """Add vectors and rewrite the file atomically (a reader never sees half a file). A
        cache that cannot be written (read-only models/) only costs the next run time."""
        cached = self._load()
        for text, vector in zip(texts, vectors, strict=True):
            cached[text_key(text)] = np.asarray(vector, dtype=np.float32)
        if not cached:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".vectors-", suffix=".npz", dir=self.path.parent)
            with os.fdopen(fd, "wb") as out:
                np.savez(
                    out,
                    keys=np.array(list(cached), dtype="U32"),
                    vectors=np.vstack(list(cached.values())).astype(np.float32),
                )
            os.replace(tmp, self.path)
        except OSError as error:
            log.warning("NLU vector cache %s not written: %s", self.path, error)
