"""Readers for what ASR engines and call-center platforms export (issue 11): one sample per published
schema under tests/data/exports/, read segment by segment, converted to formats.md JSON Lines and checked
with the default rulebook; detection from content, --input-format, --roles and the unrecognised file."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from scriptcheck.cli import app
from scriptcheck.engine import Checker
from scriptcheck.model import Call
from scriptcheck.readers import INPUT_FORMATS, ReadError, ReadOptions, read_file, read_paths
from scriptcheck.readers.detect import sniff

DATA = Path(__file__).parent / "data" / "exports"
CHECKER = Checker.from_rulebook("default")

# what each sample says, segment by segment: (speaker or raw id, start s, end s, text)
BROADBAND = [
    (None, 0.0, 4.8, "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"),
    (None, 5.4, 11.2, "你好，我家宽带从昨天晚上开始就一直连不上，光猫上有个灯在闪红灯。"),
    (None, 12.0, 17.5, "非常抱歉给您带来不便。麻烦您提供一下宽带账号或者装机地址。"),
    (None, 18.1, 23.9, "账号是零五七一八八三二六四一零。"),
    (None, 24.6, 27.9, "好的，现在为您查询，请稍等。"),
    (None, 43.2, 53.6, "感谢您的耐心等待。系统显示您所在的小区昨晚光缆被施工挖断了，维修人员正在抢修。"),
    (None, 54.1, 57.0, "那大概什么时候能修好啊？"),
    (None, 57.8, 65.4, "预计今天下午六点前恢复，恢复后会有短信通知您，这两天的费用我们也会按天减免。"),
    (None, 66.0, 67.8, "行，那我等着吧。"),
    (None, 68.5, 71.9, "请问还有其他可以帮您的吗？"),
    (None, 72.4, 73.6, "没有了，谢谢。"),
    (None, 74.2, 78.9, "好的，感谢您的来电，祝您生活愉快，再见！"),
]
CREDITCARD = [
    ("0", 0.0, 5.2, "您好，青禾银行信用卡中心，很高兴为您服务，请问有什么可以帮您？"),
    ("1", 5.9, 12.4, "我这个月账单上有一笔四百多块的年费，我记得说过首年免年费的啊。"),
    ("0", 13.1, 18.0, "好的，麻烦您提供一下卡号后四位和持卡人姓名。"),
    ("1", 18.6, 22.3, "后四位是三九零六，我叫杭明远。"),
    ("0", 23.0, 26.1, "好的，现在为您查询，请稍等。"),
    ("0", 38.5, 40.6, "感谢您的耐心等待。"),
    ("1", 40.6, 41.0, "嗯。"),
    ("0", 41.2, 46.0, "你再说一遍你办卡是哪个月份？"),
    ("1", 46.7, 50.2, "去年九月份办的。"),
    ("0", 51.0, 60.4, "您的卡首年免年费，第二年起刷卡满六次可以免次年年费，您今年刷了四次，所以收取了年费。"),
    ("1", 61.0, 64.5, "那我再刷两次能退吗？"),
    ("0", 65.2, 72.8, "可以的，本年度刷满六次后，年费会在下一个账单日自动退回。"),
    ("0", 73.4, 76.0, "请问还有其他可以帮您的吗？"),
    ("1", 76.5, 77.6, "没有了。"),
    ("0", 78.1, 82.5, "好的，感谢您的来电，祝您生活愉快，再见！"),
]
EXPRESS = [
    ("0", 0.0, 5.0, "您好，迅达快递，很高兴为您服务，请问有什么可以帮您？"),
    ("1", 5.6, 11.0, "喂，我有个快递显示签收了，但是我根本没收到。"),
    ("0", 11.8, 15.6, "很抱歉给您添麻烦了，麻烦您报一下运单号。"),
    ("1", 16.2, 21.4, "运单号是七七三一零二八八五六四。"),
    ("0", 22.0, 25.3, "好的，现在为您查询，请稍等。"),
    ("0", 39.9, 50.5, "感谢您的耐心等待。快递员是放在您小区门口的快递柜了，取件码已经补发到您的手机上。"),
    ("1", 51.0, 53.8, "哦，那我下楼去拿一下。"),
    ("0", 54.5, 57.6, "请问还有其他可以帮您的吗？"),
    ("1", 58.0, 59.2, "没有了。"),
    ("0", 59.8, 64.1, "好的，感谢您的来电，祝您生活愉快，再见！"),
]
INSURANCE = [
    ("0", 0.0, 5.1, "您好，安和保险，很高兴为您服务，请问有什么可以帮您？"),
    ("1", 5.7, 11.9, "你好，我上个月住院的理赔材料交上去了，到现在还没有消息。"),
    ("0", 12.6, 17.2, "好的，麻烦您提供一下报案号。"),
    ("1", 17.8, 21.5, "报案号是二零二六一零一八零零四五。"),
    ("0", 22.2, 27.8, "好的，我帮您转接理赔专员详细说明，请稍等。"),
    ("2", 40.3, 48.9, "您好，我是理赔专员，工号六二一四。感谢您的耐心等待，您的材料缺少一张出院小结。"),
    ("1", 49.5, 52.6, "出院小结？那我要去医院补吗？"),
    ("2", 53.3, 61.7, "是的，您补好以后拍照上传到我们的小程序就可以，三个工作日内会完成审核。"),
    ("1", 62.2, 63.9, "好，我知道了。"),
    ("0", 64.6, 67.5, "请问还有其他可以帮您的吗？"),
    ("1", 68.0, 69.1, "没有了，谢谢。"),
    ("0", 69.8, 74.2, "好的，感谢您的来电，祝您生活愉快，再见！"),
]
REFUND = [
    ("agent", 0.0, 4.6, "您好，橙果商城，很高兴为您服务，请问有什么可以帮您？"),
    ("customer", 5.2, 10.8, "我上周退了一件外套，快递都签收三天了，钱还没退回来。"),
    ("agent", 11.5, 15.2, "麻烦您提供一下订单号。"),
    ("customer", 15.8, 20.1, "订单号是八八零二四七一三五。"),
    ("agent", 20.8, 23.9, "好的，现在为您查询，请稍等。"),
    ("agent", 37.4, 46.2, "让您久等了。仓库已经验收通过，退款今天会原路退回到您的支付账户。"),
    ("customer", 46.8, 48.5, "好的，那我再等等。"),
    ("agent", 49.2, 52.4, "请问还有其他可以帮您的吗？"),
    ("customer", 52.9, 54.0, "没了。"),
    ("agent", 54.6, 59.0, "好的，感谢您的来电，祝您生活愉快，再见！"),
]
APPOINTMENT = [
    ("agent", 0.0, 4.9, "您好，康宁医院预约中心，很高兴为您服务，请问有什么可以帮您？"),
    ("customer", 5.5, 10.2, "我想约一下下周三上午的皮肤科门诊。"),
    ("agent", 10.9, 14.1, "好的，现在为您查询号源，请稍等。"),
    ("agent", 26.8, 35.5, "感谢您的耐心等待。下周三上午还有九点半和十点四十的号，您看哪个时间方便？"),
    ("customer", 36.0, 37.9, "九点半的吧。"),
    ("agent", 38.6, 44.0, "已经为您预约成功，请提前十五分钟到门诊二楼取号。请问还有其他可以帮您的吗？"),
    ("customer", 44.6, 45.5, "没有了。"),
    ("agent", 46.1, 50.3, "好的，感谢您的来电，祝您身体健康，再见！"),
]
GAS_1 = [
    ("agent", 0, 5, "您好，澄江燃气，很高兴为您服务，请问有什么可以帮您？"),
    ("customer", 6, 12, "你好，我家燃气表显示余额不足，我刚在网上交了钱还是不能用。"),
    ("agent", 13, 17, "好的，麻烦您提供一下燃气户号。"),
    ("customer", 18, 22, "户号是六零三三九一七二。"),
    ("agent", 23, 26, "好的，现在为您查询，请稍等。"),
    ("agent", 40, 49, "感谢您的耐心等待。您的缴费已经到账，需要把燃气卡插到表上读一下才能生效。"),
    ("customer", 50, 52, "哦，原来要插卡啊。"),
    ("agent", 53, 56, "请问还有其他可以帮您的吗？"),
    ("customer", 57, 58, "没有了。"),
    ("agent", 59, 63, "好的，感谢您的来电，祝您生活愉快，再见！"),
]
RENTAL = [
    ("0", 0.0, 4.7, "您好，远景租车，很高兴为您服务，请问有什么可以帮您？"),
    ("1", 5.3, 10.9, "你好，我想把明天的取车时间从早上九点改到下午两点。"),
    ("0", 11.6, 15.0, "好的，麻烦您报一下订单号。"),
    ("1", 15.6, 19.8, "订单号是三三七零八一五二。"),
    ("0", 20.5, 23.7, "好的，现在为您修改，请稍等。"),
    ("0", 36.9, 45.2, "感谢您的耐心等待。已经为您改到明天下午两点，取车门店不变。"),
    ("1", 45.8, 47.1, "好的，谢谢。"),
    ("0", 47.8, 50.9, "请问还有其他可以帮您的吗？"),
    ("1", 51.4, 52.5, "没有了。"),
    ("0", 53.1, 57.4, "好的，感谢您的来电，祝您生活愉快，再见！"),
]

SAMPLES = [  # file, call id, expected segments
    ("whisper_broadband.json", "whisper_broadband", BROADBAND),
    ("funasr_creditcard.json", "funasr_creditcard", CREDITCARD),
    ("aliyun_express_stereo.json", "aliyun_express_stereo", EXPRESS),
    ("tencent_insurance.json", "tencent_insurance", INSURANCE),
    ("srt_refund.srt", "srt_refund", REFUND),
    ("vtt_appointment.vtt", "vtt_appointment", APPOINTMENT),
    ("xlsx_car_rental.xlsx", "RC-20261109-0042", RENTAL),
]


def _who(seg) -> str | None:
    return seg.speaker if seg.speaker != "unknown" else seg.label


def _segments(call: Call) -> list[tuple]:
    return [(_who(s), round(s.start, 3), round(s.end, 3), s.text) for s in call.segments]


def _only_call(path: Path, **opts) -> Call:
    items = list(read_file(path, ReadOptions(**opts)))
    assert len(items) == 1 and isinstance(items[0], Call), items
    assert items[0].errors == []
    return items[0]


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize(("name", "call_id", "expected"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_each_export_reads_speakers_times_and_text_per_segment(name, call_id, expected):
    call = _only_call(DATA / name)
    assert call.call_id == call_id
    assert _segments(call) == [(w, float(s), float(e), t) for w, s, e, t in expected]
    assert call.timed and call.source == str(DATA / name)


def test_gb18030_csv_without_bom_and_clock_times_reads_two_calls():
    path = DATA / "csv_gas_gb18030.csv"
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.startswith("通话ID".encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GB18030, as Excel on a Chinese Windows saves it
    first, second = read_file(path)
    assert (first.call_id, second.call_id) == ("GD2026110801", "GD2026110802")
    assert _segments(first) == [(w, float(s), float(e), t) for w, s, e, t in GAS_1]
    assert second.segments[4].text == "这个不归我们管，你找安装公司去。"
    assert (second.segments[4].speaker, second.segments[4].start, second.segments[4].end) == ("agent", 21.0, 27.0)
    assert [s.line for s in second.segments][:2] == [12, 13]  # file lines, for error messages


def test_every_sample_converts_to_formats_md_and_checks(tmp_path):
    out = tmp_path / "calls.jsonl"
    r = cli("convert", str(DATA), "--output", str(out))
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 9  # 8 files, the CSV holds two calls
    by_id = {c["call_id"]: c for c in lines}
    assert set(by_id["RC-20261109-0042"]) == {"call_id", "agent_id", "segments"}
    assert by_id["RC-20261109-0042"]["agent_id"] == "A3307"
    assert by_id["funasr_creditcard"]["segments"][7] == {"speaker": "0", "start": 41.2, "end": 46.0,
                                                         "text": "你再说一遍你办卡是哪个月份？"}
    assert by_id["srt_refund"]["segments"][1]["speaker"] == "customer"
    # the archive reads back as the same calls, and every one checks with the default rulebook
    back = {c.call_id: c for c in read_paths([str(out)])}
    direct = {c.call_id: c for c in read_paths([str(DATA)])}
    assert set(back) == set(direct)
    for cid, call in back.items():
        assert [(_who(s), s.start, s.end, s.text) for s in call.segments] == \
               [(_who(s), round(s.start, 3), round(s.end, 3), s.text) for s in direct[cid].segments]
        report = CHECKER.check(call)
        assert report.verdict != "error", (cid, report.errors)
        same = CHECKER.check(direct[cid])  # the archive judges exactly like the original export
        assert (report.score, report.checks, report.findings) == (same.score, same.checks, same.findings), cid
        assert report.checks["greeting"] == "pass", cid
        assert report.checks["closing_farewell"] == "pass", cid


def test_taboo_phrases_are_found_at_the_right_time_after_conversion(tmp_path):
    out = tmp_path / "calls.jsonl"
    assert cli("convert", str(DATA / "funasr_creditcard.json"), str(DATA / "csv_gas_gb18030.csv"),
               "-o", str(out)).exit_code == 0
    reports = {c.call_id: CHECKER.check(c) for c in read_paths([str(out)])}
    card = reports["funasr_creditcard"]
    assert card.roles["source"] == "speaker_ids" and card.roles["mapping"] == {"0": "agent", "1": "customer"}
    [taboo] = [f for f in card.findings if f.check == "forbidden_phrase"]
    assert (taboo.start, taboo.end, taboo.speaker, taboo.matched) == (41.2, 46.0, "agent", "你再说一遍")
    assert card.checks["hold_notify"] == card.checks["hold_thanks"] == "pass"
    gas = reports["GD2026110802"]
    [taboo] = [f for f in gas.findings if f.check == "forbidden_phrase"]
    assert (taboo.start, taboo.matched) == (21.0, "不归我们管")
    # near-miss: the clean call of the same CSV has no finding at all
    assert reports["GD2026110801"].findings == [] and reports["GD2026110801"].score == 100.0


def test_roles_option_maps_three_speakers_and_is_trusted(tmp_path):
    path = DATA / "tencent_insurance.json"
    # without --roles, inference takes the joining claims specialist (speaker 2) for a customer:
    # the thanks after the transfer hold is then missed
    guessed = CHECKER.check(_only_call(path))
    assert guessed.roles["mapping"]["2"] == "customer" and guessed.checks["hold_thanks"] == "fail"
    mapped = _only_call(path, roles={"0": "agent", "1": "customer", "2": "agent"})
    assert [s.speaker for s in mapped.segments][4:6] == ["agent", "agent"]
    assert mapped.roles == {"source": "option", "mapping": {"0": "agent", "1": "customer", "2": "agent"}}
    report = CHECKER.check(mapped)
    assert report.roles["source"] == "option" and report.checks["hold_thanks"] == "pass"
    # the same through the CLI, with speaker names and Chinese role words
    out = tmp_path / "r.jsonl"
    r = cli("check", str(path), "--roles", "spk0=坐席,spk1=客户,spk2=agent", "-f", "json", "-o", str(out), "-j", "1")
    assert r.exit_code == 0, r.output
    [row] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert row["roles"]["source"] == "option" and row["checks"]["hold_thanks"] == "pass"


def test_roles_option_on_stereo_channels_and_unmapped_ids():
    call = _only_call(DATA / "aliyun_express_stereo.json", roles={"0": "agent", "1": "customer"})
    assert [s.speaker for s in call.segments] == ["agent" if w == "0" else "customer" for w, *_ in EXPRESS]
    swapped = list(read_file(DATA / "aliyun_express_stereo.json", ReadOptions(roles={"1": "agent", "0": "customer"})))
    assert swapped[0].segments[0].speaker == "customer"  # the user's word, not second-guessed
    [partial] = read_file(DATA / "tencent_insurance.json", ReadOptions(roles={"0": "agent", "1": "customer"}))
    assert any("speaker id(s) 2 not in --roles" in e for e in partial.errors)
    assert partial.roles is None and partial.segments[5].speaker == "unknown"


@pytest.mark.parametrize("bad", ["0=boss", "0agent", "1=customer"])
def test_bad_roles_option_is_a_usage_error(bad):
    r = cli("check", str(DATA / "srt_refund.srt"), "--roles", bad)
    assert r.exit_code == 2 and "--roles" in r.output


def test_detection_from_content_not_the_extension(tmp_path):
    for name, _, expected in SAMPLES:
        if name.endswith(".xlsx"):
            continue
        renamed = tmp_path / (Path(name).stem + ".txt")  # exports often arrive misnamed
        shutil.copy(DATA / name, renamed)
        assert _segments(_only_call(renamed)) == [(w, float(s), float(e), t) for w, s, e, t in expected]
    xlsx = tmp_path / "export.dat"
    shutil.copy(DATA / "xlsx_car_rental.xlsx", xlsx)
    assert _only_call(xlsx).call_id == "RC-20261109-0042"
    heads = {n: (DATA / n).read_bytes()[:65536] for n, *_ in SAMPLES}
    assert {n: sniff(h, "") for n, h in heads.items()} == {
        "whisper_broadband.json": "whisper", "funasr_creditcard.json": "funasr", "aliyun_express_stereo.json": "aliyun",
        "tencent_insurance.json": "tencent", "srt_refund.srt": "srt", "vtt_appointment.vtt": "vtt",
        "xlsx_car_rental.xlsx": "xlsx"}
    assert sniff("[00:00.0-00:03.2] 坐席:您好,云桥通信,很高兴为您服务\n".encode(), ".txt") == "text"
    assert sniff(b'{"call_id": "c1", "segments": []}', ".json") == "json"


def test_json_lines_in_a_json_file_is_streamed(tmp_path, monkeypatch):
    lines = [json.dumps({"call_id": f"c{i}", "segments": [{"speaker": "agent", "text": "您好，请问有什么可以帮您？"}]},
                        ensure_ascii=False) for i in range(3)]
    p = tmp_path / "misnamed.json"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def whole_file(self):  # detection reads the first 64 kB; JSON Lines are then read line by line
        raise AssertionError("read the whole file")

    monkeypatch.setattr(Path, "read_bytes", whole_file)
    assert [c.call_id for c in read_file(p)] == ["c0", "c1", "c2"]
    assert [c.source for c in read_file(p)][2] == f"{p}:3"


def test_forced_format(tmp_path):
    # a bare Tencent Result text without ResultDetail has no tell-tale keys; forcing the format reads it
    p = tmp_path / "task.json"
    result = "[0:0.000,0:4.500]  您好，安和保险，很高兴为您服务。\n[0:5.100,0:8.800]  我想问一下理赔进度。\n"
    p.write_text(json.dumps({"Result": result}, ensure_ascii=False), encoding="utf-8")
    [auto] = read_file(p)
    assert isinstance(auto, ReadError) and "not a transcript format" in auto.message
    assert "--input-format" in auto.message
    call = _only_call(p, input_format="tencent")
    assert _segments(call) == [(None, 0.0, 4.5, "您好，安和保险，很高兴为您服务。"),
                               (None, 5.1, 8.8, "我想问一下理赔进度。")]
    # forcing the wrong format gives that format's own, file-named error
    [wrong] = read_file(DATA / "aliyun_express_stereo.json", ReadOptions(input_format="funasr"))
    assert isinstance(wrong, ReadError) and "sentence_info" in wrong.message
    assert str(DATA / "aliyun_express_stereo.json") in wrong.message
    r = cli("convert", str(p), "-o", str(tmp_path / "o.jsonl"), "--input-format", "tencent")
    assert r.exit_code == 0, r.output
    assert cli("check", str(p), "--input-format", "sogou").exit_code == 2


def test_unrecognised_file_is_an_error_record_and_the_batch_goes_on(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(DATA / "srt_refund.srt", d / "a.srt")
    (d / "b.json").write_text(json.dumps({"task": "t1", "utterances": [{"spk": "A", "words": "您好"}]}),
                              encoding="utf-8")
    (d / "c.txt").write_text('<?xml version="1.0"?><transcript><p>您好</p></transcript>', encoding="utf-8")
    (d / "d.csv").write_text("编号,备注\n1,无\n", encoding="utf-8")
    out = tmp_path / "r.jsonl"
    r = cli("check", str(d), "-f", "json", "-o", str(out), "-j", "1")
    assert r.exit_code == 1
    rows = {x["call_id"]: x for x in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["a"]["verdict"] == "pass"
    assert "b.json" in rows["b"]["errors"][0] and "not a transcript format" in rows["b"]["errors"][0]
    assert "task, utterances" in rows["b"]["errors"][0]
    assert "c.txt" in rows["c"]["errors"][0] and "--input-format" in rows["c"]["errors"][0]
    assert "d.csv" in rows["d"]["errors"][0] and "no text column" in rows["d"]["errors"][0]
    # convert reports the same with file names on stderr and exit 1, keeping the good call
    conv = tmp_path / "calls.jsonl"
    r = cli("convert", str(d), "-o", str(conv))
    assert r.exit_code == 1 and "b.json" in r.output and "c.txt" in r.output
    assert [json.loads(x)["call_id"] for x in conv.read_text(encoding="utf-8").splitlines()] == ["a"]
    assert cli("convert", str(tmp_path / "nothing"), "-o", str(conv)).exit_code == 1


def test_aliyun_mono_diarized_uses_speaker_ids_and_failed_tasks_are_reported(tmp_path):
    mono = {"StatusText": "SUCCESS", "Result": {"Sentences": [
        {"BeginTime": 300, "EndTime": 4200, "Text": "您好，很高兴为您服务。", "ChannelId": 0, "SpeakerId": "1"},
        {"BeginTime": 4800, "EndTime": 7600, "Text": "我想改一下收货地址。", "ChannelId": 0, "SpeakerId": "2"},
        {"BeginTime": 8000, "EndTime": 8000, "Text": "", "ChannelId": 0, "SpeakerId": "2"}]}}
    p = tmp_path / "mono.json"
    p.write_text(json.dumps(mono, ensure_ascii=False), encoding="utf-8")
    assert _segments(_only_call(p)) == [("1", 0.3, 4.2, "您好，很高兴为您服务。"),
                                        ("2", 4.8, 7.6, "我想改一下收货地址。")]
    failed = tmp_path / "failed.json"
    failed.write_text(json.dumps({"TaskId": "x", "StatusText": "FILE_DOWNLOAD_FAILED", "StatusCode": 41050002,
                                  "Result": {"Sentences": []}}), encoding="utf-8")
    [err] = read_file(failed)
    assert isinstance(err, ReadError) and "FILE_DOWNLOAD_FAILED" in err.message and str(failed) in err.message


def test_tables_with_other_headers_units_and_column_mapping(tmp_path):
    bom = tmp_path / "ms.csv"  # UTF-8 with BOM, English headers, whole milliseconds
    bom.write_bytes("\ufeffspeaker,start,end,text\nagent,0,4200,您好，很高兴为您服务。\n"
                    "customer,4800,9100,我想查一下话费。\n".encode("utf-8-sig"))
    assert _segments(_only_call(bom)) == [("agent", 0.0, 4.2, "您好，很高兴为您服务。"),
                                          ("customer", 4.8, 9.1, "我想查一下话费。")]
    secs = tmp_path / "s.tsv"  # tab-separated, seconds with decimals: never scaled
    secs.write_text("角色\t开始\t结束\t文本\n客服\t0\t4.2\t您好。\n客户\t4.8\t9.1\t查话费。\n", encoding="utf-8")
    assert [(s.start, s.end) for s in _only_call(secs).segments] == [(0.0, 4.2), (4.8, 9.1)]
    odd = tmp_path / "odd.csv"  # headers nobody could guess: named with --columns
    odd.write_text("流水,甲乙方,起,止,转写结果\nX1,1,0,4200,您好，很高兴为您服务。\nX1,2,4800,9100,我想查一下话费。\n",
                   encoding="utf-8")
    cols = {"call_id": "流水", "speaker": "甲乙方", "start": "起", "end": "止", "text": "转写结果", "unit": "ms"}
    call = _only_call(odd, columns=cols, roles={"1": "agent", "2": "customer"})
    assert call.call_id == "X1" and _segments(call)[1] == ("customer", 4.8, 9.1, "我想查一下话费。")
    r = cli("check", str(odd), "--columns", "text=转写结果,bogus=x")
    assert r.exit_code == 2 and "--columns" in r.output
    wb = openpyxl.Workbook()  # Excel time cells
    wb.active.append(["角色", "开始时间", "结束时间", "内容"])
    import datetime as dt
    wb.active.append(["坐席", dt.time(0, 0, 0), dt.time(0, 0, 4, 500000), "您好，很高兴为您服务。"])
    wb.active.append(["客户", dt.time(0, 1, 5), dt.time(0, 1, 9), "好的。"])
    x = tmp_path / "times.xlsx"
    wb.save(x)
    assert [(s.start, s.end) for s in _only_call(x).segments] == [(0.0, 4.5), (65.0, 69.0)]


def test_subtitle_cues_without_a_speaker_in_a_labelled_file_are_reported(tmp_path):
    p = tmp_path / "mixed.srt"
    p.write_text("1\n00:00:00,000 --> 00:00:03,000\n坐席：您好，很高兴为您服务。\n\n"
                 "2\n00:00:03,500 --> 00:00:05,000\n好的：我看看\n\n"
                 "3\n00:00:05,500 --> 00:00:07,000\n[客户] 我的快递丢了。\n", encoding="utf-8")
    [call] = read_file(p)
    assert [(s.speaker, s.text) for s in call.segments] == [("agent", "您好，很高兴为您服务。"),
                                                            ("customer", "我的快递丢了。")]
    assert call.errors == [f"{p}:6: no speaker prefix (坐席：/客户： or <v 坐席>), cue skipped"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=400), st.text(max_size=300).map(str.encode),
                 st.sampled_from(["WEBVTT\n\n00:01.000 --> 00:00.500\n<v>\n",
                                  "1\n00:00:01,000 --> 99:99:99,999\n坐席：\n",
                                  "角色,开始,结束,内容\n坐席,nan,inf,您好\n客户,1:2:3:4,-5,\n",
                                  '{"Result": {"Sentences": [{"BeginTime": "x", "Text": 5}]}}',
                                  '{"sentence_info": [{"start": -1, "end": null, "spk": [1]}]}',
                                  '{"Response": {"Data": {"Status": 2, "ResultDetail": [null, {"StartMs": 1e308}]}}}',
                                  '{"segments": [{"start": true, "end": "3", "text": "您好"}], "language": "zh"}',
                                  ]).map(str.encode)),
       st.sampled_from([None, *INPUT_FORMATS]))
def test_no_reader_crashes_on_any_input(data, fmt):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "x.dat"
        p.write_bytes(data)
        items = list(read_file(p, ReadOptions(input_format=fmt)))
    assert items and all(isinstance(i, (Call, ReadError)) for i in items)
    for call in (i for i in items if isinstance(i, Call)):
        assert call.segments or call.errors  # an empty call is always explained
        assert all(s.start is None or 0 <= s.start < float("inf") for s in call.segments)


def test_near_misses_of_detection(tmp_path):
    noisy = tmp_path / "noisy.txt"  # plain text whose first line starts with a brace is not JSON
    noisy.write_text("{背景音乐}\n坐席：您好，很高兴为您服务。\n客户：我想查话费。\n", encoding="utf-8")
    [call] = read_file(noisy)
    assert [s.speaker for s in call.segments] == ["agent", "customer"]
    assert call.errors == [f"{noisy}:1: no speaker prefix (use 坐席:/客户: …), line skipped"]
    bare = tmp_path / "bare.srt"  # SRT written without cue numbers
    bare.write_text("00:00:00,000 --> 00:00:03,000\n坐席：您好。\n\n00:00:03,500 --> 00:00:05,000\n客户：你好。\n",
                    encoding="utf-8")
    assert _segments(_only_call(bare)) == [("agent", 0.0, 3.0, "您好。"), ("customer", 3.5, 5.0, "你好。")]
    quoted = tmp_path / "quoted.csv"  # a quoted cell spanning two lines: errors still name the right line
    quoted.write_text('角色,开始,结束,内容\n坐席,0,3,"您好，\n很高兴为您服务。"\n客户,abc,5,我想查话费。\n',
                      encoding="utf-8")
    [call] = read_file(quoted)
    assert call.segments[0].text == "您好，\n很高兴为您服务。" and call.segments[1].line == 4
    assert call.errors == [f"{quoted}:4: bad start time 'abc', ignored"]


def test_json_lines_of_vendor_results(tmp_path):
    """Pipelines write one ASR result per line; each line is one call, read by its vendor's reader."""
    aliyun = json.loads((DATA / "aliyun_express_stereo.json").read_text(encoding="utf-8"))
    [funasr] = json.loads((DATA / "funasr_creditcard.json").read_text(encoding="utf-8"))
    p = tmp_path / "day.jsonl"
    failed = {"Response": {"Data": {"Status": 3, "StatusStr": "failed", "ErrorMsg": "音频下载失败", "TaskId": 77}}}
    p.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in (aliyun, funasr, failed)), "utf-8")
    first, second, third = read_file(p)
    assert (first.call_id, first.source) == ("day:1", f"{p}:1")
    assert _segments(first) == [(w, float(s), float(e), t) for w, s, e, t in EXPRESS]
    assert _segments(second) == [(w, float(s), float(e), t) for w, s, e, t in CREDITCARD]
    assert isinstance(third, ReadError) and f"{p}:3" in third.message and "音频下载失败" in third.message


def test_every_input_format_has_a_reader():
    from scriptcheck.readers import INPUT_FORMATS, TEXT_READERS

    assert set(INPUT_FORMATS) == set(TEXT_READERS) | {"jsonl", "xlsx", "parquet"}
