"""Matcher kinds: one module each, a pydantic rule model plus a pure ``evaluate(rule, ctx)``.

``KINDS`` maps the rulebook's ``kind:`` to its module; ``tests/test_matchers_registry.py`` checks
that every module in this package is listed, so a new kind cannot be forgotten.
"""

from __future__ import annotations

from types import ModuleType
from typing import Annotated, Union

from pydantic import Field

from . import hold, phrase, pii, required, response, timing

KINDS: dict[str, ModuleType] = {
    "forbidden": phrase,
    "redline": phrase,
    "required": required,
    "hold": hold,
    "response": response,
    "timing": timing,
    "pii": pii,
}

RULE_MODELS = (phrase.PhraseRule, required.RequiredRule, hold.HoldRule, response.ResponseRule,
               timing.TimingRule, pii.PiiRule)

Rule = Annotated[Union[RULE_MODELS], Field(discriminator="kind")]  # noqa: UP007
