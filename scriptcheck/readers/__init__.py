"""Readers: files, folders and globs of transcripts → ``Call``s, whatever wrote them.

One module per format: formats.md JSON (``jsoncalls``), JSON Lines (``jsonl``, streamed), plain text
(``plain``), OpenAI Whisper (``whisper``), FunASR/Paraformer (``funasr``), Alibaba Cloud (``aliyun``) and
Tencent Cloud (``tencent``) file transcription, SRT/WebVTT (``subtitles``), CSV/Excel (``table``). The
format is sniffed from the first 64 kB (``detect``) unless ``--input-format`` names it; ``--roles`` maps
channel/speaker ids to agent/customer (``rolemap``).

A reader never raises on bad input: a call it cannot build becomes a ``ReadError`` naming the file and
line, and the batch goes on (formats.md §1).
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Call
from .aliyun import read_aliyun
from .common import (
    AGENT_LABELS,
    CUSTOMER_LABELS,
    MAX_FILE_BYTES,
    ReadError,
    decode,
    parse_time,
    speaker_of,
    split_lines,
)
from .detect import INPUT_FORMATS, SNIFF_BYTES, head_text, sniff
from .funasr import read_funasr
from .jsoncalls import FORMAT_HELP, call_from_dict, read_json
from .jsonl import Line, stream_jsonl
from .parquet import read_parquet
from .plain import parse_transcript, read_plain
from .rolemap import apply_roles, parse_roles
from .subtitles import read_subtitles
from .table import parse_columns, read_csv, read_xlsx
from .tencent import read_tencent
from .whisper import read_whisper

__all__ = [
    "AGENT_LABELS", "CUSTOMER_LABELS", "INPUT_FORMATS", "MAX_FILE_BYTES", "SUFFIXES", "Line", "ReadError",
    "ReadOptions",
    "call_from_dict", "decode", "expand", "parse_columns", "parse_roles", "parse_time", "parse_transcript",
    "read_file", "read_paths", "speaker_of", "split_lines",
]

SUFFIXES = (".json", ".jsonl", ".txt", ".srt", ".vtt", ".csv", ".tsv", ".xlsx", ".parquet")


@dataclass(frozen=True)
class ReadOptions:
    """How to read: a forced format (else sniffed), ids → roles, table column names."""

    input_format: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)


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


def read_paths(paths: list[str], options: ReadOptions | None = None,
               lazy: bool = False) -> Iterator[Call | ReadError | Line]:
    """Every call under ``paths``, in order. ``lazy``: JSON Lines records come as unparsed ``Line``s
    (``Line.read()`` parses one), so a batch can leave parsing to its workers."""
    for item in expand(paths):
        if isinstance(item, ReadError):
            yield item
        else:
            yield from read_file(item, options, lazy)


def read_file(path: Path, options: ReadOptions | None = None, lazy: bool = False) -> Iterator[Call | ReadError | Line]:
    opts = options or ReadOptions()
    for item in _read(path, opts, lazy):
        yield apply_roles(item, opts.roles) if opts.roles and isinstance(item, Call) else item


def _read(path: Path, opts: ReadOptions, lazy: bool = False) -> Iterator[Call | ReadError | Line]:
    suffix = path.suffix.lower()
    fmt = opts.input_format or ("jsonl" if suffix == ".jsonl" else None)  # .jsonl streams without a sniff
    head = None
    if fmt is None:
        try:
            with path.open("rb") as f:
                head = f.read(SNIFF_BYTES)
        except OSError as e:
            yield ReadError(path.stem, str(path), f"{path}: cannot read: {e.strerror or e}")
            return
        fmt = sniff(head, suffix, opts.columns)
        if fmt in (None, "text"):
            text = head_text(head)
            if text is None or not text.strip():  # binary or empty: the full read below says which
                fmt = "json" if suffix == ".json" else "text"
            elif fmt is None:
                yield ReadError(path.stem, str(path), f"{path}: not a transcript format scriptcheck recognises "
                                f"(starts with {text.strip()[:24]!r}); {FORMAT_HELP}")
                return
    if fmt == "jsonl":
        yield from stream_jsonl(path, lazy, opts.roles)
        return
    if fmt == "xlsx":
        yield from read_xlsx(path, opts.columns)
        return
    if fmt == "parquet":
        yield from read_parquet(path)
        return
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            yield ReadError(path.stem, str(path), f"{path}: {size} bytes is over the {MAX_FILE_BYTES} byte limit")
            return
        raw = head if head is not None and len(head) < SNIFF_BYTES else path.read_bytes()  # small: read once
        text, _ = decode(raw)
    except OSError as e:
        yield ReadError(path.stem, str(path), f"{path}: cannot read: {e.strerror or e}")
        return
    except ValueError as e:
        yield ReadError(path.stem, str(path), f"{path}: {e}")
        return
    reader = TEXT_READERS.get(fmt)
    if reader is None:
        yield ReadError(path.stem, str(path), f"{path}: unknown input format {fmt!r}; {FORMAT_HELP}")
        return
    yield from reader(text, path, opts)


# Formats read from the whole decoded text: ``--input-format`` name → reader (JSON Lines stream and
# xlsx and Parquet are binary: all handled above).
TEXT_READERS: dict[str, Callable[[str, Path, ReadOptions], Iterable[Call | ReadError]]] = {
    "json": lambda text, path, _: read_json(text, path),
    "text": lambda text, path, _: [read_plain(text, path)],
    "whisper": lambda text, path, _: read_whisper(text, path),
    "funasr": lambda text, path, _: read_funasr(text, path),
    "aliyun": lambda text, path, _: read_aliyun(text, path),
    "tencent": lambda text, path, _: read_tencent(text, path),
    "srt": lambda text, path, _: read_subtitles(text, path),
    "vtt": lambda text, path, _: read_subtitles(text, path),
    "csv": lambda text, path, opts: read_csv(text, path, opts.columns),
}
