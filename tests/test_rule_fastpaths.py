"""The matchers' shortcuts decide exactly what the plain definitions decide.

Each fast path (a status without its evidence, a rule stopped once its outcome is known, an
utterance skipped because it cannot match) is compared here with the obvious implementation on
realistic calls, near misses included, for every rule of the default rulebook it applies to.
"""

from __future__ import annotations

from typing import Any

import pytest
import re2
from conftest import make_polite_call, make_transcript
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from scriptcheck import scan
from scriptcheck.context import CallContext
from scriptcheck.engine import Checker
from scriptcheck.lexicon import _RE2_OPTIONS, compile_pattern, match_byte_spans, match_spans
from scriptcheck.matchers import KINDS, compose, count, phrase, pii, required, timing
from scriptcheck.matchers.base import Outcome, hit, note
from scriptcheck.matchers.compose import ComposeRule
from scriptcheck.matchers.phrase import PhraseRule
from scriptcheck.model import Call, Segment

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


# --------------------------------------------------------------------------------------------
# pii: only utterances with 11 digit-like characters are looked at
# --------------------------------------------------------------------------------------------
NUMBER_LINES = [
    "坐席：您的卡号是6259 6301 2345 8876，这张卡在您身边吗？",
    "坐席：我看到您登记的身份证号是330106199808124521，对吗？",
    "坐席：您的身份证号是三三零一零六一九九八零八一二四五二一对吗",
    "坐席：之前的机主销号时登记了一个新号码，是13957126604，您可以打这个号码。",
    "坐席：之前的机主留的号码是幺三九，嗯，五七一二，六六零四。",  # a filler inside a dictated number
    "坐席：前机主的号码是１３９５７１２６６０４。",  # full width
    "坐席：他登记的号码是١٣٩٥٧١٢٦٦٠٤。",  # other decimal digits: \\d matches them too
    "坐席：尾号8836的卡片，订单号202611110001234567已经发货。",  # near misses
    "坐席：他留的号码是1395712660，少了一位。",  # ten digits
    "坐席：一二三四五六七八九十，您稍等。\n客户：好的，我的号码一三九零五七一八二四六。",
]


def pii_rules(checker: Checker) -> list[Any]:
    return [r for r in all_rules(checker._rules) if r.kind == "pii"]


def every_utterance(ctx: CallContext) -> list[int]:
    return list(range(len(ctx.call.segments)))


def test_pii_skips_only_utterances_without_a_number(checker: Checker, monkeypatch: pytest.MonkeyPatch) -> None:
    ctxs = [checker.context(make_polite_call(line, call_id=f"n{i}")) for i, line in enumerate(NUMBER_LINES)]
    rules = pii_rules(checker)
    fast = [[pii.evaluate(r, c) for r in rules] for c in ctxs]
    monkeypatch.setattr(pii, "_numbered", every_utterance)  # the definition: look at every utterance
    assert fast == [[pii.evaluate(r, c) for r in rules] for c in ctxs]
    assert sum(o.status == "fail" for row in fast for o in row) >= 6


@pytest.mark.parametrize("texts", [
    ["您的卡号是6259630123458876", ""],  # an empty last utterance: it starts where the call ends
    ["", "", "他留的号码是13957126604"],
    ["一二三四五六", "七八九零一", "他留的号码是1395712660", "。。。"],  # 11 digits, but over three utterances
    ["１３９５７１２６６０４，前机主的", "前机主的号码是一三九五七一二六六零四"],
])
def test_pii_prefilter_edges(checker: Checker, texts: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    segments = [Segment(speaker="agent" if i % 2 == 0 else "customer", text=t) for i, t in enumerate(texts)]
    ctx = checker.context(Call(call_id="edge", segments=segments))
    fast = [pii.evaluate(r, ctx) for r in pii_rules(checker)]
    monkeypatch.setattr(pii, "_numbered", every_utterance)
    assert fast == [pii.evaluate(r, ctx) for r in pii_rules(checker)]


_PIECES = st.sampled_from(["1", "3", "9", "0", "6", "一", "三", "九", "零", "幺", "两", "洞", "嗯", "那个", "，", " ",
                           "１", "٣", "号码", "卡号", "身份证", "尾号", "他留的", "是", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=30).map("".join), min_size=1, max_size=4))
def test_pii_prefilter_property(checker: Checker, lines: list[str]) -> None:
    text = "\n".join(f"{'坐席' if i % 2 == 0 else '客户'}：{line or '好'}" for i, line in enumerate(lines))
    ctx = checker.context(make_transcript(text))
    rules = pii_rules(checker)
    fast = [pii.evaluate(r, ctx) for r in rules]
    original = pii._numbered
    try:
        pii._numbered = every_utterance  # type: ignore[assignment]
        assert fast == [pii.evaluate(r, ctx) for r in rules]
    finally:
        pii._numbered = original


# --------------------------------------------------------------------------------------------
# count: only utterances the call's index lists are looked at
# --------------------------------------------------------------------------------------------
def everywhere(ctx: CallContext) -> Any:
    """A ``segments_with`` that lists every utterance: the definition the index shortcuts."""
    segs = set(range(len(ctx.call.segments)))
    return lambda ws, sounds=False: segs


def test_count_looks_only_where_a_wording_can_be(checker: Checker, ctxs: list[CallContext]) -> None:
    rules = [r for r in all_rules(checker._rules) if r.kind == "count"]
    assert any(r.id == "courtesy.verbal_tic" for r in rules)
    failed = 0
    for ctx in ctxs:
        fast = [count.evaluate(r, ctx) for r in rules]
        ctx.segments_with = everywhere(ctx)  # type: ignore[method-assign]
        try:
            assert fast == [count.evaluate(r, ctx) for r in rules], ctx.call.call_id
        finally:
            del ctx.segments_with
        failed += sum(o.status == "fail" for o in fast)
    assert failed >= 2


# --------------------------------------------------------------------------------------------
# required: closest() skips the pairs a cut-off alignment rules out
# --------------------------------------------------------------------------------------------
def reference_closest(ctx: CallContext, group: Any, segs: list[int], threshold: float) -> Any:
    """``required.closest`` as first written: every phrase form aligned with every utterance."""
    best = None
    forms = [(p, f) for p in group.phrases for f in ctx.lexicon.normalizer.phrase_forms(p)]
    for seg in segs:
        text = ctx.norms[seg].text
        if not text:
            continue
        for wanted, f in forms:
            al = fuzz.partial_ratio_alignment(f, text)
            span = (al.dest_start, al.dest_end) if len(f) <= len(text) else (0, len(text))
            score = al.score if len(f) <= len(text) else al.score * len(text) / len(f)
            ok = False
            budget = required.edit_budget(len(f))
            near = al.score >= 100 * (1 - 2 * budget / len(f)) - 1
            if threshold > 0 and budget and near and (found := required.best_substring(f, text, budget)):
                d, where = found
                similarity = 100 * (1 - d / len(f))
                if similarity >= threshold:
                    ok, score, span = True, max(score, similarity), where
            ptoks = (required.phrase_tokens(f) if threshold > 0 and len(f) >= required.MIN_TOKENS * 2
                     and al.score >= 50 else ())
            if len(ptoks) >= required.MIN_TOKENS:
                share = 100 * len(ptoks & ctx.tokens(seg)) / len(ptoks)
                if share > score:
                    score, span = share, (0, len(text))
                    ok = ok or share >= threshold > 0
            if best is None or (ok, score) > (best.accepted, best.score):
                best = required.Candidate(wanted, seg, span, score, ok)
    return best


def reportable(cand: Any) -> Any:
    """What ``required.evaluate`` uses of a candidate: one accepted or close enough to report."""
    return cand if cand is not None and (cand.accepted or cand.score >= required.CLOSEST_MIN) else None


CLOSINGS = [
    "坐席：感谢您的来电，祝您生活愉快，再见！",
    "坐席：感谢您来电，在见。",  # paraphrase and homophone
    "坐席：好的，感谢您的来电。",  # no goodbye
    "坐席：好，再见。",  # no thanks
    "坐席：谢谢您的耐心，拜拜。",
    "坐席：请问还有其他需要帮忙的吗？\n客户：没有了。\n坐席：那先这样。",
    "坐席：您还有别的什么问题需要咨询吗？\n客户：没了。\n坐席：好的，感谢致电。",
    "坐席：其他的还有吗？\n客户：没有。\n坐席：嗯嗯好的，谢谢来点，再会。",
    "坐席：好的那您这边的问题我已经帮您记录下来了，后续会有工作人员联系您的，请您保持电话畅通。",
    "坐席：感谢您的支持和配合，稍后请对我的服务做出评价。\n客户：好。\n坐席：嗯，挂了。",
    "坐席：您好，请问您是哪位？\n客户：我找一下张经理。\n坐席：您打错了吧。",
    # paraphrases that only the share of the phrase's jieba words recognises (or nearly)
    "坐席：那您看还有其他什么我可以帮您的？\n客户：没有了。\n坐席：好的。",
    "坐席：您这边还有业务方面的问题需要咨询吗？\n客户：没有。\n坐席：好。",
    "坐席：其他还有没有可以帮到您？\n客户：没有。\n坐席：嗯。",
]


def test_closest_is_the_plain_alignment_of_every_pair(checker: Checker) -> None:
    rules = [r for r in all_rules(checker._rules) if r.kind == "required"]
    compared = reported = by_words = 0
    for i, text in enumerate(CLOSINGS + CALLS):
        for call in (make_polite_call(text, call_id=f"c{i}"), make_transcript(f"{text}\n客户：嗯。\n{text}")):
            ctx = checker.context(call)
            for r in rules:
                segs = ctx.window_segments(r.stage, r.window)
                for group in r.groups():
                    for threshold in {r.fuzzy, 0.0, 60.0}:
                        got = required.closest(ctx, group, segs, threshold)
                        want = reportable(reference_closest(ctx, group, segs, threshold))
                        assert got == want, (r.id, text)
                        compared += 1
                        reported += got is not None
                        by_words += got is not None and got.span == (0, len(ctx.norms[got.seg].text))
    assert compared > 500 and reported > 100 and by_words > 5  # the share of jieba words decided some


_SAID = st.sampled_from(["感谢", "谢谢", "您", "你", "的", "来电", "来点", "致电", "支持", "合作", "再见", "在见",
                         "拜拜", "还有", "其他", "别的", "什么", "需要", "问题", "帮您", "吗", "好的", "嗯", "，",
                         "请问", "业务"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_SAID, min_size=1, max_size=14).map("".join), min_size=1, max_size=3))
def test_closest_property(checker: Checker, lines: list[str]) -> None:
    ctx = checker.context(make_transcript("\n".join(f"坐席：{line}" for line in lines)))
    segs = list(range(len(lines)))
    for r in (r for r in checker._rules if r.kind == "required"):
        for group in r.groups():
            want = reportable(reference_closest(ctx, group, segs, r.fuzzy))
            assert required.closest(ctx, group, segs, r.fuzzy) == want


# --------------------------------------------------------------------------------------------
# lexicon: word-set patterns compiled without capturing groups match exactly the same
# --------------------------------------------------------------------------------------------
def test_non_capturing_patterns_match_the_same(checker: Checker) -> None:
    lexicon = checker.context(make_transcript("坐席：您好。")).lexicon
    texts = [t.split("：", 1)[-1] for block in CALLS + CLOSINGS + NUMBER_LINES for t in block.split("\n")]
    texts += ["\n".join(texts), "你是猪吗", "滚", "给我滚开", "二百五十元", "你有病吧", "谢谢你", "好的谢谢", "多谢了"]
    compared = matched = 0
    for ws in lexicon._sets:
        for regex, multiline in ((ws.regex, False), (ws.regex_joined, True)):
            if regex is None:
                continue
            capturing = re2.compile(("(?m)" if multiline else "") + "|".join(f"(?:{p})" for p in ws.patterns),
                                    _RE2_OPTIONS)
            for text in texts:
                spans = [m.span() for m in regex.finditer(text)]
                assert spans == [m.span() for m in capturing.finditer(text)], (ws.patterns, text)
                compared += 1
                matched += bool(spans)
    assert compared > 1000 and matched > 50


_TEXT = st.text(alphabet=st.sampled_from(list("ab滚开你是猪吗谢谢\n😀é1 ")), max_size=40)
_PATTERNS = ["a*", "^", "$", "(?m)$", "(?m)^滚", "滚$", "(你|您)?是(猪|a+)", "谢*", "😀|é", "(?m)^(?:[^1]*1){2}", "b|"]


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(_PATTERNS))
def test_match_spans_is_finditer(text: str, pattern: str) -> None:
    """Offsets decoded across 1- to 4-byte characters, empty matches stepped over, as ``finditer``."""
    regex = compile_pattern((pattern,))
    assert match_spans(regex, text) == [m.span() for m in regex.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(_PATTERNS))
def test_match_byte_spans_is_finditer(text: str, pattern: str) -> None:
    """On UTF-8 bytes (whole-call patterns, ``(?m)``): byte offsets, empty matches stepped over."""
    regex = compile_pattern((pattern,), multiline=True, utf8=True)
    data = text.encode()
    assert match_byte_spans(regex, data) == [m.span() for m in regex.finditer(data)]


def test_regex_spans_is_finditer_for_every_word_set(checker: Checker) -> None:
    lexicon = checker.context(make_transcript("坐席：您好。")).lexicon
    calls = [checker.context(make_polite_call(t)) for t in CALLS + CLOSINGS + NUMBER_LINES]
    texts = [v for ctx in calls for v in (ctx._joined, *(n.text for n in ctx.norms))]
    found = 0
    for ws in (ws for ws in lexicon._sets if ws.patterns):
        for text in texts:
            want = [m.span() for m in ws.regex.finditer(text) if m.end() > m.start()]  # type: ignore[attr-defined]
            assert lexicon.regex_spans(ws, text) == want
            data = text.encode()  # the whole-call pattern, on UTF-8
            assert lexicon.regex_byte_spans(ws, data) == [
                m.span() for m in ws.regex_joined.finditer(data) if m.end() > m.start()]  # type: ignore[attr-defined]
            found += len(want)
    assert found > 100


# --------------------------------------------------------------------------------------------
# phrase: utterances with only short homophones are not looked at
# --------------------------------------------------------------------------------------------
HOMOPHONES = [
    "坐席：你在说一遍吧。",  # 你再说一遍 by sound: counts for a taboo phrase
    "坐席：您想怎么样处理？",  # the polite pronoun: not the taboo 你想怎么样
    "坐席：这边在检修，稍后在见。",  # two-character homophones: only at the end of the turn
    "坐席：你等一会儿，我帮你查。\n客户：好。\n坐席：你等以会，马上好。",  # 4 characters by sound, alone
    "坐席：神经并不是问题，路口交通管制。\n客户：你真是个人才。",
    "坐席：我也是最了，这个没半法。\n客户：你什么态度？",
]


# taboo wordings behind each guard: negation, reported speech, a mention, quotation marks
GUARDED = [
    "坐席：我们不能说你再说一遍，我马上帮您处理。\n坐席：你再说一遍。",
    "坐席：我同事说你等一会就好了，我帮您再确认一下。\n坐席：你等一会。",
    "坐席：你再说一遍这样的回答不符合规范，我向您道歉。\n坐席：你再说一遍。",
    "坐席：我们不会说“你等着吧”这种话。\n坐席：你等着吧。",
]


def test_phrase_looks_only_where_a_long_enough_homophone_is(checker: Checker) -> None:
    rules = [r for r in all_rules(checker._rules) if isinstance(r, PhraseRule)]
    fired = 0
    for i, text in enumerate(HOMOPHONES + CALLS + GUARDED):
        for call in (make_transcript(text, call_id=f"h{i}"), make_polite_call(text, call_id=f"hp{i}")):
            ctx = checker.context(call)
            fast = [phrase.evaluate(r, ctx) for r in rules]
            ctx.segments_with = everywhere(ctx)  # type: ignore[method-assign]
            ctx._where.clear()  # the guards' utterances too (``where``)
            try:
                assert fast == [phrase.evaluate(r, ctx) for r in rules], text
            finally:
                del ctx.segments_with
            fired += sum(bool(o.hits or o.review) for o in fast)
    assert fired > 10


# --------------------------------------------------------------------------------------------
# timing: times and lengths read from the call's cached lists
# --------------------------------------------------------------------------------------------
def reference_overlaps(ctx: CallContext, min_seconds: float) -> list[tuple[int, int, float]]:
    """``timing.overlaps`` as first written: sorted (start, index, end) tuples of the segments."""
    import bisect
    from itertools import accumulate

    segs = ctx.call.segments
    customers = sorted((s.start, j, s.end) for j, s in enumerate(segs) if s.speaker == "customer")
    starts = [st for st, _, _ in customers]
    reach = list(accumulate((end for _, _, end in customers), max))
    out = []
    for i, a in enumerate(segs):
        if a.speaker != "agent":
            continue
        k = bisect.bisect_left(starts, a.start)
        if not k or reach[k - 1] <= a.start:
            continue
        for c_start, j, c_end in reversed(customers[max(0, k - 8):k]):
            if c_start < a.start < c_end and min(c_end, a.end) - a.start >= min_seconds:  # type: ignore[operator]
                out.append((i, j, round(min(c_end, a.end) - a.start, 2)))  # type: ignore[type-var, operator]
                break
    return out


def reference_speech_rate(rule: Any, ctx: CallContext) -> Outcome:
    """The speech-rate metric as first written: each segment's times and folded text."""
    segs = ctx.call.segments
    hits = []
    low, high = rule.range
    for i in ctx.window_segments(rule.stage, rule.window, rule.speaker):
        dur = segs[i].end - segs[i].start  # type: ignore[operator]
        if dur >= timing.MIN_RATE_SECONDS:
            rate = len(ctx.norms[i].text) / (dur / 60)
            if not low <= rate <= high:
                hits.append(hit(ctx, i, notes=[note("speech_rate", rate=f"{rate:.0f}")]))
    return Outcome("fail" if hits else "pass", hits)


_UTTERANCES = ["您好，请问有什么可以帮您？", "嗯", "我想问一下我的套餐，就是那个每个月五十八的。", "好的，请稍等。",
               "对对对", "啊？！", "  ", "您好，很高兴为您服务，请问您需要办理什么业务呢？我这边帮您查一下。"]
_TURN = st.tuples(st.sampled_from(["agent", "customer"]), st.sampled_from(_UTTERANCES),
                  st.integers(0, 40).map(lambda x: x / 4), st.integers(0, 60).map(lambda x: x / 4))


@settings(max_examples=300, deadline=None)
@given(st.lists(_TURN, min_size=1, max_size=25))
def test_timing_reads_the_cached_times(checker: Checker, turns: list[tuple[str, str, float, float]]) -> None:
    """Overlaps (ties in start times, customers out of order, backchannels) and speech rates
    (short, long, blank utterances) decide what the per-segment reading decides."""
    t, segs = 0.0, []
    for speaker, text, back, dur in turns:  # starts may go back: overlaps, ties, out of order
        start = max(0.0, t - back)
        segs.append(Segment(speaker=speaker, text=text, start=start, end=start + dur))  # type: ignore[arg-type]
        t = max(t, start + dur)
    ctx = checker.context(Call(call_id="timed", segments=segs))
    for secs in (0.25, 1.0, 2.5):
        assert timing.overlaps(ctx, secs) == reference_overlaps(ctx, secs)
    rules = [r for r in all_rules(checker._rules) if isinstance(r, timing.TimingRule) and r.metric == "speech_rate"]
    assert rules
    for r in rules:
        assert timing.evaluate(r, ctx) == reference_speech_rate(r, ctx)


# --------------------------------------------------------------------------------------------
# required: the homophone threshold raised to a word set's shortest wording
# --------------------------------------------------------------------------------------------
SOUNDS = [
    "坐席：感谢您来电，在见。",  # 再见 by sound at the end of the turn
    "坐席：感谢您的来店，拜拜啊。",  # 感谢您的来电 by sound, trailing particle
    "坐席：这边在检修，稍后再说，谢谢来点。",  # 在检 mid-turn: not 再见
    "坐席：好的，敢谢您的来电，祝您生活愉快。\n客户：嗯。\n坐席：再会啦。",
    "坐席：您稍等，我为您查训一下。\n坐席：让您久等了，感谢您的耐心等代。",
]


def test_sound_threshold_finds_the_same_homophones(checker: Checker) -> None:
    """Raising the threshold to a word set's shortest wording (of 3+ Han characters) finds the
    same homophones as every lower threshold, for every word set and every utterance."""
    lexicon = checker.context(make_transcript("坐席：您好。")).lexicon
    # the reason it holds: wordings that share a key have as many Han characters
    for short in (False, True):
        for key, owners in enumerate(lexicon.sound_owner_table(short)):
            assert len({n for _, n in owners}) == 1, key
    found = 0
    for i, text in enumerate(SOUNDS + CLOSINGS + CALLS):
        ctx = checker.context(make_polite_call(text, call_id=f"s{i}"))
        for ws in lexicon._sets:
            for low in (1, 2, 3, 4):
                raised = required.sound_threshold(ws, low)
                assert raised >= low
                for seg in range(len(ctx.call.segments)):
                    spans = ctx.sound_spans(seg, ws, low)
                    assert ctx.sound_spans(seg, ws, raised) == spans, (text, ws.phrases, low)
                    found += bool(spans) and raised > low
    assert found > 5  # raised thresholds that do find homophones


# --------------------------------------------------------------------------------------------
# said_few: patterns run on a few utterances instead of a pass over the whole call
# --------------------------------------------------------------------------------------------
FEW = [
    "坐席：您好，很高兴为您服务。\n客户：谢谢。\n坐席：不客气。\n客户：好的谢谢你",  # ^ and $ patterns
    "坐席：您好，请稍等，我帮您查一下。\n坐席：让您等了这么久，不好意思。",
    "坐席：请问还有其它的问题吗？\n客户：没有了。\n坐席：好的，祝您生活愉快，再见！",
    "坐席：还有没有别的，嗯，需要吗？\n客户：没。\n坐席：感谢你的配合，拜拜。",
    "坐席：没事了吧，没事我就挂了啊\n客户：嗯",
    "坐席：Ｎｉ好，有什么可以帮你？\n客户：查话费。\n坐席：请问(您)有什么需要",
]


def test_said_few_is_said_any(checker: Checker) -> None:
    """For every word set with patterns and every window of up to eight utterances, on a fresh
    call (no pass made) and after the pass: the same answer as ``said_any``, and ``spans`` after
    it the same as on a call that never asked ``said_few``."""
    lexicon = checker.context(make_transcript("坐席：您好。")).lexicon
    sets = [ws for ws in lexicon._sets if ws.patterns]
    said = 0
    for i, text in enumerate(FEW + CLOSINGS + CALLS):
        call = make_polite_call(text, call_id=f"f{i}")
        plain = checker.context(call)
        n = len(call.segments)
        windows = [list(range(a, b)) for a in range(n) for b in range(a + 1, min(n, a + 8) + 1)]
        for ws in sets:
            want = [plain.said_any(w, ws) for w in windows]
            fresh = checker.context(call)
            assert [fresh.said_few(w, ws, 6) for w in windows] == want, (text, ws.patterns)
            assert [fresh.spans(s, ws) for s in range(n)] == [plain.spans(s, ws) for s in range(n)]
            assert [plain.said_few(w, ws, 6) for w in windows] == want  # after the pass
            said += sum(want)
    assert said > 100


def test_spans_at_is_spans(checker: Checker) -> None:
    """``spans_at`` (an utterance's patterns without the whole call's pass) finds what ``spans``
    finds, for every word set and utterance, asked before the pass or after it."""
    lexicon = checker.context(make_transcript("坐席：您好。")).lexicon
    found = 0
    for i, text in enumerate(FEW + CLOSINGS + CALLS):
        call = make_polite_call(text, call_id=f"a{i}")
        plain, fresh = checker.context(call), checker.context(call)
        for ws in lexicon._sets:
            for seg in range(len(call.segments)):
                want = plain.spans(seg, ws)
                assert fresh.spans_at(seg, ws) == want, (text, ws.phrases, ws.patterns)
                assert plain.spans_at(seg, ws) == want
                found += bool(want) and bool(ws.patterns)
    assert found > 50


def test_only_word_sets_heard_by_sound_get_sound_keys(checker: Checker) -> None:
    """Fuzzy-pinyin keys are registered only for the word sets a rule hears by sound, and only for
    wordings long enough for that rule: a guard or trigger has none, a taboo heard from 4 Han
    characters has no shorter key, while the farewell (heard from 2) keeps 再见's."""
    rb = checker.rulebook
    assert rb.settings.guards.negation.ws.sounds == ()
    assert rb.rules["courtesy.thanks"].trigger.ws.sounds == ()
    taboo = [r for r in rb.enabled_rules if r.kind == "forbidden" and r.phonetic == 4 and r.phrases]
    assert taboo and all(n >= 4 for r in taboo for n, _ in r.ws.sounds)
    assert any(n < 4 for r in taboo for p in r.phrases if (n := sum("\u4e00" <= c <= "\u9fff" for c in p)) >= 2)
    farewell = rb.rules["closing.farewell"]
    assert any(n == 2 for g in farewell.groups() for n, _ in g.ws.sounds)


def test_a_taboo_is_still_heard_by_sound_and_a_near_miss_is_not(checker: Checker) -> None:
    """ASR homophone 你在说一遍 (for 你再说一遍) is still caught with the trimmed keys; 您再说一遍 is polite."""
    heard = checker.check(make_polite_call("客户：我要办宽带。\n坐席：你在说一遍，我没听清。"))
    assert any(f.rule.startswith("forbidden") and "在说一遍" in f.matched for f in heard.findings)
    polite = checker.check(make_polite_call("客户：我要办宽带。\n坐席：麻烦您再说一遍好吗，我没听清。"))
    assert not any(f.check == "forbidden_phrase" for f in polite.findings)


# --------------------------------------------------------------------------------------------
# homophones: one on the characters of a wording of its set said there is left out of the index
# --------------------------------------------------------------------------------------------
def _heard_in_full(checker: Checker, call: Call) -> CallContext:
    """The homophone index as first written: every homophone, whatever is said on its characters
    (neither the scan nor the index leaves any out)."""
    keep_all = pytest.MonkeyPatch()
    keep_all.setattr(scan, "_drop_repeats", lambda lexicon, literal, cleaned, sounds, n_seg: (cleaned, sounds))
    try:
        ctx = checker.context(call)
    finally:
        keep_all.undo()
    said, ctx._literal = ctx._literal, {}
    try:
        ctx._sounds(False), ctx._sounds(True)
    finally:
        ctx._literal = said
    return ctx


def _heard(ctx: CallContext) -> int:
    return sum(len(spans) for short in (False, True) for by_seg in ctx._sounds(short).values()
               for spans in by_seg.values())


def test_a_homophone_that_is_the_wording_said_decides_nothing(checker: Checker) -> None:
    rules = all_rules(checker._rules)
    dropped = 0
    # a wording said and, apart from it in the same turn, one heard (both are hits)
    both = ["坐席：你再说一遍，我说你在说一遍。\n客户：什么？", "坐席：在见，再见。"]
    texts = HOMOPHONES + CALLS + GUARDED + CLOSINGS + both
    for i, text in enumerate(texts):
        for call in (make_transcript(text, call_id=f"s{i}"), make_polite_call(text, call_id=f"sp{i}")):
            lean, full = checker.context(call), _heard_in_full(checker, call)
            assert [checker.evaluate(r, lean) for r in rules] == [checker.evaluate(r, full) for r in rules], text
            dropped += _heard(full) - _heard(lean)
    assert dropped > 20  # the index did leave such homophones out
