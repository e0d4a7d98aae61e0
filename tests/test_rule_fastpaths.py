"""The matchers' shortcuts decide exactly what the plain definitions decide.

Each fast path (a status without its evidence, a rule stopped once its outcome is known, an
utterance skipped because it cannot match) is compared here with the obvious implementation on
realistic calls, near misses included, for every rule of the default rulebook it applies to.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import make_polite_call, make_transcript

from scriptcheck.context import CallContext
from scriptcheck.engine import Checker
from scriptcheck.matchers import KINDS, compose, phrase
from scriptcheck.matchers.base import Outcome, hit, note
from scriptcheck.matchers.compose import ComposeRule
from scriptcheck.matchers.phrase import PhraseRule

CALLS = [
    # a mobile number read back and confirmed / not confirmed / confirmed only by a near miss
    "客户：我的手机号是13905718246。\n坐席：好的，您的手机号是139，0571，8246，对吗？",
    "客户：我的手机号是一三九零五七一八二四六。\n坐席：好的，我帮您查一下。",
    "客户：我的手机号是13905718246。\n坐席：好的，我对吗啡过敏这件事不清楚。\n客户：什么？",
    "客户：号码是幺三八，嗯，零五七一，八二四六。\n坐席：您的号码是138 0571 8246，是不是？",
    "客户：我的电话是1390571824。\n坐席：好的，我帮您查一下。",  # ten digits: not a mobile
    # taboo wordings, quoted, negated, reported, by sound, and inside longer words
    "客户：你们怎么回事？\n坐席：你再说一遍，太小声了。\n坐席：你等一会，我查一下。",
    "坐席：刚才同事说“你等一会”，实在抱歉。\n坐席：我们不能说没办法。",
    "坐席：你在说一遍吧。\n客户：好的。\n坐席：我帮您把滚筒洗衣机的报修提交了。",
    "坐席：路口交通管制，白痴呆症的资料我发给您。\n客户：神经病学的书呢？",
    "客户：你们他妈的就是骗子！\n坐席：先生，您先消消气，我马上帮您处理。",
    "坐席：你有病吧？自己不懂还来骂人。\n客户：你说什么？\n坐席：神经病，滚！",
    # verbal tics and confirmations in quantity
    "坐席：那个，就是说，那个套餐呢，那个，就是说每个月，那个，五十八，那个，对吧。\n客户：是吧？",
    "坐席：对吧，是吧，对吧，是吧。\n客户：对吗？\n坐席：是吗？对不对？没错吧？",
]


def contexts(checker: Checker) -> list[CallContext]:
    out = []
    for i, text in enumerate(CALLS):
        for call in (make_transcript(text, call_id=f"b{i}"), make_polite_call(text, call_id=f"p{i}")):
            out.append(checker.context(call))
    return out


def all_rules(rules: list[Any]) -> list[Any]:
    """Every rule and every sub-rule, depth first."""
    out = []
    for r in rules:
        out.append(r)
        out.extend(all_rules(list(getattr(r, "of", None) or [])))
    return out


def reference_compose(rule: ComposeRule, ctx: CallContext) -> Outcome:
    """``compose.evaluate`` as first written: every sub-rule evaluated in full, then combined."""
    outs = [KINDS[c.kind].evaluate(c, ctx) for c in rule.of]
    statuses = [o.status for o in outs]
    if rule.kind == "not":
        flipped = {"pass": "fail", "fail": "pass", "n/a": "n/a"}[statuses[0]]
        if flipped != "fail":
            return Outcome(flipped)  # type: ignore[arg-type]
        first = ctx.window_segments(rule.stage, rule.window, rule.speaker) or [0]
        return Outcome("fail", [hit(ctx, first[0], notes=[note("condition_not_met")])])
    failed = [o for o in outs if o.status == "fail"]
    if (rule.kind == "all" and len(failed) == len(outs)) or (rule.kind == "any" and failed):
        return Outcome("fail", [h for o in failed for h in o.hits])
    if "pass" in statuses:
        return Outcome("pass")
    return Outcome("n/a")


@pytest.fixture(scope="module")
def ctxs(checker: Checker) -> list[CallContext]:
    return contexts(checker)


def test_phrase_status_is_the_status_of_evaluate(checker: Checker, ctxs: list[CallContext]) -> None:
    rules = [r for r in all_rules(checker._rules) if isinstance(r, PhraseRule)]
    assert len(rules) > 20
    fired = 0
    for ctx in ctxs:
        for r in rules:
            full = phrase.evaluate(r, ctx)
            assert phrase.status(r, ctx) == full.status, (r.id, ctx.call.call_id)
            fired += full.status == "fail"
    assert fired > 10  # the calls do exercise failing rules


def test_compose_shortcuts_change_no_outcome(checker: Checker, ctxs: list[CallContext]) -> None:
    rules = [r for r in all_rules(checker._rules) if isinstance(r, ComposeRule)]
    assert any(r.id == "courtesy.confirm_details" for r in rules)
    seen = set()
    for ctx in ctxs:
        for r in rules:
            got, want = compose.evaluate(r, ctx), reference_compose(r, ctx)
            assert got == want, (r.id, ctx.call.call_id)
            seen.add((r.id, got.status))
    assert ("courtesy.confirm_details", "fail") in seen and ("courtesy.confirm_details", "pass") in seen
