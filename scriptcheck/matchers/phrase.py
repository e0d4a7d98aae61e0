"""Forbidden phrases and red lines: any wording of the rule said by the speaker is a hit.

Anti-pattern (fires): 你再说一遍 · 你等一会 · 有意见找领导去
Best practice (passes): 请您再说一遍好吗 (an ``except`` wording overlapping the hit wins) ·
路口交通 for 口交 (hits of <= 2 characters must be whole jieba words) ·
刚才同事说"你等一会",实在抱歉 (quoted, or a cue like 同事说 before it) · 我们不能说"没办法" (negation) ·
我不清楚你找师傅问去这样的回答不符合规范 (mentioned, not said: a cue right after it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from ..model import Hit, Status
from ..rulebook.schema import RuleBase, Words
from .base import FEW_SEGMENTS, Outcome, merge_spans, note, span_hit

if TYPE_CHECKING:
    from ..context import CallContext

_OPEN_QUOTES = "“「『‘《"
_CLOSE_QUOTES = "”」』’》"
_ANY_QUOTE = re.compile("[" + re.escape(_OPEN_QUOTES + _CLOSE_QUOTES + '"') + "]")


class PhraseRule(RuleBase, Words):
    kind: Literal["forbidden", "redline"]
    except_: Words = Field(default_factory=Words, alias="except")
    unless: Words = Field(default_factory=Words)
    allowed_on: list[str] = Field(default_factory=list)
    phonetic: int = Field(default=4, ge=0)  # homophone hits for phrases of >= N Han chars (forbidden only); 0 = off
    boundary: bool = True  # short hits must be whole jieba words (off for wordings used as conditions)

    def heard(self) -> list[tuple[Words, int]]:
        return [*super().heard(), *(((self, self.phonetic), (self.except_, self.phonetic)) if self.phonetic else ())]

    @model_validator(mode="after")
    def _red(self) -> PhraseRule:
        if self.kind == "redline":
            self.red_line = True
        for d in self.allowed_on:
            _parse_range(d)
        return self


@lru_cache(maxsize=1024)
def _parse_range(text: str) -> tuple[date, date]:
    """``2026-10-01`` or ``2026-10-01..2026-10-07``."""
    a, _, b = text.partition("..")
    try:
        return date.fromisoformat(a.strip()), date.fromisoformat((b or a).strip())
    except ValueError as e:
        raise ValueError(f"allowed_on: {text!r} is not a date or date..date range") from e


def _quoted(original: str, pos: int) -> bool:
    """True when ``pos`` lies inside quotation marks (a taboo quoted, e.g. to apologise for it)."""
    before = original[:pos]
    if not _ANY_QUOTE.search(before):  # most utterances quote nothing: one scan, not eleven counts
        return False
    depth = sum(before.count(c) for c in _OPEN_QUOTES) - sum(before.count(c) for c in _CLOSE_QUOTES)
    return depth > 0 or before.count('"') % 2 == 1


def _strip_fillers(ctx: CallContext, text: str) -> str:
    for f in ctx.lexicon.normalizer.fillers:
        if f:
            text = text.replace(f, "")
    return text


def _allowed_today(rule: PhraseRule, ctx: CallContext) -> bool:
    if not rule.allowed_on:
        return False
    if not ctx.call.started_at:
        return True  # no date: cannot tell, so never blame the agent
    try:
        day = date.fromisoformat(ctx.call.started_at[:10])
    except ValueError:
        return True
    return any(a <= day <= b for a, b in map(_parse_range, rule.allowed_on))


def evaluate(rule: PhraseRule, ctx: CallContext) -> Outcome:
    # homophones only of phrases long enough to count (most heard are shorter)
    maybe = ctx.segments_with(rule.ws, sounds=rule.phonetic)
    if not maybe:  # usually none of the wordings occurs in the call at all
        return Outcome("pass")
    hits: list[Hit] = []
    review: list[Hit] = []
    for weak, h in _findings(rule, ctx, maybe):
        (review if weak else hits).append(h)
    return Outcome("fail" if hits else "pass", hits, review)


def status(rule: PhraseRule, ctx: CallContext) -> Status:
    """What ``evaluate`` would decide, without its evidence: stops at the first hit. A rule under
    ``not`` (the confirmation asked somewhere in the call) only needs to know that it fires, and
    its common wordings (对吗 / 是吗) would otherwise be checked and turned into hits one by one."""
    maybe = ctx.segments_with(rule.ws, sounds=rule.phonetic)
    return "fail" if maybe and any(not weak for weak, _ in _findings(rule, ctx, maybe)) else "pass"


def _findings(rule: PhraseRule, ctx: CallContext, maybe: set[int]) -> Iterator[tuple[bool, Hit]]:
    """The rule's hits in call order among the utterances ``maybe`` where its wordings may be, each
    with ``True`` when it is only for review (a red-line phrase heard by sound): one generator behind
    both ``evaluate`` and ``status``."""
    if _allowed_today(rule, ctx):
        return
    ws, phonetic = rule.ws, rule.phonetic
    guards = ctx.settings.guards
    window = ctx.window_set(rule.stage, rule.window, rule.speaker)
    # the rule's parts, read once (a word list looks at tens of utterances a call)
    unless = rule.unless.ws if rule.unless else None
    except_ = rule.except_.ws if rule.except_ else None
    heard_at = ctx.heard_in(ws, phonetic) if phonetic else ()
    red_line = rule.is_red_line
    # the exceptions' patterns run on the utterances looked at, unless they are many (a pass then)
    except_spans = ctx.spans_at if len(maybe) <= FEW_SEGMENTS else ctx.spans
    # where each guard's wordings are said at all (most utterances have none)
    negation_at = ctx.where(guards.negation.ws) if guards.negation else ()
    mention_at = ctx.where(guards.mention_after.ws) if guards.mention_after else ()
    reported_at = ctx.where(guards.reported.ws) if guards.reported else ()
    shortest_word = guards.word_boundary_max_chars if rule.boundary else -1  # hits this short: whole words only
    for seg in sorted(maybe):
        if seg not in window:
            continue
        spans = ctx.spans(seg, ws)
        # ASR homophones (你在说一遍) count for taboo phrases; for a red line they only ask for review
        sounds = ctx.sound_spans(seg, ws, phonetic) if seg in heard_at else []
        if sounds:  # a homophone over a wording said is that wording (hit already), and never
            # across the pronoun: 您想怎么样 is the polite form, not the taboo 你想怎么样
            sounds = [sp for sp in sounds if not any(x < sp[1] and sp[0] < y for x, y in spans)
                      and "您" not in ctx.norms[seg].text[sp[0]:sp[1]]]
        if not spans and not sounds:
            continue
        if unless is not None and ctx.said(seg, unless):
            continue
        norm = ctx.norms[seg]
        allowed = except_spans(seg, except_) if except_ is not None else []
        if except_ is not None and phonetic:
            allowed += ctx.sound_spans(seg, except_, phonetic)
        negations = ctx.spans(seg, guards.negation.ws) if seg in negation_at else []
        mentions = ctx.spans(seg, guards.mention_after.ws) if seg in mention_at else []
        reported = ctx.spans(seg, guards.reported.ws) if seg in reported_at else []
        heard = set(sounds) if sounds else ()
        quotes = guards.quotes and _ANY_QUOTE.search(norm.original) is not None  # most quote nothing
        found = merge_spans(spans + sounds) if sounds or len(spans) > 1 else spans
        for a, b in found:  # (each guard is tested only when present here)
            if allowed and any(x < b and a < y for x, y in allowed):
                continue
            if negations and any(a - guards.negation_window <= y <= a for _, y in negations):
                continue
            if reported and any(y <= a and not _strip_fillers(ctx, norm.text[y:a]) for _, y in reported):
                continue  # reported speech: 同事说(嗯)你等一会
            if mentions and any(b <= x <= b + guards.mention_window for x, _ in mentions):
                continue  # quoted without quotation marks (ASR): "…这样的回答不符合规范"
            if quotes and _quoted(norm.original, norm.span(a, b)[0]):
                continue
            if b - a <= shortest_word and not {a, b} <= ctx.word_bounds(seg):
                continue  # a short phrase inside a longer word (白痴 in 白痴呆): not the phrase
            if (a, b) not in heard:
                yield False, span_hit(norm, seg, (a, b))
            elif red_line:
                yield True, span_hit(norm, seg, (a, b), notes=[note("homophone_review")], confidence=0.5)
            else:
                yield False, span_hit(norm, seg, (a, b), notes=[note("homophone")], confidence=0.7)
