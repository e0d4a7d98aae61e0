"""``--format json``: JSON Lines, one object per call, exactly formats.md §2."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel

from ..model import CallReport, Finding
from .base import Formatter

# A finding's fields that are not part of the contract (``Field(exclude=True)`` in the model)
_NOT_IN_CONTRACT = tuple(name for name, f in Finding.model_fields.items() if f.exclude)


def report_data(report: CallReport) -> dict[str, Any]:
    """The contract's object for one report: what ``model_dump`` gives, minus a finding's ``level``
    when it is the default (``error``) and its ``note`` when there is none.

    Read off the models' attributes rather than through ``model_dump``: a word list makes tens of
    findings a call, and their dump was most of a line's cost. ``tests/test_report_contract.py``
    checks it against ``model_dump`` (same keys, same order, same values)."""
    data = dict(report.__dict__)
    data["findings"] = [_finding(f) for f in report.findings]
    data["advice"] = [_finding(f) for f in report.advice]
    return data


def _finding(f: Finding) -> dict[str, Any]:
    d = dict(f.__dict__)
    for name in _NOT_IN_CONTRACT:
        del d[name]
    if d["level"] == "error":
        del d["level"]
    if d["note"] is None:
        del d["note"]
    return d


def _model(obj: object) -> Any:
    """orjson's hook for what it does not know: a nested model (``metrics``)."""
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


def report_line(report: CallReport) -> str:
    """One report as one JSON line (formats.md §2), compact; also what the cluster engine writes."""
    if report._line is not None:  # rendered by the worker that checked the call
        return report._line
    return orjson.dumps(report_data(report), default=_model).decode()


def json_line(report: CallReport) -> str:
    """A call's part of a ``--format json`` output: its line and the newline."""
    return report_line(report) + "\n"


class JsonFormatter(Formatter):
    render = staticmethod(json_line)
    agent_figures = False

    def call(self, report: CallReport) -> None:
        self.stream.write(json_line(report))
