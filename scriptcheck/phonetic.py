"""Homophone tolerance: compare wordings by (fuzzy) pinyin, for ASR errors like 请烧等 / 在见.

Only recommended wordings use it (a required phrase may be satisfied phonetically); a forbidden
or red-line phrase never fires on sound alone. Syllables are folded for the usual ASR confusions:
zh/z, ch/c, sh/s, n/l, eng/en, ing/in, ang/an, and 您/你.
"""

from __future__ import annotations

MIN_HAN = 3  # shorter wordings match too much by sound alone (they must end the turn)
TRAILING_PARTICLES = "啊呀哦吧了啦哈喔"

_FINALS = (("iang", "ian"), ("uang", "uan"), ("eng", "en"), ("ing", "in"), ("ang", "an"))


def fuzzy_syllable(ch: str) -> str:
    """The folded pinyin of one Han character (ASR confusions merged)."""
    from pypinyin import lazy_pinyin

    s = lazy_pinyin(ch)[0]
    if s == "nin":
        s = "ni"
    for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(a):
            s = b + s[2:]
    if s.startswith("n"):
        s = "l" + s[1:]
    for a, b in _FINALS:
        if s.endswith(a):
            s = s[: -len(a)] + b
            break
    return s


class _SoundTable(dict):  # type: ignore[type-arg]
    """``str.translate`` table: each Han character → one code point naming its fuzzy syllable
    (from plane 15's private use area), every other character → itself. Filled on first sight,
    so a key costs one C-level ``translate`` per utterance and has the utterance's offsets."""

    syllables: dict[str, str] = {}  # noqa: RUF012 - one registry per process, shared by all tables

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if "\u4e00" <= ch <= "\u9fff":
            syl = fuzzy_syllable(ch)
            out = self.syllables.setdefault(syl, chr(0xF0000 + len(self.syllables)))
        else:
            out = ch
        self[code] = out
        return out


_TABLE = _SoundTable()


def key(text: str) -> str:
    """The fuzzy-pinyin key of folded text: one character per character, so spans line up."""
    return text.translate(_TABLE)


def han_count(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in text)
