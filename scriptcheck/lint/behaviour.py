"""Checks that run the compiled rulebook through the real engine:

PB004 an example that disagrees with its rule · PB009 a rule without pass and fail examples ·
PB011 a suggestion or recommended wording that, said as written, trips a taboo or red-line rule.
"""

from __future__ import annotations

from ..engine import Checker
from ..examples import run_examples
from ..model import Call, Segment
from .attribution import wording_of
from .findings import Finding
from .phrases import recommended
from .sources import locate


def check_examples(checker: Checker) -> list[Finding]:
    """PB004 and PB009 (kept from the first ``lint``: same codes, same meaning)."""
    rb = checker.rulebook
    out: list[Finding] = []
    for rid, rule in rb.rules.items():
        counts = {"pass": 0, "fail": 0}
        try:
            results = run_examples(checker, rule)
        except Exception as e:  # a malformed mini-transcript is the example's fault, not the linter's
            out.append(Finding("PB004", locate(rb, ("rules", rid, "examples")), "lint.PB004",
                               {"expected": "?", "status": f"error ({e})", "text": ""}, rid))
            continue
        for r in results:
            i = counts[r.expected]
            counts[r.expected] += 1
            if not r.ok:
                out.append(Finding("PB004", locate(rb, ("rules", rid, "examples", r.expected, i)), "lint.PB004",
                                   {"expected": r.expected, "status": r.status, "text": r.text.strip()}, rid))
        missing = [k for k in ("pass", "fail") if not counts[k]]
        loc = locate(rb, ("rules", rid))
        if missing and (loc is None or loc.file.endswith((".yaml", ".yml"))):  # a .txt list cannot hold examples
            out.append(Finding("PB009", loc, "lint.PB009", {"missing": "/".join(missing)}, rid))
    return out


def placements(text: str) -> list[Call]:
    """The wording as a lone utterance (greeting position) and as the agent's answer mid-call."""
    return [
        Call(call_id="lint:alone", segments=[Segment(speaker="agent", text=text)]),
        Call(call_id="lint:reply", segments=[Segment(speaker="agent", text="您好。"),
                                             Segment(speaker="customer", text="我想咨询一下。"),
                                             Segment(speaker="agent", text=text)]),
    ]


def check_suggestions(checker: Checker) -> list[Finding]:
    """PB011: every suggestion and scenario wording, said by the agent, must not fire a taboo/red line."""
    rb = checker.rulebook
    guarded = [r for r in rb.enabled_rules if r.kind in ("forbidden", "redline") or r.is_red_line]
    out: list[Finding] = []
    for text, path, _ in recommended(rb):
        if path[-1] != "suggestion" and path[0] != "scenarios":
            continue  # recommended phrases inside rules are PB010's business (static containment)
        fired: dict[str, str] = {}
        for call in placements(text):
            ctx = checker.context(call)
            last = len(call.segments) - 1
            for rule in guarded:
                outcome = checker.evaluate(rule, ctx)
                hits = [h for h in outcome.hits if h.segment == last]
                if outcome.status == "fail" and hits and rule.id not in fired:
                    fired[rule.id] = hits[0].matched
        for rid, matched in fired.items():
            w = wording_of(rb, rid, matched)  # point at the taboo wording that fired, when it can be told
            other = locate(rb, w.path, w.text) if w else locate(rb, ("rules", rid))
            out.append(Finding("PB011", locate(rb, path, text), "lint.PB011",
                               {"wording": text, "other": rid, "matched": matched},
                               path[1] if path[0] == "rules" else None, related=other, related_rule=rid))
    return out
