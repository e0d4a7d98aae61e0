"""Who is the agent? Role inference for calls whose speaker labels are missing or swapped.

Diarized ASR gives ``spk0``/``spk1`` (or nothing: mono ASR, a trainee's lines). The agent is the
side that speaks the service script (您好…很高兴为您服务, 请稍等, 工号, 感谢您的来电), the
customer the side that asks (我想…, 我的…, 你们…). Cue wordings live in the rulebook
(``settings.roles``). An inference is always reported (``report.roles``) with its confidence; below
``min_confidence`` the call is not guessed at: it becomes an error record, its checks n/a.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .model import Call, Segment

if TYPE_CHECKING:
    from .context import CallContext
    from .lexicon import WordSet
    from .rulebook.schema import RoleSettings


@dataclass
class Inference:
    call: Call
    roles: dict[str, Any]
    error: str | None = None


def _said_in(ctx: CallContext, ws: WordSet, segs: list[int]) -> int:
    """How many of ``segs`` say a wording of ``ws``: only utterances where one may occur are looked at."""
    maybe = ctx.segments_with(ws)
    return sum(1 for i in maybe.intersection(segs) if ctx.said(i, ws))


def _cue_score(ctx: CallContext, cfg: RoleSettings, segs: list[int]) -> float:
    """Agent-likeness of a group of utterances: (agent cues - customer cues) per utterance."""
    if not segs:
        return 0.0
    return (_said_in(ctx, cfg.agent.ws, segs) - _said_in(ctx, cfg.customer.ws, segs)) / len(segs)


def _relabel(call: Call, speaker_of: dict[int, str], roles: dict[str, Any]) -> Call:
    segs = [Segment(**{**s.model_dump(), "speaker": speaker_of.get(i, s.speaker)}) for i, s in enumerate(call.segments)]
    return call.model_copy(update={"segments": segs, "roles": roles})


def infer_roles(call: Call, ctx: CallContext, cfg: RoleSettings) -> Inference:
    if call.roles and call.roles.get("source") == "option":  # the user said who is who (--roles)
        return Inference(call, call.roles)
    segs = call.segments
    unknown = [i for i, s in enumerate(segs) if s.speaker == "unknown"]
    if not unknown:
        return _check_swap(call, ctx, cfg)
    if len(unknown) < len(segs):
        return Inference(call, {"source": "labels"})  # odd segments alongside known roles: not judged
    labels = list(dict.fromkeys(s.label for s in segs))  # first-heard order: the same output every run
    if len(labels) >= 2 and None not in labels:
        groups = {lab: [i for i, s in enumerate(segs) if s.label == lab] for lab in labels}
        scores = {lab: _cue_score(ctx, cfg, idx) for lab, idx in groups.items()}
        ranked = sorted(scores, key=scores.get, reverse=True)
        confidence = round(min(1.0, scores[ranked[0]] - scores[ranked[1]]), 2)
        mapping = {lab: ("agent" if lab == ranked[0] else "customer") for lab in labels}
        roles = {"source": "speaker_ids", "confidence": confidence, "mapping": mapping}
        if confidence < cfg.min_confidence:
            return Inference(call, roles, f"call {call.call_id}: speaker roles are ambiguous "
                             f"(labels {sorted(map(str, labels))}, confidence {confidence}); not guessing")
        return Inference(_relabel(call, {i: mapping[s.label] for i, s in enumerate(segs)}, roles), roles)
    if len(labels) == 1 and None not in labels and len(segs) > 1:
        return Inference(call, {"source": "none"}, f"call {call.call_id}: no usable segments: every segment "
                         f"has the speaker label {next(iter(labels))!r}, roles cannot be told apart")
    if len(segs) == 1:
        return Inference(call, {"source": "none"}, f"call {call.call_id}: no usable segments: one segment, "
                         "speaker unknown")
    # No labels at all: each line by its own cues; a line without cues answers the line before it.
    votes = [_cue_score(ctx, cfg, [i]) for i in range(len(segs))]
    resolved = [("agent" if v > 0 else "customer") if v else None for v in votes]
    confidence = round(sum(r is not None for r in resolved) / len(segs), 2)
    roles = {"source": "turn_cues", "confidence": confidence}
    if not any(r == "agent" for r in resolved) or confidence < cfg.min_confidence:
        return Inference(call, roles, f"call {call.call_id}: no speaker labels and the turns do not show who "
                         f"the agent is (confidence {confidence}); not guessing")
    flip = {"agent": "customer", "customer": "agent"}
    first = next(r for r in resolved if r is not None)
    prev = flip[first]  # lines before the first cue alternate back from it
    filled = []
    for r in resolved:
        prev = r if r is not None else flip[prev]
        filled.append(prev)
    return Inference(_relabel(call, dict(enumerate(filled)), roles), roles)


def _check_swap(call: Call, ctx: CallContext, cfg: RoleSettings) -> Inference:
    """Labelled calls: swap agent and customer when the 'customer' plainly speaks the agent's script."""
    segs = call.segments
    agent = [i for i, s in enumerate(segs) if s.speaker == "agent"]
    customer = [i for i, s in enumerate(segs) if s.speaker == "customer"]
    if not agent or not customer:
        return Inference(call, {"source": "labels"})
    # how much the "customer" sounds like an agent: never, in most calls, when no agent cue is
    # said on that side (then neither the customer cues there nor the agent's side are counted)
    agent_cues = _said_in(ctx, cfg.agent.ws, customer)
    as_agent = (agent_cues - _said_in(ctx, cfg.customer.ws, customer)) / len(customer) if agent_cues else 0.0
    if as_agent <= 0:
        return Inference(call, {"source": "labels"})
    margin = as_agent - _cue_score(ctx, cfg, agent)
    if margin < cfg.swap_margin:
        return Inference(call, {"source": "labels"})
    roles = {"source": "swapped", "confidence": round(min(1.0, margin), 2)}
    flip = {"agent": "customer", "customer": "agent"}
    return Inference(_relabel(call, {i: flip[s.speaker] for i, s in enumerate(segs)}, roles), roles)
