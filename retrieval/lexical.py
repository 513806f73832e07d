"""The lexical leg: BM25 over words and character n-grams, so Korean works without a morphological
analyser ("세탁세제를" shares "세탁", "세제" with "액체 세탁세제") and English typos partly match.

The document-term matrix is a scipy CSC matrix of precomputed BM25 weights; a query sums the
columns of its terms, which is fast at 1M documents because queries have few terms.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable

import numpy as np
from scipy import sparse

from retrieval.query import normalise

WORD_RE = re.compile(r"[0-9a-z\uac00-\ud7a3]+(?:\.[0-9]+)?")
HANGUL_RE = re.compile(r"[\uac00-\ud7a3]")


def tokens(text: str) -> list[str]:
    """Words, plus character bigrams of Hangul words and trigrams of Latin words. A two-syllable
    Hangul word is its own bigram too: "휴지" in a product and "휴지도" (with a particle) in a
    query then share "c:휴지"; as a word token alone they never met."""
    out: list[str] = []
    for word in WORD_RE.findall(normalise(text)):
        out.append("w:" + word)
        hangul = bool(HANGUL_RE.search(word))
        n = 2 if hangul else 3
        if len(word) > n or (hangul and len(word) == n):
            out += ["c:" + word[i : i + n] for i in range(len(word) - n + 1)]
    return out


class BM25Index:
    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._vocab: dict[str, int] = {}
        self._docs: list[Counter[str]] = []
        self._ids: list[int] = []
        self._matrix: sparse.csc_matrix | None = None
        self._id_array = np.empty(0, dtype=np.int64)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, ids: Iterable[int], texts: Iterable[str]) -> None:
        """Add documents; weights are recomputed lazily on the next search (IDF changes)."""
        with self._lock:
            for pid, text in zip(ids, texts, strict=True):
                counts = Counter(tokens(text))
                for term in counts:
                    self._vocab.setdefault(term, len(self._vocab))
                self._docs.append(counts)
                self._ids.append(int(pid))
            self._matrix = None

    def _build(self) -> sparse.csc_matrix:
        rows, cols, tfs = [], [], []
        lengths = np.zeros(len(self._docs), dtype=np.float32)
        for doc, counts in enumerate(self._docs):
            lengths[doc] = sum(counts.values())
            for term, tf in counts.items():
                rows.append(doc)
                cols.append(self._vocab[term])
                tfs.append(tf)
        n_docs, n_terms = len(self._docs), len(self._vocab)
        tf_arr = np.asarray(tfs, dtype=np.float32)
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        df = np.bincount(c, minlength=n_terms).astype(np.float32)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        avg = float(lengths.mean()) if n_docs else 1.0
        norm = self.k1 * (1 - self.b + self.b * lengths[r] / avg)
        weights = idf[c] * tf_arr * (self.k1 + 1) / (tf_arr + norm)
        self._id_array = np.asarray(self._ids, dtype=np.int64)
        return sparse.csc_matrix((weights, (r, c)), shape=(n_docs, n_terms), dtype=np.float32)

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(product ids, BM25 scores) for every document, aligned."""
        with self._lock:
            if self._matrix is None:
                self._matrix = self._build()
            matrix, ids = self._matrix, self._id_array
        cols = [self._vocab[t] for t in tokens(query) if t in self._vocab]
        if not cols:
            return ids, np.zeros(len(ids), dtype=np.float32)
        weights = np.bincount(cols)  # a repeated query term counts again, as in BM25's qtf
        used = np.nonzero(weights)[0]
        sub = matrix[:, used]
        scores = np.asarray(sub @ weights[used].astype(np.float32)).ravel()
        return ids, scores

    def search(
        self, query: str, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (ids, scores) with a positive score; ``mask`` (booleans in the order the
        documents were added) keeps only the documents that pass the filters."""
        ids, scores = self.scores(query)
        if mask is not None:
            ids, scores = ids[mask[: len(ids)]], scores[mask[: len(ids)]]
        positive = scores > 0
        ids, scores = ids[positive], scores[positive]
        if len(ids) > k:
            top = np.argpartition(-scores, k)[:k]
            ids, scores = ids[top], scores[top]
        order = np.lexsort((ids, -scores))  # ties broken by id, so results are stable
        return ids[order], scores[order]
