"""``scriptcheck summary``: a batch of JSON Lines reports aggregated per agent, per check or per day."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .model import CallReport


def load_reports(paths: Iterable[Path]) -> tuple[list[CallReport], list[str]]:
    """Reports from JSON Lines files; a line that is not a report is named, not dropped silently."""
    reports, problems = [], []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), 1):
            if not line.strip():
                continue
            try:
                reports.append(CallReport.model_validate(json.loads(line)))
            except (ValueError, TypeError) as e:
                problems.append(f"{path}:{n}: not a scriptcheck report ({str(e).splitlines()[0]})")
    return reports, problems


def summarize(reports: list[CallReport], by: str) -> list[dict[str, Any]]:
    """One row per agent / check / day: calls, passed, failed, red lines, errors, mean score."""
    if by == "check":
        rows = []
        judged = [r for r in reports if r.verdict != "error"]
        names = dict.fromkeys(c for r in judged for c in r.checks)
        for c in names:
            statuses = [r.checks.get(c) for r in judged]
            fails = statuses.count("fail")
            applicable = fails + statuses.count("pass")
            rows.append({"check": c, "fail": fails, "pass": statuses.count("pass"), "n/a": statuses.count("n/a"),
                         "fail_rate": round(fails / applicable, 3) if applicable else None})
        return rows
    groups: dict[str, list[CallReport]] = defaultdict(list)
    for r in reports:
        key = (r.agent_id or "-") if by == "agent" else ((r.started_at or "")[:10] or "-")
        groups[key].append(r)
    rows = []
    for key in sorted(groups):
        rs = groups[key]
        scores = [r.score for r in rs if r.score is not None]
        rows.append({by: key, "calls": len(rs), "passed": sum(r.verdict == "pass" for r in rs),
                     "failed": sum(r.verdict == "fail" for r in rs), "red_lines": sum(r.red_line for r in rs),
                     "errors": sum(r.verdict == "error" for r in rs),
                     "mean_score": round(statistics.fmean(scores), 1) if scores else None})
    return rows
