"""The phrase automaton scans UTF-16 code units of a call's code points: every occurrence of every
wording must be found at its character offsets, and nothing else (no match starting inside a code
unit, none across a character beyond the BMP), exactly as a brute-force search finds them."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from scriptcheck.charmap import codes
from scriptcheck.lexicon import Scanner

# characters whose UTF-16 bytes overlap in misleading ways: 您 (60A8) 好 (597D) 婝 (5A7D)…, an
# astral Han character (𠀀) and an emoji, digits
ALPHABET = "您好再见请稍等谢谢婝恁㒨𠀀😀12"
WORDS = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=4), min_size=1, max_size=6, unique=True)


def brute(words: list[str], text: str) -> list[tuple[int, int, int]]:
    return sorted((i, a, a + len(w)) for i, w in enumerate(words) for a in range(len(text) - len(w) + 1)
                  if text.startswith(w, a))


def scanned(words: list[str], text: str) -> list[tuple[int, int, int]]:
    rows = Scanner(words).scan(codes(text))
    return [] if rows is None else sorted(map(tuple, rows.tolist()))


@settings(deadline=None)
@given(WORDS, st.text(alphabet=ALPHABET, max_size=40))
@example(["好再"], "您好再见")
@example(["见"], "𠀀见")
@example(["𠀀见"], "再𠀀见")  # a wording beyond the BMP: scanned as text
def test_scanner_finds_exactly_what_brute_force_finds(words, text):
    assert scanned(words, text) == brute(words, text)


def test_no_match_inside_a_code_unit():
    # 您 = A8 60, 好 = 7D 59: the bytes 60 7D would be the code unit 7D60 (絠) read off by one byte
    assert scanned(["絠"], "您好") == []
    assert scanned(["您好"], "您好") == [(0, 0, 2)]


def test_big_word_lists_use_an_nfa_that_finds_the_same(monkeypatch):
    import scriptcheck.lexicon as lexicon

    words = ["您好", "好再", "再见", "见", "𠀀见"[1:], "请稍等", "稍等"]
    texts = ["您好再见", "请稍等一下再见", "婝您好", ""]
    want = [scanned(words, t) for t in texts]  # a DFA for a rulebook's few wordings
    monkeypatch.setattr(lexicon, "DFA_MAX_WORDS", 0)
    assert [scanned(words, t) for t in texts] == want
    assert want[0] == brute(words, texts[0])
