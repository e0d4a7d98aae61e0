"""The formatter protocol and the batch summary every formatter receives at the end."""

from __future__ import annotations

import statistics
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar, TextIO

from ..model import CallReport
from ..rulebook.schema import CheckInfo


@dataclass
class Summary:
    """Batch totals; ``read == reported`` is the no-call-lost reconciliation."""

    read: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    red_lines: int = 0
    check_fails: Counter[str] = field(default_factory=Counter)
    score_total: float = 0.0
    # per agent, per figure: every call's value (for p50/p90), packed 8 bytes a value so that a
    # 200,000-call batch adds ~10 MB, not the ~40 MB of Python float lists
    by_agent: dict[str, dict[str, array[float]]] = field(default_factory=dict)
    # False when nothing will show per-agent figures (``Formatter.agent_figures``): none are kept
    per_agent: bool = True

    AGENT_FIGURES = ("score", "duration", "silence_ratio", "longest_silence", "agent_chars_per_min", "interruptions")

    def add(self, r: CallReport) -> None:
        self.read += 1
        if r.verdict == "error":
            self.errors += 1
            return
        if self.per_agent:
            figures = self.by_agent.setdefault(r.agent_id or "-", {k: array("d") for k in self.AGENT_FIGURES})
            for k in self.AGENT_FIGURES:
                v = r.score if k == "score" else getattr(r.metrics, k)
                if v is not None:
                    figures[k].append(float(v))
        self.passed += r.verdict == "pass"
        self.failed += r.verdict == "fail"
        self.red_lines += r.red_line
        self.score_total += r.score or 0.0
        self.check_fails.update(c for c, s in r.checks.items() if s == "fail")

    def merge(self, part: Summary, scores: Iterable[float]) -> None:
        """Add the totals of calls summed up elsewhere (a batch worker's chunk), exactly as if each
        call were added here in turn. ``scores`` are those calls' score addends (``score or 0.0``,
        errors left out) in input order: ``score_total`` is a float sum, and that depends on order."""
        self.read += part.read
        self.passed += part.passed
        self.failed += part.failed
        self.errors += part.errors
        self.red_lines += part.red_lines
        for score in scores:
            self.score_total += score
        self.check_fails.update(part.check_fails)  # keeps first-seen order, which breaks most_common() ties
        for agent, figures in part.by_agent.items() if self.per_agent else ():
            mine = self.by_agent.get(agent)
            if mine is None:
                self.by_agent[agent] = {k: array("d", values) for k, values in figures.items()}
            else:
                for k, values in figures.items():
                    mine[k].extend(values)

    @property
    def reported(self) -> int:
        return self.passed + self.failed + self.errors

    def agent_stats(self) -> dict[str, dict[str, dict[str, float] | int]]:
        """Per agent: calls, and mean / p50 / p90 of each figure supervisors track (AHT, silence…)."""
        out: dict[str, dict[str, dict[str, float] | int]] = {}
        for agent, figures in sorted(self.by_agent.items()):
            row: dict[str, dict[str, float] | int] = {"calls": len(figures["score"])}
            for k, vals in figures.items():
                if vals:
                    row[k] = {"mean": round(statistics.fmean(vals), 2), "p50": round(_pct(vals, 50), 2),
                              "p90": round(_pct(vals, 90), 2)}
            out[agent] = row
        return out

    @property
    def mean_score(self) -> float | None:
        n = self.passed + self.failed
        return round(self.score_total / n, 1) if n else None


def _pct(values: list[float], q: int) -> float:
    """Nearest-rank percentile (a supervisor's p90 is a value that occurred)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, -(-q * len(ordered) // 100) - 1))]


class Formatter:
    """Base formatter: subclasses override what they need."""

    # True when the format shows whole transcripts: the checker then attaches them to the reports
    needs_transcript: bool = False
    # Set when call(report) writes render(report) and nothing else: a batch's workers then render
    # the calls and the parent writes their text with write_rendered(), never rebuilding a report
    render: ClassVar[Callable[[CallReport], str] | None] = None
    # Whether ``finish`` shows per-agent figures (p50/p90 need every call's values, 8 bytes a figure
    # a call: ~10 MB on 200,000 calls); a format that shows none says so and the batch keeps none
    agent_figures: ClassVar[bool] = True

    def __init__(self, stream: TextIO, *, lang: str = "zh", checks: dict[str, CheckInfo] | None = None):
        self.stream = stream
        self.lang = lang
        self.checks = checks or {}

    def start(self) -> None:
        pass

    def call(self, report: CallReport) -> None:
        raise NotImplementedError

    def write_rendered(self, text: str) -> None:
        """Calls rendered elsewhere with ``render`` (as ``call`` would have written them)."""
        self.stream.write(text)

    def finish(self, summary: Summary) -> None:
        pass

    def check_label(self, name: str) -> str:
        info = self.checks.get(name)
        if info is None:
            return name
        return info.label_en if self.lang == "en" else info.label
