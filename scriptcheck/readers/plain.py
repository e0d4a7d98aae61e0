"""formats.md §1b: plain text, one turn per line, ``[start-end] 坐席:text``; call_id is the file name."""

from __future__ import annotations

import re
from pathlib import Path

from ..model import Call, Segment
from .common import ReadError, parse_time, speaker_of, split_lines

LINE = re.compile(
    r"^\s*(?:\[(?P<start>[0-9:.]+)\s*[-–~]\s*(?P<end>[0-9:.]+)\]\s*)?"
    r"(?:(?P<role>[^:：\s\[\]]{1,8})\s*[:：])?\s*(?P<text>.*?)\s*$"
)


def read_plain(text: str, path: Path) -> Call | ReadError:
    segs: list[Segment] = []
    errors: list[str] = []
    lines = split_lines(text)
    parsed = [LINE.match(ln) for ln in lines]
    # No known role prefix on any line (mono ASR, a trainee's lines): keep every line, roles inferred later.
    unlabelled = not any(m and m.group("role") and speaker_of(m.group("role")) for m in parsed)
    for n, (line, m) in enumerate(zip(lines, parsed, strict=True), 1):
        if not line.strip():
            continue
        role = speaker_of(m.group("role")) if m and m.group("role") else None
        if unlabelled and m:
            start, end = _times(m, path, n, errors)
            if m.group("role") is not None:
                body = m.group("text")
            else:
                body = line[m.end("end") + 1:].strip() if m.group("start") else line.strip()
            segs.append(Segment(speaker="unknown", text=body, start=start, end=end, line=n, label=m.group("role")))
            continue
        if not m or role is None:
            what = f"unknown speaker {m.group('role')!r}" if m and m.group("role") else "no speaker prefix"
            errors.append(f"{path}:{n}: {what} (use 坐席:/客户: …), line skipped")
            continue
        start, end = _times(m, path, n, errors)
        segs.append(Segment(speaker=role, text=m.group("text"), start=start, end=end, line=n))
    if not segs:
        return ReadError(path.stem, str(path), f"{path}: no transcript lines found")
    return Call(call_id=path.stem, segments=segs, source=str(path), errors=errors)


def _times(m: re.Match[str], path: Path, n: int, errors: list[str]) -> tuple[float | None, float | None]:
    if not m.group("start"):
        return None, None
    try:
        return parse_time(m.group("start")), parse_time(m.group("end"))
    except ValueError:
        errors.append(f"{path}:{n}: bad time stamp [{m.group('start')}-{m.group('end')}], ignored")
        return None, None


def parse_transcript(text: str, call_id: str = "example") -> Call:
    """A mini-transcript (format 1b) from a string, e.g. a rule example; a bare line is the agent's."""
    lines = [ln for ln in split_lines(text.strip()) if ln.strip()]
    segs = []
    for ln in lines:
        m = LINE.match(ln)
        role = speaker_of(m.group("role")) if m and m.group("role") else None
        start = end = None
        if m and m.group("start"):
            start, end = parse_time(m.group("start")), parse_time(m.group("end"))
        if role is None:  # no (known) prefix: the whole utterance, minus a time stamp, is the agent's
            text = ln[m.end("end") + 1:].strip() if m and m.group("start") else ln.strip()
            segs.append(Segment(speaker="agent", text=text, start=start, end=end))
            continue
        segs.append(Segment(speaker=role, text=m.group("text"), start=start, end=end))
    return Call(call_id=call_id, segments=segs)
