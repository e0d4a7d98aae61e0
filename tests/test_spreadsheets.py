"""CSV (UTF-8 with BOM, for Excel) and Excel workbooks are plug-in formats of `scriptcheck check`."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from scriptcheck.cli import app
from scriptcheck.report import FORMATS

REPO = Path(__file__).resolve().parents[1]


def _run(*args: str):
    cwd = os.getcwd()
    os.chdir(REPO / "tests")
    try:
        return CliRunner().invoke(app, ["check", str(REPO / "samples"), *args])
    finally:
        os.chdir(cwd)


def test_formats_are_registered_plug_ins():
    assert {"text", "json", "csv", "xlsx"} <= set(FORMATS)


def test_csv_has_a_bom_chinese_headers_and_one_row_per_call(tmp_path):
    out = tmp_path / "r.csv"
    r = _run("-f", "csv", "-o", str(out))
    assert r.exit_code == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8 Chinese
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["通话编号", "坐席", "得分", "结论"]
    by_id = {row[0]: row for row in rows[1:]}
    assert len(by_id) == 7
    assert by_id["sample_redline"][4] == "Y" and "高压线:辱骂" in by_id["sample_redline"][5]
    assert by_id["sample_clean"][3] == "合格"


def test_xlsx_has_calls_findings_and_summaries(tmp_path):
    out = tmp_path / "r.xlsx"
    r = _run("-f", "xlsx", "-o", str(out), "--lang", "en")
    assert r.exit_code == 1, r.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["calls", "findings", "agents", "checks"]
    calls = [[c.value for c in row] for row in wb["calls"].iter_rows()]
    assert calls[0][0] == "call id" and len(calls) == 8
    findings = [[c.value for c in row] for row in wb["findings"].iter_rows(min_row=2)]
    taboo = [f for f in findings if f[3] == "forbidden.impatience.repeat"]
    assert taboo and taboo[0][8] == "你再说一遍"  # the original words
    checks = {row[0].value: row[1].value for row in wb["checks"].iter_rows(min_row=2)}
    assert checks["Taboo phrases"] >= 2


def test_summary_per_agent_check_and_day(tmp_path):
    out = tmp_path / "r.jsonl"
    assert _run("-f", "json", "-o", str(out)).exit_code == 1
    with out.open("a", encoding="utf-8") as f:
        f.write("not a report\n")
    by_agent = CliRunner().invoke(app, ["summary", str(out), "--by", "agent", "-f", "json"])
    assert by_agent.exit_code == 0
    rows = {r["agent"]: r for r in json.loads(by_agent.stdout[by_agent.stdout.index("["):])}
    assert rows["A2003"]["red_lines"] == 1 and rows["A2003"]["mean_score"] == 0.0
    assert rows["A2001"]["passed"] == 1
    by_check = CliRunner().invoke(app, ["summary", str(out), "--by", "check", "-f", "csv"])
    assert by_check.stdout.startswith("\ufeffcheck,fail,pass,n/a,fail_rate")
    assert "forbidden_phrase,3," in by_check.stdout
    assert "not a scriptcheck report" in by_agent.output  # a bad line is named, not dropped silently
