"""Sequences: a wording must come before or after an anchor — a hold (``anchor: {event: hold}``)
or another wording (``anchor: {phrases: [...], speaker: agent}``). n/a when the anchor never occurs.

``position: before`` searches the ``segments`` segments ending at the anchor (for a hold: the last
segment before the silence); ``after`` searches the speaker's first ``segments`` segments from the
anchor on (for a hold: after the silence). ``within_seconds`` narrows either side in timed calls.

Anti-pattern (fails ``hold_notify``): 嗯。 … 15 s of silence … 您的套餐是…
Best practice (passes): 好的,现在为您查询,请稍等。 … 感谢您的耐心等待。
YAML::

    hold.notify:
      check: hold_notify
      kind: sequence
      anchor: {event: hold}
      position: before
      phrases: [请稍等, 为您查询]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from ..rulebook.schema import RuleBase, Words
from .base import FEW_SEGMENTS, Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext


class Anchor(Words):
    """What the wording is placed against: an event of the call, or wordings said by ``speaker``."""

    event: Literal["hold"] | None = None
    speaker: Literal["agent", "customer", "any"] = "any"

    @model_validator(mode="after")
    def _one(self) -> Anchor:
        if (self.event is None) == (not (self.phrases or self.patterns)):
            raise ValueError("an anchor is either `event: hold` or phrases/patterns")
        return self


class SequenceRule(RuleBase, Words):
    kind: Literal["sequence"]
    anchor: Anchor
    position: Literal["before", "after"]
    segments: int = Field(default=2, ge=1)
    within_seconds: float | None = Field(default=None, gt=0)
    phonetic: int = Field(default=3, ge=0)  # homophone match for phrases of >= N Han chars; 0 = off

    def heard(self) -> list[tuple[Words, int]]:
        return [*super().heard(), *(((self, self.phonetic),) if self.phonetic else ())]


def _anchors(rule: SequenceRule, ctx: CallContext) -> list[tuple[int, int, list]]:
    """(last segment before, first segment after, notes) for every occurrence of the anchor."""
    if rule.anchor.event == "hold":
        return [(h.before, h.after, [note("hold", gap=f"{h.gap:.1f}") if h.gap is not None else note("hold_untimed")])
                for h in ctx.holds]
    return [(i, i, []) for i, s in enumerate(ctx.call.segments)
            if rule.anchor.speaker in ("any", s.speaker) and ctx.said(i, rule.anchor.ws)]


def evaluate(rule: SequenceRule, ctx: CallContext) -> Outcome:
    anchors = _anchors(rule, ctx)
    if not anchors:
        return Outcome("n/a")
    segs = ctx.call.segments
    who = rule.speaker
    hits = []
    for before, after, why in anchors:
        if rule.position == "before":
            lo = max(0, before - rule.segments + 1)
            window = [i for i in range(lo, before + 1) if who in ("any", segs[i].speaker)]
            anchor_seg = before
        else:
            window = [i for i in range(after, len(segs)) if who in ("any", segs[i].speaker)][: rule.segments]
            anchor_seg = window[0] if window else after
        if rule.within_seconds and ctx.call.timed:
            ref = segs[before].end if rule.position == "before" else segs[after].start
            window = [i for i in window if abs((segs[i].start if rule.position == "after" else segs[i].end) - ref)
                      <= rule.within_seconds]
        if ctx.said_few(window, rule.ws, FEW_SEGMENTS):
            continue
        if rule.phonetic and any(ctx.sounds_like(i, rule.ws, rule.phonetic) for i in window):
            continue
        hits.append(hit(ctx, anchor_seg, notes=why))
    return Outcome("fail" if hits else "pass", hits)
