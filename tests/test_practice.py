"""Practice mode: coaching trainees' scripts with the rulebook that scores real calls.

Every scenario of norms.md §2 has a model script (tests/data/practice/model/, must pass) and a flawed
one (tests/data/practice/flawed/, must get the coaching points listed in FLAWED). All scripts were
written for these tests: fictional companies, fictional customers.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from scriptcheck.cli import app
from scriptcheck.practice import STAGES, Coach, Coaching, parse_script, read_script
from scriptcheck.practice_fix import fix, fixed_path
from scriptcheck.practice_report import cheat_sheet, sarif
from scriptcheck.rulebook import load_rulebook

DATA = Path(__file__).resolve().parent / "data"
MODEL = DATA / "practice" / "model"
FLAWED = DATA / "practice" / "flawed"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

# The scenarios of norms.md §2, one per table row, in the rulebook's ids.
NORMS_SCENARIOS = ["opening", "silent_caller", "confirm", "hold", "repeat", "quiet_line", "long_queue", "cannot_answer",
                   "system_failure", "complaint", "suggestion", "agent_mistake", "customer_thanks", "customer_apology",
                   "harassment", "before_ending", "goodbye"]

CALLBACK = "很抱歉，您的问题需要核实一下，我们将在XX小时内与您联系。"
HARASSMENT = "请问您有业务问题需要咨询吗？如果没有，我这边需要挂机了，祝您生活愉快，再见！"

# scenario → the coaching points its flawed script must get:
#   ("gap", stage, rule, line, a recommended wording)  or  ("taboo", stage-free, rule, line, the replacement)
FLAWED_POINTS: dict[str, list[tuple[str, str, int | None, str]]] = {
    "opening": [("gap:greeting", "greeting.standard", 2, "您好，XX公司，很高兴为您服务，请问有什么可以帮您？"),
                ("taboo", "forbidden.opening.rude", 2, "您好，XX公司，很高兴为您服务，请问有什么可以帮您？")],
    "silent_caller": [("gap:service", "practice.silent_check", 2, "您好，您的电话已经拨通，您是否可以听到？"),
                      ("gap:farewell", "closing.farewell", 4, "感谢您的来电，祝您生活愉快，再见！"),
                      ("taboo", "forbidden.opening.rude", 2, "您好，XX公司，很高兴为您服务，请问有什么可以帮您？")],
    "confirm": [("gap:confirm", "practice.confirm_need", 4, "您的意思是XX，对吗？"),
                ("gap:service", "courtesy.confirm_details", 3, "请问您的手机号是136XXXX，对吗？")],
    "hold": [("gap:hold_notice", "hold.notify", 7, "好的，现在为您查询，请稍等。"),
             ("taboo", "forbidden.impatience.wait", 10, "好的，现在为您查询，请稍等。")],
    "repeat": [("gap:service", "practice.repeat_polite", 4, "很抱歉，刚才没听清楚，请您再说一遍好吗？"),
               ("taboo", "forbidden.impatience.repeat", 4, "很抱歉，刚才没听清楚，请您再说一遍好吗？")],
    "quiet_line": [("gap:service", "practice.quiet_line", 4, "对不起，请您大声一点，好吗？"),
                   ("gap:confirm", "practice.confirm_need", 4, "您的意思是XX，对吗？"),
                   ("taboo", "forbidden.impatience.repeat", 4, "很抱歉，刚才没听清楚，请您再说一遍好吗？")],
    "long_queue": [("gap:greeting", "greeting.standard", 2, "您好，XX公司，很高兴为您服务，请问有什么可以帮您？"),
                   ("gap:service", "practice.queue_apology", 2, "很抱歉，让您久等了，请问有什么可以帮您？")],
    "cannot_answer": [("gap:service", "practice.callback", 4, CALLBACK),
                      ("taboo", "forbidden.shirk.not_my_job", 6, CALLBACK)],
    "system_failure": [("gap:service", "practice.system_failure", 2,
                        "很抱歉，系统出现故障，请您留下联系方式，系统恢复后我会与您联系。")],
    "complaint": [("gap:service", "courtesy.complaint_apology", 4, "非常抱歉给您带来不便"),
                  ("gap:service", "practice.complaint_record", 4,
                   "您的问题我已经帮您记录，会反映至相关部门，两个工作日内与您联系，请您耐心等待。"),
                  ("taboo", "forbidden.shirk.not_my_job", 4, CALLBACK),
                  ("taboo", "forbidden.provoke.complain", 4,
                   "您的问题我已经帮您记录，会反映至相关部门，两个工作日内与您联系，请您耐心等待。"),
                  ("taboo", "forbidden.rebuke.attitude", 6, "非常抱歉，由于我的失误给您带来不便，请您谅解。")],
    "suggestion": [("gap:service", "practice.suggestion_thanks", 4, "感谢您的建议，我会帮您反映给相关部门。"),
                   ("taboo", "forbidden.suggestion.dismiss", 4, "感谢您的建议，我会帮您反映给相关部门。")],
    "agent_mistake": [("gap:service", "practice.mistake_apology", 4, "非常抱歉，由于我的失误给您带来不便，请您谅解。"),
                      ("taboo", "forbidden.blame.customer", 4, "很抱歉给您带来不便，我来帮您看看怎么处理。"),
                      ("taboo", "forbidden.rebuke.attitude", 6, "非常抱歉，由于我的失误给您带来不便，请您谅解。")],
    "customer_thanks": [("gap:service", "courtesy.thanks", 8, "不客气，这是我们应该做的。"),
                        ("gap:ask_more", "closing.ask_more", 8, "请问还有其他可以帮您的吗？"),
                        ("gap:farewell", "closing.farewell", 8, "感谢您的来电，祝您生活愉快，再见！")],
    "customer_apology": [("gap:service", "courtesy.apology", 6, "没关系，请不要介意。"),
                         ("taboo", "forbidden.rebuke.demand", 6, "请问您希望我们怎样为您处理？我尽力帮您解决。")],
    "harassment": [("gap:service", "courtesy.harassment", 4, "请问您有业务问题需要咨询吗？"),
                   ("taboo", "forbidden.harassment.rude", 4, HARASSMENT),
                   ("taboo", "redline.abuse.insult", 6, "请您冷静一下")],
    "before_ending": [("gap:ask_more", "closing.ask_more", 8, "请问还有其他可以帮您的吗？"),
                      ("taboo", "forbidden.closing.curt", 6, "请问还有其他可以帮您的吗？")],
    # Traditional script: the recommended wording comes back in Traditional characters
    "goodbye": [("gap:farewell", "closing.farewell", 8, "感謝您的來電，祝您生活愉快，再見！")],
}


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach(load_rulebook("default"))


def run(*args: str):
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})  # wide: table cells are not folded


def coached(coach: Coach, path: Path, scenario: str | None = None) -> Coaching:
    script = read_script(path)
    assert not isinstance(script, str), script
    return coach.coach(script, scenario)


def test_every_norms_scenario_is_in_the_rulebook_with_a_model_and_a_flawed_script(coach):
    assert list(coach.rb.scenarios) == NORMS_SCENARIOS
    assert sorted(p.stem for p in MODEL.glob("*.txt")) == sorted(NORMS_SCENARIOS)
    assert sorted(p.stem for p in FLAWED.glob("*.txt")) == sorted(NORMS_SCENARIOS) == sorted(FLAWED_POINTS)


@pytest.mark.parametrize("scenario", NORMS_SCENARIOS)
def test_model_script_passes(coach, scenario):
    r = coached(coach, MODEL / f"{scenario}.txt")
    assert r.scenario == scenario  # from the script's "# scenario:" line
    assert r.passed, (r.gaps, r.order, r.taboo, r.errors)
    assert not (r.gaps or r.order or r.taboo or r.errors)
    assert set(r.stages) == set(STAGES) and set(r.stages.values()) <= {"done", "n/a"}
    assert r.stages["greeting"] == "done"
    # what was done well is quoted from the trainee's own lines
    greeting = next(p for p in r.strengths if p.stage == "greeting")
    assert greeting.line == 2 and greeting.text and greeting.text in (MODEL / f"{scenario}.txt").read_text()
    # a scenario with a required response other than a flow stage names it among the strengths
    must = [rid for rid in coach.rb.scenarios[scenario].rules
            if coach.rb.rules[rid].kind not in ("forbidden", "redline", "pii")
            and rid not in {rule for rule, _ in STAGES.values()}]
    assert {p.rule for p in r.strengths} >= set(must)


@pytest.mark.parametrize("scenario", NORMS_SCENARIOS)
def test_flawed_script_gets_the_expected_coaching_points(coach, scenario):
    r = coached(coach, FLAWED / f"{scenario}.txt")
    assert r.scenario == scenario and not r.passed
    for what, rule, line, wording in FLAWED_POINTS[scenario]:
        if what == "taboo":
            found = [p for p in r.taboo if p.rule == rule and p.line == line]
            assert found, (rule, line, [(p.rule, p.line) for p in r.taboo])
            assert any(wording in (p.replacement or "") for p in found), [p.replacement for p in found]
            assert all(p.column and p.matched for p in found)
        else:
            stage = what.split(":")[1]
            found = [p for p in r.gaps if p.rule == rule and p.stage == stage and p.line == line]
            assert found, (rule, stage, line, [(p.rule, p.stage, p.line) for p in r.gaps])
            assert any(wording in w for w in found[0].recommended), found[0].recommended
            assert found[0].message  # the rulebook's message, in Chinese by default
    # taboo only where expected; stage gaps are listed in the call-flow's order
    expected_taboo = {(rule, line) for what, rule, line, _ in FLAWED_POINTS[scenario] if what == "taboo"}
    assert {(p.rule, p.line) for p in r.taboo} <= expected_taboo | {("forbidden.blame.customer", 6)}
    flow = ["greeting", "confirm", "service", "hold_notice", "hold_thanks", "hold", "ask_more", "farewell", "closing"]
    stages = [flow.index(p.stage) for p in r.gaps]
    assert stages == sorted(stages)


def test_red_line_taboo_is_marked(coach):
    r = coached(coach, FLAWED / "harassment.txt")
    insult = next(p for p in r.taboo if p.rule == "redline.abuse.insult")
    assert insult.status == "red_line" and insult.matched == "神经病" and (insult.line, insult.column) == (6, 4)
    assert {p.status for p in r.taboo if p.rule != "redline.abuse.insult"} == {"taboo"}


# --- stage order ---------------------------------------------------------------------------------

FAREWELL_FIRST = """坐席：感谢您的来电，再见！
坐席：您好，青柚宽带，很高兴为您服务，请问有什么可以帮您？
客户：我家宽带连不上了。
坐席：您的意思是家里宽带无法上网，对吗？
客户：对。
坐席：您所在小区在做线路维护，下午五点前恢复。请问还有其他可以帮您的吗？
客户：没有了。
"""


def test_farewell_before_greeting_is_out_of_order(coach, tmp_path):
    r = coach.coach(parse_script(FAREWELL_FIRST, tmp_path / "order.txt"))
    assert [(p.stage, p.line) for p in r.order] == [("farewell", 1)]
    assert r.order[0].message == "致谢道别(第1行)出现在开场问候(第2行)之前"
    assert "感谢您的来电，祝您生活愉快，再见！" in r.order[0].recommended
    assert r.stages["greeting"] == "done" and r.stages["farewell"] == "misplaced"
    assert not any(p.stage == "farewell" for p in r.gaps)  # reported once, as an order problem
    assert not r.passed
    en = Coach(coach.rb, lang="en").coach(parse_script(FAREWELL_FIRST, tmp_path / "order.txt"))
    assert en.order[0].message == "Farewell (line 1) comes before Greeting (line 2)"


def test_stages_in_order_report_no_order_problem(coach):
    for scenario in NORMS_SCENARIOS:
        assert not coached(coach, MODEL / f"{scenario}.txt").order


def test_ask_more_after_the_farewell_is_out_of_order(coach, tmp_path):
    text = ("您好，澄川燃气，很高兴为您服务，请问有什么可以帮您？\n您是想预约燃气安全检查，对吗？\n"
            "好的，已经为您预约明天上午。\n"
            "感谢您的来电，祝您生活愉快，再见！\n请问还有其他可以帮您的吗？\n")
    r = coach.coach(parse_script(text, tmp_path / "late.txt"))
    assert r.order and r.order[0].stage in ("ask_more", "farewell")
    assert {p.line for p in r.order} <= {4, 5}


# --- the trainee's lines only ----------------------------------------------------------------------

TRAINEE_FLAWED = """您好，青柚宽带，很高兴为您服务，请问有什么可以帮您？
好的，我帮您看一下宽带账号的状态。
让您久等了，您的宽带欠费停机了，续费后两小时内恢复。
请问还有其他可以帮您的吗？
感谢您的来电，祝您生活愉快，再见！
"""


def test_trainee_only_lines_are_all_the_agents(coach, tmp_path):
    script = parse_script(TRAINEE_FLAWED, tmp_path / "trainee.txt")
    assert script.trainee_only and {s.speaker for s in script.call.segments} == {"agent"}
    assert [s.line for s in script.call.segments] == [1, 2, 3, 4, 5] and set(script.columns) == {0}
    r = coach.coach(script)
    assert r.mode == "trainee"
    gaps = {(p.stage, p.rule) for p in r.gaps}
    # no confirmation, and a thanks for waiting the customer was never asked for
    assert ("confirm", "practice.confirm_need") in gaps and ("hold_notice", "hold.notify") in gaps
    notice = next(p for p in r.gaps if p.stage == "hold_notice")
    assert notice.line == 2 and "好的，现在为您查询，请稍等。" in notice.recommended
    assert r.stages["greeting"] == r.stages["ask_more"] == r.stages["farewell"] == "done"
    model = coached(coach, MODEL / "system_failure.txt")  # the model trainee-only script
    assert model.mode == "trainee" and model.passed


def test_trainee_only_greeting_not_first_is_misplaced(coach, tmp_path):
    text = ("喂，你好。\n您好，青柚宽带，很高兴为您服务，请问有什么可以帮您？\n您的意思是要办理宽带移机，对吗？\n"
            "请问还有其他可以帮您的吗？\n感谢您的来电，再见！\n")
    r = coach.coach(parse_script(text, tmp_path / "t.txt"))
    assert r.stages["greeting"] == "misplaced"
    greet = next(p for p in r.gaps if p.stage == "greeting")
    assert greet.status == "misplaced" and greet.line == 2 and greet.message == "开场问候说了,但不是开口第一句"
    assert [(p.rule, p.line) for p in r.taboo] == [("forbidden.opening.rude", 1)]


# --- Traditional Chinese -------------------------------------------------------------------------

def test_traditional_script_is_coached_and_answered_in_traditional(coach, tmp_path):
    model = coached(coach, MODEL / "goodbye.txt")
    assert model.traditional and model.passed
    text = ("坐席：您好，青禾電信，很高興為您服務，請問有什麼可以幫您？\n客戶：我想查詢上個月的帳單。\n"
            "坐席：你等一會，我查一下。\n"
            "坐席：上個月帳單是三百九十九元，請問還有其他可以幫您的嗎？\n客戶：沒有了。\n坐席：感謝您的來電，再見！\n")
    path = tmp_path / "trad.txt"
    path.write_text(text, encoding="utf-8")
    script = read_script(path)
    r = coach.coach(script)
    assert r.traditional
    wait = next(p for p in r.taboo if p.rule == "forbidden.impatience.wait")
    assert wait.line == 3 and wait.matched.startswith("你等一會") and wait.replacement == "好的，現在為您查詢，請稍等。"
    confirm = next(p for p in r.gaps if p.stage == "confirm")
    assert confirm.recommended[0] == "您的意思是XX，對嗎？"
    fix(coach, script, r)
    fixed = fixed_path(path).read_text(encoding="utf-8").splitlines()
    assert fixed[2] == "坐席：好的，現在為您查詢，請稍等。"


# --- --fix ------------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario", [s for s in NORMS_SCENARIOS
                                      if any(w == "taboo" for w, *_ in FLAWED_POINTS[s])])
def test_fix_round_trip_leaves_no_taboo(coach, tmp_path, scenario):
    src = tmp_path / f"{scenario}.txt"
    shutil.copy(FLAWED / f"{scenario}.txt", src)
    before = src.read_bytes()
    script = read_script(src)
    r = coach.coach(script)
    target = fix(coach, script, r)
    assert target == tmp_path / f"{scenario}.fixed.txt" and target.is_file()
    assert src.read_bytes() == before  # the original is never touched
    again = coached(coach, target)
    assert again.taboo == [], [(p.rule, p.line, p.matched) for p in again.taboo]
    original, fixed_lines = before.decode("utf-8").splitlines(), target.read_text(encoding="utf-8").splitlines()
    assert len(fixed_lines) == len(original)
    changed = {c.line for c in r.changes}
    assert changed == {p.line for p in r.taboo}
    for n, (a, b) in enumerate(zip(original, fixed_lines, strict=True), 1):
        if n in changed:
            assert a.split("：")[0] == b.split("：")[0] and a != b  # the role prefix stays
        else:
            assert a == b  # every other line stays as written


def test_fix_replaces_the_clause_and_keeps_the_rest_of_the_line(coach, tmp_path):
    text = ("坐席：您好，青柚宽带，很高兴为您服务，请问有什么可以帮您？\n客户：我想问下宽带为什么这么慢。\n"
            "坐席：你等一会，我查一下。\n坐席：感谢您的耐心等待，您的宽带端口需要重启。\n客户：我家……重启……\n"
            "坐席：你再说一遍，刚才信号不好。\n客户：我说怎么重启？\n坐席：您的意思是想知道怎么重启光猫，对吗？"
            "请问还有其他可以帮您的吗？\n客户：没有了。\n坐席：感谢您的来电，祝您节日愉快，再见！\n")
    path = tmp_path / "clause.txt"
    path.write_text("# started_at: 2026-11-12\n" + text, encoding="utf-8")
    script = read_script(path)
    r = coach.coach(script)
    assert [p.rule for p in r.taboo] == ["forbidden.impatience.wait", "forbidden.impatience.repeat"]
    assert [p.rule for p in r.tips] == ["closing.farewell.holiday"]  # a warning: a tip, not failing
    fix(coach, script, r)
    lines = fixed_path(path).read_text(encoding="utf-8").splitlines()
    assert lines[3] == "坐席：好的，现在为您查询，请稍等。"  # 你等一会，我 spans both clauses
    assert lines[6] == "坐席：很抱歉，刚才没听清楚，请您再说一遍好吗？刚才信号不好。"  # the rest of the line stays
    assert lines[10] == "坐席：感谢您的来电，祝您节日愉快，再见！"  # tips are not rewritten
    assert [(c.line, c.rules) for c in r.changes] == [(4, ["forbidden.impatience.wait"]),
                                                      (7, ["forbidden.impatience.repeat"])]


def test_fix_replaces_the_clauses_of_a_phrase_and_keeps_the_others(coach, tmp_path):
    path = tmp_path / "curt.txt"
    path.write_text("坐席：好的，那就这样，我挂了。\n", encoding="utf-8")
    script = read_script(path)
    r = coach.coach(script)
    assert [p.rule for p in r.taboo] == ["forbidden.closing.curt"]
    fix(coach, script, r)
    assert fixed_path(path).read_text(encoding="utf-8") == "坐席：好的，请问还有其他可以帮您的吗？\n"


def test_fix_replaces_a_whole_sentence_the_suggestion_already_says(coach, tmp_path):
    path = tmp_path / "bye.txt"
    path.write_text("坐席：你没事打电话做什么呢，再见。\n坐席：好的。\n", encoding="utf-8")
    script = read_script(path)
    r = coach.coach(script)
    assert [p.rule for p in r.taboo] == ["forbidden.harassment.rude"]
    fix(coach, script, r)
    assert fixed_path(path).read_text(encoding="utf-8").splitlines()[0] == (
        "坐席：请问您有业务问题需要咨询吗？如果没有，我这边需要挂机了，祝您生活愉快，再见！")


def test_fix_merges_two_hits_of_one_rule_into_one_replacement(coach, tmp_path):
    path = tmp_path / "twice.txt"
    path.write_text("坐席：有意见找领导去，要告就告去！\n", encoding="utf-8")
    script = read_script(path)
    r = coach.coach(script)
    assert [p.rule for p in r.taboo] == ["forbidden.provoke.complain", "forbidden.provoke.complain"]
    fix(coach, script, r)
    assert fixed_path(path).read_text(encoding="utf-8") == (
        "坐席：您的问题我已经帮您记录，会反映至相关部门，两个工作日内与您联系，请您耐心等待。\n")


def test_fix_masks_a_full_card_number_instead_of_rewriting_the_clause(coach, tmp_path):
    path = tmp_path / "card.txt"
    path.write_text("坐席：您好，禾丰银行，很高兴为您服务。\n客户：我的卡被锁了。\n"
                    "坐席：您的卡号是6222 0212 3456 7890，这张卡在您身边吗？\n", encoding="utf-8")
    script = read_script(path)
    r = coach.coach(script)
    card = next(p for p in r.taboo if p.rule == "redline.privacy.numbers")
    assert card.status == "red_line" and "7890" in card.matched and "3456" not in card.matched  # masked in the report
    fix(coach, script, r)
    line = fixed_path(path).read_text(encoding="utf-8").splitlines()[2]
    assert line.startswith("坐席：您的卡号是") and line.endswith("，这张卡在您身边吗？")
    assert not re.search(r"\d{7}", line.replace(" ", "")) and "7890" in line


def test_fix_on_the_cli_reports_what_it_changed(tmp_path):
    src = tmp_path / "repeat.txt"
    shutil.copy(FLAWED / "repeat.txt", src)
    r = run("practice", "--fix", str(src))
    assert r.exit_code == 1  # the original still has its coaching points
    assert "repeat.fixed.txt" in r.output and "什么？大声点！" in r.output
    assert "很抱歉，刚才没听清楚，请您再说一遍好吗？" in r.output
    again = run("practice", str(tmp_path / "repeat.fixed.txt"))
    assert again.exit_code == 0, again.output  # the polite ask is also the scenario's required response
    assert not (tmp_path / "repeat.fixed.fixed.txt").exists()


def test_fix_writes_nothing_for_a_script_without_taboo(coach, tmp_path):
    src = tmp_path / "hold.txt"
    shutil.copy(MODEL / "hold.txt", src)
    script = read_script(src)
    assert fix(coach, script, coach.coach(script)) is None and not fixed_path(src).exists()


# --- output formats --------------------------------------------------------------------------------

def test_sarif_output_validates_against_the_sarif_2_1_0_schema(tmp_path):
    r = run("practice", "-f", "sarif", str(FLAWED), str(MODEL / "hold.txt"), str(tmp_path / "missing.txt"))
    assert r.exit_code == 1
    log = json.loads(r.stdout)
    # the official schema's run.language pattern uses (?i), which Python's re refuses: its format is not checked
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    run_ = log["runs"][0]
    assert log["version"] == "2.1.0" and run_["tool"]["driver"]["name"] == "scriptcheck"
    rules = {d["id"]: d for d in run_["tool"]["driver"]["rules"]}
    uris = [a["location"]["uri"] for a in run_["artifacts"]]
    assert len(uris) == len(NORMS_SCENARIOS) + 1 and all(u.endswith(".txt") for u in uris)
    # a taboo phrase: the script file, its line and column, the rulebook's rule, help text and the fix
    wait = next(x for x in run_["results"] if x["ruleId"] == "forbidden.impatience.wait")
    loc = wait["locations"][0]["physicalLocation"]
    assert uris[loc["artifactLocation"]["index"]].endswith("flawed/hold.txt")
    assert loc["region"]["startLine"] == 10 and loc["region"]["startColumn"] == 4
    assert loc["region"]["snippet"]["text"] == "坐席：你就等着吧。"
    assert wait["level"] == "error" and run_["tool"]["driver"]["rules"][wait["ruleIndex"]]["id"] == wait["ruleId"]
    assert "好的，现在为您查询，请稍等。" in rules["forbidden.impatience.wait"]["help"]["text"]
    change = wait["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert change["insertedContent"]["text"] == "好的，现在为您查询，请稍等。"
    assert change["deletedRegion"]["startColumn"] == 4
    # a missing stage and an out-of-order stage are results too; a warning-level rule is a warning
    assert rules["greeting.standard"]["defaultConfiguration"]["level"] == "error"
    assert any(x["ruleId"] == "closing.farewell" and x["properties"]["stage"] == "farewell" for x in run_["results"])
    assert rules["redline.abuse.insult"]["properties"]["tags"][-1] == "red-line"
    # a path that does not exist is a notification, not a silent omission
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert any("missing.txt" in n["message"]["text"] for n in notes)


def test_sarif_schema_is_really_enforced():
    """Negative control: the schema rejects what SARIF forbids, so the validation above can fail."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                         "results": [{"level": "fatal", "message": {"text": "m"}}]}]}
    assert list(validator.iter_errors(bad))
    no_region_line = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "a.txt"}, "region": {"startLine": 0}}}]}]}]}
    assert list(validator.iter_errors(no_region_line))


def test_sarif_in_english_uses_the_english_rule_text(coach):
    script = read_script(FLAWED / "hold.txt")
    log = sarif([(Coach(coach.rb, lang="en").coach(script), script)], coach.rb, "en")
    rules = {d["id"]: d for d in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["forbidden.impatience.wait"]["shortDescription"]["text"] == "Taboo: curt 'wait'"
    assert not list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(log))


def test_json_output_is_one_coaching_report_per_script():
    r = run("practice", "-f", "json", str(MODEL / "hold.txt"), str(FLAWED / "complaint.txt"))
    assert r.exit_code == 1
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [Path(x["script"]).name for x in rows] == ["hold.txt", "complaint.txt"]
    keys = {"script", "scenario", "mode", "traditional", "passed", "stages", "strengths", "gaps", "order", "taboo",
            "tips", "errors", "fixed", "changes"}
    assert all(set(x) == keys for x in rows)
    good, bad = rows
    assert good["passed"] is True and bad["passed"] is False
    assert list(good["stages"]) == list(STAGES) and good["scenario"] == "hold" and good["mode"] == "dialogue"
    point = bad["taboo"][0]
    assert {"kind", "stage", "rule", "level", "line", "column", "end_column", "text", "matched", "message",
            "recommended", "replacement"} <= set(point)
    assert point["kind"] == "taboo" and point["end_column"] - point["column"] == len(point["matched"])
    assert all(isinstance(p["recommended"], list) for p in bad["gaps"])


def test_text_report_in_chinese_and_in_english():
    zh = run("practice", str(FLAWED / "hold.txt"))
    assert "做得好" in zh.output and "需要补上(按流程顺序)" in zh.output and "服务忌语 → 改用" in zh.output
    assert "等待前告知" in zh.output and "推荐用语: 好的，现在为您查询，请稍等。" in zh.output
    en = run("practice", "--lang", "en", str(FLAWED / "hold.txt"))
    assert "Done well" in en.output and "Notice before the wait" in en.output and "Taboo: curt 'wait'" in en.output


# --- exit codes and bad input --------------------------------------------------------------------

def test_exit_codes_work_as_a_pre_commit_hook(tmp_path):
    assert run("practice", str(MODEL)).exit_code == 0
    assert run("practice", str(FLAWED / "goodbye.txt")).exit_code == 1
    assert run("practice", "--scenario", "no_such_scenario", str(MODEL)).exit_code == 2
    assert run("practice", str(tmp_path / "nothing_here.txt")).exit_code == 2
    assert run("practice", "-f", "xml", str(MODEL)).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: default\nrules:\n  greeting.standard: {enabled: maybe}\n", encoding="utf-8")
    assert run("practice", "--rules", str(bad), str(MODEL)).exit_code == 2


def test_a_rulebook_without_the_stage_rules_is_a_usage_error(tmp_path):
    rb = tmp_path / "rb.yaml"
    rb.write_text("version: 1\nchecks:\n  greeting: {label: 开场, label_en: Greeting}\nrules:\n  greeting.standard:\n"
                  "    {check: greeting, kind: required, phrases: [您好], message: 未问候}\n", encoding="utf-8")
    r = run("practice", "--rules", str(rb), str(MODEL / "hold.txt"))
    assert r.exit_code == 2 and "closing.farewell" in r.output and "practice.confirm_need" in r.output


def test_a_stage_switched_off_in_the_company_rulebook_is_not_coached(tmp_path):
    rb = tmp_path / "rb.yaml"
    rb.write_text("extends: default\nrules:\n  closing.ask_more: {enabled: false}\n", encoding="utf-8")
    script = tmp_path / "s.txt"
    script.write_text("坐席：您好，青柚宽带，很高兴为您服务，请问有什么可以帮您？\n客户：我想报修宽带。\n"
                      "坐席：您的意思是宽带需要上门维修，对吗？\n客户：对。\n坐席：已经为您派单，感谢您的来电，再见！\n",
                      encoding="utf-8")
    assert run("practice", str(script)).exit_code == 1  # the default rulebook wants "anything else?"
    r = run("practice", "--rules", str(rb), "-f", "json", str(script))
    assert r.exit_code == 0 and json.loads(r.stdout)["stages"]["ask_more"] == "n/a"


def test_scenario_option_overrides_the_scripts_own_and_accepts_names(coach):
    r = run("practice", "--scenario", "查询/等待", "-f", "json", str(MODEL / "opening.txt"))
    row = json.loads(r.stdout)
    assert row["scenario"] == "hold"
    assert {p["stage"] for p in row["gaps"]} == {"hold_notice", "hold_thanks"}  # the hold scenario needs a wait
    assert coach.scenario_id("Look-up or wait") == "hold" and coach.scenario_id("查詢/等待") == "hold"


def test_bad_lines_are_reported_and_the_batch_goes_on(coach, tmp_path):
    text = ("坐席：您好，青柚宽带，很高兴为您服务，请问有什么可以帮您？\n（客户叹气）\n经理：我来接一下。\n"
            "客户：我要办宽带移机。\n    新地址是和平路八号。\n坐席：您的意思是要把宽带移到和平路八号，对吗？\n")
    path = tmp_path / "odd.txt"
    path.write_text(text, encoding="utf-8")
    script = read_script(path)
    assert script.errors == [f"{path}:3: unknown speaker '经理' (use 坐席：/客户：), line skipped"]
    assert [(s.speaker, s.line) for s in script.call.segments] == [("agent", 1), ("customer", 4), ("customer", 5),
                                                                  ("agent", 6)]
    assert script.call.segments[2].text == "新地址是和平路八号。"  # a turn continued on the next line
    binary = tmp_path / "zz_binary.txt"
    binary.write_bytes(b"\x00\x01\x02\xff" * 50)
    r = run("practice", "-f", "json", str(path), str(binary), str(MODEL / "hold.txt"))
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert r.exit_code == 1 and len(rows) == 3
    assert rows[0]["errors"] and not rows[0]["passed"]
    assert "binary" in rows[1]["errors"][0] and rows[1]["passed"] is False
    assert rows[2]["passed"] is True


def test_scripts_are_untimed_so_timing_rules_are_skipped(coach, tmp_path):
    text = ("[00:00.0-00:05.0] 坐席：您好，青柚宽带，很高兴为您服务，请问有什么可以帮您？\n"
            "[00:04.0-00:09.0] 客户：我想办理宽带续费。\n"
            "[00:05.0-00:09.5] 坐席：您的意思是办理宽带包年续费，对吗？请问还有其他可以帮您的吗？\n"
            "[00:10.0-00:11.0] 客户：没有了。\n[00:11.0-00:12.0] 坐席：感谢您的来电，祝您生活愉快，再见！\n")
    script = parse_script(text, tmp_path / "timed.txt")
    assert not script.call.timed  # time stamps are read past, never used
    assert script.call.segments[0].text.startswith("您好") and script.columns[0] == len("[00:00.0-00:05.0] 坐席：")
    r = coach.coach(script)
    rules = {p.rule for p in [*r.gaps, *r.tips, *r.taboo]}
    assert not any(rule.startswith(("interruption.", "courtesy.speech_rate")) for rule in rules)
    assert r.passed, (r.gaps, r.taboo)


def test_near_misses_do_not_fire(coach, tmp_path):
    text = ("坐席：您好，青柚宽带，很高兴为您服务，请问有什么可以帮您？\n客户：我想换个套餐。\n"
            "坐席：很抱歉，刚才没听清楚，请您再说一遍好吗？\n客户：换个便宜点的套餐。\n"
            "坐席：您的意思是想换成资费更低的套餐，对吗？您不用一直等着，办好了会有短信通知。\n"
            "客户：好。\n坐席：您的问题我已经帮您记录，请您耐心等待。请问还有其他可以帮您的吗？\n"
            "客户：没有了。\n坐席：感谢您的来电，祝您生活愉快，再见！\n")
    r = coach.coach(parse_script(text, tmp_path / "near.txt"))
    assert r.taboo == [] and r.passed, (r.taboo, r.gaps)
    assert r.stages["hold_notice"] == r.stages["hold_thanks"] == "n/a"  # 请您耐心等待 is no wait
    queue = coached(coach, MODEL / "long_queue.txt")
    assert queue.stages["hold_thanks"] == "n/a"  # 让您久等了 in the opening thanks for the queue, not a hold


# --- the cheat sheet --------------------------------------------------------------------------------

def test_cheat_sheet_says_when_what_and_how_for_every_scenario(coach):
    sheet = {s["id"]: s for s in cheat_sheet(coach.rb, "zh")}
    assert list(sheet) == NORMS_SCENARIOS
    for s in sheet.values():
        assert s["when"] and s["recommended"], s["id"]
        assert s["required"] or s["taboo"], s["id"]
        assert all(r["say"] for r in s["required"])
    assert [r["rule"] for r in sheet["hold"]["required"]] == ["hold.notify", "hold.thanks"]
    assert sheet["hold"]["taboo"][0]["never"][0] == "你等一会"
    assert sheet["hold"]["taboo"][0]["instead"] == "好的，现在为您查询，请稍等。"
    en = {s["id"]: s for s in cheat_sheet(coach.rb, "en")}
    assert en["harassment"]["when"].startswith("The caller has no business question")


def test_scenarios_command_prints_the_cheat_sheet():
    r = run("scenarios", "hold")
    assert r.exit_code == 0
    for words in ("查询/等待", "需要查询系统或询问同事", "好的，现在为您查询，请稍等。", "感谢您的耐心等待。",
                  "你等一会"):
        assert words in r.output, words
    assert "骚扰来电" not in r.output
    data = json.loads(run("scenarios", "--json").stdout)
    assert [s["id"] for s in data] == NORMS_SCENARIOS
    assert run("scenarios", "no_such").exit_code == 2
    assert "Harassing caller" in run("scenarios", "--lang", "en").output


def test_scripts_without_agent_lines_or_in_json_are_input_errors(coach, tmp_path):
    only_customer = tmp_path / "customer.txt"
    only_customer.write_text("客户：我想查一下话费。\n客户：喂？有人吗？\n", encoding="utf-8")
    r = coach.coach(read_script(only_customer))
    assert r.errors == [f"{only_customer}: no agent (坐席) lines: nothing to coach"] and not r.passed
    call = tmp_path / "call.json"
    call.write_text('{"call_id": "x", "segments": []}', encoding="utf-8")
    assert "plain-text scripts" in read_script(call)
    unknown = tmp_path / "unknown.txt"
    model = (MODEL / "opening.txt").read_text(encoding="utf-8")
    unknown.write_text(model.replace("# scenario: opening", "# scenario: 没有这个场景"), encoding="utf-8")
    r = coach.coach(read_script(unknown))
    assert r.errors == [f"{unknown}: unknown scenario '没有这个场景' (see `scriptcheck scenarios`)"] and not r.passed


def test_personal_numbers_stay_masked_in_every_output(coach, tmp_path):
    path = tmp_path / "card.txt"
    path.write_text("坐席：您的身份证号是330106199808124521，对吗？\n", encoding="utf-8")
    script = read_script(path)
    r = coach.coach(script)
    fix(coach, script, r)
    log = json.dumps(sarif([(r, script)], coach.rb, "zh"), ensure_ascii=False)
    dumped = r.model_dump_json()
    for text in (log, dumped, fixed_path(path).read_text(encoding="utf-8")):
        assert "330106199808124521" not in text and "4521" in text
