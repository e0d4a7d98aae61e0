"""Alibaba Cloud 智能语音交互 录音文件识别 (file transcription, ``nls-filetrans``) results.

Schema (verified against the 录音文件识别 接口说明, https://help.aliyun.com/zh/isi/developer-reference/api-reference-2,
sections "识别结果查询接口" and the version 4.0 callback, read from a published copy of the page): the
``GetTaskResult`` response — and the 4.0 callback body, which has the same shape — is
``{"TaskId", "StatusText", "StatusCode", "BizDuration",
"Result": {"Sentences": [...], "Words": [...]}}``; each sentence (``SentenceResult``) has ``ChannelId``
(int, the audio track from 0), ``BeginTime`` / ``EndTime`` (int, **milliseconds**), ``Text``,
``EmotionValue``, ``SilenceDuration`` (s) and ``SpeechRate``. With ``auto_split`` (智能分轨) the
sentences also carry ``SpeakerId`` (a string, "1", "2" …; seen in public exports, not in that table).
``StatusText`` other than SUCCESS means there is no transcript (QUEUEING, RUNNING, FILE_DOWNLOAD_FAILED …).

Who spoke: in a stereo call recording each party has a channel, so when a file has more than one
``ChannelId`` the channel is the speaker id (``--roles 0=agent,1=customer``); on a mono file the
``SpeakerId`` from diarization is used. A bare ``{"Sentences": [...]}`` or a list of sentences is read too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import Call
from .common import ReadError, Row, build_call, load_json, ms


def read_aliyun(text: str, path: Path) -> Iterator[Call | ReadError]:
    obj = load_json(text, path)
    if isinstance(obj, ReadError):
        yield obj
        return
    yield call_from_result(obj, path.stem, str(path))


def _sentences(obj: Any) -> Any:
    if isinstance(obj, list):
        return obj
    if not isinstance(obj, dict):
        return None
    result = obj.get("Result")
    if isinstance(result, dict) and "Sentences" in result:
        return result["Sentences"]
    return obj.get("Sentences")


def call_from_result(obj: Any, call_id: str, where: str) -> Call | ReadError:
    status = obj.get("StatusText") if isinstance(obj, dict) else None
    sentences = _sentences(obj)
    if isinstance(status, str) and status.upper() not in ("SUCCESS", "SUCCEED") and not sentences:
        return ReadError(call_id, where, f"{where}: Alibaba Cloud task status {status} "
                         f"(code {obj.get('StatusCode')}), no transcript in this result")
    if not isinstance(sentences, list):
        return ReadError(call_id, where, f"{where}: Alibaba Cloud result without 'Result.Sentences'")
    good = [s for s in sentences if isinstance(s, dict)]
    errors = [f"{where}: sentence {i}: not an object, skipped" for i, s in enumerate(sentences)
              if not isinstance(s, dict)]
    stereo = len({s.get("ChannelId") for s in good if s.get("ChannelId") is not None}) > 1
    rows = []
    for s in good:
        speaker = s.get("SpeakerId")
        who = s.get("ChannelId") if stereo or speaker in (None, "") else speaker
        rows.append(Row(text=s.get("Text") if isinstance(s.get("Text"), str) else "",
                        start=ms(s.get("BeginTime")), end=ms(s.get("EndTime")), who=who))
    return build_call(call_id, rows, where, errors)
