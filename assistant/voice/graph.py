"""Compile a :class:`Vocabulary` into a Vosk decoding graph (a grammar ``G`` FST).

Why not Vosk's runtime phrase list (``KaldiRecognizer(model, rate, '["..."]')``)? Vosk turns that
list into a bigram with a fixed backoff (cost ln 2) to unigrams, so any word may follow any other
for a small price; measured on the espeak-ng fixtures, the decoder then spends robotic syllables on
strings of short catalog words ("세안 비누 소포") and product-keyword accuracy stayed near 30%. A
compiled slot grammar accepts only the sentences the assistant expects (templates × product
phrases × quantities), plus a costly filler path that absorbs speech outside the vocabulary
instead of forcing it into a product name, and it is built once per catalog version instead of
once per request.

Models with a lookahead graph (``graph/HCLr.fst`` + ``graph/Gr.fst``, as the small Vosk models
ship) accept a replacement ``Gr.fst``: we write an overlay model folder that links the original
acoustic model, ivector extractor and HCLr, and holds our ``Gr.fst`` (OpenFst ``vector`` format,
written here directly — no OpenFst tools needed) and the word list (``words.txt``) that gives
word ids.
"""

from __future__ import annotations

import math
import os
import shutil
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.voice.vocabulary import NUMBER, PRODUCT, Vocabulary

FST_MAGIC = 2125659606
SYMTAB_MAGIC = 2125658996
FILLER = "<filler>"  # never written: filler words come out as themselves and are dropped


def supports_custom_grammar(model_dir: Path) -> bool:
    graph = model_dir / "graph"
    return (graph / "HCLr.fst").is_file() and (graph / "Gr.fst").is_file()


def read_word_ids(model_dir: Path) -> dict[str, int]:
    """Word → id from ``graph/words.txt``, or from the symbol table inside ``graph/Gr.fst``."""
    words_txt = model_dir / "graph" / "words.txt"
    if words_txt.is_file():
        out: dict[str, int] = {}
        for line in words_txt.read_text(encoding="utf-8").splitlines():
            parts = line.rsplit(maxsplit=1)
            if len(parts) == 2:
                out[parts[0]] = int(parts[1])
        return out
    with (model_dir / "graph" / "Gr.fst").open("rb") as fh:
        return _symbols_from_fst(fh.read(64 * 1024 * 1024))


def _symbols_from_fst(data: bytes) -> dict[str, int]:
    pos = 0

    def i32() -> int:
        nonlocal pos
        (v,) = struct.unpack_from("<i", data, pos)
        pos += 4
        return int(v)

    def i64() -> int:
        nonlocal pos
        (v,) = struct.unpack_from("<q", data, pos)
        pos += 8
        return int(v)

    def string() -> str:
        nonlocal pos
        n = i32()
        s = data[pos : pos + n].decode("utf-8")
        pos += n
        return s

    if i32() != FST_MAGIC:
        raise ValueError("Gr.fst is not an OpenFst file")
    string(), string()  # fst type, arc type
    i32()  # version
    flags = i32()
    pos += 8 + 8 * 3  # properties, start, states, arcs
    if not flags & 2 and not flags & 1:
        raise ValueError("Gr.fst carries no symbol table and the model has no words.txt")
    if i32() != SYMTAB_MAGIC:
        raise ValueError("unexpected symbol table in Gr.fst")
    string()  # name
    i64()  # available key
    size = i64()
    out = {}
    for _ in range(size):
        word = string()
        out[word] = i64()
    return out


@dataclass
class Fst:
    """A weighted acceptor under construction (costs are -ln probabilities)."""

    arcs: list[list[tuple[int, int, float]]] = field(default_factory=lambda: [[]])
    finals: dict[int, float] = field(default_factory=dict)

    def add_state(self) -> int:
        self.arcs.append([])
        return len(self.arcs) - 1

    def add_arc(self, src: int, label: int, cost: float, dst: int) -> None:
        self.arcs[src].append((label, dst, cost))

    def write(self, path: Path) -> None:
        num_arcs = sum(len(a) for a in self.arcs)
        with path.open("wb") as fh:

            def string(s: str) -> None:
                raw = s.encode()
                fh.write(struct.pack("<i", len(raw)) + raw)

            fh.write(struct.pack("<i", FST_MAGIC))
            string("vector")
            string("standard")
            # version 2, no flags (symbols come from words.txt), properties: expanded | mutable
            fh.write(struct.pack("<iiQqqq", 2, 0, 0x3, 0, len(self.arcs), num_arcs))
            for state, arcs in enumerate(self.arcs):
                fh.write(struct.pack("<f", self.finals.get(state, math.inf)))
                fh.write(struct.pack("<q", len(arcs)))
                for label, dst, cost in sorted(arcs):
                    fh.write(struct.pack("<iifi", label, label, cost, dst))


def _minimal_dfa(sentences: Iterable[tuple[str, ...]]) -> tuple[list[dict[str, int]], set[int]]:
    """A trie of the token sentences with equal suffixes merged (a minimal acyclic DFA)."""
    trie: list[dict[str, int]] = [{}]
    final: set[int] = set()
    for sent in sentences:
        node = 0
        for tok in sent:
            nxt = trie[node].get(tok)
            if nxt is None:
                trie.append({})
                nxt = trie[node][tok] = len(trie) - 1
            node = nxt
        final.add(node)
    canon: dict[tuple[bool, tuple[tuple[str, int], ...]], int] = {}
    rep: dict[int, int] = {}

    def visit(node: int) -> int:  # children first; iterative depth is bounded by sentence length
        kids = tuple(sorted((tok, visit(child)) for tok, child in trie[node].items()))
        key = (node in final, kids)
        rep[node] = canon.setdefault(key, node)
        return rep[node]

    visit(0)
    states = sorted(set(rep.values()))
    index = {s: i for i, s in enumerate(states)}
    dfa = [{tok: index[rep[child]] for tok, child in trie[s].items()} for s in states]
    return dfa, {index[rep[s]] for s in final}


@dataclass(frozen=True)
class GrammarWeights:
    """Costs (−ln p) that shape the grammar; tuned on the espeak-ng fixtures (docs/voice.md)."""

    filler: float = 8.0  # per filler word: speech outside the vocabulary
    # A second request in the same utterance (inf: one request per utterance, the default). Any
    # chaining lets robotic speech decode as strings of short templates and products ("{p}",
    # "네", …): 0.28 keyword accuracy at cost 2, and at 12 no better than none while speech
    # outside the catalog came out as a product more often (bench/voice.py, docs/voice.md).
    next_sentence: float = math.inf


def compile_grammar(
    vocab: Vocabulary,
    word_ids: dict[str, int],
    fillers: list[str],
    weights: GrammarWeights | None = None,
) -> Fst:
    """The decoding grammar: templates with product and quantity slots, filler, repetition."""
    w = weights or GrammarWeights()
    dfa, dfa_final = _minimal_dfa(vocab.templates)
    fst = Fst()
    state_of = [0] + [fst.add_state() for _ in dfa[1:]]

    def add_trie(src: int, phrases: Iterable[str], dst: int) -> None:
        children: dict[tuple[int, str], int] = {}
        for phrase in phrases:
            words = phrase.split()
            node = src
            for i, word in enumerate(words):
                label = word_ids[word]
                if i == len(words) - 1:
                    fst.add_arc(node, label, 0.0, dst)
                else:
                    key = (node, word)
                    if key not in children:
                        children[key] = fst.add_state()
                        fst.add_arc(node, label, 0.0, children[key])
                    node = children[key]

    products = sorted(vocab.products)
    for q, arcs in enumerate(dfa):
        for tok, r in arcs.items():
            if tok == PRODUCT:
                add_trie(state_of[q], products, state_of[r])
            elif tok == NUMBER:
                add_trie(state_of[q], vocab.numbers, state_of[r])
            else:
                fst.add_arc(state_of[q], word_ids[tok], 0.0, state_of[r])
    start_arcs = list(fst.arcs[0])
    # Filler: a loop of common short words, each expensive, so only speech that matches nothing
    # in the vocabulary takes it. It may close a request or stand for the whole utterance.
    filler_state = fst.add_state()
    filler_labels = sorted({word_ids[f] for f in fillers if f in word_ids})
    for label in filler_labels:
        fst.add_arc(0, label, w.filler, filler_state)
        fst.add_arc(filler_state, label, w.filler, filler_state)
    fst.finals[filler_state] = 0.0
    ends = [state_of[q] for q in dfa_final]
    chain = math.isfinite(w.next_sentence)
    for end in ends:
        fst.finals[end] = 0.0
        for label in filler_labels:
            fst.add_arc(end, label, w.filler, filler_state)
        for label, dst, cost in start_arcs if chain else ():  # another request follows
            fst.add_arc(end, label, cost + w.next_sentence, dst)
    for label, dst, cost in start_arcs if chain else ():
        fst.add_arc(filler_state, label, cost + w.next_sentence, dst)
    return fst


def write_overlay_model(
    base: Path, out: Path, fst: Fst, word_ids: dict[str, int], conf_overrides: dict[str, str]
) -> Path:
    """A model folder that shares ``base``'s acoustic model and decodes with ``fst``."""
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "graph").mkdir(parents=True)
    (tmp / "conf").mkdir()
    for entry in base.iterdir():
        if entry.name not in ("graph", "conf"):
            os.symlink(entry.resolve(), tmp / entry.name)
    for entry in (base / "graph").iterdir():
        if entry.name not in ("Gr.fst", "words.txt", "HCLG.fst"):
            os.symlink(entry.resolve(), tmp / "graph" / entry.name)
    for entry in (base / "conf").iterdir():
        if entry.name != "model.conf":
            shutil.copy(entry, tmp / "conf" / entry.name)
    conf = []
    for line in (base / "conf" / "model.conf").read_text().splitlines():
        key = line.split("=", 1)[0].strip()
        if key in conf_overrides:
            continue
        conf.append(line)
    conf.extend(f"{k}={v}" for k, v in conf_overrides.items())
    (tmp / "conf" / "model.conf").write_text("\n".join(conf) + "\n")
    with (tmp / "graph" / "words.txt").open("w", encoding="utf-8") as fh:
        for word, wid in sorted(word_ids.items(), key=lambda kv: kv[1]):
            fh.write(f"{word} {wid}\n")
    fst.write(tmp / "graph" / "Gr.fst")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out
