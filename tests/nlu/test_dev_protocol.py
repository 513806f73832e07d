"""nlu/dev_protocol.py: which rows each development round holds out. Whole CLINC intents go
together (their `train` and `val` sentences), small talk and the shopping intents never do, and
our own sentences and `oos_train` are split by sentence."""

from __future__ import annotations

import numpy as np
import scipy.sparse

from nlu.dev_protocol import Captured


def captured(rows: list[tuple[str, str, str, str]]) -> Captured:
    """rows: (text, source, training label, CLINC intent)."""
    n = len(rows)
    return Captured(
        sparse=scipy.sparse.csr_matrix((n, 1)),
        unit=np.zeros((n, 2), dtype=np.float32),
        source=np.array([r[1] for r in rows]),
        label=np.array([r[2] for r in rows]),
        intent=np.array([r[2].partition("::")[0] for r in rows]),
        clinc=np.array([r[3] for r in rows]),
        spared=np.zeros(n, dtype=bool),
        dense=np.zeros((n, 2), dtype=np.float32),
        texts=[r[0] for r in rows],
    )


def test_whole_intents_are_held_out_together_but_never_small_talk_or_shopping() -> None:
    rows = [(f"weather {i}", "clinc", "out_of_scope::weather", "weather") for i in range(5)]
    rows += [(f"weather val {i}", "val", "", "weather") for i in range(3)]
    rows += [(f"hi {i}", "clinc", "out_of_scope::greeting", "greeting") for i in range(3)]
    rows += [("hello", "val", "", "greeting"), ("order me milk", "val", "", "order")]
    rows += [(f"find soap {i}", "en", "search_product", "") for i in range(20)]
    rows += [(f"odd question {i}", "oos_train", "out_of_scope", "") for i in range(20)]
    rows += [(f"order me {i} paper plates", "clinc", "search_product", "") for i in range(20)]
    own, intent = captured(rows).fold()
    weather = intent[:8]
    assert len(set(weather)) == 1 and weather[0] in range(5)
    assert (intent[8:] == -1).all()  # small talk, shopping, our own sentences, oos_train
    assert (own[:13] == -1).all()  # CLINC's other intents have no sentence fold
    for part in (own[13:33], own[33:53], own[53:73]):  # ours, oos_train, CLINC shopping
        assert set(part) <= set(range(5)) and len(set(part)) > 1  # split by sentence
