"""The review workspace's logic (issue 10): inspectors' decisions, appeals, rule precision, final scores.

Pure functions over a history store connection (scriptcheck/history.py, schema step 2); the web
pages (review_web.py) and the ``review-stats`` / ``review-export`` commands only call these, so the
terminal and the browser always show the same numbers.

Decisions are an append-only log keyed by the history's stable ``finding_key``: re-checking the
same calls (same or another rulebook version) produces the same keys, so earlier decisions stay
attached. A finding's *effective* decision is its latest review, overridden by the latest decided
appeal against it (the appeal is the last word: accepted = reject, denied = confirm).
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .history import now
from .matchers.pii import mask
from .model import Call, Segment
from .readers import Line, ReadError, read_file
from .readers.jsonl import stream_jsonl

DECISIONS = ("confirm", "reject")
APPEAL_DECISIONS = ("accepted", "denied")
PAGE = 200  # calls per list page
KEYS_PER_QUERY = 900  # below SQLite's oldest parameter limit (999)


class ReviewError(ValueError):
    """A decision that cannot be stored (unknown finding, empty name, appeal already decided, …)."""


# ---- decisions ---------------------------------------------------------------------------------------------


def _finding(conn: sqlite3.Connection, key: str) -> sqlite3.Row:
    row = conn.execute("SELECT * FROM findings WHERE finding_key = ? ORDER BY id DESC LIMIT 1", (key,)).fetchone()
    if row is None:
        raise ReviewError(f"no finding {key!r} in this history")
    return row


def _name(value: str | None, what: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ReviewError(f"{what}: a name is required (who decided is stored with every decision)")
    return name


def record_review(conn: sqlite3.Connection, key: str, decision: str, reviewer: str | None,
                  comment: str = "") -> int:
    """Store one inspector's decision on a finding; earlier decisions stay in the log."""
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}, not {decision!r}")
    who = _name(reviewer, "reviewer")
    f = _finding(conn, key)
    cur = conn.execute(
        "INSERT INTO reviews (finding_key, call_id, rule, check_name, matched, evidence, decision, comment, reviewer, "
        "decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key, f["call_id"], f["rule"], f["check_name"], f["matched"], f["evidence"], decision, comment.strip(), who,
         now()))
    return int(cur.lastrowid or 0)


def file_appeal(conn: sqlite3.Connection, call_id: str, key: str | None, reason: str, filed_by: str | None) -> int:
    """An agent's appeal against one finding (``key``) or the whole call (``key`` None)."""
    if not reason.strip():
        raise ReviewError("an appeal needs the agent's reason")
    who = _name(filed_by, "appeal")
    f = _finding(conn, key) if key else None
    if f is None and conn.execute("SELECT 1 FROM calls WHERE call_id = ?", (call_id,)).fetchone() is None:
        raise ReviewError(f"no call {call_id!r} in this history")
    if f is not None and f["call_id"] != call_id:
        raise ReviewError(f"finding {key!r} belongs to call {f['call_id']!r}, not {call_id!r}")
    open_ = conn.execute("SELECT id FROM appeals WHERE call_id = ? AND finding_key IS ? AND decision IS NULL",
                         (call_id, key)).fetchone()
    if open_ is not None:
        raise ReviewError(f"appeal #{open_[0]} on this {'finding' if key else 'call'} is still open")
    cur = conn.execute(
        "INSERT INTO appeals (call_id, finding_key, rule, check_name, matched, evidence, reason, filed_by, filed_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (call_id, key, f and f["rule"], f and f["check_name"], f and f["matched"], f and f["evidence"],
         reason.strip(), who, now()))
    return int(cur.lastrowid or 0)


def decide_appeal(conn: sqlite3.Connection, appeal_id: int, decision: str, decided_by: str | None,
                  comment: str = "") -> None:
    """The inspector's final decision on an appeal (once: a decided appeal is not reopened, file a new one)."""
    if decision not in APPEAL_DECISIONS:
        raise ReviewError(f"appeal decision must be one of {', '.join(APPEAL_DECISIONS)}, not {decision!r}")
    who = _name(decided_by, "appeal decision")
    row = conn.execute("SELECT decision FROM appeals WHERE id = ?", (appeal_id,)).fetchone()
    if row is None:
        raise ReviewError(f"no appeal #{appeal_id}")
    if row["decision"] is not None:
        raise ReviewError(f"appeal #{appeal_id} was already decided ({row['decision']})")
    conn.execute("UPDATE appeals SET decision = ?, decided_by = ?, decided_at = ?, final_comment = ? WHERE id = ?",
                 (decision, who, now(), comment.strip(), appeal_id))


@dataclass
class Effective:
    """What counts for a finding now, and where it came from."""

    decision: str  # confirm | reject
    by: str
    at: str
    comment: str
    via: str  # review | appeal
    evidence: str  # the utterance as it was when decided


def effective_decisions(conn: sqlite3.Connection, keys: list[str] | None = None) -> dict[str, Effective]:
    """finding_key → its effective decision (latest review, overridden by the latest decided appeal)."""
    if keys is not None and len(keys) > KEYS_PER_QUERY:  # SQLite limits the parameters of one statement
        out: dict[str, Effective] = {}
        for at in range(0, len(keys), KEYS_PER_QUERY):
            out.update(effective_decisions(conn, keys[at:at + KEYS_PER_QUERY]))
        return out
    where, args = "", ()
    if keys is not None:
        if not keys:
            return {}
        where, args = f" WHERE finding_key IN ({','.join('?' * len(keys))})", tuple(keys)
    out = {}
    for r in conn.execute(f"SELECT * FROM reviews{where} ORDER BY id", args):
        out[r["finding_key"]] = Effective(r["decision"], r["reviewer"], r["decided_at"], r["comment"], "review",
                                            r["evidence"])
    appeal_where = (where + " AND" if where else " WHERE") + " finding_key IS NOT NULL AND decision IS NOT NULL"
    for r in conn.execute(f"SELECT * FROM appeals{appeal_where} ORDER BY id", args):
        out[r["finding_key"]] = Effective("reject" if r["decision"] == "accepted" else "confirm", r["decided_by"],
                                          r["decided_at"], r["final_comment"] or "", "appeal", r["evidence"])
    return out


# ---- final score -------------------------------------------------------------------------------------------


@dataclass
class Final:
    score: float | None
    verdict: str
    red_line: bool
    lifted: list[str] = field(default_factory=list)  # rules that no longer deduct


def final_score(score: float | None, verdict: str, red_line: bool, pass_mark: float, findings: list[dict[str, Any]],
                rejected: set[str], call_overturned: bool = False) -> Final:
    """A reviewed call's score: rejected findings no longer deduct.

    The engine deducts a failed rule's weight once, however many findings it has (a red line
    zeroes the score). So a rule keeps deducting while at least one of its scored findings
    (level error, not advisory) is not rejected; a rule whose findings are all rejected gives its
    weight back, and a red-line rule rejected on review lifts the zero. The score is recomputed
    from the weights the history stored with each finding: 100 − Σ weights of the rules still
    failing (any deduction the findings do not explain, e.g. a score already clamped at 0, is
    kept). An accepted appeal against the whole call rejects all its findings. Unreviewed or
    confirmed findings keep deducting, so an unreviewed call's final score is its score."""
    if score is None:
        return Final(None, verdict, red_line)
    failing: dict[str, tuple[float, bool, bool]] = {}  # rule → (weight, red line, still failing)
    for f in findings:
        if f["level"] != "error" or f["advisory"]:
            continue
        weight, red, kept = failing.get(f["rule"], (float(f["weight"] or 0.0), bool(f["red_line"]), False))
        failing[f["rule"]] = (weight, red, kept or not (call_overturned or f["finding_key"] in rejected))
    explained = sum(w for w, _, _ in failing.values())
    unexplained = 0.0 if red_line else max(0.0, round(100.0 - score - explained, 1))
    lifted = sorted(rule for rule, (_, _, kept) in failing.items() if not kept)
    if not lifted:
        return Final(score, verdict, red_line)
    still_red = any(red and kept for _, red, kept in failing.values())
    deduction = unexplained + sum(w for w, _, kept in failing.values() if kept)
    new = 0.0 if still_red else max(0.0, round(100.0 - deduction, 1))
    return Final(new, "fail" if still_red or new < pass_mark else "pass", still_red, lifted)


# ---- calls ---------------------------------------------------------------------------------------------------

_DECIDED = ("(f.finding_key IN (SELECT finding_key FROM reviews) OR f.finding_key IN "
            "(SELECT finding_key FROM appeals WHERE decision IS NOT NULL AND finding_key IS NOT NULL) OR "
            "c.call_id IN (SELECT call_id FROM appeals WHERE finding_key IS NULL AND decision = 'accepted'))")
_CALLS = f"""
SELECT * FROM (
  SELECT c.id, c.call_id, c.agent_id, c.day, c.started_at, c.score, c.verdict, c.red_line, c.run_id, c.rulebook_hash,
         c.source, r.pass_mark, r.rulebook_name, r.rulebook_version,
         (SELECT COUNT(*) FROM findings f WHERE f.call_row = c.id AND f.advisory = 0) AS n_findings,
         (SELECT COUNT(*) FROM findings f WHERE f.call_row = c.id AND f.advisory = 0 AND {_DECIDED}) AS n_decided,
         (SELECT COUNT(*) FROM appeals a WHERE a.call_id = c.call_id AND a.decision IS NULL) AS open_appeals
  FROM calls c JOIN runs r ON r.id = c.run_id
  WHERE c.run_id = (SELECT MAX(run_id) FROM calls c2 WHERE c2.call_id = c.call_id)
) AS x
"""


@dataclass
class CallFilter:
    agent: str | None = None
    verdict: str | None = None  # pass | fail | error (as checked)
    check: str | None = None  # has a finding of this check
    day_from: str | None = None  # YYYY-MM-DD, inclusive
    day_to: str | None = None
    # yes: every finding decided; no: some undecided; appealed: an open appeal. Coaching advice is not counted:
    # it never scores, so a call is reviewed once its scored findings and warnings are decided.
    reviewed: str | None = None

    def sql(self) -> tuple[str, list[Any]]:
        where: list[str] = []
        args: list[Any] = []
        if self.agent:
            where.append("agent_id = ?")
            args.append(self.agent)
        if self.verdict in ("pass", "fail", "error"):
            where.append("verdict = ?")
            args.append(self.verdict)
        if self.check:
            where.append("EXISTS (SELECT 1 FROM findings f WHERE f.call_row = x.id AND f.check_name = ?)")
            args.append(self.check)
        if self.day_from:
            where.append("day >= ?")
            args.append(self.day_from)
        if self.day_to:
            where.append("day <= ?")
            args.append(self.day_to)
        if self.reviewed == "yes":
            where.append("n_findings > 0 AND n_decided = n_findings")
        elif self.reviewed == "no":
            where.append("n_decided < n_findings")
        elif self.reviewed == "appealed":
            where.append("open_appeals > 0")
        return (" WHERE " + " AND ".join(where)) if where else "", args


def list_calls(conn: sqlite3.Connection, flt: CallFilter | None = None, page: int = 0,
               size: int = PAGE) -> tuple[list[dict[str, Any]], int]:
    """The latest check of each call (newest first) matching ``flt``, with its final score; and the total."""
    where, args = (flt or CallFilter()).sql()
    total = conn.execute(f"SELECT COUNT(*) FROM ({_CALLS}{where})", args).fetchone()[0]
    rows = [dict(r) for r in conn.execute(f"{_CALLS}{where} ORDER BY day DESC, started_at DESC, call_id "
                                          "LIMIT ? OFFSET ?", [*args, size, page * size])]
    ids = [r["id"] for r in rows]
    findings: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if ids:
        for f in conn.execute(f"SELECT * FROM findings WHERE call_row IN ({','.join('?' * len(ids))})", ids):
            findings[f["call_row"]].append(dict(f))
    keys = [f["finding_key"] for fs in findings.values() for f in fs]
    decisions = effective_decisions(conn, keys)
    overturned = _overturned(conn, [r["call_id"] for r in rows])
    for r in rows:
        rejected = {f["finding_key"] for f in findings[r["id"]] if _rejected(decisions, f["finding_key"])}
        fin = final_score(r["score"], r["verdict"], bool(r["red_line"]), r["pass_mark"], findings[r["id"]], rejected,
                          r["call_id"] in overturned)
        r.update(final_score=fin.score, final_verdict=fin.verdict, final_red_line=fin.red_line,
                 checks=sorted({f["check_name"] for f in findings[r["id"]]}))
    return rows, total


def _rejected(decisions: dict[str, Effective], key: str) -> bool:
    d = decisions.get(key)
    return d is not None and d.decision == "reject"


def _overturned(conn: sqlite3.Connection, call_ids: list[str]) -> set[str]:
    if not call_ids:
        return set()
    return {r[0] for r in conn.execute(
        f"SELECT call_id FROM appeals WHERE finding_key IS NULL AND decision = 'accepted' AND call_id IN "
        f"({','.join('?' * len(call_ids))})", call_ids)}


def filter_options(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """The values the list filters offer: agents, checks and days present in the history."""
    return {
        "agents": [r[0] for r in conn.execute("SELECT DISTINCT agent_id FROM calls WHERE agent_id IS NOT NULL "
                                              "ORDER BY agent_id")],
        "checks": [r[0] for r in conn.execute("SELECT DISTINCT check_name FROM findings ORDER BY check_name")],
        "days": [r[0] for r in conn.execute("SELECT DISTINCT day FROM calls ORDER BY day")],
    }


def call_detail(conn: sqlite3.Connection, row_id: int) -> dict[str, Any] | None:
    """One checked call: its report, findings with their effective decision and log, appeals, final score."""
    c = conn.execute("SELECT c.*, r.pass_mark, r.rulebook_name, r.rulebook_version FROM calls c "
                     "JOIN runs r ON r.id = c.run_id WHERE c.id = ?", (row_id,)).fetchone()
    if c is None:
        return None
    findings = [dict(f) for f in conn.execute("SELECT * FROM findings WHERE call_row = ? ORDER BY position",
                                              (row_id,))]
    keys = [f["finding_key"] for f in findings]
    decisions = effective_decisions(conn, keys)
    log: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in conn.execute("SELECT * FROM reviews WHERE call_id = ? ORDER BY id", (c["call_id"],)):
        log[r["finding_key"]].append(dict(r))
    appeals = [dict(a) for a in conn.execute("SELECT * FROM appeals WHERE call_id = ? ORDER BY id", (c["call_id"],))]
    for f in findings:
        f["decision"] = decisions.get(f["finding_key"])
        # the key holds the call, rule, segment and matched words: a reworded utterance keeps the decision, shown
        f["reworded"] = f["decision"] is not None and f["decision"].evidence != f["evidence"]
        f["log"] = log.get(f["finding_key"], [])
        f["appeals"] = [a for a in appeals if a["finding_key"] == f["finding_key"]]
        f["open_appeal"] = next((a for a in f["appeals"] if a["decision"] is None), None)
    overturned = any(a["finding_key"] is None and a["decision"] == "accepted" for a in appeals)
    rejected = {k for k in keys if _rejected(decisions, k)}
    fin = final_score(c["score"], c["verdict"], bool(c["red_line"]), c["pass_mark"], findings, rejected, overturned)
    others = [dict(r) for r in conn.execute(
        "SELECT c.id, c.rulebook_hash, c.score, c.verdict, r.rulebook_name, r.rulebook_version, c.checked_at "
        "FROM calls c JOIN runs r ON r.id = c.run_id WHERE c.call_id = ? AND c.id != ? ORDER BY c.run_id DESC",
        (c["call_id"], row_id))]
    return {"call": dict(c), "report": json.loads(c["report"]), "findings": findings, "final": fin,
            "call_appeals": [a for a in appeals if a["finding_key"] is None], "other_checks": others}


# ---- the transcript ---------------------------------------------------------------------------------------------

_SOURCE = re.compile(r"^(?P<path>.*?)(?::(?P<line>\d+)|\[(?P<index>\d+)\])?$")


@dataclass
class Transcript:
    """The call's utterances as the checker saw them (masked like the report), or why they are missing."""

    segments: list[Segment]
    problem: str | None = None


def load_transcript(report: dict[str, Any], bases: list[Path]) -> Transcript:
    """Read the call back from the file the history recorded as its ``source``.

    The report contract (formats.md §2) carries findings, not the transcript, and the history
    stores reports: so the transcript is re-read from its source (a relative path is tried
    against each of ``bases``: the current folder, the database's folder), masked as the report
    was, speaker labels mapped as the checker mapped them, and compared with the findings'
    evidence: a file changed since the check is reported instead of shown as the evidence."""
    source = report.get("source") or ""
    m = _SOURCE.match(source)
    if not source or m is None:
        return Transcript([], "no source recorded")
    raw = Path(m["path"])
    candidates = [raw] if raw.is_absolute() else [b / raw for b in bases]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return Transcript([], f"{m['path']}: source file not found")
    call = None
    try:
        if m["line"] and path.suffix.lower() == ".jsonl":
            call = _record_at(path, int(m["line"]))
        else:
            items = [c for c in read_file(path) if not isinstance(c, ReadError)]
            index = int(m["index"]) if m["index"] else None
            call = next((c for i, c in enumerate(items) if (index is None or i == index)
                         and c.call_id == report["call_id"]), None)
    except (OSError, ValueError) as e:
        return Transcript([], f"{m['path']}: cannot read ({e})")
    if call is None or isinstance(call, ReadError) or call.call_id != report["call_id"]:
        return Transcript([], f"{source}: call {report['call_id']} not found there any more")
    segments = [_shown(s, report) for s in call.segments]
    for f in report.get("findings", []) + report.get("advice", []):
        i = f.get("segment")
        if i is not None and (i >= len(segments) or segments[i].text != f.get("text")):
            return Transcript([], f"{source}: the file changed since the check (segment {i} differs)")
    return Transcript(segments)


def _record_at(path: Path, n: int) -> Call | None:
    """The call on line ``n`` of a JSON Lines file, read exactly as the check read it (same decoding,
    same fallback id, vendor results per line); lines before it are never parsed."""
    for x in stream_jsonl(path, lazy=True):
        if isinstance(x, Line):
            if x.n == n:
                return next((c for c in x.read() if isinstance(c, Call)), None)
        elif isinstance(x, Call) and (x.source or "").endswith(f":{n}"):  # UTF-16: decoded whole
            return x
    return None


def _shown(s: Segment, report: dict[str, Any]) -> Segment:
    roles = report.get("roles") or {}
    speaker = s.speaker
    if roles.get("source") == "speaker_ids" and s.label in (roles.get("mapping") or {}):
        speaker = roles["mapping"][s.label]
    elif roles.get("source") == "swapped":
        speaker = {"agent": "customer", "customer": "agent"}.get(speaker, speaker)
    text = mask(s.text) if report.get("pii_masked", True) else s.text
    return s.model_copy(update={"speaker": speaker, "text": text})


def highlight(text: str, snippets: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, highlighted) parts, the matched snippets highlighted (escaped by the template)."""
    spans: list[tuple[int, int]] = []
    for snip in snippets:
        if not snip:
            continue
        at = text.find(snip)
        if at < 0:
            continue
        spans.append((at, at + len(snip)))
    if not spans:
        return [(text, bool(snippets))]  # the rule matched the utterance as a whole (or after normalizing)
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    parts, pos = [], 0
    for a, b in merged:
        if a > pos:
            parts.append((text[pos:a], False))
        parts.append((text[a:b], True))
        pos = b
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


# ---- rule precision ----------------------------------------------------------------------------------------


def _decided_findings(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every decided finding once, with its rule and snippet as recorded with the decision."""
    meta: dict[str, dict[str, Any]] = {}
    for r in conn.execute("SELECT finding_key, call_id, rule, check_name, matched, evidence FROM reviews ORDER BY id"):
        meta[r["finding_key"]] = dict(r)
    for r in conn.execute("SELECT finding_key, call_id, rule, check_name, matched, evidence FROM appeals "
                          "WHERE finding_key IS NOT NULL AND decision IS NOT NULL ORDER BY id"):
        meta[r["finding_key"]] = dict(r)
    decisions = effective_decisions(conn)
    return [{**m, "decision": decisions[k].decision} for k, m in meta.items() if k in decisions]


def rule_precision(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Per rule: confirmed and rejected findings (effective decisions) and precision = confirmed / decided.

    Sorted by most rejections first, then rule id: the top of the list is where false alarms are."""
    counts: dict[str, dict[str, Any]] = {}
    for d in _decided_findings(conn):
        row = counts.setdefault(d["rule"], {"rule": d["rule"], "check": d["check_name"], "confirmed": 0,
                                            "rejected": 0})
        row["confirmed" if d["decision"] == "confirm" else "rejected"] += 1
    for row in counts.values():
        decided = row["confirmed"] + row["rejected"]
        row["reviewed"] = decided
        row["precision"] = round(row["confirmed"] / decided, 3) if decided else None
    return sorted(counts.values(), key=lambda r: (-r["rejected"], r["rule"]))


def phrasebook_todo(conn: sqlite3.Connection, rules: int = 10, snippets: int = 5) -> list[dict[str, Any]]:
    """The rules with the most rejected findings, each with its rejected snippets (most frequent first)."""
    by_rule: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for d in _decided_findings(conn):
        if d["decision"] != "reject":
            continue
        s = by_rule[d["rule"]].setdefault(d["matched"], {"matched": d["matched"], "evidence": d["evidence"],
                                                        "call_id": d["call_id"], "count": 0})
        s["count"] += 1
    stats = {r["rule"]: r for r in rule_precision(conn)}
    out = []
    for rule, snips in by_rule.items():
        ranked = sorted(snips.values(), key=lambda s: (-s["count"], s["matched"]))
        out.append({**stats[rule], "snippets": ranked[:snippets]})
    out.sort(key=lambda r: (-r["rejected"], r["rule"]))
    return out[:rules]


# ---- export ----------------------------------------------------------------------------------------------------

EXPORT_COLUMNS = ("kind", "id", "call_id", "finding_key", "rule", "check", "matched", "evidence", "decision",
                  "comment", "reviewer", "decided_at", "reason", "filed_by", "filed_at")


def export_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every decision as a flat record: reviews (kind=review) then appeals (kind=appeal), in order."""
    rows: list[dict[str, Any]] = []
    for r in conn.execute("SELECT * FROM reviews ORDER BY id"):
        rows.append({"kind": "review", "id": r["id"], "call_id": r["call_id"], "finding_key": r["finding_key"],
                     "rule": r["rule"], "check": r["check_name"], "matched": r["matched"], "evidence": r["evidence"],
                     "decision": r["decision"], "comment": r["comment"], "reviewer": r["reviewer"],
                     "decided_at": r["decided_at"], "reason": None, "filed_by": None, "filed_at": None})
    for a in conn.execute("SELECT * FROM appeals ORDER BY id"):
        rows.append({"kind": "appeal", "id": a["id"], "call_id": a["call_id"], "finding_key": a["finding_key"],
                     "rule": a["rule"], "check": a["check_name"], "matched": a["matched"], "evidence": a["evidence"],
                     "decision": a["decision"], "comment": a["final_comment"], "reviewer": a["decided_by"],
                     "decided_at": a["decided_at"], "reason": a["reason"], "filed_by": a["filed_by"],
                     "filed_at": a["filed_at"]})
    return rows


def export_text(conn: sqlite3.Connection, fmt: str) -> str:
    """The decisions as JSON Lines or CSV (whoever writes the CSV file adds a BOM for Excel)."""
    rows = export_rows(conn)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(EXPORT_COLUMNS), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()
    raise ReviewError(f"export format must be jsonl or csv, not {fmt!r}")

