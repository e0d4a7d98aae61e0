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

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")
CN_DIGITS = "零〇一二三四五六七八九幺两洞"
_CN_TO_ASCII = str.maketrans(CN_DIGITS, "00123456789120")
MIN_SPOKEN_DIGITS = 4  # 一下 stays a word; 一三八零 is a number


class Normalized:
    """``text`` is the folded string; ``offsets[i]`` is the index in the original of ``text[i]``.

    The offset map is built only when a span is mapped back (most utterances have no hit).
    """

    __slots__ = ("_base", "_keep", "_offsets", "original", "text")

    def __init__(self, text: str, offsets: tuple[int, ...] | None, original: str,
                 base: str = "", keep: dict[int, object] | None = None) -> None:
        self.text = text
        self.original = original
        self._offsets = offsets
        self._base = base
        self._keep = keep

    @property
    def offsets(self) -> tuple[int, ...]:
        if self._offsets is None:
            table = self._keep or {}
            self._offsets = tuple(i for i, c in enumerate(self._base) if table[ord(c)] is not None)
        return self._offsets

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of ``text`` back to the original string."""
        offsets = self.offsets
        if not offsets or start >= end:
            return (0, 0)
        return offsets[start], offsets[end - 1] + 1

    def original_words(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


@dataclass(frozen=True, slots=True)
class Clean:
    """The clean view of a folded text: ``to_folded[i]`` is the folded index of ``text[i]``.

    An utterance's view is a window on the whole call's map (``back[lo + i] - shift``), so
    cutting a call into utterances copies no offsets; ``to_folded`` is materialised on demand.
    """

    text: str
    back: tuple[int, ...]
    lo: int = 0
    shift: int = 0

    @property
    def to_folded(self) -> tuple[int, ...]:
        if not self.lo and not self.shift and len(self.back) == len(self.text):
            return self.back
        return tuple(k - self.shift for k in self.back[self.lo:self.lo + len(self.text)])

    def folded_index(self, i: int) -> int:
        return self.back[self.lo + i] - self.shift

    def span(self, start: int, end: int) -> tuple[int, int]:
        back, lo, shift = self.back, self.lo, self.shift
        return back[lo + start] - shift, back[lo + end - 1] - shift + 1

    def index_after(self, folded_end: int) -> int:
        """Clean-view position just after folded position ``folded_end - 1``."""
        return bisect.bisect_right(self.back, folded_end - 1 + self.shift, self.lo, self.lo + len(self.text)) - self.lo


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
        ch = chr(code)
        if self.normalizer.traditional:
            ch = _t2s_char(ch)
        self[code] = out = self.normalizer._char(ch)
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

    def _filler_re(self) -> re.Pattern[str] | None:
        if "_filler_pattern" not in self.__dict__:
            words = sorted((w for w in self.fillers if w), key=len, reverse=True)
            self.__dict__["_filler_pattern"] = re.compile("|".join(map(re.escape, words))) if words else None
        return self.__dict__["_filler_pattern"]

    def clean(self, folded: str) -> Clean | None:
        """Fillers and stutters removed, spoken digits read; ``None`` when nothing changes."""
        drops: list[tuple[int, int]] = []  # half-open ranges of ``folded`` to leave out
        filler_re = self._filler_re()
        if filler_re is not None:  # filler words
            drops += [m.span() for m in filler_re.finditer(folded)]
        if self.stutters:  # 我我我 → 我, 好好好 → 好; doubles only for stutter-prone characters
            for m in _RUN.finditer(folded):
                ch, length = m.group(1), m.end() - m.start()
                if not ch.isdigit() and (length >= 3 or ch in self.stutter_chars):
                    drops.append((m.start() + 1, m.end()))
        if drops:
            drops.sort()
            kept: list[int] = []
            pieces: list[str] = []
            pos = 0
            for a, b in drops:
                if a > pos:
                    kept.extend(range(pos, a))
                    pieces.append(folded[pos:a])
                pos = max(pos, b)
            kept.extend(range(pos, len(folded)))
            pieces.append(folded[pos:])
            text = "".join(pieces)
        else:
            kept, text = [], folded
        if self.numerals:
            text = spoken_digits(text)
        if not drops and text == folded:
            return None
        return Clean(text, tuple(kept) if drops else tuple(range(len(folded))))

    @lru_cache(maxsize=8192)  # noqa: B019 - normalizers live as long as their rulebook
    def phrase_forms(self, phrase: str) -> tuple[str, ...]:
        """How a rulebook phrase is looked for: its folded form, and its clean form if different."""
        folded = self.fold(phrase).text
        clean = self.clean(folded)
        if clean is None or len(clean.text) < max(3, 0.6 * len(folded)):
            return (folded,)  # 就是说 must not become 说: a phrase made mostly of fillers stays as written
        return tuple(dict.fromkeys((folded, clean.text)))


_RUN = re.compile(r"(.)\1+")
_DIGIT_RUN = re.compile(f"[0-9{CN_DIGITS}]{{{MIN_SPOKEN_DIGITS},}}")
_HAS_CN_DIGIT = re.compile(f"[{CN_DIGITS}]")


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
