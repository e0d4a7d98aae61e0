"""FunASR / Paraformer results (``AutoModel.generate`` with a VAD, punctuation and, for speaker ids,
the CAM++ ``spk_model``), saved as JSON.

Schema (verified in the FunASR sources, https://github.com/modelscope/FunASR —
``funasr/utils/timestamp_tools.py::timestamp_sentence`` builds each sentence as ``{"text", "start",
"end", "timestamp"}`` with times **in milliseconds**, and the speaker step adds ``"spk"`` (an int);
the tutorial, https://modelscope.github.io/FunASR/tutorial.html, shows ``res[0]["sentence_info"]``):
``generate`` returns a list of results ``{"key", "text", "timestamp", "sentence_info": [...]}``.
Some model paths name the sentence text ``sentence`` instead of ``text``; both are read. One result
is one call (``key`` is the call id when the file holds several).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..model import Call
from .common import ReadError, Row, build_call, load_json, ms


def read_funasr(text: str, path: Path) -> Iterator[Call | ReadError]:
    obj = load_json(text, path)
    if isinstance(obj, ReadError):
        yield obj
        return
    results = obj if isinstance(obj, list) else [obj]
    if not results:
        yield ReadError(path.stem, str(path), f"{path}: an empty list of FunASR results")
    for i, res in enumerate(results):
        one = len(results) == 1
        key = res.get("key") if isinstance(res, dict) else None
        call_id = path.stem if one else str(key) if isinstance(key, (str, int)) else f"{path.stem}[{i}]"
        yield call_from_result(res, call_id, str(path) if one else f"{path}[{i}]")


def call_from_result(res: Any, call_id: str, where: str) -> Call | ReadError:
    info = res.get("sentence_info") if isinstance(res, dict) else None
    if not isinstance(info, list):
        return ReadError(call_id, where, f"{where}: FunASR result without 'sentence_info' (run it with a "
                         "vad_model and punc_model, and spk_model for speaker ids)")
    rows = []
    errors = []
    for i, s in enumerate(info):
        body = s.get("text", s.get("sentence")) if isinstance(s, dict) else None
        if isinstance(body, list):  # no punctuation model: a list of tokens
            body = "".join(map(str, body))
        if not isinstance(body, str):
            errors.append(f"{where}: sentence {i}: no text, skipped")
            continue
        rows.append(Row(text=body, start=ms(s.get("start")), end=ms(s.get("end")), who=s.get("spk")))
    return build_call(call_id, rows, where, errors)
