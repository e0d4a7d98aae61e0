"""Homophone tolerance: compare wordings by (fuzzy) pinyin, for ASR errors like 请烧等 / 在见.

Only recommended wordings use it (a required phrase may be satisfied phonetically); a forbidden
or red-line phrase never fires on sound alone. Syllables are folded for the usual ASR confusions:
zh/z, ch/c, sh/s, n/l, eng/en, ing/in, ang/an, and 您/你.
"""

from __future__ import annotations

from typing import Any

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


HAN_FIRST, HAN_LAST = 0x4E00, 0x9FFF
_TABLE: dict[int, str] | None = None


def _build_table() -> dict[int, str]:
    """``str.translate`` table: each Han character → one code point naming its fuzzy syllable (from
    the Basic Multilingual Plane's private use area, which folding drops from transcripts, so a key
    is one UTF-16 unit per character); other characters are left as they are. Codes are assigned in
    code-point order, so every process (and the cached compiled rulebooks) agree on them."""
    codes: dict[str, str] = {}
    table: dict[int, str] = {}
    for code in range(HAN_FIRST, HAN_LAST + 1):
        syl = fuzzy_syllable(chr(code))
        table[code] = codes.setdefault(syl, chr(0xE000 + len(codes)))
    return table


def table() -> dict[int, str]:
    """The sound table, built once per machine (pypinyin over 21k characters, ~0.7 s) and cached."""
    global _TABLE
    if _TABLE is None:
        from importlib.metadata import version

        from . import cache

        key = f"pypinyin {version('pypinyin')}"
        _TABLE = cache.load("phonetic", key)
        if not isinstance(_TABLE, dict):
            _TABLE = _build_table()
            cache.store("phonetic", key, {"key": key}, _TABLE)
    return _TABLE


def key(text: str) -> str:
    """The fuzzy-pinyin key of folded text: one character per character, so spans line up."""
    return text.translate(table())


_CODES: Any = None


def key_codes(cps: Any) -> Any:
    """``key`` as code points, of the text whose code points are ``cps`` (a numpy array): one table
    look-up for a whole call instead of a dict look-up per character."""
    global _CODES
    if _CODES is None:
        import numpy as np

        codes = np.arange(0x110000, dtype=np.uint32)
        src = table()
        codes[list(src)] = [ord(c) for c in src.values()]
        _CODES = codes
    return _CODES[cps]


def han_count(text: str) -> int:
    return sum("\u4e00" <= c <= "\u9fff" for c in text)
