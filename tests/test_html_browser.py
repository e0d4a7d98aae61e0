"""The HTML report in a real headless Chromium (Debian's ``chromium`` driven by Playwright).

Every test fails on a JavaScript error (uncaught or logged to the console), on any network request
other than the report file itself, and on any dialog. Skipped when Chromium or Playwright is missing,
unless ``SCRIPTCHECK_REQUIRE_BROWSER=1`` (CI), where their absence is a failure.
Set ``SCRIPTCHECK_SCREENSHOT=PATH`` to also save the samples/ screenshot there (docs/report.png).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from html_report_helpers import make_call, team_batch, write_jsonl
from typer.testing import CliRunner

from scriptcheck.cli import app

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
XSS = "<script>alert(1)</script>"


def _missing(reason: str) -> None:
    if os.environ.get("SCRIPTCHECK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SCRIPTCHECK_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watched:
    """A page opened on a report file, recording everything that must not happen."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.problems.append(
            f"console {m.type}: {m.text}"))
        self.page.on("request", lambda r: r.url != self.url and self.problems.append(f"request: {r.url}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        self.page.wait_for_load_state("load")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visible_calls(self, attr: str | None = None) -> list[str]:
        """Ids (or a data attribute) of the calls actually displayed."""
        value = f"e.dataset.{attr}" if attr else "e.id"
        return self.page.locator("article.call").evaluate_all(
            f"els => els.filter(e => !e.hidden && e.offsetParent !== null).map(e => {value})")

    def assert_clean(self) -> None:
        assert self.problems == [], self.problems
        assert self.dialogs == [], self.dialogs


@pytest.fixture
def open_report(browser) -> Iterator:
    opened: list[Watched] = []

    def _open(path: Path) -> Watched:
        w = Watched(browser, path)
        opened.append(w)
        return w

    yield _open
    for w in opened:
        w.page.close()
        w.assert_clean()


def _check(*args: str, cwd: Path = REPO / "tests") -> None:
    """``scriptcheck check ARGS`` run from ``cwd`` (the tests folder: no company rulebook above it)."""
    here = os.getcwd()
    os.chdir(cwd)
    try:
        r = CliRunner().invoke(app, ["check", *args])
    finally:
        os.chdir(here)
    assert r.exit_code in (0, 1), r.output


def _select(w: Watched, select: str, value: str) -> None:
    w.page.select_option(select, value)


def test_samples_report_filters_and_shows_a_clicked_finding(open_report, tmp_path):
    out = tmp_path / "samples.html"
    _check("samples", "-f", "html", "-o", str(out), cwd=REPO)  # sources read "samples/…" in the screenshot
    w = open_report(out)
    page = w.page

    def ids() -> list[str]:
        return [page.locator(f"#{i} .cid").inner_text() for i in w.visible_calls()]

    assert len(ids()) == 7
    assert page.locator("#f-count").inner_text() == "7"

    _select(w, "#f-agent", "A2003")  # only that agent's calls remain visible
    assert ids() == ["sample_redline"]
    assert page.locator("#f-count").inner_text() == "1"
    assert not page.locator("article.call", has_text="sample_taboo").is_visible()
    _select(w, "#f-agent", "")

    _select(w, "#f-verdict", "pass")
    assert sorted(ids()) == ["plain_call", "sample_clean", "sample_hold_good", "sample_traditional"]
    _select(w, "#f-verdict", "red_line")
    assert ids() == ["sample_redline"]
    _select(w, "#f-verdict", "fail")
    assert sorted(ids()) == ["sample_hold_bad", "sample_redline", "sample_taboo"]
    _select(w, "#f-verdict", "")

    _select(w, "#f-check", "interruption")
    assert ids() == ["sample_hold_bad"]
    _select(w, "#f-check", "forbidden_phrase")
    assert sorted(ids()) == ["sample_redline", "sample_taboo", "sample_traditional"]
    _select(w, "#f-check", "")
    assert len(ids()) == 7

    # collapse everything, open one call, click its surname-leak finding: the utterance is shown and marked
    page.click("#collapse-all")
    call = page.locator("article.call", has_text="sample_hold_bad")
    assert not call.locator(".transcript").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    call.locator("summary").click()
    link = call.locator("a.jump", has_text="我姓王")
    link.click()
    utt = page.locator(".utt.focus")
    assert utt.count() == 1
    assert "我姓王" in utt.locator(".utt-text").inner_text()
    assert utt.locator("mark.hl.focus").inner_text() == "我姓王"
    assert utt.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight }")
    card = page.locator(".finding.focus")
    assert card.is_visible() and "工号" in card.inner_text()  # the suggestion: give the staff number

    # a click on a mark in the transcript focuses that finding's card
    red = page.locator("article.call", has_text="sample_redline")
    if not red.locator(".transcript").is_visible():
        red.locator("summary").click()
    red.locator("mark.k-redline", has_text="你有病吧").click()
    assert "辱骂" in page.locator(".finding.focus").inner_text()

    page.click("#expand-all")
    page.set_viewport_size({"width": 1400, "height": 1750})  # the overview and the first call
    page.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    if os.environ.get("SCRIPTCHECK_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["SCRIPTCHECK_SCREENSHOT"])
    w.assert_clean()


def test_team_batch_filters_by_agent_and_sorts_agents_by_score(open_report, tmp_path):
    src = write_jsonl(tmp_path / "team.jsonl", team_batch())
    out = tmp_path / "team.html"
    _check(str(src), "-f", "html", "-o", str(out))
    w = open_report(out)
    page = w.page
    assert len(w.visible_calls()) == 11

    _select(w, "#f-agent", "A1002")
    assert w.visible_calls("agent") == ["A1002"] * 4
    _select(w, "#f-verdict", "fail")
    assert w.visible_calls("agent") == ["A1002"] * 2
    _select(w, "#f-agent", "")
    _select(w, "#f-verdict", "")
    _select(w, "#f-check", "forbidden_phrase")  # findings of other checks are dimmed, the calls filtered
    assert sorted(w.visible_calls("agent")) == ["A1002", "A1002", "A1003"]
    _select(w, "#f-check", "redline_abuse")
    assert w.visible_calls("agent") == ["A1003"]
    _select(w, "#f-check", "")
    _select(w, "#f-agent", "-")  # a call without an agent id is still reachable
    assert w.visible_calls("agent") == ["-"]
    _select(w, "#f-agent", "")

    first = lambda: page.locator("table.agents tbody tr").first.locator("td").first.inner_text()  # noqa: E731
    head = page.locator("table.agents th", has_text="平均分")
    head.click()
    assert first() == "A1003"  # lowest mean score first (a red line scores 0)
    assert head.get_attribute("aria-sort") == "ascending"
    head.click()
    assert first() in ("-", "A1001") and head.get_attribute("aria-sort") == "descending"
    scores = page.locator("table.agents tbody tr td:nth-child(3)").all_inner_texts()
    assert [float(s) for s in scores] == sorted((float(s) for s in scores), reverse=True)

    page.locator("table.agents .agent-link", has_text="A1003").click()  # a row filters the calls to its agent
    assert page.locator("#f-agent").input_value() == "A1003"
    assert w.visible_calls("agent") == ["A1003"] * 3
    w.assert_clean()


def test_script_in_a_transcript_renders_as_text_and_never_runs(open_report, tmp_path):
    calls = [make_call("xss-01", '"><img src=x onerror=alert(2)>', "taboo",
                       extra=[("customer", f"我在备注里写了{XSS}，你们系统会不会出问题？"),
                              ("agent", f"您说的{XSS}只是文字，你听不懂吗？不会有影响的。")])]
    src = write_jsonl(tmp_path / "xss.jsonl", calls)
    out = tmp_path / "xss.html"
    _check(str(src), "-f", "html", "-o", str(out))
    w = open_report(out)
    page = w.page
    texts = page.locator(".utt-text").all_inner_texts()
    assert sum(XSS in t for t in texts) == 2
    assert page.locator(".utt-text script").count() == 0 and page.locator("img").count() == 0
    marked = page.locator(".utt-text mark.hl").all_inner_texts()
    assert "你听不懂吗" in marked  # the highlight still wraps the escaped text correctly
    _select(w, "#f-agent", '"><img src=x onerror=alert(2)>')
    assert len(w.visible_calls()) == 1
    page.wait_for_timeout(200)  # give any stray script a chance to fire
    assert w.dialogs == []
    w.assert_clean()


def test_a_missing_browser_skips_here_but_fails_where_it_is_required(monkeypatch):
    monkeypatch.delenv("SCRIPTCHECK_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _missing("no browser")
    monkeypatch.setenv("SCRIPTCHECK_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception):
        _missing("no browser")
