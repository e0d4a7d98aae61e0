"""Readers: files, folders and globs of JSON, JSON Lines and plain-text transcripts → ``Call``s.

A reader never raises on bad input: a call it cannot build becomes a ``ReadError`` naming the
file and line, and the batch goes on (formats.md §1).
"""

from __future__ import annotations

import glob
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Call, Segment

AGENT_LABELS = {
    "agent", "a", "staff", "service", "operator", "坐席", "客服", "座席", "坐蓆", "客服人员", "坐席人员",
    "座席人员", "客服代表", "人工客服", "话务员", "話務員", "接线员", "接線員", "工作人员", "服务人员",
}
CUSTOMER_LABELS = {
    "customer", "c", "caller", "user", "client", "客户", "用户", "客戶", "用戶", "顧客", "顾客",
    "来电人", "來電人", "来电者", "客人",
}
SUFFIXES = (".json", ".jsonl", ".txt")

_LINE = re.compile(
    r"^\s*(?:\[(?P<start>[0-9:.]+)\s*[-–~]\s*(?P<end>[0-9:.]+)\]\s*)?"
    r"(?:(?P<role>[^:：\s\[\]]{1,8})\s*[:：])?\s*(?P<text>.*?)\s*$"
)


@dataclass
class ReadError:
    """An input call that could not be read; reported, never dropped."""

    call_id: str
    source: str
    message: str


def split_lines(text: str) -> list[str]:
    """Lines split on \\n (and \\r\\n) only: U+0085 or U+2028 inside a JSON string is text, not a line end."""
    return [ln.removesuffix("\r") for ln in text.split("\n")]


_AGENT_PREFIXES = ("坐席", "座席", "客服", "话务", "話務", "接线", "接線")
_CUSTOMER_PREFIXES = ("客户", "客戶", "用户", "用戶", "顾客", "顧客", "来电", "來電")


def speaker_of(label: Any) -> str | None:
    """agent / customer from a speaker label; decorated labels count too (客服-小王, 坐席(1024), 客户张先生)."""
    if not isinstance(label, str):
        return None
    s = label.strip().lower()
    if s in AGENT_LABELS:
        return "agent"
    if s in CUSTOMER_LABELS:
        return "customer"
    if s.startswith(_AGENT_PREFIXES):
        return "agent"
    if s.startswith(_CUSTOMER_PREFIXES):
        return "customer"
    return None


def expand(paths: list[str]) -> Iterator[Path | ReadError]:
    """Files named, files under folders (sorted), and glob matches; a missing path is an error."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            yield from files
        elif path.is_file():
            yield path
        elif any(c in p for c in "*?["):
            matches = sorted(Path(m) for m in glob.glob(p, recursive=True) if Path(m).is_file())
            if not matches:
                yield ReadError(Path(p).stem or p, p, f"{p}: no file matches this pattern")
            yield from matches
        else:
            yield ReadError(path.stem or p, p, f"{p}: no such file or directory")


def read_paths(paths: list[str]) -> Iterator[Call | ReadError]:
    for item in expand(paths):
        if isinstance(item, ReadError):
            yield item
        else:
            yield from read_file(item)


MAX_FILE_BYTES = 512 * 1024 * 1024


def decode(raw: bytes) -> tuple[str, str]:
    """Bytes of a transcript → (text, encoding). ASR vendors export UTF-8 (with or without BOM),
    UTF-16 (with BOM) or GB18030/GBK; anything else, or binary data, raises ``ValueError``."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    head = raw[:8192]
    if b"\x00" in head:  # UTF-16 without a BOM, or binary
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = raw.decode(enc)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text):
                return text, enc
        raise ValueError("binary file (NUL bytes), not a transcript")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError(f"neither UTF-8 (byte {utf8_error.start}) nor GB18030/GBK text") from None
    if not _looks_like_text(text):
        raise ValueError("binary file, not a transcript")
    return text, "gb18030"


def _looks_like_text(text: str) -> bool:
    """Mostly printable characters (GB18030 decodes almost any bytes, so check what came out)."""
    sample = text[:4096]
    if not sample:
        return True
    good = sum(1 for c in sample if c in "\r\n\t" or 32 <= ord(c) < 127 or "\u4e00" <= c <= "\u9fff"
               or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef" or c in "“”‘’…—·")
    return good / len(sample) > 0.9


def read_file(path: Path) -> Iterator[Call | ReadError]:
    if path.suffix.lower() == ".jsonl":
        yield from _stream_jsonl(path)
        return
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield ReadError(path.stem, str(path), f"{path}: {size} bytes is over the {MAX_FILE_BYTES} byte limit")
            return
        text, _ = decode(path.read_bytes())
    except OSError as e:
        yield ReadError(path.stem, str(path), f"{path}: cannot read: {e.strerror or e}")
        return
    except ValueError as e:
        yield ReadError(path.stem, str(path), f"{path}: {e}")
        return
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _read_jsonl(text, path)
    elif suffix == ".json":
        yield from _read_json(text, path)
    else:
        yield _read_plain(text, path)


def _stream_jsonl(path: Path) -> Iterator[Call | ReadError]:
    """JSON Lines read line by line (memory does not grow with the file); the encoding is decided
    on the first 64 kB, UTF-16 files (rare) are decoded whole."""
    try:
        with path.open("rb") as f:
            head = f.read(65536)
            cut = head.rfind(b"\n") + 1 or len(head)
            try:
                _, encoding = decode(head[:cut])
            except ValueError as e:
                yield ReadError(path.stem, str(path), f"{path}: {e}")
                return
            if encoding.startswith("utf-16"):
                yield from _read_jsonl(decode(head + f.read())[0], path)
                return
            f.seek(3 if encoding == "utf-8-sig" else 0)
            seen = False
            for n, raw in enumerate(f, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    try:
                        line = raw.decode("gb18030")
                    except UnicodeDecodeError as e:
                        where = f"{path}:{n}"
                        yield ReadError(f"{path.stem}:{n}", where, f"{where}: undecodable bytes at {e.start}")
                        continue
                seen = seen or bool(line.strip())
                yield from _jsonl_line(line.rstrip("\r\n"), path, n)
            if not seen:
                yield ReadError(path.stem, str(path), f"{path}: empty file, no calls")
    except OSError as e:
        yield ReadError(path.stem, str(path), f"{path}: cannot read: {e.strerror or e}")


def _jsonl_line(line: str, path: Path, n: int) -> Iterator[Call | ReadError]:
    if not line.strip():
        return
    where = f"{path}:{n}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        yield ReadError(f"{path.stem}:{n}", where, f"{where}: invalid JSON ({e.msg} at column {e.colno})")
        return
    yield call_from_dict(obj, where, f"{path.stem}:{n}", line=n)


def _read_jsonl(text: str, path: Path) -> Iterator[Call | ReadError]:
    if not text.strip():  # an empty export is reported, never silently skipped
        yield ReadError(path.stem, str(path), f"{path}: empty file, no calls")
        return
    for n, line in enumerate(split_lines(text), 1):
        yield from _jsonl_line(line, path, n)


def _read_json(text: str, path: Path) -> Iterator[Call | ReadError]:
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
    unlabelled = all(isinstance(s, dict) and speaker_of(s.get("speaker")) is None for s in raw_segs)
    for i, s in enumerate(raw_segs):
        problem = _segment_problem(s, allow_unknown=unlabelled)
        if problem:
            errors.append(f"{where}: call {call_id}: segment {i}: {problem}")
            continue
        spk = speaker_of(s.get("speaker"))
        label = None if spk or s.get("speaker") is None else str(s.get("speaker"))
        segs.append(Segment(speaker=spk or "unknown", text=s["text"], start=_num(s.get("start")),
                            end=_num(s.get("end")), line=line, label=label))
    if not segs:
        errors.append(f"{where}: call {call_id}: no usable segments")
    agent = obj.get("agent_id")
    started = obj.get("started_at")
    return Call(call_id=call_id, agent_id=str(agent) if agent is not None else None,
                started_at=str(started) if started is not None else None, segments=segs,
                source=where, errors=errors)


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _segment_problem(s: Any, allow_unknown: bool = False) -> str | None:
    if not isinstance(s, dict):
        return "not an object"
    if not isinstance(s.get("text"), str):
        return "missing or non-string 'text'"
    if speaker_of(s.get("speaker")) is None and not allow_unknown:
        return f"unknown speaker {s.get('speaker')!r} (use agent/customer, 坐席/客户 …)"
    for k in ("start", "end"):
        v = s.get(k)
        if v is not None and (_num(v) is None or v < 0):
            return f"'{k}' must be a non-negative number of seconds, got {v!r}"
    if _num(s.get("start")) is not None and _num(s.get("end")) is not None and s["end"] < s["start"]:
        return f"end {s['end']} before start {s['start']}"
    return None


def parse_time(t: str) -> float:
    """``mm:ss.s``, ``hh:mm:ss.s`` or plain seconds."""
    parts = t.split(":")
    secs = 0.0
    for p in parts:
        secs = secs * 60 + float(p)
    return secs


def _read_plain(text: str, path: Path) -> Call | ReadError:
    """Format 1b: ``[start-end] 坐席:text`` per line; call_id is the file name."""
    segs: list[Segment] = []
    errors: list[str] = []
    lines = split_lines(text)
    parsed = [_LINE.match(ln) for ln in lines]
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
        m = _LINE.match(ln)
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
