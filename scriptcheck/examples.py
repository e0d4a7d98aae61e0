"""Rule examples are tests: every ``examples.pass`` must not fail its rule, every ``examples.fail`` must.

Used by ``scriptcheck lint``, ``scriptcheck explain`` and the parametrised pytest suite.
An example is an utterance (said by the rule's speaker) or a mini-transcript in format 1b;
a leading ``# started_at: 2026-10-02`` line sets the call date for date-dependent rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .engine import Checker
from .model import Call, Segment, Status
from .readers import parse_transcript


@dataclass
class ExampleResult:
    rule: str
    expected: str  # "pass" | "fail"
    text: str
    status: Status

    @property
    def ok(self) -> bool:
        return (self.status == "fail") == (self.expected == "fail")


def example_call(text: str, rule: Any) -> Call:
    lines = text.strip().splitlines()
    started = None
    while lines and lines[0].startswith("#"):
        key, _, value = lines.pop(0).lstrip("# ").partition(":")
        if key.strip() == "started_at":
            started = value.strip()
    call = parse_transcript("\n".join(lines), call_id=f"example:{rule.id}")
    if len(call.segments) == 1 and rule.speaker == "customer":
        call.segments = [Segment(speaker="customer", text=call.segments[0].text)]
    call.started_at = started
    return call


def run_examples(checker: Checker, rule: Any) -> list[ExampleResult]:
    out = []
    for expected, texts in (("pass", rule.examples.pass_), ("fail", rule.examples.fail)):
        for text in texts:
            ctx = checker.context(example_call(text, rule))
            out.append(ExampleResult(rule.id, expected, text, checker.evaluate(rule, ctx).status))
    return out
