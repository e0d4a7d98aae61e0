"""Reliability: a nightly batch of bad inputs mixed with good calls, interrupted and resumed runs,
hostile rulebooks. Every call read must come out as a report or an error record."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scriptcheck.cli import app

GOOD = {"call_id": "good{n}", "agent_id": "A1", "segments": [
    {"speaker": "agent", "start": 0.0, "end": 4.0, "text": "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"},
    {"speaker": "customer", "start": 4.5, "end": 7.0, "text": "我想查一下这个月的话费。"},
    {"speaker": "agent", "start": 7.5, "end": 10.0, "text": "好的，您本月话费是五十八元。请问还有其他可以帮您的吗？"},
    {"speaker": "customer", "start": 10.5, "end": 11.5, "text": "没有了。"},
    {"speaker": "agent", "start": 12.0, "end": 14.0, "text": "感谢您的来电，祝您生活愉快，再见！"},
]}
PLAIN = ("坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？\r\n客户：我想查话费。\r\n"
         "坐席：好的，请问还有其他可以帮您的吗？\r\n客户：没有了。\r\n坐席：感谢您的来电，祝您生活愉快，再见！\r\n")


def good(n: int) -> str:
    return json.dumps({**GOOD, "call_id": f"good{n}"}, ensure_ascii=False)


def run_cli(*args: str, cwd: Path) -> tuple[int, list[dict]]:
    out = cwd / "out.jsonl"
    old = os.getcwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(app, ["check", *args, "-f", "json", "-o", str(out)])
    finally:
        os.chdir(old)
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] if out.exists() else []
    return r.exit_code, rows


def test_nightly_batch_of_bad_inputs_loses_nothing(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    # JSON Lines: good calls around a truncated line, a non-object, a wrong-typed field, an empty call
    (d / "a_mixed.jsonl").write_text("\n".join([
        good(1),
        good(2)[:60],                                             # truncated mid-line
        "[1, 2, 3]",                                              # not a call object
        json.dumps({"call_id": "wrongtype", "segments": "none"}),  # segments not a list
        json.dumps({"call_id": "empty", "segments": []}),          # empty call
        json.dumps({"call_id": "badseg", "segments": [{"speaker": "agent", "text": 42}]}),
        good(3),
    ]) + "\n", encoding="utf-8")
    (d / "b_gbk.txt").write_bytes(PLAIN.encode("gbk"))                     # GBK export
    (d / "c_utf16.txt").write_bytes(PLAIN.encode("utf-16"))                # UTF-16 with BOM
    (d / "d_bom.txt").write_bytes(b"\xef\xbb\xbf" + PLAIN.encode("utf-8"))  # UTF-8 with BOM
    (d / "e_binary.json").write_bytes(bytes(range(256)) * 8)               # a binary file
    (d / "f_broken.json").write_text('{"call_id": "x", "segments": [', encoding="utf-8")
    big = {"call_id": "big", "segments": [
        {"speaker": "agent" if i % 2 == 0 else "customer", "start": i * 3.5, "end": i * 3.5 + 3,
         "text": "好的，我帮您看一下。" if i % 2 == 0 else "我想问一下话费。"} for i in range(10_000)]}
    (d / "g_big.json").write_text(json.dumps(big, ensure_ascii=False), encoding="utf-8")
    code, rows = run_cli(str(d), str(tmp_path / "missing.jsonl"), cwd=tmp_path)
    by_id = {r["call_id"]: r for r in rows}
    # every good call is scored
    for cid in ("good1", "good3", "b_gbk", "c_utf16", "d_bom", "big"):
        assert by_id[cid]["verdict"] in ("pass", "fail"), (cid, by_id[cid]["errors"])
    assert by_id["good1"]["verdict"] == "pass" and by_id["b_gbk"]["verdict"] == "pass"
    # every bad one has an error record naming its file (and line)
    errors = {r["call_id"]: " ".join(r["errors"]) for r in rows if r["verdict"] == "error"}
    assert "a_mixed.jsonl:2" in errors["a_mixed:2"]
    assert "a_mixed.jsonl:3" in errors["a_mixed:3"]
    assert "segments" in errors["wrongtype"]
    assert "no usable segments" in errors["empty"] or "no segments" in errors["empty"]
    assert "segment 0" in errors["badseg"]
    assert "binary" in errors["e_binary"]
    assert "f_broken.json" in errors["f_broken"]
    assert "no such file" in errors["missing"]
    # counts reconcile: 7 lines + 6 files + 1 missing path, one report each; exit code says "not clean"
    assert len(rows) == 14
    assert code == 1


def _corpus(path: Path, n: int) -> None:
    lines = []
    for i in range(n):
        call = json.loads(good(i))
        if i % 3 == 0:
            call["segments"][2]["text"] = "你再说一遍，我没听清。"
        lines.append(json.dumps(call, ensure_ascii=False))
    lines.insert(n // 2, '{"call_id": "torn", "segments": [')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_interrupted_batch_resumes_to_the_same_output(tmp_path):
    src = tmp_path / "calls.jsonl"
    _corpus(src, 4000)
    cmd = [sys.executable, "-m", "scriptcheck", "check", str(src), "-f", "json", "--jobs", "1"]
    full = tmp_path / "full.jsonl"
    subprocess.run([*cmd, "-o", str(full)], capture_output=True, check=False, cwd=tmp_path)
    out = tmp_path / "resumed.jsonl"
    partial = tmp_path / "resumed.jsonl.partial"
    p = subprocess.Popen([*cmd, "-o", str(out)], stderr=subprocess.PIPE, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not partial.exists() or partial.stat().st_size < 20_000):
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err.decode()
    assert partial.exists() and not out.exists()
    kept = partial.read_text(encoding="utf-8").splitlines()
    assert 0 < len(kept) < 4001
    assert all(json.loads(x)["call_id"] for x in kept)  # valid JSON Lines, even when interrupted
    r = subprocess.run([*cmd, "-o", str(out), "--resume"], capture_output=True, check=False, cwd=tmp_path)
    assert r.returncode == 1, r.stderr.decode()  # some calls fail, none lost
    assert out.read_bytes() == full.read_bytes()
    assert not partial.exists()


def test_resume_cuts_a_torn_last_line(tmp_path):
    src = tmp_path / "calls.jsonl"
    src.write_text("\n".join(good(i) for i in range(5)) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_cli(str(src), cwd=tmp_path)  # writes out.jsonl (complete)
    lines = out.read_text(encoding="utf-8").splitlines()
    out.unlink()
    (tmp_path / "out.jsonl.partial").write_text("\n".join(lines[:2]) + "\n" + lines[2][:40], encoding="utf-8")
    r = CliRunner().invoke(app, ["check", str(src), "-f", "json", "-o", str(out), "--resume"])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").splitlines() == lines


HOSTILE = """
extends: default
rules:
  custom.evil:
    check: forbidden_phrase
    kind: forbidden
    message: evil
    patterns: ['(a+)+$', '(x+x+)+y', '(.*a){20}']
"""


def test_catastrophic_patterns_and_alias_bombs_cannot_hang(tmp_path):
    rb = tmp_path / "evil.yaml"
    rb.write_text(HOSTILE, encoding="utf-8")
    calls = tmp_path / "calls.jsonl"
    text = "a" * 5000 + "b" + "x" * 5000
    calls.write_text(json.dumps({"call_id": "e", "segments": [{"speaker": "agent", "text": text}]}) + "\n",
                     encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "scriptcheck", "check", str(calls), "-r", str(rb), "-f", "json"],
                       capture_output=True, timeout=30, check=False, cwd=tmp_path)
    assert r.returncode in (0, 1), r.stderr.decode()
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
                    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
                              f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
                              for i in range(8)), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "scriptcheck", "lint", "-r", str(bomb)],
                       capture_output=True, timeout=30, check=False, cwd=tmp_path)
    assert r.returncode == 2
    assert "alias" in r.stderr.decode().lower()


@pytest.mark.parametrize("pattern", ["(?P<x>a)(?P=x)", "a(?=b)", "x" * 3000])
def test_unsupported_or_oversized_patterns_are_rulebook_errors(tmp_path, pattern):
    rb = tmp_path / "bad.yaml"
    rb.write_text(f"extends: default\nrules:\n  custom.bad:\n    check: forbidden_phrase\n    kind: forbidden\n"
                  f"    message: m\n    patterns: ['{pattern}']\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["check", "-r", str(rb), str(tmp_path)])
    assert r.exit_code == 2  # the checker refuses the rulebook
    assert "bad.yaml:7" in r.output
    r = CliRunner().invoke(app, ["lint", "-r", str(rb)])
    assert r.exit_code == 1  # the linter reports it as a finding (PB005), file:line:col
    assert "bad.yaml:7:" in r.output and "PB005" in r.output


def test_parallel_workers_give_the_same_output_in_input_order(tmp_path):
    src = tmp_path / "calls.jsonl"
    _corpus(src, 300)  # more than the in-process warm-up, so the pool really runs
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        r = subprocess.run([sys.executable, "-m", "scriptcheck", "check", str(src), "-f", "json", "-o", str(out),
                            "--jobs", jobs], capture_output=True, check=False, cwd=tmp_path)
        assert r.returncode == 1, r.stderr.decode()
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert len(outs[0].splitlines()) == 301


def test_a_dying_worker_neither_hangs_nor_loses_the_batch(checker):
    """A worker killed mid-chunk (SIGKILL: no cleanup at all): every other call is still checked, in
    order, by a rebuilt pool; the call that kills its worker every time becomes an error record."""
    from conftest import KillsItsWorker, make_polite_call

    from scriptcheck import batch

    calls = [make_polite_call("客户：我想查一下话费。\n坐席：好的，请稍等，马上为您查询。", call_id=f"c{i:03d}")
             for i in range(140)]
    reports = list(batch.reports(KillsItsWorker(checker, "c100"), iter(calls), jobs=2))
    assert [r.call_id for r in reports] == [c.call_id for c in calls]
    dead = [r for r in reports if r.verdict == "error"]
    assert [r.call_id for r in dead] == ["c100"]
    assert "worker process" in dead[0].errors[0]
    assert all(r.verdict == "pass" for r in reports if r.call_id != "c100")
