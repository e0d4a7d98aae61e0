"""The JSON fast path (readers/fastjson.py) reads a plain §1a call exactly as the ordinary reader does,
and leaves every record it is not sure of to the ordinary reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from scriptcheck.model import Call
from scriptcheck.readers import ReadError, jsoncalls, jsonl
from scriptcheck.readers.fastjson import fast_call

SEGMENTS = [
    {"speaker": "agent", "start": 0.0, "end": 5.2, "text": "您好，安家保险客服中心，工号6874为您服务"},
    {"speaker": "customer", "start": 5.9, "end": 9.4, "text": "我上周买的车险，保单到现在还没收到"},
    {"speaker": "agent", "start": 10, "end": 17, "text": "非常抱歉给您带来不便，请您提供一下保单号，我帮您核实"},
    {"speaker": "customer", "text": "好的，保单号是……我找一下"},  # no times
    {"speaker": "agent", "start": 21.5, "end": 21.5, "text": "嗯"},  # end == start
    {"speaker": "customer", "start": 22.0, "end": 30.75, "text": "查到了\n就在短信里\u2028谢谢", "emotion": "neutral"},
    {"speaker": "agent", "start": 31.0, "end": 35.0, "text": "不客气，感谢您的来电，祝您生活愉快，再见！"},
]
CALL = {"call_id": "c000417", "agent_id": "A1012", "started_at": "2026-11-13T10:07:18+08:00",
        "segments": SEGMENTS}


def _with(segment: int, **change: object) -> dict:
    segs = [dict(s) for s in SEGMENTS]
    segs[segment].update(change)
    return {**CALL, "segments": segs}


def _dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


FAST = {
    "plain": _dumps(CALL),
    "ascii escapes": json.dumps(CALL),
    "no agent_id or started_at": _dumps({"call_id": "c2", "segments": SEGMENTS}),
    "null agent_id": _dumps({**CALL, "agent_id": None, "started_at": None}),
    "extra keys everywhere": _dumps({**CALL, "queue": "理赔", "roles": {"0": "agent"}, "errors": ["x"],
                                     "source": "elsewhere", "segments": [{**s, "conf": 0.93} for s in SEGMENTS]}),
    "integer times": _dumps(_with(1, start=6, end=9)),
    "negative zero": _dumps(_with(0, start=-0.0)),
    "null times": _dumps(_with(2, start=None, end=None)),
    "duplicate keys, the last counts": _dumps(CALL)[:-1] + ', "call_id": "c-last", "agent_id": "A7"}',
    "surrogate pair": json.dumps(_with(1, text="好评😀")),
    "whitespace around": "  " + json.dumps(CALL, indent=2).replace("\n", " ") + " \t",
}
SLOW = {
    "speaker 坐席": _dumps(_with(0, speaker="坐席")),
    "speaker spk0 everywhere": _dumps({**CALL, "segments": [{**s, "speaker": f"spk{i % 2}"} for i, s in
                                                             enumerate(SEGMENTS)]}),
    "speaker unknown": _dumps(_with(3, speaker="unknown")),
    "speaker ' agent'": _dumps(_with(0, speaker=" agent")),
    "speaker missing": _dumps({**CALL, "segments": [{k: v for k, v in s.items() if k != "speaker"}
                                                    for s in SEGMENTS]}),
    "bool start": _dumps(_with(1, start=True)),
    "string start": _dumps(_with(1, start="5.9")),
    "negative start": _dumps(_with(1, start=-1.0)),
    "end before start": _dumps(_with(2, end=9.5)),
    "NaN end": _dumps(_with(2, end=float("nan"))),
    "Infinity end": _dumps(_with(2, end=float("inf"))),
    "numeric call_id": _dumps({**CALL, "call_id": 417}),
    "empty call_id": _dumps({**CALL, "call_id": ""}),
    "missing call_id": _dumps({k: v for k, v in CALL.items() if k != "call_id"}),
    "numeric agent_id": _dumps({**CALL, "agent_id": 1012}),
    "non-string text": _dumps(_with(3, text=12345)),
    "missing text": _dumps({**CALL, "segments": [*SEGMENTS, {"speaker": "agent", "start": 40.0}]}),
    "segment not an object": _dumps({**CALL, "segments": [*SEGMENTS, "坐席：再见"]}),
    "segment with its own line": _dumps(_with(0, line=99)),
    "segment with a label": _dumps(_with(0, label="客服-小王")),
    "no segments": _dumps({**CALL, "segments": []}),
    "segments not a list": _dumps({**CALL, "segments": "坐席：您好"}),
    "lone surrogate": json.dumps(_with(1, text="乱码\ud800")),
    "not an object": _dumps([CALL]),
    "invalid JSON": _dumps(CALL)[:-1],
    "vendor ASR line": _dumps({"key": "rec_0417", "text": "您好请问有什么可以帮您",
                               "sentence_info": [{"text": "您好请问有什么可以帮您", "start": 0, "end": 2300, "spk": 0},
                                                 {"text": "我的保单没收到", "start": 2600, "end": 4100, "spk": 1}]}),
    "other JSON": _dumps({"hello": "世界"}),
}


def _same(a: list[Call | ReadError], b: list[Call | ReadError]) -> None:
    assert [type(x) for x in a] == [type(x) for x in b]
    for x, y in zip(a, b, strict=True):
        if isinstance(x, Call):
            assert x == y and x.model_dump() == y.model_dump()  # type: ignore[union-attr]
        else:
            assert x == y


def _read_line(text: str, monkeypatch: pytest.MonkeyPatch | None = None) -> list[Call | ReadError]:
    if monkeypatch is not None:
        monkeypatch.setattr(jsonl, "fast_call", lambda *_: None)  # the ordinary path only
    return list(jsonl.jsonl_line(text, Path("/data/batch.jsonl"), 7))


@pytest.mark.parametrize("text", FAST.values(), ids=FAST.keys())
def test_plain_record_takes_the_fast_path_and_reads_the_same(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    call = fast_call(text, "/data/batch.jsonl:7", 7)
    assert isinstance(call, Call)
    assert all(s.line == 7 and s.label is None for s in call.segments)
    assert call.source == "/data/batch.jsonl:7" and call.errors == [] and call.roles is None
    fast = _read_line(text)
    assert fast == [call]
    _same(fast, _read_line(text, monkeypatch))
    assert fast_call(text.encode(), "/data/batch.jsonl:7", 7) == call  # from the record's bytes


@pytest.mark.parametrize("text", SLOW.values(), ids=SLOW.keys())
def test_anything_else_takes_the_ordinary_path(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fast_call(text, "/data/batch.jsonl:7", 7) is None
    assert fast_call(text.encode(), "/data/batch.jsonl:7", 7) is None
    _same(_read_line(text), _read_line(text, monkeypatch))


LINES = {**{f"fast: {k}": v.encode() for k, v in FAST.items()}, **{f"slow: {k}": v.encode() for k, v in SLOW.items()},
         "GB18030 export": _dumps(CALL).encode("gb18030"),
         "undecodable bytes": _dumps(CALL).encode()[:40] + b"\xff\xfe" + _dumps(CALL).encode()[40:]}


@pytest.mark.parametrize("raw", LINES.values(), ids=LINES.keys())
def test_a_line_read_from_its_bytes_is_the_line_decoded(raw: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    """A record handed over as bytes (``--jobs``, batches) reads as its decoded text does: a plain
    call straight from the bytes, anything else (not UTF-8 included) the ordinary way."""
    path = Path("/data/batch.jsonl")
    got = jsonl.Line(path, 7, raw).read()
    decoded = jsonl.decode_line(raw, path, 7)
    want = [decoded] if isinstance(decoded, ReadError) else list(jsonl.jsonl_line(decoded, path, 7))
    _same(got, want)
    monkeypatch.setattr(jsonl, "fast_call", lambda *_: None)
    _same(got, jsonl.Line(path, 7, raw).read())


def test_fast_call_matches_call_from_dict_field_for_field() -> None:
    text = FAST["extra keys everywhere"]
    fast = fast_call(text, "in.jsonl:3", 3)
    slow = jsoncalls.call_from_dict(json.loads(text), "in.jsonl:3", "in:3", line=3)
    assert isinstance(fast, Call) and isinstance(slow, Call)
    assert fast.model_dump() == slow.model_dump()
    def types(call: Call) -> list[tuple[type, type]]:
        return [(type(s.start), type(s.end)) for s in call.segments]

    assert types(fast) == types(slow)
    assert fast.segments[2].start == 10.0 and isinstance(fast.segments[2].start, float)
    with pytest.raises(ValidationError):  # still frozen to its users
        fast.segments[0].line = 4  # type: ignore[misc]


@pytest.mark.parametrize("body", [
    _dumps(CALL),
    json.dumps([CALL, {**CALL, "call_id": "c000418", "agent_id": None}], ensure_ascii=False, indent=2),
    _dumps([CALL]),
    _dumps([CALL, {**CALL, "call_id": 418}]),  # one odd call: the whole file the ordinary way
    _dumps([]),
    _dumps(_with(0, speaker="客服")),
    _dumps({k: v for k, v in CALL.items() if k != "call_id"}),
], ids=["object", "list", "list of one", "list with an odd call", "empty list", "odd speaker", "no call_id"])
def test_json_file_reads_the_same(body: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "calls.json"
    fast = list(jsoncalls.read_json(body, path))
    monkeypatch.setattr(jsoncalls, "fast_calls", lambda *_: None)
    _same(fast, list(jsoncalls.read_json(body, path)))


def test_a_batch_labelled_another_way_is_not_tried_on_the_fast_path() -> None:
    from scriptcheck.readers.fastjson import _looks_plain

    assert _looks_plain(FAST["plain"]) and _looks_plain(json.dumps(CALL, separators=(",", ":")))
    assert not _looks_plain(SLOW["speaker 坐席"]) and not _looks_plain(SLOW["speaker spk0 everywhere"])
    assert not _looks_plain(SLOW["vendor ASR line"])
    # only a hint: a later odd segment still fails validation, and the ordinary path reads the record
    later = _dumps(_with(5, speaker="客户"))
    assert _looks_plain(later) and fast_call(later, "x", 1) is None
