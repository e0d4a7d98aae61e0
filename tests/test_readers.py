"""Readers (formats.md §1): JSON, JSON Lines, plain text, folders and globs; nothing is dropped."""

from __future__ import annotations

import json

import pytest

from scriptcheck.model import Call
from scriptcheck.readers import ReadError, call_from_dict, parse_transcript, read_file, read_paths

CALL = {
    "call_id": "c0001",
    "agent_id": "A1024",
    "started_at": "2026-11-02T09:15:00+08:00",
    "segments": [
        {"speaker": "agent", "start": 0.0, "end": 3.2, "text": "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"},
        {"speaker": "customer", "start": 3.6, "end": 8.1, "text": "我的宽带昨天开始就上不了网了"},
    ],
}


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def _calls(items):
    return [x for x in items if isinstance(x, Call)]


def _errors(items):
    return [x for x in items if isinstance(x, ReadError)]


def test_json_object(tmp_path):
    p = _write(tmp_path / "one.json", json.dumps(CALL, ensure_ascii=False, indent=2))
    [call] = list(read_file(p))
    assert isinstance(call, Call)
    assert call.call_id == "c0001" and call.agent_id == "A1024"
    assert call.started_at.startswith("2026-11-02")
    assert [s.speaker for s in call.segments] == ["agent", "customer"]
    assert call.segments[1].start == 3.6 and call.segments[1].end == 8.1
    assert call.segments[1].text == "我的宽带昨天开始就上不了网了"
    assert call.timed and call.errors == []


def test_json_list(tmp_path):
    second = {**CALL, "call_id": "c0002", "agent_id": None}
    p = _write(tmp_path / "many.json", json.dumps([CALL, second], ensure_ascii=False))
    calls = list(read_file(p))
    assert [c.call_id for c in calls] == ["c0001", "c0002"]
    assert calls[1].agent_id is None


def test_json_with_bom_and_missing_call_id(tmp_path):
    body = {k: v for k, v in CALL.items() if k != "call_id"}
    p = tmp_path / "no_id.json"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps(body, ensure_ascii=False).encode("utf-8"))
    [call] = list(read_file(p))
    assert call.call_id == "no_id"
    assert any("call_id" in e for e in call.errors)  # reported, not silently patched


def test_invalid_json_file_is_a_read_error(tmp_path):
    p = _write(tmp_path / "broken.json", '{"call_id": "x",\n "segments": [\n')
    [err] = list(read_file(p))
    assert isinstance(err, ReadError)
    assert f"{p}:3:" in err.message and "invalid JSON" in err.message


def test_jsonl_with_one_malformed_line(tmp_path):
    lines = [
        json.dumps(CALL, ensure_ascii=False),
        '{"call_id": "c0002", "segments": [{"speaker": "agent", "text": "您好"',  # truncated
        "",
        json.dumps({**CALL, "call_id": "c0003"}, ensure_ascii=False),
    ]
    p = _write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    items = list(read_file(p))
    assert len(items) == 3
    assert [c.call_id for c in _calls(items)] == ["c0001", "c0003"]
    [err] = _errors(items)
    assert f"{p}:2" in err.message
    assert err.source == f"{p}:2"
    assert items.index(err) == 1  # reported in input order
    assert _calls(items)[1].source == f"{p}:4"  # line numbers count blank lines
    assert all(seg.line == 4 for seg in _calls(items)[1].segments)


def test_plain_text_with_time_prefixes(tmp_path):
    p = _write(tmp_path / "call_0917.txt",
               "[00:00.0-00:03.2] 坐席：您好，云桥通信，很高兴为您服务\n"
               "[00:03.6-00:08.1] 客户:我的宽带昨天开始就上不了网了\n"
               "\n"
               "[01:02.5-01:04.0] 坐席：好的，现在为您查询，请稍等\n")
    [call] = list(read_file(p))
    assert call.call_id == "call_0917"
    assert [(s.speaker, s.start, s.end) for s in call.segments] == [
        ("agent", 0.0, 3.2), ("customer", 3.6, 8.1), ("agent", 62.5, 64.0)]
    assert call.segments[1].text == "我的宽带昨天开始就上不了网了"
    assert [s.line for s in call.segments] == [1, 2, 4]
    assert call.timed and call.errors == []


def test_plain_text_without_times_and_mixed_colons(tmp_path):
    p = _write(tmp_path / "untimed.txt", "坐席：您好\n客户:喂，你好\n坐席 ： 请问有什么可以帮您\n")
    [call] = list(read_file(p))
    assert [s.speaker for s in call.segments] == ["agent", "customer", "agent"]
    assert call.segments[2].text == "请问有什么可以帮您"
    assert not call.timed
    assert all(s.start is None and s.end is None for s in call.segments)


@pytest.mark.parametrize(("label", "speaker"), [
    ("坐席", "agent"), ("客服", "agent"), ("座席", "agent"), ("A", "agent"), ("agent", "agent"),
    ("客户", "customer"), ("用户", "customer"), ("C", "customer"), ("customer", "customer"),
    ("客戶", "customer"), ("用戶", "customer"),
])
def test_speaker_aliases_in_plain_text(tmp_path, label, speaker):
    p = _write(tmp_path / "alias.txt", f"{label}：请问有什么可以帮您\n")
    [call] = list(read_file(p))
    assert [s.speaker for s in call.segments] == [speaker]


@pytest.mark.parametrize(("label", "speaker"), [
    ("坐席", "agent"), ("客服", "agent"), ("座席", "agent"), ("A", "agent"),
    ("客户", "customer"), ("用户", "customer"), ("C", "customer"),
])
def test_speaker_aliases_in_json(label, speaker):
    call = call_from_dict({"call_id": "x", "segments": [{"speaker": label, "text": "您好"}]}, "mem", "x")
    assert [s.speaker for s in call.segments] == [speaker]
    assert call.errors == []


def test_traditional_text_with_traditional_prefixes(tmp_path):
    p = _write(tmp_path / "tw.txt", "坐席：您好，青禾電信，很高興為您服務\n客戶：我想問一下帳單\n")
    [call] = list(read_file(p))
    assert [s.speaker for s in call.segments] == ["agent", "customer"]
    assert call.segments[1].text == "我想問一下帳單"  # text kept as written


def test_unknown_speaker_segment_becomes_an_error_and_the_rest_is_kept():
    obj = {"call_id": "c9", "segments": [
        {"speaker": "agent", "text": "您好，云桥通信，很高兴为您服务"},
        {"speaker": "robot", "text": "嘀——"},
        {"speaker": "customer", "text": "我想查话费"},
    ]}
    call = call_from_dict(obj, "in.jsonl:7", "in:7")
    assert isinstance(call, Call)
    assert [s.text for s in call.segments] == ["您好，云桥通信，很高兴为您服务", "我想查话费"]
    [err] = call.errors
    assert "in.jsonl:7" in err and "robot" in err and "segment 1" in err


def test_unknown_speaker_in_plain_text_is_reported(tmp_path):
    p = _write(tmp_path / "odd.txt", "坐席：您好\n旁白：电话里有杂音\n客户：喂\n")
    [call] = list(read_file(p))
    assert [s.speaker for s in call.segments] == ["agent", "customer"]
    [err] = call.errors
    assert f"{p}:2" in err


@pytest.mark.parametrize(("segment", "fragment"), [
    ({"speaker": "agent"}, "text"),
    ({"speaker": "agent", "text": "您好", "start": -1.0, "end": 2.0}, "start"),
    ({"speaker": "agent", "text": "您好", "start": 5.0, "end": 2.0}, "before start"),
    ("您好", "not an object"),
])
def test_bad_segments_are_reported(segment, fragment):
    obj = {"call_id": "c1", "segments": [segment, {"speaker": "customer", "text": "喂"}]}
    call = call_from_dict(obj, "mem", "c1")
    assert [s.text for s in call.segments] == ["喂"]
    assert len(call.errors) == 1 and fragment in call.errors[0]


def test_call_without_segments_list_is_a_read_error():
    err = call_from_dict({"call_id": "c1", "segments": "坐席：您好"}, "f.jsonl:3", "f:3")
    assert isinstance(err, ReadError) and "f.jsonl:3" in err.message and err.call_id == "c1"
    err = call_from_dict(["not", "a", "call"], "f.jsonl:4", "f:4")
    assert isinstance(err, ReadError) and err.call_id == "f:4"


def test_missing_path_is_a_read_error(tmp_path):
    missing = tmp_path / "nope" / "calls.jsonl"
    [err] = list(read_paths([str(missing)]))
    assert isinstance(err, ReadError)
    assert str(missing) in err.message


def test_glob_without_matches_is_a_read_error(tmp_path):
    [err] = list(read_paths([str(tmp_path / "*.jsonl")]))
    assert isinstance(err, ReadError) and "no file matches" in err.message


def test_folder_and_glob_expansion(tmp_path):
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "b.json", json.dumps({**CALL, "call_id": "b"}, ensure_ascii=False))
    _write(tmp_path / "a.txt", "坐席：您好\n客户：喂\n")
    _write(tmp_path / "sub" / "c.jsonl", json.dumps({**CALL, "call_id": "c"}, ensure_ascii=False) + "\n")
    _write(tmp_path / "notes.md", "坐席：这不是转写\n")
    from_folder = [c.call_id for c in read_paths([str(tmp_path)])]
    assert from_folder == ["a", "b", "c"]  # sorted, recursive, other suffixes skipped
    from_glob = [c.call_id for c in read_paths([str(tmp_path / "*.json*")])]
    assert from_glob == ["b"]
    recursive = [c.call_id for c in read_paths([str(tmp_path / "**" / "*.jsonl")])]
    assert recursive == ["c"]


def test_parse_transcript_helper():
    call = parse_transcript("[00:00.0-00:03.2] 坐席:您好\n客户：喂\n请问有什么可以帮您", call_id="ex")
    assert call.call_id == "ex"
    assert [(s.speaker, s.text, s.start) for s in call.segments] == [
        ("agent", "您好", 0.0), ("customer", "喂", None), ("agent", "请问有什么可以帮您", None)]
    assert not call.timed


@pytest.mark.parametrize(("label", "role"), [
    ("客服-小王", "agent"), ("坐席(1024)", "agent"), ("座席A", "agent"), ("话务员", "agent"),
    ("客户张先生", "customer"), ("用户", "customer"), ("來電人", "customer"), ("旁白", None), ("系统", None),
])
def test_decorated_speaker_labels(label, role):
    from scriptcheck.readers import speaker_of

    assert speaker_of(label) == role


def test_plain_text_with_decorated_prefixes(tmp_path):
    p = _write(tmp_path / "deco.txt", "客服-小王：您好，很高兴为您服务\n客户张先生：我想查话费\n")
    [call] = list(read_file(p))
    assert [s.speaker for s in call.segments] == ["agent", "customer"]
    assert call.segments[1].text == "我想查话费"


def test_utf16_json_lines_with_a_newline_byte_inside_a_character(tmp_path):
    """上 is U+4E0A: in UTF-16-LE its bytes are 0A 4E, a newline byte that is not a line end."""
    import json

    from scriptcheck.readers import read_paths

    seg = {"speaker": "agent", "text": "您好，上海分公司，很高兴为您服务"}
    line = json.dumps({"call_id": "u16", "segments": [seg]}, ensure_ascii=False)
    f = tmp_path / "calls.jsonl"
    f.write_bytes(b"\xff\xfe" + (line + "\n" + line.replace("u16", "u17") + "\n").encode("utf-16-le"))
    calls = list(read_paths([str(f)]))
    assert [c.call_id for c in calls] == ["u16", "u17"]
    assert calls[0].segments[0].text.startswith("您好，上海")
