"""Calls scanned a batch at a time (``scan.scan_calls``) must each get exactly what scanning the call
alone gives: the folded and clean views with their offset maps, every wording and homophone hit in
the same order, and so the same report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scriptcheck.engine import Checker
from scriptcheck.model import Call, Segment
from scriptcheck.readers import read_paths
from scriptcheck.report.jsonl import report_line
from scriptcheck.scan import Scanned, scan_calls

ROOT = Path(__file__).resolve().parents[1]

# pieces of call-centre speech that exercise every step: wordings of the default rulebook, fillers
# and stutters (the clean view), spoken digits, Traditional and full-width characters, punctuation,
# a homophone (在见), a character beyond the BMP, a newline inside an utterance
PIECES = ["您好", "请稍等", "我姓陈", "还有其他问题吗？", "没事我挂了", "多谢",
          "再见", "在见", "感谢您的来电", "还有其他问题吗", "嗯", "啊", "那个", "就是", "我我我",
          "一三九五七一二六六零四", "幺三八", "您的身份证号是", "等著", "ＯＫ", "，", "？", "。", " ", "\n", "𠀀",
          "你再说一遍", "没事请挂机", "谢谢", "不客气", "稍后", "好的"]
UTTERANCE = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)
CALL = st.lists(UTTERANCE, min_size=1, max_size=5)


@pytest.fixture(scope="module")
def lexicon():
    return Checker.from_rulebook("default").rulebook.lexicon


def make_call(texts: list[str]) -> Call:
    return Call(call_id="c", segments=[Segment(speaker="agent" if i % 2 else "customer", text=t)
                                       for i, t in enumerate(texts)])


def view(s: Scanned) -> dict[str, object]:
    """Everything a check reads of a ``Scanned``, as plain values."""
    n = s.norms
    out: dict[str, object] = {
        "text": n.text, "starts": n.starts, "lens": n.lens, "originals": n.originals, "cps": n.cps.tolist(),
        "utterances": [(u.text, u.offsets) for u in n], "rows": s.rows, "sounds": s.sound_rows,
        "key": s.sound_key.tolist(), "clean": None,
        "utf8": [(b.data, b.lines, b.utterances) for b in s.utf8],
    }
    if s.clean is not None:
        out["clean"] = (s.clean.text, s.clean.back.tolist(), s.clean.cps.tolist())
    return out


@settings(deadline=None, max_examples=150)
@given(st.lists(CALL, min_size=1, max_size=5))
@example([["您好，请问有什么可以帮您？"], ["嗯那个，我我我想问一下"], ["好的，再见。"]])
@example([["一三九五七一二六六零四"], ["您好"], [""]])  # a spoken number read in one call only; an empty text
@example([["谢谢", "不客气"], ["在见"]])
def test_a_batch_gives_each_call_what_it_gets_alone(lexicon, calls):
    together = scan_calls(lexicon, calls)
    assert len(together) == len(calls)
    for texts, got in zip(calls, together, strict=True):
        assert view(got) == view(scan_calls(lexicon, [texts])[0])


def test_reports_of_a_batch_equal_reports_one_at_a_time():
    checker = Checker.from_rulebook("default")
    calls = [c for c in read_paths([str(ROOT / "samples"), str(ROOT / "tests" / "data")], None)
             if hasattr(c, "segments") and c.segments]
    assert len(calls) >= 10
    alone = [report_line(checker.check(c)) for c in calls]
    together = [report_line(checker.check(c, s)) for c, s in zip(calls, checker.scan(calls), strict=True)]
    assert together == alone
    assert any(json.loads(line)["verdict"] == "fail" for line in together)  # the batch has findings to compare


def _index(lexicon, rows) -> dict[int, dict[int, list[tuple[int, int]]]]:
    """Rows indexed by word set, as ``CallContext`` does."""
    out: dict[int, dict[int, list[tuple[int, int]]]] = {}
    for pattern, seg, a, b in dict.fromkeys(rows):
        for ws_id in lexicon.owners(pattern):
            spans = out.setdefault(ws_id, {}).setdefault(seg, [])
            if (a, b) not in spans:
                spans.append((a, b))
    return out


@settings(deadline=None, max_examples=150)
@given(CALL)
@example(["嗯您好，请问有什么可以帮您", "好的请稍等", "那个我我我想问一下"])
def test_clean_view_scanned_where_it_differs_finds_all_it_would_find(lexicon, texts):
    """Scanning the clean view only in the utterances it changes indexes the same hits as scanning
    all of it (in the other utterances it reads as the folded view, already scanned)."""
    from scriptcheck.scan import locate

    nz = lexicon.normalizer
    folded = nz.fold_call(texts)
    clean = nz.clean(folded.text, folded.cps)
    whole = locate(lexicon.matches(folded.cps), folded, None)
    if clean is not None:
        whole += locate(lexicon.matches(clean.cps), folded, clean)
    assert _index(lexicon, scan_calls(lexicon, [texts])[0].rows) == _index(lexicon, whole)


@settings(deadline=None, max_examples=100)
@given(st.lists(CALL, min_size=1, max_size=4))
@example([["嗯谢谢", "不客气"], ["那个我姓陈", "好的谢谢您"]])
def test_pattern_candidates_miss_no_utterance_a_pattern_matches(calls):
    """Patterns run on the folded view and on the clean view of the utterances it changes: every
    utterance where a word set's pattern matches (in either view) is among its candidates."""
    checker = Checker.from_rulebook("default")
    lexicon = checker.rulebook.lexicon
    sets = [ws for ws in lexicon._sets if ws.regex is not None]
    for texts, scanned in zip(calls, scan_calls(lexicon, calls), strict=True):
        ctx = checker.context(make_call(texts), scanned)
        for ws in sets:
            truth = {i for i in range(len(texts)) if lexicon.regex_spans(ws, ctx.norms[i].text)
                     or ((c := ctx.clean_view(i)) is not None and lexicon.regex_spans(ws, c.text))}
            assert truth <= ctx.segments_with(ws), (texts, ws.patterns)


def test_a_scan_leaves_out_only_homophones_every_hearer_said():
    """A homophone on the characters of a wording said there is dropped by the scan only when every
    word set hearing that key owns the wording; another set hearing it keeps it (再说一遍 is heard
    as 在说一遍 by the set that has only that wording), and a clean-view hit the folded view found
    too is there once."""
    from scriptcheck.context import CallContext
    from scriptcheck.lexicon import Lexicon

    alone = Lexicon()
    said = alone.add(["再说一遍"], sounds=4)
    alone.build()
    row = scan_calls(alone, [["你再说一遍"]])[0]
    assert row.rows == [(0, 0, 1, 5)] and row.sound_rows == []

    shared = Lexicon()
    said, heard = shared.add(["再说一遍"], sounds=4), shared.add(["在说一遍"], sounds=4)
    shared.build()
    scanned = scan_calls(shared, [["你再说一遍"], ["嗯你在说一遍"]])
    assert [s.sound_rows for s in scanned] == [[(0, 0, 1, 5)], [(0, 0, 2, 6)]]
    rb = Checker.from_rulebook("default").rulebook
    ctx = CallContext(make_call(["你再说一遍"]), shared, rb.stages, rb.settings, scanned[0])
    assert ctx.sound_spans(0, heard, 4) == [(1, 5)] and ctx.sound_spans(0, said, 4) == []

    folded_and_clean = scan_calls(alone, [["那个你再说一遍"]])[0]  # the filler makes a clean view
    assert folded_and_clean.clean is not None and len(folded_and_clean.rows) == len(set(folded_and_clean.rows)) == 1


@settings(deadline=None, max_examples=200)
@given(st.lists(st.integers(0, 60), max_size=40), st.lists(st.integers(0, 60), max_size=40))
def test_member_is_isin(x: list[int], pool: list[int]) -> None:
    import numpy as np

    from scriptcheck.scan import _member

    xs, ps = np.array(x, dtype=np.intp), np.array(pool, dtype=np.intp)
    assert _member(xs, ps).tolist() == np.isin(xs, ps).tolist()
