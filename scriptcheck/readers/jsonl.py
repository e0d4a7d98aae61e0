"""formats.md §1a as JSON Lines, read line by line so memory does not grow with the file. A line that is
not a formats.md call but one FunASR / Aliyun / Tencent result (pipelines write those one per line) is
read by that vendor's reader; the call id is ``file:line``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Call
from . import aliyun, funasr, tencent
from .common import ReadError, decode, split_lines
from .detect import json_kind
from .fastjson import fast_call
from .jsoncalls import call_from_dict


@dataclass(frozen=True, slots=True)
class Line:
    """One JSON Lines record as read from the file, not decoded nor parsed yet: a batch hands lines
    to its workers, which decode and parse them (parsing costs as much as a fifth of a check, a
    parsed call is slow to pickle, and bytes pickle 5x faster than the same text as a str)."""

    path: Path
    n: int
    raw: bytes
    roles: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"{self.path}:{self.n}"

    def read(self) -> list[Call | ReadError]:
        from .rolemap import apply_roles

        call = fast_call(self.raw, f"{self.path}:{self.n}", self.n)  # a plain §1a call, from its bytes
        if call is not None:
            items: list[Call | ReadError] = [call]
        else:
            line = decode_line(self.raw, self.path, self.n)
            if isinstance(line, ReadError):
                return [line]
            items = list(jsonl_line(line, self.path, self.n, fast=False))  # (its bytes were tried)
        if self.roles:
            items = [apply_roles(c, self.roles) if isinstance(c, Call) else c for c in items]
        return items


def stream_jsonl(path: Path, lazy: bool = False,
                 roles: dict[str, str] | None = None) -> Iterator[Call | ReadError | Line]:
    """JSON Lines read line by line (memory does not grow with the file); the encoding is decided
    on the first 64 kB, UTF-16 files (rare) are decoded whole. ``lazy``: yield ``Line``s unparsed."""
    try:
        with path.open("rb", buffering=1 << 16) as f:  # lines of ~10 kB: 3x faster than the default 8 kB
            head = f.read(65536)
            if looks_utf16(head):
                # UTF-16 (rare): a 0x0A byte may be half of a character (上 is 0A 4E), so never cut
                # at one: decode the whole file
                try:
                    text, _ = decode(head + f.read())
                except ValueError as e:
                    yield ReadError(path.stem, str(path), f"{path}: {e}")
                    return
                yield from read_jsonl(text, path)
                return
            cut = head.rfind(b"\n") + 1 or len(head)
            try:
                _, encoding = decode(head[:cut])
            except ValueError as e:
                yield ReadError(path.stem, str(path), f"{path}: {e}")
                return
            if encoding.startswith("utf-16"):
                yield from read_jsonl(decode(head + f.read())[0], path)
                return
            f.seek(3 if encoding == "utf-8-sig" else 0)
            seen = False
            for n, raw in enumerate(f, 1):
                raw = raw.rstrip(b"\r\n")  # before decoding: no copy of a 10 kB line to strip it
                if not raw or raw.isspace():
                    continue
                if lazy and seen and raw[0] < 0x80 and not raw[:1].isspace():
                    # it cannot be a blank line and the file is not empty: the worker decodes it
                    yield Line(path, n, raw, roles or {})
                    continue
                line = decode_line(raw, path, n)
                if isinstance(line, ReadError):
                    yield line
                    continue
                if line[0].isspace() and not line.strip():  # e.g. only full-width spaces
                    continue
                seen = True
                if lazy:
                    yield Line(path, n, raw, roles or {})
                else:
                    yield from jsonl_line(line, path, n)
            if not seen:
                yield ReadError(path.stem, str(path), f"{path}: empty file, no calls")
    except OSError as e:
        yield ReadError(path.stem, str(path), f"{path}: cannot read: {e.strerror or e}")


def looks_utf16(head: bytes) -> bool:
    """A UTF-16 file (a BOM, or NUL bytes near the start): its lines are found only by decoding it
    whole."""
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]


def decode_line(raw: bytes, path: Path, n: int) -> str | ReadError:
    """One line of a JSON Lines file: UTF-8, else GB18030 (a GBK export, or a line pasted from
    one), else an error record naming file:line."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError as e:
            where = f"{path}:{n}"
            return ReadError(f"{path.stem}:{n}", where, f"{where}: undecodable bytes at {e.start}")


def jsonl_line(line: str, path: Path, n: int, fast: bool = True) -> Iterator[Call | ReadError]:
    """One record; ``fast=False`` when the fast path already refused it (as bytes: the same JSON)."""
    if not line.strip():
        return
    where = f"{path}:{n}"
    call = fast_call(line, where, n) if fast else None  # a plain §1a call, read 4x faster; else as below
    if call is not None:
        yield call
        return
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        yield ReadError(f"{path.stem}:{n}", where, f"{where}: invalid JSON ({e.msg} at column {e.colno})")
        return
    if isinstance(obj, dict) and "segments" not in obj and "call_id" not in obj:  # an ASR result per line?
        kind = json_kind(line)
        vendor = {"funasr": funasr, "aliyun": aliyun, "tencent": tencent}.get(kind)
        if vendor is not None:
            yield vendor.call_from_result(obj, f"{path.stem}:{n}", where)
            return
    yield call_from_dict(obj, where, f"{path.stem}:{n}", line=n)


def read_jsonl(text: str, path: Path) -> Iterator[Call | ReadError]:
    if not text.strip():  # an empty export is reported, never silently skipped
        yield ReadError(path.stem, str(path), f"{path}: empty file, no calls")
        return
    for n, line in enumerate(split_lines(text), 1):
        yield from jsonl_line(line, path, n)
