"""Homophone tolerance: compare wordings by (fuzzy) pinyin, for ASR errors like 请烧等 / 在见.

Only recommended wordings use it (a required phrase may be satisfied phonetically); a forbidden
or red-line phrase never fires on sound alone. Syllables are folded for the usual ASR confusions:
zh/z, ch/c, sh/s, n/l, eng/en, ing/in, ang/an, and 您/你.
"""

from __future__ import annotations

from functools import lru_cache

MIN_HAN = 3  # shorter wordings match too much by sound alone (they must end the turn)
TRAILING_PARTICLES = "啊呀哦吧了啦哈喔"

_FINALS = (("iang", "ian"), ("uang", "uan"), ("eng", "en"), ("ing", "in"), ("ang", "an"))


@lru_cache(maxsize=8192)
def _syllable(ch: str) -> str:
    if ch.isspace():
        return "_"  # one token per character, even for a space (keys are space-delimited)
    if not ("\u4e00" <= ch <= "\u9fff"):
        return ch
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


def key(text: str) -> str:
    """Space-delimited fuzzy-pinyin key of folded text (with a leading and trailing space)."""
    return " " + " ".join(_syllable(c) for c in text) + " "


def han_count(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in text)
