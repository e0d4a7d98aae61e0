"""Text normalization that remembers where every character came from.

Phrases and transcripts are folded the same way (width, case, Traditional → Simplified,
punctuation and spaces dropped) so a phrase matches whatever the ASR produced; the offset map
lets every hit point back at the exact original words.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")


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


FILLERS = frozenset("嗯呃唔")


def _is_dropped(ch: str) -> bool:
    """Punctuation, symbols, whitespace and pure filler sounds carry no meaning in ASR text; drop them."""
    if ch.isspace() or ch in FILLERS:
        return True
    cat = unicodedata.category(ch)
    return cat[0] in ("P", "Z", "C") or cat in ("Sk", "So", "Sm")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Width and case folding of one character (NFKC keeps CJK ideographs intact)."""
    folded = unicodedata.normalize("NFKC", ch).lower()
    return folded if len(folded) == 1 else ch.lower()


def to_simplified(text: str) -> str:
    """Character-level Traditional → Simplified: never rewrite words, never change length."""
    converted = _T2S.convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := _T2S.convert(ch)) == 1 else ch for ch in text)


def normalize(text: str, *, simplify: bool = True, drop_punct: bool = True) -> Normalized:
    """Fold ``text`` for matching and keep an offset map back to it."""
    base = to_simplified(text) if simplify else text
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(base):
        f = _fold_char(ch)
        if drop_punct and _is_dropped(f):
            continue
        out.append(f)
        offsets.append(i)
    return Normalized("".join(out), tuple(offsets), text)


def fold(text: str) -> str:
    """The folded form of a phrase (what rulebook phrases are compiled as)."""
    return normalize(text).text
