"""The light batch path: with ``--format json`` and no history recorder, workers send back each chunk's
rendered lines and Summary instead of its reports. It must give exactly what the full path gives:
the same output bytes, the same Summary (counts, float total, Counter order, per-agent arrays)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import KillsItsWorker

from scriptcheck import batch
from scriptcheck.model import CallReport
from scriptcheck.readers import Line
from scriptcheck.readers.jsonl import stream_jsonl
from scriptcheck.report import Summary
from scriptcheck.report.jsonl import JsonFormatter
from scriptcheck.report.text import TextFormatter

OPENING = "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"
CLOSING = "感谢您的来电，祝您生活愉快，再见！"
ASKS = ["我想查一下这个月的话费。", "我的宽带从昨天开始就连不上了。", "积分怎么兑换流量？",
        "我要投诉，上个月多扣了二十块钱。"]
ANSWERS = ["好的，您本月话费是五十八元。请问还有其他可以帮您的吗？",
           "非常抱歉给您带来不便，我马上为您登记报修，师傅会在两小时内联系您。",
           "你再说一遍，我没听清。",                      # a failing answer
           "你是不是脑子进水了，这都不会。",              # a red line
           "好的，多扣的二十元会在三个工作日内退回原账户。"]


def _call(i: int) -> dict:
    t = float(i % 7)
    segments = [
        {"speaker": "agent", "start": 0.0, "end": 4.0, "text": OPENING},
        {"speaker": "customer", "start": 4.5, "end": 7.0 + t, "text": ASKS[i % len(ASKS)]},
        {"speaker": "agent", "start": 8.0 + t, "end": 12.0 + 2 * t, "text": ANSWERS[i % len(ANSWERS)]},
        {"speaker": "customer", "start": 13.0 + 2 * t, "end": 14.0 + 2 * t, "text": "没有了，谢谢。"},
    ]
    if i % 4:  # every fourth call never says goodbye
        segments.append({"speaker": "agent", "start": 15.0 + 3 * t, "end": 18.0 + 3 * t, "text": CLOSING})
    return {"call_id": f"c{i:03d}", "agent_id": f"A{i % 5 + 1}", "segments": segments}


def _corpus(path: Path, n: int = 150) -> None:
    """Realistic calls, with bad records spread over several chunks: torn JSON, a wrong-typed field,
    and after the first 64 kB (where the file's encoding is decided) a GBK-encoded line, undecodable
    bytes, a blank line of full-width spaces, a line indented."""
    rows = [json.dumps(_call(i), ensure_ascii=False).encode("utf-8") for i in range(n)]
    rows[10] = rows[10][:70]
    rows[25] = json.dumps({"call_id": "wrongtype", "segments": "none"}).encode()
    assert len(b"".join(rows[:120])) > 65536
    rows[120] = json.dumps(_call(120), ensure_ascii=False).encode("gbk")
    rows[125] = b'{"call_id": "\xff\xfe\x80"}'
    rows[130] = "\u3000\u3000".encode()
    rows[140] = b"  " + rows[140]
    path.write_bytes(b"\n".join(rows) + b"\n")


class _Json(JsonFormatter):
    """A JsonFormatter that counts how its calls reached it, and keeps per-agent figures (a plain
    one keeps none) so that merging them is compared too."""

    agent_figures = True

    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.reports = self.blocks = 0

    def call(self, report: CallReport) -> None:
        self.reports += 1
        super().call(report)

    def write_rendered(self, text: str) -> None:
        self.blocks += 1
        super().write_rendered(text)


@pytest.fixture
def small_chunks(monkeypatch):
    """Few calls in-process and small chunks, so that a small corpus spans many worker chunks."""
    monkeypatch.setattr(batch, "IN_PROCESS_FIRST", 4)
    monkeypatch.setattr(batch, "CHUNK", 8)


def _run(checker, path: Path, jobs: int, recorder: list[CallReport] | None = None) -> tuple[_Json, Summary]:
    fmt = _Json()
    result = batch.run(checker, [str(path)], fmt, jobs=jobs, on_report=None if recorder is None else recorder.append)
    assert not result.interrupted and result.reconciled
    return fmt, result.summary


def _same_summary(a: Summary, b: Summary) -> None:
    assert a == b
    assert a.score_total == b.score_total  # exactly: not merely close
    assert list(a.check_fails.items()) == list(b.check_fails.items())  # most_common() breaks ties by this order
    assert list(a.by_agent) == list(b.by_agent)
    assert _printed(a) == _printed(b)


def _printed(s: Summary) -> str:
    """The summary as ``--format text`` prints it (no rulebook labels: failed checks in Counter order)."""
    out = io.StringIO()
    fmt = TextFormatter(out)
    fmt.start()
    fmt.finish(s)
    return out.getvalue()


def test_light_path_gives_the_output_and_summary_of_one_by_one(checker, tmp_path, small_chunks):
    src = tmp_path / "calls.jsonl"
    _corpus(src)
    one, s_one = _run(checker, src, jobs=1)
    light, s_light = _run(checker, src, jobs=2)
    recorded: list[CallReport] = []
    full, s_full = _run(checker, src, jobs=2, recorder=recorded)

    assert one.reports == 149 and one.blocks == 0  # the blank line is no call
    assert light.reports == 4 and light.blocks >= 10  # all but the in-process calls came as text
    assert full.blocks == 0 and len(recorded) == 149
    assert light.stream.getvalue() == one.stream.getvalue() == full.stream.getvalue()
    _same_summary(s_light, s_one)
    _same_summary(s_full, s_one)

    rows = [json.loads(x) for x in light.stream.getvalue().splitlines()]
    errors = {r["call_id"]: r["errors"][0] for r in rows if r["verdict"] == "error"}
    assert errors.keys() == {"calls:11", "wrongtype", "calls:126"}
    assert errors["calls:126"] == f"{src}:126: undecodable bytes at 13"
    assert next(r for r in rows if r["call_id"] == "c120")["verdict"] != "error"  # GBK line read as such
    assert s_one.red_lines > 0 and s_one.failed > 0 and s_one.errors == 3
    assert [r.call_id for r in recorded] == [r["call_id"] for r in rows]


def test_light_path_survives_a_dying_worker(checker, tmp_path, small_chunks):
    """The chunk whose worker died is redone a call at a time; the call that kills its worker twice
    becomes an error record; nothing lost, input order kept, same as the full path."""
    src = tmp_path / "calls.jsonl"
    _corpus(src)
    killer = KillsItsWorker(checker, "c033")
    light, s_light = _run(killer, src, jobs=2)
    full, s_full = _run(killer, src, jobs=2, recorder=[])
    one, _ = _run(checker, src, jobs=1)

    assert light.blocks > 0 and full.blocks == 0
    assert light.stream.getvalue() == full.stream.getvalue()
    _same_summary(s_light, s_full)
    got, want = light.stream.getvalue().splitlines(), one.stream.getvalue().splitlines()
    assert len(got) == len(want) == 149
    dead = [i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w]
    assert len(dead) == 1
    row = json.loads(got[dead[0]])
    assert row["call_id"] == "c033" and row["verdict"] == "error" and "worker process" in row["errors"][0]
    assert s_light.errors == 4 and s_light.read == 149


def test_merge_adds_scores_in_input_order(checker):
    """score_total is a float sum: merging a chunk's own total would round differently
    ((0.1 + 0.2) + 0.3 != 0.1 + (0.2 + 0.3)); merge replays the scores in order."""
    from conftest import make_polite_call

    base = checker.check(make_polite_call("客户：我想查一下话费。\n坐席：好的，请稍等，马上为您查询。"))
    reports = [base.model_copy(update={"score": s}) for s in (0.1, 0.2, 0.3)]
    one = Summary()
    for r in reports:
        one.add(r)
    merged = Summary()
    for part in (reports[:1], reports[1:]):
        rendered = batch.Rendered.of(part, JsonFormatter.render)
        merged.merge(rendered.summary, rendered.scores)
    assert merged.score_total == one.score_total == (0.1 + 0.2) + 0.3
    _same_summary(merged, one)


def test_lazy_lines_read_as_the_eager_reader_does(tmp_path):
    """Lines handed to workers undecoded give the same calls and error records as reading in the parent."""
    src = tmp_path / "calls.jsonl"
    _corpus(src)
    lazy = [x for item in stream_jsonl(src, lazy=True) for x in (item.read() if isinstance(item, Line) else [item])]
    assert lazy == list(stream_jsonl(src))
    bad = tmp_path / "bad.jsonl"
    # past a blank 64 kB head, nothing decodable: the file is reported empty as well
    bad.write_bytes(b"\n" * 70_000 + b'{"call_id": "\xff"}\n\xe3\x80\x80\n')
    assert list(stream_jsonl(bad, lazy=True)) == list(stream_jsonl(bad))
    assert [e.message for e in stream_jsonl(bad)] == [f"{bad}:70001: undecodable bytes at 13",
                                                      f"{bad}: empty file, no calls"]


def test_per_agent_figures_are_kept_only_for_formats_that_show_them(checker, tmp_path, small_chunks):
    """JSON Lines shows no per-agent table: a batch keeps no per-call figures for it (8 bytes a
    figure a call); the text format shows p50/p90 per agent and keeps them, on either path."""
    src = tmp_path / "calls.jsonl"
    _corpus(src)
    for jobs in (1, 2):
        plain = batch.run(checker, [str(src)], JsonFormatter(io.StringIO()), jobs=jobs).summary
        assert plain.by_agent == {} and plain.read > 100 and plain.passed + plain.failed > 100
        shown = TextFormatter(io.StringIO())
        shown.start()
        text = batch.run(checker, [str(src)], shown, jobs=jobs).summary
        assert text.by_agent and sum(len(f["score"]) for f in text.by_agent.values()) == text.passed + text.failed
