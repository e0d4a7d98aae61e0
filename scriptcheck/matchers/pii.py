"""Personal data said by the agent: a full ID-card or bank-card number (digits or spoken Chinese
numerals, pauses allowed), or a phone number that belongs to someone else (a third-party cue before it).

A number counts when it validates (GB 11643 check digit for ID cards, Luhn for bank cards) or, since
ASR garbles digits, when its kind is named just before it (身份证号… / 卡号…). Only complete numbers
count: 尾号1234, 后四位 or a masked number are fine.

Anti-pattern (red line): 您的卡号是6259 6301 2345 8876 · 之前的机主登记的新号码是13957126604
Best practice (passes): 尾号8836的卡片 · 身份证后四位 · 请您提供身份证后六位
Also home of ``mask``: the report masks these numbers by default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from ..charmap import Codes
from ..normalize import CN_DIGITS, spoken_digits
from ..rulebook.schema import RuleBase, Words
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext

ID_CARD = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx](?!\d)")
BANK_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
_MIN_DIGITS = 11  # the shortest number looked for: a mobile number
_LONG_NUMBER = re.compile(rf"\d{{{_MIN_DIGITS}}}")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


class PiiRule(RuleBase):
    kind: Literal["pii"]
    detect: list[Literal["id_card", "bank_card", "phone"]] = Field(
        default_factory=lambda: ["id_card", "bank_card", "phone"])
    third_party: Words = Field(default_factory=Words)
    not_a_card: Words = Field(default_factory=Words)
    id_context: Words = Field(default_factory=Words)  # 身份证…: an ID even if its check digit fails
    card_context: Words = Field(default_factory=Words)  # 卡号…: a card even if Luhn fails
    context_chars: int = Field(default=10, ge=0)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit_ok(number: str) -> bool:
    """GB 11643-1999 check digit of an 18-character resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def luhn_ok(number: str) -> bool:
    """Luhn checksum of a card number."""
    if not number.isdigit():
        return False
    total = 0
    for i, d in enumerate(reversed(number)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _named_before(ctx: CallContext, seg: int, ws: Words, start: int, chars: int) -> bool:
    return bool(ws) and any(start - chars <= y <= start for _, y in ctx.spans(seg, ws.ws))


def _views(ctx: CallContext, seg: int) -> list[tuple[str, object]]:
    """Texts to search, each with a map of its spans back to folded offsets: the folded view with
    spoken digits read, and the clean view (a filler inside a dictated number: 一三九,嗯,五七…)."""
    folded = ctx.norms[seg].text
    views: list[tuple[str, object]] = [(spoken_digits(folded) if ctx.lexicon.normalizer.numerals else folded, None)]
    clean = ctx.clean_view(seg)
    if clean is not None and clean.text:
        views.append((clean.text, clean))
    return views


def _find(rule: PiiRule, ctx: CallContext, seg: int, text: str,
          to_folded: Callable[[int], int]) -> list[tuple[tuple[int, int], str]]:
    """(span in ``text``, kind) of every personal number in one view of a segment; context cues are
    folded-view spans, so positions are compared after ``to_folded``."""
    excluded = ctx.spans(seg, rule.not_a_card.ws) if rule.not_a_card else []
    found: list[tuple[tuple[int, int], str]] = []

    def not_a_number(a: int) -> bool:  # 订单号 / 单号 / 尾号… right before it
        fa = to_folded(a)
        return any(fa - rule.context_chars <= y <= fa for _, y in excluded)

    def named(ws: Words, a: int) -> bool:
        return _named_before(ctx, seg, ws, to_folded(a), rule.context_chars)

    if "id_card" in rule.detect:
        for m in ID_CARD.finditer(text):
            if not not_a_number(m.start()) and (id_check_digit_ok(m.group()) or named(rule.id_context, m.start())):
                found.append((m.span(), "id_card"))
    if "bank_card" in rule.detect:
        for m in BANK_CARD.finditer(text):
            a, b = m.span()
            if any(x < b and a < y for (x, y), _ in found) or not_a_number(a):
                continue
            if luhn_ok(m.group()) or named(rule.card_context, a):
                found.append(((a, b), "bank_card"))
    if "phone" in rule.detect and rule.third_party:
        cues = ctx.spans(seg, rule.third_party.ws)
        found.extend((m.span(), "third_party_phone") for m in MOBILE.finditer(text)
                     if any(y <= to_folded(m.start()) for _, y in cues))
    return found


# Is a code point ``\d`` (a Unicode decimal digit, as in ``_LONG_NUMBER``) or a spoken numeral?
# 0 = not looked at yet, filled on first sight; a byte per code point keeps the CJK block small.
_UNSEEN, _OTHER, _DIGIT_LIKE = 0, 1, 2
_DIGIT_CLASS = np.zeros(0x110000, dtype=np.uint8)


def _digit_like(cps: Codes) -> np.ndarray:
    classes = _DIGIT_CLASS[cps]
    if not classes.all():
        for cp in np.unique(cps[classes == _UNSEEN]).tolist():
            ch = chr(cp)
            _DIGIT_CLASS[cp] = _DIGIT_LIKE if ch.isdecimal() or ch in CN_DIGITS else _OTHER
        classes = _DIGIT_CLASS[cps]
    return classes == _DIGIT_LIKE


def _numbered(ctx: CallContext) -> list[int]:
    """Utterances with at least 11 digit-like characters, in order, from one pass over the call.

    Lossless: ``evaluate`` needs 11 digits in a row (``_LONG_NUMBER``) in a view of the utterance,
    and every digit of a view is a digit-like character of the folded utterance (reading spoken
    digits maps numerals to digits one for one; the clean view only leaves characters out). Most
    utterances say no number, and making their views cost more than everything else here."""
    folded = ctx.norms
    found = np.append(_digit_like(folded.cps), False)  # an empty last utterance starts at the end
    if np.count_nonzero(found) < _MIN_DIGITS:
        return []
    per_utterance = np.add.reduceat(found, folded.starts, dtype=np.intp)  # (the separators are no digits)
    return np.flatnonzero(per_utterance >= _MIN_DIGITS).tolist()


def evaluate(rule: PiiRule, ctx: CallContext) -> Outcome:
    hits = []
    segments = ctx.call.segments
    for seg in _numbered(ctx):
        if rule.speaker not in ("any", segments[seg].speaker):
            continue
        seen: set[tuple[int, int]] = set()
        for text, back in _views(ctx, seg):
            if not _LONG_NUMBER.search(text):  # nothing of 11+ digits: no ID, card or phone here
                continue
            to_folded = back.folded_index if back is not None else int  # type: ignore[attr-defined]
            for span, kind in _find(rule, ctx, seg, text, to_folded):
                folded = back.span(*span) if back is not None else span  # type: ignore[attr-defined]
                if folded not in seen and not any(x < folded[1] and folded[0] < y for x, y in seen):
                    seen.add(folded)
                    hits.append(hit(ctx, seg, folded, notes=[note(kind)]))
    return Outcome("fail" if hits else "pass", hits)


_D = "0-9０-９零〇一二三四五六七八九幺两洞xXｘＸ"
# digits, possibly separated by up to two punctuation/space characters (pauses: 。 …… ～ ： / —)
_MASKABLE = re.compile(f"[{_D}](?:[^\\w]{{0,2}}[{_D}]){{6,}}")
MASK_MIN = 7  # ``_MASKABLE`` needs 7 digits: a shorter text is never masked


def mask(text: str) -> str:
    """Mask every number of 7+ digits (ID, card, phone, however it is written or separated).

    Long numbers keep their first 3 and last 4 digits (139****6604), shorter ones the first and
    last two, so no run of 7 unmasked digits is ever left.
    """

    def _m(m: re.Match[str]) -> str:
        s = m.group()
        positions = [i for i, c in enumerate(s) if _DIGIT.match(c)]
        if len(positions) < 7:
            return s
        head, tail = (3, 4) if len(positions) >= 11 else (1, 2)
        keep = set(positions[:head] + positions[-tail:])
        masked = set(positions) - keep
        return "".join("*" if i in masked else c for i, c in enumerate(s))

    return _MASKABLE.sub(_m, text)


_DIGIT = re.compile(f"[{_D}]")
