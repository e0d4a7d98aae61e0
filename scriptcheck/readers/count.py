"""How many calls a batch's inputs hold, when that is cheap to know: the total behind the progress
bar's ETA on a terminal. Every input record becomes one call or one error record (formats.md §1),
so the count is of records, read the way ``read_paths`` reads them: a JSON Lines file's non-blank
lines, a Parquet file's rows, one for a file holding a single call (a transcript, subtitles, one JSON
object) and one for a path or file that cannot be read. None when only reading the file would tell
(a spreadsheet, a CSV file, a JSON list, ``--input-format`` naming one of those): the bar then counts
without a total rather than show a wrong one."""

from __future__ import annotations

from pathlib import Path

from . import ReadOptions, expand
from .common import ReadError
from .detect import SNIFF_BYTES, sniff
from .jsonl import looks_utf16

MANY_CALLS = frozenset({"csv", "xlsx"})  # formats whose calls are rows grouped by call id


def count_calls(paths: list[str], options: ReadOptions | None = None) -> int | None:
    """The number of results and error records reading ``paths`` yields, or None when not cheap."""
    opts = options or ReadOptions()
    if opts.input_format in MANY_CALLS:
        return None
    total = 0
    for item in expand(paths):
        n = 1 if isinstance(item, ReadError) else _count_file(item, opts)
        if n is None:
            return None
        total += n
    return total


def _count_file(path: Path, opts: ReadOptions) -> int | None:
    suffix = path.suffix.lower()
    try:
        fmt = opts.input_format or ("jsonl" if suffix == ".jsonl" else None)
        if fmt is None:
            with path.open("rb") as f:
                head = f.read(SNIFF_BYTES)
            fmt = sniff(head, suffix, opts.columns)
            if fmt not in MANY_CALLS | {"jsonl", "parquet"}:
                # one call or one error record, unless the file is a JSON list of several calls
                return None if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[") else 1
        if fmt == "jsonl":
            return _jsonl_records(path)
        if fmt == "parquet":
            return _parquet_rows(path)
    except OSError:
        return 1  # the reader reports the file as one error record
    return None


def _jsonl_records(path: Path) -> int | None:
    """Non-blank lines (an empty file is one error record); None for UTF-16, whose lines only
    decoding the whole file finds. A line of only full-width spaces, which the reader skips after
    decoding it, counts here: the total is then one too high, never a call too few."""
    n = 0
    with path.open("rb", buffering=1 << 16) as f:
        head = f.read(4096)
        if looks_utf16(head):
            return None
        f.seek(0)
        for raw in f:
            if not raw.isspace():
                n += 1
    return max(n, 1)


def _parquet_rows(path: Path) -> int | None:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        return 1  # the reader reports that pyarrow is missing, once for the file
    try:
        return max(pq.ParquetFile(path).metadata.num_rows, 1)
    except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError: one error record
        return 1
