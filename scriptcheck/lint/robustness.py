"""``lint --robustness`` (PB013): would a speech recognizer's rendering of a phrase still be caught?

Each literal phrase of a forbidden, red-line or required rule gets ASR-like variants — Traditional
script (OpenCC), full-width characters, Chinese numerals ↔ digits, a filler (嗯 / 那个) inserted,
punctuation dropped or inserted, one character swapped for a common homophone (pypinyin) — and
the rule is evaluated on each by the engine itself. The share still matched is reported per rule;
a rule under the threshold is a warning.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import opencc

from ..engine import Checker
from ..model import Call, Segment
from .findings import Finding
from .sources import locate, wordings

DEFAULT_MIN_SHARE = 0.75
KINDS = ("forbidden", "redline", "required")
_S2T = opencc.OpenCC("s2t")
_CN = "零一二三四五六七八九"


@dataclass
class RuleRobustness:
    rule: str
    variants: int = 0
    matched: int = 0
    missed: list[str] = field(default_factory=list)
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [matched, total]

    @property
    def share(self) -> float:
        return self.matched / self.variants if self.variants else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "share": round(self.share, 3), "variants": self.variants, "matched": self.matched,
                "by_kind": {k: {"matched": m, "total": n} for k, (m, n) in self.by_kind.items()},
                "missed": self.missed[:10]}


@lru_cache(maxsize=1)
def _homophones() -> dict[str, list[str]]:
    """Toneless pinyin → common single characters, most frequent first (jieba's dictionary counts)."""
    from pypinyin import Style, lazy_pinyin

    from ..segmenter import tokenizer

    freq = tokenizer().FREQ
    out: dict[str, list[tuple[int, str]]] = {}
    for word, n in freq.items():
        if len(word) == 1 and "\u4e00" <= word <= "\u9fff" and n >= 1000:
            out.setdefault(lazy_pinyin(word, style=Style.NORMAL)[0], []).append((n, word))
    return {k: [w for _, w in sorted(v, reverse=True)] for k, v in out.items()}


def homophone(text: str) -> str | None:
    """``text`` with one Han character (the one nearest the middle that has one) swapped for the most
    common other character of the same toneless pinyin: 你再说一遍 → 你在说一遍."""
    from pypinyin import Style, lazy_pinyin

    table = _homophones()
    order = sorted(range(len(text)), key=lambda i: abs(i - len(text) // 2))
    for i in order:
        ch = text[i]
        if not "\u4e00" <= ch <= "\u9fff":
            continue
        same = [c for c in table.get(lazy_pinyin(ch, style=Style.NORMAL)[0], []) if c != ch]
        if same:
            return text[:i] + same[0] + text[i + 1:]
    return None


def _insert(text: str, what: str, at: float = 0.5) -> str | None:
    if len(text) < 2:
        return None
    i = max(1, min(len(text) - 1, round(len(text) * at)))
    return text[:i] + what + text[i:]


def _fullwidth(text: str) -> str | None:
    if any("!" <= c <= "~" for c in text):
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    return _insert(text, "\u3000")  # ASR output with an ideographic space between words


def _numerals(text: str) -> str | None:
    if any(c.isdigit() and c.isascii() for c in text):
        return "".join(_CN[int(c)] if c.isascii() and c.isdigit() else c for c in text)
    if any(c in _CN for c in text):
        return "".join(str(_CN.index(c)) if c in _CN else c for c in text)
    return None


def _punctuation(text: str) -> str | None:
    dropped = "".join(c for c in text if not unicodedata.category(c).startswith("P"))
    return dropped if dropped != text else _insert(text, "，")


def variants(text: str) -> dict[str, str]:
    """ASR-like renderings of a phrase, by kind (only those that differ from the phrase)."""
    out = {
        "traditional": _S2T.convert(text),
        "full-width": _fullwidth(text),
        "numerals": _numerals(text),
        "filler:嗯": _insert(text, "嗯", 0.5),
        "filler:那个": _insert(text, "那个", 0.34),
        "punctuation": _punctuation(text),
        "homophone": homophone(text),
    }
    return {k: v for k, v in out.items() if v and v != text}


def _calls(text: str, speaker: str) -> list[Call]:
    """Where the phrase may be said: the opening, the closing answer, or mid-call (rules have stages)."""
    filler = [Segment(speaker="customer", text="嗯。"), Segment(speaker="agent", text="好的。")] * 3
    return [
        Call(call_id="robust:opening", segments=[Segment(speaker=speaker, text=text)]),
        Call(call_id="robust:closing", segments=[Segment(speaker="agent", text="您好。"),
                                                 Segment(speaker="customer", text="我想咨询一下。"),
                                                 Segment(speaker=speaker, text=text)]),
        Call(call_id="robust:middle", segments=[Segment(speaker="agent", text="您好。"),
                                                Segment(speaker="customer", text="我想咨询一下。"),
                                                Segment(speaker=speaker, text=text), *filler]),
    ]


def _one_group(rule: Any, group: Any) -> Any:
    """A required rule reduced to the one group that holds the phrase (the group's compiled word set
    is shared, so the engine matches exactly as it does for the full rule)."""
    if group is rule:
        return rule.model_copy(update={"all_of": []})
    return rule.model_copy(update={"all_of": [group], "phrases": [], "patterns": []})


def _caught(checker: Checker, rule: Any, call: Call) -> bool:
    """Required: the group is satisfied. Taboo/red line: a hit, or a hit put up for human review (a red
    line heard only by sound is reported for review by design, never silently dropped)."""
    out = checker.evaluate(rule, checker.context(call))
    return out.status == "pass" if rule.kind == "required" else (out.status == "fail" or bool(out.review))


def robustness(checker: Checker, min_share: float = DEFAULT_MIN_SHARE) -> tuple[list[RuleRobustness], list[Finding]]:
    rb = checker.rulebook
    rows: dict[str, RuleRobustness] = {}
    for w in wordings(rb):
        rule = rb.rules.get(w.rule or "")
        if rule is None or not rule.enabled or rule.kind not in KINDS or not w.own or w.is_pattern:
            continue
        probe = rule
        if rule.kind == "required":
            group = rule if len(w.path) == 4 else rule.all_of[int(w.path[3])]
            probe = _one_group(rule, group)
        speaker = "customer" if rule.speaker == "customer" else "agent"
        where = next((i for i, call in enumerate(_calls(w.text, speaker)) if _caught(checker, probe, call)), None)
        if where is None:
            continue  # the phrase alone is not caught anywhere (a condition or window decides): nothing to vary
        row = rows.setdefault(rule.id, RuleRobustness(rule.id))
        for kind, text in variants(w.text).items():
            ok = _caught(checker, probe, _calls(text, speaker)[where])
            row.variants += 1
            row.matched += ok
            tally = row.by_kind.setdefault(kind.split(":")[0], [0, 0])
            tally[0] += ok
            tally[1] += 1
            if not ok:
                row.missed.append(text)
    findings = [Finding("PB013", locate(rb, ("rules", r.rule)), "lint.PB013",
                        {"share": f"{r.share:.0%}", "min": f"{min_share:.0%}",
                         "examples": "、".join(f"「{m}」" for m in r.missed[:3])}, r.rule)
                for r in rows.values() if r.share < min_share]
    return list(rows.values()), findings
