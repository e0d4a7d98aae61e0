"""Dialogue rule kinds (sequence, response, timing, count, all/any/not) and windows, each with a
passing and a failing realistic call, timed and untimed; and speaker-role inference."""

from __future__ import annotations

import json
import textwrap

import pytest

from scriptcheck.engine import Checker
from scriptcheck.readers import call_from_dict, parse_transcript, read_file

COMPANY_RULEBOOK = """
extends: default
checks:
  service: {label: 服务规范, label_en: Service}
rules:
  service.transfer_notice:
    check: service
    kind: sequence
    anchor: {phrases: [转接], speaker: agent}
    position: before
    segments: 1
    phrases: [请稍等, 请不要挂机]
    message: 转接前未请客户稍等
  service.thanks_within:
    check: service
    kind: sequence
    anchor: {event: hold}
    position: after
    within_seconds: 5
    phrases: [感谢您的耐心等待]
    message: 等待后 5 秒内未致谢
  service.sorry_max:
    check: service
    kind: count
    phrases: [不好意思]
    max: 2
    message: 道歉过多
  service.complaint_apology:
    check: service
    kind: all
    message: 客户投诉后未致歉
    of:
      - {kind: forbidden, speaker: customer, phrases: [投诉]}
      - {kind: not, of: [{kind: forbidden, phrases: [抱歉, 对不起]}]}
  service.any_rude:
    check: service
    kind: any
    message: 生硬用语
    of:
      - {kind: forbidden, phrases: [你自己看]}
      - {kind: forbidden, phrases: [听不懂吗]}
  service.gap:
    check: service
    kind: timing
    metric: gap
    min_seconds: 30
    message: 静默过长
  service.talk_ratio:
    check: service
    kind: timing
    metric: talk_ratio
    range: [0.2, 0.8]
    message: 坐席说话占比异常
  service.opening_window:
    check: service
    kind: required
    window: {first_seconds: 10}
    phrases: [工号]
    message: 前 10 秒未报工号
  service.no_bye_early:
    check: service
    kind: forbidden
    window: {position: [0, 0.2]}
    phrases: [再见]
    message: 通话开头说再见
"""


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Checker:
    d = tmp_path_factory.mktemp("company")
    (d / "company.yaml").write_text(COMPANY_RULEBOOK, encoding="utf-8")
    return Checker.from_rulebook(d / "company.yaml")


def rule_status(checker: Checker, rule_id: str, text: str) -> str:
    rule = checker.rulebook.rules[rule_id]
    ctx = checker.context(parse_transcript(textwrap.dedent(text).strip()))
    return checker.evaluate(rule, ctx).status


class TestSequence:
    def test_wording_anchor_untimed(self, company):
        assert rule_status(company, "service.transfer_notice", "坐席：我帮您转接到售后部门。") == "fail"
        assert rule_status(company, "service.transfer_notice", "坐席：请稍等，我帮您转接到售后部门。") == "pass"
        assert rule_status(company, "service.transfer_notice", "坐席：您的问题已经处理好了。") == "n/a"

    def test_hold_anchor_within_seconds_timed(self, company):
        late = """
            [00:10.0-00:13.0] 坐席：好的，现在为您查询，请稍等。
            [00:30.0-00:40.0] 坐席：您的套餐是五十八元，每月十G流量。
            [00:41.0-00:44.0] 坐席：感谢您的耐心等待。
        """
        prompt = """
            [00:10.0-00:13.0] 坐席：好的，现在为您查询，请稍等。
            [00:30.0-00:33.0] 坐席：感谢您的耐心等待，您的套餐是五十八元。
        """
        assert rule_status(company, "service.thanks_within", late) == "fail"
        assert rule_status(company, "service.thanks_within", prompt) == "pass"

    def test_default_hold_rules_use_the_sequence_kind(self, checker):
        assert checker.rulebook.rules["hold.notify"].kind == "sequence"
        assert checker.rulebook.rules["hold.thanks"].kind == "sequence"


class TestCount:
    def test_at_most(self, company):
        three = "坐席：不好意思。\n坐席：不好意思。\n坐席：不好意思，稍等。"
        assert rule_status(company, "service.sorry_max", three) == "fail"
        assert rule_status(company, "service.sorry_max", "坐席：不好意思，让您久等了。") == "pass"

    def test_count_finding_names_how_often(self, company):
        report = company.check(parse_transcript("坐席：不好意思。\n客户：嗯。\n坐席：不好意思。\n坐席：不好意思。"))
        [f] = [f for f in report.findings if f.rule == "service.sorry_max"]
        assert "3" in (f.note or "")

    def test_verbal_tics_in_the_default_coaching_rules(self, checker):
        report = checker.check(parse_transcript(
            "坐席：那个，您好，那个，就是说，那个套餐呢，那个，就是说，那个，每月五十八。\n客户：好的。"))
        assert report.advisory["courtesy"] == "fail"
        assert "courtesy" not in report.checks  # advisory checks stay out of the contract's checks


class TestCompose:
    def test_all_with_not(self, company):
        no_sorry = "客户：我要投诉你们的安装师傅！\n坐席：您说吧，什么问题。"
        sorry = "客户：我要投诉你们的安装师傅！\n坐席：非常抱歉给您带来不便，您慢慢说。"
        calm = "客户：我想改一下安装时间。\n坐席：好的，您想改到哪天？"
        assert rule_status(company, "service.complaint_apology", no_sorry) == "fail"
        assert rule_status(company, "service.complaint_apology", sorry) == "pass"
        assert rule_status(company, "service.complaint_apology", calm) == "pass"

    def test_any(self, company):
        assert rule_status(company, "service.any_rude", "坐席：页面上都有，你自己看。") == "fail"
        assert rule_status(company, "service.any_rude", "坐席：页面上都有，我带您一起看一下。") == "pass"

    def test_not_needs_exactly_one_rule(self, tmp_path):
        from scriptcheck.rulebook import RulebookError

        bad = tmp_path / "bad.yaml"
        bad.write_text("extends: default\nrules:\n  x.y:\n    check: greeting\n    kind: not\n    message: m\n"
                       "    of:\n      - {kind: forbidden, phrases: [a]}\n      - {kind: forbidden, phrases: [b]}\n",
                       encoding="utf-8")
        with pytest.raises(RulebookError, match="exactly one"):
            Checker.from_rulebook(bad)


class TestTiming:
    def test_gap(self, company):
        long_gap = "[00:00.0-00:05.0] 坐席：请稍等。\n[00:40.0-00:45.0] 坐席：让您久等了。"
        short_gap = "[00:00.0-00:05.0] 坐席：请稍等。\n[00:15.0-00:20.0] 坐席：让您久等了。"
        assert rule_status(company, "service.gap", long_gap) == "fail"
        assert rule_status(company, "service.gap", short_gap) == "pass"
        assert rule_status(company, "service.gap", "坐席：请稍等。\n坐席：让您久等了。") == "n/a"

    def test_talk_ratio(self, company):
        monologue = "[00:00.0-01:00.0] 坐席：您好……\n[01:00.5-01:02.0] 客户：嗯。"
        dialogue = "[00:00.0-00:10.0] 坐席：您好，请问有什么可以帮您？\n[00:10.5-00:20.0] 客户：我想查一下话费。"
        assert rule_status(company, "service.talk_ratio", monologue) == "fail"
        assert rule_status(company, "service.talk_ratio", dialogue) == "pass"

    def test_speech_rate_in_default_coaching(self, checker):
        rule = checker.rulebook.rules["courtesy.speech_rate"]
        fast = parse_transcript("[00:00.0-00:03.0] 坐席：您好这里是XX公司客服中心很高兴为您服务请问有什么可以帮您的吗")
        normal = parse_transcript("[00:00.0-00:06.0] 坐席：您好，这里是XX公司，很高兴为您服务，请问有什么可以帮您？")
        assert checker.evaluate(rule, checker.context(fast)).status == "fail"
        assert checker.evaluate(rule, checker.context(normal)).status == "pass"


class TestWindows:
    def test_first_seconds(self, company):
        early = "[00:00.0-00:04.0] 坐席：您好，工号1024为您服务。\n[00:20.0-00:24.0] 坐席：请问有什么可以帮您？"
        late = "[00:00.0-00:04.0] 坐席：您好，为您服务。\n[00:20.0-00:24.0] 坐席：我的工号是1024。"
        assert rule_status(company, "service.opening_window", early) == "pass"
        assert rule_status(company, "service.opening_window", late) == "fail"
        assert rule_status(company, "service.opening_window", "坐席：您好，工号1024为您服务。") == "n/a"

    def test_relative_position(self, company):
        lines = ["坐席：再见。"] + ["客户：我想问一下。", "坐席：好的。"] * 5
        assert rule_status(company, "service.no_bye_early", "\n".join(lines)) == "fail"
        lines = ["坐席：您好。"] + ["客户：我想问一下。", "坐席：好的。"] * 5 + ["坐席：再见。"]
        assert rule_status(company, "service.no_bye_early", "\n".join(lines)) == "pass"


class TestRoles:
    CALL = (("spk1", "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"), ("spk0", "我想查一下我的宽带为什么断了"),
            ("spk1", "好的，现在为您查询，请稍等"), ("spk1", "感谢您的耐心等待，线路已经恢复了"),
            ("spk0", "好的"), ("spk1", "请问还有其他可以帮您的吗"), ("spk0", "没有了"), ("spk1", "感谢您的来电，再见"))

    def _call(self, pairs, cid="r"):
        return call_from_dict({"call_id": cid, "segments": [{"speaker": s, "text": t} for s, t in pairs]}, "mem", cid)

    def test_diarization_ids_are_mapped_with_confidence(self, checker):
        report = checker.check(self._call(self.CALL))
        assert report.roles["source"] == "speaker_ids"
        assert report.roles["mapping"] == {"spk1": "agent", "spk0": "customer"}
        assert list(report.roles["mapping"]) == ["spk1", "spk0"]  # first heard first, whatever the hash seed
        assert report.roles["confidence"] >= 0.5
        assert report.checks["greeting"] == "pass" and report.checks["closing_farewell"] == "pass"

    def test_swapped_labels_are_corrected(self, checker):
        swapped = [("customer" if s == "spk1" else "agent", t) for s, t in self.CALL]
        report = checker.check(self._call(swapped))
        assert report.roles["source"] == "swapped"
        assert report.checks["greeting"] == "pass"

    def test_ambiguous_call_is_refused(self, checker):
        report = checker.check(self._call([("spk0", "喂"), ("spk1", "喂"), ("spk0", "喂？")]))
        assert report.verdict == "error"
        assert any("ambiguous" in e for e in report.errors)
        assert set(report.checks.values()) == {"n/a"}

    def test_plain_text_without_prefixes(self, checker, tmp_path):
        p = tmp_path / "mono.txt"
        p.write_text("\n".join(t for _, t in self.CALL) + "\n", encoding="utf-8")
        [call] = list(read_file(p))
        report = checker.check(call)
        assert report.roles["source"] == "turn_cues"
        assert report.verdict == "pass", report.findings

    def test_labelled_calls_are_left_alone(self, checker):
        labelled = [("agent" if s == "spk1" else "customer", t) for s, t in self.CALL]
        assert checker.check(self._call(labelled)).roles == {"source": "labels"}

    def test_roles_key_in_json(self, checker):
        import io

        from scriptcheck.report import FORMATS
        buf = io.StringIO()
        FORMATS["json"](buf).call(checker.check(self._call(self.CALL)))
        assert json.loads(buf.getvalue())["roles"]["source"] == "speaker_ids"


def test_per_agent_summary_percentiles(checker):
    from scriptcheck.report import Summary

    s = Summary()
    for i, dur in enumerate([60, 120, 180, 240, 300]):
        end = f"{dur // 60:02d}:{dur % 60:02d}.0"
        call = parse_transcript(f"[00:00.0-00:05.0] 坐席：您好，很高兴为您服务。\n[00:06.0-{end}] 客户：我想问一下")
        call.agent_id = "A1"
        call.call_id = f"c{i}"
        s.add(checker.check(call))
    stats = s.agent_stats()["A1"]
    assert stats["calls"] == 5
    assert stats["duration"]["p50"] == 180.0 and stats["duration"]["p90"] == 300.0
    assert stats["duration"]["mean"] == 180.0
