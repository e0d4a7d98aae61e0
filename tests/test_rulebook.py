"""Rulebooks: `extends`, text phrasebooks, and errors that name file:line and the key path."""

from __future__ import annotations

import textwrap

import pytest

from scriptcheck.engine import Checker
from scriptcheck.readers import parse_transcript
from scriptcheck.rulebook import RulebookError, load_rulebook

COMPANY = """\
extends: default
phrasebooks:
  - path: our_taboo_words.txt
    check: forbidden_phrase
rules:
  closing.farewell.holiday: {enabled: false}
"""
TABOO_TXT = "# 本公司补充的服务忌语(每行一条)\n这是规定\n不归我们部门   # 推诿\n\n"


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def line_of(path, marker: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if marker in line:
            return n
    raise AssertionError(f"{marker!r} not in {path}")


def load_error(path) -> RulebookError:
    with pytest.raises(RulebookError) as info:
        load_rulebook(path)
    return info.value


def assert_points_at(err: RulebookError, path, marker: str, key_path: str | None = None):
    msg = str(err)
    line = line_of(path, marker)
    assert f"{path}:{line}:" in msg, msg
    assert path.name in msg
    if key_path:
        assert key_path in msg, msg


@pytest.fixture
def company(tmp_path):
    write(tmp_path, "our_taboo_words.txt", TABOO_TXT)
    return write(tmp_path, "company.yaml", COMPANY)


@pytest.fixture
def default_rulebook():
    return load_rulebook("default")


# --------------------------------------------------------------------------------------------
# extends + text phrasebook
# --------------------------------------------------------------------------------------------
def test_extends_keeps_every_default_rule(company, default_rulebook):
    rb = load_rulebook(company)
    assert set(default_rulebook.rules) <= set(rb.rules)
    assert list(rb.checks) == list(default_rulebook.checks)
    assert rb.settings.model_dump() == default_rulebook.settings.model_dump()


def test_extends_disables_the_holiday_rule_only(company, default_rulebook):
    rb = load_rulebook(company)
    assert rb.rules["closing.farewell.holiday"].enabled is False
    assert default_rulebook.rules["closing.farewell.holiday"].enabled is True
    enabled_default = {r.id for r in default_rulebook.enabled_rules}
    assert enabled_default - {r.id for r in rb.enabled_rules} == {"closing.farewell.holiday"}
    # the rest of the rule is inherited, not replaced
    holiday = rb.rules["closing.farewell.holiday"]
    assert holiday.phrases == default_rulebook.rules["closing.farewell.holiday"].phrases


def test_text_phrasebook_becomes_one_forbidden_rule(company):
    rb = load_rulebook(company)
    custom = [r for r in rb.rules.values() if "这是规定" in getattr(r, "phrases", [])]
    assert len(custom) == 1
    rule = custom[0]
    assert rule.phrases == ["这是规定", "不归我们部门"]  # comment line and trailing comment dropped
    assert rule.kind == "forbidden" and rule.check == "forbidden_phrase" and rule.enabled


@pytest.mark.parametrize(("line", "matched"), [
    ("坐席：不好意思，这是规定，我们也没有办法。", "这是规定"),
    ("坐席：您说的退款不归我们部门管。", "不归我们部门"),
])
def test_custom_phrases_fire_as_forbidden_phrase(company, line, matched):
    checker = Checker.from_rulebook(company)
    call = parse_transcript(f"坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？\n客户：我想退款。\n{line}")
    report = checker.check(call)
    assert report.checks["forbidden_phrase"] == "fail"
    found = [f for f in report.findings if f.check == "forbidden_phrase"]
    assert [f.matched for f in found] == [matched]
    # ...and the default rulebook does not know these phrases
    assert Checker.from_rulebook("default").check(call).checks["forbidden_phrase"] == "pass"


def test_disabled_holiday_rule_no_longer_warns(company):
    call = parse_transcript("# ignored\n坐席：感谢您的来电，祝您节日愉快，再见！")
    call.started_at = "2026-11-12T10:00:00+08:00"
    default_report = Checker.from_rulebook("default").check(call)
    company_report = Checker.from_rulebook(company).check(call)
    assert "closing.farewell.holiday" in {f.rule for f in default_report.findings}
    assert "closing.farewell.holiday" not in {f.rule for f in company_report.findings}


def test_extends_chain_and_rule_override(tmp_path, company):
    child = write(tmp_path, "team.yaml", """\
        extends: company.yaml
        settings:
          pass_mark: 90
        rules:
          forbidden.impatience.repeat:
            weight: 3
          surname.asked_name: disabled
        """)
    rb = load_rulebook(child)
    assert rb.settings.pass_mark == 90
    assert rb.settings.mask_pii is True  # untouched settings inherited
    assert rb.rules["forbidden.impatience.repeat"].weight == 3
    assert rb.rules["forbidden.impatience.repeat"].phrases  # merged per key, not replaced
    assert rb.rules["surname.asked_name"].enabled is False
    assert rb.rules["closing.farewell.holiday"].enabled is False  # from company.yaml
    assert any("这是规定" in getattr(r, "phrases", []) for r in rb.rules.values())


def test_default_rulebook_by_name_and_builtin_prefix():
    assert set(load_rulebook("default").rules) == set(load_rulebook("builtin:default").rules)


# --------------------------------------------------------------------------------------------
# errors: file, line and key path
# --------------------------------------------------------------------------------------------
def test_unknown_key_in_a_rule(tmp_path):
    p = write(tmp_path, "typo.yaml", """\
        extends: default
        rules:
          forbidden.impatience.repeat:
            weigth: 5
        """)
    err = load_error(p)
    assert_points_at(err, p, "weigth", "rules.forbidden.impatience.repeat.weigth")
    assert "unknown key" in str(err)


def test_unknown_key_in_a_new_rule(tmp_path):
    p = write(tmp_path, "typo2.yaml", """\
        extends: default
        rules:
          custom.our.rule:
            check: forbidden_phrase
            kind: forbidden
            message: 自定义忌语
            phrases: [这是规定]
            sugestion: 请换一种说法
        """)
    assert_points_at(load_error(p), p, "sugestion", "rules.custom.our.rule.sugestion")


def test_unknown_kind(tmp_path):
    p = write(tmp_path, "kind.yaml", """\
        extends: default
        rules:
          custom.our.rule:
            check: forbidden_phrase
            kind: forbiden
            message: 自定义忌语
            phrases: [这是规定]
        """)
    err = load_error(p)
    assert_points_at(err, p, "kind: forbiden", "rules.custom.our.rule.kind")
    assert "kind" in err.message


def test_invalid_regex_pattern(tmp_path):
    p = write(tmp_path, "regex.yaml", """\
        extends: default
        rules:
          custom.our.rule:
            check: forbidden_phrase
            kind: forbidden
            message: 自定义忌语
            patterns: ['这是(规定']
        """)
    err = load_error(p)
    assert_points_at(err, p, "patterns:", "rules.custom.our.rule")
    assert "这是(规定" in str(err)


def test_invalid_yaml(tmp_path):
    p = write(tmp_path, "syntax.yaml", """\
        extends: default
        rules:
          custom.our.rule:
            check: forbidden_phrase
            kind: forbidden: oops
            message: 自定义忌语
        """)
    err = load_error(p)
    assert_points_at(err, p, "forbidden: oops")
    assert "invalid YAML" in str(err)


def test_yaml_alias_is_rejected(tmp_path):
    p = write(tmp_path, "alias.yaml", """\
        extends: default
        rules:
          custom.one: &base
            check: forbidden_phrase
            kind: forbidden
            message: 自定义忌语
            phrases: [这是规定]
          custom.two: *base
        """)
    err = load_error(p)
    assert_points_at(err, p, "custom.two", "rules.custom.two")
    assert "alias" in str(err).lower()


def test_python_object_tag_on_an_incomplete_rule_is_rejected(tmp_path):
    p = write(tmp_path, "tag.yaml", """\
        extends: default
        rules:
          custom.one: !!python/object:builtins.dict
            check: forbidden_phrase
        """)
    assert_points_at(load_error(p), p, "custom.one", "rules.custom.one")


def test_python_object_tag_on_a_complete_rule_is_rejected(tmp_path):
    """Regression: !!python/… expands to tag:yaml.org,2002:python/… and once slipped through."""
    p = write(tmp_path, "tag2.yaml", """\
        extends: default
        rules:
          custom.one: !!python/object:builtins.dict
            check: forbidden_phrase
            kind: forbidden
            message: 自定义忌语
            phrases: [这是规定]
        """)
    err = load_error(p)
    assert_points_at(err, p, "custom.one")
    assert "tag" in str(err)


def test_python_name_tag_on_a_scalar_is_a_rulebook_error(tmp_path):
    """Regression: this once raised yaml ConstructorError (CLI traceback, exit 1) not RulebookError."""
    p = write(tmp_path, "tag3.yaml", """\
        extends: default
        description: !!python/name:os.system
        """)
    err = load_error(p)
    assert_points_at(err, p, "description")


def test_custom_tag_is_rejected(tmp_path):
    p = write(tmp_path, "tag4.yaml", """\
        extends: default
        description: !include secrets.yaml
        """)
    err = load_error(p)
    assert_points_at(err, p, "description")
    assert "tag" in str(err)


def test_rule_with_unknown_check(tmp_path):
    p = write(tmp_path, "check.yaml", """\
        extends: default
        rules:
          custom.our.rule:
            check: forbiden_phrase
            kind: forbidden
            message: 自定义忌语
            phrases: [这是规定]
        """)
    err = load_error(p)
    assert_points_at(err, p, "check: forbiden_phrase", "rules.custom.our.rule.check")
    assert "forbiden_phrase" in str(err)


def test_extends_of_a_missing_file(tmp_path):
    p = write(tmp_path, "orphan.yaml", "extends: nowhere/base.yaml\n")
    err = load_error(p)
    assert "base.yaml" in str(err)
    assert "cannot read" in str(err)


def test_paths_outside_the_rulebook_folder_need_allow_outside(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "words.txt").write_text("这是规定\n", encoding="utf-8")
    (tmp_path / "team").mkdir()
    body = "phrasebooks:\n  - path: ../shared/words.txt\n    check: forbidden_phrase\n"
    p = write(tmp_path / "team", "rules.yaml", "extends: default\n" + body)
    err = load_error(p)
    assert "outside" in str(err) and "rules.yaml:3" in str(err)
    ok = write(tmp_path / "team", "ok.yaml", "extends: default\nallow_outside: true\n" + body)
    assert "phrasebook.words" in load_rulebook(ok).rules
    escape = write(tmp_path / "team", "up.yaml", "extends: ../../../../../../etc/passwd\n")
    assert "outside" in str(load_error(escape))


def test_extends_cycle(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path, "b.yaml", "extends: a.yaml\n")
    assert "cycle" in str(load_error(b))


def test_unknown_top_level_key(tmp_path):
    p = write(tmp_path, "top.yaml", "extends: default\nrule:\n  closing.farewell.holiday: disabled\n")
    assert_points_at(load_error(p), p, "rule:", "rule")


def test_duplicate_key(tmp_path):
    p = write(tmp_path, "dup.yaml", """\
        extends: default
        rules:
          closing.farewell.holiday: {enabled: false}
          closing.farewell.holiday: {enabled: true}
        """)
    err = load_error(p)
    assert f"{p}:4:" in str(err) and "duplicate" in str(err)


def test_bad_rule_id(tmp_path):
    p = write(tmp_path, "id.yaml", """\
        extends: default
        rules:
          OurRule:
            check: forbidden_phrase
            kind: forbidden
            message: x
            phrases: [这是规定]
        """)
    assert_points_at(load_error(p), p, "OurRule")


def test_text_phrasebook_needs_a_check(tmp_path):
    write(tmp_path, "words.txt", "这是规定\n")
    p = write(tmp_path, "pb.yaml", """\
        extends: default
        phrasebooks:
          - path: words.txt
        """)
    err = load_error(p)
    assert_points_at(err, p, "- path: words.txt")
    assert "check" in str(err)


def test_missing_text_phrasebook(tmp_path):
    p = write(tmp_path, "pb2.yaml", """\
        extends: default
        phrasebooks:
          - path: missing_words.txt
            check: forbidden_phrase
        """)
    err = load_error(p)
    assert "missing_words.txt" in str(err)
    assert_points_at(err, p, "path: missing_words.txt")


def test_bad_setting_value(tmp_path):
    p = write(tmp_path, "settings.yaml", """\
        extends: default
        settings:
          pass_mark: 120
        """)
    assert_points_at(load_error(p), p, "pass_mark", "settings.pass_mark")


def test_company_holiday_dates_may_be_unquoted(tmp_path):
    p = write(tmp_path, "holiday.yaml", """\
        extends: default
        rules:
          closing.farewell.holiday:
            allowed_on: [2026-11-11]
        """)
    checker = Checker.from_rulebook(p)
    assert checker.rulebook.rules["closing.farewell.holiday"].allowed_on == ["2026-11-11"]
    call = parse_transcript("坐席：感谢您的来电，祝您节日愉快，再见！")
    call.started_at = "2026-11-11T10:00:00+08:00"
    assert "closing.farewell.holiday" not in {f.rule for f in checker.check(call).findings}
    call.started_at = "2026-11-12T10:00:00+08:00"
    assert "closing.farewell.holiday" in {f.rule for f in checker.check(call).findings}


OVERLAP_1_5S = """\
[00:00.0-00:05.0] 坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？
[00:05.5-00:12.0] 客户：我想查一下这个月的话费，上个月好像多扣了。
[00:10.5-00:14.0] 坐席：好的，我帮您看一下。
"""


def test_company_interruption_threshold(tmp_path):
    p = write(tmp_path, "lenient.yaml", """\
        extends: default
        rules:
          interruption.overlap:
            min_seconds: 2.0
        """)
    lenient = Checker.from_rulebook(p).check(parse_transcript(OVERLAP_1_5S))
    strict = Checker.from_rulebook("default").check(parse_transcript(OVERLAP_1_5S))
    assert strict.checks["interruption"] == "fail" and strict.metrics.interruptions == 1
    assert lenient.checks["interruption"] == "pass"


def test_interruption_metric_follows_the_rulebook_threshold(tmp_path):
    """Regression: metrics.interruptions once used a hard-coded 1.0 s threshold."""
    p = write(tmp_path, "lenient2.yaml", """\
        extends: default
        rules:
          interruption.overlap:
            min_seconds: 2.0
        """)
    report = Checker.from_rulebook(p).check(parse_transcript(OVERLAP_1_5S))
    assert report.checks["interruption"] == "pass"
    assert report.metrics.interruptions == 0


def test_two_text_phrasebooks_with_the_same_name_are_not_silently_merged(tmp_path):
    """Regression: same-named text phrasebooks once shared one rule id, losing the first list."""
    (tmp_path / "sales").mkdir()
    (tmp_path / "billing").mkdir()
    write(tmp_path, "sales/words.txt", "这是规定\n")
    write(tmp_path, "billing/words.txt", "不归我们部门\n")
    p = write(tmp_path, "two.yaml", """\
        extends: default
        phrasebooks:
          - path: sales/words.txt
            check: forbidden_phrase
          - path: billing/words.txt
            check: forbidden_phrase
        """)
    try:
        rb = load_rulebook(p)
    except RulebookError as e:  # refusing the clash, naming the file, would be fine too
        assert "words.txt" in str(e)
        return
    phrases = {ph for r in rb.rules.values() for ph in getattr(r, "phrases", [])}
    assert {"这是规定", "不归我们部门"} <= phrases
