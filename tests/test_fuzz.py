"""Property tests (hypothesis): readers and the checker never crash on any input, evidence offsets
are always valid, and results are deterministic.

Default: a quick run in CI. A longer run (docs/reliability.md):
    HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py tests/test_normalize.py -q
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scriptcheck.engine import Checker
from scriptcheck.model import Call, CallReport, Segment
from scriptcheck.readers import ReadError, read_file

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

CHECKER = Checker.from_rulebook("default", mask_pii=False)

# text that looks like call-center ASR: CJK, taboo fragments, digits, spoken numerals, fillers, punctuation
WORDS = st.sampled_from([
    "您好", "你再说一遍", "请稍等", "再见", "感谢您的来电", "嗯", "那个", "就是", "一三九", "五七一二", "六六零四",
    "身份证号", "卡号", "6259630123458876", "滚", "神经病", "“", "”", "，", "。", "？", " ", "請稍等", "ＡＢＣ",
    "我我我", "内部文件", "别往外说", "您", "你", "İ", "\u3000", "🙂"])
TEXT = st.lists(st.one_of(WORDS, st.text(max_size=6)), max_size=12).map("".join)
SEGMENT = st.builds(lambda spk, txt, t: (spk, txt, t), st.sampled_from(["agent", "customer"]), TEXT,
                    st.one_of(st.none(), st.floats(0, 600, allow_nan=False)))


def make_call(parts: list[tuple[str, str, float | None]]) -> Call:
    timed = all(t is not None for *_, t in parts)
    segs = []
    clock = 0.0
    for spk, txt, t in parts:
        if timed:
            clock += (t or 0) % 30
            segs.append(Segment(speaker=spk, text=txt, start=clock, end=clock + 2.0))
        else:
            segs.append(Segment(speaker=spk, text=txt))
    return Call(call_id="fuzz", segments=segs)


def check_evidence(call: Call, report: CallReport) -> None:
    for f in [*report.findings, *report.advice]:
        if f.segment is None:
            continue
        assert 0 <= f.segment < len(call.segments)
        assert f.text == call.segments[f.segment].text
        assert f.matched in f.text  # evidence is the original words, never normalized text


@given(st.lists(SEGMENT, min_size=1, max_size=12))
def test_checker_never_crashes_and_is_deterministic(parts):
    call = make_call(parts)
    first = CHECKER.check(call)
    again = CHECKER.check(call)
    assert first.model_dump() == again.model_dump()
    assert first.verdict in ("pass", "fail", "error")
    if first.verdict != "error":
        assert 0 <= first.score <= 100
        check_evidence(call, first)


@given(st.binary(max_size=600), st.sampled_from([".json", ".jsonl", ".txt"]))
def test_readers_never_crash_on_any_bytes(data, suffix):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"x{suffix}"
        p.write_bytes(data)
        items = list(read_file(p))
    assert items, "every file yields at least one call or error record"
    for item in items:
        assert isinstance(item, (Call, ReadError))
        if isinstance(item, ReadError):
            assert str(p.name) in item.message


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                           st.sampled_from(["call_id", "segments", "speaker", "text", "start", "end", "agent_id"]),
                           inner, max_size=5), max_leaves=20)


@given(st.lists(JSONISH, min_size=1, max_size=5))
def test_any_json_lines_become_calls_or_error_records(objs):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.jsonl"
        p.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in objs) + "\n", encoding="utf-8")
        items = list(read_file(p))
        assert len(items) == len(objs)  # one result per line, nothing lost
        for item in items:
            if isinstance(item, Call):
                report = CHECKER.check(item)
                assert report.call_id == item.call_id
