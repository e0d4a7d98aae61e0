"""Hold etiquette: around every hold (see ``stages.find_holds``) the agent must say a wording —
``position: before`` (the notice, in the last segments before the wait) or ``after`` (the thanks,
in the agent's first segments after it). n/a when the call has no hold.

Anti-pattern (fails ``hold_notify``): 嗯。 … 15 s of silence … 您的套餐是…
Best practice (passes): 好的,现在为您查询,请稍等。 … 感谢您的耐心等待。
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..rulebook.schema import RuleBase, Words
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext


class HoldRule(RuleBase, Words):
    kind: Literal["hold"]
    position: Literal["before", "after"]
    segments: int = Field(default=2, ge=1)
    phonetic: int = Field(default=3, ge=0)  # homophone match for phrases of >= N Han chars; 0 = off


def evaluate(rule: HoldRule, ctx: CallContext) -> Outcome:
    if not ctx.holds:
        return Outcome("n/a")
    n = len(ctx.call.segments)
    hits = []
    for h in ctx.holds:
        if rule.position == "before":
            window = [i for i in range(max(0, h.before - rule.segments + 1), h.before + 1)
                      if ctx.speaker_of(i) == "agent"]
            anchor = h.before
        else:
            window = [i for i in range(h.after, n) if ctx.speaker_of(i) == "agent"][: rule.segments]
            anchor = window[0] if window else h.after
        if any(ctx.said(i, rule.ws) or (rule.phonetic and ctx.sounds_like(i, rule.ws, rule.phonetic)) for i in window):
            continue
        why = note("hold", gap=f"{h.gap:.1f}") if h.gap is not None else note("hold_untimed")
        hits.append(hit(ctx, anchor, notes=[why]))
    return Outcome("fail" if hits else "pass", hits)
