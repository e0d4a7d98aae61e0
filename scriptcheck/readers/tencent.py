"""Tencent Cloud 录音文件识别 (``CreateRecTask`` → ``DescribeTaskStatus``) results.

Schema (verified against the Tencent Cloud ASR API docs: DescribeTaskStatus,
https://cloud.tencent.com/document/product/1093/37822 (intl: https://www.tencentcloud.com/document/api/1118/66924),
and the data types ``TaskStatus`` / ``SentenceDetail``, https://www.tencentcloud.com/document/api/1118/66926,
plus the SDK model ``SentenceDetail``): the response is ``{"Response": {"Data": TaskStatus, "RequestId"}}``;
``TaskStatus`` has ``TaskId``, ``Status`` (0 waiting, 1 running, 2 success, 3 failed), ``StatusStr``,
``ErrorMsg``, ``AudioDuration``, ``Result`` (the text, one ``[m:ss.sss,m:ss.sss]  sentence`` per line) and
``ResultDetail`` (only with ``ResTextFormat`` ≥ 1): a list of ``SentenceDetail`` with ``FinalSentence``,
``SliceSentence``, ``StartMs`` / ``EndMs`` (**milliseconds**), ``SpeakerId`` (int; speaker diarization),
``SpeechSpeed``, ``SilenceTime``, ``EmotionType`` …

Who spoke: ``SpeakerId``. ``SentenceDetail`` has no channel field in the published schema; for dual-channel
(``ChannelNum`` 2) telephone audio the service separates the parties itself — not verified how it
numbers them, so a ``ChannelId``/``Channel`` key, when an export adds one, is preferred over
``SpeakerId``. ``Data`` alone, or a bare ``TaskStatus``, is read too. Without ``ResultDetail`` the
``Result`` text is parsed (times only; a third number in the brackets is taken as the speaker id).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import Call
from .common import ReadError, Row, build_call, load_json, ms

_RESULT_LINE = re.compile(r"^\s*\[(\d+):(\d+(?:\.\d+)?),(\d+):(\d+(?:\.\d+)?)(?:,(\d+))?\]\s*(.*)$")


def read_tencent(text: str, path: Path) -> Iterator[Call | ReadError]:
    obj = load_json(text, path)
    if isinstance(obj, ReadError):
        yield obj
        return
    yield call_from_result(obj, path.stem, str(path))


def _task(obj: Any) -> Any:
    if isinstance(obj, dict) and isinstance(obj.get("Response"), dict):
        obj = obj["Response"]
    if isinstance(obj, dict) and isinstance(obj.get("Data"), dict):
        obj = obj["Data"]
    return obj


def call_from_result(obj: Any, call_id: str, where: str) -> Call | ReadError:
    task = _task(obj)
    if not isinstance(task, dict):
        return ReadError(call_id, where, f"{where}: not a Tencent Cloud DescribeTaskStatus result")
    status = task.get("Status")
    if status in (0, 1, 3) or (isinstance(task.get("StatusStr"), str) and task["StatusStr"] in ("waiting", "doing",
                                                                                               "failed")):
        why = task.get("ErrorMsg") or task.get("StatusStr") or status
        return ReadError(call_id, where, f"{where}: Tencent Cloud task {task.get('TaskId')} is not a finished "
                         f"transcript (Status {status}: {why})")
    detail = task.get("ResultDetail")
    if isinstance(detail, list) and detail:
        rows = []
        errors = []
        for i, s in enumerate(detail):
            if not isinstance(s, dict):
                errors.append(f"{where}: ResultDetail[{i}]: not an object, skipped")
                continue
            body = s.get("FinalSentence")
            if not isinstance(body, str):
                body = s.get("SliceSentence", "").replace(" ", "") if isinstance(s.get("SliceSentence"), str) else ""
            who = next((s[k] for k in ("ChannelId", "Channel", "SpeakerId") if s.get(k) is not None), None)
            rows.append(Row(text=body, start=ms(s.get("StartMs")), end=ms(s.get("EndMs")), who=who))
        return build_call(call_id, rows, where, errors)
    result = task.get("Result")
    if isinstance(result, str) and result.strip():
        rows = []
        for line in result.splitlines():
            m = _RESULT_LINE.match(line)
            if m:
                start = int(m[1]) * 60 + float(m[2])
                end = int(m[3]) * 60 + float(m[4])
                rows.append(Row(text=m[6], start=start, end=end, who=m[5]))
            elif line.strip():
                rows.append(Row(text=line))
        return build_call(call_id, rows, where)
    return ReadError(call_id, where, f"{where}: Tencent Cloud result without 'ResultDetail' or 'Result' text")
