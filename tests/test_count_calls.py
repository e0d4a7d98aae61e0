"""The progress bar's total (``readers.count``) is the number of records reading yields, or None."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scriptcheck.cli import _left_to_check
from scriptcheck.readers import ReadOptions, read_paths
from scriptcheck.readers.count import count_calls

CALL = {"call_id": "c1", "segments": [{"speaker": "agent", "text": "您好，很高兴为您服务", "start": 0, "end": 2},
                                      {"speaker": "customer", "text": "我想查一下话费", "start": 2.5, "end": 4}]}


def records(paths: list[str], options: ReadOptions | None = None) -> int:
    return sum(1 for _ in read_paths(paths, options))


def jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_json_lines_count_records_not_lines(tmp_path: Path) -> None:
    line = json.dumps(CALL, ensure_ascii=False)
    path = jsonl(tmp_path / "a.jsonl", [line, "", "   ", line.replace("c1", "c2"), "{not json", "\t", line + "\r"])
    assert count_calls([str(path)]) == records([str(path)]) == 4  # three calls and one error record


def test_an_empty_json_lines_file_is_one_error_record(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "empty.jsonl", ["", "  "])
    assert count_calls([str(path)]) == records([str(path)]) == 1


def test_a_folder_of_one_call_files(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps(CALL, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "b.txt").write_text("坐席：您好，很高兴为您服务\n客户：我想查一下话费\n", encoding="utf-8")
    (tmp_path / "c.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\n坐席：您好\n", encoding="utf-8")
    (tmp_path / "d.json").write_bytes(b"\xff\xfe\x00garbage")  # unreadable: one error record
    jsonl(tmp_path / "e.jsonl", [json.dumps(CALL, ensure_ascii=False)] * 3)
    assert count_calls([str(tmp_path)]) == records([str(tmp_path)]) == 7


def test_a_missing_path_is_one_error_record(tmp_path: Path) -> None:
    paths = [str(tmp_path / "nowhere.jsonl"), str(tmp_path / "*.json")]
    assert count_calls(paths) == records(paths) == 2


@pytest.mark.parametrize("name, text", [
    ("list.json", json.dumps([CALL, {**CALL, "call_id": "c2"}], ensure_ascii=False)),  # several calls in one file
    ("table.csv", "call_id,speaker,text\nc1,agent,您好\nc2,agent,您好\n"),
])
def test_none_when_only_reading_tells(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert count_calls([str(path)]) is None
    assert records([str(path)]) == 2


def test_none_for_a_forced_table_format_and_for_utf16(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", [json.dumps(CALL, ensure_ascii=False)])
    assert count_calls([str(path)], ReadOptions(input_format="csv")) is None
    wide = tmp_path / "wide.jsonl"
    wide.write_bytes(("\ufeff" + json.dumps(CALL, ensure_ascii=False) + "\n").encode("utf-16-le"))
    assert count_calls([str(wide)]) is None
    assert records([str(wide)]) == 1


def test_parquet_rows(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "calls.parquet"
    pq.write_table(pa.Table.from_pylist([CALL, {**CALL, "call_id": "c2"}, {**CALL, "call_id": "c3"}]), path)
    assert count_calls([str(path)]) == records([str(path)]) == 3


def test_a_resumed_run_waits_only_for_the_rest(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "a.jsonl", [json.dumps({**CALL, "call_id": f"c{i}"}, ensure_ascii=False) for i in range(5)])
    assert _left_to_check([str(path)], ReadOptions(), 2) == 3
    assert _left_to_check([str(path)], ReadOptions(), 9) == 0
