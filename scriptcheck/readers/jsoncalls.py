"""formats.md §1a as a ``.json`` file: one call object or a list of them (the project's own format)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model import Call, Segment
from .common import ReadError, num, speaker_of
from .fastjson import fast_calls

FORMAT_HELP = ("supported: json, jsonl, text, whisper, funasr, aliyun, tencent, srt, vtt, csv, xlsx; "
               "force one with --input-format")


def read_json(text: str, path: Path) -> Iterator[Call | ReadError]:
    fast = fast_calls(text, path)  # plain §1a calls, read 4x faster; anything else as below
    if fast is not None:
        yield from fast
        return
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        yield ReadError(path.stem, str(path), f"{path}:{e.lineno}: invalid JSON ({e.msg} at column {e.colno})")
        return
    items = obj if isinstance(obj, list) else [obj]
    if not items:
        yield ReadError(path.stem, str(path), f"{path}: an empty list, no calls")
    for i, item in enumerate(items):
        where = f"{path}[{i}]" if isinstance(obj, list) else str(path)
        yield call_from_dict(item, where, path.stem if len(items) == 1 else f"{path.stem}[{i}]")


def call_from_dict(obj: Any, where: str, fallback_id: str, line: int | None = None) -> Call | ReadError:
    """Build a call from formats.md §1a; bad segments become ``errors`` entries, not exceptions."""
    if not isinstance(obj, dict):
        return ReadError(fallback_id, where, f"{where}: a call must be a JSON object, got {type(obj).__name__}")
    if "segments" not in obj and "call_id" not in obj:  # some other JSON: say so rather than blame a field
        keys = ", ".join(list(map(str, obj))[:8]) or "none"
        return ReadError(fallback_id, where, f"{where}: not a transcript format scriptcheck recognises "
                         f"(a JSON object with keys: {keys}); {FORMAT_HELP}")
    cid = obj.get("call_id")
    call_id = str(cid) if isinstance(cid, (str, int)) and str(cid) else fallback_id
    raw_segs = obj.get("segments")
    if not isinstance(raw_segs, list):
        return ReadError(call_id, where, f"{where}: call {call_id}: 'segments' must be a list")
    errors: list[str] = []
    if cid is None:
        errors.append(f"{where}: no call_id, using {call_id!r}")
    segs: list[Segment] = []
    # No known role anywhere (diarization ids spk0/spk1, 0/1, or none): keep the raw labels and
    # let the checker infer roles; otherwise an odd label is an input error for that segment.
    roles = [_speaker(s.get("speaker")) if isinstance(s, dict) else None for s in raw_segs]
    unlabelled = all(isinstance(s, dict) and r is None for s, r in zip(raw_segs, roles, strict=True))
    for i, (s, spk) in enumerate(zip(raw_segs, roles, strict=True)):
        problem = _segment_problem(s, spk, allow_unknown=unlabelled)
        if problem:
            errors.append(f"{where}: call {call_id}: segment {i}: {problem}")
            continue
        label = None if spk or s.get("speaker") is None else str(s.get("speaker"))
        # every field was checked just above: construct without validating it all again (the
        # reader is a fifth of a check's cost on long calls)
        segs.append(Segment.model_construct(speaker=spk or "unknown", text=s["text"], start=num(s.get("start")),
                                            end=num(s.get("end")), line=line, label=label))
    if not segs:
        errors.append(f"{where}: call {call_id}: no usable segments")
    agent = obj.get("agent_id")
    started = obj.get("started_at")
    return Call(call_id=call_id, agent_id=str(agent) if agent is not None else None,
                started_at=str(started) if started is not None else None, segments=segs,
                source=where, errors=errors)


@lru_cache(maxsize=1024)
def _label_role(label: str) -> str | None:
    return speaker_of(label)


def _speaker(label: Any) -> str | None:
    """``speaker_of``, memoised: a batch repeats a handful of labels millions of times."""
    return _label_role(label) if isinstance(label, str) else None


def _segment_problem(s: Any, spk: str | None, allow_unknown: bool = False) -> str | None:
    if not isinstance(s, dict):
        return "not an object"
    if not isinstance(s.get("text"), str):
        return "missing or non-string 'text'"
    if spk is None and not allow_unknown:
        return f"unknown speaker {s.get('speaker')!r} (use agent/customer, 坐席/客户 …)"
    for k in ("start", "end"):
        v = s.get(k)
        if v is not None and (num(v) is None or v < 0):
            return f"'{k}' must be a non-negative number of seconds, got {v!r}"
    if num(s.get("start")) is not None and num(s.get("end")) is not None and s["end"] < s["start"]:
        return f"end {s['end']} before start {s['start']}"
    return None
