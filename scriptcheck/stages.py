"""Call stages (greeting, service, hold, closing) and hold detection.

Windows and thresholds come from the rulebook's ``stages`` section; nothing here is tuned per rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import CallContext, Hold


def find_holds(ctx: CallContext) -> list[Hold]:
    """Waits the agent caused.

    Timed calls: a silence >= ``min_gap`` between segments, unless the customer asked for it
    (我找一下 / 你等我一下 in the last customer turn before the gap). Untimed calls: an announced
    wait (请稍等…) answered by the agent's next segment, with at most a short acknowledgement
    (好的) from the customer in between.
    """
    from .context import Hold

    cfg = ctx.stage_settings.hold
    segs = ctx.call.segments
    holds: list[Hold] = []
    if ctx.timed:
        starts, ends = ctx.times
        min_gap = cfg.min_gap
        latest_end = ends[0] if segs else 0.0
        for i in range(1, len(segs)):
            gap = starts[i] - latest_end
            if gap >= min_gap and not _customer_caused(ctx, i - 1):
                holds.append(Hold(i - 1, i, round(gap, 2)))
            if ends[i] > latest_end:
                latest_end = ends[i]
        return holds
    if not cfg.notice:
        return holds
    for i, s in enumerate(segs):
        if s.speaker != "agent" or not ctx.said(i, cfg.notice.ws):
            continue
        j = i + 1
        if j < len(segs) and segs[j].speaker == "customer" and len(ctx.norms[j].text) <= cfg.max_ack_chars:
            j += 1
        if j < len(segs) and segs[j].speaker == "agent":
            holds.append(Hold(i, j, None))
    return holds


def _is_question(ctx: CallContext, seg: int) -> bool:
    text = ctx.call.segments[seg].text.rstrip()
    return text.endswith(("？", "?")) or ctx.norms[seg].text.endswith(("吗", "呢", "么"))


def _customer_caused(ctx: CallContext, before: int) -> bool:
    """The customer owes the next words: the agent just asked a question (请问订单号是多少?),
    or the customer asked for the pause (我找一下) in one of the two segments before the gap."""
    if ctx.speaker_of(before) == "agent" and _is_question(ctx, before):
        return True
    ws = ctx.stage_settings.hold.customer_wait
    if not ws:
        return False
    return any(k >= 0 and ctx.speaker_of(k) == "customer" and ctx.said(k, ws.ws) for k in (before, before - 1))


def assign_stages(ctx: CallContext) -> list[str]:
    """One stage label per segment: greeting, then closing, then holds override service."""
    labels = ["service"] * len(ctx.call.segments)
    for i in ctx.closing_segments:
        labels[i] = "closing"
    for h in ctx.holds:
        labels[h.before] = labels[h.after] = "hold"
    for i in ctx.greeting_segments:
        labels[i] = "greeting"
    return labels
