"""The rulebook's examples are tests: every pass example must not fail its rule, every fail must."""

from __future__ import annotations

import pytest

from scriptcheck.examples import ExampleResult, run_examples
from scriptcheck.model import Call, Segment
from scriptcheck.rulebook import load_rulebook
from scriptcheck.rulebook.schema import Examples

_RULEBOOK = load_rulebook("default")
_CASES = [
    pytest.param(rid, expected, i, id=f"{rid}-{expected}-{i}")
    for rid, rule in _RULEBOOK.rules.items()
    for expected, texts in (("pass", rule.examples.pass_), ("fail", rule.examples.fail))
    for i in range(len(texts))
]


@pytest.fixture(scope="module")
def example_results(checker) -> dict[str, list[ExampleResult]]:
    return {rid: run_examples(checker, rule) for rid, rule in checker.rulebook.rules.items()}


def test_parametrisation_covers_every_rule(checker):
    assert {p.values[0] for p in _CASES} == set(checker.rulebook.rules)
    assert len(checker.rulebook.rules) >= 20


@pytest.mark.parametrize(("rule_id", "expected", "index"), _CASES)
def test_rule_example(example_results, rule_id, expected, index):
    results = [r for r in example_results[rule_id] if r.expected == expected]
    r = results[index]
    if expected == "fail":
        assert r.status == "fail", f"{rule_id}: fail example gave {r.status}: {r.text!r}"
    else:
        assert r.status in ("pass", "n/a"), f"{rule_id}: pass example failed: {r.text!r}"
    assert r.ok


def test_every_rule_has_pass_and_fail_examples(checker):
    missing = [rid for rid, rule in checker.rulebook.rules.items()
               if not rule.examples.pass_ or not rule.examples.fail]
    assert missing == []


def test_every_forbidden_and_redline_rule_has_a_suggestion(checker):
    phrase_rules = [r for r in checker.rulebook.rules.values() if r.kind in ("forbidden", "redline")]
    assert len(phrase_rules) >= 10
    assert [r.id for r in phrase_rules if not (r.suggestion or "").strip()] == []


def test_every_rule_and_check_has_an_english_message(checker):
    assert [r.id for r in checker.rulebook.rules.values() if not (r.message_en or "").strip()] == []
    assert [c for c, info in checker.rulebook.checks.items() if not info.label_en.strip()] == []


def test_suggestions_do_not_trip_any_taboo_or_red_line(checker):
    """Saying exactly what the report recommends must never be a taboo or a red line itself."""
    for rule in checker.rulebook.rules.values():
        if rule.kind not in ("forbidden", "redline") or not rule.suggestion:
            continue
        call = Call(call_id=f"suggestion:{rule.id}", segments=[Segment(speaker="agent", text=rule.suggestion)])
        report = checker.check(call)
        hits = [f.rule for f in report.findings
                if f.check == "forbidden_phrase" or f.check.startswith("redline_")]
        assert hits == [], f"suggestion of {rule.id} ({rule.suggestion!r}) fires {hits}"
        assert report.red_line is False


def test_run_examples_reports_a_broken_example(checker):
    """run_examples is not a rubber stamp: a wrong expectation is reported as not ok."""
    swapped = Examples.model_validate({
        "pass": ["你再说一遍，我没听清。"],  # a taboo filed as a pass example
        "fail": ["很抱歉，刚才没听清楚，请您再说一遍好吗？"],  # a polite wording filed as a fail
    })
    rule = checker.rulebook.rules["forbidden.impatience.repeat"].model_copy(update={"examples": swapped})
    results = run_examples(checker, rule)
    assert [(r.expected, r.status, r.ok) for r in results] == [("pass", "fail", False), ("fail", "pass", False)]
