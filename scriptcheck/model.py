"""The one data model that flows through scriptcheck.

``Call`` (a reader's output) → ``Segment``s tagged with stages → ``Hit``s (matcher output) →
``Finding``s and per-check statuses → ``CallReport`` (formats.md §2). Writers only format these.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Speaker = Literal["agent", "customer", "unknown"]
Status = Literal["pass", "fail", "n/a"]
Stage = Literal["greeting", "service", "hold", "closing"]


class Segment(BaseModel):
    """One utterance as the ASR or transcript gave it."""

    model_config = ConfigDict(frozen=True)

    speaker: Speaker
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None  # source line (plain text / JSON Lines) for error messages
    label: str | None = None  # the raw speaker label when it was not agent/customer (spk0, 1, …)


class Call(BaseModel):
    """A call as read from input; ``errors`` holds per-segment input problems."""

    call_id: str
    agent_id: str | None = None
    started_at: str | None = None
    segments: list[Segment] = Field(default_factory=list)
    source: str | None = None  # file (and line) the call came from
    errors: list[str] = Field(default_factory=list)
    roles: dict[str, Any] | None = None  # how agent/customer were decided when labels were missing or swapped

    @property
    def timed(self) -> bool:
        """True when every segment has start and end times (timing checks need them)."""
        return bool(self.segments) and all(
            s.start is not None and s.end is not None for s in self.segments
        )


class Hit(BaseModel):
    """A matcher's raw result: which words of which segment, before it becomes a finding."""

    segment: int  # index into call.segments; -1 for call-level hits
    start_char: int = 0  # offsets into the *original* segment text
    end_char: int = 0
    matched: str = ""
    confidence: float = 1.0
    # Explanations as (i18n key, arguments), rendered in the report's language by the engine,
    # e.g. ("note.missing_closest", {"want": "再见", "best": "再会", "score": "0.71"}).
    notes: list[tuple[str, dict[str, str]]] = Field(default_factory=list)


class Finding(BaseModel):
    """Evidence for one failed check or one forbidden/red-line hit (formats.md §2)."""

    check: str
    rule: str
    stage: str
    segment: int | None
    start: float | None
    end: float | None
    speaker: str | None
    text: str
    matched: str
    message: str
    suggestion: str | None = None
    level: Literal["error", "warning"] = "error"
    note: str | None = None
    # the evidence's characters in ``text`` (the hit's offsets; masking keeps lengths), for formats
    # that highlight in place, and whether the rule is a red line whatever its check is called: not
    # part of the JSON contract (excluded fields, not private attributes: a batch makes tens of
    # findings a call, and private attributes double what a finding costs to make)
    span: tuple[int, int] | None = Field(default=None, exclude=True)
    red_line: bool = Field(default=False, exclude=True)


class Utterance(BaseModel):
    """One segment as a human-facing report shows it: its text (masked unless ``--show-pii``) and stage."""

    speaker: Speaker
    text: str
    stage: str
    start: float | None = None
    end: float | None = None
    label: str | None = None


class Metrics(BaseModel):
    duration: float | None = None
    agent_talk: float | None = None
    customer_talk: float | None = None
    silence_ratio: float | None = None
    longest_silence: float | None = None
    interruptions: int | None = None
    agent_chars_per_min: float | None = None
    turns: int = 0


class CallReport(BaseModel):
    """One line of ``--format json`` output, exactly formats.md §2 (plus ``source``/``masked``)."""

    call_id: str
    agent_id: str | None = None
    started_at: str | None = None
    score: float | None
    verdict: Literal["pass", "fail", "error"]
    red_line: bool
    checks: dict[str, Status]
    findings: list[Finding] = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=Metrics)
    errors: list[str] = Field(default_factory=list)
    source: str | None = None
    pii_masked: bool = True
    roles: dict[str, Any] = Field(default_factory=lambda: {"source": "labels"})
    # Advisory checks (coaching, e.g. courtesy responses): reported beside the contract's
    # `checks`/`findings`, never part of the score, the verdict or the 12 default categories.
    advisory: dict[str, Status] = Field(default_factory=dict)
    advice: list[Finding] = Field(default_factory=list)
    # the report's JSON line, when a worker process already rendered it (saves the parent the work)
    _line: str | None = PrivateAttr(default=None)
    # the whole transcript, only when a format asked for it (``Checker(transcript=True)``, e.g. HTML)
    _transcript: list[Utterance] | None = PrivateAttr(default=None)
