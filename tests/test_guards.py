"""False-alarm guards of forbidden and red-line phrases (matchers/phrase.py), each with a case that
fires and a near miss that must not: jieba word boundaries, ``except``, ``unless``, quotation marks,
negation, reported speech, mention cues, the speaker filter and homophone hits.

Calls are wrapped in a standard greeting and closing (``polite_call``) and the assertions look only
at the check under test.
"""

from __future__ import annotations

import textwrap

import pytest

from scriptcheck.engine import Checker


def fired(report, check: str = "forbidden_phrase") -> list[str]:
    return sorted(f.rule for f in report.findings if f.check == check and f.level == "error")


def matched(report, rule: str) -> list[str]:
    return [f.matched for f in report.findings if f.rule == rule]


@pytest.fixture(scope="module")
def custom_checker(tmp_path_factory) -> Checker:
    """The default rulebook plus a company text phrasebook of extra taboo phrases."""
    d = tmp_path_factory.mktemp("company")
    (d / "extra_taboo.txt").write_text(textwrap.dedent("""\
        # 本公司补充的服务忌语
        口交
        不归我们部门管
    """), encoding="utf-8")
    (d / "refund_taboo.txt").write_text("退款不归我们部门管\n", encoding="utf-8")
    (d / "company.yaml").write_text(textwrap.dedent("""\
        extends: default
        phrasebooks:
          - path: extra_taboo.txt
            check: forbidden_phrase
          - path: refund_taboo.txt
            check: forbidden_phrase
    """), encoding="utf-8")
    return Checker.from_rulebook(d / "company.yaml")


CUSTOM = "phrasebook.extra_taboo"
REFUND = "phrasebook.refund_taboo"


# --------------------------------------------------------------------------------------------
# jieba word boundary for hits of <= 2 characters
# --------------------------------------------------------------------------------------------
class TestWordBoundary:
    def test_short_phrase_said_as_a_word_fires(self, custom_checker, polite_call):
        r = custom_checker.check(polite_call("客户：你刚才说什么？\n坐席：口交。"))
        assert matched(r, CUSTOM) == ["口交"]

    @pytest.mark.parametrize("line", [
        "坐席：师傅会在前面路口交通灯那里等您。",
        "坐席：您到了路口交通岗右转就是营业厅。",
    ])
    def test_short_phrase_inside_other_words_does_not_fire(self, custom_checker, polite_call, line):
        r = custom_checker.check(polite_call(f"客户：师傅在哪里等我？\n{line}"))
        assert matched(r, CUSTOM) == []
        assert r.checks["forbidden_phrase"] == "pass"

    def test_default_short_red_line_inside_a_longer_word_does_not_fire(self, checker, polite_call):
        r = checker.check(polite_call("客户：我家老人怎么办理？\n坐席：老人家如果有白痴呆症状，可以由家属代办。"))
        assert r.red_line is False
        assert r.checks["redline_abuse"] == "pass"

    def test_default_short_red_line_said_as_a_word_fires(self, checker, polite_call):
        r = checker.check(polite_call("客户：你们又乱扣我钱！\n坐席：白痴，自己开通的业务还来问。"))
        assert r.red_line is True
        assert matched(r, "redline.abuse.insult") == ["白痴"]


# --------------------------------------------------------------------------------------------
# except: an overlapping allow-listed wording wins, and only where it overlaps
# --------------------------------------------------------------------------------------------
class TestExcept:
    def test_overlapping_polite_form_passes(self, checker, polite_call):
        r = checker.check(polite_call("客户：我想改一下套餐。\n坐席：不好意思，请你再说一遍好吗？"))
        assert fired(r) == []

    def test_curt_form_fires(self, checker, polite_call):
        r = checker.check(polite_call("客户：我想改一下套餐。\n坐席：你再说一遍。"))
        assert fired(r) == ["forbidden.impatience.repeat"]

    def test_except_elsewhere_in_the_segment_does_not_cover_another_hit(self, checker, polite_call):
        r = checker.check(polite_call("客户：我想改一下套餐。\n坐席：请你再说一遍好吗？算了，你再说一遍！"))
        assert fired(r) == ["forbidden.impatience.repeat"]
        assert matched(r, "forbidden.impatience.repeat") == ["你再说一遍"]

    def test_negated_blame_is_excepted_but_blame_is_not(self, checker, polite_call):
        ok = checker.check(polite_call("客户：是不是我操作错了？\n坐席：不是您自己操作的问题，是系统升级了。"))
        assert fired(ok) == []
        bad = checker.check(polite_call("客户：是不是我操作错了？\n坐席：是您自己操作错了，页面上写得很清楚。"))
        assert fired(bad) == ["forbidden.blame.customer"]


# --------------------------------------------------------------------------------------------
# unless: a same-segment context cancels the hit (and only the same segment)
# --------------------------------------------------------------------------------------------
class TestUnless:
    def test_internal_price_with_refusal_in_the_segment_passes(self, checker, polite_call):
        r = checker.check(polite_call("客户：你们进货价多少？\n坐席：底价是多少属于公司内部信息，不方便透露。"))
        assert r.checks["redline_internal"] == "pass"
        assert r.red_line is False

    def test_internal_price_disclosed_fires(self, checker, polite_call):
        r = checker.check(polite_call("客户：你们进货价多少？\n坐席：底价是八百块，您别往外说。"))
        assert r.checks["redline_internal"] == "fail"
        assert r.red_line is True

    def test_refusal_in_another_segment_does_not_cancel(self, checker, polite_call):
        r = checker.check(polite_call(
            "客户：你们进货价多少？\n坐席：底价是八百块。\n客户：真的吗？\n坐席：其他的就不方便透露了。"))
        assert r.checks["redline_internal"] == "fail"


# --------------------------------------------------------------------------------------------
# quotation marks
# --------------------------------------------------------------------------------------------
class TestQuotes:
    @pytest.mark.parametrize("quoted", [
        "“你怎么这么啰嗦”",
        "「你怎么这么啰嗦」",
        "『你怎么这么啰嗦』",
        '"你怎么这么啰嗦"',
    ])
    def test_quoted_taboo_passes(self, checker, polite_call, quoted):
        r = checker.check(polite_call(
            f"客户：你们上一个客服太凶了！\n坐席：他跟您讲{quoted}，确实很不礼貌，我替他向您道歉。"))
        assert fired(r) == []

    def test_same_taboo_after_the_closing_quote_fires(self, checker, polite_call):
        r = checker.check(polite_call("客户：我再问一下。\n坐席：您说的“流量包”我查了，你怎么这么啰嗦。"))
        assert fired(r) == ["forbidden.impatience.nagging"]

    def test_unquoted_taboo_fires(self, checker, polite_call):
        r = checker.check(polite_call("客户：我再问一下。\n坐席：你怎么这么啰嗦。"))
        assert fired(r) == ["forbidden.impatience.nagging"]

    def test_quotes_guard_can_be_switched_off(self, tmp_path, polite_call):
        p = tmp_path / "company.yaml"
        p.write_text("extends: default\nsettings:\n  guards: {quotes: false}\n", encoding="utf-8")
        r = Checker.from_rulebook(p).check(
            polite_call("客户：上一个客服太凶了！\n坐席：他跟您讲“你怎么这么啰嗦”，我替他道歉。"))
        assert fired(r) == ["forbidden.impatience.nagging"]


# --------------------------------------------------------------------------------------------
# negation cues (不能说…) right before the hit
# --------------------------------------------------------------------------------------------
class TestNegation:
    @pytest.mark.parametrize("cue", ["不能说", "不应该说", "不要说", "禁止说"])
    def test_negated_taboo_passes(self, checker, polite_call, cue):
        r = checker.check(polite_call(
            f"客户：你们客服都这么说话的吗？\n坐席：我们{cue}你怎么这么啰嗦，是我的问题，抱歉。"))
        assert fired(r) == []

    def test_negation_far_before_the_hit_does_not_guard_it(self, checker, polite_call):
        r = checker.check(polite_call("客户：还要多久？\n坐席：这个不能说得太准，系统正在处理，你怎么这么啰嗦。"))
        assert fired(r) == ["forbidden.impatience.nagging"]


# --------------------------------------------------------------------------------------------
# reported speech (同事说…) right before the hit
# --------------------------------------------------------------------------------------------
class TestReportedSpeech:
    @pytest.mark.parametrize("line", [
        "坐席：刚才同事说你怎么这么啰嗦，实在抱歉，我来帮您处理。",
        "坐席：我看了录音，他说你怎么这么啰嗦，这个态度确实有问题。",
    ])
    def test_reported_taboo_passes(self, checker, polite_call, line):
        r = checker.check(polite_call(f"客户：你们刚才那个客服态度太差了！\n{line}"))
        assert fired(r) == []

    def test_reported_wait_passes(self, checker, polite_call):
        r = checker.check(polite_call("客户：刚才你们的人让我等着就挂了！\n坐席：同事说你等一会就挂断了，实在抱歉。"))
        assert "forbidden.impatience.wait" not in fired(r)

    def test_taboo_not_right_after_the_cue_fires(self, custom_checker, polite_call):
        """您说的 here qualifies 退款 (the refund you mentioned): the agent is shirking."""
        r = custom_checker.check(polite_call("客户：我的退款到底谁管？\n坐席：您说的退款不归我们部门管，您找财务吧。"))
        assert matched(r, CUSTOM) == ["不归我们部门管"]

    @pytest.mark.parametrize(("line", "rule"), [
        ("坐席：您说的退款不归我们部门管，您找财务吧。", REFUND),
        ("坐席：您说的业务就是这样的，开通了就要扣费。", "forbidden.blame.customer"),
    ])
    def test_relative_clause_after_nin_shuo_de_is_not_reported_speech(self, custom_checker, polite_call, line, rule):
        """Regression: 您说的 + noun is "the X you mentioned", not a quotation; the agent's own taboo
        starting with that noun was once dropped by the reported-speech guard."""
        r = custom_checker.check(polite_call(f"客户：为什么扣我钱，退款谁管？\n{line}"))
        assert rule in fired(r)

    @pytest.mark.parametrize("filler", ["嗯", "那个"])
    def test_filler_between_cue_and_reported_taboo(self, checker, polite_call, filler):
        """Regression: a filler between the cue and the taboo (同事说，嗯，…) once broke the guard."""
        r = checker.check(polite_call(
            f"客户：你们刚才那个客服态度太差了！\n坐席：刚才同事说，{filler}，你怎么这么啰嗦，实在抱歉。"))
        assert fired(r) == []


# --------------------------------------------------------------------------------------------
# mention cues after the hit (…这样的回答不符合规范)
# --------------------------------------------------------------------------------------------
class TestMentionAfter:
    @pytest.mark.parametrize("cue", ["这样的回答不符合规范", "这种话是不应该的", "这句话说得不对"])
    def test_mentioned_taboo_passes(self, checker, polite_call, cue):
        r = checker.check(polite_call(
            f"客户：你们客服让我自己找商家去问！\n坐席：我不清楚你找商家问去{cue}，我向您道歉。"))
        assert fired(r) == []

    def test_cue_beyond_the_window_does_not_guard(self, checker, polite_call):
        r = checker.check(polite_call(
            "客户：你们客服让我自己找商家去问！\n"
            "坐席：我不清楚你找商家问去，您那个订单的事情我们这边也没有记录，这样的回答不符合规范。"))
        assert fired(r) == ["forbidden.shirk.not_my_job"]

    def test_without_a_cue_it_fires(self, checker, polite_call):
        r = checker.check(polite_call("客户：这个耳机有质量问题。\n坐席：我不清楚你找商家问去。"))
        assert fired(r) == ["forbidden.shirk.not_my_job"]


# --------------------------------------------------------------------------------------------
# speaker filter: only the agent's words count
# --------------------------------------------------------------------------------------------
class TestSpeaker:
    def test_customer_taboo_and_curse_never_fail_the_agent(self, checker, polite_call):
        r = checker.check(polite_call(
            "客户：你再说一遍？你们这帮白痴，什么破公司，有意见找领导去是吧！\n"
            "坐席：先生，您先别着急，我马上帮您查这笔扣费。"))
        assert r.checks["forbidden_phrase"] == "pass"
        assert r.checks["redline_abuse"] == "pass"
        assert r.red_line is False
        assert [f for f in r.findings if f.speaker == "customer"] == []

    def test_same_words_by_the_agent_fail(self, checker, polite_call):
        r = checker.check(polite_call("客户：扣费怎么回事？\n坐席：你再说一遍？白痴，有意见找领导去。"))
        assert set(fired(r)) == {"forbidden.impatience.repeat", "forbidden.provoke.complain"}
        assert r.red_line is True


# --------------------------------------------------------------------------------------------
# homophones: a taboo fires with a note; a red line heard only by sound is a warning to review
# --------------------------------------------------------------------------------------------
class TestHomophones:
    def test_homophone_taboo_fires_with_a_note(self, checker, polite_call):
        r = checker.check(polite_call("客户：我要退那个视频会员。\n坐席：你在说一遍？"))
        [f] = [f for f in r.findings if f.check == "forbidden_phrase"]
        assert f.rule == "forbidden.impatience.repeat"
        assert f.matched == "你在说一遍"
        assert f.level == "error"
        assert "同音" in f.note
        assert r.checks["forbidden_phrase"] == "fail"

    def test_exact_taboo_has_no_homophone_note(self, checker, polite_call):
        r = checker.check(polite_call("客户：我要退那个视频会员。\n坐席：你再说一遍？"))
        [f] = [f for f in r.findings if f.check == "forbidden_phrase"]
        assert f.note is None

    def test_red_line_heard_only_by_sound_is_a_warning_not_a_red_line(self, checker, polite_call):
        r = checker.check(polite_call("客户：这个设置我还是不会弄。\n坐席：我都降了多烧变了，您再看一下。"))
        assert r.red_line is False
        assert r.checks["redline_sarcasm"] == "pass"
        [f] = [f for f in r.findings if f.rule == "redline.sarcasm.mock"]
        assert f.level == "warning"
        assert f.matched == "我都降了多烧变了"
        assert "复核" in f.note

    def test_same_red_line_said_exactly_is_a_red_line(self, checker, polite_call):
        r = checker.check(polite_call("客户：这个设置我还是不会弄。\n坐席：我都讲了多少遍了，您再看一下。"))
        assert r.red_line is True
        assert r.score == 0
        assert [f.level for f in r.findings if f.rule == "redline.sarcasm.mock"] == ["error"]

    def test_polite_nin_form_is_not_a_homophone_of_the_ni_taboo(self, checker, polite_call):
        r = checker.check(polite_call("客户：这个退款结果我不太满意。\n坐席：请问您想怎么样处理呢？我尽力帮您。"))
        assert fired(r) == []

    def test_homophones_can_be_switched_off_per_rule(self, tmp_path, polite_call):
        p = tmp_path / "company.yaml"
        p.write_text("extends: default\nrules:\n  forbidden.impatience.repeat: {phonetic: 0}\n", encoding="utf-8")
        r = Checker.from_rulebook(p).check(polite_call("客户：我要退那个视频会员。\n坐席：你在说一遍？"))
        assert fired(r) == []

    @pytest.mark.parametrize("line", ["坐席：好的 你在说一遍吧", "坐席：好 你在说一遍", "坐席：好  你在说一遍"])
    def test_homophone_evidence_with_punctuation_kept(self, tmp_path, polite_call, line):
        """Regression: with punctuation kept, a space before a homophone hit once shifted its evidence
        (在说一遍吧 for 你在说一遍) or raised IndexError."""
        p = tmp_path / "company.yaml"
        p.write_text("extends: default\nsettings:\n  normalize: {punctuation: false}\n", encoding="utf-8")
        r = Checker.from_rulebook(p).check(polite_call(f"客户：我要退那个视频会员。\n{line}"))
        assert matched(r, "forbidden.impatience.repeat") == ["你在说一遍"]
