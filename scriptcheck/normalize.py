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

import itertools
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")
CN_DIGITS = "零〇一二三四五六七八九幺两洞"
_CN_TO_ASCII = str.maketrans(CN_DIGITS, "00123456789120")
MIN_SPOKEN_DIGITS = 4  # 一下 stays a word; 一三八零 is a number


@dataclass(frozen=True, slots=True)
class Normalized:
    """``text`` is the folded string; ``offsets[i]`` is the index in the original of ``text[i]``."""

    text: str
    offsets: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``text`` back to the original string."""
        if not self.offsets or start >= end:
            return (0, 0)
        return self.offsets[start], self.offsets[end - 1] + 1

    def original_words(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


@dataclass(frozen=True, slots=True)
class Clean:
    """The clean view of a folded text: ``to_folded[i]`` is the folded index of ``text[i]``."""

    text: str
    to_folded: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.to_folded[start], self.to_folded[end - 1] + 1


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


@lru_cache(maxsize=16384)
def _t2s_char(ch: str) -> str:
    try:
        c = _T2S.convert(ch)
    except UnicodeError:  # a lone surrogate from bad JSON escapes: keep it as it is
        return ch
    return c if len(c) == 1 else ch


def to_simplified(text: str) -> str:
    """Character-level Traditional → Simplified: never rewrite words, never change length.

    OpenCC's phrase table would fold a character differently depending on its neighbours
    (瞭解 → 了解 but 瞭 alone stays); one character at a time, the result is context-free.
    """
    return "".join(map(_t2s_char, text))


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

    def fold(self, text: str) -> Normalized:
        base = to_simplified(text) if self.traditional else text
        out: list[str] = []
        offsets: list[int] = []
        for i, ch in enumerate(base):
            f = _width(ch) if self.width else ch
            if self.case and len(low := f.lower()) == 1:  # 'İ'.lower() is two characters: keep it
                f = low
            if self.punctuation and _is_dropped(f):
                continue
            out.append(f)
            offsets.append(i)
        return Normalized("".join(out), tuple(offsets), text)

    def clean(self, folded: str) -> Clean | None:
        """Fillers and stutters removed, spoken digits read; ``None`` when nothing changes."""
        if not self._may_change(folded):
            return None
        kept: list[int] = []
        i, n = 0, len(folded)
        fillers = sorted((w for w in self.fillers if w), key=len, reverse=True)
        while i < n:  # pass 1: filler words
            f = next((w for w in fillers if folded.startswith(w, i)), None)
            if f is None:
                kept.append(i)
            i += len(f) if f else 1
        if self.stutters:  # pass 2: 我我我 → 我, 好好好 → 好; doubles only for stutter-prone characters
            runs: list[list[int]] = []
            for k in kept:
                if runs and folded[runs[-1][-1]] == folded[k] and not folded[k].isdigit():
                    runs[-1].append(k)
                else:
                    runs.append([k])
            kept = [k for r in runs for k in (
                r[:1] if len(r) >= 3 or (len(r) == 2 and folded[r[0]] in self.stutter_chars) else r)]
        text = "".join(folded[k] for k in kept)
        if self.numerals:
            text = spoken_digits(text)
        if len(kept) == n and text == folded:
            return None
        return Clean(text, tuple(kept))

    def _may_change(self, text: str) -> bool:
        """Cheap pre-check: a filler, a doubled character or a run of spoken digits is present."""
        firsts = self.__dict__.get("_firsts")
        if firsts is None:
            firsts = frozenset(f[0] for f in self.fillers if f)
            object.__setattr__(self, "_firsts", firsts)
        if any(c in firsts for c in text):
            return True
        if self.stutters and any(a == b for a, b in itertools.pairwise(text)):
            return True
        return self.numerals and sum(c in CN_DIGITS for c in text) >= MIN_SPOKEN_DIGITS

    def phrase_forms(self, phrase: str) -> tuple[str, ...]:
        """How a rulebook phrase is looked for: its folded form, and its clean form if different."""
        folded = self.fold(phrase).text
        clean = self.clean(folded)
        if clean is None or len(clean.text) < max(3, 0.6 * len(folded)):
            return (folded,)  # 就是说 must not become 说: a phrase made mostly of fillers stays as written
        return tuple(dict.fromkeys((folded, clean.text)))


_HAS_CN_DIGIT = re.compile(f"[{CN_DIGITS}]")


def spoken_digits(text: str) -> str:
    """Runs of spoken digits (一三九…, 幺, 两, 洞) as ASCII digits, one char for one char."""
    if not _HAS_CN_DIGIT.search(text):
        return text
    out = list(text)
    run: list[int] = []
    for i, ch in enumerate([*text, ""]):
        if ch and (ch in CN_DIGITS or ch.isdigit()):
            run.append(i)
            continue
        if sum(text[k] in CN_DIGITS for k in run) and len(run) >= MIN_SPOKEN_DIGITS:
            for k in run:
                out[k] = text[k].translate(_CN_TO_ASCII)
        run = []
    return "".join(out)


DEFAULT = Normalizer()


def normalize(text: str) -> Normalized:
    """The folded view with the default steps."""
    return DEFAULT.fold(text)


def fold(text: str) -> str:
    """The folded form of a phrase with the default steps."""
    return DEFAULT.fold(text).text
