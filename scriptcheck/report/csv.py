"""``--format csv``: one row per call, UTF-8 with a BOM so Excel shows the Chinese correctly."""

from __future__ import annotations

import csv

from ..model import CallReport
from .base import Formatter
from .tables import CALL_COLUMNS, call_row, header


class CsvFormatter(Formatter):
    agent_figures = False  # one row per call, no summary

    def start(self) -> None:
        self.stream.write("\ufeff")
        self.writer = csv.writer(self.stream, lineterminator="\r\n")
        self.writer.writerow([header(c, self.lang) for c in CALL_COLUMNS])
        self.labels = {c: self.check_label(c) for c in self.checks}

    def call(self, report: CallReport) -> None:
        self.writer.writerow(call_row(report, self.lang, self.labels))
