"""The report contract of formats.md §2: keys, types, value ranges, and the JSON Lines writer."""

from __future__ import annotations

import io
import json
import re

import pytest

from scriptcheck.model import Call, Segment
from scriptcheck.report import FORMATS, Summary

CHECKS = [
    "greeting", "hold_notify", "hold_thanks", "closing_ask_more", "closing_farewell", "forbidden_phrase",
    "interruption", "surname_leak", "redline_abuse", "redline_sarcasm", "redline_privacy", "redline_internal",
]
TOP_KEYS = {"call_id": str, "score": float, "verdict": str, "red_line": bool, "checks": dict,
            "findings": list, "metrics": dict, "errors": list}
FINDING_KEYS = ["check", "rule", "stage", "segment", "start", "end", "speaker", "text", "matched", "message",
                "suggestion"]
METRIC_KEYS = ["duration", "agent_talk", "customer_talk", "silence_ratio", "longest_silence", "interruptions",
               "agent_chars_per_min", "turns"]

# A clean, fully timed call: agent talk 24.0 s, customer talk 11.0 s, one 14.0 s announced hold.
CLEAN_TIMED = """
[00:00.0-00:05.0] 坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？
[00:05.5-00:12.0] 客户：我想查一下这个月的话费，感觉比上个月多了不少。
[00:12.5-00:16.0] 坐席：好的，现在为您查询，请稍等。
[00:30.0-00:38.0] 坐席：感谢您的耐心等待，您本月多了一笔二十元的流量包费用。
[00:38.5-00:42.0] 客户：哦，那是我自己订的，没事了。
[00:42.5-00:46.0] 坐席：好的，请问还有其他可以帮您的吗？
[00:46.5-00:47.5] 客户：没有了。
[00:48.0-00:52.0] 坐席：感谢您的来电，祝您生活愉快，再见！
"""

# A timed call with a taboo, an interruption and a red line (abuse), plus a customer curse.
BAD_TIMED = """
[00:00.0-00:04.0] 坐席：喂，你好。
[00:04.5-00:12.0] 客户：你们他妈的又乱扣我话费，上个月多扣了五十块！
[00:10.0-00:13.0] 坐席：你再说一遍？
[00:13.5-00:17.0] 客户：我说你们乱扣费！
[00:17.5-00:20.0] 坐席：神经病，自己订的还来骂人。
[00:20.5-00:21.5] 客户：你说什么？
[00:22.0-00:23.0] 坐席：再见。
"""


def _agent_chars(text: str) -> int:
    return sum(len(re.findall(r"[\u4e00-\u9fff]", line.split("坐席：", 1)[1]))
               for line in text.strip().splitlines() if "坐席：" in line)


@pytest.fixture
def clean_report(checker, transcript):
    return checker.check(transcript(CLEAN_TIMED, call_id="c0001"))


@pytest.fixture
def bad_report(checker, transcript):
    call = transcript(BAD_TIMED, call_id="c0002")
    call.agent_id = "A1024"
    return checker.check(call)


def test_top_level_keys_and_types(clean_report):
    d = clean_report.model_dump(mode="json")
    for key, typ in TOP_KEYS.items():
        assert key in d, key
        assert isinstance(d[key], typ), (key, d[key])
    assert "agent_id" in d and d["agent_id"] is None
    assert d["call_id"] == "c0001"
    assert 0 <= d["score"] <= 100
    assert d["verdict"] in ("pass", "fail")


def test_checks_are_exactly_the_twelve_categories(clean_report, bad_report):
    for r in (clean_report, bad_report):
        assert list(r.checks) == CHECKS
        assert set(r.checks.values()) <= {"pass", "fail", "n/a"}


def test_clean_timed_call(clean_report):
    r = clean_report
    assert r.verdict == "pass" and r.score == 100 and r.red_line is False
    assert r.findings == [] and r.errors == []
    assert all(v == "pass" for v in r.checks.values()), r.checks


def test_metrics_of_a_timed_call(clean_report):
    m = clean_report.metrics.model_dump()
    assert list(m) == METRIC_KEYS
    assert m["duration"] == pytest.approx(52.0)
    assert m["agent_talk"] == pytest.approx(24.0)
    assert m["customer_talk"] == pytest.approx(11.0)
    assert m["silence_ratio"] == pytest.approx(1 - 35.0 / 52.0, abs=0.001)
    assert 0 <= m["silence_ratio"] <= 1
    assert m["longest_silence"] == pytest.approx(14.0)
    assert m["interruptions"] == 0
    assert m["turns"] == 7
    assert m["agent_chars_per_min"] == pytest.approx(_agent_chars(CLEAN_TIMED) / (24.0 / 60), abs=0.1)


def test_metrics_are_null_without_timestamps(checker, transcript):
    untimed = "\n".join(line.split("] ", 1)[1] for line in CLEAN_TIMED.strip().splitlines())
    r = checker.check(transcript(untimed))
    m = r.metrics.model_dump()
    for key in METRIC_KEYS:
        if key != "turns":
            assert m[key] is None, key
    assert m["turns"] == 7
    assert r.checks["interruption"] == "n/a"


def test_red_line_call(bad_report):
    r = bad_report
    assert r.red_line is True
    assert r.score == 0
    assert r.verdict == "fail"
    assert r.agent_id == "A1024"
    assert r.checks["redline_abuse"] == "fail"
    assert r.checks["forbidden_phrase"] == "fail"
    assert r.checks["interruption"] == "fail"
    assert r.metrics.interruptions == 1
    # the customer's curse is never evidence against the agent
    assert all(f.speaker in ("agent", None) for f in r.findings)


def test_finding_fields(bad_report, checker):
    assert bad_report.findings
    for f in bad_report.findings:
        d = f.model_dump()
        for key in FINDING_KEYS:
            assert key in d, key
        assert f.check in CHECKS
        assert f.rule in checker.rulebook.rules
        assert checker.rulebook.rules[f.rule].check == f.check
        assert f.stage in ("greeting", "service", "hold", "closing", "any")
        assert isinstance(f.message, str) and f.message
        if f.segment is not None:
            call_line = BAD_TIMED.strip().splitlines()[f.segment]
            assert f.text in call_line
            assert f.start is not None and f.end is not None and f.start <= f.end
            assert f.speaker == "agent"
            assert f.matched == "" or f.matched in f.text
    abuse = [f for f in bad_report.findings if f.check == "redline_abuse"]
    assert [(f.segment, f.start, f.end, f.matched) for f in abuse] == [(4, 17.5, 20.0, "神经病")]
    assert abuse[0].suggestion == checker.rulebook.rules["redline.abuse.insult"].suggestion


def test_findings_are_sorted_by_segment(bad_report):
    segs = [f.segment if f.segment is not None else -1 for f in bad_report.findings]
    assert segs == sorted(segs)


def _json_lines(checker, reports) -> list[dict]:
    buf = io.StringIO()
    fmt = FORMATS["json"](buf, lang="zh", checks=checker.rulebook.checks)
    fmt.start()
    summary = Summary()
    for r in reports:
        summary.add(r)
        fmt.call(r)
    fmt.finish(summary)
    text = buf.getvalue()
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_json_formatter_writes_one_object_per_line(checker, clean_report, bad_report):
    rows = _json_lines(checker, [clean_report, bad_report])
    assert len(rows) == 2
    assert [row["call_id"] for row in rows] == ["c0001", "c0002"]
    for row, rep in zip(rows, (clean_report, bad_report), strict=True):
        for key, typ in TOP_KEYS.items():
            assert isinstance(row[key], typ), key
        assert "agent_id" in row
        assert list(row["checks"]) == CHECKS
        assert list(row["metrics"]) == METRIC_KEYS
        assert row["score"] == rep.score and row["verdict"] == rep.verdict and row["red_line"] == rep.red_line
        assert len(row["findings"]) == len(rep.findings)
        for f in row["findings"]:
            assert set(FINDING_KEYS) <= set(f)
            assert set(f) - set(FINDING_KEYS) <= {"note", "level"}
            assert f.get("level", "warning") == "warning"  # "error" is the implied default
    assert rows[1]["red_line"] is True and rows[1]["score"] == 0 and rows[1]["verdict"] == "fail"


def test_json_formatter_keeps_chinese_readable(checker, bad_report):
    buf = io.StringIO()
    FORMATS["json"](buf, lang="zh", checks=checker.rulebook.checks).call(bad_report)
    assert "神经病" in buf.getvalue()  # ensure_ascii=False
    assert "\\u" not in buf.getvalue()


def test_json_metrics_null_without_timestamps(checker, transcript):
    r = checker.check(transcript("坐席：您好，云桥通信，很高兴为您服务。\n客户：我想查话费。"))
    [row] = _json_lines(checker, [r])
    assert row["metrics"]["duration"] is None
    assert row["metrics"]["interruptions"] is None
    assert row["metrics"]["turns"] == 2


def test_text_formatter_renders_verdict_and_evidence(checker, bad_report, clean_report):
    buf = io.StringIO()
    fmt = FORMATS["text"](buf, lang="zh", checks=checker.rulebook.checks)
    fmt.start()
    summary = Summary()
    for r in (clean_report, bad_report):
        summary.add(r)
        fmt.call(r)
    fmt.finish(summary)
    out = buf.getvalue()
    assert "c0001" in out and "c0002" in out
    assert "合格" in out and "不合格" in out and "触犯高压线" in out
    assert "神经病" in out
    assert summary.read == 2 and summary.passed == 1 and summary.failed == 1 and summary.red_lines == 1


def _reference_line(report) -> str:
    """The contract by its definition: pydantic's dump, the default ``level`` and an absent
    ``note`` left out, written compact (what ``report_line`` must give, byte for byte)."""
    data = report.model_dump(mode="json")
    for f in [*data["findings"], *data["advice"]]:
        if f["level"] == "error":
            del f["level"]
        if f["note"] is None:
            del f["note"]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def test_report_line_is_the_models_dump_byte_for_byte(checker, transcript, clean_report, bad_report):
    from pathlib import Path

    from scriptcheck.readers import read_paths
    from scriptcheck.report.jsonl import report_line

    samples = Path(__file__).resolve().parent.parent / "samples"
    reports = [clean_report, bad_report, *(checker.check(c) for c in read_paths([samples]))]
    reports.append(checker.error_report("c-bad", ["call c-bad: no segments"], "x.jsonl"))
    reports.append(checker.check(transcript("坐席：您好，云桥通信。\n客户：你说什么？\n坐席：你在说一遍。")))
    unlabelled = Call(call_id="c-ids", segments=[
        Segment(speaker="unknown", label="spk1", text="您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"),
        Segment(speaker="unknown", label="spk2", text="我想查一下话费，我的身份证号是110105199003071234"),
        Segment(speaker="unknown", label="spk1", text="好的，请稍等，感谢您的耐心等待，还有其他可以帮您的吗？再见。"),
    ])
    reports.append(checker.check(unlabelled))
    kinds = [f for r in reports for f in [*r.findings, *r.advice]]
    assert any(f.note for f in kinds) and any(f.level == "warning" for f in kinds)  # both written when set
    assert any(r.advice for r in reports) and any(r.roles.get("mapping") for r in reports)
    for r in reports:
        line = report_line(r)
        assert line == _reference_line(r), r.call_id
        assert "\n" not in line
