"""Required wordings (matchers/required.py and the hold sequences): ASR homophones and paraphrases
within the edit budget satisfy them, a short turn that merely sits inside a long phrase does not, and
a missing wording's evidence names the closest thing said with its similarity.
"""

from __future__ import annotations

import re
import textwrap

import pytest

from scriptcheck.engine import Checker
from scriptcheck.matchers.required import edit_budget

GREETING = "坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"
ASK_MORE = "坐席：请问还有其他可以帮您的吗？"
FAREWELL = "坐席：感谢您的来电，祝您生活愉快，再见！"
CLOSEST = re.compile(r"最接近:(?P<said>.+) (?P<score>[01]\.\d\d)$")


BODY = "客户：我想查一下这个月的话费。"


def call_with(transcript, greeting=GREETING, ask_more=ASK_MORE, farewell=FAREWELL, body=BODY):
    """A whole untimed call; replace one of its parts to test that part alone."""
    return transcript("\n".join([greeting, body, ask_more, "客户：没有了，谢谢。", farewell]))


def note_of(report, rule):
    [f] = [f for f in report.findings if f.rule == rule]
    return f.note


@pytest.fixture(scope="module")
def no_sound_checker(tmp_path_factory) -> Checker:
    """Homophone matching off for the greeting and closing rules: only exact words and paraphrases."""
    p = tmp_path_factory.mktemp("rb") / "company.yaml"
    p.write_text(textwrap.dedent("""\
        extends: default
        rules:
          greeting.standard: {phonetic: 0}
          closing.ask_more: {phonetic: 0}
          closing.farewell: {phonetic: 0}
    """), encoding="utf-8")
    return Checker.from_rulebook(p)


TIMED_HOLD = """\
[00:00.0-00:05.0] 坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？
[00:05.5-00:09.0] 客户：我想查一下上个月的话费为什么这么多。
[00:09.5-00:13.0] 坐席：{notice}
[00:31.0-00:38.0] 坐席：{thanks}您上个月有一笔十元的来电提醒费。
[00:38.5-00:40.0] 客户：哦，那帮我取消吧。
[00:40.5-00:44.0] 坐席：已经为您取消了，请问还有其他可以帮您的吗？
[00:44.5-00:45.5] 客户：没有了。
[00:46.0-00:49.0] 坐席：感谢您的来电，祝您生活愉快，{bye}！
"""


def timed(transcript, notice="好的，现在为您查询，请稍等。", thanks="感谢您的耐心等待。", bye="再见"):
    return transcript(TIMED_HOLD.format(notice=notice, thanks=thanks, bye=bye))


# --------------------------------------------------------------------------------------------
# ASR homophones
# --------------------------------------------------------------------------------------------
class TestHomophones:
    def test_exact_wordings_pass(self, checker, transcript):
        r = checker.check(timed(transcript))
        assert r.checks["hold_notify"] == "pass"
        assert r.checks["hold_thanks"] == "pass"
        assert r.checks["closing_farewell"] == "pass"

    def test_hold_notice_heard_as_qing_shao_deng(self, checker, transcript):
        r = checker.check(timed(transcript, notice="好的，我这边看看，请烧等。"))
        assert r.checks["hold_notify"] == "pass"

    def test_hold_without_any_notice_fails(self, checker, transcript):
        r = checker.check(timed(transcript, notice="好的。"))
        assert r.checks["hold_notify"] == "fail"

    def test_thanks_heard_with_two_wrong_characters(self, checker, transcript):
        r = checker.check(timed(transcript, thanks="敢谢您的耐心等代，"))
        assert r.checks["hold_thanks"] == "pass"

    def test_no_thanks_after_the_hold_fails(self, checker, transcript):
        r = checker.check(timed(transcript, thanks="喂，"))
        assert r.checks["hold_thanks"] == "fail"

    def test_goodbye_heard_as_zai_jian(self, checker, transcript):
        r = checker.check(timed(transcript, bye="在见"))
        assert r.checks["closing_farewell"] == "pass"

    def test_goodbye_by_sound_only_when_homophones_are_on(self, no_sound_checker, transcript):
        r = no_sound_checker.check(timed(transcript, bye="在见"))
        assert r.checks["closing_farewell"] == "fail"

    @pytest.mark.parametrize("last", [
        "坐席：感谢您的来电，您那边的线路师傅正在检修。",
        "坐席：感谢您的来电，您小区的基站还在建设中。",
    ])
    def test_zai_jian_inside_other_words_is_not_a_goodbye(self, checker, transcript, last):
        """Regression: with closing.farewell's phonetic: 2, 正在检修 / 还在建设 once counted as 再见."""
        r = checker.check(call_with(transcript, farewell=last))
        assert r.checks["closing_farewell"] == "fail"


# --------------------------------------------------------------------------------------------
# paraphrases within the edit budget
# --------------------------------------------------------------------------------------------
class TestParaphrase:
    @pytest.mark.parametrize(("length", "budget"), [(2, 0), (4, 0), (5, 1), (8, 1), (9, 2), (16, 2)])
    def test_edit_budget_grows_with_phrase_length(self, length, budget):
        assert edit_budget(length) == budget

    def test_greeting_with_a_misheard_character_passes(self, checker, transcript):
        r = checker.check(call_with(transcript, greeting="坐席：您好，云桥通信，很高兴为您服物。"))
        assert r.checks["greeting"] == "pass"

    def test_misheard_character_as_the_whole_segment_passes_without_homophones(self, no_sound_checker, transcript):
        r = no_sound_checker.check(call_with(transcript, greeting="坐席：您好，云桥通信。\n坐席：很高兴为您服物。"))
        assert r.checks["greeting"] == "pass"

    def test_long_phrase_with_one_word_changed_passes(self, no_sound_checker, transcript):
        """请问您需要办理什么业务 (11 chars, budget 2) said as 请问您想要办理什么业务."""
        r = no_sound_checker.check(call_with(transcript, greeting="坐席：您好，云桥通信，请问您想要办理什么业务？"))
        assert r.checks["greeting"] == "pass"

    def test_paraphrase_beyond_the_budget_fails(self, no_sound_checker, transcript):
        r = no_sound_checker.check(call_with(transcript, greeting="坐席：您好，云桥通信，请问您今天打过来想干点啥？"))
        assert r.checks["greeting"] == "fail"

    @pytest.mark.parametrize("prefix", ["我", "嗯，", "您好，云桥通信，"])
    def test_paraphrase_is_accepted_wherever_it_is_said(self, no_sound_checker, transcript, prefix):
        """Regression: rapidfuzz's partial_ratio once scored 很高兴为您服物 0.92 at the start of a
        segment (a shorter window at the edge) but 0.857 after 我/嗯/您好…, below fuzzy 0.88."""
        opening = "坐席：您好，云桥通信。\n坐席："
        alone = no_sound_checker.check(call_with(transcript, greeting=f"{opening}很高兴为您服物。"))
        inside = no_sound_checker.check(call_with(transcript, greeting=f"{opening}{prefix}很高兴为您服物。"))
        assert inside.checks["greeting"] == alone.checks["greeting"] == "pass"

    def test_filler_inside_a_required_phrase_is_ignored(self, no_sound_checker, transcript):
        r = no_sound_checker.check(call_with(transcript, ask_more="坐席：请问还有，那个，其他可以帮您的吗？"))
        assert r.checks["closing_ask_more"] == "pass"


# --------------------------------------------------------------------------------------------
# a short turn inside a long phrase is not the phrase
# --------------------------------------------------------------------------------------------
class TestShortTurns:
    @pytest.mark.parametrize("words", ["服务。", "好的。", "可以帮您。", "其他。"])
    def test_short_closing_does_not_ask_anything_else(self, checker, no_sound_checker, transcript, words):
        for chk in (checker, no_sound_checker):
            r = chk.check(call_with(transcript, ask_more=f"坐席：{words}", farewell=f"坐席：{words}"))
            assert r.checks["closing_ask_more"] == "fail"
            assert r.checks["closing_farewell"] == "fail"

    @pytest.mark.parametrize("words", ["服务。", "很高兴。", "您好。"])
    def test_short_greeting_is_not_the_full_greeting(self, checker, transcript, words):
        r = checker.check(call_with(transcript, greeting=f"坐席：{words}"))
        assert r.checks["greeting"] == "fail"

    def test_turn_one_character_short_of_a_long_phrase_passes(self, no_sound_checker, transcript):
        """有其他可以帮您 is 还有其他可以帮您 with one character dropped: within its budget of 1."""
        r = no_sound_checker.check(call_with(transcript, ask_more="坐席：有其他可以帮您吗？"))
        assert r.checks["closing_ask_more"] == "pass"


# --------------------------------------------------------------------------------------------
# the evidence of a missing phrase
# --------------------------------------------------------------------------------------------
class TestClosestCandidate:
    def test_missing_goodbye_names_the_closest_words(self, checker, transcript):
        r = checker.check(call_with(transcript, farewell="坐席：感谢您的来电，我们再联系。"))
        assert r.checks["closing_farewell"] == "fail"
        note = note_of(r, "closing.farewell")
        assert note.startswith("缺少「再见」")
        m = CLOSEST.search(note)
        assert m, note
        assert m["said"] == "再联"
        assert m["score"] == "0.50"

    def test_missing_greeting_names_the_near_miss_and_its_similarity(self, no_sound_checker, transcript):
        r = no_sound_checker.check(call_with(transcript, greeting="坐席：您好，云桥通信，很高兴为您效劳，请讲。"))
        [f] = [f for f in r.findings if f.rule == "greeting.standard"]
        assert f.note.startswith("缺少「很高兴为您服务」")
        m = CLOSEST.search(f.note)
        assert m, f.note
        assert "很高兴为您" in m["said"]
        assert m["said"] in f.text  # the original words, punctuation included
        assert 0.5 <= float(m["score"]) < 0.88  # below the rule's fuzzy threshold, else it had passed

    def test_nothing_close_gives_no_candidate(self, checker, transcript):
        r = checker.check(call_with(transcript, farewell="坐席：好的，那先这样。"))
        note = note_of(r, "closing.farewell")
        assert "缺少「再见」" in note
        assert "最接近" not in note

    def test_every_missing_group_is_named(self, checker, transcript):
        r = checker.check(call_with(transcript, farewell="坐席：好的。"))
        note = note_of(r, "closing.farewell")
        assert "缺少「感谢您的来电」" in note and "缺少「再见」" in note

    def test_english_report_uses_the_same_evidence(self, transcript):
        r = Checker.from_rulebook("default", lang="en").check(
            call_with(transcript, farewell="坐席：感谢您的来电，我们再联系。"))
        note = note_of(r, "closing.farewell")
        assert re.search(r"closest: 再联 0\.50$", note), note
