"""``--format xlsx`` (openpyxl): sheets for calls, findings, per-agent and per-check summaries.

Needs ``--output FILE.xlsx`` (a workbook is binary); written when the batch is complete.
"""

from __future__ import annotations

import io

from ..model import CallReport
from .base import Formatter, Summary
from .tables import CALL_COLUMNS, FINDING_COLUMNS, agent_rows, call_row, check_rows, finding_rows, header


class XlsxFormatter(Formatter):
    def start(self) -> None:
        from openpyxl import Workbook

        self.labels = {c: self.check_label(c) for c in self.checks}
        self.book = Workbook(write_only=True)
        zh = self.lang != "en"
        self.calls = self.book.create_sheet("通话" if zh else "calls")
        self.findings = self.book.create_sheet("问题明细" if zh else "findings")
        self.calls.append([header(c, self.lang) for c in CALL_COLUMNS])
        self.findings.append([header(c, self.lang) for c in FINDING_COLUMNS])

    def call(self, report: CallReport) -> None:
        self.calls.append(call_row(report, self.lang, self.labels))
        for row in finding_rows(report, self.labels):
            self.findings.append(row)

    def finish(self, summary: Summary) -> None:
        zh = self.lang != "en"
        agents = self.book.create_sheet("坐席汇总" if zh else "agents")
        agents.append([header(c, self.lang) for c in ("agent_id", "calls", "mean_score")])
        for row in agent_rows(summary):
            agents.append(row)
        checks = self.book.create_sheet("检查项汇总" if zh else "checks")
        checks.append([header(c, self.lang) for c in ("check", "fail_count", "fail_rate")])
        for row in check_rows(summary, self.labels):
            checks.append(row)
        buf = io.BytesIO()
        self.book.save(buf)
        self.stream.flush()
        target = getattr(self.stream, "buffer", None)
        if target is None:
            raise ValueError("--format xlsx needs --output FILE.xlsx")
        target.write(buf.getvalue())
