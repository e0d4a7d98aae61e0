"""Text normalization that remembers where every character came from.

Two views of each utterance, both with offset maps back to the original words:

* the **folded** view (``Normalizer.fold``): Traditional → Simplified character by character (never
  rewriting words), full/half width, case, punctuation and spaces dropped. Phrases and transcripts
  are folded alike, so a phrase matches whatever script or width the ASR produced.
* the **clean** view (``Normalizer.clean``): the folded view minus filler words (嗯、啊、那个、就是),
  stutters (我我我 → 我) and with spoken digit strings read as digits (幺三八… → 138…). Matching runs
  on both views and unites the hits, so a filler inside a phrase does not hide it while a word that
  merely contains a filler (那个人) is still seen as written.

Every step is switchable in the rulebook (``settings.normalize``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import opencc

from .charmap import DROP, CharMap, Codes, codes, text_of

_T2S = opencc.OpenCC("t2s")
CN_DIGITS = "零〇一二三四五六七八九幺两洞"
_CN_TO_ASCII = str.maketrans(CN_DIGITS, "00123456789120")
MIN_SPOKEN_DIGITS = 4  # 一下 stays a word; 一三八零 is a number


class Normalized:
    """``text`` is the folded string; ``offsets[i]`` is the index in the original of ``text[i]``.

    The offset map is built only when a span is mapped back (most utterances have no hit): from the
    fold table (``base``/``keep``), or as a window ``(kept, lo, hi, shift)`` on a whole call's map.
    """

    __slots__ = ("_base", "_keep", "_offsets", "_window", "original", "text")

    def __init__(self, text: str, offsets: tuple[int, ...] | None, original: str,
                 base: str = "", keep: dict[int, object] | None = None,
                 window: tuple[Any, int, int, int] | None = None) -> None:
        self.text = text
        self.original = original
        self._offsets = offsets
        self._base = base
        self._keep = keep
        self._window = window

    @property
    def offsets(self) -> tuple[int, ...]:
        if self._offsets is None:
            if self._window is not None:
                kept, lo, hi, shift = self._window
                self._offsets = tuple((kept[lo:hi] - shift).tolist())
            else:
                table = self._keep or {}
                self._offsets = tuple(i for i, c in enumerate(self._base) if table[ord(c)] is not None)
        return self._offsets

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``text`` back to the original string."""
        if self._offsets is None and self._window is not None and 0 <= start < end <= len(self.text):
            kept, lo, _, shift = self._window  # two look-ups, not the whole utterance's map
            return int(kept[lo + start]) - shift, int(kept[lo + end - 1]) - shift + 1
        offsets = self.offsets
        if not offsets or start >= end:
            return (0, 0)
        return offsets[start], offsets[end - 1] + 1

    def original_words(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


class FoldedCall:
    """Every utterance of a call folded in one pass: ``text`` is the folded utterances joined by
    newlines (folding drops any newline inside an utterance), ``starts[i]`` where utterance ``i``
    begins in it. Each utterance's ``Normalized`` view is made when first asked for."""

    __slots__ = ("_base", "_kept", "_norms", "_raw_starts", "bounds", "cps", "lens", "originals", "starts", "text")

    def __init__(self, text: str, cps: Codes, bounds: tuple[Any, Any], originals: list[str],
                 kept: Any, raw_starts: list[int], base: int = 0) -> None:
        self.text, self.cps, self.originals = text, cps, originals
        self.bounds = bounds  # (starts, lens) as arrays, for mapping hits to utterances in one go
        self.starts, self.lens = bounds[0].tolist(), bounds[1].tolist()
        # kept: joined-original index of each char, from ``base`` on (a part shares its batch's map)
        self._kept, self._raw_starts, self._base = kept, raw_starts, base
        self._norms: list[Normalized | None] = [None] * len(self.lens)

    def part(self, first: int, stop: int) -> FoldedCall:
        """Utterances ``first`` to ``stop - 1`` as a call of their own (a batch folded at once, cut
        into its calls): texts and arrays are slices, the offset map is shared."""
        f0 = self.starts[first]
        f1 = self.starts[stop - 1] + self.lens[stop - 1]
        starts, lens = self.bounds
        return FoldedCall(self.text[f0:f1], self.cps[f0:f1], (starts[first:stop] - f0, lens[first:stop]),
                          self.originals[first:stop], self._kept, self._raw_starts[first:stop], self._base + f0)

    def __len__(self) -> int:
        return len(self.lens)

    def __getitem__(self, i: int) -> Normalized:
        n = self._norms[i]
        if n is None:
            a = self.starts[i]
            b = a + self.lens[i]
            base = self._base
            self._norms[i] = n = Normalized(self.text[a:b], None, self.originals[i],
                                            window=(self._kept, base + a, base + b, self._raw_starts[i]))
        return n

    def __iter__(self) -> Iterator[Normalized]:
        return (self[i] for i in range(len(self.lens)))


@dataclass(frozen=True, slots=True)
class Clean:
    """The clean view of a folded text: ``back[i]`` is the folded index of ``text[i]`` (an array).

    An utterance's view is a window on the whole call's map (``back[lo + i] - shift``), so
    cutting a call into utterances copies no offsets.
    """

    text: str
    back: Any  # numpy array of folded indexes
    lo: int = 0
    shift: int = 0
    cps: Any = None  # the code points of ``text`` (for a whole call's view)

    @property
    def to_folded(self) -> tuple[int, ...]:
        return tuple((self.back[self.lo:self.lo + len(self.text)] - self.shift).tolist())

    def folded_index(self, i: int) -> int:
        return int(self.back[self.lo + i]) - self.shift

    def span(self, start: int, end: int) -> tuple[int, int]:
        back, lo, shift = self.back, self.lo, self.shift
        return int(back[lo + start]) - shift, int(back[lo + end - 1]) - shift + 1

    def index_after(self, folded_end: int) -> int:
        """Clean-view position just after folded position ``folded_end - 1``."""
        window = self.back[self.lo:self.lo + len(self.text)]
        return int(np.searchsorted(window, folded_end - 1 + self.shift, side="right"))


def _is_dropped(ch: str) -> bool:
    """Punctuation, symbols and whitespace carry no meaning in ASR text."""
    if ch.isspace():
        return True
    cat = unicodedata.category(ch)
    return cat[0] in ("P", "Z", "C") or cat in ("Sk", "So", "Sm")


@lru_cache(maxsize=4096)
def _width(ch: str) -> str:
    """Full/half-width folding of one character (NFKC keeps CJK ideographs intact)."""
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


# Traditional characters OpenCC leaves alone on their own because their Simplified form depends on
# the word (著名 stays, 等著 → 等着; 瞭望 stays, 瞭解 → 了解). In ASR and agents' Traditional text they
# are almost always the particle 着 and the 了 of 了解 — 你等著 must match the taboo 你等着. Both the
# transcript and the rulebook's phrases are folded the same way, so the rarer words still match.
_T2S_OVERRIDES = {"著": "着", "瞭": "了"}


@lru_cache(maxsize=16384)
def _t2s_char(ch: str) -> str:
    if ch in _T2S_OVERRIDES:
        return _T2S_OVERRIDES[ch]
    try:
        c = _T2S.convert(ch)
    except UnicodeError:  # a lone surrogate from bad JSON escapes: keep it as it is
        return ch
    return c if len(c) == 1 else ch


class _T2STable(dict):  # type: ignore[type-arg]
    """``str.translate`` table filled on first sight of each character (C speed afterwards)."""

    def __missing__(self, code: int) -> str:
        self[code] = out = _t2s_char(chr(code))
        return out


_T2S_TABLE = _T2STable()


def to_simplified(text: str) -> str:
    """Character-level Traditional → Simplified: never rewrite words, never change length.

    OpenCC's phrase table would fold a character differently depending on its neighbours
    (瞭解 → 了解 but 瞭 alone stays); one character at a time, the result is context-free.
    """
    return text.translate(_T2S_TABLE)


class _FoldTable(dict):  # type: ignore[type-arg]
    """Traditional → Simplified, width and case folding and punctuation dropping composed into one
    ``str.translate`` table (None = drop), filled on first sight of each character."""

    def __init__(self, normalizer: Normalizer) -> None:
        super().__init__()
        self.normalizer = normalizer

    def __missing__(self, code: int) -> str | None:
        self[code] = out = self.normalizer._fold_char(chr(code))
        return out


@dataclass(frozen=True)
class Normalizer:
    """The normalization steps of one rulebook (defaults: all on)."""

    traditional: bool = True
    width: bool = True
    case: bool = True
    punctuation: bool = True
    numerals: bool = True
    fillers: tuple[str, ...] = ("嗯", "呃", "唔", "啊", "那个", "就是")
    stutters: bool = True
    stutter_chars: str = "我你您他她这那就是的呃嗯啊"

    def _char(self, ch: str) -> str | None:
        """One character folded (width, case), or None when it is dropped."""
        f = _width(ch) if self.width else ch
        if self.case and len(low := f.lower()) == 1:  # 'İ'.lower() is two characters: keep it
            f = low
        return None if self.punctuation and _is_dropped(f) else f

    def fold(self, text: str) -> Normalized:
        """The folded view: one ``str.translate`` pass; the offset map is built lazily."""
        table = self.__dict__.get("_fold_table")
        if table is None:
            table = _FoldTable(self)
            object.__setattr__(self, "_fold_table", table)
        folded = text.translate(table)
        if len(folded) == len(text):  # nothing dropped: offsets are the identity
            return Normalized(folded, tuple(range(len(folded))) if len(folded) < 64 else None, text, text, table)
        return Normalized(folded, None, text, text, table)

    def _fold_char(self, ch: str) -> str | None:
        return self._char(_t2s_char(ch) if self.traditional else ch)

    def _charmap(self) -> CharMap:
        cmap = self.__dict__.get("_fold_charmap")
        if cmap is None:
            cmap = CharMap(self._fold_char)
            object.__setattr__(self, "_fold_charmap", cmap)
        return cmap

    def fold_call(self, texts: list[str]) -> FoldedCall:
        """Every utterance folded exactly as ``fold`` would, in one table look-up over the call."""
        raw = "\n".join(texts)
        cps = codes(raw)
        mapped = self._charmap().map(cps)
        seps = np.flatnonzero(cps == 10)
        if len(seps) != len(texts) - 1:  # a newline inside an utterance (rare): place the separators
            seps = np.cumsum(np.fromiter(map(len, texts), dtype=np.intp, count=len(texts)) + 1)[:-1] - 1
        mapped[seps] = 10  # the separators stay (as newlines); folding drops every other newline
        keep = mapped != DROP
        if keep.all():
            kept, out = np.arange(len(cps)), mapped
        else:
            kept = np.flatnonzero(keep)
            out = mapped[keep]
        ends = np.flatnonzero(out == 10)
        starts = np.concatenate(([0], ends + 1))
        lens = np.append(ends, len(out)) - starts
        raw_starts = [0, *(seps + 1).tolist()]
        return FoldedCall(text_of(out), out, (starts, lens), texts, kept, raw_starts)

    def _filler_re(self) -> re.Pattern[str] | None:
        if "_filler_pattern" not in self.__dict__:
            words = sorted((w for w in self.fillers if w), key=len, reverse=True)
            self.__dict__["_filler_pattern"] = re.compile("|".join(map(re.escape, words))) if words else None
        return self.__dict__["_filler_pattern"]

    def _filler_split(self) -> tuple[Any, re.Pattern[str] | None]:
        """One-character fillers as a code-point table, longer ones as a pattern: the same drops as
        ``_filler_re`` when no one-character filler occurs inside a longer one (else: no table)."""
        if "_filler_tables" not in self.__dict__:
            single = [w for w in self.fillers if len(w) == 1]
            multi = sorted((w for w in self.fillers if len(w) > 1), key=len, reverse=True)
            if not single or any(c in w for c in single for w in multi):
                split = (None, self._filler_re())
            else:
                table = np.zeros(0x110000, dtype=bool)
                table[[ord(c) for c in single]] = True
                split = (table, re.compile("|".join(map(re.escape, multi))) if multi else None)
            self.__dict__["_filler_tables"] = split
        return self.__dict__["_filler_tables"]

    def clean(self, folded: str, cps: Codes | None = None) -> Clean | None:
        """Fillers and stutters removed, spoken digits read; ``None`` when nothing changes.

        Works on the code points (``cps``, computed when not given), a whole call at a time: the
        kept positions are the map back to ``folded``."""
        if cps is None:
            cps = codes(folded)
        drop: list[int] = []  # positions of ``folded`` to leave out
        single, filler_re = self._filler_split()  # filler words
        keep = ~single[cps] if single is not None else None
        if filler_re is not None:
            for m in filler_re.finditer(folded):
                drop.extend(range(m.start(), m.end()))
        if self.stutters and len(cps) > 1:  # 我我我 → 我, 好好好 → 好; doubles only for stutter-prone characters
            again = (np.flatnonzero(cps[1:] == cps[:-1]) + 1).tolist()  # positions repeating the one before
            i = 0
            while i < len(again):
                j = i + 1
                while j < len(again) and again[j] == again[j - 1] + 1:
                    j += 1
                ch = folded[again[i]]
                if ch != "\n" and not ch.isdigit() and (j - i >= 2 or ch in self.stutter_chars):
                    drop.extend(again[i:j])
                i = j
        if drop:
            if keep is None:
                keep = np.ones(len(cps), dtype=bool)
            keep[drop] = False
        if keep is not None and not keep.all():
            back = np.flatnonzero(keep)
            out = cps[keep]
        else:
            back, out = None, cps
        if self.numerals:
            out = _spoken_digits(out)
        if back is None and out is cps:
            return None
        return Clean(text_of(out), back if back is not None else np.arange(len(cps)), cps=out)

    def phrase_forms_many(self, phrases: Sequence[str]) -> list[tuple[str, ...]]:
        """``phrase_forms`` of each phrase, a word list folded and cleaned in one pass over all its
        phrases (a line each, as a call's utterances are) instead of a pass each: the cold compile
        of a 50,000-phrase list spent ~1.5 s in those passes."""
        if len(phrases) < 32 or any("\n" in p for p in phrases):
            return [self.phrase_forms(p) for p in phrases]
        folded = self.fold_call(list(phrases))
        lines = folded.text.split("\n")
        clean = self.clean(folded.text, folded.cps)
        cleaned = lines if clean is None else clean.text.split("\n")
        if not len(lines) == len(cleaned) == len(phrases):  # (no step makes or drops a line; were one to)
            return [self.phrase_forms(p) for p in phrases]
        return [(f,) if c == f or len(c) < max(3, 0.6 * len(f)) else (f, c)
                for f, c in zip(lines, cleaned, strict=True)]

    @lru_cache(maxsize=8192)  # noqa: B019 - normalizers live as long as their rulebook
    def phrase_forms(self, phrase: str) -> tuple[str, ...]:
        """How a rulebook phrase is looked for: its folded form, and its clean form if different."""
        folded = self.fold(phrase).text
        clean = self.clean(folded)
        if clean is None or len(clean.text) < max(3, 0.6 * len(folded)):
            return (folded,)  # 就是说 must not become 说: a phrase made mostly of fillers stays as written
        return tuple(dict.fromkeys((folded, clean.text)))


_DIGIT_RUN = re.compile(f"[0-9{CN_DIGITS}]{{{MIN_SPOKEN_DIGITS},}}")
_HAS_CN_DIGIT = re.compile(f"[{CN_DIGITS}]")


_DIGITISH = np.zeros(0x110000, dtype=bool)
_DIGITISH[[ord(c) for c in "0123456789" + CN_DIGITS]] = True
_TO_DIGIT = np.arange(0x110000, dtype=np.uint32)
_TO_DIGIT[[ord(c) for c in CN_DIGITS]] = [ord(c) for c in "00123456789120"]


def _spoken_digits(cps: Codes) -> Codes:
    """``spoken_digits`` on code points: ``cps`` itself when there is no run to read."""
    digitish = _DIGITISH[cps]
    if digitish.sum() < MIN_SPOKEN_DIGITS:
        return cps
    padded = np.concatenate(([False], digitish, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])  # run starts and ends, alternating
    starts, ends = edges[::2], edges[1::2]
    long = (ends - starts) >= MIN_SPOKEN_DIGITS
    if not long.any():
        return cps
    out = cps.copy()
    for a, b in zip(starts[long].tolist(), ends[long].tolist(), strict=True):
        out[a:b] = _TO_DIGIT[cps[a:b]]
    return out if (out != cps).any() else cps


def spoken_digits(text: str) -> str:
    """Runs of spoken digits (一三九…, 幺, 两, 洞) as ASCII digits, one char for one char."""
    if not _HAS_CN_DIGIT.search(text):
        return text
    return _DIGIT_RUN.sub(lambda m: m.group().translate(_CN_TO_ASCII), text)


DEFAULT = Normalizer()


def normalize(text: str) -> Normalized:
    """The folded view with the default steps."""
    return DEFAULT.fold(text)


def fold(text: str) -> str:
    """The folded form of a phrase with the default steps."""
    return DEFAULT.fold(text).text
