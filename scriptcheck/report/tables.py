"""Rows shared by the spreadsheet formats (CSV, Excel): one per call, one per finding, and the
per-agent / per-check summaries — Chinese headers by default, English with ``--lang en``."""

from __future__ import annotations

from typing import Any

from ..i18n import t
from ..model import CallReport
from .base import Summary

CALL_COLUMNS = ("call_id", "agent_id", "score", "verdict", "red_line", "failed_checks", "findings", "errors")
FINDING_COLUMNS = ("call_id", "agent_id", "check", "rule", "stage", "segment", "start", "speaker", "matched",
                   "text", "message", "suggestion", "note")
HEADERS = {
    "call_id": ("通话编号", "call id"), "agent_id": ("坐席", "agent"), "score": ("得分", "score"),
    "verdict": ("结论", "verdict"), "red_line": ("高压线", "red line"), "failed_checks": ("不合格项", "failed checks"),
    "findings": ("问题数", "findings"), "errors": ("读取错误", "input errors"), "check": ("检查项", "check"),
    "rule": ("规则", "rule"), "stage": ("阶段", "stage"), "segment": ("句序", "segment"),
    "start": ("时间(秒)", "time (s)"),
    "speaker": ("说话人", "speaker"), "matched": ("命中原话", "matched words"), "text": ("整句", "utterance"),
    "message": ("说明", "message"), "suggestion": ("建议话术", "suggestion"), "note": ("备注", "note"),
    "calls": ("通话数", "calls"), "mean_score": ("平均分", "mean score"), "fail_rate": ("不合格率", "failure rate"),
    "fail_count": ("不合格通话数", "calls failing"),
}


def header(col: str, lang: str) -> str:
    zh, en = HEADERS.get(col, (col, col))
    return en if lang == "en" else zh


def call_row(r: CallReport, lang: str, labels: dict[str, str]) -> list[Any]:
    failed = "、".join(labels.get(c, c) for c, s in r.checks.items() if s == "fail")
    return [r.call_id, r.agent_id or "", r.score if r.score is not None else "", t(r.verdict, lang),
            "Y" if r.red_line else "", failed, len(r.findings), " | ".join(r.errors)]


def finding_rows(r: CallReport, labels: dict[str, str]) -> list[list[Any]]:
    return [[r.call_id, r.agent_id or "", labels.get(f.check, f.check), f.rule, f.stage,
             f.segment if f.segment is not None else "", f.start if f.start is not None else "", f.speaker or "",
             f.matched, f.text, f.message, f.suggestion or "", f.note or ""] for f in r.findings]


def agent_rows(s: Summary) -> list[list[Any]]:
    rows = []
    for agent, row in s.agent_stats().items():
        score = row.get("score")
        rows.append([agent, row["calls"], score["mean"] if isinstance(score, dict) else ""])
    return rows


def check_rows(s: Summary, labels: dict[str, str]) -> list[list[Any]]:
    judged = max(s.passed + s.failed, 1)
    return [[labels.get(c, c), n, round(n / judged, 3)] for c, n in s.check_fails.most_common()]
