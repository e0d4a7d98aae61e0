"""Matcher kinds: one module each, a pydantic rule model plus a pure ``evaluate(rule, ctx)``.

``KINDS`` maps the rulebook's ``kind:`` to its module; ``tests/test_matchers_registry.py`` checks
that every module in this package is listed, so a new kind cannot be forgotten.
"""

from __future__ import annotations

from types import ModuleType
from typing import Annotated, Any, Union

from pydantic import Field, TypeAdapter

from . import compose, count, phrase, pii, required, response, sequence, timing

KINDS: dict[str, ModuleType] = {
    "forbidden": phrase,
    "redline": phrase,
    "required": required,
    "sequence": sequence,
    "response": response,
    "timing": timing,
    "count": count,
    "pii": pii,
    "all": compose,
    "any": compose,
    "not": compose,
}

RULE_MODELS = (phrase.PhraseRule, required.RequiredRule, sequence.SequenceRule, response.ResponseRule,
               timing.TimingRule, count.CountRule, pii.PiiRule, compose.ComposeRule)

Rule = Annotated[Union[RULE_MODELS], Field(discriminator="kind")]  # noqa: UP007
RULE_ADAPTER: TypeAdapter[Any] = TypeAdapter(Rule)
