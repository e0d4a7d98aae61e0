"""Calls normalized and scanned a batch at a time: what every check needs before any rule runs.

A call is ~60 utterances of ~2,000 characters; folding, cleaning and scanning it are a dozen numpy
and automaton steps of a few microseconds of fixed cost each, more than the work on its characters.
Joined into one text, a batch of calls pays that fixed cost once: the utterances of all its calls
are folded, cleaned and scanned together (newlines between them, which no wording contains), and
the result is cut back into calls. Every call gets exactly what scanning it alone would give: the
same views, and the same hits in the same order (a hit across an utterance boundary, hence across
calls, is dropped as before).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate, chain

import numpy as np

from . import phonetic
from .lexicon import Lexicon
from .normalize import Clean, FoldedCall

Row = tuple[int, int, int, int]  # (wording, utterance, start, end), offsets in the utterance's folded text


@dataclass(frozen=True, slots=True)
class Scanned:
    """One call's views and hits: literal wordings (folded view, then clean view) and homophones of
    wordings of more than ``lexicon.SHORT_SOUND`` Han characters; utterances numbered in the call."""

    norms: FoldedCall
    clean: Clean | None  # None when it reads the same as the folded view
    rows: list[Row]
    sound_rows: list[Row]
    sound_key: np.ndarray  # fuzzy-pinyin codes of the clean view (the folded one when clean is None)


def locate(found: np.ndarray | None, folded: FoldedCall, back: Clean | None) -> list[Row]:
    """Automaton rows (pattern, start, end) on a joined view → (pattern, utterance, start, end) in
    that utterance's folded text, dropping hits across an utterance boundary. Whole arrays at once."""
    return _locate(found, folded, back, None)[0]


def _locate(found: np.ndarray | None, folded: FoldedCall, back: Clean | None,
            firsts: np.ndarray | None) -> tuple[list[Row], list[int]]:
    """``locate`` for a batch whose calls begin at utterances ``firsts`` (and end at its last
    entry): utterances numbered within each call, and where each call's rows begin."""
    calls = len(firsts) - 1 if firsts is not None else 1
    if found is None:
        return [], [0] * (calls + 1)
    starts, lens = folded.bounds
    pattern, a, b = found[:, 0], found[:, 1], found[:, 2]
    if back is not None:  # clean-view hits, back to folded offsets
        a, b = back.back[a], back.back[b - 1] + 1
    seg = np.searchsorted(starts, a, side="right") - 1
    base = starts[seg]
    inside = b <= base + lens[seg]
    pattern, seg, a, b = pattern[inside], seg[inside], (a - base)[inside], (b - base)[inside]
    if firsts is None:
        return list(zip(pattern.tolist(), seg.tolist(), a.tolist(), b.tolist(), strict=True)), [0, len(seg)]
    call = np.searchsorted(firsts, seg, side="right") - 1
    if len(call) > 1 and (call[1:] < call[:-1]).any():
        # an automaton reports in text order, hence by call; were it ever otherwise, each call's
        # rows are grouped in the order found (what scanning the call alone gives)
        order = np.argsort(call, kind="stable")
        pattern, seg, a, b, call = pattern[order], seg[order], a[order], b[order], call[order]
    seg = seg - firsts[call]
    rows = list(zip(pattern.tolist(), seg.tolist(), a.tolist(), b.tolist(), strict=True))
    return rows, np.searchsorted(call, np.arange(calls + 1)).tolist()


def scan_calls(lexicon: Lexicon, texts: list[list[str]]) -> list[Scanned]:
    """Each call's ``Scanned``, given the utterance texts of each call (every call has at least one)."""
    nz = lexicon.normalizer
    folded = nz.fold_call(list(chain.from_iterable(texts)))
    clean = nz.clean(folded.text, folded.cps)
    key = phonetic.key_codes(clean.cps if clean is not None else folded.cps)
    if len(texts) == 1:
        rows = locate(lexicon.matches(folded.cps), folded, None)
        if clean is not None:
            rows += locate(lexicon.matches(clean.cps), folded, clean)
        return [Scanned(folded, clean, rows, locate(lexicon.sound_matches(key, False), folded, clean), key)]
    firsts = np.array([0, *accumulate(map(len, texts))])
    literal, lcut = _locate(lexicon.matches(folded.cps), folded, None, firsts)
    cleaned, ccut = _locate(lexicon.matches(clean.cps), folded, clean, firsts) if clean is not None else ([], None)
    sounds, scut = _locate(lexicon.sound_matches(key, False), folded, clean, firsts)
    starts, lens = folded.bounds
    f0 = starts[firsts[:-1]]
    f1 = starts[firsts[1:] - 1] + lens[firsts[1:] - 1]
    if clean is None:
        c0, c1, own = f0, f1, np.zeros(len(texts), dtype=bool)
    else:
        c0, c1 = np.searchsorted(clean.back, f0), np.searchsorted(clean.back, f1)
        digits = np.flatnonzero(clean.cps != folded.cps[clean.back])  # spoken numbers read
        # a call has a clean view of its own where something was dropped or read
        own = (c1 - c0 != f1 - f0) | (np.searchsorted(digits, c1) > np.searchsorted(digits, c0))
    out = []
    bounds = zip(firsts[:-1].tolist(), firsts[1:].tolist(), f0.tolist(), c0.tolist(), c1.tolist(), own.tolist(),
                 strict=True)
    for k, (u0, u1, a, lo, hi, mine) in enumerate(bounds):
        part = Clean(clean.text[lo:hi], clean.back[lo:hi] - a, cps=clean.cps[lo:hi]) if mine and clean else None
        rows = literal[lcut[k]:lcut[k + 1]]
        if part is not None and ccut is not None:  # (a call read the same in both views has no clean hits)
            rows += cleaned[ccut[k]:ccut[k + 1]]
        out.append(Scanned(folded.part(u0, u1), part, rows, sounds[scut[k]:scut[k + 1]], key[lo:hi]))
    return out
