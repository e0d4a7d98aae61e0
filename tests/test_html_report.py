"""``--format html`` without a browser: structure, counts equal to the JSON report, exact highlights,
escaping, masking, labels in both languages, and that other formats never pay for it."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from html_report_helpers import Page, make_call, render, team_batch, write_jsonl
from typer.testing import CliRunner

from scriptcheck.cli import app
from scriptcheck.engine import Checker

REPO = Path(__file__).resolve().parents[1]
XSS = "<script>alert(1)</script>"


def _cli(*args: str):
    cwd = os.getcwd()
    os.chdir(REPO / "tests")  # no scriptcheck.yaml above: the default rulebook
    try:
        return CliRunner().invoke(app, ["check", *args])
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """The samples/ batch as HTML and as JSON Lines, from the same CLI."""
    d = tmp_path_factory.mktemp("samples")
    html, js = d / "r.html", d / "r.jsonl"
    assert _cli(str(REPO / "samples"), "-f", "html", "-o", str(html)).exit_code == 1
    assert _cli(str(REPO / "samples"), "-f", "json", "-o", str(js)).exit_code == 1
    reports = [json.loads(line) for line in js.read_text(encoding="utf-8").splitlines()]
    return html.read_text(encoding="utf-8"), reports


def test_html_is_a_registered_format():
    from scriptcheck.report import FORMATS

    assert FORMATS["html"].needs_transcript is True
    assert not any(f.needs_transcript for name, f in FORMATS.items() if name != "html")


def test_one_article_per_call_with_the_json_verdicts_and_counts(samples):
    html, reports = samples
    page = Page(html)
    calls = page.by_class("call", "article")
    assert [c["attrs"]["data-verdict"] for c in calls] == [r["verdict"] for r in reports]
    assert [c["attrs"]["data-agent"] for c in calls] == [r["agent_id"] or "-" for r in reports]
    assert [c["attrs"]["data-redline"] for c in calls] == [str(int(r["red_line"])) for r in reports]
    for art, r in zip(calls, reports, strict=True):
        cid = art["attrs"]["id"]
        cards = [e for e in page.by_class("finding", "div") if e["attrs"]["id"].startswith(cid + "-")]
        assert len(cards) == len(r["findings"]) + len(r["advice"]), r["call_id"]
        assert len([c for c in cards if "k-advice" not in c["classes"]]) == len(r["findings"])
        assert r["call_id"] in art["text"]
    kpi = {e["attrs"]["data-kpi"]: e["text"] for e in page.by_class("kpi")}
    assert kpi["calls"].startswith(str(len(reports)))
    assert kpi["passed"].startswith(str(sum(r["verdict"] == "pass" for r in reports)))
    assert kpi["failed"].startswith(str(sum(r["verdict"] == "fail" for r in reports)))
    assert kpi["red_lines"].startswith(str(sum(r["red_line"] for r in reports)))
    agent_rows = page.by_class("agent-link")
    assert sorted(a["attrs"]["data-agent"] for a in agent_rows) == sorted({r["agent_id"] or "-" for r in reports})


def test_every_finding_is_highlighted_on_its_exact_characters(samples):
    """The marks of a finding join to exactly the evidence the JSON report quotes (its ``matched``)."""
    html, reports = samples
    page = Page(html)
    calls = page.by_class("call", "article")
    checked = 0
    for art, r in zip(calls, reports, strict=True):
        cid = art["attrs"]["id"]
        for i, f in enumerate([*r["findings"], *r["advice"]]):
            fid = f"{cid}-f{i}"
            marks = [m for m in page.by_class("hl", "mark") if fid in m["attrs"].get("data-f", "").split()]
            assert "".join(m["text"] for m in marks) == f["matched"], (r["call_id"], f["rule"])
            utt = page.by_id(f"{cid}-s{f['segment']}")
            assert f["matched"] in utt["text"] and "flagged" in utt["classes"]
            checked += 1
    assert checked >= 8
    # the customer's curses in sample_redline are never marked (only the agent is judged)
    redline = next(c for c in calls if c["attrs"]["data-verdict"] == "fail" and c["attrs"]["data-redline"] == "1")
    marked = "".join(m["text"] for m in page.by_class("hl", "mark")
                     if m["attrs"].get("data-f", "").startswith(redline["attrs"]["id"] + "-"))
    assert "你有病吧" in marked and "他妈的" not in marked and "骗子" not in marked
    red = [m for m in page.by_class("hl", "mark") if "k-redline" in m["classes"]]
    assert {m["text"] for m in red} >= {"你有病吧", "您怎么还是听不明白"}


def test_stage_bands_follow_the_engine(samples):
    html, _ = samples
    page = Page(html)
    bands = [e for e in page.by_class("band") if e["tag"] == "div"]
    stages = {c.split("-", 1)[1] for b in bands for c in b["classes"] if c.startswith("st-")}
    assert stages == {"greeting", "service", "hold", "closing"}
    clean = page.by_id("c4")  # sample_clean: an announced, thanked hold
    assert "等待" in clean["text"] and "静默 15.3 秒" in clean["text"]


def test_overview_charts_are_inline_svg_drawn_by_matplotlib(samples):
    html, _ = samples
    assert html.count("<svg") == 2 and "<img" not in html
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        assert "<metadata>" not in svg and "<?xml" not in svg
        assert "<path" in svg  # drawn bars, not an empty frame
    # no external resource of any kind: only XML namespace names mention http
    assert set(re.findall(r"https?://[^\"' )]+", html)) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "<link" not in html and "@import" not in html and "url(" not in html.replace("url(#", "")


def test_content_security_policy_allows_only_the_page_script_and_no_network(samples):
    html, _ = samples
    page = Page(html)
    csp = next(e["attrs"]["content"] for e in page.elements
               if e["attrs"].get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    (script,) = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp


def test_transcript_text_is_escaped_everywhere():
    call = make_call("xss<b>1</b>", 'A9"><img src=x onerror=alert(2)>', "polite",
                     extra=[("customer", f"我把{XSS}这段复制进了备注，然后页面就乱了"),
                            ("agent", f"您说的是{XSS}吗？你听不懂吗？这个要找技术部门。")])
    html, reports = render([call])
    assert reports[0].findings, "the taboo must be found, so that a highlight wraps escaped text"
    assert XSS not in html and "<img src=x" not in html and "<b>1</b>" not in html
    assert html.count("<script>") == 1  # the page's own script only
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # both utterances (and any quote of them)
    page = Page(html)
    texts = [e["text"] for e in page.by_class("utt-text")]
    assert any(XSS in t for t in texts)  # shown to the reader as the characters it is
    assert page.by_class("call", "article")[0]["attrs"]["data-agent"] == 'A9"><img src=x onerror=alert(2)>'


def test_chart_labels_are_escaped_and_never_mathtext():
    from scriptcheck.report.html import Charts

    svg = Charts("en", {"odd": f"{XSS} $x^2$ & co"}).check_rates([("odd", 0.5), ("greeting", 0.0)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "$x^2$ &amp; co" in svg
    zh = Charts("zh", {"greeting": "开场问候"})
    if zh.cjk:  # a Chinese font is installed: the labels are the rulebook's Chinese ones
        assert "开场问候" in zh.check_rates([("greeting", 0.5)])


PHONE_CALL = [("customer", "我的手机号是13812345678，你们之前一直打不通。"),
              ("agent", "好的，我记下了，您的手机号13812345678，稍后会有工程师联系您。")]


def test_personal_numbers_masked_by_default_and_shown_with_show_pii():
    call = make_call("pii-01", "A1001", "polite", extra=PHONE_CALL)
    masked, _ = render([call])
    assert "13812345678" not in masked
    assert masked.count("138****5678") >= 2  # both utterances (and any finding quoting them)
    assert "已脱敏" in masked and "未脱敏" not in masked
    shown, reports = render([call], mask_pii=False)
    assert shown.count("13812345678") >= 2 and "138****5678" not in shown
    assert reports[0].pii_masked is False and "未脱敏" in shown


def test_show_pii_through_the_cli(tmp_path):
    src = write_jsonl(tmp_path / "pii.jsonl", [make_call("pii-02", "A1001", "polite", extra=PHONE_CALL)])
    out = tmp_path / "r.html"
    assert _cli(str(src), "-f", "html", "-o", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert "138****5678" in text and "13812345678" not in text
    assert _cli(str(src), "-f", "html", "-o", str(out), "--show-pii").exit_code == 0
    assert "13812345678" in out.read_text(encoding="utf-8")


def test_chinese_labels_by_default_english_with_lang_en():
    zh, _ = render(team_batch())
    en, _ = render(team_batch(), lang="en")
    for word in ("通话质检报告", "得分分布", "各检查项不合格率", "坐席指标", "全部坐席", "开场", "结束", "服务忌语",
                 "建议"):
        assert word in zh, word
    for word in ("Call QA report", "Score distribution", "Failure rate per check", "Per agent", "all agents",
                 "greeting", "closing", "taboo", "suggestion"):
        assert word.lower() in en.lower(), word
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    for word in ("通话质检报告", "全部坐席", "得分分布"):
        assert word not in en


def test_filters_and_agent_table_cover_the_batch():
    html, reports = render(team_batch())
    page = Page(html)
    agents = [o["attrs"]["value"] for o in page.elements if o["tag"] == "option" and o["attrs"].get("value")
              and o in _children(page, "f-agent")]
    assert agents == ["-", "A1001", "A1002", "A1003"]
    rows = {a["attrs"]["data-agent"]: a for a in page.by_class("agent-link")}
    assert set(rows) == {"-", "A1001", "A1002", "A1003"}
    table = page.by_class("agents", "table")[0]["text"]
    assert "A1003" in table and "67%" in table  # A1003: 2 of its 3 calls fail (a red line and a taboo)
    by_agent = {r.agent_id or "-": [] for r in reports}
    for r in reports:
        by_agent[r.agent_id or "-"].append(r.verdict)
    assert by_agent["A1002"].count("fail") == 2


def _children(page: Page, select_id: str) -> list[dict]:
    i = page.elements.index(page.by_id(select_id))
    out = []
    for e in page.elements[i + 1:]:
        if e["tag"] != "option":
            break
        out.append(e)
    return out


def test_reports_without_transcript_still_show_every_finding_with_its_words():
    """A caller of the API that did not ask for transcripts still gets a usable page: each card quotes
    its utterance with the evidence marked, and the index jumps to the card."""
    import io

    from scriptcheck.report import FORMATS, Summary

    checker = Checker.from_rulebook("default")  # transcript=False
    report = checker.check(make_call("plain-01", "A1002", "taboo"))
    out, summary = io.StringIO(), Summary()
    fmt = FORMATS["html"](out, checks=checker.rulebook.checks)
    fmt.start()
    summary.add(report)
    fmt.call(report)
    fmt.finish(summary)
    page = Page(out.getvalue())
    assert not page.by_class("transcript")
    cards = page.by_class("finding", "div")
    assert len(cards) == len(report.findings) == 2
    assert [m["text"] for m in page.by_class("hl", "mark") if m["attrs"].get("data-f")] == [
        f.matched for f in report.findings]
    assert [a["attrs"]["data-jump"] for a in page.by_class("jump")] == [c["attrs"]["id"] for c in cards]


def test_a_read_error_is_shown_not_lost(tmp_path):
    src = tmp_path / "mixed.jsonl"
    write_jsonl(src, [make_call("ok-01", "A1001", "polite")])
    with src.open("a", encoding="utf-8") as f:
        f.write('{"call_id": "broken-02", "segments": [{"speaker": "agent", "text": \n')
    out = tmp_path / "r.html"
    assert _cli(str(src), "-f", "html", "-o", str(out)).exit_code == 1
    page = Page(out.read_text(encoding="utf-8"))
    verdicts = [c["attrs"]["data-verdict"] for c in page.by_class("call", "article")]
    assert verdicts == ["pass", "error"]
    assert "mixed.jsonl" in page.by_class("input-errors")[0]["text"]


def test_other_formats_never_import_matplotlib_nor_carry_transcripts(tmp_path):
    code = ("import sys\nfrom scriptcheck.cli import app\n"
            "try:\n    app(['check', sys.argv[1], '-f', 'json', '-o', sys.argv[2]])\nexcept SystemExit:\n    pass\n"
            "print('matplotlib' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code, str(REPO / "samples"), str(tmp_path / "r.jsonl")],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.stdout.strip().splitlines()[-1] == "False", r.stderr
    report = Checker.from_rulebook("default").check(make_call("t", "A1", "polite"))
    assert report._transcript is None
    line = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert "transcript" not in line and all("span" not in f and "red_line" not in f for f in line["findings"])


def test_calls_stream_to_a_temporary_file_not_memory():
    """The formatter keeps a few numbers per call; the rendered calls wait on disk until finish()."""
    import io

    from scriptcheck.report import FORMATS, Summary

    checker = Checker.from_rulebook("default", transcript=True)
    fmt = FORMATS["html"](io.StringIO(), checks=checker.rulebook.checks)
    fmt.start()
    sizes = []
    summary = Summary()
    for n in range(3):
        r = checker.check(make_call(f"s{n}", "A1002", "taboo"))
        summary.add(r)
        fmt.call(r)
        sizes.append(fmt.body.tell())
    assert 0 < sizes[0] < sizes[1] < sizes[2]
    assert not any(isinstance(v, list) and v and hasattr(v[0], "call_id") for v in vars(fmt).values())
    fmt.finish(summary)
    assert fmt.body.closed
    assert fmt.stream.getvalue().count('<article class="call') == 3


def test_without_a_chinese_font_chart_labels_stay_ascii_and_quiet(monkeypatch, recwarn, caplog):
    """On a machine with no CJK font matplotlib would draw boxes and warn: the charts use check ids."""
    from scriptcheck.report import html as html_format

    monkeypatch.setattr(html_format, "CJK_FONTS", ())
    charts = html_format.Charts("zh", {"greeting": "开场问候", "redline_abuse": "高压线:辱骂"})
    svg = charts.check_rates([("greeting", 0.25), ("redline_abuse", 0.5)])
    svg += charts.histogram({"pass": html_format.array("d", [95.0]), "fail": html_format.array("d", [70.0]),
                             "red_line": html_format.array("d", [0.0])})
    assert "greeting" in svg and "redline_abuse" in svg and "score" in svg
    assert not re.search(r"[\u4e00-\u9fff]", svg)
    assert not [w for w in recwarn if "Glyph" in str(w.message)]
    assert "Glyph" not in caplog.text and "findfont" not in caplog.text
