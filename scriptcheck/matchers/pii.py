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
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..normalize import spoken_digits
from ..rulebook.schema import RuleBase, Words
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext

ID_CARD = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx](?!\d)")
BANK_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
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


def evaluate(rule: PiiRule, ctx: CallContext) -> Outcome:
    hits = []
    for seg, s in enumerate(ctx.call.segments):
        if s.speaker != rule.speaker and rule.speaker != "any":
            continue
        text = ctx.norms[seg].text
        if ctx.lexicon.normalizer.numerals:
            text = spoken_digits(text)
        ids = [m.span() for m in ID_CARD.finditer(text) if "id_card" in rule.detect and (
            id_check_digit_ok(m.group()) or _named_before(ctx, seg, rule.id_context, m.start(), rule.context_chars))]
        hits.extend(hit(ctx, seg, sp, notes=[note("id_card")]) for sp in ids)
        if "bank_card" in rule.detect:
            excluded = ctx.spans(seg, rule.not_a_card.ws) if rule.not_a_card else []
            for m in BANK_CARD.finditer(text):
                a, b = m.span()
                if any(x < b and a < y for x, y in ids):
                    continue
                if any(a - rule.context_chars <= y <= a for _, y in excluded):
                    continue
                if not (luhn_ok(m.group()) or _named_before(ctx, seg, rule.card_context, a, rule.context_chars)):
                    continue
                hits.append(hit(ctx, seg, (a, b), notes=[note("bank_card")]))
        if "phone" in rule.detect and rule.third_party:
            cues = ctx.spans(seg, rule.third_party.ws)
            for m in MOBILE.finditer(text):
                if any(y <= m.start() for _, y in cues):
                    hits.append(hit(ctx, seg, m.span(), notes=[note("third_party_phone")]))
    return Outcome("fail" if hits else "pass", hits)


_D = "0-9零〇一二三四五六七八九幺两洞xX"
_SEP = r"\s\-，,、.·"
_MASKABLE = re.compile(f"[{_D}][{_D}{_SEP}]{{5,}}[{_D}]")


def mask(text: str) -> str:
    """Mask every number of 7+ digits (ID, card, phone): keep the first 3 and last 4 digits."""

    def _m(m: re.Match[str]) -> str:
        s = m.group()
        positions = [i for i, c in enumerate(s) if _DIGIT.match(c)]
        if len(positions) < 7:
            return s
        keep = set(positions[:3] + positions[-4:])
        return "".join("*" if (i in positions and i not in keep) else c for i, c in enumerate(s))

    return _MASKABLE.sub(_m, text)


_DIGIT = re.compile(f"[{_D}]")
