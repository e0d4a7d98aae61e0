"""The checker: a compiled rulebook applied to calls, producing scored ``CallReport``s.

    checker = Checker.from_rulebook("default")
    report = checker.check(call)

The CLI uses exactly this API.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from .context import CallContext
from .i18n import t
from .matchers import KINDS
from .matchers.base import Outcome
from .matchers.pii import MASK_MIN, mask
from .model import Call, CallReport, Finding, Metrics, Status, Utterance
from .roles import infer_roles
from .rulebook import Rulebook, load_cached
from .scan import Scanned, scan_calls


class Checker:
    def __init__(self, rulebook: Rulebook, *, lang: str | None = None, mask_pii: bool | None = None,
                 transcript: bool = False):
        """``transcript``: attach the (masked) transcript with its stages to each report, for formats
        that show it (HTML); off by default so that other formats pay nothing for it."""
        self.rulebook = rulebook
        self.transcript = transcript
        self.lang = lang or rulebook.settings.lang
        self.mask_pii = rulebook.settings.mask_pii if mask_pii is None else mask_pii
        self._rules = rulebook.enabled_rules
        # per rule, what the loop in ``check`` needs: looked up once, not once per call
        self._plan = [(rule, rule.check, rulebook.checks[rule.check].advisory, rule.level == "error")
                      for rule in self._rules]
        # what each rule's findings share (its message and suggestion in the report's language), looked up once
        self._facts = {r.id: (r.check, r.level, bool(r.is_red_line), r.text("message", self.lang),
                              r.text("suggestion", self.lang)) for r in self._rules}
        timing = [r for r in self._rules if r.kind == "timing" and r.metric == "overlap"]
        self._overlap_seconds = timing[0].min_seconds if timing else 1.0

    @classmethod
    def from_rulebook(cls, path: str | Path = "default", **kw: Any) -> Checker:
        return cls(load_cached(path), **kw)

    def context(self, call: Call, scanned: Scanned | None = None) -> CallContext:
        rb = self.rulebook
        return CallContext(call, rb.lexicon, rb.stages, rb.settings, scanned)

    def scan(self, calls: list[Call]) -> list[Scanned | None]:
        """What ``check`` needs of each call's text, for several calls at once (``scan.scan_calls``:
        a batch shares the fixed cost of normalizing and scanning); None for a call without segments."""
        texts = [[s.text for s in c.segments] for c in calls if c.segments]
        scanned = iter(scan_calls(self.rulebook.lexicon, texts) if texts else ())
        return [next(scanned) if c.segments else None for c in calls]

    @staticmethod
    def not_applicable(rule: Any, ctx: CallContext) -> bool:
        """True when one of the rule's ``na_if`` wordings is said (a wrong number, a silent line…)."""
        segs = ctx.call.segments
        for cond in rule.na_if:
            for i in ctx.segments_with(cond.ws):
                if cond.speaker in ("any", segs[i].speaker) and ctx.said(i, cond.ws):
                    return True
        return False

    def evaluate(self, rule: Any, ctx: CallContext) -> Outcome:
        """One rule on one call (``na_if`` handled here, for every kind)."""
        if rule.na_if and self.not_applicable(rule, ctx):
            return Outcome("n/a")
        return KINDS[rule.kind].evaluate(rule, ctx)

    def check(self, call: Call, scanned: Scanned | None = None) -> CallReport:
        """One call's report; ``scanned``: its text already scanned with a batch (``scan``)."""
        if not call.segments:  # nothing to judge is not a pass
            return self.error_report(call.call_id, call.errors or [f"call {call.call_id}: no segments"],
                                     call.source)
        ctx = self.context(call, scanned)  # normalized and scanned once; roles only relabel speakers
        inferred = infer_roles(call, ctx, self.rulebook.settings.roles)
        if inferred.error:  # refuse to guess silently
            report = self.error_report(call.call_id, [*call.errors, inferred.error], call.source)
            report.roles = inferred.roles
            return report
        if inferred.call is not call:
            call = ctx.call = inferred.call  # before any speaker-dependent (cached) structure is built
        combined: dict[str, Status] = dict.fromkeys(self.rulebook.checks, "n/a")  # a check's rules: fail > pass > n/a
        findings: list[Finding] = []
        advice: list[Finding] = []
        deduction = 0.0
        red_line = False
        texts: dict[int, str] = {}  # each utterance's text as findings show it (masked once)
        for rule, check, advisory, error in self._plan:
            out = self.evaluate(rule, ctx)
            status = out.status
            sink = advice if advisory else findings
            if error and status != "n/a" and combined[check] != "fail":  # warnings add findings, never a status
                combined[check] = status
            if out.review:
                sink += self._findings(rule, ctx, out.review, texts, "warning")
            if status == "fail":
                sink += self._findings(rule, ctx, out.hits, texts)
                if error and not advisory:
                    deduction += rule.weight
                    red_line = red_line or rule.is_red_line
        checks = {c: s for c, s in combined.items() if not self.rulebook.checks[c].advisory}
        score = 0.0 if red_line else max(0.0, round(100.0 - deduction, 1))
        verdict = "fail" if red_line or score < self.rulebook.settings.pass_mark else "pass"
        for f in (findings, advice):
            f.sort(key=lambda f: (f.segment if f.segment is not None else -1, f.rule))
        report = CallReport(
            call_id=call.call_id, agent_id=call.agent_id, started_at=call.started_at, score=score, verdict=verdict,
            red_line=red_line,
            checks=checks, findings=findings, metrics=metrics(ctx, self._overlap_seconds),
            advisory={c: s for c, s in combined.items() if c not in checks}, advice=advice,
            errors=list(call.errors),
            source=call.source, pii_masked=self.mask_pii, roles=inferred.roles,
        )
        if self.transcript:
            report._transcript = [
                Utterance(speaker=s.speaker, text=mask(s.text) if self.mask_pii else s.text, stage=stage,
                          start=s.start, end=s.end, label=s.label)
                for s, stage in zip(call.segments, ctx.stages, strict=True)]
        return report

    def error_report(self, call_id: str, errors: list[str], source: str | None) -> CallReport:
        """A call that could not be read or checked still appears in the output (nothing is lost)."""
        checks = [c for c, info in self.rulebook.checks.items() if not info.advisory]
        return CallReport(call_id=call_id, score=None, verdict="error", red_line=False,
                          checks=dict.fromkeys(checks, "n/a"), errors=errors, source=source,
                          pii_masked=self.mask_pii)

    def _findings(self, rule: Any, ctx: CallContext, hits: list[Any], texts: dict[int, str],
                  level: str | None = None) -> list[Finding]:
        """The evidence of one rule's hits (a word list makes tens of them a call: one loop, the
        rule's and the call's fields looked up once). ``texts``: the call's utterances as shown,
        filled as they are first needed."""
        check, rule_level, red_line, message, suggestion = self._facts[rule.id]
        level = level or rule_level
        segments, stages, mask_pii = ctx.call.segments, ctx.stages, self.mask_pii
        out = []
        for h in hits:
            i = h.segment
            seg = segments[i] if i >= 0 else None
            matched = h.matched
            text = texts.get(i)
            if text is None:
                text = "" if seg is None else seg.text
                if mask_pii and len(text) >= MASK_MIN:  # (no number to mask in fewer characters)
                    text = _masked(text)
                texts[i] = text
            if mask_pii and len(matched) >= MASK_MIN:
                matched = _masked(matched)
            a, b = h.start_char, h.end_char
            if seg is None:  # a call-level hit
                stage, segment, start, end, speaker, span = "any", None, None, None, None, None
            else:
                stage, segment, start, end, speaker = stages[i], i, seg.start, seg.end, seg.speaker
                span = (a, b) if 0 <= a < b <= len(text) else None
            out.append(Finding(
                check=check, rule=rule.id, stage=stage, segment=segment, start=start, end=end, speaker=speaker,
                text=text, matched=matched, message=message, suggestion=suggestion, level=level,
                note=self._note(h) if h.notes else None, span=span, red_line=red_line,
            ))
        return out

    def _note(self, h: Any) -> str | None:
        return "; ".join(t(k, self.lang, **args) for k, args in h.notes) or None


@lru_cache(maxsize=2048)
def _masked(text: str) -> str:
    """``mask``, remembered: a wording or an utterance found again in the calls of a batch."""
    return mask(text)


def metrics(ctx: CallContext, overlap_seconds: float = 1.0) -> Metrics:
    """Call metrics of formats.md §2; timing figures are None without timestamps."""
    segs = ctx.call.segments
    m = Metrics(turns=len(ctx.turns))
    if not ctx.timed:
        return m
    starts, ends = ctx.times
    start = min(starts)
    end = max(ends)
    duration = max(end - start, 0.0)
    # (``x if x > y else y`` is ``max(y, x)``, the same float, without a call per segment: this
    # loops over every segment of every call)
    talk = {"agent": 0.0, "customer": 0.0}
    agent_chars = 0
    for s, a, b, n in zip(segs, starts, ends, ctx.norms.lens, strict=True):
        speaker = s.speaker
        if speaker in talk:
            d = b - a
            talk[speaker] += d if d > 0.0 else 0.0
        if speaker == "agent":
            agent_chars += n
    # silence = time covered by nobody
    covered, cur_a, cur_b = 0.0, None, None
    longest = 0.0
    prev_end = start
    for i in sorted(range(len(segs)), key=starts.__getitem__):
        a, b = starts[i], ends[i]
        gap = a - prev_end
        if gap > longest:
            longest = gap
        if b > prev_end:
            prev_end = b
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                covered += cur_b - cur_a
            cur_a, cur_b = a, b
        elif b > cur_b:
            cur_b = b
    if cur_b is not None:
        covered += cur_b - cur_a
    m.duration = round(duration, 2)
    m.agent_talk = round(talk["agent"], 2)
    m.customer_talk = round(talk["customer"], 2)
    m.silence_ratio = round(1 - covered / duration, 3) if duration else 0.0
    m.longest_silence = round(longest, 2)
    m.interruptions = len(ctx.overlaps(overlap_seconds))
    m.agent_chars_per_min = round(agent_chars / (talk["agent"] / 60), 1) if talk["agent"] else None
    return m
