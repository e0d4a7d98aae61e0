"""Personal data said by the agent: a full ID-card or bank-card number (digits or spoken Chinese
numerals), or a phone number that belongs to someone else (a third-party cue before it).

Anti-pattern (red line): 您的卡号是6259 6301 2345 8876 · 之前的机主登记的新号码是13957126604
Best practice (passes): 尾号8836的卡片 · 身份证后四位 · 请您提供身份证后六位
Also home of ``mask``: the report masks these numbers by default.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from ..rulebook.schema import RuleBase, Words
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext

_CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺两洞", "00123456789120")
_DIGITISH = re.compile(r"[0-9零〇一二三四五六七八九幺两洞]{6,}")
ID_CARD = re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dx](?!\d)")
BANK_CARD = re.compile(r"(?<!\d)\d{16,19}(?!\d)")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def digits_view(text: str) -> str:
    """Spoken numerals (一三八…, 幺) read as digits, one char for one char (offsets unchanged)."""
    return _DIGITISH.sub(lambda m: m.group().translate(_CN_DIGITS), text)


class PiiRule(RuleBase):
    kind: Literal["pii"]
    detect: list[Literal["id_card", "bank_card", "phone"]] = Field(
        default_factory=lambda: ["id_card", "bank_card", "phone"])
    third_party: Words = Field(default_factory=Words)
    not_a_card: Words = Field(default_factory=Words)
    context_chars: int = Field(default=10, ge=0)


def evaluate(rule: PiiRule, ctx: CallContext) -> Outcome:
    hits = []
    for seg, s in enumerate(ctx.call.segments):
        if s.speaker != rule.speaker and rule.speaker != "any":
            continue
        text = digits_view(ctx.norms[seg].text)
        ids = [m.span() for m in ID_CARD.finditer(text)] if "id_card" in rule.detect else []
        hits.extend(hit(ctx, seg, sp, notes=[note("id_card")]) for sp in ids)
        if "bank_card" in rule.detect:
            excluded = ctx.spans(seg, rule.not_a_card.ws) if rule.not_a_card else []
            for m in BANK_CARD.finditer(text):
                a, b = m.span()
                if any(x < b and a < y for x, y in ids):
                    continue
                if any(a - rule.context_chars <= y <= a for _, y in excluded):
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
