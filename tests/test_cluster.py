"""The Dask engine gives, call for call, the reports of a local run (on a real LocalCluster)."""

from __future__ import annotations

import json

import pytest

distributed = pytest.importorskip("distributed")

from scriptcheck.batch import run  # noqa: E402
from scriptcheck.cluster import check_on_dask, read_reports  # noqa: E402
from scriptcheck.engine import Checker  # noqa: E402
from scriptcheck.report import FORMATS  # noqa: E402

CALL = {"agent_id": "A7", "segments": [
    {"speaker": "agent", "start": 0.0, "end": 4.0, "text": "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"},
    {"speaker": "customer", "start": 4.5, "end": 7.0, "text": "我想查一下这个月的话费。"},
    {"speaker": "agent", "start": 7.5, "end": 10.0, "text": "好的，现在为您查询，请稍等。"},
    {"speaker": "agent", "start": 24.0, "end": 28.0, "text": "您本月话费是五十八元。请问还有其他可以帮您的吗？"},
    {"speaker": "customer", "start": 28.5, "end": 29.5, "text": "没有了。"},
    {"speaker": "agent", "start": 30.0, "end": 32.0, "text": "感谢您的来电，再见！"},
]}


def _partitions(tmp_path):
    files = []
    for part in range(3):
        lines = []
        for i in range(12):
            call = json.loads(json.dumps(CALL, ensure_ascii=False))
            call["call_id"] = f"p{part}c{i}"
            if i % 4 == 0:
                call["segments"][3]["text"] = "你再说一遍，我没听清。"
            lines.append(json.dumps(call, ensure_ascii=False))
        lines.insert(5, '{"call_id": "torn"')  # a bad line in every partition
        f = tmp_path / f"part-{part}.jsonl"
        f.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(f)
    return files


def test_dask_local_cluster_equals_the_local_run(tmp_path):
    files = _partitions(tmp_path)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        outputs = check_on_dask([str(tmp_path / "part-*.jsonl")], tmp_path / "out", client=client)
    assert len(outputs) == 3  # one output partition per input partition
    remote = read_reports(outputs)

    import io

    buf = io.StringIO()
    run(Checker.from_rulebook("default"), [str(f) for f in files], FORMATS["json"](buf))
    local = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert remote == local  # same reports, same order, same sources (file:line)
    assert sum(r["verdict"] == "error" for r in remote) == 3
    assert any(r["checks"]["forbidden_phrase"] == "fail" for r in remote)


def test_cli_engine_dask_writes_partitions(tmp_path):
    from typer.testing import CliRunner

    from scriptcheck.cli import app

    _partitions(tmp_path)
    out = tmp_path / "reports"
    r = CliRunner().invoke(app, ["check", str(tmp_path / "part-*.jsonl"), "--engine", "dask", "-f", "json",
                                 "-o", str(out)])
    assert r.exit_code == 1, r.output  # some calls fail, some lines are unreadable
    assert sorted(p.name for p in out.iterdir()) == ["0.jsonl", "1.jsonl", "2.jsonl"]
    assert len(read_reports(sorted(out.glob("*.jsonl")))) == 39
    bad = CliRunner().invoke(app, ["check", str(tmp_path / "part-*.jsonl"), "--engine", "dask"])
    assert bad.exit_code == 2  # needs --format json --output FOLDER
    mapped = CliRunner().invoke(app, ["check", str(tmp_path / "part-*.jsonl"), "--engine", "dask", "-f", "json",
                                      "-o", str(tmp_path / "other"), "--roles", "0=agent,1=customer"])
    assert mapped.exit_code == 2 and not (tmp_path / "other").exists()  # convert first


def test_dask_reads_parquet_partitions_like_the_local_run(tmp_path):
    """A data team's archive as Parquet (one row per call, segments a list of structs): the cluster
    run and a local run give the same reports; a row without segments is an error record."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    files = []
    for part in range(2):
        rows = []
        for i in range(10):
            call = json.loads(json.dumps(CALL, ensure_ascii=False))
            call["call_id"] = f"q{part}c{i}"
            call["started_at"] = "2026-11-20T09:00:00+08:00"
            if i % 3 == 0:
                call["segments"][3]["text"] = "你再说一遍，我没听清。"
            rows.append(call)
        rows[4] = {**rows[4], "segments": None}
        f = tmp_path / f"part-{part}.parquet"
        pq.write_table(pa.Table.from_pylist(rows), f)
        files.append(f)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        outputs = check_on_dask([str(tmp_path / "part-*.parquet")], tmp_path / "out", client=client)
    remote = read_reports(outputs)

    import io

    buf = io.StringIO()
    run(Checker.from_rulebook("default"), [str(f) for f in files], FORMATS["json"](buf))
    local = [json.loads(line) for line in buf.getvalue().splitlines()]
    assert remote == local
    assert [r["call_id"] for r in remote] == [f"q{p}c{i}" for p in range(2) for i in range(10)]
    errors = [r for r in remote if r["verdict"] == "error"]
    assert [r["source"] for r in errors] == [f"{files[0]}:5", f"{files[1]}:5"]
    taboo = {r["call_id"] for r in remote if r["checks"]["forbidden_phrase"] == "fail"}
    assert taboo == {f"q{p}c{i}" for p in range(2) for i in (0, 3, 6, 9)}
