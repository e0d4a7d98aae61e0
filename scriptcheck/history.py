"""The history store: every ``check --db`` run, its calls and their findings in one SQLite file.

A call is identified by its ``call_id`` and the hash of the rulebook that judged it: re-checking it
with the same rulebook replaces its rows, a changed rulebook adds a row beside the old one, so
scores can be compared across rulebook versions. Every finding carries a ``finding_key`` that
depends only on the call, the rule, the segment and the (masked) matched words — not on the row
or the rulebook — so review decisions (issue 10) keyed on it stay attached across re-runs.

Writes are buffered and committed ``BATCH`` calls at a time (WAL mode): a 20,000-call run pays
for 40 commits, not 20,000. An interrupted run commits what it has and keeps ``finished_at`` NULL.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
import sys
import textwrap
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from . import __version__
from .matchers.pii import mask
from .model import CallReport, Finding
from .report.jsonl import report_line
from .rulebook import Rulebook

BATCH = 500  # calls per transaction

# Forward migrations: MIGRATIONS[n] takes a database from schema version n to n + 1. Append, never edit.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,              -- ISO 8601, local time with offset
        finished_at TEXT,                      -- NULL while running or when interrupted
        status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'interrupted', 'failed')),
        tool_version TEXT NOT NULL,
        rulebook_hash TEXT NOT NULL,           -- sha256 of the rulebook's source files (Rulebook.hash)
        rulebook_name TEXT NOT NULL,           -- file stem: default, company, ...
        rulebook_version TEXT,                 -- the rulebook's `version:`
        rulebook_source TEXT NOT NULL,
        pass_mark REAL NOT NULL,               -- to recompute a verdict after review
        args TEXT NOT NULL,                    -- JSON object: the command-line options of the run
        calls INTEGER NOT NULL DEFAULT 0,
        passed INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        red_lines INTEGER NOT NULL DEFAULT 0,
        mean_score REAL
    );
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,                -- stable across re-checks with the same rulebook
        call_id TEXT NOT NULL,
        rulebook_hash TEXT NOT NULL,
        run_id INTEGER NOT NULL REFERENCES runs(id),   -- the run that last checked it
        agent_id TEXT,
        started_at TEXT,                       -- the call's own time (report started_at), if known
        day TEXT NOT NULL,                     -- YYYY-MM-DD of started_at, else of the run
        source TEXT,                           -- file (and line) the transcript was read from
        score REAL,                            -- NULL for error records
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'error')),
        red_line INTEGER NOT NULL,
        findings INTEGER NOT NULL,
        errors TEXT NOT NULL,                  -- JSON list of input problems (error records: why)
        pii_masked INTEGER NOT NULL,
        checked_at TEXT NOT NULL,
        rechecks INTEGER NOT NULL DEFAULT 0,   -- times re-checked with the same rulebook (rows replaced)
        report TEXT NOT NULL,                  -- the report's JSON line, formats.md §2
        UNIQUE (call_id, rulebook_hash)
    );
    CREATE INDEX calls_agent_day ON calls(agent_id, day);
    CREATE INDEX calls_run ON calls(run_id);
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        call_row INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        finding_key TEXT NOT NULL,             -- stable across re-runs and rulebook versions
        call_id TEXT NOT NULL,
        rulebook_hash TEXT NOT NULL,
        position INTEGER NOT NULL,             -- order in the report
        rule TEXT NOT NULL,
        check_name TEXT NOT NULL,
        level TEXT NOT NULL,                   -- error | warning (warnings never deduct)
        advisory INTEGER NOT NULL,             -- coaching advice, never scored
        weight REAL,                           -- the rule's weight (deducted once per failed rule)
        red_line INTEGER NOT NULL,             -- the rule is a red line (score 0)
        stage TEXT,
        segment INTEGER,
        start REAL,
        end_time REAL,
        speaker TEXT,
        matched TEXT NOT NULL,
        evidence TEXT NOT NULL,                -- the utterance, masked as in the report
        message TEXT NOT NULL,
        suggestion TEXT,
        note TEXT,
        UNIQUE (call_row, position)
    );
    CREATE INDEX findings_key ON findings(finding_key);
    CREATE INDEX findings_rule ON findings(rule);
    """,
    # 1 → 2: the review workspace (issue 10, scriptcheck/review.py). Decisions are an append-only log keyed
    # by the stable finding_key, so a re-run of the same calls keeps them attached; rule and snippet are
    # copied in so precision still counts a decision whose finding a fixed phrasebook no longer produces.
    """
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        finding_key TEXT NOT NULL,
        call_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        check_name TEXT NOT NULL,
        matched TEXT NOT NULL,                 -- the snippet as shown (masked as in the report)
        evidence TEXT NOT NULL,
        decision TEXT NOT NULL CHECK (decision IN ('confirm', 'reject')),
        comment TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,                -- a name as typed: no authentication (loopback tool)
        decided_at TEXT NOT NULL
    );
    CREATE INDEX reviews_key ON reviews(finding_key);
    CREATE INDEX reviews_call ON reviews(call_id);
    CREATE TABLE appeals (
        id INTEGER PRIMARY KEY,
        call_id TEXT NOT NULL,
        finding_key TEXT,                      -- NULL: an appeal against the whole call
        rule TEXT,
        check_name TEXT,
        matched TEXT,
        evidence TEXT,
        reason TEXT NOT NULL,                  -- the agent's reason
        filed_by TEXT NOT NULL,
        filed_at TEXT NOT NULL,
        decision TEXT CHECK (decision IN ('accepted', 'denied')),   -- NULL while open
        decided_by TEXT,
        decided_at TEXT,
        final_comment TEXT
    );
    CREATE INDEX appeals_key ON appeals(finding_key);
    CREATE INDEX appeals_call ON appeals(call_id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """The database cannot be used (not SQLite, not ours, written by a newer scriptcheck)."""


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def connect(path: str | Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (or create) the store: WAL, foreign keys on, schema migrated forward to SCHEMA_VERSION."""
    path = Path(path)
    if not create and not path.is_file():
        raise HistoryError(f"{path}: no such history database (create one with `scriptcheck check … --db {path}`)")
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)  # explicit BEGIN/COMMIT below
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a crash loses at most the last commit, never consistency
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn, path)
    except sqlite3.DatabaseError as e:
        raise HistoryError(f"{path}: not a usable SQLite database ({e})") from None
    return conn


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    if _version(conn, path) == SCHEMA_VERSION:  # the usual case: no write, so a read-only copy can be read
        return
    conn.execute("BEGIN IMMEDIATE")  # two runs starting at once must not both migrate
    try:
        version = _version(conn, path)
        if version is None:
            conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO schema_version VALUES (0)")
            version = 0
        if version > SCHEMA_VERSION:
            raise HistoryError(f"{path}: schema version {version} was written by a newer scriptcheck "
                               f"(this one knows {SCHEMA_VERSION}); upgrade scriptcheck")
        for step in MIGRATIONS[version:]:
            for statement in _statements(step):
                conn.execute(statement)
        conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _version(conn: sqlite3.Connection, path: Path) -> int | None:
    """The schema version; None for an empty database; an error for somebody else's database."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "schema_version" in tables:
        return int(conn.execute("SELECT version FROM schema_version").fetchone()[0])
    if tables:
        raise HistoryError(f"{path}: an SQLite database, but not a scriptcheck history (tables: "
                           f"{', '.join(sorted(tables))})")
    return None


def _statements(script: str) -> list[str]:
    """A migration script split into statements (executescript would commit our transaction); the
    comments stay in, so ``sqlite3 results.db .schema`` documents the columns."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(textwrap.dedent(buf).strip())
            buf = ""
    return out


def finding_key(call_id: str, f: Finding, occurrence: int) -> str:
    """Which finding this is, whatever run or rulebook version found it: the call, the rule, the
    segment and the matched words (always masked, so ``--show-pii`` runs agree), and which of
    several identical hits."""
    ident = "\x1f".join((call_id, f.rule, "" if f.segment is None else str(f.segment), mask(f.matched),
                         str(occurrence)))
    return hashlib.blake2b(ident.encode("utf-8"), digest_size=12).hexdigest()


def _day(started_at: str | None, fallback: str) -> str:
    if started_at and len(started_at) >= 10 and started_at[4] == "-" and started_at[7] == "-":
        return started_at[:10]
    return fallback[:10]


@dataclass
class RunRecorder:
    """Records one ``check`` run: ``add`` every report (errors included), then ``close``."""

    conn: sqlite3.Connection
    run_id: int
    rulebook: Rulebook
    batch: int = BATCH
    _pending: list[CallReport] = field(default_factory=list)
    _rules: dict[str, tuple[float, bool]] = field(default_factory=dict)

    @classmethod
    def start(cls, db: str | Path, rulebook: Rulebook, args: dict[str, Any], batch: int = BATCH) -> RunRecorder:
        conn = connect(db)
        cur = conn.execute(
            "INSERT INTO runs (started_at, tool_version, rulebook_hash, rulebook_name, rulebook_version, "
            "rulebook_source, pass_mark, args) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), __version__, rulebook.hash, Path(rulebook.source).stem, rulebook.version, rulebook.source,
             rulebook.settings.pass_mark, json.dumps(args, ensure_ascii=False, default=str)))
        rules = {rid: (float(r.weight), bool(r.is_red_line)) for rid, r in rulebook.rules.items()}
        return cls(conn, int(cur.lastrowid or 0), rulebook, batch, _rules=rules)

    def add(self, report: CallReport) -> None:
        """Queue one report; every ``batch`` reports are written in one transaction."""
        self._pending.append(report)
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the queued reports in one transaction (all or none; the queue is kept on failure)."""
        if not self._pending:
            return
        checked_at = now()
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for r in self._pending:
                call_row, rechecks = conn.execute(_UPSERT_CALL, (
                    r.call_id, self.rulebook.hash, self.run_id, r.agent_id, r.started_at,
                    _day(r.started_at, checked_at), r.source, r.score, r.verdict, int(r.red_line), len(r.findings),
                    json.dumps(r.errors, ensure_ascii=False) if r.errors else "[]", int(r.pii_masked), checked_at,
                    report_line(r),
                )).fetchone()
                if rechecks:  # replace the findings of the earlier check (a new row has none to delete)
                    conn.execute("DELETE FROM findings WHERE call_row = ?", (call_row,))
                if r.findings or r.advice:
                    conn.executemany(_INSERT_FINDING, self._finding_rows(call_row, r))
            conn.execute(_UPDATE_COUNTS, {"run": self.run_id})  # from the rows: right even after a retried batch
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._pending.clear()

    def _finding_rows(self, call_row: int, r: CallReport) -> list[tuple[Any, ...]]:
        rows = []
        seen: Counter[tuple[str, int | None, str]] = Counter()
        for pos, (f, advisory) in enumerate([*((f, 0) for f in r.findings), *((f, 1) for f in r.advice)]):
            ident = (f.rule, f.segment, f.matched)
            weight, red = self._rules.get(f.rule, (None, False))
            rows.append((call_row, finding_key(r.call_id, f, seen[ident]), r.call_id, self.rulebook.hash, pos, f.rule,
                         f.check, f.level, advisory, weight, int(red), f.stage, f.segment, f.start, f.end, f.speaker,
                         f.matched, f.text, f.message, f.suggestion, f.note))
            seen[ident] += 1
        return rows

    def close(self, status: str = "finished") -> None:
        """Write what is queued and mark the run ``finished`` (``finished_at`` set) or unfinished."""
        try:
            self.flush()
        finally:
            self.conn.execute("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?",
                              (status, now() if status == "finished" else None, self.run_id))
            self.conn.close()


_UPSERT_CALL = """
INSERT INTO calls (call_id, rulebook_hash, run_id, agent_id, started_at, day, source, score, verdict, red_line,
                   findings, errors, pii_masked, checked_at, report)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (call_id, rulebook_hash) DO UPDATE SET
    run_id = excluded.run_id, agent_id = excluded.agent_id, started_at = excluded.started_at, day = excluded.day,
    source = excluded.source, score = excluded.score, verdict = excluded.verdict, red_line = excluded.red_line,
    findings = excluded.findings, errors = excluded.errors, pii_masked = excluded.pii_masked,
    checked_at = excluded.checked_at, report = excluded.report, rechecks = rechecks + 1
RETURNING id, rechecks
"""
_UPDATE_COUNTS = """
UPDATE runs SET (calls, passed, failed, errors, red_lines, mean_score) = (
    SELECT COUNT(*), COALESCE(SUM(verdict = 'pass'), 0), COALESCE(SUM(verdict = 'fail'), 0),
           COALESCE(SUM(verdict = 'error'), 0), COALESCE(SUM(red_line), 0), ROUND(AVG(score), 1)
    FROM calls WHERE run_id = :run)
WHERE id = :run
"""
_INSERT_FINDING = """
INSERT INTO findings (call_row, finding_key, call_id, rulebook_hash, position, rule, check_name, level, advisory,
                      weight, red_line, stage, segment, start, end_time, speaker, matched, evidence, message,
                      suggestion, note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


# ---- reading the history -------------------------------------------------------------------------------------

RUN_COLUMNS = ("run", "started_at", "finished_at", "status", "rulebook", "rulebook_version", "rulebook_hash",
               "tool_version", "calls", "passed", "failed", "errors", "red_lines", "mean_score", "args")
RUN_TABLE_COLUMNS = ("run", "started_at", "status", "rulebook", "calls", "passed", "failed", "errors", "red_lines",
                     "mean_score")  # the rest (options, versions, full times) in --format json/csv
HEADERS = {
    "run": ("批次", "run"), "started_at": ("开始时间", "started"), "finished_at": ("结束时间", "finished"),
    "status": ("状态", "status"), "rulebook": ("规则库", "rulebook"), "rulebook_version": ("版本", "version"),
    "rulebook_hash": ("规则库哈希", "rulebook hash"), "tool_version": ("工具版本", "tool version"),
    "calls": ("通话数", "calls"), "passed": ("合格", "passed"), "failed": ("不合格", "failed"),
    "errors": ("错误", "errors"), "red_lines": ("高压线", "red lines"), "mean_score": ("平均分", "mean score"),
    "min_score": ("最低分", "lowest score"), "args": ("参数", "options"), "day": ("日期", "day"),
    "finished": ("已完成", "finished"), "running": ("运行中", "running"), "interrupted": ("已中断", "interrupted"),
    "failed_run": ("失败", "failed"), "trend": ("得分趋势", "score trend"), "agent": ("坐席", "agent"),
    "pass_mark": ("合格线", "pass mark"),
}


def label(key: str, lang: str) -> str:
    zh, en = HEADERS.get(key, (key, key))
    return en if lang == "en" else zh


def list_runs(conn: sqlite3.Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """The runs, newest first."""
    sql = "SELECT * FROM runs ORDER BY id DESC" + (" LIMIT ?" if limit else "")
    rows = []
    for r in conn.execute(sql, (limit,) if limit else ()):
        rows.append({"run": r["id"], "started_at": r["started_at"], "finished_at": r["finished_at"],
                     "status": r["status"], "rulebook": r["rulebook_name"], "rulebook_version": r["rulebook_version"],
                     "rulebook_hash": r["rulebook_hash"][:12], "tool_version": r["tool_version"], "calls": r["calls"],
                     "passed": r["passed"], "failed": r["failed"], "errors": r["errors"], "red_lines": r["red_lines"],
                     "mean_score": r["mean_score"], "args": json.loads(r["args"])})
    return rows


@dataclass
class Trend:
    """An agent's scores grouped per day or per run, under one rulebook version."""

    agent: str
    rulebook_hash: str | None
    rulebook: str | None
    pass_mark: float | None
    by: str
    rows: list[dict[str, Any]]


def agent_trend(conn: sqlite3.Connection, agent: str, by: str = "day", rulebook: str | None = None) -> Trend:
    """Per day (the calls' own dates) or per run: calls, pass/fail, red lines, errors, mean and lowest score.

    Scores from different rulebooks are not comparable, so one rulebook version is shown: the one
    of ``rulebook`` (a hash prefix), else the one this agent was checked with most recently."""
    if rulebook:
        found = conn.execute("SELECT DISTINCT rulebook_hash FROM calls WHERE agent_id = ? AND rulebook_hash LIKE ?",
                             (agent, rulebook + "%")).fetchall()
        if len(found) > 1:
            raise HistoryError(f"rulebook hash prefix {rulebook!r} is ambiguous: give more characters")
    else:
        found = conn.execute("SELECT rulebook_hash FROM calls WHERE agent_id = ? ORDER BY run_id DESC, id DESC "
                             "LIMIT 1", (agent,)).fetchall()
    if not found:
        return Trend(agent, None, None, None, by, [])
    rb_hash = found[0][0]
    meta = conn.execute("SELECT rulebook_name, rulebook_version, pass_mark FROM runs WHERE rulebook_hash = ? "
                        "ORDER BY id DESC LIMIT 1", (rb_hash,)).fetchone()
    key = "c.day" if by == "day" else "c.run_id"
    sql = (f"SELECT {key} AS k, MIN(r.started_at) AS run_started, COUNT(*) AS calls, "
           "SUM(c.verdict = 'pass') AS passed, SUM(c.verdict = 'fail') AS failed, SUM(c.red_line) AS red_lines, "
           "SUM(c.verdict = 'error') AS errors, ROUND(AVG(c.score), 1) AS mean, MIN(c.score) AS low "
           f"FROM calls c JOIN runs r ON r.id = c.run_id WHERE c.agent_id = ? AND c.rulebook_hash = ? "
           f"GROUP BY {key} ORDER BY {key}")
    rows = []
    for r in conn.execute(sql, (agent, rb_hash)):
        row: dict[str, Any] = {"day": r["k"]} if by == "day" else {"run": r["k"], "started_at": r["run_started"]}
        row.update(calls=r["calls"], passed=r["passed"], failed=r["failed"], red_lines=r["red_lines"],
                   errors=r["errors"], mean_score=r["mean"], min_score=r["low"])
        rows.append(row)
    version = f"{meta['rulebook_name']} v{meta['rulebook_version']}" if meta and meta["rulebook_version"] else (
        meta["rulebook_name"] if meta else None)
    return Trend(agent, rb_hash, version, meta["pass_mark"] if meta else None, by, rows)


def rows_table(rows: list[dict[str, Any]], columns: list[str], lang: str, title: str | None = None) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for c in columns:
        table.add_column(label(c, lang), no_wrap=c in ("started_at", "status", "day", "run"))
    for row in rows:
        cells = []
        for c in columns:
            v = row.get(c)
            if c == "rulebook" and "rulebook_hash" in row:
                v = f"{v} v{row['rulebook_version']}" if row.get("rulebook_version") else v
            elif c == "started_at" and v:
                v = str(v)[5:16].replace("T", " ")
            elif c == "status":
                v = label("failed_run" if v == "failed" else v, lang)
            elif c == "args" and isinstance(v, dict):
                v = " ".join(f"{k}={x}" for k, x in v.items() if x not in (None, False, [], ""))
            cells.append("" if v is None else escape(str(v)))
        table.add_row(*cells)
    return table


BAR_WIDTH = 40
_EIGHTHS = " ▏▎▍▌▋▊▉"


def trend_chart(trend: Trend, lang: str, width: int = BAR_WIDTH) -> RenderableType:
    """Horizontal bars of the mean score (0–100) per day or run, red below the pass mark.

    Drawn with rich (already a dependency) rather than a plotting library: the labels are Chinese,
    and terminal plotting libraries misalign double-width characters."""
    lines: list[RenderableType] = []
    mark = trend.pass_mark
    keys = [str(r["day"] if trend.by == "day" else f"#{r['run']}") for r in trend.rows]
    pad = max((len(k) for k in keys), default=0)
    for key, row in zip(keys, trend.rows, strict=True):
        score = row["mean_score"]
        text = Text(key.ljust(pad) + " │", style="dim")
        if score is None:
            text.append(" -")
        else:
            eighths = round(score / 100 * width * 8)
            bar = "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")
            text.append(bar, style="green" if mark is None or score >= mark else "red")
            text.append(f" {score:.1f}")
        lines.append(text)
    if mark is not None:
        at = round(mark / 100 * width)
        lines.append(Text(" " * (pad + 2 + at) + f"↑ {label('pass_mark', lang)} {mark:g}", style="dim"))
    return Group(*lines)


def show(db: Path, *, agent: str | None, by: str, rulebook: str | None, fmt: str, limit: int, lang: str,
         err: Console) -> None:
    """``scriptcheck history``: the runs, or an agent's trend, as a table (+ chart), JSON or CSV on stdout."""
    conn = connect(db, create=False)
    try:
        trend = agent_trend(conn, agent, by, rulebook) if agent else None
        rows = trend.rows if trend else list_runs(conn, limit or None)
    finally:
        conn.close()
    if trend is not None and not rows:
        err.print(f"[yellow]no calls of agent {escape(trend.agent)!r} in {escape(str(db))}[/]")
    columns = list(rows[0]) if rows else (["day" if by == "day" else "run"] if agent else list(RUN_COLUMNS))
    if fmt == "json":
        data = rows if trend is None else {"agent": trend.agent, "rulebook": trend.rulebook,
                                           "rulebook_hash": trend.rulebook_hash, "pass_mark": trend.pass_mark,
                                           "by": by, "rows": rows}
        print(json.dumps(data, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        sys.stdout.write("\ufeff")  # Excel reads the Chinese correctly
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow([label(c, lang) for c in columns])
        for row in rows:
            writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for v in row.values()])
    else:
        out = Console(highlight=False)
        if trend is None:
            out.print(rows_table(rows, list(RUN_TABLE_COLUMNS), lang))
        elif rows:
            title = f"{label('agent', lang)} {trend.agent} · {trend.rulebook} ({(trend.rulebook_hash or '')[:12]})"
            out.print(rows_table(rows, columns, lang, title=escape(title)))
            out.print(f"[bold]{label('trend', lang)}[/]")
            out.print(trend_chart(trend, lang))
