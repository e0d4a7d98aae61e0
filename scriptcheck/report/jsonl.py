"""``--format json``: JSON Lines, one object per call, exactly formats.md §2."""

from __future__ import annotations

import json

from ..model import CallReport
from .base import Formatter


class JsonFormatter(Formatter):
    def call(self, report: CallReport) -> None:
        data = report.model_dump(mode="json")
        for f in data["findings"]:  # keep the contract's keys; extras only when they say something
            if f.get("level") == "error":
                del f["level"]
            if f.get("note") is None:
                del f["note"]
        self.stream.write(json.dumps(data, ensure_ascii=False) + "\n")
