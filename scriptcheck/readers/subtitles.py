"""SRT and WebVTT subtitles, as ASR tools (Whisper ``--output_format srt|vtt``, FunASR, the cloud
consoles) write them.

Schemas: SRT — numbered cues, a ``HH:MM:SS,mmm --> HH:MM:SS,mmm`` line, text lines, a blank line
(https://en.wikipedia.org/wiki/SubRip#Format; no formal spec exists). WebVTT — the W3C recommendation,
https://www.w3.org/TR/webvtt1/: a ``WEBVTT`` header, optional cue identifiers, ``[HH:]MM:SS.mmm -->
[HH:]MM:SS.mmm [settings]`` timings, and the voice span ``<v Speaker>…</v>`` (also ``<v.class Speaker>``)
naming who speaks; other tags (``<c>``, ``<i>``, timestamps) are dropped and ``&amp;`` etc. unescaped.
Both verified against those documents. Who spoke: a ``<v>`` tag, or a prefix ending in a colon that is
a role (``坐席：``, ``客服:``) or a speaker id (``spk0:``, ``说话人1：``, ``SPEAKER_00:``). A cue without one,
in a file where other cues name a role, is reported and skipped (as in plain text, formats.md §1b).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

from ..model import Call
from .common import ReadError, Row, build_call, parse_time, speaker_of, split_lines

_TIMING = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]*>")
_PREFIX = re.compile(r"^\s*(?:\[(?P<b>[^\]]{1,16})\]\s*[:：]?|(?P<p>[^:：\s][^:：]{0,15}?)\s*[:：])\s*(?P<text>.*)$")
_SPEAKER_ID = re.compile(r"^(?:spk|speaker|说话人|發言人|发言人|讲话人|角色|channel|ch)[\s_-]*\d+$|^\d{1,2}$", re.I)


def read_subtitles(text: str, path: Path) -> Iterator[Call | ReadError]:
    """SRT or WebVTT (told apart by the ``WEBVTT`` header): one file is one call."""
    lines = split_lines(text.lstrip("\ufeff"))
    cues: list[tuple[int, str, str, list[str]]] = []  # (line no, start, end, text lines)
    errors: list[str] = []
    current: tuple[int, str, str, list[str]] | None = None
    for n, line in enumerate(lines, 1):
        m = _TIMING.match(line)
        if m:
            current = (n, m[1], m[2], [])
            cues.append(current)
        elif not line.strip():
            current = None
        elif current is not None:
            current[3].append(line)
    if not cues:
        yield ReadError(path.stem, str(path), f"{path}: no subtitle cues (lines like 00:00:01,000 --> 00:00:03,200)")
        return
    parsed = [(n, s, e, *_speaker(body)) for n, s, e, body in cues]
    labelled = any(speaker_of(who) for *_, who, _ in parsed if isinstance(who, str))
    rows = []
    for n, start, end, who, body in parsed:
        if labelled and who is None:
            errors.append(f"{path}:{n}: no speaker prefix (坐席：/客户： or <v 坐席>), cue skipped")
            continue
        try:
            t0, t1 = parse_time(start), parse_time(end)
        except ValueError:
            errors.append(f"{path}:{n}: bad cue timing {start} --> {end}, ignored")
            t0 = t1 = None
        rows.append(Row(text=body, start=t0, end=t1, who=who, line=n))
    yield build_call(path.stem, rows, str(path), errors)


def _speaker(body: list[str]) -> tuple[str | None, str]:
    """(who, text) of a cue: a ``<v>`` voice wins, then a ``坐席：`` / ``spk0:`` prefix."""
    raw = "\n".join(body)
    voice = _VOICE.search(raw)
    text = _join([html.unescape(_TAG.sub("", ln)).strip() for ln in body])
    if voice:
        return voice[1].strip(), text
    m = _PREFIX.match(text)
    if m:
        who = (m["b"] or m["p"] or "").strip()
        if speaker_of(who) or _SPEAKER_ID.match(who):
            return who, m["text"].strip()
    return None, text


def _join(parts: list[str]) -> str:
    """Cue lines joined: a space between Latin words, nothing between Chinese ones."""
    out = ""
    for p in filter(None, parts):
        out += (" " if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() else "") + p
    return out
