"""docs/rules.md is generated from the rulebook and the matcher docstrings; it must be up to date."""

from __future__ import annotations

from pathlib import Path

from scriptcheck.docs import render
from scriptcheck.matchers import KINDS

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def test_rules_doc_is_generated_from_the_current_rulebook(checker):
    assert DOC.read_text(encoding="utf-8") == render(checker), (
        "docs/rules.md is stale: run `scriptcheck docs --output docs/rules.md`")


def test_every_kind_is_documented_with_a_live_example(checker):
    text = render(checker)
    for kind in KINDS:
        assert f"`{kind}`" in text
    # every kind module shows a default-rulebook rule and the verdicts of its examples
    assert text.count("In the default rulebook:") == len({m.__name__ for m in KINDS.values()})
    assert "✘" not in text  # no example disagrees with its rule


def test_every_matcher_module_docstring_has_anti_pattern_and_best_practice():
    for module in {m.__name__: m for m in KINDS.values()}.values():
        doc = module.__doc__ or ""
        assert "Anti-pattern" in doc and "Best practice" in doc, module.__name__
        assert doc.index("Anti-pattern") < doc.index("Best practice"), module.__name__
