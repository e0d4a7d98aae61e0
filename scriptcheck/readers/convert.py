"""A ``Call`` back to formats.md §1a, one JSON line: what ``scriptcheck convert`` archives.

Known roles are written as ``agent``/``customer``; an unresolved speaker keeps its raw id (``spk0``, ``1``)
so reading the line back gives the same call, and role inference (or ``--roles``) still applies.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Call


def call_dict(call: Call) -> dict[str, Any]:
    out: dict[str, Any] = {"call_id": call.call_id}
    if call.agent_id is not None:
        out["agent_id"] = call.agent_id
    if call.started_at is not None:
        out["started_at"] = call.started_at
    segs = []
    for s in call.segments:
        seg: dict[str, Any] = {}
        speaker = s.speaker if s.speaker != "unknown" else s.label
        if speaker is not None:
            seg["speaker"] = speaker
        if s.start is not None:
            seg["start"] = round(s.start, 3)
        if s.end is not None:
            seg["end"] = round(s.end, 3)
        seg["text"] = s.text
        segs.append(seg)
    out["segments"] = segs
    return out


def call_line(call: Call) -> str:
    return json.dumps(call_dict(call), ensure_ascii=False)
