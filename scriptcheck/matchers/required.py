"""Required wordings: every group (``all_of``, plus the rule's own phrases/patterns as one group)
must be said somewhere in the rule's window (stage or first/last N agent turns).

Paraphrases of phrases of five or more characters are accepted when their rapidfuzz
``partial_ratio`` reaches ``fuzzy``; a missing group reports the closest candidate.

Anti-pattern (fails ``greeting``): 喂,你好。 · 您好,请讲。
Best practice (passes): 您好,XX公司,很高兴为您服务,请问有什么可以帮您?
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field
from rapidfuzz import fuzz

from ..normalize import fold
from ..rulebook.schema import RuleBase, Window, Words
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext

FUZZY_MIN_CHARS = 5


class RequiredRule(RuleBase, Words):
    kind: Literal["required"]
    all_of: list[Words] = Field(default_factory=list)
    window: Window | None = None
    fuzzy: float = Field(default=0.0, ge=0, le=100)
    phonetic: int = Field(default=3, ge=0)  # homophone match for phrases of >= N Han chars; 0 = off

    def groups(self) -> list[Words]:
        own = [self] if (self.phrases or self.patterns) else []
        return own + list(self.all_of)


def _closest(group: Words, texts: list[str]) -> tuple[str, float]:
    best, score = "", 0.0
    for p in group.phrases:
        f = fold(p)
        for t in texts:
            s = fuzz.partial_ratio(f, t) if t else 0.0
            if s > score:
                best, score = p, s
    return best, score


def evaluate(rule: RequiredRule, ctx: CallContext) -> Outcome:
    segs = ctx.window_segments(rule.stage, rule.window)
    if not segs:
        return Outcome("n/a")
    texts = [ctx.norms[i].text for i in segs]
    notes = []
    for group in rule.groups():
        if any(ctx.said(i, group.ws) for i in segs):
            continue
        if rule.phonetic and any(ctx.sounds_like(i, group.ws, rule.phonetic) for i in segs):
            continue
        best, score = _closest(group, texts)
        if rule.fuzzy and score >= rule.fuzzy and len(fold(best)) >= FUZZY_MIN_CHARS:
            continue
        want = group.phrases[0] if group.phrases else group.patterns[0]
        if best and score:
            notes.append(note("missing_closest", want=want, best=best, score=f"{score / 100:.2f}"))
        else:
            notes.append(note("missing", want=want))
    if not notes:
        return Outcome("pass")
    return Outcome("fail", [hit(ctx, segs[-1] if rule.stage == "closing" else segs[0], notes=notes)])
