"""OpenAI Whisper JSON: the ``openai-whisper`` CLI's ``--output_format json`` and the API's ``verbose_json``.

Schema (verified against the OpenAI API reference, "Create transcription" → ``verbose_json``,
https://platform.openai.com/docs/api-reference/audio/verbose-json-object, and the SDK types
``TranscriptionVerbose`` / ``TranscriptionSegment``): top level ``text``, ``language``, ``duration`` and
``segments``; each segment has ``id``, ``seek``, ``start`` and ``end`` **in seconds**, ``text``,
``tokens``, ``temperature``, ``avg_logprob``, ``compression_ratio``, ``no_speech_prob``.
Whisper does not diarize: there is no speaker, so roles come from ``--roles``-less inference
(turn cues). A ``speaker`` key on a segment (WhisperX adds ``SPEAKER_00`` after diarization) is kept
as the segment's label. A file may also hold a list of such results (one call each).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import Call
from .common import ReadError, Row, build_call, load_json, num

SEGMENT_KEYS = {"seek", "tokens", "avg_logprob", "no_speech_prob", "compression_ratio", "temperature"}


def read_whisper(text: str, path: Path) -> Iterator[Call | ReadError]:
    obj = load_json(text, path)
    if isinstance(obj, ReadError):
        yield obj
        return
    results = obj if isinstance(obj, list) else [obj]
    for i, res in enumerate(results):
        call_id = path.stem if len(results) == 1 else f"{path.stem}[{i}]"
        where = str(path) if len(results) == 1 else f"{path}[{i}]"
        yield call_from_result(res, call_id, where)


def call_from_result(res: Any, call_id: str, where: str) -> Call | ReadError:
    segs = res.get("segments") if isinstance(res, dict) else None
    if not isinstance(segs, list):
        return ReadError(call_id, where, f"{where}: Whisper JSON without a 'segments' list (was it written "
                         "with --output_format json / response_format=verbose_json?)")
    rows = []
    errors = []
    for i, s in enumerate(segs):
        if not isinstance(s, dict) or not isinstance(s.get("text"), str):
            errors.append(f"{where}: segment {i}: no text, skipped")
            continue
        rows.append(Row(text=s["text"], start=num(s.get("start")), end=num(s.get("end")), who=s.get("speaker")))
    return build_call(call_id, rows, where, errors)
