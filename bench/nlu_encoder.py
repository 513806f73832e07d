"""NLU encoder benchmark: the int8 all-mpnet-base-v2 export the NLU serves (`make encoder`)
against the same model exported in float (the baseline, exported into a scratch folder in the
same run), one message at a time on one thread, as a live message is encoded:
- latency p50/p95 per message and its ratio to the float export's;
- fidelity: cosine between the two exports' vectors of each message;
- batch independence: the served vector of each message against the same message encoded in a
  padded batch of 32 (training encodes in batches).

Messages: CLINC150 `val` (a sample; never `test`).
Usage: .venv/bin/python bench/nlu_encoder.py [--messages 300]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from retrieval.onnx_encoder import OnnxEncoder, default_nlu_encoder_dir, export  # noqa: E402
from retrieval.packaged import default_mpnet_dir  # noqa: E402
from store.paths import clinc150_file  # noqa: E402

CLINC = clinc150_file()


def timed(encoder: OnnxEncoder, texts: list[str]) -> tuple[np.ndarray, list[float]]:
    vectors, times = [], []
    for text in texts:
        started = time.perf_counter()
        vectors.append(encoder.encode([text]))
        times.append((time.perf_counter() - started) * 1000)
    return np.vstack(vectors), times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--messages", type=int, default=300)
    args = ap.parse_args()
    val = json.loads(CLINC.read_text(encoding="utf-8"))["val"]
    step = max(1, len(val) // args.messages)
    texts = [text for text, _ in val[::step]][: args.messages]
    served = OnnxEncoder(default_nlu_encoder_dir())
    with tempfile.TemporaryDirectory() as scratch:
        print("exporting the float baseline ...", file=sys.stderr)
        baseline = OnnxEncoder(export(default_mpnet_dir(), Path(scratch) / "float"))
        for encoder in (served, baseline):  # warm both
            encoder.encode(texts[:10])
        # Alternate the two in rounds so a change in the machine's speed hits both alike.
        vec_q, vec_f, t_q, t_f = [], [], [], []
        for start in range(0, len(texts), 50):
            part = texts[start : start + 50]
            for encoder, vectors, times in ((served, vec_q, t_q), (baseline, vec_f, t_f)):
                v, t = timed(encoder, part)
                vectors.append(v)
                times.extend(t)
    quantized, exact = np.vstack(vec_q), np.vstack(vec_f)
    cosine = (quantized * exact).sum(axis=1)
    batched = served.encode(texts, batch_size=32)
    drift = (batched * quantized).sum(axis=1)
    print(f"messages: {len(texts)} (CLINC150 val), one at a time, one thread")
    base = np.percentile(t_f, 50)
    for name, times in (("float (baseline)", t_f), ("int8 (served)", t_q)):
        p50, p95 = np.percentile(times, 50), np.percentile(times, 95)
        print(f"  {name:<17} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {p50 / base:5.2f}x baseline p50")
    print(f"  cosine int8 vs float: median {np.median(cosine):.4f}  "
          f"p5 {np.percentile(cosine, 5):.4f}  min {cosine.min():.4f}")  # fmt: skip
    print(f"  cosine alone vs in a batch of 32: min {drift.min():.6f}")


if __name__ == "__main__":
    main()
