"""Which reader fits a file, decided from its first 64 kB (and only then from the extension).

Exports are often misnamed (``result.txt`` holding Aliyun JSON, ``.json`` holding JSON Lines), so the
content decides: a zip with ``xl/`` is Excel, ``WEBVTT`` is WebVTT, a cue number over a ``-->`` timing is
SRT, JSON is told apart by its keys (``sentence_info`` FunASR, ``Sentences`` + ``BeginTime`` Aliyun,
``ResultDetail``/``StatusStr`` Tencent, Whisper's per-segment ``seek``/``avg_logprob``, formats.md
``call_id``/``segments``), a delimited header with a text column is CSV, other text is formats.md §1b.
"""

from __future__ import annotations

import json
import re

from .common import decode
from .table import looks_like_header

INPUT_FORMATS = ("json", "jsonl", "text", "whisper", "funasr", "aliyun", "tencent", "srt", "vtt", "csv", "xlsx",
                 "parquet")
SNIFF_BYTES = 65536
_KEY = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:')
_SRT = re.compile(r"^\s*(?:\d+\s*\r?\n\s*)?(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->")  # the cue number is optional
_JSON_OBJECT = re.compile(r'\{\s*["}]')  # not "{噪音} 坐席：…"
_JSON_LIST = re.compile(r'\[\s*[\[{"\]]')
_WHISPER = {"seek", "tokens", "avg_logprob", "no_speech_prob", "compression_ratio", "temperature"}


def head_text(head: bytes) -> str | None:
    """The first bytes as text; a multi-byte character cut at the end is dropped. None: binary."""
    for cut in range(4):
        part = head[:len(head) - cut] if cut else head
        try:
            return part.decode("utf-8-sig" if part.startswith(b"\xef\xbb\xbf") else "utf-8")
        except UnicodeDecodeError:
            continue
    for cut in range(4):
        try:
            return decode(head[:len(head) - cut] if cut else head)[0]
        except ValueError:
            continue
    return None


def sniff(head: bytes, suffix: str, columns: dict[str, str] | None = None) -> str | None:
    """The format name for a file starting with ``head``; None when nothing fits."""
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if b"xl/" in head or suffix == ".xlsx" else None
    text = head_text(head)
    if text is None:
        return None
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("WEBVTT"):
        return "vtt"
    if _SRT.match(body):
        return "srt"
    if _JSON_OBJECT.match(body) or _JSON_LIST.match(body):  # not "[00:00.0-00:03.2] 坐席:…" (plain text)
        return _json_kind(body)
    if body.startswith("<"):  # XML / HTML
        return None
    first = body.split("\n", 1)[0]
    if looks_like_header(first, columns) or (suffix in (".csv", ".tsv") and any(d in first for d in ",\t;")):
        return "csv"
    return "text"


def _json_kind(body: str) -> str:
    lines = [ln for ln in body.split("\n", 2)[:2] if ln.strip()]
    if len(lines) == 2 and lines[1].lstrip().startswith("{"):
        try:
            if isinstance(json.loads(lines[0]), dict):
                return "jsonl"
        except ValueError:
            pass
    return json_kind(body)


def json_kind(body: str) -> str:
    """The JSON format from the keys in (the start of) a document: a vendor's, or formats.md ``json``."""
    keys = set(_KEY.findall(body[:SNIFF_BYTES]))
    if "sentence_info" in keys:
        return "funasr"
    if ("Sentences" in keys and keys & {"BeginTime", "ChannelId", "EndTime"}) or "StatusText" in keys:
        return "aliyun"
    if ("ResultDetail" in keys or keys >= {"StartMs", "FinalSentence"} or keys >= {"StatusStr", "TaskId"}
            or keys >= {"Response", "Data", "TaskId", "Status"}):
        return "tencent"
    if "segments" in keys and "call_id" not in keys and (keys & _WHISPER or "language" in keys):
        return "whisper"
    return "json"  # formats.md §1a, which also names what is wrong with any other JSON
