"""`scriptcheck serve` end to end: a real server subprocess over a history filled by a real `check --db` run.

The HTTP tests (CSRF, Host header, escaping, exports) always run. The browser tests drive Debian's
headless Chromium with Playwright; they skip when either is missing, unless SCRIPTCHECK_REQUIRE_BROWSER=1
(CI), where a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from review_data import APPEALED, MIXED, RED, write_calls

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REQUIRE_BROWSER = os.environ.get("SCRIPTCHECK_REQUIRE_BROWSER") == "1"


def scriptcheck(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scriptcheck", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def checked_batch(folder: Path) -> Path:
    """calls.jsonl checked by the real CLI into folder/results.db."""
    write_calls(folder / "calls.jsonl")
    done = scriptcheck(folder, "check", "calls.jsonl", "--db", "results.db", "-j", "1", "-f", "json", "-o",
                       "out.jsonl")
    assert done.returncode == 1, done.stderr  # two calls fail
    return folder / "results.db"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[str]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def serve(request) -> Callable[..., Server]:
    """Start `scriptcheck serve` on a free port; every server started is killed when the test ends."""
    started: list[Server] = []

    def start(folder: Path, *args: str, port: int | None = None) -> Server:
        port = port or free_port()
        log = folder / f"serve-{len(started)}.log"  # a file, not a pipe: a chatty server never blocks on it
        with log.open("w", encoding="utf-8") as out:
            proc = subprocess.Popen([sys.executable, "-m", "scriptcheck", "serve", "--db", "results.db", "--port",
                                     str(port), *args], cwd=folder, stdout=out, stderr=subprocess.STDOUT, text=True)
        server = Server(f"http://127.0.0.1:{port}", proc)
        started.append(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"scriptcheck serve exited {proc.returncode}: {log.read_text(encoding='utf-8')}")
            try:
                with urllib.request.urlopen(server.url + "/", timeout=2):
                    return server
            except OSError:
                time.sleep(0.2)
        pytest.fail("scriptcheck serve did not answer within 30 s")

    def stop_all() -> None:
        for s in started:
            s.stop()

    request.addfinalizer(stop_all)
    return start


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url: str, fields: dict[str, str]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, data=data, method="POST"), timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8")


def call_rows(db: Path) -> dict[str, int]:
    import sqlite3

    c = sqlite3.connect(db)
    try:
        return {cid: row for row, cid in c.execute("SELECT id, call_id FROM calls")}
    finally:
        c.close()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


# ---- HTTP (no browser needed) --------------------------------------------------------------------------------------

def test_posts_need_the_csrf_token_of_this_server(tmp_path, serve):
    db = checked_batch(tmp_path)
    server = serve(tmp_path, "--user", "质检员王芳")
    row = call_rows(db)[MIXED["call_id"]]
    status, html = get(f"{server.url}/call/{row}")
    assert status == 200 and "forbidden.shirk.not_my_job · 服务忌语" in html
    assert 'name="reviewer" value="质检员王芳"' in html  # --user prefills the name (still editable)
    key = re.search(r'data-rule="forbidden.shirk.not_my_job"[\s\S]*?name="finding_key" value="([0-9a-f]+)"', html)
    assert key
    fields = {"finding_key": key.group(1), "decision": "reject", "reviewer": "王芳", "comment": "误报"}
    assert post(f"{server.url}/call/{row}/review", fields)[0] == 403
    assert post(f"{server.url}/call/{row}/review", {**fields, "csrf": "forged"})[0] == 403
    status, page = post(f"{server.url}/call/{row}/appeal", {"reason": "不服", "filed_by": "B301"})
    assert status == 403 and "令牌" in page
    assert "已驳回" not in get(f"{server.url}/call/{row}")[1]  # nothing was stored
    assert post(f"{server.url}/call/{row}/review", {**fields, "csrf": csrf_of(html)})[0] == 303
    assert "已驳回" in get(f"{server.url}/call/{row}")[1]
    # a token from another server process is refused: a stale page cannot replay into a restarted server
    other = serve(tmp_path)
    assert post(f"{other.url}/call/{row}/review", {**fields, "csrf": csrf_of(html)})[0] == 403
    # bad input is a 400 page naming the problem, not a crash
    status, page = post(f"{server.url}/call/{row}/review", {**fields, "reviewer": " ", "csrf": csrf_of(html)})
    assert status == 400 and "name is required" in page


def test_loopback_only_and_pages_escape_the_transcript(tmp_path, serve):
    db = checked_batch(tmp_path)
    server = serve(tmp_path, "--lang", "en")
    assert server.url.startswith("http://127.0.0.1:")
    assert get(server.url + "/", {"Host": "attacker.example"})[0] == 400  # DNS rebinding: foreign Host refused
    status, html = get(f"{server.url}/call/{call_rows(db)[APPEALED['call_id']]}")
    assert status == 200
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html and "<script>" not in html
    assert "Transcript" in html and "Reject (false alarm)" in html  # --lang en
    assert "forbidden.shirk.not_my_job · Taboo phrases" in html  # check names from the run's rulebook
    with urllib.request.urlopen(server.url + "/", timeout=10) as r:  # no script may run, no framing
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert get(f"{server.url}/call/99999")[0] == 404


def test_serve_refuses_a_missing_database_and_a_busy_port(tmp_path):
    done = scriptcheck(tmp_path, "serve", "--db", "nothing.db", "--port", str(free_port()))
    assert done.returncode == 2 and "nothing.db" in done.stderr
    checked_batch(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = scriptcheck(tmp_path, "serve", "--db", "results.db", "--port", str(busy.getsockname()[1]))
    assert done.returncode == 2 and "could not listen" in done.stderr


# ---- the browser ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "the playwright package is not installed"
    if missing is None and not Path(CHROMIUM).exists():
        missing = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if missing:
        if REQUIRE_BROWSER:
            pytest.fail(f"SCRIPTCHECK_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    context.set_default_timeout(15000)
    pg = context.new_page()
    pg.dialogs = []  # any alert() would mean transcript text ran as script
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def finding(pg, rule: str):
    return pg.locator(f'.finding[data-rule="{rule}"]')


def decide(pg, rule: str, decision: str, who: str, comment: str) -> None:
    box = finding(pg, rule)
    form = box.locator("form.review-form")
    form.locator('textarea[name="comment"]').fill(comment)
    form.locator('input[name="reviewer"]').fill(who)
    form.locator(f"button.{decision}").click()
    pg.wait_for_load_state()


def precision_table(pg, url: str) -> dict[str, tuple[int, int, str]]:
    pg.goto(url + "/precision")
    out = {}
    for tr in pg.locator("#precision tbody tr").all():
        out[tr.get_attribute("data-rule")] = (int(tr.locator(".confirmed").inner_text()),
                                              int(tr.locator(".rejected").inner_text()),
                                              tr.locator(".precision").inner_text())
    return out


def test_review_flow_in_the_browser(tmp_path, serve, page):
    db = checked_batch(tmp_path)
    server = serve(tmp_path)
    rows = call_rows(db)
    pg = page

    # the list, filtered to the failing calls
    pg.goto(server.url + "/")
    assert pg.locator("#calls tbody tr").count() == 4
    pg.select_option('select[name="verdict"]', "fail")
    pg.click("form.filters button")
    assert sorted(pg.locator("#calls tbody tr").evaluate_all("rs => rs.map(r => r.dataset.call)")) == [
        MIXED["call_id"], RED["call_id"]]

    # reject the false alarm, confirm the real taboo: 75 (fail) → 85 (pass)
    pg.click(f"text={MIXED['call_id']}")
    assert pg.locator("#final-score").inner_text() == "75.0"
    assert "我也没办法" in pg.locator("#transcript mark").all_inner_texts()
    decide(pg, "forbidden.shirk.not_my_job", "reject", "质检员王芳", "致歉并给出上门时间，不算推诿")
    decide(pg, "forbidden.impatience.repeat", "confirm", "质检员王芳", "语气生硬")
    assert pg.locator("#final-score").inner_text() == "85.0"
    assert pg.locator("#final-verdict").inner_text() == "合格"
    assert pg.locator(".seg.cleared").evaluate_all("ss => ss.map(s => s.id)") == ["s-6"]  # the rejected utterance
    assert finding(pg, "forbidden.shirk.not_my_job").locator(".current-decision").inner_text() == "已驳回"
    assert finding(pg, "forbidden.impatience.repeat").locator(".current-decision").inner_text() == "已确认"
    assert "质检员王芳" in finding(pg, "forbidden.shirk.not_my_job").inner_text()
    # the name typed once is offered again (cookie), stored as given
    assert finding(pg, "closing.ask_more").locator('input[name="reviewer"]').input_value() == "质检员王芳"
    pg.goto(server.url + "/")
    row = pg.locator(f'tr[data-call="{MIXED["call_id"]}"]')
    assert (row.locator(".final-score").inner_text(), row.locator(".decided").inner_text()) == ("85.0", "2")

    # the agent appeals the other shirk finding, the inspector accepts: 90 → 100
    pg.goto(f"{server.url}/call/{rows[APPEALED['call_id']]}")
    box = finding(pg, "forbidden.shirk.not_my_job")
    box.locator("details.appeal-box summary").click()
    box.locator('form.file-appeal textarea[name="reason"]').fill("楼道公共管道按规定由物业维修，我是在告知责任方")
    box.locator('form.file-appeal input[name="filed_by"]').fill("B302")
    box.locator("form.file-appeal button").click()
    pg.wait_for_load_state()
    box = finding(pg, "forbidden.shirk.not_my_job")
    assert "待裁定" in box.locator(".appeal").inner_text()
    assert pg.locator("#final-score").inner_text() == "90.0"  # open: nothing changes yet
    form = box.locator("form.decide-appeal")
    form.locator('textarea[name="comment"]').fill("申诉成立，今后请使用规范转告话术")
    form.locator('input[name="decided_by"]').fill("组长李强")
    form.locator("button.accept").click()
    pg.wait_for_load_state()
    assert pg.locator("#final-score").inner_text() == "100.0"
    assert finding(pg, "forbidden.shirk.not_my_job").locator(".appeal-decision").inner_text() == "申诉成立"
    # transcript markup stayed text: shown literally, no script element, no alert
    assert "<script>alert('x')</script>" in pg.locator("#s-1 .text").inner_text()
    assert pg.locator("#transcript script").count() == 0 and pg.dialogs == []

    # the precision page, and review-stats in the terminal with the same numbers
    stats = precision_table(pg, server.url)
    assert stats["forbidden.shirk.not_my_job"] == (0, 2, "0.000")
    assert stats["forbidden.impatience.repeat"] == (1, 0, "1.000")
    todo = pg.locator('#todo tr[data-rule="forbidden.shirk.not_my_job"]').inner_text()
    assert "我也没办法" in todo and "不归我们管" in todo
    terminal = json.loads(scriptcheck(tmp_path, "review-stats", "--db", "results.db", "-f", "json").stdout)
    assert {r["rule"]: (r["confirmed"], r["rejected"], f"{r['precision']:.3f}") for r in terminal["rules"]} == stats

    # the export link downloads every decision
    with pg.expect_download() as dl:
        pg.click('a[href="/export.csv"]')
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    assert text.count("\n") == 1 + 3 and "致歉并给出上门时间" in text and "组长李强" in text

    # a stale page from before a restart is refused; decisions survive the restart
    pg.goto(f"{server.url}/call/{rows[RED['call_id']]}")
    server.stop()
    server = serve(tmp_path, port=int(server.url.rsplit(":", 1)[1]))  # the same address, a new process
    decide(pg, "redline.internal.disclose", "reject", "质检员王芳", "公开的停气通知")
    assert "令牌" in pg.inner_text("body")
    pg.goto(f"{server.url}/call/{rows[MIXED['call_id']]}")
    assert pg.locator("#final-score").inner_text() == "85.0"

    # a red line rejected on review lifts the zero
    pg.goto(f"{server.url}/call/{rows[RED['call_id']]}")
    assert pg.locator("#final-score").inner_text() == "0.0"
    decide(pg, "redline.internal.disclose", "reject", "质检员王芳", "公开的停气通知，不是内部信息")
    assert pg.locator("#final-score").inner_text() == "100.0"
    assert pg.locator("#final-verdict").inner_text() == "合格"

    # a second check of the same calls keeps every decision attached
    again = scriptcheck(tmp_path, "check", "calls.jsonl", "--db", "results.db", "-j", "1", "-f", "json", "-o",
                        "out2.jsonl")
    assert again.returncode == 1, again.stderr
    assert call_rows(db) == rows  # same calls, same rulebook: the rows are replaced in place
    pg.goto(server.url + "/?reviewed=yes")
    assert sorted(pg.locator("#calls tbody tr").evaluate_all("rs => rs.map(r => r.dataset.call)")) == [
        RED["call_id"], APPEALED["call_id"]]
    pg.goto(f"{server.url}/call/{rows[MIXED['call_id']]}")
    assert pg.locator("#final-score").inner_text() == "85.0"
    assert precision_table(pg, server.url)["forbidden.shirk.not_my_job"] == (0, 2, "0.000")


def test_a_browser_post_without_the_token_is_refused(tmp_path, serve, page):
    db = checked_batch(tmp_path)
    server = serve(tmp_path)
    row = call_rows(db)[MIXED["call_id"]]
    page.goto(f"{server.url}/call/{row}")
    page.evaluate("document.querySelectorAll('input[name=csrf]').forEach(i => i.remove())")
    decide(page, "forbidden.shirk.not_my_job", "reject", "王芳", "无令牌")
    assert "令牌" in page.inner_text("#error-message")
    page.goto(f"{server.url}/call/{row}")
    assert page.locator("#final-score").inner_text() == "75.0"
    response = page.request.post(f"{server.url}/call/{row}/appeal", form={"reason": "不服", "filed_by": "B301"})
    assert response.status == 403
