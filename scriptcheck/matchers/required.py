"""Required wordings: every group (``all_of``, plus the rule's own phrases/patterns as one group)
must be said somewhere in the rule's window (stage or first/last N agent turns).

A group counts as said when a wording matches exactly (folded or clean view), by sound (fuzzy
pinyin, phrases of >= ``phonetic`` Han characters), or as a paraphrase reaching ``fuzzy`` (0..100):
character-level (rapidfuzz alignment within an edit budget by phrase length: exact up to 4
characters, 1 edit up to 8, 2 beyond) or token-level (the share of the phrase's jieba words said).
A missing group reports the closest thing the agent did say and its similarity.

Anti-pattern (fails ``greeting``): 喂,你好。 · 您好,请讲。
Best practice (passes): 您好,XX公司,很高兴为您服务,请问有什么可以帮您?
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import Field
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..lexicon import SHORT_SOUND, WordSet
from ..normalize import Normalizer
from ..rulebook.schema import RuleBase, Words
from ..segmenter import tokenizer
from .base import FEW_SEGMENTS, Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext

MIN_TOKENS = 3  # token-level paraphrase needs a phrase of at least this many words
TOKENS_MIN = 50  # ...and must be at least this similar character by character to be tried
CLOSEST_MIN = 50  # a "closest candidate" below this similarity is noise, not evidence


class RequiredRule(RuleBase, Words):
    kind: Literal["required"]
    all_of: list[Words] = Field(default_factory=list)
    fuzzy: float = Field(default=0.0, ge=0, le=100)
    phonetic: int = Field(default=3, ge=0)  # homophone match for phrases of >= N Han chars; 0 = off

    def groups(self) -> list[Words]:
        own = [self] if (self.phrases or self.patterns) else []
        return own + list(self.all_of)

    def heard(self) -> list[tuple[Words, int]]:
        return [*super().heard(), *((g, self.phonetic) for g in self.groups() if self.phonetic)]


def edit_budget(length: int) -> int:
    """Edits a paraphrase may differ by: short phrases must be exact."""
    return 0 if length <= 4 else 1 if length <= 8 else 2


@lru_cache(maxsize=4096)
def phrase_tokens(text: str) -> frozenset[str]:
    return frozenset(tokenizer().lcut(text))


@dataclass
class Candidate:
    """The closest thing said to a wanted phrase."""

    phrase: str
    seg: int
    span: tuple[int, int]  # folded-view offsets
    score: float  # 0..100
    accepted: bool


def best_substring(phrase: str, text: str, budget: int) -> tuple[int, tuple[int, int]] | None:
    """Smallest edit distance (<= ``budget``) between ``phrase`` and any substring of ``text``."""
    n = len(phrase)
    best: tuple[int, tuple[int, int]] | None = None
    for width in range(max(1, n - budget), n + budget + 1):
        for start in range(len(text) - width + 1):
            d = Levenshtein.distance(phrase, text[start:start + width], score_cutoff=budget)
            if d <= budget and (best is None or d < best[0]):
                best = (d, (start, start + width))
                if d == 0:
                    return best
    return best


@dataclass(frozen=True)
class _Form:
    """One looked-for form of a wanted phrase, with what ``closest`` needs of it precomputed."""

    phrase: str  # as written in the rulebook
    text: str  # folded (or clean) form
    budget: int  # edit_budget(len(text))
    near: float  # the least partial_ratio at which a paraphrase within the budget is possible
    cutoff: float  # below this partial_ratio, the form can neither be accepted nor reported


@lru_cache(maxsize=1024)
def _forms(normalizer: Normalizer, phrases: tuple[str, ...]) -> tuple[_Form, ...]:
    """The forms of a group's phrases: the same for every call, so made once per group."""
    out = []
    for p in phrases:
        for f in normalizer.phrase_forms(p):
            budget = edit_budget(len(f))
            # partial_ratio can't be far below a match (an empty form, all punctuation, matches nothing)
            near = 100 * (1 - 2 * budget / len(f)) - 1 if f else 100.0
            cutoff = min(CLOSEST_MIN, TOKENS_MIN, near if budget else 100.0)
            out.append(_Form(p, f, budget, near, cutoff))
    return tuple(out)


def closest(ctx: CallContext, group: Words, segs: list[int], threshold: float) -> Candidate | None:
    """The best candidate by (accepted, score), the first one of equals; None when no candidate
    is accepted or similar enough to report (``CLOSEST_MIN``).

    A pair whose partial_ratio is below the form's ``cutoff`` is skipped after a first, cut-off
    alignment: it cannot be accepted (the edit and the token checks both need more) and scores
    below ``CLOSEST_MIN``, so it neither beats a candidate that is reported nor changes what is
    reported when nothing better is found (a bare "missing"). Most pairs are such, and rapidfuzz
    gives up on them early (counting shared characters first was measured: no faster); the others
    are aligned again without a cut-off, exactly as before."""
    best: Candidate | None = None
    forms = _forms(ctx.lexicon.normalizer, group.ws.phrases)
    for seg in segs:
        text = ctx.norms[seg].text
        if not text:
            continue
        for form in forms:
            f = form.text
            if fuzz.partial_ratio_alignment(f, text, score_cutoff=form.cutoff) is None:
                continue
            al = fuzz.partial_ratio_alignment(f, text)
            span = (al.dest_start, al.dest_end) if len(f) <= len(text) else (0, len(text))
            score = al.score if len(f) <= len(text) else al.score * len(text) / len(f)
            ok = False
            budget = form.budget
            if threshold > 0 and budget and al.score >= form.near and (found := best_substring(f, text, budget)):
                d, where = found  # edits anywhere in the turn, wherever the paraphrase sits
                similarity = 100 * (1 - d / len(f))
                if similarity >= threshold:
                    ok, score, span = True, max(score, similarity), where
            # token level (jieba) only for a phrase of several words that is at least half there
            ptoks = phrase_tokens(f) if threshold > 0 and len(f) >= MIN_TOKENS * 2 and al.score >= TOKENS_MIN else ()
            # a jieba word of the turn is a piece of its text: the words of the phrase found in the
            # text bound the share, and segmenting the turn is skipped when they cannot raise the score
            if len(ptoks) >= MIN_TOKENS and 100 * sum(t in text for t in ptoks) / len(ptoks) > score:
                share = 100 * len(ptoks & ctx.tokens(seg)) / len(ptoks)
                if share > score:
                    score, span = share, (0, len(text))
                    ok = ok or share >= threshold > 0
            if best is None or (ok, score) > (best.accepted, best.score):
                best = Candidate(form.phrase, seg, span, score, ok)
    return best if best is not None and (best.accepted or best.score >= CLOSEST_MIN) else None


def sound_threshold(ws: WordSet, phonetic: int) -> int:
    """The homophone threshold that finds what ``phonetic`` finds for ``ws``, asking for as little.

    A threshold at or below the shortest wording's Han characters filters none of its homophones
    out, and wordings of 3+ characters count wherever they are heard (``phonetic.MIN_HAN``). When
    every wording of ``ws`` is longer than ``SHORT_SOUND``, its keys are all in the automaton of
    longer keys (a key spells one code per character, a sound code exactly for a Han character, so
    wordings sharing a key have as many Han characters), and raising the threshold to the shortest
    wording spares the call a scan for the two-character homophones of other rules (再见 ≈ 在见)."""
    shortest = min((n for n, _ in ws.sounds), default=0)
    return max(phonetic, shortest) if shortest > SHORT_SOUND else phonetic


def evaluate(rule: RequiredRule, ctx: CallContext) -> Outcome:
    segs = ctx.window_segments(rule.stage, rule.window)
    if not segs:
        return Outcome("n/a")
    notes = []
    for group in rule.groups():
        if ctx.said_few(segs, group.ws, FEW_SEGMENTS):
            continue
        if rule.phonetic:
            min_han = sound_threshold(group.ws, rule.phonetic)
            if any(ctx.sounds_like(i, group.ws, min_han) for i in segs):
                continue
        cand = closest(ctx, group, segs, rule.fuzzy)
        if cand is not None and cand.accepted:
            continue
        want = group.phrases[0] if group.phrases else group.patterns[0]
        if cand is not None and cand.score >= CLOSEST_MIN:
            said = ctx.norms[cand.seg].original_words(*cand.span)
            notes.append(note("missing_closest", want=want, best=said, score=f"{cand.score / 100:.2f}"))
        else:
            notes.append(note("missing", want=want))
    if not notes:
        return Outcome("pass")
    return Outcome("fail", [hit(ctx, segs[-1] if rule.stage == "closing" else segs[0], notes=notes)])
