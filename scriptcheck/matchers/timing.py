"""Timing: measures of how the call was spoken, from segment timestamps (n/a without them).

``metric``:
- ``overlap``: the agent starts while the customer is still speaking, for at least ``min_seconds``
  (measured from the agent's start to the earlier of the two ends; backchannels below it don't count);
- ``gap``: a silence of at least ``min_seconds`` between segments;
- ``speech_rate``: an agent segment of 3 s or more spoken outside ``range`` characters per minute;
- ``talk_ratio``: the agent's share of all talk time outside ``range`` (0..1).

Anti-pattern (fails ``interruption``): customer 6.2–14.3 s, agent starts at 11.9 s (2.4 s overlap).
Best practice (passes): the agent starts after the customer's segment ends.
YAML::

    interruption.overlap:
      check: interruption
      kind: timing
      metric: overlap
      min_seconds: 1.0
"""

from __future__ import annotations

import bisect
from itertools import accumulate
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from ..rulebook.schema import RuleBase
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext

MIN_RATE_SECONDS = 3.0  # shorter segments give meaningless speech rates


class TimingRule(RuleBase):
    kind: Literal["timing"]
    metric: Literal["overlap", "gap", "speech_rate", "talk_ratio"] = "overlap"
    min_seconds: float = Field(default=1.0, gt=0)
    range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _range(self) -> TimingRule:
        if self.metric in ("speech_rate", "talk_ratio") and self.range is None:
            raise ValueError(f"metric {self.metric} needs range: [low, high]")
        if self.range is not None and self.range[0] > self.range[1]:
            raise ValueError("range must be [low, high]")
        return self


def overlaps(ctx: CallContext, min_seconds: float) -> list[tuple[int, int, float]]:
    """(agent segment, customer segment, seconds) for every agent-initiated overlap.

    Times are read from the call's two cached lists (``ctx.times``), not from the segments; the
    customer segments are sorted by start, ties by index (a stable sort of indexes in call order:
    the order of the ``(start, index, end)`` tuples this once sorted)."""
    segs = ctx.call.segments
    starts, ends = ctx.times
    customers = [j for j, s in enumerate(segs) if s.speaker == "customer"]
    customers.sort(key=starts.__getitem__)
    c_starts = [starts[j] for j in customers]
    reach = list(accumulate((ends[j] for j in customers), max))  # latest end so far, in start order
    out = []
    for i, a in enumerate(segs):
        if a.speaker != "agent":
            continue
        a_start = starts[i]
        k = bisect.bisect_left(c_starts, a_start)
        if not k or reach[k - 1] <= a_start:
            continue  # no customer who started earlier is still talking (most agent turns)
        a_end = ends[i]
        # customer segments that started before the agent did, latest first (a 10,000-turn call stays linear-ish)
        for j in reversed(customers[max(0, k - 8):k]):
            c_start, c_end = starts[j], ends[j]
            if c_start < a_start < c_end and min(c_end, a_end) - a_start >= min_seconds:
                out.append((i, j, round(min(c_end, a_end) - a_start, 2)))
                break
    return out


def gaps(ctx: CallContext, min_seconds: float) -> list[tuple[int, float]]:
    """(segment after the silence, seconds) for every silence of at least ``min_seconds``."""
    segs = ctx.call.segments
    out, latest = [], segs[0].end if segs else 0.0
    for i in range(1, len(segs)):
        if segs[i].start - latest >= min_seconds:
            out.append((i, round(segs[i].start - latest, 2)))
        latest = max(latest, segs[i].end)
    return out


def evaluate(rule: TimingRule, ctx: CallContext) -> Outcome:
    if not ctx.timed:
        return Outcome("n/a")
    segs = ctx.call.segments
    hits = []
    if rule.metric == "overlap":
        hits = [hit(ctx, i, notes=[note("overlap", secs=f"{s:.1f}")]) for i, _, s in ctx.overlaps(rule.min_seconds)]
    elif rule.metric == "gap":
        hits = [hit(ctx, i, notes=[note("gap", secs=f"{s:.1f}")]) for i, s in gaps(ctx, rule.min_seconds)]
    elif rule.metric == "speech_rate":
        low, high = rule.range or (0, 0)
        # lengths of the folded utterances, without making each one's folded view
        starts, ends, lens = *ctx.times, ctx.norms.lens
        for i in ctx.window_segments(rule.stage, rule.window, rule.speaker):
            dur = ends[i] - starts[i]
            if dur >= MIN_RATE_SECONDS:
                rate = lens[i] / (dur / 60)
                if not low <= rate <= high:
                    hits.append(hit(ctx, i, notes=[note("speech_rate", rate=f"{rate:.0f}")]))
    else:
        talk = {"agent": 0.0, "customer": 0.0}
        for s in segs:
            if s.speaker in talk:
                talk[s.speaker] += s.end - s.start
        total = talk["agent"] + talk["customer"]
        if not total:
            return Outcome("n/a")
        ratio = talk["agent"] / total
        low, high = rule.range or (0, 1)
        first = next((i for i, s in enumerate(segs) if s.speaker == "agent"), 0)
        if not low <= ratio <= high:
            hits = [hit(ctx, first, notes=[note("talk_ratio", ratio=f"{ratio:.2f}")])]
    return Outcome("fail" if hits else "pass", hits)
