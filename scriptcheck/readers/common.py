"""What every reader shares: the error record, speaker labels, decoding, times, and building a ``Call``
from a vendor's rows.

A reader never raises on bad input: a call it cannot build becomes a ``ReadError`` naming the file
(and line), and the batch goes on (formats.md §1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..model import Call, Segment

AGENT_LABELS = {
    "agent", "a", "staff", "service", "operator", "坐席", "客服", "座席", "坐蓆", "客服人员", "坐席人员",
    "座席人员", "客服代表", "人工客服", "话务员", "話務員", "接线员", "接線員", "工作人员", "服务人员",
}
CUSTOMER_LABELS = {
    "customer", "c", "caller", "user", "client", "客户", "用户", "客戶", "用戶", "顧客", "顾客",
    "来电人", "來電人", "来电者", "客人",
}
MAX_FILE_BYTES = 512 * 1024 * 1024


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
            if looks_like_text(text):
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
    if not looks_like_text(text):
        raise ValueError("binary file, not a transcript")
    return text, "gb18030"


def looks_like_text(text: str) -> bool:
    """Mostly printable characters (GB18030 decodes almost any bytes, so check what came out)."""
    sample = text[:4096]
    if not sample:
        return True
    good = sum(1 for c in sample if c in "\r\n\t" or 32 <= ord(c) < 127 or "\u4e00" <= c <= "\u9fff"
               or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef" or c in "“”‘’…—·")
    return good / len(sample) > 0.9


def num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def parse_time(t: str) -> float:
    """``mm:ss.s``, ``hh:mm:ss.s`` (also ``hh:mm:ss,mmm`` as subtitles write it) or plain seconds."""
    parts = t.strip().replace(",", ".").split(":")
    secs = 0.0
    for p in parts:
        secs = secs * 60 + float(p)
    return secs


@dataclass
class Row:
    """One utterance as a vendor export gives it, before it becomes a ``Segment``."""

    text: str
    start: float | None = None  # seconds
    end: float | None = None
    who: Any = None  # a role word (坐席, agent) or a raw channel/speaker id (0, "spk1", "说话人2")
    line: int | None = None


def build_call(call_id: str, rows: Iterable[Row], source: str, errors: list[str] | None = None,
               agent_id: str | None = None, started_at: str | None = None) -> Call | ReadError:
    """A ``Call`` from vendor rows, in time order. A role word becomes the speaker; any other id is kept
    as the segment's ``label`` (speaker ``unknown``) for ``--roles`` or role inference to resolve.
    Blank utterances (silence) are skipped; bad times are reported and dropped, the words kept."""
    errors = list(errors or [])
    segs: list[Segment] = []
    for r in rows:
        if not isinstance(r.text, str) or not r.text.strip():
            continue
        start, end = r.start, r.end
        where = f"{source}:{r.line}" if r.line is not None else source
        if any(t is not None and not (0 <= t < math.inf) for t in (start, end)) or (
                start is not None and end is not None and end < start):
            errors.append(f"{where}: bad times start={start} end={end}, ignored")
            start = end = None
        role = speaker_of(r.who) if isinstance(r.who, str) else None
        label = None if role or r.who is None or str(r.who).strip() == "" else str(r.who).strip()
        segs.append(Segment(speaker=role or "unknown", text=r.text.strip(), start=start, end=end, line=r.line,
                            label=label))
    if not segs:
        return ReadError(call_id, source, f"{source}: call {call_id}: no utterances with text found"
                         + (f" ({'; '.join(errors[:3])})" if errors else ""))
    if all(s.start is not None for s in segs):
        segs.sort(key=lambda s: s.start)  # stereo exports may list one channel after the other
    return Call(call_id=call_id, agent_id=agent_id, started_at=started_at, segments=segs, source=source,
                errors=errors)


def load_json(text: str, path: Any) -> Any:
    """Parsed JSON, or a ``ReadError`` naming the file and line."""
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        return ReadError(path.stem, str(path), f"{path}:{e.lineno}: invalid JSON ({e.msg} at column {e.colno})")


def ms(v: Any) -> float | None:
    """Milliseconds (a number, or digits in a string) → seconds."""
    if isinstance(v, str) and v.strip().lstrip("-").replace(".", "", 1).isdigit():
        v = float(v)
    n = num(v)
    return None if n is None else n / 1000.0
