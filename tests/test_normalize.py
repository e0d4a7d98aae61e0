"""Normalization: the folded and clean views, their offset maps back to the original words, each
step on its own, and each step switched off in a company rulebook.

Property tests cover any text (CJK, Traditional, full width, punctuation, digits, spaces, emoji);
example tests pin each step; rulebook tests show that switching a step off changes what matches.
"""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scriptcheck.engine import Checker
from scriptcheck.normalize import MIN_SPOKEN_DIGITS, Normalized, Normalizer, spoken_digits, to_simplified
from scriptcheck.readers import parse_transcript

# --------------------------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------------------------
TRADITIONAL = "請稍等後臺您們說話還會麼這個帳單戶號碼門謝見聽對錯問題辦理業務費給應該"
FULL_WIDTH = "ＡＢＣａｂｃ０１２３４５６７８９！？，。：；（）【】　＂＇"
PUNCTUATION = "，。！？、；：“”「」『』‘’《》…—-·,.!?;:'\"()[]{}~ \t\n\u3000"
SPOKEN = "零〇一二三四五六七八九幺两洞"
FILLERS = "嗯呃唔啊那个就是"
EMOJI = "😀🙂👍🎉📞"
CALL_CENTER = "您好请问有什么可以帮您我我我这那的好谢见再稍等查询话费宽带订单"

CASE_TRAPS = "İIıßǅΣς"  # lower() of İ is two characters
_interesting = st.sampled_from(TRADITIONAL + FULL_WIDTH + PUNCTUATION + SPOKEN + FILLERS + EMOJI + CALL_CENTER
                               + CASE_TRAPS)
# Any character but lone surrogates (not text: they cannot even be encoded as UTF-8).
_any_char = st.characters(exclude_categories=("Cs",))
TEXT = st.text(alphabet=st.one_of(_interesting, _any_char), max_size=60)

FOLD = Normalizer()
NO_T2S = Normalizer(traditional=False)


def _assert_offsets_valid(n: Normalized) -> None:
    assert len(n.offsets) == len(n.text)
    assert all(0 <= o < len(n.original) for o in n.offsets)
    assert all(a < b for a, b in zip(n.offsets, n.offsets[1:], strict=False))


# --------------------------------------------------------------------------------------------
# fold(): offsets into the original
# --------------------------------------------------------------------------------------------
@settings(deadline=None)  # no timing assertions
@given(TEXT)
@example("請稍等，後臺處理中……ＡＢＣ１２３ 🙂")
@example("")
@example("，。！？")
def test_fold_offsets_are_strictly_increasing_and_inside_the_original(text):
    n = FOLD.fold(text)
    assert n.original == text
    _assert_offsets_valid(n)


@settings(deadline=None)  # no timing assertions
@given(TEXT)
@example("ＡＢＣ１２３，Hello World！")
def test_width_case_and_punctuation_are_char_by_char(text):
    """Without Traditional→Simplified every folded char is the fold of the original char alone."""
    n = NO_T2S.fold(text)
    _assert_offsets_valid(n)
    for ch, off in zip(n.text, n.offsets, strict=True):
        assert NO_T2S.fold(text[off]).text == ch


@settings(deadline=None)  # no timing assertions
@given(TEXT)
@example("後臺請稍等")
@example("我不瞭解乾隆")
@example("İKEA")
def test_each_folded_char_is_the_fold_of_its_original_char(text):
    n = FOLD.fold(text)
    assert len(to_simplified(text)) == len(text)
    for ch, off in zip(n.text, n.offsets, strict=True):
        assert FOLD.fold(text[off]).text == ch


@settings(deadline=None)  # no timing assertions
@given(TEXT, st.data())
def test_span_of_any_folded_slice_is_a_valid_original_span(text, data):
    n = FOLD.fold(text)
    a = data.draw(st.integers(0, len(n.text)))
    b = data.draw(st.integers(a, len(n.text)))
    start, end = n.span(a, b)
    assert 0 <= start <= end <= len(text)
    if a < b:
        assert start < end
        # the original span holds exactly the folded slice plus dropped characters
        assert NO_T2S.fold(to_simplified(text)[start:end]).text == n.text[a:b]
        assert n.original_words(a, b) == text[start:end]


# --------------------------------------------------------------------------------------------
# clean(): map into the folded view
# --------------------------------------------------------------------------------------------
@settings(deadline=None)  # no timing assertions
@given(TEXT)
@example("我我我想问一下那个，嗯，就是话费幺三九五七一二六六零四")
def test_clean_view_maps_into_the_folded_view(text):
    folded = FOLD.fold(text).text
    clean = FOLD.clean(folded)
    if clean is None:
        return
    assert len(clean.text) == len(clean.to_folded)
    assert all(0 <= k < len(folded) for k in clean.to_folded)
    assert all(a < b for a, b in zip(clean.to_folded, clean.to_folded[1:], strict=False))
    for ch, k in zip(clean.text, clean.to_folded, strict=True):
        # a clean char is its folded char, or that char read as a digit
        assert ch == folded[k] or ch == spoken_digits(folded[k] * MIN_SPOKEN_DIGITS)[0]
    if clean.text:
        a, b = clean.span(0, len(clean.text))
        assert 0 <= a < b <= len(folded)


@settings(deadline=None)  # no timing assertions
@given(TEXT)
def test_clean_view_offsets_compose_to_original_offsets(text):
    n = FOLD.fold(text)
    clean = FOLD.clean(n.text)
    if clean is None or not clean.text:
        return
    for i in range(len(clean.text)):
        a, b = n.span(*clean.span(i, i + 1))
        assert 0 <= a < b <= len(text)


# --------------------------------------------------------------------------------------------
# each step, by example
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("traditional", "simplified"), [
    ("請稍等", "请稍等"),
    ("後臺", "后台"),
    ("你等一會", "你等一会"),
    ("謝謝您的來電", "谢谢您的来电"),
])
def test_traditional_to_simplified_keeps_length(traditional, simplified):
    n = FOLD.fold(traditional)
    assert n.text == simplified
    assert n.offsets == tuple(range(len(traditional)))
    assert NO_T2S.fold(traditional).text == traditional


def test_width_folding():
    n = FOLD.fold("ＡＢＣ１２３")
    assert n.text == "abc123"
    assert n.offsets == (0, 1, 2, 3, 4, 5)
    assert Normalizer(width=False).fold("ＡＢＣ１２３").text == "ａｂｃ１２３"


def test_case_folding():
    assert FOLD.fold("VIP会员").text == "vip会员"
    assert Normalizer(case=False).fold("VIP会员").text == "VIP会员"


def test_punctuation_and_spaces_are_dropped_with_offsets_kept():
    text = "您好， 请问 有什么可以帮您？"
    n = FOLD.fold(text)
    assert n.text == "您好请问有什么可以帮您"
    assert n.original_words(2, 4) == "请问"
    assert n.span(0, len(n.text)) == (0, len(text) - 1)  # the trailing ？ is not evidence
    assert Normalizer(punctuation=False).fold(text).text == "您好, 请问 有什么可以帮您?"  # width still folds


def test_emoji_and_symbols_are_dropped():
    assert FOLD.fold("好的👍已经为您办好了🎉").text == "好的已经为您办好了"


@pytest.mark.parametrize(("spoken", "digits"), [
    ("幺三九五七一二六六零四", "13957126604"),
    ("一三九五", "1395"),
    ("洞洞幺两", "0012"),
    ("尾号八八三六", "尾号8836"),
])
def test_spoken_digit_runs_of_four_or_more_become_digits(spoken, digits):
    assert spoken_digits(spoken) == digits
    clean = FOLD.clean(FOLD.fold(spoken).text)
    assert clean is not None and clean.text == digits


@pytest.mark.parametrize("words", ["一下", "稍等一下", "三个月", "一二三", "第一二次", "两三天"])
def test_short_numeral_runs_stay_words(words):
    assert spoken_digits(words) == words
    assert FOLD.clean(FOLD.fold(words).text) is None


def test_numerals_switch():
    assert Normalizer(numerals=False).clean("幺三九五七一二六六零四") is None


@pytest.mark.parametrize(("said", "clean"), [
    ("嗯好的", "好的"),
    ("啊您好", "您好"),
    ("那个请问还有什么问题", "请问还有什么问题"),
    ("就是我想查话费", "我想查话费"),
    ("请稍等呃我查一下", "请稍等我查一下"),
])
def test_fillers_are_removed_in_the_clean_view_only(said, clean):
    folded = FOLD.fold(said).text
    assert folded == said  # the folded view keeps them
    c = FOLD.clean(folded)
    assert c is not None and c.text == clean
    assert "".join(folded[k] for k in c.to_folded) == clean


def test_fillers_switch():
    assert Normalizer(fillers=(), stutters=False).clean("嗯那个我我我想查话费") is None


@pytest.mark.parametrize(("said", "clean"), [
    ("我我我想问一下", "我想问一下"),
    ("您您好", "您好"),
    ("好好好的", "好的"),
    ("这这个套餐", "这个套餐"),
])
def test_stutters_collapse(said, clean):
    c = FOLD.clean(said)
    assert c is not None and c.text == clean


@pytest.mark.parametrize("word", ["谢谢", "看看", "试试", "妈妈", "常常", "一一八八"])
def test_ordinary_doubled_words_are_kept(word):
    c = FOLD.clean(word)
    assert c is None or c.text == spoken_digits(word)


def test_stutters_switch():
    assert Normalizer(stutters=False).clean("我我我想问") is None


def test_digit_runs_are_never_stutters():
    c = FOLD.clean("卡号6666888899990000")
    assert c is None


def test_phrase_forms_include_the_clean_form():
    assert FOLD.phrase_forms("请稍等") == ("请稍等",)
    assert FOLD.phrase_forms("嗯，请稍等") == ("嗯请稍等", "请稍等")
    assert FOLD.phrase_forms("請稍等！") == ("请稍等",)


_PHRASE = st.text(alphabet=st.one_of(_interesting, _any_char.filter(lambda c: c != "\n")), max_size=12)


@settings(deadline=None)
@given(st.lists(_PHRASE, min_size=32, max_size=80),
       st.sampled_from([FOLD, Normalizer(fillers=("嗯", "嗯哼", "那个")), Normalizer(stutters=False),
                        Normalizer(numerals=False), Normalizer(punctuation=False)]))
def test_a_word_list_gets_the_forms_of_each_phrase(phrases, nz):
    assert nz.phrase_forms_many(phrases) == [nz.phrase_forms(p) for p in phrases]


def test_the_rulebooks_phrases_get_the_forms_of_each_phrase():
    lexicon = Checker.from_rulebook("default").rulebook.lexicon
    phrases = [p for ws in lexicon._sets for p in ws.phrases]
    phrases += ["嗯嗯我我我想查一下", "幺三八零零一三八零零零", "好好好的", "就是说", "那个那个", "請稍等！"] * 5
    assert len(phrases) > 500
    nz = lexicon.normalizer
    assert nz.phrase_forms_many(phrases) == [nz.phrase_forms(p) for p in phrases]
    assert nz.phrase_forms_many(["嗯，请稍等"] * 40)[0] == ("嗯请稍等", "请稍等")  # a clean form kept


# --------------------------------------------------------------------------------------------
# regressions: characters whose folding once broke the offset map
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("normalizer", [FOLD, Normalizer(punctuation=False)], ids=["default", "punctuation-off"])
def test_fold_of_dotted_capital_i(normalizer):
    """'İ'.lower() is two characters; folding must keep one character per offset."""
    n = normalizer.fold("İKEA客服")
    _assert_offsets_valid(n)
    assert n.text.endswith("kea客服")


def test_checker_survives_dotted_capital_i(checker, polite_call):
    r = checker.check(polite_call("客户：我在İKEA买的柜子要安装。\n坐席：你再说一遍。"))
    assert r.verdict != "error"
    assert [f.matched for f in r.findings if f.rule == "forbidden.impatience.repeat"] == ["你再说一遍"]


@pytest.mark.parametrize("word", ["瞭解", "乾隆", "後臺", "頭髮"])
def test_traditional_folding_is_context_free(word):
    """Character by character: a character folds the same whatever its neighbours."""
    assert FOLD.fold(word).text == "".join(FOLD.fold(ch).text for ch in word)


# --------------------------------------------------------------------------------------------
# switches in a company rulebook change what matches
# --------------------------------------------------------------------------------------------
def _rulebook(tmp_path, body: str) -> Checker:
    p = tmp_path / "company.yaml"
    p.write_text("extends: default\n" + textwrap.dedent(body), encoding="utf-8")
    return Checker.from_rulebook(p)


def _taboo(report, rule: str):
    return [f for f in report.findings if f.rule == rule]


TRAD_CALL = "客戶：我的帳單是不是算錯了？\n坐席：你再說一遍，我沒聽清楚。"
TRAD_WAIT = "客戶：我的訂單到哪了？\n坐席：你等一會，系統很慢。"


def test_traditional_on_is_an_exact_hit(checker, polite_call):
    [f] = _taboo(checker.check(polite_call(TRAD_CALL)), "forbidden.impatience.repeat")
    assert f.matched == "你再說一遍"
    assert f.note is None  # an exact hit, not a sound-alike


@pytest.mark.parametrize(("call", "rule", "words"), [
    (TRAD_CALL, "forbidden.impatience.repeat", "你再說一遍"),
    (TRAD_WAIT, "forbidden.impatience.wait", "你等一會"),
])
def test_traditional_off_leaves_only_the_homophone_match(tmp_path, checker, polite_call, call, rule, words):
    """說/说 and 會/会 sound the same: with Traditional folding off the taboo is still heard, but
    only as a homophone (noted for review), no longer as an exact hit."""
    [exact] = _taboo(checker.check(polite_call(call)), rule)
    assert exact.note is None
    chk = _rulebook(tmp_path, "settings:\n  normalize: {traditional: false}\n")
    [f] = _taboo(chk.check(polite_call(call)), rule)
    assert f.matched == words
    assert "同音" in f.note


def test_traditional_off_and_no_homophones_misses_traditional_text(tmp_path, polite_call):
    chk = _rulebook(tmp_path, """\
        settings:
          normalize: {traditional: false}
        rules:
          forbidden.impatience.repeat: {phonetic: 0}
          forbidden.impatience.wait: {phonetic: 0}
    """)
    r = chk.check(polite_call(TRAD_CALL))
    assert _taboo(r, "forbidden.impatience.repeat") == []
    r = chk.check(polite_call(TRAD_WAIT))
    assert _taboo(r, "forbidden.impatience.wait") == []
    # Simplified text is unaffected
    r = chk.check(polite_call("客户：我的订单呢？\n坐席：你再说一遍。"))
    assert len(_taboo(r, "forbidden.impatience.repeat")) == 1


def test_traditional_red_line_heard_only_by_sound_when_traditional_is_off(tmp_path, checker, polite_call):
    call = polite_call("客戶：你們怎麼又亂扣費！\n坐席：你腦子進水了吧？")
    on = checker.check(call)
    assert on.red_line is True
    off = _rulebook(tmp_path, "settings:\n  normalize: {traditional: false}\n").check(call)
    assert off.red_line is False
    assert [f.level for f in off.findings if f.rule == "redline.abuse.insult"] == ["warning"]


def test_width_switch(tmp_path, checker, polite_call):
    call = polite_call("客户：你们又乱扣费！\n坐席：ＳＢ，自己看账单去。")
    assert checker.check(call).red_line is True
    assert _rulebook(tmp_path, "settings:\n  normalize: {width: false}\n").check(call).red_line is False


def test_case_switch(tmp_path, checker, polite_call):
    call = polite_call("客户：你们又乱扣费！\n坐席：SB，自己看账单去。")
    assert checker.check(call).red_line is True
    assert _rulebook(tmp_path, "settings:\n  normalize: {case: false}\n").check(call).red_line is False


@pytest.mark.parametrize("line", ["坐席：你再说，一遍。", "坐席：你 再 说 一 遍"])
def test_punctuation_switch(tmp_path, checker, line, polite_call):
    call = polite_call(f"客户：我要改套餐。\n{line}")
    [f] = _taboo(checker.check(call), "forbidden.impatience.repeat")
    assert f.matched == line.removeprefix("坐席：").rstrip("。")
    off = _rulebook(tmp_path, "settings:\n  normalize: {punctuation: false}\n").check(call)
    assert _taboo(off, "forbidden.impatience.repeat") == []


def test_numerals_switch_in_a_rulebook(tmp_path, checker, polite_call):
    call = polite_call("客户：以前那个号码呢？\n坐席：之前的机主登记的新号码是幺三九五七一二六六零四。")
    assert checker.check(call).checks["redline_privacy"] == "fail"
    off = _rulebook(tmp_path, "settings:\n  normalize: {numerals: false}\n").check(call)
    assert off.checks["redline_privacy"] == "pass"


def test_fillers_switch_in_a_rulebook(tmp_path, checker, polite_call):
    call = polite_call("客户：我要改套餐。\n坐席：你再嗯说一遍。")
    assert len(_taboo(checker.check(call), "forbidden.impatience.repeat")) == 1
    off = _rulebook(tmp_path, "settings:\n  normalize: {fillers: [], stutters: false}\n").check(call)
    assert _taboo(off, "forbidden.impatience.repeat") == []


def test_custom_filler_list(tmp_path, polite_call):
    chk = _rulebook(tmp_path, "settings:\n  normalize: {fillers: [然后]}\n")
    r = chk.check(polite_call("客户：我要改套餐。\n坐席：你再然后说一遍。"))
    assert [f.matched for f in _taboo(r, "forbidden.impatience.repeat")] == ["你再然后说一遍"]


# --------------------------------------------------------------------------------------------
# evidence: clean-view hits map back to the exact original words
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("said", ["你再嗯说一遍", "你再，嗯，说一遍", "你再那个说一遍", "你再 啊 说一遍"])
def test_filler_inside_a_taboo_is_caught_and_quoted_with_the_filler(checker, polite_call, said):
    r = checker.check(polite_call(f"客户：我说我要退订那个流量包。\n坐席：{said}？"))
    [f] = _taboo(r, "forbidden.impatience.repeat")
    assert f.matched == said  # the original words, filler and punctuation included
    assert f.text == f"{said}？"


def test_stutter_inside_a_taboo_is_caught(checker, polite_call):
    r = checker.check(polite_call("客户：我的宽带又断了。\n坐席：你你你怎么这么多问题。"))
    [f] = _taboo(r, "forbidden.impatience.nagging")
    assert f.matched.endswith("怎么这么多问题")
    assert f.matched in f.text


def test_filler_inside_the_ask_more_question_still_counts(checker):
    call = parse_transcript(
        "坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？\n"
        "客户：我想查一下这个月的话费。\n"
        "坐席：您本月话费是五十八元。请问还有那个其他可以帮您的吗？\n"
        "客户：没有了。\n"
        "坐席：感谢您的来电，祝您生活愉快，再见！")
    assert checker.check(call).checks["closing_ask_more"] == "pass"


def test_clean_view_spans_map_to_the_original_words(checker):
    call = parse_transcript("坐席：您本月话费是五十八元，请问还有，那个，其他可以帮您的吗？")
    ctx = checker.context(call)
    ws = checker.rulebook.rules["closing.ask_more"].ws
    spans = ctx.spans(0, ws)
    assert spans, "the clean view should find the question"
    words = {ctx.norms[0].original_words(a, b) for a, b in spans}
    assert all(w.startswith("还有，那个，其他") for w in words)
    assert all(w in call.segments[0].text for w in words)


def test_traditional_words_opencc_leaves_alone_one_character_at_a_time(checker):
    """著 and 瞭 fold to 着 and 了 (found by `scriptcheck lint --robustness`): 你就等著吧 is the taboo
    你就等着吧, 瞭解 is 了解; a Traditional transcript reads like a Simplified one."""
    from conftest import make_polite_call

    from scriptcheck.normalize import fold

    assert fold("你就等著吧") == "你就等着吧" and fold("瞭解一下") == "了解一下"
    bad = checker.check(make_polite_call("客戶：我的寬頻還是不通。\n坐席：你就等著吧，修好了會通知你。"))
    assert any(f.rule == "forbidden.impatience.wait" for f in bad.findings)
    ok = checker.check(make_polite_call("客戶：我的寬頻還是不通。\n坐席：好的，我瞭解，請您稍等，我幫您查詢一下。"))
    assert not any(f.check == "forbidden_phrase" for f in ok.findings)


# --------------------------------------------------------------------------------------------
# whole-call fast paths (numpy tables) equal the per-utterance / regex definitions
# --------------------------------------------------------------------------------------------
def _reference_clean(nz: Normalizer, folded: str) -> tuple[str, tuple[int, ...]] | None:
    """The clean view as first written: regex passes over the string (slow, obviously right)."""
    import re

    drops = []
    if nz.fillers:
        words = sorted((w for w in nz.fillers if w), key=len, reverse=True)
        drops += [m.span() for m in re.finditer("|".join(map(re.escape, words)), folded)]
    if nz.stutters:
        for m in re.finditer(r"(.)\1+", folded):
            ch = m.group(1)
            if not ch.isdigit() and (m.end() - m.start() >= 3 or ch in nz.stutter_chars):
                drops.append((m.start() + 1, m.end()))
    dropped = {i for a, b in drops for i in range(a, b)}
    kept = tuple(i for i in range(len(folded)) if i not in dropped)
    text = "".join(folded[i] for i in kept)
    if nz.numerals:
        text = spoken_digits(text)
    if not dropped and text == folded:
        return None
    return text, kept


@settings(deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=8))
@example(["第一行\n第二行", "", "请稍等"])  # a newline inside an utterance
@example(["。", "。", "。", "好"])  # utterances that fold to nothing: runs of separators
@example(["😀請稍等", "ＡＢＣ"])
def test_fold_call_equals_folding_each_utterance(texts):
    call = FOLD.fold_call(texts)
    assert call.text == "\n".join(FOLD.fold(t).text for t in texts)
    for i, t in enumerate(texts):
        one = FOLD.fold(t)
        assert call[i].text == one.text and call[i].offsets == one.offsets
        assert call.text[call.starts[i]:call.starts[i] + call.lens[i]] == one.text


@settings(deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=6), st.data())
@example(["第一行\n第二行", "請稍等。"], None)
def test_span_of_an_utterance_in_a_call_is_its_offsets(texts, data):
    """``span`` read straight from a call's offset map (before any utterance's map is built) equals
    the span from the utterance's own offsets, for every slice (and the empty ones)."""
    for i, t in enumerate(texts):
        n = FOLD.fold_call(texts)[i]  # a fresh call: the fast path, no offsets built yet
        a = data.draw(st.integers(0, len(n.text))) if data else 0
        b = data.draw(st.integers(a, len(n.text))) if data else len(n.text)
        got = n.span(a, b)
        one = FOLD.fold(t)
        assert got == one.span(a, b)


@settings(deadline=None)
@given(TEXT, st.sampled_from([FOLD, Normalizer(fillers=("嗯", "嗯哼", "那个")), Normalizer(stutters=False),
                              Normalizer(numerals=False), Normalizer(fillers=())]))
@example("我我我想那个问一下幺三八零零一三八", FOLD)
@example("嗯哼嗯嗯好好好的的", Normalizer(fillers=("嗯", "嗯哼", "那个")))  # a filler inside another
@example("\n\n\n我我\n我", FOLD)  # separators are never stutters
def test_clean_view_equals_the_regex_definition(text, nz):
    folded = nz.fold(text).text
    got = nz.clean(folded)
    want = _reference_clean(nz, folded)
    assert (got is None) == (want is None)
    if got is not None:
        assert (got.text, got.to_folded) == want
