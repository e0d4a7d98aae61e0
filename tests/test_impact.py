"""``scriptcheck diff OLD NEW CALLS...``: the impact of a rulebook edit on a set of calls."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import make_polite_call
from typer.testing import CliRunner

from scriptcheck.cli import app
from scriptcheck.engine import Checker
from scriptcheck.impact import compare, impact, render_text
from scriptcheck.readers import read_paths

REPO = Path(__file__).resolve().parents[1]
NEW_TABOO = "这事跟我没关系"

CALLS = {
    # the agent says the new taboo phrase: listed
    "said_plain": "客户：我家楼道的灯坏了一个星期了。\n坐席：这事跟我没关系，您找物业。",
    "said_with_filler": "客户：快递丢了你们管不管？\n坐席：嗯，这事，跟我没关系啊，您问快递员。",
    # 85 → 75 (it also lacks hold thanks after 你等一会): fails now
    "said_twice_taboo": "客户：我都打了三次电话了！\n坐席：你等一会。\n坐席：这事跟我没关系。",
    # near-misses: not listed
    "customer_says_it": "客户：这事跟我没关系，是我家人办的。\n坐席：好的，我帮您查一下是谁办理的。",
    "agent_quotes_it": "客户：上次那个客服说不归他管。\n坐席：实在抱歉，我们不能说“这事跟我没关系”，我来帮您处理。",
    "related_words": "客户：这和我的套餐有关系吗？\n坐席：这事跟您的套餐没有关系，是网络升级导致的。",
    "clean": "客户：我想查一下话费。\n坐席：好的，您本月话费是五十八元。",
    "old_taboo_only": "客户：能快点吗？\n坐席：你等一会。",
}


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> Path:
    """A copy of the default rulebook with one taboo phrase added to forbidden.shirk.not_my_job."""
    root = tmp_path_factory.mktemp("edited")
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "phrasebooks", root / "phrasebooks")
    rulebook = root / "rules" / "default.yaml"  # a copy outside the package reads ../phrasebooks explicitly
    rulebook.write_text(rulebook.read_text(encoding="utf-8") + "allow_outside: true\n", encoding="utf-8")
    taboo = root / "phrasebooks" / "taboo.yaml"
    text = taboo.read_text(encoding="utf-8")
    old = "phrases: [这不归我管, 不归我们管,"
    assert text.count(old) == 1
    taboo.write_text(text.replace(old, f"phrases: [{NEW_TABOO}, 这不归我管, 不归我们管,"), encoding="utf-8")
    return rulebook


@pytest.fixture(scope="module")
def calls_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("calls")
    for call_id, body in CALLS.items():
        (folder / f"{call_id}.txt").write_text(_transcript(body), encoding="utf-8")
    return folder


def _transcript(body: str) -> str:
    call = make_polite_call(body)
    return "\n".join(f"{'坐席' if s.speaker == 'agent' else '客户'}：{s.text}" for s in call.segments) + "\n"


def test_adding_one_taboo_lists_exactly_the_calls_where_the_agent_says_it(edited, calls_dir):
    r = CliRunner().invoke(app, ["diff", "default", str(edited), str(calls_dir), "-f", "json"])
    assert r.exit_code == 1, r.output
    data = json.loads(r.stdout)
    assert {c["call_id"] for c in data["calls"]} == {"said_plain", "said_with_filler", "said_twice_taboo"}
    assert data["summary"] == {"calls": 8, "changed": 3, "verdict_changed": 1, "red_line_changed": 0,
                               "unreadable": 0}
    assert data["rules"] == {"forbidden.shirk.not_my_job": {"added": 3, "removed": 0}}
    by_id = {c["call_id"]: c for c in data["calls"]}
    assert by_id["said_twice_taboo"]["verdict"] == ["pass", "fail"]
    assert by_id["said_twice_taboo"]["score"] == [85.0, 75.0]  # it already lacked hold etiquette
    assert by_id["said_plain"]["verdict"] == ["pass", "pass"] and by_id["said_plain"]["score"] == [100.0, 90.0]
    assert [f["matched"] for f in by_id["said_plain"]["added"]] == [NEW_TABOO]
    assert all(c["removed"] == [] for c in data["calls"])


def test_the_reverse_edit_removes_the_same_findings(edited, calls_dir):
    result = impact(Checker.from_rulebook(edited), Checker.from_rulebook("default"), read_paths([str(calls_dir)]))
    assert result.per_rule == {"forbidden.shirk.not_my_job": {"added": 0, "removed": 3}}
    text = render_text(result)
    assert "said_twice_taboo: verdict fail → pass, score 75 → 85" in text
    assert f"- forbidden.shirk.not_my_job (error, segment 2): 「{NEW_TABOO}」" in text
    assert text.rstrip().endswith("8 calls: 3 changed (1 verdicts, 0 red-line statuses)")


def test_same_rulebook_changes_nothing(calls_dir):
    r = CliRunner().invoke(app, ["diff", "default", "default", str(calls_dir)])
    assert r.exit_code == 0
    assert r.stdout.strip() == "8 calls: 0 changed (0 verdicts, 0 red-line statuses)"


def test_compare_sees_a_red_line_appear(checker):
    call = make_polite_call("客户：你们这什么破服务。\n坐席：神经病。")
    report = checker.check(call)
    quiet = report.model_copy(update={"red_line": False, "score": 100.0, "verdict": "pass", "findings": []})
    change = compare(quiet, report)
    assert change is not None and [f.rule for f in change.added] == ["redline.abuse.insult"]
    assert compare(report, report) is None


def test_bad_rulebook_or_no_calls_exit_2(tmp_path, calls_dir):
    assert CliRunner().invoke(app, ["diff", "default", str(tmp_path / "none.yaml"), str(calls_dir)]).exit_code == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert CliRunner().invoke(app, ["diff", "default", "default", str(empty)]).exit_code == 2
