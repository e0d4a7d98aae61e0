"""Output formats as plug-ins: ``FORMATS`` maps a ``--format`` name to a formatter class.

Every formatter has the same small lifecycle (after flake8): ``start()``, ``call(report)`` for
each call as it is checked, ``finish(summary)``. Formatters only format; they never judge.
"""

from __future__ import annotations

from .base import Formatter, Summary
from .csv import CsvFormatter
from .html import HtmlFormatter
from .jsonl import JsonFormatter
from .text import TextFormatter
from .xlsx import XlsxFormatter

FORMATS: dict[str, type[Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
    "csv": CsvFormatter,
    "xlsx": XlsxFormatter,
    "html": HtmlFormatter,
}

__all__ = ["FORMATS", "Formatter", "Summary"]
