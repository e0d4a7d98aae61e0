"""Counts: a wording must be said at least ``min`` and/or at most ``max`` times in the window.

Anti-pattern (``max: 2`` of 不好意思 fails): the agent apologises five times in one call.
Best practice (passes): a confirmation asked at least once (``min: 1`` of 对吗 / 是吗 when taking numbers).
YAML::

    service.confirm_once:
      check: courtesy
      kind: count
      phrases: [对吗, 是吗, 没错吧]
      min: 1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from ..rulebook.schema import RuleBase, Words
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext


class CountRule(RuleBase, Words):
    kind: Literal["count"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> CountRule:
        if self.min is None and self.max is None:
            raise ValueError("a count rule needs min and/or max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is larger than max")
        return self


def evaluate(rule: CountRule, ctx: CallContext) -> Outcome:
    segs = ctx.window_segments(rule.stage, rule.window, rule.speaker)
    if not segs:
        return Outcome("n/a")
    # only utterances where a wording can occur (the call's index says which): the tics counted
    # here are two-character words, looked up in every utterance of the window otherwise
    maybe = ctx.segments_with(rule.ws)
    found = [(i, sp) for i in segs if i in maybe for sp in ctx.spans(i, rule.ws)]
    n = len(found)
    if rule.max is not None and n > rule.max:
        return Outcome("fail", [hit(ctx, i, sp, notes=[note("count_max", n=n, max=rule.max)])
                                for i, sp in found[rule.max:]])
    if rule.min is not None and n < rule.min:
        return Outcome("fail", [hit(ctx, segs[0], notes=[note("count_min", n=n, min=rule.min)])])
    return Outcome("pass")
