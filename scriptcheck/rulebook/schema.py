"""Pydantic models of the rulebook: settings, stage windows and the fields every rule shares.

Kind-specific options live beside their matcher (``scriptcheck/matchers/<kind>.py``); unknown
keys are rejected everywhere (``extra="forbid"``) so a typo never silently disables a rule.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..lexicon import WordSet
from ..normalize import Normalizer


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Words(Strict):
    """Wordings: literal phrases (folded before matching) and RE2 patterns (run on folded text)."""

    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    @property
    def ws(self) -> WordSet:
        """The compiled word set (set once by the loader; a plain attribute, read on the hot path)."""
        try:
            return self.__dict__["compiled_ws"]
        except KeyError:
            raise RuntimeError("word set used before the rulebook was compiled") from None

    def compile_into(self, lexicon: object, sounds: int = 2) -> None:
        """``sounds``: see ``Lexicon.add`` (the loader passes what the rules using it ask for)."""
        if "compiled_ws" not in self.__dict__:
            self.__dict__["compiled_ws"] = lexicon.add(self.phrases, self.patterns, sounds)  # type: ignore[attr-defined]

    def __bool__(self) -> bool:
        return bool(self.phrases or self.patterns)


class Examples(Strict):
    """Docs that are tests: utterances (or mini-transcripts, format 1b) the rule must pass/fail."""

    pass_: list[str] = Field(default_factory=list, alias="pass")
    fail: list[str] = Field(default_factory=list)


class Window(Strict):
    """Where in the call a rule looks, on top of its stage; every field set must hold.

    ``last_agent_turns`` counts the agent's turns after the greeting and is empty for a call
    without a closing; ``position`` is a share of the call (by time when timed, else by segment).
    """

    first_agent_turns: int | None = Field(default=None, ge=1)
    last_agent_turns: int | None = Field(default=None, ge=1)
    first_turns: int | None = Field(default=None, ge=1)
    last_turns: int | None = Field(default=None, ge=1)
    first_seconds: float | None = Field(default=None, gt=0)
    last_seconds: float | None = Field(default=None, gt=0)
    position: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _position(self) -> Window:
        if self.position is not None and not 0 <= self.position[0] < self.position[1] <= 1:
            raise ValueError("position must be [from, to] with 0 <= from < to <= 1, e.g. [0, 0.1]")
        return self


class NotApplicable(Words):
    """If any of these wordings is said (by ``speaker``), the rule is n/a for the call."""

    speaker: Literal["agent", "customer", "any"] = "any"


class RuleBase(Strict):
    """Fields shared by every rule kind."""

    id: str = ""
    check: str
    stage: Literal["any", "greeting", "service", "hold", "closing"] = "any"
    speaker: Literal["agent", "customer", "any"] = "agent"
    enabled: bool = True
    level: Literal["error", "warning"] = "error"
    weight: float = Field(default=0.0, ge=0)
    red_line: bool = False
    message: str
    message_en: str | None = None
    suggestion: str | None = None
    suggestion_en: str | None = None
    description: str | None = None
    examples: Examples = Field(default_factory=Examples)
    na_if: list[NotApplicable] = Field(default_factory=list)
    window: Window | None = None

    @property
    def is_red_line(self) -> bool:
        return self.red_line

    def word_fields(self) -> list[Words]:
        """Every ``Words`` this rule owns, so the compiler can register them in the lexicon."""
        out: list[Words] = []
        for name in type(self).model_fields:
            v = getattr(self, name)
            for x in v if isinstance(v, list) else [v]:  # all_of groups, na_if conditions, sub-rules
                if isinstance(x, Words):
                    out.append(x)
                if isinstance(x, RuleBase):
                    out.extend(x.word_fields())
        return out

    def heard(self) -> list[tuple[Words, int]]:
        """The word sets this rule's matcher may also find by sound (homophones), each with the
        fewest Han characters a homophone of it must have: only these get fuzzy-pinyin keys in the
        lexicon, so the automata of sounds hold no key nobody asks for (a guard, a trigger, the
        two-character wordings of a list heard from four). Kinds that listen override it."""
        out: list[tuple[Words, int]] = []
        for name in type(self).model_fields:
            v = getattr(self, name)
            for x in v if isinstance(v, list) else [v]:
                if isinstance(x, RuleBase):  # sub-rules listen for themselves
                    out.extend(x.heard())
        return out

    def text(self, field: str, lang: str) -> str | None:
        """Localised message/suggestion: the ``_en`` variant with ``--lang en`` when present."""
        if lang == "en":
            en = getattr(self, f"{field}_en", None)
            if en:
                return en
        return getattr(self, field)


class Scenario(Strict):
    """A norms scenario: when it applies, its recommended wording, and its rules — the responses it
    requires (required/sequence/response kinds) and the taboo counterparts (forbidden/redline)."""

    name: str
    name_en: str | None = None
    when: str | None = None  # the situation that calls for it (a trainee's cheat sheet)
    when_en: str | None = None
    recommended: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)


class CheckInfo(Strict):
    label: str
    label_en: str
    description: str | None = None
    advisory: bool = False  # coaching only: reported apart, never scored (keeps `checks` to the contract)


class HoldSettings(Strict):
    """A hold is a wait the agent causes: a gap >= ``min_gap`` s, or (untimed) an announced wait."""

    min_gap: float = Field(default=10.0, gt=0)
    notice: Words = Field(default_factory=Words)
    customer_wait: Words = Field(default_factory=Words)
    max_ack_chars: int = Field(default=6, ge=0)


class StageSettings(Strict):
    greeting_agent_segments: int = Field(default=2, ge=1)
    closing_agent_turns: int = Field(default=3, ge=1)
    hold: HoldSettings = Field(default_factory=HoldSettings)


class Guards(Strict):
    """False-alarm guards for forbidden and red-line phrases."""

    quotes: bool = True
    negation: Words = Field(default_factory=Words)
    negation_window: int = Field(default=4, ge=0)
    reported: Words = Field(default_factory=Words)  # 同事说…: reported speech, right before the hit
    mention_after: Words = Field(default_factory=Words)  # 这样的回答不符合规范: the taboo was only mentioned
    mention_window: int = Field(default=12, ge=0)
    word_boundary_max_chars: int = Field(default=2, ge=0)  # hits this short must be whole jieba words


class NormalizeSettings(Strict):
    """Normalization steps (see ``scriptcheck.normalize``); each can be switched off."""

    traditional: bool = True
    width: bool = True
    case: bool = True
    punctuation: bool = True
    numerals: bool = True
    fillers: list[str] = Field(default_factory=lambda: list(Normalizer.fillers))
    stutters: bool = True

    def normalizer(self) -> Normalizer:
        return Normalizer(self.traditional, self.width, self.case, self.punctuation, self.numerals,
                          tuple(self.fillers), self.stutters)


class RoleSettings(Strict):
    """Role inference (see ``scriptcheck.roles``): cue wordings and how sure it must be."""

    agent: Words = Field(default_factory=Words)
    customer: Words = Field(default_factory=Words)
    min_confidence: float = Field(default=0.3, ge=0, le=1)
    swap_margin: float = Field(default=0.6, gt=0)


class Settings(Strict):
    pass_mark: float = Field(default=80.0, ge=0, le=100)
    normalize: NormalizeSettings = Field(default_factory=NormalizeSettings)
    roles: RoleSettings = Field(default_factory=RoleSettings)
    lang: Literal["zh", "en"] = "zh"
    mask_pii: bool = True
    guards: Guards = Field(default_factory=Guards)
