"""The command line: exit codes 0/1/2, JSON Lines output, language, PII masking, explain/config/lint."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scriptcheck import __version__
from scriptcheck.cli import app
from scriptcheck.model import Call
from scriptcheck.readers import read_paths

REPO = Path(__file__).resolve().parents[1]

CLEAN = {
    "call_id": "clean01", "agent_id": "A3001", "started_at": "2026-11-03T10:00:00+08:00",
    "segments": [
        {"speaker": "agent", "start": 0.0, "end": 5.0, "text": "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"},
        {"speaker": "customer", "start": 5.5, "end": 10.0, "text": "我想查一下这个月的流量还剩多少。"},
        {"speaker": "agent", "start": 10.5, "end": 13.0, "text": "好的，现在为您查询，请稍等。"},
        {"speaker": "agent", "start": 25.0, "end": 31.0, "text": "感谢您的耐心等待，您本月还剩三点二G流量。"},
        {"speaker": "customer", "start": 31.5, "end": 32.5, "text": "好的，知道了。"},
        {"speaker": "agent", "start": 33.0, "end": 36.0, "text": "请问还有其他可以帮您的吗？"},
        {"speaker": "customer", "start": 36.5, "end": 37.5, "text": "没有了，谢谢。"},
        {"speaker": "agent", "start": 38.0, "end": 41.0, "text": "感谢您的来电，祝您生活愉快，再见！"},
    ],
}
TABOO = {
    "call_id": "taboo01", "agent_id": "A3002",
    "segments": [
        {"speaker": "agent", "start": 0.0, "end": 5.0, "text": "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"},
        {"speaker": "customer", "start": 5.5, "end": 9.0, "text": "我那个……宽带……"},
        {"speaker": "agent", "start": 9.5, "end": 11.0, "text": "你再说一遍。"},
        {"speaker": "customer", "start": 11.5, "end": 15.0, "text": "我说我家宽带上不了网。"},
        {"speaker": "agent", "start": 15.5, "end": 19.0, "text": "这个我不清楚，你找物业问去。"},
        {"speaker": "customer", "start": 19.2, "end": 20.0, "text": "啊？那好吧。"},
        {"speaker": "agent", "start": 20.2, "end": 23.0, "text": "请问还有其他可以帮您的吗？"},
        {"speaker": "customer", "start": 23.5, "end": 24.5, "text": "没有了。"},
        {"speaker": "agent", "start": 25.0, "end": 28.0, "text": "感谢您的来电，祝您生活愉快，再见！"},
    ],
}  # two taboos (weight 10 each): score 80 < pass mark 85
ID_NUMBER = "330106199808124521"
PII = {
    "call_id": "pii01",
    "segments": [
        {"speaker": "agent", "text": "您好，云桥银行，很高兴为您服务，请问有什么可以帮您？"},
        {"speaker": "customer", "text": "我想确认一下登记的身份证号对不对。"},
        {"speaker": "agent", "text": f"您登记的身份证号是{ID_NUMBER}，对吗？"},
        {"speaker": "customer", "text": "对。"},
        {"speaker": "agent", "text": "请问还有其他可以帮您的吗？"},
        {"speaker": "customer", "text": "没有了。"},
        {"speaker": "agent", "text": "感谢您的来电，祝您生活愉快，再见！"},
    ],
}


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    """The CLI looks for ./scriptcheck.yaml upwards; run from an empty folder so only --rules counts."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def flat(text: str) -> str:
    """Output without whitespace: rich wraps long lines (and paths) at the terminal width."""
    return re.sub(r"\s+", "", text)


def write_jsonl(path, *calls) -> str:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in calls), encoding="utf-8")
    return str(path)


def json_rows(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --------------------------------------------------------------------------------------------
# exit codes
# --------------------------------------------------------------------------------------------
def test_exit_0_when_every_call_passes(tmp_path):
    r = run("check", write_jsonl(tmp_path / "ok.jsonl", CLEAN))
    assert r.exit_code == 0, r.output
    assert "clean01" in r.stdout and "合格" in r.stdout and "不合格 0" in r.stdout


def test_exit_1_when_some_call_fails(tmp_path):
    r = run("check", write_jsonl(tmp_path / "mixed.jsonl", CLEAN, TABOO))
    assert r.exit_code == 1, r.output
    assert "taboo01" in r.stdout and "你再说一遍" in r.stdout


def test_exit_zero_flag(tmp_path):
    r = run("check", "--exit-zero", write_jsonl(tmp_path / "mixed.jsonl", CLEAN, TABOO))
    assert r.exit_code == 0


def test_exit_2_for_a_malformed_rulebook(tmp_path):
    rb = tmp_path / "bad_rules.yaml"
    rb.write_text("extends: default\nrules:\n  forbidden.impatience.repeat:\n    weigth: 5\n", encoding="utf-8")
    r = run("check", "--rules", str(rb), write_jsonl(tmp_path / "ok.jsonl", CLEAN))
    assert r.exit_code == 2
    assert f"{rb}:4:" in flat(r.output)
    assert "weigth" in r.output


def test_exit_2_for_unknown_format(tmp_path):
    r = run("check", "--format", "xml", write_jsonl(tmp_path / "ok.jsonl", CLEAN))
    assert r.exit_code == 2
    assert "xml" in r.output


def test_exit_2_for_unknown_language(tmp_path):
    assert run("check", "--lang", "fr", write_jsonl(tmp_path / "ok.jsonl", CLEAN)).exit_code == 2


def test_exit_2_when_no_calls_are_found(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("check", str(empty)).exit_code == 2


def test_missing_input_is_reported_and_exits_1(tmp_path):
    missing = tmp_path / "nope.jsonl"
    out = tmp_path / "out.jsonl"
    r = run("check", "-f", "json", "-o", str(out), str(missing), write_jsonl(tmp_path / "ok.jsonl", CLEAN))
    assert r.exit_code == 1
    rows = json_rows(out)
    assert [row["verdict"] for row in rows] == ["error", "pass"]
    assert str(missing) in rows[0]["errors"][0]


def test_call_without_usable_segments_is_not_a_pass(tmp_path):
    """Regression: an unreadable call (no usable segment) was once reported as pass/100/exit 0."""
    src = tmp_path / "ivr.jsonl"
    src.write_text('{"call_id": "ivr01", "segments": [{"speaker": "robot", "text": "您好，请按1"}]}\n',
                   encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = run("check", "-f", "json", "-o", str(out), str(src))
    [row] = json_rows(out)
    assert any("no usable segments" in e for e in row["errors"])
    assert row["verdict"] != "pass"
    assert r.exit_code != 0


# --------------------------------------------------------------------------------------------
# JSON Lines output
# --------------------------------------------------------------------------------------------
def test_json_output_file_has_one_line_per_input_call(tmp_path):
    src = tmp_path / "batch.jsonl"
    src.write_text(
        json.dumps(CLEAN, ensure_ascii=False) + "\n"
        + '{"call_id": "broken01", "segments": [{"speaker": "agent", "text": "您好"\n'
        + json.dumps(TABOO, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "reports" / "out.jsonl"
    r = run("check", "--format", "json", "--output", str(out), str(src))
    assert r.exit_code == 1
    assert r.stdout == ""  # the report went to the file
    rows = json_rows(out)
    assert len(rows) == 3
    assert [row["verdict"] for row in rows] == ["pass", "error", "fail"]
    assert rows[0]["call_id"] == "clean01" and rows[2]["call_id"] == "taboo01"
    err = rows[1]
    assert err["score"] is None and err["red_line"] is False
    assert set(err["checks"].values()) == {"n/a"} and len(err["checks"]) == 12
    assert any(f"{src}:2" in e for e in err["errors"])
    assert rows[2]["checks"]["forbidden_phrase"] == "fail"
    assert "3callsread=2checked+1errors" in flat(r.stderr)


def test_json_to_stdout(tmp_path):
    r = run("check", "-f", "json", write_jsonl(tmp_path / "two.jsonl", CLEAN, TABOO))
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["call_id"] for row in rows] == ["clean01", "taboo01"]


# --------------------------------------------------------------------------------------------
# language and PII
# --------------------------------------------------------------------------------------------
def test_lang_en_gives_english_messages(tmp_path):
    from scriptcheck.rulebook import load_rulebook

    rule = load_rulebook("default").rules["forbidden.impatience.repeat"]
    src = write_jsonl(tmp_path / "taboo.jsonl", TABOO)
    out = tmp_path / "en.jsonl"
    assert run("check", "--lang", "en", "-f", "json", "-o", str(out), src).exit_code == 1
    [f] = [f for f in json_rows(out)[0]["findings"] if f["rule"] == "forbidden.impatience.repeat"]
    assert f["message"] == rule.message_en
    # taboo rules keep the Chinese wording the agent should say when there is no suggestion_en
    assert f["suggestion"] == (rule.suggestion_en or rule.suggestion)
    text = run("check", "--lang", "en", src)
    assert "FAIL" in text.stdout and rule.message_en in text.stdout
    assert "不合格" not in text.stdout
    assert "Taboo phrases" in text.stdout  # check labels are translated too
    zh = run("check", src)
    assert rule.message in zh.stdout and "不合格" in zh.stdout


def test_pii_masked_by_default_and_shown_with_flag(tmp_path):
    src = write_jsonl(tmp_path / "pii.jsonl", PII)
    masked = run("check", "-f", "json", src)
    shown = run("check", "-f", "json", "--show-pii", src)
    assert masked.exit_code == shown.exit_code == 1
    assert ID_NUMBER not in masked.stdout
    assert "330" in masked.stdout and "4521" in masked.stdout and "*" in masked.stdout
    assert ID_NUMBER in shown.stdout
    m, s = json.loads(masked.stdout), json.loads(shown.stdout)
    assert m["red_line"] is True and s["red_line"] is True
    assert m["pii_masked"] is True and s["pii_masked"] is False
    assert ID_NUMBER not in run("check", src).stdout  # text format masks too


# --------------------------------------------------------------------------------------------
# explain / config / lint / rules
# --------------------------------------------------------------------------------------------
def test_explain_prints_examples_and_suggestion():
    from scriptcheck.rulebook import load_rulebook

    rule = load_rulebook("default").rules["forbidden.impatience.repeat"]
    r = run("explain", "forbidden.impatience.repeat")
    assert r.exit_code == 0
    out = flat(r.output)
    assert flat(rule.suggestion) in out
    for example in rule.examples.pass_ + rule.examples.fail:
        assert flat(example) in out
    assert "✘" not in r.output  # every example runs as documented
    assert "PASS:" in r.output and "FAIL:" in r.output


def test_explain_json():
    r = run("explain", "--json", "redline.abuse.insult")
    data = json.loads(r.stdout)
    assert data["id"] == "redline.abuse.insult" and data["examples_ok"] is True
    assert "redline.yaml" in data["defined_at"]


def test_explain_unknown_rule_exits_2():
    r = run("explain", "forbidden.no.such.rule")
    assert r.exit_code == 2


def test_config_dump_prints_the_merged_yaml():
    r = run("config", "--dump")
    assert r.exit_code == 0
    data = yaml.safe_load(r.stdout)
    for rid in ("forbidden.impatience.repeat", "greeting.standard", "redline.privacy.numbers", "closing.farewell"):
        assert rid in data["rules"]
        assert rid in r.stdout
    assert data["settings"]["pass_mark"] == 85


def test_config_dump_of_an_extending_rulebook(tmp_path):
    (tmp_path / "words.txt").write_text("这是规定\n", encoding="utf-8")
    rb = tmp_path / "company.yaml"
    rb.write_text("extends: default\nphrasebooks:\n  - path: words.txt\n    check: forbidden_phrase\n"
                  "rules:\n  closing.farewell.holiday: {enabled: false}\n", encoding="utf-8")
    data = yaml.safe_load(run("config", "--dump", "-r", str(rb)).stdout)
    assert data["rules"]["closing.farewell.holiday"]["enabled"] is False
    assert "forbidden.impatience.repeat" in data["rules"]
    assert any("这是规定" in (body.get("phrases") or []) for body in data["rules"].values())


def test_lint_default_rulebook_is_clean():
    r = run("lint")
    assert r.exit_code == 0, r.output
    assert "PB004" not in r.output


def test_lint_reports_a_wrong_example(tmp_path):
    rb = tmp_path / "wrong.yaml"
    rb.write_text("extends: default\nrules:\n  custom.words:\n    check: forbidden_phrase\n    kind: forbidden\n"
                  "    message: 自定义忌语\n    phrases: [这是规定]\n    examples:\n"
                  "      fail: [这是公司的规定，请您理解。]\n      pass: [这是规定。]\n", encoding="utf-8")
    r = run("lint", "-r", str(rb))
    assert r.exit_code == 1
    assert "PB004" in r.output and "custom.words" in r.output


def test_lint_malformed_rulebook_exits_1_unreadable_exits_2(tmp_path):
    rb = tmp_path / "bad.yaml"
    rb.write_text("extends: default\nrules:\n  custom.x:\n    check: forbidden_phrase\n    kind: nope\n"
                  "    message: x\n", encoding="utf-8")
    r = run("lint", "-r", str(rb))
    assert r.exit_code == 1  # a schema error is a lint finding (PB001); 2 is for unreadable input
    assert f"{rb}:5:" in flat(r.output) and "PB001" in r.output
    (tmp_path / "broken.yaml").write_text("rules: [unclosed\n", encoding="utf-8")
    r = run("lint", str(tmp_path / "broken.yaml"))
    assert r.exit_code == 2 and "PB000" in r.output


def test_rules_lists_every_rule():
    r = CliRunner(env={"COLUMNS": "250"}).invoke(app, ["rules"])
    assert r.exit_code == 0
    for rid in ("greeting.standard", "hold.thanks", "interruption.overlap"):
        assert rid in flat(r.output)


def test_scriptcheck_yaml_in_cwd_is_discovered(tmp_path, monkeypatch):
    (tmp_path / "words.txt").write_text("这是规定\n", encoding="utf-8")
    (tmp_path / "scriptcheck.yaml").write_text(
        "extends: default\nphrasebooks:\n  - path: words.txt\n    check: forbidden_phrase\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    call = {**CLEAN, "call_id": "rule01"}
    call["segments"] = [*CLEAN["segments"][:3],
                        {"speaker": "agent", "start": 25.0, "end": 31.0,
                         "text": "感谢您的耐心等待，这是规定，流量不能转赠。"},
                        *CLEAN["segments"][4:]]
    src = write_jsonl(tmp_path / "in.jsonl", call)
    discovered = json.loads(run("check", "-f", "json", src).stdout)
    builtin = json.loads(run("check", "-f", "json", "--rules", "default", src).stdout)
    assert discovered["checks"]["forbidden_phrase"] == "fail"
    assert [f["matched"] for f in discovered["findings"]] == ["这是规定"]
    assert builtin["checks"]["forbidden_phrase"] == "pass" and builtin["findings"] == []


def test_version():
    r = run("--version")
    assert r.exit_code == 0 and __version__ in r.stdout


def test_module_entry_point(tmp_path):
    src = write_jsonl(tmp_path / "ok.jsonl", CLEAN)
    proc = subprocess.run([sys.executable, "-m", "scriptcheck", "check", "-f", "json", "-r", "default", src],
                          capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["verdict"] == "pass"


# --------------------------------------------------------------------------------------------
# the repo's samples/
# --------------------------------------------------------------------------------------------
# Expected outcomes from samples/README.md (plain_call is partly untimed: interruption may be n/a).
SAMPLE_FAILS = {
    "sample_clean": set(),
    "sample_taboo": {"forbidden_phrase"},
    "sample_redline": {"forbidden_phrase", "redline_abuse", "redline_sarcasm"},
    "sample_hold_good": set(),
    "sample_hold_bad": {"hold_notify", "hold_thanks", "interruption", "surname_leak"},
    "sample_traditional": {"forbidden_phrase"},
    "plain_call": set(),
}


def test_check_samples_folder_reports_every_sample(tmp_path):
    samples = REPO / "samples"
    expected_ids = [c.call_id for c in read_paths([str(samples)]) if isinstance(c, Call)]
    assert len(expected_ids) == 7
    out = tmp_path / "samples.jsonl"
    r = run("check", "-f", "json", "-o", str(out), str(samples))
    assert r.exit_code == 1  # some samples fail on purpose
    rows = {row["call_id"]: row for row in json_rows(out)}
    assert sorted(rows) == sorted(expected_ids) == sorted(SAMPLE_FAILS)
    for cid, fails in SAMPLE_FAILS.items():
        row = rows[cid]
        assert {k for k, v in row["checks"].items() if v == "fail"} == fails, cid
        assert row["errors"] == []
    assert rows["sample_redline"]["red_line"] is True and rows["sample_redline"]["score"] == 0
    assert [cid for cid, row in rows.items() if row["red_line"]] == ["sample_redline"]
    assert rows["sample_clean"]["verdict"] == "pass" and rows["sample_clean"]["score"] == 100
    assert rows["sample_taboo"]["checks"]["hold_notify"] == "n/a"
    assert rows["sample_redline"]["checks"]["hold_notify"] == "n/a"
    assert rows["plain_call"]["checks"]["interruption"] in ("pass", "n/a")
    # the customer's curses in sample_redline are never evidence
    assert all(f["speaker"] == "agent" for f in rows["sample_redline"]["findings"])


def test_check_samples_text_report(tmp_path):
    r = run("check", str(REPO / "samples"))
    assert r.exit_code == 1
    for cid in SAMPLE_FAILS:
        assert cid in r.stdout
    assert "7callsread" in flat(r.stderr)
