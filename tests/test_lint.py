"""``scriptcheck lint``: every code has a case that must fire and a near-miss that must not.

Each case is a small company rulebook (extends the default) with one phrasebook written here; the
default's own rules are known clean (``test_default_rulebook_lints_clean_with_strict``), so any
finding comes from the phrasebook under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scriptcheck.cli import app
from scriptcheck.engine import Checker
from scriptcheck.lint import CODES, behaviour, corpus, lint, phrases, regex, robustness, sources
from scriptcheck.lint.findings import Finding

REPO = Path(__file__).resolve().parents[1]
COMPANY = "extends: default\nallow_outside: true\nphrasebooks:\n  - path: ../phrasebooks/company.yaml\n"

# a complete, clean taboo rule; cases below change one thing
SHRUG = """\
  company.taboo.shrug:
    check: forbidden_phrase
    kind: forbidden
    weight: 10
    phrases: [你自己看着办, 这个我管不着]
    message: 服务忌语:推给客户自己处理
    suggestion: 我来帮您处理，请您放心。
    examples:
      fail: [这个我管不着，你自己看着办。]
      pass: [我来帮您处理，请您放心。, 您看着办理哪个套餐都可以。]
"""


def write(tmp_path: Path, rules: str) -> Path:
    (tmp_path / "rules").mkdir(exist_ok=True)
    (tmp_path / "phrasebooks").mkdir(exist_ok=True)
    (tmp_path / "rules" / "company.yaml").write_text(COMPANY, encoding="utf-8")
    pb = tmp_path / "phrasebooks" / "company.yaml"
    pb.write_text("rules:\n" + rules, encoding="utf-8")
    return pb


def load(tmp_path: Path, rules: str) -> sources.Source:
    write(tmp_path, rules)
    return sources.load(str(tmp_path / "rules" / "company.yaml"))


def codes(found: list[Finding], code: str) -> list[Finding]:
    return [f for f in found if f.code == code]


@pytest.fixture(scope="module")
def reference_turns() -> list[str]:
    return corpus.load_corpus()


# --- PB000 / PB001: input and schema ---------------------------------------------------------------
def test_pb000_missing_and_broken_files_are_unreadable(tmp_path):
    result = lint([str(tmp_path / "nope.yaml")], None, "default")
    assert result.unreadable and [f.code for f in result.findings] == ["PB000"]
    bad = tmp_path / "rules" / "latin1.yaml"
    bad.parent.mkdir()
    bad.write_bytes("rules:\n  x: 你好\n".encode("gb18030"))
    result = lint([str(bad)], None, "default")
    assert result.unreadable and "UTF-8" in result.findings[0].message("en")
    # passing: the same content in UTF-8 is readable (whatever else is wrong with it)
    bad.write_text(COMPANY.replace("../phrasebooks/company.yaml", "words.txt"), encoding="utf-8")
    (bad.parent / "words.txt").write_text("这事跟我没关系\n", encoding="utf-8")
    result = lint([str(bad)], None, "default")
    assert not result.unreadable


def test_pb001_reports_every_schema_error_with_its_line(tmp_path):
    src = load(tmp_path, SHRUG.replace("    weight: 10\n", "    wieght: 10\n")
               + SHRUG.replace("company.taboo.shrug", "company.taboo.other").replace("weight: 10", "weight: 很多"))
    from scriptcheck.lint import schema_findings

    found = schema_findings(src.errors)
    assert [(f.rule, f.location.line) for f in found] == [("company.taboo.shrug", 5), ("company.taboo.other", 15)]
    assert "unknown key" in found[0].message("en") and "valid number" in found[1].message("en")
    assert src.rulebook is not None and "forbidden.impatience.wait" in src.rulebook.rules  # the rest still loads
    assert schema_findings(load(tmp_path, SHRUG).errors) == []


# --- PB002 / PB003: duplicates ------------------------------------------------------------------
def test_pb002_duplicate_after_normalization(tmp_path):
    src = load(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 你自己看着辦！]"))
    found = codes(phrases.check_duplicates(src.rulebook), "PB002")
    assert len(found) == 1 and found[0].level == "warning"
    assert found[0].args["phrase"] == "你自己看着辦！" and found[0].location.line == 6
    # near-miss: a longer wording that contains another is not a duplicate
    src = load(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 你自己看着办吧]"))
    assert codes(phrases.check_duplicates(src.rulebook), "PB002") == []


def test_pb003_taboo_in_two_scored_rules(tmp_path):
    src = load(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 你等一会儿]"))
    found = phrases.check_cross_rule(src.rulebook)
    assert [(f.args["phrase"], f.args["other"]) for f in found] == [("你等一会儿", "forbidden.impatience.wait")]
    assert found[0].related is not None and found[0].related.file.endswith("taboo.yaml")
    src = load(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 你等着我吧]"))
    assert phrases.check_cross_rule(src.rulebook) == []


# --- PB004 / PB009: examples ------------------------------------------------------------------------
def test_pb004_example_that_disagrees(tmp_path):
    src = load(tmp_path, SHRUG.replace("pass: [我来帮您处理，请您放心。", "pass: [这个我管不着。"))
    found = codes(behaviour.check_examples(Checker(src.rulebook)), "PB004")
    assert len(found) == 1 and found[0].rule == "company.taboo.shrug" and found[0].args["expected"] == "pass"
    assert found[0].location.line == 11  # the example itself
    src = load(tmp_path, SHRUG)
    assert [f for f in behaviour.check_examples(Checker(src.rulebook)) if f.rule == "company.taboo.shrug"] == []


def test_pb009_rule_without_pass_examples(tmp_path):
    src = load(tmp_path, SHRUG.replace("      pass: [我来帮您处理，请您放心。, 您看着办理哪个套餐都可以。]\n", ""))
    found = [f for f in behaviour.check_examples(Checker(src.rulebook)) if f.rule == "company.taboo.shrug"]
    assert [(f.code, f.level, f.args["missing"]) for f in found] == [("PB009", "warning", "pass")]
    complete = [f for f in behaviour.check_examples(Checker(load(tmp_path, SHRUG).rulebook))
                if f.rule == "company.taboo.shrug"]
    assert complete == []


def test_pb009_not_asked_of_a_plain_text_word_list(tmp_path):
    """A .txt phrasebook cannot hold examples: its rule gets no PB009 (it would block every commit)."""
    (tmp_path / "words.txt").write_text("# 公司补充忌语\n这事跟我没关系\n", encoding="utf-8")
    rb = tmp_path / "company.yaml"
    rb.write_text("extends: default\nphrasebooks:\n  - path: words.txt\n    check: forbidden_phrase\n",
                  encoding="utf-8")
    result = lint([str(rb)], None, "default")
    assert result.findings == [] and not result.unreadable
    (tmp_path / "words.txt").write_text("# 公司补充忌语\n这事跟我没关系\n烦\n", encoding="utf-8")
    found = lint([str(tmp_path / "words.txt")], str(rb), "default").findings
    assert [(f.code, f.location.line) for f in found] == [("PB007", 3)]  # the line in the text file


# --- PB005 / PB006: regexes ---------------------------------------------------------------------------
def with_patterns(*patterns: str) -> str:
    quoted = ", ".join("'" + p + "'" for p in patterns)
    return SHRUG.replace("    message:", f"    patterns: [{quoted}]\n    message:", 1)


def test_pb005_invalid_regex(tmp_path):
    src = load(tmp_path, with_patterns("你(自己)?看着办", "看着办(?=吧)"))
    found = regex.check_regex(src.rulebook)
    assert [(f.code, f.location.line, f.location.col) for f in found] == [("PB005", 7, 29)]
    assert "company.taboo.shrug" not in src.rulebook.rules  # it cannot run: left out, not crashed on
    assert regex.check_regex(load(tmp_path, with_patterns("你(自己)?看着办(吧)?$")).rulebook) == []


def test_pb006_unsafe_regex(tmp_path):
    src = load(tmp_path, with_patterns("(你|您)*", "(看着办+)+吧", r"\p{Han}{1,300}看着办"))
    found = regex.check_regex(src.rulebook)
    assert [(f.code, f.key) for f in found] == [("PB006", "lint.PB006.empty"), ("PB006", "lint.PB006.nested"),
                                               ("PB006", "lint.PB006.size")]
    near = load(tmp_path, with_patterns("(你|您)(自己)?看着办", "看着办(吧|啊)+", r"\p{Han}{1,3}看着办"))
    assert regex.check_regex(near.rulebook) == []


# --- PB007 / PB008: too short, too generic -----------------------------------------------------
def test_pb007_one_character_phrase(tmp_path):
    src = load(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 烦]"))
    assert [f.args["phrase"] for f in phrases.check_too_short(src.rulebook)] == ["烦"]
    src = load(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 真烦人]"))
    assert phrases.check_too_short(src.rulebook) == []


def test_pb008_wording_firing_on_benign_turns(tmp_path, reference_turns):
    src = load(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 帮您查]"))
    found = corpus.check_generic(Checker(src.rulebook), reference_turns)
    assert [f.args["wording"] for f in found] == ["帮您查"]
    assert found[0].args["n"] >= 3 and "帮您查" in str(found[0].args["example"])
    assert corpus.check_generic(Checker(load(tmp_path, SHRUG).rulebook), reference_turns) == []


def test_pb008_with_the_users_own_corpus(tmp_path):
    own = tmp_path / "turns.txt"
    own.write_text("# our agents, anonymised\n坐席：这个我管不着，您去找物业。\n客户：你们怎么回事？\n"
                   "坐席：好的，我帮您登记。\n坐席：您稍等，我查一下。\n", encoding="utf-8")
    turns = corpus.load_corpus(own)
    assert turns == ["这个我管不着，您去找物业。", "好的，我帮您登记。", "您稍等，我查一下。"]
    found = corpus.check_generic(Checker(load(tmp_path, SHRUG).rulebook), turns, max_share=0.2)
    assert [f.args["wording"] for f in found] == ["这个我管不着"]
    with pytest.raises(corpus.CorpusError):
        corpus.load_corpus(tmp_path / "missing.txt")


# --- PB010 / PB011: conflicts with what agents are told to say --------------------------------------
def test_pb010_taboo_inside_recommended_wording(tmp_path):
    src = load(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 稍等]"))
    found = phrases.check_contained(src.rulebook)
    recs = {f.args["recommended"] for f in found}
    assert {"请稍等", "请您稍等"} <= recs and {f.args["phrase"] for f in found} == {"稍等"}
    # near-miss: the rule's own `except` allows the polite form the scenarios recommend
    polite = SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 再说一遍]").replace(
        "    message:", "    except:\n      phrases: [请您再说一遍]\n    message:", 1)
    assert phrases.check_contained(load(tmp_path, polite).rulebook) == []


def test_pb011_suggestion_that_is_itself_taboo(tmp_path):
    src = load(tmp_path, SHRUG.replace("suggestion: 我来帮您处理，请您放心。", "suggestion: 你等一会，我来帮您处理。"))
    found = behaviour.check_suggestions(Checker(src.rulebook))
    assert [(f.rule, f.args["other"], f.args["matched"]) for f in found] == [
        ("company.taboo.shrug", "forbidden.impatience.wait", "你等一会，我")]
    assert found[0].location.line == 8
    src = load(tmp_path, SHRUG.replace("suggestion: 我来帮您处理，请您放心。", "suggestion: 请您稍等，我来帮您处理。"))
    assert behaviour.check_suggestions(Checker(src.rulebook)) == []


# --- PB012: dead wordings -------------------------------------------------------------------------
def test_pb012_dead_phrase_and_pattern(tmp_path):
    src = load(tmp_path, with_patterns("看着办。", "VIP才有").replace("[你自己看着办, 这个我管不着]",
                                                                     "[你自己看着办, 这个我管不着, ？！]"))
    found = phrases.check_dead(src.rulebook)
    assert sorted(f.key for f in found) == ["lint.PB012.pattern", "lint.PB012.pattern", "lint.PB012.phrase"]
    assert all(f.suffix is None for f in found)  # the rule still has living wordings
    only_dead = SHRUG.replace("    phrases: [你自己看着办, 这个我管不着]\n", "    patterns: ['你好，请讲']\n")
    found = phrases.check_dead(load(tmp_path, only_dead).rulebook)
    assert len(found) == 1 and found[0].suffix == "lint.dead_rule" and "'，'" in found[0].message("en")
    # near-misses: optional punctuation, lower-case latin, a negated class
    near = with_patterns("看着办[。]?", "vip才有", "[^，]看着办")
    assert phrases.check_dead(load(tmp_path, near).rulebook) == []


# --- PB013: robustness ------------------------------------------------------------------------------
def test_pb013_robustness_share_and_threshold(tmp_path):
    fragile = SHRUG.replace("[你自己看着办, 这个我管不着]", "[你瞎说, 一边去, 了解个啥]").replace(
        "fail: [这个我管不着，你自己看着办。]", "fail: [你瞎说什么呢。]")
    checker = Checker(load(tmp_path, fragile).rulebook)
    rows, found = robustness.robustness(checker, min_share=0.9)
    row = next(r for r in rows if r.rule == "company.taboo.shrug")
    assert 0.5 < row.share < 0.9
    assert "1边去" in row.missed  # a digit for a spoken numeral is not read back
    assert "瞭解個啥" not in row.missed and row.by_kind["traditional"] == [3, 3]  # 瞭 folds to 了
    assert row.by_kind["filler"] == [6, 6]  # 你嗯瞎说: fillers are dropped by the clean view
    assert [f.rule for f in found if f.rule == "company.taboo.shrug"] == ["company.taboo.shrug"]
    sturdy = SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办吧]")
    rows, found = robustness.robustness(Checker(load(tmp_path, sturdy).rulebook), min_share=0.9)
    assert next(r for r in rows if r.rule == "company.taboo.shrug").share == 1.0
    assert [f for f in found if f.rule == "company.taboo.shrug"] == []


def test_variants_are_asr_like():
    v = robustness.variants("你再说一遍")
    assert v["traditional"] == "你再說一遍" and v["numerals"] == "你再说1遍" and v["homophone"] == "你在说一遍"
    assert "嗯" in v["filler:嗯"] and "那个" in v["filler:那个"] and "，" in v["punctuation"]
    assert robustness.variants("请稍等，好吗")["punctuation"] == "请稍等好吗"
    assert robustness.variants("VIP")["full-width"] == "ＶＩＰ"


# --- the command -----------------------------------------------------------------------------
def run(*args: str):
    return CliRunner().invoke(app, ["lint", *args])


def test_default_rulebook_lints_clean_with_strict():
    r = run("--strict", "-f", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["findings"] == [] and data["summary"] == {"errors": 0, "warnings": 0}


def test_default_rulebook_files_lint_clean_as_paths(monkeypatch):
    monkeypatch.chdir(REPO)
    r = run("--strict", "rules/default.yaml", "phrasebooks/taboo.yaml", "phrasebooks")
    assert r.exit_code == 0, r.output


def test_phrasebook_path_is_linted_inside_its_rulebook(tmp_path, monkeypatch):
    pb = write(tmp_path, SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 稍等]"))
    monkeypatch.chdir(tmp_path)
    r = run("phrasebooks/company.yaml")
    assert r.exit_code == 1
    assert "phrasebooks/company.yaml:6:31: PB010" in r.stdout
    # the default's 请您稍等 (a scenario wording) now fires the company rule: shown at the company's phrase
    assert "phrasebooks/company.yaml:6:31: PB011 错误 [company.taboo.shrug]" in r.stdout
    assert "taboo.yaml" not in r.stdout.split(" (")[0]  # the default's own files are not reported
    pb.write_text("rules:\n" + SHRUG, encoding="utf-8")
    assert run("phrasebooks/company.yaml").exit_code == 0


def test_orphan_phrasebook_is_linted_against_the_default(tmp_path):
    pb = tmp_path / "loose.yaml"
    pb.write_text("rules:\n" + SHRUG.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 烦]"),
                  encoding="utf-8")
    r = run(str(pb), "--lang", "en")
    assert r.exit_code == 1 and "PB007" in r.stdout and "single character" in r.stdout


def test_formats_strict_and_language(tmp_path, monkeypatch):
    write(tmp_path, SHRUG.replace("      pass: [我来帮您处理，请您放心。, 您看着办理哪个套餐都可以。]\n", ""))
    monkeypatch.chdir(tmp_path)
    r = run("phrasebooks/company.yaml")
    assert r.exit_code == 0 and "PB009" in r.stdout and "提示" in r.stdout  # a warning alone passes…
    assert run("phrasebooks/company.yaml", "--strict").exit_code == 1  # …unless --strict
    gh = run("phrasebooks/company.yaml", "-f", "github", "--lang", "en").stdout.strip()
    assert gh.startswith("::warning file=phrasebooks/company.yaml,line=2,col=3,title=PB009::PB009 ")
    assert "missing%3A" not in gh and "missing: pass" in gh
    data = json.loads(run("phrasebooks/company.yaml", "-f", "json").stdout)
    assert data["findings"][0] | {"message": ""} == {"code": "PB009", "level": "warning",
                                                     "file": "phrasebooks/company.yaml", "line": 2, "col": 3,
                                                     "rule": "company.taboo.shrug", "message": ""}
    assert run("phrasebooks/company.yaml", "-f", "xml").exit_code == 2


def test_robustness_option_reports_every_rule():
    r = run("--robustness", "-f", "json")
    assert r.exit_code == 0, r.output  # PB013 is a warning
    rows = {row["rule"]: row for row in json.loads(r.stdout)["robustness"]}
    assert {"forbidden.impatience.repeat", "redline.abuse.insult", "greeting.standard"} <= set(rows)
    assert all(0 <= row["share"] <= 1 and row["variants"] >= row["matched"] for row in rows.values())


def test_docs_table_lists_every_code():
    text = (REPO / "docs" / "lint.md").read_text(encoding="utf-8")
    for code, (level, why) in CODES.items():
        assert f"| {code} | {level} | {why} |" in text, code

