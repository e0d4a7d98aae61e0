"""The review workspace's logic (scriptcheck/review.py) on real histories: `scriptcheck check --db` over the
calls of review_data.py (realistic Chinese calls, written for these tests), decisions in real SQLite files.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from review_data import APPEALED, CALLS, CLEAN, MIXED, OPEN, RED, close, seg, write_calls
from typer.testing import CliRunner

from scriptcheck import review
from scriptcheck.cli import app
from scriptcheck.history import MIGRATIONS, SCHEMA_VERSION, connect


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    """Run from the calls' folder (sources are recorded relative to it), with no ./scriptcheck.yaml around."""
    monkeypatch.chdir(tmp_path)


def check(*args: str):
    return CliRunner().invoke(app, ["check", "-j", "1", "--format", "json", "-o", "out.jsonl", *args])


def cli(*args: str):
    return CliRunner(env={"COLUMNS": "200"}).invoke(app, list(args))


@pytest.fixture
def db(tmp_path) -> Path:
    write_calls(tmp_path / "calls.jsonl")
    result = check("calls.jsonl", "--db", "results.db")
    assert result.exit_code == 1, result.output  # two calls fail
    return tmp_path / "results.db"


@pytest.fixture
def conn(db):
    c = connect(db, create=False)
    yield c
    c.close()


def row_of(conn: sqlite3.Connection, call_id: str) -> int:
    return conn.execute("SELECT id FROM calls WHERE call_id = ? ORDER BY run_id DESC LIMIT 1", (call_id,)).fetchone()[0]


def key_of(conn: sqlite3.Connection, call_id: str, rule: str, n: int = 0) -> str:
    keys = [r[0] for r in conn.execute("SELECT finding_key FROM findings WHERE call_id = ? AND rule = ? "
                                       "ORDER BY call_row DESC, position", (call_id, rule))]
    return keys[n]


def detail(conn: sqlite3.Connection, call_id: str) -> dict:
    d = review.call_detail(conn, row_of(conn, call_id))
    assert d is not None
    return d


# ---- schema ------------------------------------------------------------------------------------------------------

def test_review_tables_are_a_forward_migration_of_an_existing_history(tmp_path):
    # a history written before the review workspace existed (schema 1) keeps its rows and gains the tables
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0] + "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                      "INSERT INTO schema_version VALUES (1);"
                      "INSERT INTO runs (started_at, tool_version, rulebook_hash, rulebook_name, rulebook_source, "
                      "pass_mark, args) VALUES ('2026-11-01T08:00:00+08:00', '0.1.0', 'h', 'default', 'default', 80, "
                      "'{}');")
    old.close()
    c = connect(path, create=False)
    try:
        assert c.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION >= 2
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"reviews", "appeals", "runs", "calls", "findings"} <= tables
        assert c.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    finally:
        c.close()


def test_the_check_command_does_not_import_the_web_framework():
    code = ("import sys, scriptcheck.cli, scriptcheck.review; "
            "print(sorted({'starlette', 'uvicorn', 'jinja2'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---- decisions and the final score -------------------------------------------------------------------------------

def test_unreviewed_calls_keep_their_checked_score(conn):
    rows, total = review.list_calls(conn)
    assert total == 4
    by_id = {r["call_id"]: r for r in rows}
    assert [by_id[c["call_id"]]["score"] for c in CALLS] == [100.0, 75.0, 0.0, 90.0]
    assert all(r["final_score"] == r["score"] and r["final_verdict"] == r["verdict"] for r in rows)
    assert by_id[MIXED["call_id"]]["n_findings"] == 3 and by_id[MIXED["call_id"]]["n_decided"] == 0
    assert by_id[RED["call_id"]]["n_findings"] == 1  # its coaching advice is reviewable but not counted


def test_a_rejected_finding_no_longer_deducts_and_a_confirmed_one_does(conn):
    cid = MIXED["call_id"]
    taboo = key_of(conn, cid, "forbidden.impatience.repeat")
    shirk = key_of(conn, cid, "forbidden.shirk.not_my_job")
    review.record_review(conn, taboo, "confirm", "质检员王芳", "语气生硬，属实")
    d = detail(conn, cid)
    assert (d["final"].score, d["final"].verdict) == (75.0, "fail")  # confirming changes nothing
    review.record_review(conn, shirk, "reject", "质检员王芳", "坐席致歉并给出了上门时间，不是推诿")
    d = detail(conn, cid)
    assert (d["final"].score, d["final"].verdict, d["final"].lifted) == (85.0, "pass", ["forbidden.shirk.not_my_job"])
    by_key = {f["finding_key"]: f for f in d["findings"]}
    assert by_key[shirk]["decision"].decision == "reject" and by_key[shirk]["decision"].by == "质检员王芳"
    assert by_key[taboo]["decision"].comment == "语气生硬，属实"
    # the latest decision counts, the earlier one stays in the log with who and when
    review.record_review(conn, shirk, "confirm", "组长李强", "复议：仍属推诿")
    d = detail(conn, cid)
    assert d["final"].score == 75.0
    log = {f["finding_key"]: f["log"] for f in d["findings"]}[shirk]
    assert [(r["decision"], r["reviewer"]) for r in log] == [("reject", "质检员王芳"), ("confirm", "组长李强")]
    assert all(r["decided_at"][:2] == "20" and "T" in r["decided_at"] for r in log)


def test_a_rule_keeps_deducting_while_one_of_its_findings_stands(tmp_path):
    # the same taboo twice in one call: the engine deducts the rule's weight once, so rejecting one of the two
    # hits must not give the weight back
    twice = {"call_id": "QH-20261103-0005", "agent_id": "B303", "started_at": "2026-11-03T11:00:00+08:00",
             "segments": [OPEN, seg("customer", 4.5, 7.0, "我……我想报个表数。"), seg("agent", 7.5, 8.5, "你再说一遍。"),
                          seg("customer", 9.0, 11.0, "报表数，一二三四。"), seg("agent", 11.5, 12.5, "你再说一遍。"),
                          seg("customer", 13.0, 15.0, "一千二百三十四方。"), *close(15.5)]}
    write_calls(tmp_path / "twice.jsonl", [twice])
    check("twice.jsonl", "--db", "t.db")
    c = connect(tmp_path / "t.db", create=False)
    try:
        first, second = (key_of(c, twice["call_id"], "forbidden.impatience.repeat", n) for n in (0, 1))
        assert first != second
        assert detail(c, twice["call_id"])["final"].score == 90.0
        review.record_review(c, first, "reject", "王芳")
        assert detail(c, twice["call_id"])["final"].score == 90.0
        review.record_review(c, second, "reject", "王芳")
        assert detail(c, twice["call_id"])["final"].score == 100.0
    finally:
        c.close()


def test_rejecting_a_red_line_lifts_the_zero(conn):
    cid = RED["call_id"]
    d = detail(conn, cid)
    assert (d["final"].score, d["final"].red_line) == (0.0, True)
    assert {f["rule"] for f in d["findings"]} == {"redline.internal.disclose", "courtesy.thanks"}
    review.record_review(conn, key_of(conn, cid, "redline.internal.disclose"), "reject", "王芳",
                         "停气检修是公开通知，不属于内部信息")
    d = detail(conn, cid)
    # the coaching advice (courtesy) never deducted, so the call is clean once the red line is rejected
    assert (d["final"].score, d["final"].verdict, d["final"].red_line) == (100.0, "pass", False)
    rows = {r["call_id"]: r for r in review.list_calls(conn)[0]}
    assert (rows[cid]["final_score"], rows[cid]["final_red_line"]) == (100.0, False)


def test_decisions_need_a_name_a_known_finding_and_a_known_decision(conn):
    key = key_of(conn, MIXED["call_id"], "forbidden.impatience.repeat")
    with pytest.raises(review.ReviewError, match="name"):
        review.record_review(conn, key, "reject", "  ")
    with pytest.raises(review.ReviewError, match="decision"):
        review.record_review(conn, key, "maybe", "王芳")
    with pytest.raises(review.ReviewError, match="no finding"):
        review.record_review(conn, "0" * 24, "reject", "王芳")
    assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0


# ---- appeals -------------------------------------------------------------------------------------------------------

def test_an_accepted_appeal_rejects_the_finding_and_is_the_last_word(conn):
    cid = APPEALED["call_id"]
    key = key_of(conn, cid, "forbidden.shirk.not_my_job")
    review.record_review(conn, key, "confirm", "王芳")
    appeal = review.file_appeal(conn, cid, key, "客户问的是楼道公共管道，按规定由物业维修，我只是告知责任方", "B302")
    with pytest.raises(review.ReviewError, match="still open"):
        review.file_appeal(conn, cid, key, "再次申诉", "B302")
    assert detail(conn, cid)["final"].score == 90.0  # an open appeal changes nothing yet
    assert [r["call_id"] for r in review.list_calls(conn, review.CallFilter(reviewed="appealed"))[0]] == [cid]
    review.decide_appeal(conn, appeal, "accepted", "组长李强", "申诉成立，但应改用规范话术")
    d = detail(conn, cid)
    f = d["findings"][0]
    assert (f["decision"].decision, f["decision"].via, f["decision"].by) == ("reject", "appeal", "组长李强")
    assert (d["final"].score, d["final"].verdict) == (100.0, "pass")
    with pytest.raises(review.ReviewError, match="already decided"):
        review.decide_appeal(conn, appeal, "denied", "组长李强")
    # a later review does not overturn the decided appeal
    review.record_review(conn, key, "confirm", "王芳")
    assert detail(conn, cid)["final"].score == 100.0


def test_call_appeals_denied_change_nothing_accepted_reject_every_finding(conn):
    cid = MIXED["call_id"]
    denied = review.file_appeal(conn, cid, None, "整通通话我都在积极处理燃气泄漏，不应判不合格", "B301")
    review.decide_appeal(conn, denied, "denied", "组长李强", "忌语属实")
    assert detail(conn, cid)["final"].score == 75.0
    accepted = review.file_appeal(conn, cid, None, "紧急抢修场景，话术要求应放宽", "B301")
    review.decide_appeal(conn, accepted, "accepted", "质检经理赵敏", "紧急场景另行评估")
    d = detail(conn, cid)
    assert (d["final"].score, d["final"].verdict) == (100.0, "pass")
    assert [a["decision"] for a in d["call_appeals"]] == ["denied", "accepted"]
    with pytest.raises(review.ReviewError, match="reason"):
        review.file_appeal(conn, cid, None, " ", "B301")
    with pytest.raises(review.ReviewError, match="accepted, denied"):
        review.decide_appeal(conn, review.file_appeal(conn, cid, None, "又一次", "B301"), "ok", "赵敏")


# ---- re-runs --------------------------------------------------------------------------------------------------------

def test_a_second_run_of_the_same_calls_keeps_the_decisions_attached(db, tmp_path):
    c = connect(db, create=False)
    try:
        review.record_review(c, key_of(c, MIXED["call_id"], "forbidden.shirk.not_my_job"), "reject", "王芳")
        review.record_review(c, key_of(c, RED["call_id"], "redline.internal.disclose"), "reject", "王芳")
        before = {r["call_id"]: (r["final_score"], r["n_decided"]) for r in review.list_calls(c)[0]}
    finally:
        c.close()
    # the same calls again, and with another rulebook version (one more taboo phrase): new rows, same keys
    assert check("calls.jsonl", "--db", "results.db").exit_code == 1
    company = tmp_path / "company.yaml"
    (tmp_path / "extra.txt").write_text("# 打发客户\n自己看着办\n", encoding="utf-8")
    company.write_text("extends: default\nversion: 2\nphrasebooks:\n  - path: extra.txt\n    check: forbidden_phrase\n"
                       "    id: phrasebook.brush_off\n", encoding="utf-8")
    assert check("calls.jsonl", "--db", "results.db", "--rules", str(company)).exit_code == 1
    c = connect(db, create=False)
    try:
        assert c.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 8  # two rulebook versions side by side
        rows = review.list_calls(c)[0]
        assert len(rows) == 4 and {r["rulebook_name"] for r in rows} == {"company"}
        assert {r["call_id"]: (r["final_score"], r["n_decided"]) for r in rows} == before
        assert before[MIXED["call_id"]] == (85.0, 1) and before[RED["call_id"]] == (100.0, 1)
        assert len(detail(c, MIXED["call_id"])["other_checks"]) == 1
    finally:
        c.close()


def test_a_changed_utterance_is_a_new_finding_with_no_decision(db):
    c = connect(db, create=False)
    try:
        review.record_review(c, key_of(c, APPEALED["call_id"], "forbidden.shirk.not_my_job"), "reject", "王芳")
    finally:
        c.close()
    # the same matched words in a reworded utterance: the same finding (the key holds the words), flagged
    edited = json.loads(json.dumps(APPEALED))
    edited["segments"][2]["text"] = "这个真不归我们管，你去找物业吧。"
    write_calls(Path("calls.jsonl"), [CLEAN, MIXED, RED, edited])
    check("calls.jsonl", "--db", "results.db")
    c = connect(db, create=False)
    try:
        f = detail(c, APPEALED["call_id"])["findings"][0]
        assert f["decision"].decision == "reject" and f["decision"].evidence == "这个不归我们管，你去找物业。"
        assert f["reworded"]
    finally:
        c.close()
    # other words flagged: another finding, with no decision
    edited["segments"][2]["text"] = "这个我不清楚，你找物业问去。"
    write_calls(Path("calls.jsonl"), [CLEAN, MIXED, RED, edited])
    check("calls.jsonl", "--db", "results.db")
    c = connect(db, create=False)
    try:
        d = detail(c, APPEALED["call_id"])
        found = [(f["matched"], f["decision"], f["reworded"]) for f in d["findings"]]
        assert found == [("我不清楚，你找", None, False)]
        assert d["final"].score == 90.0
        assert review.rule_precision(c)[0]["rejected"] == 1  # the decision itself is kept for precision
    finally:
        c.close()


# ---- filters -------------------------------------------------------------------------------------------------------

def test_call_list_filters(conn):
    def ids(**kw) -> list[str]:
        return sorted(r["call_id"] for r in review.list_calls(conn, review.CallFilter(**kw))[0])

    assert ids(agent="B301") == [CLEAN["call_id"], MIXED["call_id"]]
    assert ids(verdict="fail") == [MIXED["call_id"], RED["call_id"]]
    assert ids(check="forbidden_phrase") == [MIXED["call_id"], APPEALED["call_id"]]
    assert ids(check="redline_internal") == [RED["call_id"]]
    assert ids(day_from="2026-11-02") == [RED["call_id"], APPEALED["call_id"]]
    assert ids(day_to="2026-11-01", agent="B302") == []
    assert ids(reviewed="yes") == []
    assert ids(reviewed="no") == [MIXED["call_id"], RED["call_id"], APPEALED["call_id"]]  # the clean call has none
    for key in [f["finding_key"] for f in detail(conn, RED["call_id"])["findings"]]:
        review.record_review(conn, key, "confirm", "王芳")
    review.record_review(conn, key_of(conn, MIXED["call_id"], "forbidden.shirk.not_my_job"), "reject", "王芳")
    assert ids(reviewed="yes") == [RED["call_id"]]  # MIXED is only partly reviewed
    assert ids(reviewed="no") == [MIXED["call_id"], APPEALED["call_id"]]
    assert review.filter_options(conn)["agents"] == ["B301", "B302"]
    rows, total = review.list_calls(conn, page=1, size=3)
    assert total == 4 and [r["call_id"] for r in rows] == [CLEAN["call_id"]]  # newest first, 3 a page


# ---- precision, to-do list, export --------------------------------------------------------------------------------

def decide_the_batch(conn: sqlite3.Connection) -> None:
    """What the browser test does too: one confirm, two rejects, an accepted appeal."""
    review.record_review(conn, key_of(conn, MIXED["call_id"], "forbidden.impatience.repeat"), "confirm", "王芳")
    review.record_review(conn, key_of(conn, MIXED["call_id"], "forbidden.shirk.not_my_job"), "reject", "王芳",
                         "致歉并给出时间")
    review.record_review(conn, key_of(conn, MIXED["call_id"], "closing.ask_more"), "confirm", "王芳")
    review.record_review(conn, key_of(conn, RED["call_id"], "redline.internal.disclose"), "reject", "王芳")
    key = key_of(conn, APPEALED["call_id"], "forbidden.shirk.not_my_job")
    review.decide_appeal(conn, review.file_appeal(conn, APPEALED["call_id"], key, "归物业管", "B302"), "accepted",
                         "李强")


def test_rule_precision_and_the_phrasebook_todo_list(conn):
    assert review.rule_precision(conn) == [] and review.phrasebook_todo(conn) == []
    decide_the_batch(conn)
    stats = {r["rule"]: r for r in review.rule_precision(conn)}
    assert stats["forbidden.shirk.not_my_job"] == {"rule": "forbidden.shirk.not_my_job", "check": "forbidden_phrase",
                                                  "confirmed": 0, "rejected": 2, "reviewed": 2, "precision": 0.0}
    assert (stats["forbidden.impatience.repeat"]["precision"], stats["closing.ask_more"]["confirmed"]) == (1.0, 1)
    assert stats["redline.internal.disclose"]["rejected"] == 1
    assert "courtesy.thanks" not in stats  # never decided
    assert next(iter(stats)) == "forbidden.shirk.not_my_job"  # most rejections first
    todo = review.phrasebook_todo(conn)
    assert [t["rule"] for t in todo] == ["forbidden.shirk.not_my_job", "redline.internal.disclose"]
    assert sorted(s["matched"] for s in todo[0]["snippets"]) == ["不归我们管", "我也没办法"]
    assert todo[1]["snippets"][0]["evidence"].startswith("内部资料显示您家这一片")


def test_review_stats_shows_the_same_numbers(conn, db):
    decide_the_batch(conn)
    out = cli("review-stats", "--db", str(db), "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["rules"] == review.rule_precision(conn)
    assert data["todo"] == review.phrasebook_todo(conn)
    table = cli("review-stats", "--db", str(db))
    assert "forbidden.shirk.not_my_job" in table.stdout and "0.000" in table.stdout and "「我也没办法」" in table.stdout
    rows = list(csv.DictReader(io.StringIO(cli("review-stats", "--db", str(db), "-f", "csv").stdout.lstrip("\ufeff"))))
    assert {r["rule"]: r["precision"] for r in rows}["forbidden.impatience.repeat"] == "1.0"
    assert cli("review-stats", "--db", "missing.db").exit_code == 2


def test_review_export_jsonl_and_csv(conn, db, tmp_path):
    decide_the_batch(conn)
    assert cli("review-export", "--db", str(db), "-f", "jsonl", "-o", "d.jsonl").exit_code == 0
    lines = [json.loads(x) for x in (tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["kind"] for x in lines] == ["review"] * 4 + ["appeal"]
    assert lines[1]["decision"] == "reject" and lines[1]["comment"] == "致歉并给出时间"
    assert lines[1]["matched"] == "我也没办法" and lines[1]["reviewer"] == "王芳" and lines[1]["decided_at"]
    assert (lines[4]["reason"], lines[4]["filed_by"], lines[4]["decision"], lines[4]["reviewer"]) == (
        "归物业管", "B302", "accepted", "李强")
    assert cli("review-export", "--db", str(db), "-f", "csv", "-o", "d.csv").exit_code == 0
    raw = (tmp_path / "d.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["kind"] for r in rows] == [x["kind"] for x in lines]
    assert rows[3]["evidence"] == lines[3]["evidence"] and rows[3]["check"] == "redline_internal"
    assert cli("review-export", "--db", str(db), "-f", "xml").exit_code == 2


# ---- the transcript -------------------------------------------------------------------------------------------------

def test_the_transcript_is_read_back_from_its_source(conn, tmp_path):
    d = detail(conn, MIXED["call_id"])
    t = review.load_transcript(d["report"], [Path.cwd()])
    assert t.problem is None
    assert [s.text for s in t.segments] == [s["text"] for s in MIXED["segments"]]
    assert review.highlight(t.segments[6].text, ["我也没办法"]) == [
        ("抱歉，", False), ("我也没办法", True), ("马上派人，最快四十分钟内抢修师傅上门，您看可以吗？", False)]
    # from another folder: found beside the database
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert review.load_transcript(d["report"], [other, tmp_path]).problem is None
    assert "not found" in (review.load_transcript(d["report"], [other]).problem or "")
    # edited since the check: the page must not show other words as the evidence
    edited = json.loads(json.dumps(MIXED))
    edited["segments"][2]["text"] = "您好，麻烦您再说一遍。"
    write_calls(Path("calls.jsonl"), [CLEAN, edited, RED, APPEALED])
    assert "changed since the check" in (review.load_transcript(d["report"], [Path.cwd()]).problem or "")


def test_the_transcript_is_masked_like_the_report(tmp_path):
    pii = {"call_id": "QH-20261104-0006", "agent_id": "B303", "segments": [
        OPEN, seg("customer", 4.5, 7.0, "我要改一下联系电话，新号码是13957126604。"),
        seg("agent", 7.5, 14.0, "好的，您登记的身份证号是330106199203154511，对吗？"),
        seg("customer", 14.5, 15.0, "对。"), *close(15.5)]}
    write_calls(tmp_path / "pii.json", [pii])
    (tmp_path / "pii.json").write_text(json.dumps(pii, ensure_ascii=False), encoding="utf-8")  # a .json file
    check("pii.json", "--db", "p.db")
    c = connect(tmp_path / "p.db", create=False)
    try:
        d = detail(c, pii["call_id"])
        text = "".join(s.text for s in review.load_transcript(d["report"], [tmp_path]).segments)
        assert "330106199203154511" not in text and "13957126604" not in text and "139****6604" in text
        assert d["final"].red_line
    finally:
        c.close()


def test_many_keys_are_looked_up_in_chunks(conn):
    decide_the_batch(conn)
    keys = [r[0] for r in conn.execute("SELECT finding_key FROM findings")]
    padded = [f"{n:024x}" for n in range(2000)] + keys  # past SQLite's parameter limit of older versions
    assert review.effective_decisions(conn, padded) == review.effective_decisions(conn, keys)
    assert len(review.effective_decisions(conn, keys)) == 5


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])  # UTF-16 JSON Lines: see readers._stream_jsonl
def test_the_transcript_is_read_back_in_the_encoding_the_reader_accepted(tmp_path, encoding):
    calls = [CLEAN, MIXED]
    text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in calls)
    (tmp_path / "export.jsonl").write_bytes(text.encode(encoding))
    check("export.jsonl", "--db", "e.db")
    c = connect(tmp_path / "e.db", create=False)
    try:
        for call in calls:
            t = review.load_transcript(detail(c, call["call_id"])["report"], [tmp_path])
            assert t.problem is None and [s.text for s in t.segments] == [s["text"] for s in call["segments"]]
    finally:
        c.close()
