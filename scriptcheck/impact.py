"""``scriptcheck diff OLD NEW CALLS...``: what a rulebook edit changes on a set of calls.

Both rulebooks check the same calls with the ordinary engine; a call is listed when its verdict,
score or red-line status changes or when a finding appears or disappears. Findings are compared
by (rule, segment, matched words, level), so the same hit reported by both sides is no change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .engine import Checker
from .model import Call, CallReport, Finding
from .readers import ReadError

FindingKey = tuple[str, int | None, str, str]


def _key(f: Finding) -> FindingKey:
    return (f.rule, f.segment, f.matched, f.level)


def _brief(f: Finding) -> dict[str, Any]:
    return {"rule": f.rule, "check": f.check, "level": f.level, "segment": f.segment, "matched": f.matched,
            "text": f.text}


@dataclass
class CallChange:
    call_id: str
    old: CallReport
    new: CallReport
    added: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"call_id": self.call_id,
                "verdict": [self.old.verdict, self.new.verdict], "score": [self.old.score, self.new.score],
                "red_line": [self.old.red_line, self.new.red_line],
                "added": [_brief(f) for f in self.added], "removed": [_brief(f) for f in self.removed]}


@dataclass
class Impact:
    calls: int = 0
    unreadable: list[str] = field(default_factory=list)
    changes: list[CallChange] = field(default_factory=list)
    per_rule: dict[str, dict[str, int]] = field(default_factory=dict)  # rule → {"added": n, "removed": n}

    def as_dict(self) -> dict[str, Any]:
        verdicts = sum(c.old.verdict != c.new.verdict for c in self.changes)
        red = sum(c.old.red_line != c.new.red_line for c in self.changes)
        return {"summary": {"calls": self.calls, "changed": len(self.changes), "verdict_changed": verdicts,
                            "red_line_changed": red, "unreadable": len(self.unreadable)},
                "calls": [c.as_dict() for c in self.changes], "rules": self.per_rule,
                "unreadable": self.unreadable}


def _all_findings(r: CallReport) -> list[Finding]:
    return [*r.findings, *r.advice]


def compare(old: CallReport, new: CallReport) -> CallChange | None:
    """The change between two reports of one call, or None when nothing that matters moved."""
    before = {_key(f): f for f in _all_findings(old)}
    after = {_key(f): f for f in _all_findings(new)}
    change = CallChange(old.call_id, old, new, [f for k, f in after.items() if k not in before],
                        [f for k, f in before.items() if k not in after])
    moved = (old.verdict, old.score, old.red_line) != (new.verdict, new.score, new.red_line)
    return change if moved or change.added or change.removed else None


def impact(old: Checker, new: Checker, calls: Iterable[Call | ReadError]) -> Impact:
    out = Impact()
    for item in calls:
        if isinstance(item, ReadError):
            out.unreadable.append(item.message)
            continue
        out.calls += 1
        change = compare(old.check(item), new.check(item))
        if change is None:
            continue
        out.changes.append(change)
        for side, found in (("added", change.added), ("removed", change.removed)):
            for f in found:
                row = out.per_rule.setdefault(f.rule, {"added": 0, "removed": 0})
                row[side] += 1
    return out


def render_text(result: Impact) -> str:
    lines = []
    for c in result.changes:
        moved = []
        if c.old.verdict != c.new.verdict:
            moved.append(f"verdict {c.old.verdict} → {c.new.verdict}")
        if c.old.score != c.new.score:
            moved.append(f"score {c.old.score:g} → {c.new.score:g}" if c.old.score is not None
                         and c.new.score is not None else f"score {c.old.score} → {c.new.score}")
        if c.old.red_line != c.new.red_line:
            moved.append(f"red line {'yes' if c.old.red_line else 'no'} → {'yes' if c.new.red_line else 'no'}")
        lines.append(f"{c.call_id}: {', '.join(moved) or 'findings changed'}")
        for sign, found in (("+", c.added), ("-", c.removed)):
            for f in found:
                where = f"segment {f.segment}" if f.segment is not None else "call"
                lines.append(f"  {sign} {f.rule} ({f.level}, {where}): 「{f.matched}」")
    if result.per_rule:
        lines.append("")
        lines.append("per rule:")
        width = max(len(r) for r in result.per_rule)
        for rule, n in sorted(result.per_rule.items()):
            lines.append(f"  {rule:<{width}}  +{n['added']}  -{n['removed']}")
    s = result.as_dict()["summary"]
    lines.append(f"{s['calls']} calls: {s['changed']} changed ({s['verdict_changed']} verdicts, "
                 f"{s['red_line_changed']} red-line statuses)")
    return "\n".join(lines) + "\n"
