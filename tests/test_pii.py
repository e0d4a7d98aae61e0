"""Personal data (matchers/pii.py): the GB 11643 and Luhn validators, detection of full ID-card,
bank-card and third-party phone numbers with their near misses, and masking in every report.

All numbers are synthetic: check digits are computed here, from made-up bodies.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scriptcheck.matchers.pii import MASK_MIN, id_check_digit_ok, luhn_ok, mask

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_SPOKEN = str.maketrans("0123456789", "零一二三四五六七八九")
_READ = str.maketrans("零〇一二三四五六七八九幺两洞", "00123456789120")
DIGITS = "0123456789零〇一二三四五六七八九幺两洞"
WIDE = "０１２３４５６７８９"


def id_number(body: str) -> str:
    """A resident ID number: 17-digit body + its GB 11643-1999 check character (written here)."""
    assert len(body) == 17 and body.isdigit()
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def wrong_id(body: str) -> str:
    """The same body with a check character that does not validate."""
    good = id_number(body)[-1]
    return body + next(c for c in "0123456789X" if c != good)


def luhn_number(body: str) -> str:
    """A card number: ``body`` + its Luhn check digit (written here, not with luhn_ok)."""
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)  # the check digit will sit to the right
        total += n - 9 if n > 9 else n
    return body + str((10 - total % 10) % 10)


def not_luhn(body: str) -> str:
    good = luhn_number(body)[-1]
    return body + str((int(good) + 1) % 10)


def spoken(number: str) -> str:
    return number.translate(_SPOKEN)


def visible_digits(text: str) -> str:
    """Every digit a reader of the report can see (full width and spoken numerals read as digits)."""
    text = unicodedata.normalize("NFKC", text).translate(_READ)
    return re.sub(r"\D", "", text)


def privacy(report):
    return [f for f in report.findings if f.rule == "redline.privacy.numbers"]


# synthetic bodies: region code, birth date, sequence number
ID_BODIES = ["33010619900307123", "11010520011224004", "44030419781105331", "51010719650228876",
             "21020219991231005"]
CARD_BODIES = ["622202123456789", "625963012345887", "436742987654321", "621700123456789012"]


# --------------------------------------------------------------------------------------------
# validators
# --------------------------------------------------------------------------------------------
class TestIdCheckDigit:
    @pytest.mark.parametrize("body", ID_BODIES)
    def test_valid_ids(self, body):
        assert id_check_digit_ok(id_number(body))

    def test_x_check_character_in_either_case(self):
        body = next(b for b in (f"1101051990010{n:04d}" for n in range(1000)) if id_number(b).endswith("X"))
        assert id_check_digit_ok(id_number(body))
        assert id_check_digit_ok(id_number(body).lower())

    @pytest.mark.parametrize("body", ID_BODIES)
    def test_wrong_check_character(self, body):
        assert not id_check_digit_ok(wrong_id(body))

    @pytest.mark.parametrize("number", [
        "", "3301061990030712", "3301061990030712345", "33010619900307123a", "X30106199003071234",
        "三三零一零六一九九零零三零七一二三四",
    ])
    def test_malformed(self, number):
        assert not id_check_digit_ok(number)

    @settings(deadline=None)  # no timing assertions
    @given(st.text(alphabet="0123456789", min_size=17, max_size=17))
    def test_exactly_one_check_character_validates(self, body):
        assert [c for c in "0123456789X" if id_check_digit_ok(body + c)] == [id_number(body)[-1]]

    @settings(deadline=None)  # no timing assertions
    @given(st.text(alphabet="0123456789", min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 9))
    def test_a_single_wrong_digit_is_caught(self, body, pos, delta):
        good = id_number(body)
        bad = good[:pos] + str((int(good[pos]) + delta) % 10) + good[pos + 1:]
        assert not id_check_digit_ok(bad)


class TestLuhn:
    @pytest.mark.parametrize("body", CARD_BODIES)
    def test_valid_cards(self, body):
        assert luhn_ok(luhn_number(body))

    @pytest.mark.parametrize("number", ["4111111111111111", "79927398713", "0"])
    def test_known_valid_numbers(self, number):
        assert luhn_ok(number)

    @pytest.mark.parametrize("body", CARD_BODIES)
    def test_invalid_cards(self, body):
        assert not luhn_ok(not_luhn(body))

    @pytest.mark.parametrize("number", ["", "6222 0212 3456 7890", "62220212345678a"])
    def test_malformed(self, number):
        assert not luhn_ok(number)

    @settings(deadline=None)  # no timing assertions
    @given(st.text(alphabet="0123456789", min_size=12, max_size=18))
    def test_generated_numbers_validate_and_any_single_change_breaks_them(self, body):
        good = luhn_number(body)
        assert luhn_ok(good)
        last = int(good[-1])
        assert not luhn_ok(good[:-1] + str((last + 1) % 10))


# --------------------------------------------------------------------------------------------
# detection
# --------------------------------------------------------------------------------------------
class TestIdCards:
    def test_valid_id_without_context_fires(self, checker, polite_call):
        number = id_number(ID_BODIES[0])
        r = checker.check(polite_call(f"客户：帮我核对一下登记信息。\n坐席：好的，登记的是{number}，对吗？"))
        assert r.checks["redline_privacy"] == "fail"
        assert r.red_line is True
        [f] = privacy(r)
        assert "身份证" in f.note

    def test_spoken_valid_id_fires(self, checker, polite_call):
        number = spoken(id_number(ID_BODIES[1]))
        r = checker.check(polite_call(f"客户：帮我核对一下。\n坐席：您登记的号码是{number}对吗？"))
        assert r.checks["redline_privacy"] == "fail"

    def test_invalid_id_fires_when_named_just_before(self, checker, polite_call):
        number = wrong_id(ID_BODIES[0])
        assert not luhn_ok(number)
        r = checker.check(polite_call(f"客户：帮我核对一下。\n坐席：您的身份证号是{number}，对吗？"))
        assert r.checks["redline_privacy"] == "fail"

    def test_invalid_id_without_context_does_not_fire(self, checker, polite_call):
        number = wrong_id(ID_BODIES[0])
        assert not luhn_ok(number)
        r = checker.check(polite_call(f"客户：帮我核对一下。\n坐席：系统里显示的是{number}，对吗？"))
        assert r.checks["redline_privacy"] == "pass"

    def test_invalid_id_with_context_far_before_does_not_fire(self, checker, polite_call):
        number = wrong_id(ID_BODIES[0])
        assert not luhn_ok(number)
        r = checker.check(polite_call(
            f"客户：帮我核对一下。\n坐席：身份证我们已经核对过了没有问题，另外系统里显示的号码是{number}。"))
        assert r.checks["redline_privacy"] == "pass"

    @pytest.mark.parametrize("line", [
        "坐席：请您提供一下身份证后六位。",
        "坐席：您身份证后四位是4521对吗？",
        "坐席：身份证号码我这边只能看到尾号4521。",
        "坐席：您的身份证号是330106**********21，对吗？",
    ])
    def test_partial_or_masked_id_never_fires(self, checker, polite_call, line):
        r = checker.check(polite_call(f"客户：我要改绑手机号。\n{line}"))
        assert r.checks["redline_privacy"] == "pass"


class TestBankCards:
    def test_luhn_valid_card_without_context_fires(self, checker, polite_call):
        number = luhn_number(CARD_BODIES[0])
        grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
        r = checker.check(polite_call(f"客户：扣款是哪张？\n坐席：扣款的是{grouped}，这张在您身边吗？"))
        assert r.checks["redline_privacy"] == "fail"
        [f] = privacy(r)
        assert "银行卡" in f.note

    @pytest.mark.parametrize("cue", ["卡号是", "您的银行卡", "这张卡"])
    def test_luhn_invalid_card_fires_when_named_just_before(self, checker, polite_call, cue):
        number = not_luhn(CARD_BODIES[1])
        r = checker.check(polite_call(f"客户：扣款是哪张？\n坐席：{cue}{number}，对吗？"))
        assert r.checks["redline_privacy"] == "fail"

    def test_luhn_invalid_card_without_context_does_not_fire(self, checker, polite_call):
        number = not_luhn(CARD_BODIES[1])
        r = checker.check(polite_call(f"客户：扣款是哪张？\n坐席：系统里是{number}，对吗？"))
        assert r.checks["redline_privacy"] == "pass"

    def test_invalid_18_digit_number_is_pii_only_when_named(self, checker, polite_call):
        body = "62284800123456789"  # not shaped like an ID number (no birth date)
        number = not_luhn(body)
        assert not id_check_digit_ok(number)
        named = checker.check(polite_call(f"客户：哪张卡？\n坐席：您的卡号是{number}。"))
        bare = checker.check(polite_call(f"客户：哪张卡？\n坐席：您登记的是{number}。"))
        assert named.checks["redline_privacy"] == "fail"
        assert bare.checks["redline_privacy"] == "pass"

    @pytest.mark.parametrize("template", [
        "坐席：您的订单号是{n}，已经发货了。",
        "坐席：订单{n}已经为您取消。",
        "坐席：您的快递单号是{n}，明天送到。",
        "坐席：这笔交易流水号{n}，我帮您查一下。",
        "坐席：您的工单编号是{n}，请记好。",
    ])
    def test_order_and_reference_numbers_never_fire(self, checker, polite_call, template):
        number = luhn_number("202610218874123")  # 16 digits and Luhn-valid: only the context saves it
        assert luhn_ok(number)
        r = checker.check(polite_call(f"客户：我的订单呢？\n{template.format(n=number)}"))
        assert r.checks["redline_privacy"] == "pass"

    @pytest.mark.parametrize("line", [
        "坐席：尾号8836的卡片已经挂失成功。",
        "坐席：您卡号后四位是8836对吧？",
        "坐席：您尾号1234的储蓄卡已经解冻了。",
        "坐席：卡号是6222 **** **** 7890的这张卡。",
    ])
    def test_tail_digits_never_fire(self, checker, polite_call, line):
        r = checker.check(polite_call(f"客户：我的卡怎么样了？\n{line}"))
        assert r.checks["redline_privacy"] == "pass"

    def test_order_number_shaped_like_an_id_is_not_an_id(self, checker, polite_call):
        """Regression: an 18-digit order number shaped like an ID (store + yyyymmdd + sequence) whose
        last digit passes the check was once a red line: 订单号 now excludes ID candidates too."""
        number = id_number("10000120261021345")  # store 100001, date 2026-10-21, sequence
        r = checker.check(polite_call(f"客户：我的订单呢？\n坐席：您的订单号是{number}，已经发货了。"))
        assert r.checks["redline_privacy"] == "pass"


class TestFillersBeforeTheNumber:
    """Fillers earlier in the utterance must not change what a number is."""

    @pytest.mark.parametrize("lead", ["", "我我我查到", "嗯，"])
    def test_order_number_with_few_fillers_before(self, checker, polite_call, lead):
        number = luhn_number("202610218874123")
        r = checker.check(polite_call(f"客户：我的订单呢？\n坐席：{lead}您的订单号是{number}，已经发货了。"))
        assert r.checks["redline_privacy"] == "pass"

    @pytest.mark.parametrize("line", [
        "坐席：嗯，那个，您的订单号是{order}，已经发货了。",
        "坐席：嗯嗯嗯，就是，您的订单号是{order}，已经发货了。",
        "坐席：嗯，那个，就是，嗯，身份证核对过了，系统里的号码是{wrong_id}。",
    ])
    def test_fillers_at_the_start_do_not_shift_the_context(self, checker, polite_call, line):
        order = luhn_number("202610218874123")
        bad_id = wrong_id(ID_BODIES[0])
        assert not luhn_ok(bad_id)
        without = line.replace("嗯，那个，就是，嗯，", "").replace("嗯，那个，", "").replace("嗯嗯嗯，就是，", "")
        for text in (without, line):
            r = checker.check(polite_call(f"客户：帮我查一下。\n{text.format(order=order, wrong_id=bad_id)}"))
            assert r.checks["redline_privacy"] == "pass", text


class TestThirdPartyPhones:
    @pytest.mark.parametrize("number", [
        "13957126604",
        "139 5712 6604",
        "一三九，五七一二，六六零四",
        "幺三九、五七幺二、六六洞四",
        "一三九 五七一二 六六零四",
    ])
    def test_someone_elses_number_fires(self, checker, polite_call, number):
        r = checker.check(polite_call(
            f"客户：这个号以前是谁的？\n坐席：之前的机主登记的新号码是{number}，您可以联系他。"))
        assert r.checks["redline_privacy"] == "fail"
        [f] = privacy(r)
        assert "他人" in f.note

    def test_confirming_the_customers_own_number_passes(self, checker, polite_call):
        r = checker.check(polite_call(
            "客户：帮我改一下联系电话。\n坐席：好的，您的手机号是一三九，五七一二，六六零四，对吗？"))
        assert r.checks["redline_privacy"] == "pass"

    def test_cue_after_the_number_does_not_count(self, checker, polite_call):
        r = checker.check(polite_call(
            "客户：帮我改一下联系电话。\n坐席：13957126604是您本人的号码，不是之前的机主的吧？"))
        assert r.checks["redline_privacy"] == "pass"

    def test_customer_reading_someone_elses_number_is_not_the_agent(self, checker, polite_call):
        r = checker.check(polite_call(
            "客户：之前的机主的号码是13957126604，你帮我联系他。\n坐席：很抱歉，其他用户的信息我们无法提供。"))
        assert r.checks["redline_privacy"] == "pass"

    @pytest.mark.parametrize("filler", ["嗯", "那个"])
    def test_filler_inside_a_spoken_number(self, checker, polite_call, filler):
        """Regression: a filler in a dictated number (一三九，嗯，五七一二…) once hid it (folded view only)."""
        r = checker.check(polite_call(
            f"客户：这个号以前是谁的？\n坐席：之前的机主登记的新号码是一三九，{filler}，五七一二，六六零四。"))
        assert r.checks["redline_privacy"] == "fail"
        [f] = privacy(r)
        assert f.matched.startswith("一三九") and f.matched.endswith("四")
        assert "13957126604" not in visible_digits(f.matched)


# --------------------------------------------------------------------------------------------
# masking
# --------------------------------------------------------------------------------------------
class TestMask:
    @pytest.mark.parametrize(("text", "masked"), [
        ("13957126604", "139****6604"),
        ("您的卡号是6259 6301 2345 8876对吗", "您的卡号是625* **** **** 8876对吗"),
        ("一三九，五七一二，六六零四", "一三九，****，六六零四"),
        ("330106199808124521", "330***********4521"),
        ("33010619980812452X", "330***********452X"),
        ("尾号8836的卡", "尾号8836的卡"),
        ("订单123456", "订单123456"),
    ])
    def test_examples(self, text, masked):
        assert mask(text) == masked

    def test_reports_never_show_the_full_number(self, checker, polite_call):
        number = id_number(ID_BODIES[2])
        card = luhn_number(CARD_BODIES[0])
        r = checker.check(polite_call(
            f"客户：帮我核对一下。\n坐席：您的身份证号是{number}，卡号是{card}。\n"
            "客户：那之前的号码呢？\n坐席：之前的机主留的是一三九，五七一二，六六零四。"))
        found = privacy(r)
        assert len(found) == 3
        assert r.pii_masked is True
        for f in found:
            for secret in (number, card, "13957126604"):
                assert secret not in visible_digits(f.matched)
                assert secret not in visible_digits(f.text)
        dumped = r.model_dump_json()
        for secret in (number, card):
            assert secret not in dumped

    def test_show_pii_keeps_the_numbers(self, checker_unmasked, polite_call):
        number = id_number(ID_BODIES[2])
        r = checker_unmasked.check(polite_call(f"客户：帮我核对一下。\n坐席：您的身份证号是{number}。"))
        [f] = privacy(r)
        assert f.matched == number
        assert r.pii_masked is False

    @pytest.mark.parametrize("number", [
        "１３９５７１２６６０４",
        "139/5712/6604",
        "139—5712—6604",
        "139－5712－6604",
        "(139)5712-6604",
    ])
    def test_every_detected_number_is_masked(self, checker, polite_call, number):
        """Regression: full-width digits and these separators were once printed in full."""
        r = checker.check(polite_call(f"客户：这个号以前是谁的？\n坐席：之前的机主留的号码是{number}。"))
        [f] = privacy(r)
        assert "13957126604" not in visible_digits(f.matched)
        assert "13957126604" not in visible_digits(f.text)

    @pytest.mark.parametrize("number", [
        "一三九。五七一二。六六零四",
        "一三九……五七一二……六六零四",
        "139～5712～6604",
        "139：5712：6604",
    ])
    def test_pause_punctuation_inside_a_detected_number_is_masked(self, checker, polite_call, number):
        r = checker.check(polite_call(f"客户：这个号以前是谁的？\n坐席：之前的机主留的号码是{number}。"))
        [f] = privacy(r)  # detected…
        assert "13957126604" not in visible_digits(f.matched)  # …but shown in full

    # --- properties ---------------------------------------------------------------------------
    @settings(deadline=None)  # no timing assertions
    @given(st.text(alphabet=st.one_of(st.sampled_from(DIGITS + WIDE + " -，,、.·/xX"), st.characters()), max_size=80))
    def test_length_kept_and_only_digits_starred(self, text):
        out = mask(text)
        assert len(out) == len(text)
        for a, b in zip(text, out, strict=True):
            assert a == b or (b == "*" and a in DIGITS + WIDE + "xXｘＸ")

    @settings(deadline=None)  # no timing assertions
    @given(st.lists(st.tuples(
        st.sampled_from(["您的号码是", "卡号", "，", "尾号", "好的", "对吗", "身份证号", ""]),
        st.integers(7, 19).flatmap(lambda n: st.text(alphabet=DIGITS + WIDE, min_size=n, max_size=n)),
        st.sampled_from(["", " ", "，", "-", "/", "—"]),
    ), min_size=1, max_size=4))
    @example([("卡号", "6259630123458878", " ")])
    def test_long_numbers_never_leave_seven_digits_in_a_row(self, parts):
        text = "".join(prefix + sep.join(number[i:i + 4] for i in range(0, len(number), 4))
                       for prefix, number, sep in parts)
        out = mask(text)
        assert len(out) == len(text)
        assert not re.search(f"[{DIGITS}{WIDE}]{{7,}}", out), out

    @settings(deadline=None)  # no timing assertions
    @given(st.text(alphabet=st.one_of(st.sampled_from(DIGITS + WIDE + " ，"), st.sampled_from("好的您号码是")),
                   max_size=40))
    @example("号码是8765432")  # regression: exactly 7 digits were once left as they were
    def test_never_seven_unmasked_digits_in_a_row(self, text):
        assert not re.search(f"[{DIGITS}{WIDE}]{{7,}}", mask(text))


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet="0123456789０１２三四五六七八九幺两洞xX-— 。，号码是", max_size=MASK_MIN - 1))
def test_text_shorter_than_mask_min_is_never_masked(text):
    """The report skips masking matched words shorter than MASK_MIN: no such text may change."""
    assert mask(text) == text


def test_mask_min_is_the_shortest_masked_number():
    assert mask("1390571") == "1****71"  # seven digits: masked
    assert mask("139057") == "139057"
