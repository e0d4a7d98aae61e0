"""Behaviour of each matcher kind on realistic calls, with near-misses that must not fire.

Calls are mostly wrapped in a standard greeting and closing (``check_polite``) so that only the
check under test can move.
"""

from __future__ import annotations

import re

import pytest

from scriptcheck.context import CallContext
from scriptcheck.matchers import KINDS

_DIGITS = str.maketrans("零〇一二三四五六七八九", "00123456789")

OPENING_LINE = "坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"
TIMED_OPEN = "[00:00.0-00:05.0] 坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"
CLOSING_BLOCK = (
    "坐席：您本月话费是五十八元。请问还有其他可以帮您的吗？\n"
    "客户：没有了。\n"
    "坐席：感谢您的来电，祝您生活愉快，再见！"
)
ID_NUMBER = "330106199808124521"
ID_SPOKEN = "三三零一零六一九九八零八一二四五二一"


def findings_of(report, check):
    return [f for f in report.findings if f.check == check]


def rules_fired(report, check=None):
    return sorted({f.rule for f in report.findings if check is None or f.check == check})


def visible_digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(_DIGITS))


# --------------------------------------------------------------------------------------------
# forbidden / redline (phrase.py)
# --------------------------------------------------------------------------------------------
class TestForbiddenPhrase:
    def test_polite_request_to_repeat_passes(self, check_polite):
        r = check_polite("""
            客户：我想问一下那个……宽带……
            坐席：很抱歉，刚才信号不太好，请您再说一遍好吗？
            客户：我说我想把宽带从一百兆升到三百兆。
            坐席：好的，已经为您办理了提速。
        """)
        assert r.checks["forbidden_phrase"] == "pass"
        assert findings_of(r, "forbidden_phrase") == []
        assert r.verdict == "pass"

    def test_curt_request_to_repeat_fails_with_evidence(self, check_polite, checker):
        r = check_polite("""
            客户：我想问一下那个……宽带……
            坐席：你再说一遍，太小声了。
            客户：我说我想把宽带从一百兆升到三百兆。
            坐席：好的，已经为您办理了提速。
        """)
        assert r.checks["forbidden_phrase"] == "fail"
        [f] = findings_of(r, "forbidden_phrase")
        assert f.rule == "forbidden.impatience.repeat"
        assert f.segment == 2
        assert f.speaker == "agent"
        assert f.matched == "你再说一遍"
        assert f.text == "你再说一遍，太小声了。"
        assert f.suggestion == checker.rulebook.rules["forbidden.impatience.repeat"].suggestion
        assert r.red_line is False

    def test_customer_curse_never_fails_the_agent(self, check_polite):
        r = check_polite("""
            客户：你们他妈的就是骗子！扣了我两百块钱！
            坐席：先生，您先消消气，我马上帮您查一下这笔扣费。
            客户：你们这破公司，神经病一样乱扣费。
            坐席：理解您的心情，这笔费用我已经为您申请退回了。
        """)
        assert r.red_line is False
        assert r.checks["redline_abuse"] == "pass"
        assert r.checks["forbidden_phrase"] == "pass"
        assert [f for f in r.findings if f.speaker == "customer"] == []

    def test_same_curse_said_by_the_agent_is_a_red_line(self, check_polite):
        r = check_polite("""
            客户：你们就是骗子！扣了我两百块钱！
            坐席：你有病吧？自己订的业务还来骂人。
        """)
        assert r.checks["redline_abuse"] == "fail"
        assert r.red_line is True and r.score == 0 and r.verdict == "fail"
        [f] = findings_of(r, "redline_abuse")
        assert f.speaker == "agent" and "有病" in f.matched

    @pytest.mark.parametrize("line", [
        "坐席：刚才同事说“你等一会”，实在抱歉，让您不舒服了。",
        '坐席：刚才同事说"你等一会"，实在抱歉。',
        "坐席：刚才那位同事说「你等一会」，这个态度确实不对，我向您道歉。",
    ])
    def test_taboo_quoted_to_apologise_passes(self, check_polite, line):
        r = check_polite(f"客户：我刚才打过来，你们的人让我等一会就把电话挂了！\n{line}")
        assert r.checks["forbidden_phrase"] == "pass", rules_fired(r)

    def test_same_taboo_unquoted_fails(self, check_polite):
        r = check_polite("客户：我的订单到底什么时候发货？\n坐席：你等一会，我在查。")
        assert rules_fired(r, "forbidden_phrase") == ["forbidden.impatience.wait"]

    def test_traditional_script_is_still_caught(self, check_polite):
        r = check_polite("客戶：我的帳單是不是算錯了？\n坐席：你等一會，我查一下。")
        [f] = findings_of(r, "forbidden_phrase")
        assert f.rule == "forbidden.impatience.wait"
        assert f.matched.startswith("你等一會")  # evidence quotes the original (Traditional) words

    def test_negated_taboo_passes(self, check_polite):
        r = check_polite("客户：是不是我自己操作错了？\n坐席：这不是您的问题，是系统延迟，已经为您处理好了。")
        assert r.checks["forbidden_phrase"] == "pass"

    def test_negated_blame_with_ziji_passes(self, check_polite):
        """Regression: 这不是您自己的原因 once fired forbidden.blame.customer (negation ignored)."""
        r = check_polite("客户：是不是我自己操作错了？\n坐席：这不是您自己的原因，是系统升级导致的，已经为您处理好了。")
        assert r.checks["forbidden_phrase"] == "pass", rules_fired(r)

    def test_agent_offering_to_contact_merchant_is_not_shirking(self, check_polite):
        """Regression: 帮您找商家问一下 once matched the shirking pattern '(你|您)…找商家问'."""
        r = check_polite("客户：这个耳机左边没声音。\n坐席：好的，我这边帮您找商家问一下，有结果了短信通知您。")
        assert r.checks["forbidden_phrase"] == "pass", rules_fired(r)

    def test_shirking_to_merchant_fails(self, check_polite):
        r = check_polite("客户：这个耳机左边没声音。\n坐席：这个属于质量问题，我不清楚，你找商家问去。")
        assert rules_fired(r, "forbidden_phrase") == ["forbidden.shirk.not_my_job"]

    def test_apology_for_making_customer_anxious_passes(self, check_polite):
        """Near-miss: 等着急了 is not the curt 等着."""
        r = check_polite("客户：喂？还在吗？\n坐席：等着急了吧？实在抱歉，让您久等了，已经查到了。")
        assert r.checks["forbidden_phrase"] == "pass", rules_fired(r)

    def test_curt_closing_ask_satisfies_ask_more_but_is_a_taboo(self, check_text):
        r = check_text("""
            坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？
            客户：我想查一下我的积分。
            坐席：您目前有积分三千二百分。还有别的问题吗？
            客户：没有了。
            坐席：感谢您的来电，祝您生活愉快，再见！
        """)
        assert r.checks["closing_ask_more"] == "pass"
        assert rules_fired(r, "forbidden_phrase") == ["forbidden.closing.curt"]

    def test_announcing_the_hang_up_is_rude_but_brief_close_is_not(self, check_text):
        rude = check_text("""
            坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？
            客户：我查下话费。
            坐席：您本月话费五十八元。
            客户：哦。
            坐席：行，就这样，挂了啊。
        """)
        brief = check_text("""
            坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？
            客户：我查下话费。
            坐席：您本月话费五十八元。
            客户：哦。
            坐席：好的，那先这样。
        """)
        assert rules_fired(rude, "forbidden_phrase") == ["forbidden.closing.curt"]
        assert brief.checks["forbidden_phrase"] == "pass"

    def test_rude_opening_fails_only_in_the_greeting(self, check_text):
        rude = check_text("坐席：喂？什么事？\n客户：我想报修。\n坐席：好的，请说一下地址。")
        assert "forbidden.opening.rude" in rules_fired(rude, "forbidden_phrase")
        # the same bare 喂 later in the call (a bad line) is not an opening
        later = check_text(OPENING_LINE + "\n客户：我的宽带……（杂音）\n坐席：喂？\n"
                           "客户：喂？听得到吗？\n坐席：现在能听到了，您请说。")
        assert "forbidden.opening.rude" not in rules_fired(later)
        assert later.checks["greeting"] == "pass"


class TestRedLineNearMisses:
    @pytest.mark.parametrize("line", [
        "坐席：好的，我帮您把滚筒洗衣机的报修提交了，师傅明天上门。",
        "坐席：您说的滚筒不转了，是开机以后一直不转吗？",
        "坐席：这次的维修费一共是三千二百五十元，已经从您的账户扣除。",
        "坐席：您先别着急，我们一起来看一下问题出在哪。",
        "坐席：我帮您查一下您家附近的垃圾分类回收点。",
    ])
    def test_ordinary_words_do_not_fire_redline_abuse(self, check_polite, line):
        r = check_polite(f"客户：我想咨询一下。\n{line}")
        assert r.checks["redline_abuse"] == "pass", rules_fired(r)
        assert r.red_line is False

    @pytest.mark.parametrize("line", [
        pytest.param("坐席：上门费加材料费一共就是二百五十元。", id="price-250"),
        pytest.param("坐席：您收到的这条就是垃圾短信，直接删除就可以了。", id="spam-sms"),
        pytest.param("坐席：您买的这款就是猪肉脯，不含牛肉。", id="pork-jerky"),
        pytest.param("坐席：请问你有病历吗？理赔需要提供病历。", id="medical-record"),
    ])
    def test_insult_substrings_inside_ordinary_words_are_not_abuse(self, check_polite, line):
        """Regression: 就是二百五十元 / 就是垃圾短信 / 就是猪肉脯 / 你有病历 once scored 0 as abuse."""
        r = check_polite(f"客户：我想咨询一下。\n{line}")
        assert r.checks["redline_abuse"] == "pass", rules_fired(r)

    @pytest.mark.parametrize("line", [
        pytest.param("坐席：热水器里的水烧滚开了会自动断电，您放心使用。", id="water-boils"),
        pytest.param("坐席：等锅里的水滚开以后再放饺子，这个电磁炉是正常的。", id="pot-boils"),
    ])
    def test_boiling_water_is_not_abuse(self, check_polite, line):
        """Regression: 滚开 (to boil) once scored 0 as abuse."""
        r = check_polite(f"客户：我想咨询一下。\n{line}")
        assert r.checks["redline_abuse"] == "pass", rules_fired(r)

    def test_real_insult_is_caught(self, check_polite):
        r = check_polite("客户：你们到底能不能修好？\n坐席：你真是个二百五，说了多少次了要先断电。")
        assert r.checks["redline_abuse"] == "fail"
        assert r.red_line is True

    def test_sarcasm_is_caught_and_patient_explanation_is_not(self, check_polite):
        mocking = check_polite("客户：这个设置在哪里啊？\n坐席：我都讲了多少遍了，您怎么还是不会呢？")
        patient = check_polite("客户：这个设置在哪里啊？\n坐席：没关系，我再为您详细说明一遍，设置在右上角。")
        assert mocking.checks["redline_sarcasm"] == "fail" and mocking.red_line
        assert patient.checks["redline_sarcasm"] == "pass" and not patient.red_line

    def test_reassurance_about_children_is_not_sarcasm(self, check_polite):
        r = check_polite("客户：我家宝宝老是把奶嘴吐出来，是不是奶嘴有问题？\n"
                         "坐席：您别担心，宝宝刚开始用的时候，小孩子都会这样的，过几天就适应了。")
        assert r.checks["redline_sarcasm"] == "pass", rules_fired(r)

    def test_internal_data_disclosed_vs_politely_refused(self, check_polite):
        leak = check_polite("客户：能不能再便宜点？\n"
                            "坐席：我们内部有个挽留政策，内部文件里写着可以减免半年，这个一般不对外说的。")
        refuse = check_polite("客户：你们内部是怎么规定的？\n"
                              "坐席：很抱歉，这个属于公司内部信息，需要保密，无法向您提供。")
        assert leak.checks["redline_internal"] == "fail" and leak.red_line
        assert refuse.checks["redline_internal"] == "pass" and not refuse.red_line

    @pytest.mark.parametrize("line", [
        pytest.param("坐席：中奖名单还没公布，公布以后会在官网公示，您可以关注一下。", id="winners-list"),
        pytest.param("坐席：活动规则还没公布出来，您可以关注一下我们的公众号。", id="campaign-rules"),
    ])
    def test_saying_something_is_not_yet_public_is_not_a_leak(self, check_polite, line):
        """Regression: 还没公布 (public info not out yet) was once an internal-data red line."""
        r = check_polite(f"客户：中奖名单什么时候出来？\n{line}")
        assert r.checks["redline_internal"] == "pass", rules_fired(r)

    def test_shipping_status_is_not_internal_data(self, check_polite):
        r = check_polite("客户：我的快递怎么还没到？\n坐席：您的订单还没发货，预计明天从仓库发出。")
        assert r.checks["redline_internal"] == "pass", rules_fired(r)


# --------------------------------------------------------------------------------------------
# required (required.py): greeting and closing
# --------------------------------------------------------------------------------------------
class TestRequired:
    @pytest.mark.parametrize("opening", ["坐席：你好，请讲。", "坐席：喂？", "坐席：云桥通信。", "坐席：您好。"])
    def test_incomplete_greeting_fails(self, check_text, opening):
        r = check_text(f"{opening}\n客户：我想查一下话费。\n{CLOSING_BLOCK}")
        assert r.checks["greeting"] == "fail"
        [f] = findings_of(r, "greeting")
        assert f.rule == "greeting.standard" and f.segment == 0 and f.stage == "greeting"

    @pytest.mark.parametrize("opening", [
        "坐席：您好，XX公司，很高兴为您服务。",
        "坐席：您好，欢迎致电云桥通信，请问有什么可以帮您？",
        "坐席：您好云桥通信很高兴为您服务请问有什么可以帮您",  # ASR: no punctuation
        "坐席：您好，雲橋通信，很高興為您服務，請問有什麼可以幫您？",  # Traditional
    ])
    def test_standard_greeting_passes(self, check_text, opening):
        r = check_text(f"{opening}\n客户：我想查一下话费。\n{CLOSING_BLOCK}")
        assert r.checks["greeting"] == "pass"

    def test_greeting_is_judged_on_the_opening_only(self, check_text):
        r = check_text("""
            坐席：你好，请讲。
            客户：我想查话费。
            坐席：您好，很高兴为您服务，您本月话费五十八元。
            客户：好的。
            坐席：请问还有其他可以帮您的吗？
            客户：没有了。
            坐席：感谢您的来电，再见！
        """)
        assert r.checks["greeting"] == "fail"

    @pytest.mark.parametrize(("last", "expected"), [
        ("坐席：好的，感谢您的来电。", "fail"),
        ("坐席：好，再见。", "fail"),
        ("坐席：感谢您的来电，祝您生活愉快，再见！", "pass"),
        ("坐席：好的，祝您生活愉快，再见。", "pass"),
        ("坐席：感謝您的來電，再見！", "pass"),
    ])
    def test_farewell_needs_thanks_and_goodbye(self, check_text, last, expected):
        r = check_text(f"""
            {OPENING_LINE}
            客户：我想查一下话费。
            坐席：您本月话费是五十八元。请问还有其他可以帮您的吗？
            客户：没有了。
            {last}
        """)
        assert r.checks["closing_farewell"] == expected
        assert len(findings_of(r, "closing_farewell")) == (expected == "fail")

    def test_missing_ask_more_fails(self, check_text):
        r = check_text(f"""
            {OPENING_LINE}
            客户：我想约周六上门安装。
            坐席：好的，已经帮您预约了周六上午。
            客户：好的，谢谢啊。
            坐席：不客气，感谢您的来电，再见！
        """)
        assert r.checks["closing_ask_more"] == "fail"
        [f] = findings_of(r, "closing_ask_more")
        assert f.stage == "closing" and f.speaker == "agent"

    def test_ask_more_is_na_on_a_wrong_number(self, check_text):
        r = check_text(f"""
            {OPENING_LINE}
            客户：喂？是物业吗？我家水管漏水了。
            坐席：您好，这里是云桥通信客服热线，不是物业。
            客户：哦，不好意思，打错了。
            坐席：没关系，感谢您的来电，再见！
        """)
        assert r.checks["closing_ask_more"] == "n/a"
        assert r.checks["closing_farewell"] == "pass"

    @pytest.mark.parametrize("rest", ["客户：……", "", "客户：（噪音）"])
    def test_ask_more_na_when_call_ends_after_greeting(self, check_text, rest):
        r = check_text(f"{OPENING_LINE}\n{rest}")
        assert r.checks["closing_ask_more"] == "n/a"
        assert findings_of(r, "closing_farewell") == []

    def test_closing_checks_na_on_a_silent_line(self, check_text):
        r = check_text(f"""
            {OPENING_LINE}
            客户：……
            坐席：喂？您好？请问能听到吗？
            客户：……
            坐席：您好，您那边没有声音，请您换个电话再拨打，再见。
        """)
        assert r.checks["closing_ask_more"] == "n/a"
        assert findings_of(r, "closing_ask_more") == [] and findings_of(r, "closing_farewell") == []

    def test_farewell_na_when_call_ends_after_greeting(self, check_text):
        """Regression: the warning-level holiday rule once turned closing_farewell n/a into pass."""
        r = check_text(f"{OPENING_LINE}\n客户：……")
        assert r.checks["closing_farewell"] == "n/a"


# --------------------------------------------------------------------------------------------
# hold (hold.py + stages.find_holds)
# --------------------------------------------------------------------------------------------


class TestHold:
    def test_no_gap_means_no_hold(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:09.0] 客户：我想查一下这个月的话费。
            [00:09.5-00:13.0] 坐席：好的，您本月话费是五十八元。
            [00:13.5-00:14.5] 客户：好的。
            [00:15.0-00:18.0] 坐席：请问还有其他可以帮您的吗？
            [00:18.5-00:19.5] 客户：没有了。
            [00:20.0-00:23.0] 坐席：感谢您的来电，祝您生活愉快，再见！
        """)
        assert r.checks["hold_notify"] == "n/a"
        assert r.checks["hold_thanks"] == "n/a"
        assert r.checks["interruption"] == "pass"
        assert r.verdict == "pass" and r.score == 100

    def test_announced_and_thanked_timed_hold_passes(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:09.0] 客户：我想查一下这个月的话费。
            [00:09.5-00:12.0] 坐席：好的，现在为您查询，请稍等。
            [00:27.0-00:31.0] 坐席：感谢您的耐心等待，您本月话费是五十八元。
            [00:31.5-00:32.5] 客户：好的。
            [00:33.0-00:36.0] 坐席：请问还有其他可以帮您的吗？
            [00:36.5-00:37.5] 客户：没有了。
            [00:38.0-00:41.0] 坐席：感谢您的来电，祝您生活愉快，再见！
        """)
        assert r.checks["hold_notify"] == "pass"
        assert r.checks["hold_thanks"] == "pass"
        assert r.metrics.longest_silence == pytest.approx(15.0)

    def test_silent_hold_fails_notice_and_thanks(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:09.0] 客户：我想查一下这个月的话费。
            [00:09.5-00:10.0] 坐席：嗯。
            [00:28.0-00:31.0] 坐席：您本月话费是五十八元。
            [00:31.5-00:32.5] 客户：好的。
            [00:33.0-00:36.0] 坐席：请问还有其他可以帮您的吗？
            [00:36.5-00:37.5] 客户：没有了。
            [00:38.0-00:41.0] 坐席：感谢您的来电，祝您生活愉快，再见！
        """)
        assert r.checks["hold_notify"] == "fail"
        assert r.checks["hold_thanks"] == "fail"
        [notify] = findings_of(r, "hold_notify")
        assert notify.segment == 2 and "18.0" in (notify.note or "")
        [thanks] = findings_of(r, "hold_thanks")
        assert thanks.segment == 3

    def test_gap_just_below_threshold_is_not_a_hold(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:09.0] 客户：我想查一下这个月的话费。
            [00:09.5-00:10.0] 坐席：嗯。
            [00:19.5-00:23.0] 坐席：您本月话费是五十八元。
        """)
        assert r.checks["hold_notify"] == "n/a"

    def test_customer_caused_pause_is_not_a_hold(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:09.0] 客户：我想查一下上个月的账单。
            [00:09.5-00:12.0] 坐席：好的，麻烦您提供一下账单上的用户号。
            [00:12.5-00:15.0] 客户：用户号是吧，你等我一下，我找一下。
            [00:15.5-00:16.5] 坐席：好的，不着急。
            [00:40.0-00:44.0] 客户：找到了，是三零一七二八四六。
            [00:44.5-00:49.0] 坐席：好的，您上个月账单是六十二元。请问还有其他可以帮您的吗？
            [00:49.5-00:50.5] 客户：没有了。
            [00:51.0-00:54.0] 坐席：感谢您的来电，祝您生活愉快，再见！
        """)
        assert r.checks["hold_notify"] == "n/a"
        assert r.checks["hold_thanks"] == "n/a"

    def test_customer_asking_agent_to_look_does_not_excuse_a_silent_hold(self, check_text):
        """Regression: customer_wait '我看一下' once matched inside 你帮我看一下."""
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:09.0] 客户：我家宽带从昨天开始就上不了网，你帮我看一下。
            [00:09.5-00:10.0] 坐席：好的。
            [00:26.0-00:31.0] 坐席：系统显示您家的光猫离线了。
        """)
        assert r.checks["hold_notify"] == "fail"

    def test_untimed_announced_wait_without_thanks_fails_thanks_only(self, check_polite):
        r = check_polite("""
            客户：我想查一下积分。
            坐席：好的，现在为您查询积分余额，请稍等。
            客户：好。
            坐席：您目前有积分三千二百分。
        """)
        assert r.checks["hold_notify"] == "pass"  # untimed: the notice cannot be missing
        assert r.checks["hold_thanks"] == "fail"
        [f] = findings_of(r, "hold_thanks")
        assert f.text == "您目前有积分三千二百分。"

    @pytest.mark.parametrize("thanks", [
        "感谢您的耐心等待，", "谢谢您的耐心等候，", "抱歉让您等了这么久，", "让您久等了，",
    ])
    def test_untimed_wait_with_paraphrased_thanks_passes(self, check_polite, thanks):
        r = check_polite(f"""
            客户：我想查一下积分。
            坐席：好的，现在为您查询积分余额，请稍等。
            坐席：{thanks}您目前有积分三千二百分。
        """)
        assert r.checks["hold_thanks"] == "pass"
        assert r.checks["hold_notify"] == "pass"

    def test_rude_notice_still_counts_as_notice(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:09.0] 客户：我想查一下这个月的话费。
            [00:09.5-00:11.0] 坐席：你等一会。
            [00:26.0-00:30.0] 坐席：让您久等了，您本月话费是五十八元。
        """)
        assert r.checks["hold_notify"] == "pass"
        assert r.checks["hold_thanks"] == "pass"
        assert rules_fired(r, "forbidden_phrase") == ["forbidden.impatience.wait"]

    def test_one_unthanked_hold_of_two_fails(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:09.0] 客户：我想查一下话费，顺便问一下积分。
            [00:09.5-00:12.0] 坐席：好的，现在为您查询话费，请稍等。
            [00:25.0-00:29.0] 坐席：感谢您的耐心等待，您本月话费是五十八元。我再帮您查一下积分，请稍等。
            [00:45.0-00:49.0] 坐席：您目前有积分三千二百分。
        """)
        assert r.checks["hold_notify"] == "pass"
        assert r.checks["hold_thanks"] == "fail"
        assert [f.segment for f in findings_of(r, "hold_thanks")] == [4]  # after the 2nd hold only

    def test_instruction_to_wait_later_is_not_a_hold(self, check_text):
        """Regression: any 稍等 (even advice for after the call) once made an untimed hold."""
        r = check_text(f"""
            {OPENING_LINE}
            客户：我家宽带上不了网。
            坐席：已经帮您重置了端口，您把光猫重启一下，稍等两分钟就能上网了。
            客户：好的。
            坐席：请问还有其他可以帮您的吗？
            客户：没有了。
            坐席：感谢您的来电，祝您生活愉快，再见！
        """)
        assert r.checks["hold_thanks"] == "n/a"


# --------------------------------------------------------------------------------------------
# response (response.py): surname leak
# --------------------------------------------------------------------------------------------
class TestSurnameLeak:
    def test_surname_with_staff_number_still_fails(self, check_polite):
        r = check_polite("客户：你叫什么？我记一下。\n坐席：我姓杨，工号3390。")
        assert r.checks["surname_leak"] == "fail"
        [f] = findings_of(r, "surname_leak")
        assert f.rule == "surname.asked_name" and f.matched.startswith("我姓杨")

    def test_staff_number_only_passes(self, check_polite):
        r = check_polite("客户：你叫什么名字？我要投诉你。\n坐席：我的工号是3390，您反映的问题我来跟进。")
        assert r.checks["surname_leak"] == "pass"

    def test_wo_jiao_meaning_ill_have_someone_is_not_a_name(self, check_polite):
        """Regression: 我叫师傅… (I'll have the technician…) was once a surname leak."""
        r = check_polite("客户：你叫啥名字？师傅什么时候来？\n坐席：我的工号是3390，我叫师傅明天上午联系您。")
        assert r.checks["surname_leak"] == "pass", rules_fired(r)

    def test_nickname_answer_fails(self, check_polite):
        r = check_polite("客户：您贵姓？回头我再打过来找您。\n坐席：免贵姓王，您找小王就可以。")
        assert r.checks["surname_leak"] == "fail"

    def test_traditional_question_and_surname(self, check_polite):
        r = check_polite("客戶：你叫什麼名字？\n坐席：我姓陳，您找陳小姐就行。")
        assert r.checks["surname_leak"] == "fail"

    def test_passes_when_nobody_asks(self, check_polite):
        r = check_polite("客户：我想查话费。\n坐席：好的，林女士，您本月话费五十八元。")
        assert r.checks["surname_leak"] == "pass"

    def test_asking_for_staff_number_is_not_a_name_question(self, check_polite):
        r = check_polite("客户：你工号多少？\n坐席：我的工号是2086。")
        assert r.checks["surname_leak"] == "pass"

    def test_agent_asking_customer_name_is_not_a_trigger(self, check_polite):
        r = check_polite("坐席：请问机主怎么称呼？\n客户：我姓林，叫林晓燕。\n"
                         "坐席：林女士您好，麻烦您提供一下身份证后四位。")
        assert r.checks["surname_leak"] == "pass"


# --------------------------------------------------------------------------------------------
# timing (timing.py): interruptions
# --------------------------------------------------------------------------------------------
class TestInterruption:
    def test_na_without_timestamps(self, check_polite):
        r = check_polite("客户：我刚搬了新家，想在新地址装个宽带。\n坐席：新装是吧？请您提供一下新地址。")
        assert r.checks["interruption"] == "n/a"
        assert r.metrics.interruptions is None

    def test_agent_talking_over_customer_fails(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:06.2-00:14.3] 客户：我刚搬了新家，想在新地址装个宽带，然后旧地址那个我也想……
            [00:11.9-00:15.9] 坐席：新装是吧？新装的话您需要提供新地址。
        """)
        assert r.checks["interruption"] == "fail"
        [f] = findings_of(r, "interruption")
        assert f.segment == 2 and f.speaker == "agent" and f.start == pytest.approx(11.9)
        assert "2.4" in (f.note or "")
        assert r.metrics.interruptions == 1

    def test_short_backchannel_passes(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:06.2-00:11.3] 客户：我刚搬了新家，想在新地址装个宽带。
            [00:10.9-00:11.5] 坐席：嗯。
            [00:12.0-00:15.0] 坐席：好的，请您提供一下新地址。
        """)
        assert r.checks["interruption"] == "pass"
        assert r.metrics.interruptions == 0

    def test_customer_talking_over_agent_is_not_the_agents_fault(self, check_text):
        r = check_text(f"""
            {TIMED_OPEN}
            [00:05.5-00:08.0] 客户：我要装宽带。
            [00:08.5-00:16.0] 坐席：好的，新装宽带需要您提供身份证和新地址，我们会安排师傅上门。
            [00:11.0-00:15.0] 客户：地址是锦绣花园七栋，你们什么时候能来？
        """)
        assert r.checks["interruption"] == "pass"


# --------------------------------------------------------------------------------------------
# pii (pii.py): personal numbers and masking
# --------------------------------------------------------------------------------------------


class TestPrivacy:
    def test_id_read_back_in_chinese_numerals_is_caught_and_masked(self, check_polite):
        r = check_polite(f"客户：我想确认一下登记的身份证号。\n坐席：您登记的身份证号是{ID_SPOKEN}，对吗？")
        assert r.checks["redline_privacy"] == "fail"
        assert r.red_line is True and r.score == 0 and r.verdict == "fail"
        [f] = findings_of(r, "redline_privacy")
        assert f.rule == "redline.privacy.numbers"
        for text in (f.text, f.matched):
            assert ID_SPOKEN not in text
            assert ID_NUMBER not in visible_digits(text)
        assert "*" in f.matched
        assert f.matched.startswith("三三零") and f.matched.endswith("四五二一")  # first 3 / last 4 kept
        assert r.pii_masked is True

    def test_id_in_digits_shown_only_when_unmasked(self, checker, checker_unmasked, polite_call):
        call = polite_call(f"客户：我想确认一下登记的身份证号。\n坐席：我看到您登记的身份证号是{ID_NUMBER}，对吗？")
        masked = checker.check(call)
        shown = checker_unmasked.check(call)
        assert ID_NUMBER not in " ".join(f.text + f.matched for f in masked.findings)
        [f] = findings_of(shown, "redline_privacy")
        assert f.matched == ID_NUMBER and shown.pii_masked is False

    def test_bank_card_with_spaces_is_caught(self, check_polite):
        r = check_polite("客户：这笔消费不是我刷的。\n"
                         "坐席：这笔交易是今天下午发生的，您的卡号是6259 6301 2345 8876，这张卡在您身边吗？")
        assert r.checks["redline_privacy"] == "fail"
        [f] = findings_of(r, "redline_privacy")
        assert "6259630123458876" not in f.text.replace(" ", "")

    @pytest.mark.parametrize("line", [
        "坐席：尾号8836的卡片已经为您挂失成功。",
        "坐席：尾号八八三六的卡片已经为您挂失成功。",
        "坐席：请您提供一下身份证后六位，我核实一下身份。",
        "坐席：您的订单号是20261021887412，已经为您查询到了。",
        "坐席：好的，您的手机号是13905718246，对吗？",
        "坐席：很抱歉，其他用户的信息属于个人隐私，我们无法提供。",
    ])
    def test_allowed_numbers_pass(self, check_polite, line):
        r = check_polite(f"客户：帮我查一下。\n{line}")
        assert r.checks["redline_privacy"] == "pass", rules_fired(r)
        assert r.red_line is False

    def test_customer_reading_own_id_does_not_fail_agent(self, check_polite):
        r = check_polite(f"坐席：请问您的身份证号是？\n客户：{ID_SPOKEN}。\n坐席：好的，已经为您核实。")
        assert r.checks["redline_privacy"] == "pass"

    def test_third_party_phone_fails(self, check_polite):
        r = check_polite("客户：这个号以前是谁的？\n"
                         "坐席：之前的机主销号时登记了一个新号码，是13957126604，您可以打这个号码。")
        assert r.checks["redline_privacy"] == "fail" and r.red_line

    def test_id_split_by_punctuation_is_masked_too(self, check_polite):
        """Regression: mask() once left 17 of 18 digits visible when ASR punctuation split the number."""
        r = check_polite("客户：帮我核对一下身份证。\n"
                         "坐席：您登记的身份证号是三三零一零六，一九九八零八一二，四五二一，对吗？")
        [f] = findings_of(r, "redline_privacy")
        assert len(visible_digits(f.text)) <= 7, f.text


# --------------------------------------------------------------------------------------------
# registry
# --------------------------------------------------------------------------------------------
def test_every_kind_has_an_evaluate_function():
    assert set(KINDS) == {"forbidden", "redline", "required", "sequence", "response", "timing", "count", "pii",
                          "all", "any", "not"}
    assert all(callable(getattr(m, "evaluate", None)) for m in KINDS.values())


def test_matchers_do_not_modify_the_call(checker, transcript):
    call = transcript(f"{OPENING_LINE}\n客户：我想查话费。\n坐席：你等一会。\n坐席：您本月话费五十八元。")
    before = call.model_dump()
    ctx = CallContext(call, checker.rulebook.lexicon, checker.rulebook.stages, checker.rulebook.settings)
    for rule in checker.rulebook.enabled_rules:
        checker.evaluate(rule, ctx)
    assert call.model_dump() == before
