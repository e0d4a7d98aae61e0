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
from .charmap import text_of
from .lexicon import Lexicon
from .normalize import Clean, FoldedCall

Row = tuple[int, int, int, int]  # (wording, utterance, start, end), offsets in the utterance's folded text


@dataclass(frozen=True, slots=True)
class Bytes:
    """A view of a call as UTF-8 (what the RE2 patterns run on): ``lines[i]`` is the byte offset of
    the ``i``-th newline, and the text after it belongs to utterance ``utterances[i + 1]``."""

    data: bytes
    lines: list[int]
    utterances: list[int] | None = None  # None: line i is utterance i (every utterance is there)


@dataclass(frozen=True, slots=True)
class Scanned:
    """One call's views and hits: literal wordings (folded view, then clean view) and homophones of
    wordings of more than ``lexicon.SHORT_SOUND`` Han characters; utterances numbered in the call."""

    norms: FoldedCall
    clean: Clean | None  # None when it reads the same as the folded view
    rows: list[Row]
    sound_rows: list[Row]
    sound_key: np.ndarray  # fuzzy-pinyin codes of the clean view (the folded one when clean is None)
    # for the patterns: the folded view, and the clean view of the utterances it changes (elsewhere
    # it reads as the folded view): a pattern matching in an utterance matches in one of them
    utf8: tuple[Bytes, ...]


def locate(found: np.ndarray | None, folded: FoldedCall, back: Clean | None) -> list[Row]:
    """Automaton rows (pattern, start, end) on a joined view → (pattern, utterance, start, end) in
    that utterance's folded text, dropping hits across an utterance boundary. Whole arrays at once."""
    return _rows(_place(found, folded, back), np.array([0, len(folded)]))[0]


Hits = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # pattern, utterance (of the batch), start, end


def _place(found: np.ndarray | None, folded: FoldedCall, back: Clean | None) -> Hits | None:
    """Automaton rows on a joined view, placed in their utterances of the batch (offsets in its
    folded text); a hit across an utterance boundary is dropped."""
    if found is None:
        return None
    starts, lens = folded.bounds
    pattern, a, b = found[:, 0], found[:, 1], found[:, 2]
    if back is not None:  # clean-view hits, back to folded offsets
        a, b = back.back[a], back.back[b - 1] + 1
    seg = np.searchsorted(starts, a, side="right") - 1
    base = starts[seg]
    inside = b <= base + lens[seg]
    return pattern[inside], seg[inside], (a - base)[inside], (b - base)[inside]


def _rows(hits: Hits | None, firsts: np.ndarray) -> tuple[list[Row], list[int]]:
    """Placed hits of a batch whose calls begin at utterances ``firsts`` (and end at its last entry)
    as rows, utterances numbered within each call, and where each call's rows begin."""
    calls = len(firsts) - 1
    if hits is None or not len(hits[0]):
        return [], [0] * (calls + 1)
    pattern, seg, a, b = hits
    call = np.searchsorted(firsts, seg, side="right") - 1
    if len(call) > 1 and (call[1:] < call[:-1]).any():
        # an automaton reports in text order, hence by call; were it ever otherwise, each call's
        # rows are grouped in the order found (what scanning the call alone gives)
        order = np.argsort(call, kind="stable")
        pattern, seg, a, b, call = pattern[order], seg[order], a[order], b[order], call[order]
    seg = seg - firsts[call]
    rows = list(zip(pattern.tolist(), seg.tolist(), a.tolist(), b.tolist(), strict=True))
    return rows, np.searchsorted(call, np.arange(calls + 1)).tolist()


def _codes(first: np.ndarray, hits: Hits, n_seg: int, n_off: int) -> np.ndarray:
    """One integer per hit for ``first`` (a wording or a key), its utterance and its span, to compare
    hits of two scans (``_member``); ``n_seg``, ``n_off``: bounds of utterance and offset numbers."""
    _, seg, a, b = hits
    return ((first * n_seg + seg) * n_off + a) * n_off + b


def _drop_repeats(lexicon: Lexicon, literal: Hits | None, cleaned: Hits | None, sounds: Hits | None,
                  n_seg: int) -> tuple[Hits | None, Hits | None]:
    """What the call index would drop anyway, dropped before a row is made of it (a word list makes
    hundreds a call; a row costs more in Python than here):

    - a clean-view hit that the folded view found too (same wording, same characters): counted once;
    - a homophone on the very characters of a wording said there, when every word set hearing it
      owns that wording (``CallContext._sounds`` leaves it out for each of them)."""
    found = [h for h in (literal, cleaned) if h is not None and len(h[0])]
    if not found:
        return cleaned, sounds
    every = [*found, *([sounds] if sounds is not None and len(sounds[0]) else [])]
    n_first = 1 + max(len(lexicon), len(lexicon.sound_owner_table(False)))  # wording and key numbers
    n_off = 1 + max(int(h[3].max()) for h in every)
    if n_first * n_seg * n_off * n_off >= 1 << 62:  # (never for a real batch) the index drops them
        return cleaned, sounds
    if len(found) == 2:
        keep = ~_member(_codes(cleaned[0], cleaned, n_seg, n_off), _codes(literal[0], literal, n_seg, n_off))
        cleaned = _only(cleaned, keep)
    if sounds is not None and len(sounds[0]):
        own = lexicon.own_sound  # each wording's key, when hearing it there says nothing more
        said = []
        for h in (literal, cleaned):
            if h is not None and len(h[0]):
                k = own[h[0]]
                some = k >= 0
                said.append(_codes(k[some], _only(h, some), n_seg, n_off))
        sounds = _only(sounds, ~_member(_codes(sounds[0], sounds, n_seg, n_off), np.concatenate(said)))
    return cleaned, sounds


def _member(x: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """``np.isin(x, pool)``: one sort and a binary search, ~9x faster than ``isin`` on a batch's
    few thousand codes (measured 46 against 408 µs)."""
    if not len(pool):
        return np.zeros(len(x), dtype=bool)
    pool = np.sort(pool)
    at = np.minimum(np.searchsorted(pool, x), len(pool) - 1)
    return pool[at] == x


def _only(hits: Hits, keep: np.ndarray) -> Hits:
    pattern, seg, a, b = hits
    return pattern[keep], seg[keep], a[keep], b[keep]


def scan_calls(lexicon: Lexicon, texts: list[list[str]]) -> list[Scanned]:
    """Each call's ``Scanned``, given the utterance texts of each call (every call has at least one)."""
    nz = lexicon.normalizer
    folded = nz.fold_call(list(chain.from_iterable(texts)))
    clean = nz.clean(folded.text, folded.cps)
    key = phonetic.key_codes(clean.cps if clean is not None else folded.cps)
    firsts = np.array([0, *accumulate(map(len, texts))])
    starts, lens = folded.bounds
    if clean is None:
        cs, ce, changed = starts, starts + lens, np.zeros(len(lens), dtype=bool)
    else:  # where each utterance is in the clean view, and whether it reads differently there
        cs, ce = np.searchsorted(clean.back, starts), np.searchsorted(clean.back, starts + lens)
        digits = np.flatnonzero(clean.cps != folded.cps[clean.back])  # spoken numbers read
        changed = (ce - cs != lens) | (np.searchsorted(digits, ce) > np.searchsorted(digits, cs))
    literal = _place(lexicon.matches(folded.cps), folded, None)
    # the clean view is scanned only where it differs: elsewhere it would find the folded view's hits again
    view = _changed_only(clean, cs, ce, changed) if clean is not None and changed.any() else None
    cleaned = _place(lexicon.matches(view.cps), folded, view) if view is not None else None
    heard = _place(lexicon.sound_matches(key, False), folded, clean)
    cleaned, heard = _drop_repeats(lexicon, literal, cleaned, heard, len(lens))
    (literal, lcut), (sounds, scut) = _rows(literal, firsts), _rows(heard, firsts)
    cleaned, ccut = _rows(cleaned, firsts) if view is not None else ([], None)
    fbytes = _Utf8(folded.text)
    cbytes = _Utf8(text_of(view.cps)) if view is not None else None
    changed_at = np.flatnonzero(changed)  # the clean view's lines are these utterances
    c0, c1 = cs[firsts[:-1]], ce[firsts[1:] - 1]
    own = np.add.reduceat(changed.astype(np.intp), firsts[:-1]) > 0  # a call with a clean view of its own
    f0 = starts[firsts[:-1]]
    single = len(texts) == 1
    out = []
    bounds = zip(firsts[:-1].tolist(), firsts[1:].tolist(), f0.tolist(), c0.tolist(), c1.tolist(), own.tolist(),
                 strict=True)
    for k, (u0, u1, a, lo, hi, mine) in enumerate(bounds):
        part = None
        if mine and clean is not None:
            part = clean if single else Clean(clean.text[lo:hi], clean.back[lo:hi] - a, cps=clean.cps[lo:hi])
        rows = literal[lcut[k]:lcut[k + 1]]
        if ccut is not None:
            rows += cleaned[ccut[k]:ccut[k + 1]]
        utf8 = [fbytes.lines_of(u0, u1, None)]
        if cbytes is not None and mine:
            i, j = np.searchsorted(changed_at, (u0, u1)).tolist()
            utf8.append(cbytes.lines_of(i, j, (changed_at[i:j] - u0).tolist()))
        out.append(Scanned(folded if single else folded.part(u0, u1), part, rows, sounds[scut[k]:scut[k + 1]],
                           key[lo:hi], tuple(utf8)))
    return out


class _Utf8:
    """A batch's view as UTF-8, cut into calls by its newlines (one per utterance boundary)."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", "surrogatepass")
        self.newlines = np.flatnonzero(np.frombuffer(self.data, dtype=np.uint8) == 10)

    def lines_of(self, first: int, stop: int, utterances: list[int] | None) -> Bytes:
        """Lines ``first`` to ``stop - 1`` (the view's utterances), as a view of their own."""
        nl = self.newlines
        a = int(nl[first - 1]) + 1 if first else 0
        b = int(nl[stop - 1]) if stop - 1 < len(nl) else len(self.data)
        return Bytes(self.data[a:b], (nl[first:stop - 1] - a).tolist(), utterances)


def _changed_only(clean: Clean, cs: np.ndarray, ce: np.ndarray, changed: np.ndarray) -> Clean:
    """The clean view of the utterances it changes (each with the newline after it), as code points and
    the folded index of each: what is left to scan there."""
    mark = np.zeros(len(clean.cps) + 1, dtype=np.intp)
    mark[cs[changed]] += 1
    mark[np.minimum(ce[changed] + 1, len(clean.cps))] -= 1
    keep = np.cumsum(mark[:-1]) > 0
    return Clean("", clean.back[keep], cps=clean.cps[keep])
