"""The formatter protocol and the batch summary every formatter receives at the end."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TextIO

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

    def add(self, r: CallReport) -> None:
        self.read += 1
        if r.verdict == "error":
            self.errors += 1
            return
        self.passed += r.verdict == "pass"
        self.failed += r.verdict == "fail"
        self.red_lines += r.red_line
        self.score_total += r.score or 0.0
        self.check_fails.update(c for c, s in r.checks.items() if s == "fail")

    @property
    def reported(self) -> int:
        return self.passed + self.failed + self.errors

    @property
    def mean_score(self) -> float | None:
        n = self.passed + self.failed
        return round(self.score_total / n, 1) if n else None


class Formatter:
    """Base formatter: subclasses override what they need."""

    def __init__(self, stream: TextIO, *, lang: str = "zh", checks: dict[str, CheckInfo] | None = None):
        self.stream = stream
        self.lang = lang
        self.checks = checks or {}

    def start(self) -> None:
        pass

    def call(self, report: CallReport) -> None:
        raise NotImplementedError

    def finish(self, summary: Summary) -> None:
        pass

    def check_label(self, name: str) -> str:
        info = self.checks.get(name)
        if info is None:
            return name
        return info.label_en if self.lang == "en" else info.label
