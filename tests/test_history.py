"""The SQLite history (`check --db`, `scriptcheck history`): real databases in tmp_path, realistic calls.

The calls are written for these tests (a fictional broadband company, 鹿鸣宽带); agent A1024 has a
clean call and a one-taboo call on 2 Nov and a two-taboo call on 3 Nov, so his trend goes down.
"""

from __future__ import annotations

import csv
import io
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scriptcheck.cli import app
from scriptcheck.engine import Checker
from scriptcheck.history import SCHEMA_VERSION, HistoryError, RunRecorder, connect, finding_key
from scriptcheck.model import Call
from scriptcheck.rulebook import load_rulebook


def seg(speaker: str, start: float, end: float, text: str) -> dict[str, object]:
    return {"speaker": speaker, "start": start, "end": end, "text": text}


OPEN = seg("agent", 0.0, 4.2, "您好，鹿鸣宽带，很高兴为您服务，请问有什么可以帮您？")


def close(t: float) -> list[dict[str, object]]:
    return [seg("agent", t, t + 3.0, "请问还有其他可以帮您的吗？"), seg("customer", t + 3.5, t + 5.0, "没有了，谢谢。"),
            seg("agent", t + 5.5, t + 8.6, "感谢您的来电，祝您生活愉快，再见！")]


CALLS = [
    {"call_id": "LM-20261102-0007", "agent_id": "A1024", "started_at": "2026-11-02T09:15:00+08:00", "segments": [
        OPEN, seg("customer", 4.8, 9.6, "我家宽带从昨天晚上开始就连不上了，灯一直闪红色。"),
        seg("agent", 10.1, 15.0, "给您带来不便非常抱歉，请问您的宽带账号是登记在哪个地址的呢？"),
        seg("customer", 15.5, 18.9, "西湖区文三路二百号三单元五零二。"),
        seg("agent", 19.4, 22.0, "好的，现在为您查询，请稍等。"),
        seg("agent", 36.0, 43.5, "感谢您的耐心等待，您那片区光缆昨晚被施工挖断了，预计今天下午三点前恢复。"),
        # the customer says the phrase the company rulebook adds as a taboo: customers are never judged
        seg("customer", 44.0, 45.8, "好的，赔偿的条款我回去自己慢慢琢磨吧。"), *close(46.5)]},
    {"call_id": "LM-20261102-0031", "agent_id": "A1024", "started_at": "2026-11-02T14:40:12+08:00", "segments": [
        OPEN, seg("customer", 4.8, 8.0, "喂，我想……那个……改一下套餐。"),
        seg("agent", 8.6, 9.8, "你再说一遍。"),
        seg("customer", 10.2, 14.0, "我说我想把两百兆的套餐换成五百兆的。"),
        seg("agent", 14.5, 20.3, "好的，五百兆套餐每月一百零九元，下个月一号生效，已经为您办理好了。"),
        seg("customer", 20.8, 22.0, "行，谢谢。"), *close(22.5)]},
    {"call_id": "LM-20261103-0012", "agent_id": "A1024", "started_at": "2026-11-03T10:02:45+08:00", "segments": [
        OPEN, seg("customer", 4.8, 10.0, "装维师傅说好上午来的，到现在都没人，电话也打不通。"),
        seg("agent", 10.5, 12.6, "这个我不清楚，你找师傅问去。"),
        seg("customer", 13.0, 15.5, "我就是找不到他才打给你们的啊！"),
        seg("agent", 16.0, 17.4, "你再说一遍。"),
        seg("customer", 17.8, 20.0, "我说师傅联系不上！"),
        seg("agent", 20.5, 26.0, "好的，我这边给您催一下，师傅一小时内会给您回电。"), *close(26.5)]},
    {"call_id": "LM-20261103-0020", "agent_id": "A2048", "started_at": "2026-11-03T11:20:00+08:00", "segments": [
        OPEN, seg("customer", 4.8, 9.0, "我上个月的账单多扣了二十块钱，能查一下吗？"),
        seg("agent", 9.5, 12.0, "好的，现在为您查询，请稍等。"),
        seg("agent", 25.0, 32.0, "让您久等了，多出的二十元是您开通的视频会员费，如需退订我可以帮您办理。"),
        seg("customer", 32.5, 34.0, "那帮我退了吧。退订有什么条款吗？"),
        seg("agent", 34.2, 34.4, "具体条款您回去自己慢慢琢磨吧。"),
        seg("agent", 34.5, 38.0, "好的，已经为您退订，下个月起不再收取。"), *close(38.5)]},
]
# the agent reads the customer's full ID-card number back: a red line, evidence masked unless --show-pii
PII_CALL = {"call_id": "LM-20261104-0003", "agent_id": "A1024", "started_at": "2026-11-04T16:05:00+08:00",
            "segments": [OPEN, seg("customer", 4.8, 8.0, "我想确认一下实名登记的信息对不对。"),
                         seg("agent", 8.5, 15.0, "好的，您登记的身份证号是330106199203154511，对吗？"),
                         seg("customer", 15.5, 16.5, "对的。"), *close(17.0)]}
TORN = '{"call_id": "LM-20261103-0099", "agent_id": "A2048", "segments": [{"speaker": "agent", "te'


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    """The CLI looks for ./scriptcheck.yaml upwards; run from an empty folder so only --rules counts."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


def write_calls(path: Path, calls: list[dict[str, object]], extra_lines: tuple[str, ...] = ()) -> str:
    lines = [json.dumps(c, ensure_ascii=False) for c in calls] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def company_rulebook(tmp_path: Path) -> str:
    """The default rulebook plus one taboo phrase (a brush-off), as a company would extend it."""
    d = tmp_path / "company"
    d.mkdir()
    (d / "extra_taboo.txt").write_text("# 打发客户\n自己慢慢琢磨\n", encoding="utf-8")
    (d / "company.yaml").write_text(
        "extends: default\nversion: 2\nphrasebooks:\n  - path: extra_taboo.txt\n    check: forbidden_phrase\n"
        "    id: phrasebook.brush_off\n", encoding="utf-8")
    return str(d / "company.yaml")


def check(*args: str):
    return CliRunner().invoke(app, ["check", *args])


def history(*args: str):
    return CliRunner(env={"COLUMNS": "160"}).invoke(app, ["history", *args])


def rows(db: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------------------------------------------------------
# the rulebook's identity
# ---------------------------------------------------------------------------------------------------------------

def test_rulebook_hash_is_deterministic_and_follows_the_text(tmp_path):
    a, b = load_rulebook("default"), load_rulebook("default")
    assert a.hash == b.hash and len(a.hash) == 64
    assert a.version == "1"
    company = load_rulebook(company_rulebook(tmp_path))
    assert company.hash != a.hash and company.version == "2"
    # the same text in another folder is the same rulebook; one more phrase is another
    other = tmp_path / "copy"
    other.mkdir()
    for f in (tmp_path / "company").iterdir():
        (other / f.name).write_bytes(f.read_bytes())
    assert load_rulebook(str(other / "company.yaml")).hash == company.hash
    (other / "extra_taboo.txt").write_text("# 打发客户\n自己慢慢琢磨\n爱办不办\n", encoding="utf-8")
    assert load_rulebook(str(other / "company.yaml")).hash != company.hash


# ---------------------------------------------------------------------------------------------------------------
# check --db
# ---------------------------------------------------------------------------------------------------------------

def test_two_runs_over_the_same_calls_keep_one_row_per_call(tmp_path):
    src = write_calls(tmp_path / "day.jsonl", CALLS, (TORN,))
    db = tmp_path / "results.db"
    out = tmp_path / "report.jsonl"
    for _ in range(2):
        r = check(src, "-f", "json", "-o", str(out), "--db", str(db))
        assert r.exit_code == 1, r.output  # one call fails, one is unreadable
    runs = rows(db, "SELECT * FROM runs ORDER BY id")
    assert [(r["status"], r["calls"], r["passed"], r["failed"], r["errors"]) for r in runs] == [
        ("finished", 5, 3, 1, 1), ("finished", 5, 3, 1, 1)]
    assert all(r["finished_at"] for r in runs)
    assert runs[0]["rulebook_hash"] == load_rulebook("default").hash and runs[0]["rulebook_version"] == "1"
    assert json.loads(runs[0]["args"])["paths"] == [src]
    calls = rows(db, "SELECT call_id, run_id, verdict, score FROM calls ORDER BY call_id")
    assert len(calls) == 5  # not 10: the second run replaced the first one's rows
    assert {c["run_id"] for c in calls} == {2}
    assert {r["rechecks"] for r in rows(db, "SELECT rechecks FROM calls")} == {1}
    by_id = {c["call_id"]: c for c in calls}
    assert by_id["LM-20261103-0012"]["score"] == 80.0 and by_id["LM-20261103-0012"]["verdict"] == "fail"
    findings = rows(db, "SELECT call_id, rule, matched, stage, segment, evidence, suggestion FROM findings "
                        "WHERE advisory = 0 ORDER BY call_id, position")
    assert [(f["call_id"], f["rule"], f["matched"]) for f in findings] == [
        ("LM-20261102-0031", "forbidden.impatience.repeat", "你再说一遍"),
        ("LM-20261103-0012", "forbidden.shirk.not_my_job", "我不清楚，你找"),
        ("LM-20261103-0012", "forbidden.impatience.repeat", "你再说一遍"),
    ]
    assert findings[1]["evidence"] == "这个我不清楚，你找师傅问去。" and findings[1]["segment"] == 2
    assert findings[1]["suggestion"]
    # the stored report is the JSON line of the report file
    stored = {r["call_id"]: json.loads(r["report"]) for r in rows(db, "SELECT call_id, report FROM calls")}
    written = {json.loads(x)["call_id"]: json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()}
    assert stored == written


def test_a_changed_rulebook_adds_a_row_per_call_and_keeps_finding_keys(tmp_path):
    src = write_calls(tmp_path / "day.jsonl", CALLS)
    db = tmp_path / "results.db"
    assert check(src, "-f", "json", "--db", str(db)).exit_code == 1
    assert check(src, "-f", "json", "--db", str(db), "--rules", company_rulebook(tmp_path)).exit_code == 1
    per_call = rows(db, "SELECT call_id, COUNT(*) AS n, COUNT(DISTINCT rulebook_hash) AS books FROM calls "
                        "GROUP BY call_id")
    assert len(per_call) == 4 and all(r["n"] == 2 and r["books"] == 2 for r in per_call)
    v = {r["rulebook_version"]: r["rulebook_hash"] for r in rows(db, "SELECT * FROM runs")}
    score = {(r["call_id"], r["rulebook_hash"]): r["score"] for r in rows(db, "SELECT * FROM calls")}
    assert score["LM-20261103-0020", v["1"]] == 100.0
    assert score["LM-20261103-0020", v["2"]] == 95.0  # the agent's brush-off is a taboo now
    assert score["LM-20261102-0007", v["2"]] == 100.0  # …but not when the customer says it
    brush = rows(db, "SELECT call_id, evidence FROM findings WHERE rule = 'phrasebook.brush_off'")
    assert [(b["call_id"], b["evidence"]) for b in brush] == [("LM-20261103-0020", "具体条款您回去自己慢慢琢磨吧。")]
    # the same finding under both rulebook versions has the same key, so a review decision follows it
    keys = rows(db, "SELECT finding_key, COUNT(DISTINCT rulebook_hash) AS books FROM findings WHERE advisory = 0 "
                    "GROUP BY finding_key")
    assert sorted(k["books"] for k in keys) == [1, 2, 2, 2]


def test_unreadable_input_is_recorded_with_its_error(tmp_path):
    src = write_calls(tmp_path / "day.jsonl", CALLS[:1], (TORN,))
    db = tmp_path / "results.db"
    r = check(src, str(tmp_path / "missing.jsonl"), "-f", "json", "--db", str(db))
    assert r.exit_code == 1
    errors = rows(db, "SELECT call_id, score, verdict, errors, source FROM calls WHERE verdict = 'error' "
                      "ORDER BY id")
    assert len(errors) == 2
    messages = [" ".join(json.loads(e["errors"])) for e in errors]
    assert "day.jsonl" in messages[0] and ":2" in messages[0]  # file and line of the torn call
    assert "missing.jsonl" in messages[1]
    assert all(e["score"] is None for e in errors)
    assert rows(db, "SELECT errors FROM runs")[0]["errors"] == 2


def test_finding_keys_do_not_depend_on_show_pii(tmp_path):
    src = write_calls(tmp_path / "pii.jsonl", [PII_CALL])
    db = tmp_path / "results.db"
    check(src, "-f", "json", "--db", str(db))
    masked = rows(db, "SELECT finding_key, evidence, red_line FROM findings WHERE advisory = 0")
    check(src, "-f", "json", "--db", str(db), "--show-pii")
    shown = rows(db, "SELECT finding_key, evidence FROM findings WHERE advisory = 0")
    assert "330***********4511" in masked[0]["evidence"] and "330106199203154511" not in masked[0]["evidence"]
    assert masked[0]["red_line"] == 1
    assert "330106199203154511" in shown[0]["evidence"]
    assert [m["finding_key"] for m in masked] == [s["finding_key"] for s in shown]
    assert rows(db, "SELECT pii_masked, score FROM calls")[0]["pii_masked"] == 0  # replaced by the second run


def test_writes_are_batched_and_readers_see_whole_batches(tmp_path):
    db = tmp_path / "results.db"
    checker = Checker.from_rulebook("default")
    reports = [checker.check(Call(**{**c, "call_id": f"{c['call_id']}-{n}"})) for n in range(2) for c in CALLS]
    rec = RunRecorder.start(db, checker.rulebook, {"paths": ["test"]}, batch=3)
    for r in reports[:5]:
        rec.add(r)
    assert rows(db, "SELECT COUNT(*) AS n FROM calls")[0]["n"] == 3  # one committed batch; 2 queued
    assert rows(db, "SELECT status, finished_at, calls FROM runs")[0][:] == ("running", None, 3)
    for r in [*reports[5:], reports[6]]:  # a call given twice in one run: one row, findings not doubled
        rec.add(r)
    rec.close()
    assert rows(db, "SELECT COUNT(*) AS n FROM calls")[0]["n"] == 8
    assert rows(db, "SELECT status, calls FROM runs")[0][:] == ("finished", 8)
    twice = rows(db, "SELECT id, rechecks FROM calls WHERE call_id = ?", reports[6].call_id)[0]
    assert twice["rechecks"] == 1 and reports[6].findings
    assert rows(db, "SELECT COUNT(*) AS n FROM findings WHERE call_row = ? AND advisory = 0",
                twice["id"])[0]["n"] == len(reports[6].findings)


def test_the_store_is_wal_with_foreign_keys_and_a_schema_version(tmp_path):
    conn = connect(tmp_path / "results.db")
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION
        with pytest.raises(sqlite3.IntegrityError):  # a call must belong to a run
            conn.execute("INSERT INTO calls (call_id, rulebook_hash, run_id, day, verdict, red_line, findings, "
                         "errors, pii_masked, checked_at, report) VALUES ('x', 'h', 99, '2026-11-02', 'pass', 0, 0, "
                         "'[]', 1, 'now', '{}')")
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    finally:
        conn.close()
    with pytest.raises(HistoryError, match="newer scriptcheck"):
        connect(tmp_path / "results.db")


@pytest.mark.parametrize("content", [b"not a database at all, just text\n" * 50, None])
def test_a_db_that_is_not_ours_is_a_usage_error(tmp_path, content):
    db = tmp_path / "other.db"
    if content is None:  # somebody else's SQLite database
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE customers (id INTEGER)")
        conn.commit()
        conn.close()
    else:
        db.write_bytes(content)
    src = write_calls(tmp_path / "day.jsonl", CALLS[:1])
    r = check(src, "--db", str(db))
    assert r.exit_code == 2
    assert "other.db" in r.output
    assert not (tmp_path / "cwd" / "results.db").exists()


# ---------------------------------------------------------------------------------------------------------------
# scriptcheck history
# ---------------------------------------------------------------------------------------------------------------

@pytest.fixture
def two_runs(tmp_path) -> Path:
    """Two runs: the default rulebook, then the company one (so the latest rulebook is v2)."""
    src = write_calls(tmp_path / "day.jsonl", [*CALLS, PII_CALL], (TORN,))
    db = tmp_path / "results.db"
    check(src, "-f", "json", "--db", str(db))
    check(src, "-f", "json", "--db", str(db), "--rules", company_rulebook(tmp_path))
    return db


def test_history_agent_shows_the_trend_per_day(two_runs):
    r = history("--db", str(two_runs), "--agent", "A1024")
    assert r.exit_code == 0, r.output
    out = r.output
    assert "坐席 A1024" in out and "company v2" in out and "得分趋势" in out and "合格线 85" in out
    lines = {ln.split()[0]: ln for ln in out.splitlines() if ln.startswith("2026-11-0") and "│" in ln}
    assert set(lines) == {"2026-11-02", "2026-11-03", "2026-11-04"}
    assert lines["2026-11-02"].rstrip().endswith("95.0")  # mean of 100 and 90
    assert lines["2026-11-03"].rstrip().endswith("80.0")
    assert lines["2026-11-04"].rstrip().endswith("0.0")  # the red line
    assert lines["2026-11-02"].count("█") > lines["2026-11-03"].count("█") > lines["2026-11-04"].count("█") == 0
    assert "A2048" not in out
    en = history("--db", str(two_runs), "--agent", "A1024", "--lang", "en")
    assert "score trend" in en.output and "pass mark 85" in en.output and "得分" not in en.output


def test_history_json_and_csv_parse(two_runs):
    r = history("--db", str(two_runs), "--agent", "A1024", "-f", "json")
    data = json.loads(r.output)
    assert data["rulebook"] == "company v2" and data["pass_mark"] == 85.0
    assert [(d["day"], d["calls"], d["mean_score"], d["min_score"], d["red_lines"]) for d in data["rows"]] == [
        ("2026-11-02", 2, 95.0, 90.0, 0), ("2026-11-03", 1, 80.0, 80.0, 0), ("2026-11-04", 1, 0.0, 0.0, 1)]
    old = json.loads(history("--db", str(two_runs), "--agent", "A2048", "-f", "json",
                             "--rulebook", load_rulebook("default").hash[:10]).output)
    new = json.loads(history("--db", str(two_runs), "--agent", "A2048", "-f", "json").output)
    assert old["rulebook"] == "default v1" and old["rows"][0]["mean_score"] == 100.0
    assert new["rows"][0]["mean_score"] == 95.0
    per_run = json.loads(history("--db", str(two_runs), "--agent", "A1024", "-f", "json", "--by", "run").output)
    assert [(d["run"], d["calls"]) for d in per_run["rows"]] == [(2, 4)]
    runs = json.loads(history("--db", str(two_runs), "-f", "json").output)
    assert [(x["run"], x["rulebook"], x["status"], x["calls"], x["errors"]) for x in runs] == [
        (2, "company", "finished", 6, 1), (1, "default", "finished", 6, 1)]
    text = history("--db", str(two_runs), "-f", "csv").output
    assert text.startswith("\ufeff")
    table = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [(t["批次"], t["规则库"], t["通话数"], t["状态"]) for t in table] == [
        ("2", "company", "6", "finished"), ("1", "default", "6", "finished")]
    trend = list(csv.DictReader(io.StringIO(history("--db", str(two_runs), "--agent", "A1024", "-f", "csv",
                                                    "--lang", "en").output.removeprefix("\ufeff"))))
    assert [(t["day"], t["mean score"]) for t in trend] == [("2026-11-02", "95.0"), ("2026-11-03", "80.0"),
                                                           ("2026-11-04", "0.0")]


def test_history_lists_runs_in_chinese(two_runs):
    r = history("--db", str(two_runs))
    assert r.exit_code == 0
    assert "批次" in r.output and "已完成" in r.output and "company v2" in r.output and "default v1" in r.output


def test_history_of_an_unknown_agent_or_missing_db(tmp_path, two_runs):
    r = history("--db", str(two_runs), "--agent", "A9999", "-f", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["rows"] == []
    r = history("--db", str(tmp_path / "nowhere.db"))
    assert r.exit_code == 2 and "nowhere.db" in r.output
    assert not (tmp_path / "nowhere.db").exists()  # reading never creates a database


# ---------------------------------------------------------------------------------------------------------------
# an interrupted run
# ---------------------------------------------------------------------------------------------------------------

def test_an_interrupted_run_leaves_a_consistent_db_and_resume_completes_it(tmp_path):
    n = 1200
    calls = [{**CALLS[i % len(CALLS)], "call_id": f"LM-BULK-{i:05d}"} for i in range(n)]
    src = write_calls(tmp_path / "bulk.jsonl", calls, (TORN,))
    db = tmp_path / "results.db"
    out = tmp_path / "report.jsonl"
    cmd = [sys.executable, "-m", "scriptcheck", "check", src, "-f", "json", "-o", str(out), "--jobs", "1",
           "--db", str(db)]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, cwd=tmp_path)
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and not committed:  # wait for the first committed batch
        time.sleep(0.1)
        if db.exists():
            try:
                committed = rows(db, "SELECT calls FROM runs")[0]["calls"] if rows(db, "SELECT 1 FROM runs") else 0
            except sqlite3.OperationalError:  # the schema is being created
                committed = 0
    assert committed, "no batch committed in time"
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err.decode()
    run = rows(db, "SELECT * FROM runs")[0]
    assert run["finished_at"] is None and run["status"] == "interrupted"
    assert rows(db, "PRAGMA integrity_check")[0][0] == "ok"
    stored = {r["call_id"] for r in rows(db, "SELECT call_id FROM calls")}
    written = [json.loads(x)["call_id"] for x in (tmp_path / "report.jsonl.partial").read_text(
        encoding="utf-8").splitlines()]
    assert 0 < len(stored) < n and run["calls"] == len(stored)
    assert stored <= set(written) and len(written) - len(stored) <= 1  # at most the call in flight
    listed = history("--db", str(db))
    assert "已中断" in listed.output
    r = subprocess.run([*cmd, "--resume"], capture_output=True, check=False, cwd=tmp_path)
    assert r.returncode == 1, r.stderr.decode()
    runs = rows(db, "SELECT status, finished_at, calls, errors FROM runs ORDER BY id")
    assert runs[1]["status"] == "finished" and runs[1]["finished_at"] and runs[1]["calls"] == n + 1
    assert rows(db, "SELECT COUNT(*) AS n FROM calls")[0]["n"] == n + 1  # every call, once, the torn one included
    assert rows(db, "SELECT COUNT(*) AS n FROM calls WHERE verdict = 'error'")[0]["n"] == 1


def test_finding_key_is_stable_and_distinguishes_repeats():
    checker = Checker.from_rulebook("default")
    report = checker.check(Call(**CALLS[2]))
    keys = [finding_key(report.call_id, f, 0) for f in report.findings]
    assert keys == [finding_key(report.call_id, f, 0) for f in checker.check(Call(**CALLS[2])).findings]
    assert len(set(keys)) == len(keys)
    assert finding_key(report.call_id, report.findings[0], 1) != keys[0]
    assert finding_key("LM-OTHER", report.findings[0], 0) != keys[0]
