"""Timing: the agent starting to speak while the customer is still speaking.

Only agent-initiated overlaps count: measured from the agent's start to the earlier of the two
ends; backchannels shorter than ``min_seconds`` don't. n/a without timestamps.

Anti-pattern (fails ``interruption``): customer 6.2–14.3 s, agent starts at 11.9 s (2.4 s overlap).
Best practice (passes): the agent starts after the customer's segment ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..rulebook.schema import RuleBase
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext


class TimingRule(RuleBase):
    kind: Literal["timing"]
    metric: Literal["overlap"] = "overlap"
    min_seconds: float = Field(default=1.0, gt=0)


def overlaps(ctx: CallContext, min_seconds: float) -> list[tuple[int, int, float]]:
    """(agent segment, customer segment, seconds) for every agent-initiated overlap."""
    segs = ctx.call.segments
    out = []
    for i, a in enumerate(segs):
        if a.speaker != "agent":
            continue
        for j, c in enumerate(segs):
            if c.speaker != "customer" or not (c.start < a.start < c.end):
                continue
            secs = min(c.end, a.end) - a.start
            if secs >= min_seconds:
                out.append((i, j, round(secs, 2)))
                break
    return out


def evaluate(rule: TimingRule, ctx: CallContext) -> Outcome:
    if not ctx.call.timed:
        return Outcome("n/a")
    hits = [hit(ctx, i, notes=[note("overlap", secs=f"{secs:.1f}")]) for i, _, secs in overlaps(ctx, rule.min_seconds)]
    return Outcome("fail" if hits else "pass", hits)
