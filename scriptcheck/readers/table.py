"""CSV and Excel (.xlsx) exports of call-center platforms and spreadsheets: one row per utterance.

Columns (any order): call id, speaker, start, end, text — found by their header names, Chinese or
English (通话ID/call_id, 角色/说话人/speaker, 开始时间/start, 结束时间/end, 内容/文本/text …), or named
with ``--columns "text=转写内容,speaker=角色,start=开始,end=结束,call_id=录音编号,unit=ms"``. Only a
text column is required; without a call id column the file is one call. Times may be seconds, milliseconds
(``unit=ms``, a header like ``开始时间(ms)``, or whole numbers whose median utterance lasts ≥ 100 units)
or ``hh:mm:ss(.mmm)`` / ``mm:ss``; Excel time cells are read as times. Encodings: UTF-8 (with or without
BOM), GB18030/GBK (what Excel on a Chinese Windows writes) and UTF-16, detected (``common.decode``);
delimiters comma, tab or semicolon, detected from the header line.

Formats verified: CSV per RFC 4180 (https://www.rfc-editor.org/rfc/rfc4180) through Python's ``csv``
module; .xlsx through openpyxl (https://openpyxl.readthedocs.io/en/stable/optimized.html, read-only mode:
``load_workbook(read_only=True, data_only=True)``, ``ws.iter_rows(values_only=True)``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import Call
from .common import ReadError, Row, build_call, parse_time

FIELDS = ("call_id", "speaker", "start", "end", "text", "agent_id")
ALIASES: dict[str, set[str]] = {
    "call_id": {"call_id", "callid", "call", "通话id", "通话编号", "通话流水号", "录音id", "录音编号", "录音文件",
                "会话id", "会话编号", "session_id", "sessionid", "conversation_id", "呼叫id", "呼叫编号", "流水号",
                "工单号", "recording_id", "file", "文件名"},
    "speaker": {"speaker", "role", "角色", "说话人", "发言人", "说话方", "讲话人", "speaker_id", "speakerid", "spk",
                "channel", "channel_id", "channelid", "声道", "通道", "身份", "发言方"},
    "start": {"start", "start_time", "starttime", "begin", "begin_time", "begintime", "开始时间", "起始时间", "开始",
              "start_ms", "startms", "开始(ms)", "offset"},
    "end": {"end", "end_time", "endtime", "stop", "结束时间", "终止时间", "结束", "end_ms", "endms"},
    "text": {"text", "content", "transcript", "sentence", "文本", "内容", "识别文本", "转写文本",
             "转写内容", "识别内容", "识别结果", "对话内容", "通话内容", "说话内容", "话术", "语句", "句子"},
    "agent_id": {"agent_id", "agentid", "agent", "坐席工号", "坐席id", "工号", "坐席编号", "客服工号"},
}
_UNIT = re.compile(r"[\(（\[]\s*(ms|毫秒|s|秒|sec|seconds)\s*[\)）\]]$", re.I)


def _norm(header: Any) -> tuple[str, str | None]:
    """A header cell → (name to match, unit hint): ``开始时间(ms)`` → (开始时间, ms)."""
    h = str(header or "").strip().lstrip("\ufeff").lower().replace(" ", "_")
    unit = None
    m = _UNIT.search(h)
    if m:
        unit = "ms" if m[1] in ("ms", "毫秒") else "s"
        h = h[:m.start()].rstrip("_")
    if h.endswith("_ms") or (h.endswith("ms") and h[:-2] in ALIASES["start"] | ALIASES["end"]):
        unit = unit or "ms"
    return h, unit


def parse_columns(spec: str | None) -> dict[str, str]:
    """``text=内容,start=开始,unit=ms`` → {"text": "内容", "start": "开始", "unit": "ms"}; raises ValueError."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (spec or "").split(","))):
        key, sep, value = part.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or not value.strip() or key not in (*FIELDS, "unit"):
            raise ValueError(f"--columns: {part!r} should be FIELD=HEADER with FIELD one of "
                             f"{', '.join(FIELDS)} (or unit=s|ms)")
        if key == "unit" and value.strip() not in ("s", "ms"):
            raise ValueError("--columns: unit must be s or ms")
        out[key] = value.strip()
    return out


def header_fields(header: list[Any], columns: dict[str, str] | None = None) -> dict[str, int]:
    """field → column index, from ``--columns`` first, then the known header names."""
    names = [_norm(h)[0] for h in header]
    raw = [str(h or "").strip().lstrip("\ufeff") for h in header]
    found: dict[str, int] = {}
    for field, want in (columns or {}).items():
        if field in FIELDS:
            for i, (r, n) in enumerate(zip(raw, names, strict=True)):
                if want in (r, n) or want.lower() in (r.lower(), n):
                    found[field] = i
                    break
    for field in FIELDS:
        if field not in found and not (columns and field in columns):
            idx = next((i for i, n in enumerate(names) if n in ALIASES[field] and i not in found.values()), None)
            if idx is not None:
                found[field] = idx
    return found


def looks_like_header(line: str, columns: dict[str, str] | None = None) -> bool:
    """Cheap sniff: the first line is a delimited header with a text column and one other known column."""
    delim = _delimiter(line)
    if delim is None:
        return False
    found = header_fields(next(csv.reader([line], delimiter=delim)), columns)
    return "text" in found and len(found) >= 2


def _delimiter(line: str) -> str | None:
    counts = {d: line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else None


def read_csv(text: str, path: Path, columns: dict[str, str] | None = None) -> Iterator[Call | ReadError]:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delim = _delimiter(first) or ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        rows = [(reader.line_num, row) for row in reader]  # line_num: the file line a row ends on
    except csv.Error as e:
        yield ReadError(path.stem, str(path), f"{path}:{reader.line_num}: not a readable CSV ({e})")
        return
    yield from _table(rows, path, columns)


def read_xlsx(path: Path, columns: dict[str, str] | None = None) -> Iterator[Call | ReadError]:
    """The first worksheet with a recognisable header (read-only: large exports stay cheap)."""
    import openpyxl

    try:
        fh = path.open("rb")  # a file object: openpyxl would refuse a misnamed file by its extension
    except OSError as e:
        yield ReadError(path.stem, str(path), f"{path}: cannot read: {e.strerror or e}")
        return
    try:
        wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as e:  # zipfile / XML errors of a damaged or mislabelled file
        fh.close()
        yield ReadError(path.stem, str(path), f"{path}: not a readable .xlsx workbook ({type(e).__name__}: {e})")
        return
    try:
        for ws in wb.worksheets:
            rows = [(n, list(r)) for n, r in enumerate(ws.iter_rows(values_only=True), 1)]
            while rows and not any(c not in (None, "") for c in rows[0][1]):
                rows.pop(0)
            if rows and "text" in header_fields(rows[0][1], columns):
                yield from _table(rows, path, columns)
                return
        yield ReadError(path.stem, str(path), f"{path}: no worksheet has a text column header "
                        "(内容/文本/text …); name it with --columns text=HEADER")
    finally:
        wb.close()
        fh.close()


def _table(rows: list[tuple[int, list[Any]]], path: Path, columns: dict[str, str] | None) -> Iterator[Call | ReadError]:
    """(line number, cells) rows, the first a header → one call per call id (in order of appearance)."""
    if not rows:
        yield ReadError(path.stem, str(path), f"{path}: empty table, no calls")
        return
    header = rows[0][1]
    cols = header_fields(header, columns)
    if "text" not in cols:
        shown = ", ".join(str(h) for h in header[:10])
        yield ReadError(path.stem, str(path), f"{path}: no text column among the headers ({shown}); "
                        "name it with --columns text=HEADER")
        return
    where = str(path)
    units = {f: (columns or {}).get("unit") or _norm(header[cols[f]])[1] for f in ("start", "end") if f in cols}
    calls: dict[str, list[tuple[int, list[Any]]]] = {}
    for n, row in rows[1:]:
        if not any(c not in (None, "") for c in row):
            continue
        cid = _cell(row, cols.get("call_id"))
        calls.setdefault(str(cid).strip() if cid not in (None, "") else path.stem, []).append((n, row))
    if not calls:
        yield ReadError(path.stem, str(path), f"{path}: a header but no rows, no calls")
        return
    for call_id, items in calls.items():
        yield _call(call_id, items, cols, units, where)


def _cell(row: list[Any], i: int | None) -> Any:
    return row[i] if i is not None and i < len(row) else None


def _call(call_id: str, items: list[tuple[int, list[Any]]], cols: dict[str, int], units: dict[str, str | None],
          where: str) -> Call | ReadError:
    errors: list[str] = []
    times: dict[str, list[tuple[float, bool] | None]] = {"start": [], "end": []}  # (value, clock time?)
    for n, row in items:
        for f in ("start", "end"):
            v = _cell(row, cols.get(f))
            try:
                times[f].append(_time(v))
            except ValueError:
                errors.append(f"{where}:{n}: bad {f} time {v!r}, ignored")
                times[f].append(None)
    unit = units.get("start") or units.get("end")
    numbers = {f: [t[0] if t and not t[1] else None for t in times[f]] for f in times}
    scale = 0.001 if unit == "ms" or (unit is None and _looks_like_ms(numbers["start"], numbers["end"])) else 1.0

    def seconds(t: tuple[float, bool] | None) -> float | None:
        return None if t is None else t[0] if t[1] else t[0] * scale  # clock times are seconds already

    rows = []
    agent_id = None
    for k, (n, row) in enumerate(items):
        text = _cell(row, cols["text"])
        who = _cell(row, cols.get("speaker"))
        agent = _cell(row, cols.get("agent_id"))
        agent_id = agent_id or (str(agent).strip() if agent not in (None, "") else None)
        rows.append(Row(text="" if text is None else str(text), start=seconds(times["start"][k]),
                        end=seconds(times["end"][k]),
                        who=None if who in (None, "") else (who if isinstance(who, str) else _id(who)), line=n))
    return build_call(call_id, rows, where, errors, agent_id=agent_id)


def _id(v: Any) -> str:
    """A numeric speaker/channel cell (Excel gives 0.0) as the id text ``0``."""
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)


def _time(v: Any) -> tuple[float, bool] | None:
    """A cell → (number, was it a clock time?), or None when empty. Clock times are seconds already."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise ValueError(v)
    if isinstance(v, (int, float)):
        return float(v), False
    if isinstance(v, dt.time):
        return v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6, True
    if isinstance(v, dt.timedelta):
        return v.total_seconds(), True
    if isinstance(v, str):
        s = v.strip()
        return parse_time(s), ":" in s
    raise ValueError(v)


def _looks_like_ms(starts: list[float | None], ends: list[float | None]) -> bool:
    """Whole numbers whose median utterance lasts ≥ 100 units are milliseconds (nobody talks 100 s a turn)."""
    vals = [v for v in (*starts, *ends) if v is not None]
    if not vals or not all(float(v).is_integer() for v in vals):
        return False
    spans = [e - s for s, e in zip(starts, ends, strict=True) if s is not None and e is not None and e > s]
    if spans:
        return statistics.median(spans) >= 100
    return max(vals) >= 36000  # starts only: 10 hours in seconds is not a call
