"""``--format json``: JSON Lines, one object per call, exactly formats.md §2."""

from __future__ import annotations

import json

from ..model import CallReport
from .base import Formatter


def report_line(report: CallReport) -> str:
    """One report as one JSON line (formats.md §2); also what the cluster engine writes."""
    if report._line is not None:  # rendered by the worker that checked the call
        return report._line
    data = report.model_dump(mode="json")
    for f in [*data["findings"], *data["advice"]]:  # the contract's keys; extras only when they say something
        if f.get("level") == "error":
            del f["level"]
        if f.get("note") is None:
            del f["note"]
    return json.dumps(data, ensure_ascii=False)


def json_line(report: CallReport) -> str:
    """A call's part of a ``--format json`` output: its line and the newline."""
    return report_line(report) + "\n"


class JsonFormatter(Formatter):
    render = staticmethod(json_line)
    agent_figures = False

    def call(self, report: CallReport) -> None:
        self.stream.write(json_line(report))
