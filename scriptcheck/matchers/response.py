"""Responses: when the customer says a trigger, the agent's next segments must not say ``forbid``
and must say ``expect``. With no trigger in the call the rule is ``absent`` (pass by default).

Anti-pattern (fails ``surname_leak``): 客户:你叫什么名字? / 坐席:我姓陈,您叫我陈老师就行。
Best practice (passes): 客户:你叫什么名字? / 坐席:我的工号是7310。
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..rulebook.schema import RuleBase, Words
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext


class ResponseRule(RuleBase):
    kind: Literal["response"]
    trigger: Words
    trigger_speaker: Literal["agent", "customer"] = "customer"
    forbid: Words = Field(default_factory=Words)
    expect: Words = Field(default_factory=Words)
    turns: int = Field(default=2, ge=1)
    absent: Literal["pass", "n/a"] = "pass"
    first_trigger_only: bool = False


def evaluate(rule: ResponseRule, ctx: CallContext) -> Outcome:
    segs = ctx.call.segments
    triggers = [i for i in sorted(ctx.segments_with(rule.trigger.ws))
                if segs[i].speaker == rule.trigger_speaker and ctx.said(i, rule.trigger.ws)]
    if not triggers:
        return Outcome(rule.absent)
    if rule.first_trigger_only:
        triggers = triggers[:1]
    hits = []
    for t in triggers:
        replies = [i for i in range(t + 1, len(segs)) if segs[i].speaker == rule.speaker][: rule.turns]
        if rule.forbid:
            for i in replies:
                hits.extend(hit(ctx, i, span) for span in ctx.spans(i, rule.forbid.ws))
        if rule.expect and replies and not ctx.said_any(replies, rule.expect.ws):
            hits.append(hit(ctx, replies[0], notes=[note("no_response")]))
    return Outcome("fail" if hits else "pass", hits)
