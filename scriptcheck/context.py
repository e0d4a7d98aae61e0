"""Per-call working state: normalized segments, turns, stages, holds and phrase hits.

Built once per call by the engine; matchers read it and never change it. Each segment is
normalized and scanned by the lexicon's automaton exactly once, here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from . import phonetic
from .lexicon import Lexicon, Span, WordSet
from .model import Call
from .normalize import Clean, Normalized
from .rulebook.schema import Settings, StageSettings, Window


@dataclass(frozen=True)
class Turn:
    """A run of consecutive segments by one speaker."""

    speaker: str
    segments: tuple[int, ...]


@dataclass(frozen=True)
class Hold:
    """A wait the agent caused: between segment ``before`` and segment ``after``."""

    before: int
    after: int
    gap: float | None  # seconds; None for an announced wait in an untimed transcript


@dataclass
class CallContext:
    call: Call
    lexicon: Lexicon
    stage_settings: StageSettings
    settings: Settings
    norms: list[Normalized] = field(init=False)  # folded view
    cleans: list[Clean | None] = field(init=False)  # clean view (fillers, stutters, digits), None if same
    _literal: list[dict[int, list[Span]]] = field(init=False)
    _regex_cache: dict[tuple[int, int], list[Span]] = field(init=False, default_factory=dict)
    _sound_cache: dict[int, dict[int, list[tuple[int, int, int]]]] = field(init=False, default_factory=dict)
    _regex_ids: dict[int, set[int]] = field(init=False, default_factory=dict)
    _index: dict[int, set[int]] | None = field(init=False, default=None)
    _sound_index: dict[int, set[int]] | None = field(init=False, default=None)
    _words_cache: dict[int, tuple[frozenset[str], frozenset[int]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        nz = self.lexicon.normalizer
        self.norms = [nz.fold(s.text) for s in self.call.segments]
        self.cleans = [nz.clean(n.text) for n in self.norms]
        self._literal = [self._both_views(i, self.lexicon.scan) for i in range(len(self.norms))]

    def _both_views(self, seg: int, find):
        """Run ``find`` on the folded and the clean view; clean-view spans are mapped to folded offsets."""
        folded = find(self.norms[seg].text)
        clean = self.cleans[seg]
        if clean is None or not clean.text:
            return folded
        more = find(clean.text)
        if isinstance(folded, dict):
            for k, spans in more.items():
                folded[k] = sorted(set(folded.get(k, [])) | {clean.span(a, b) for a, b in spans})
            return folded
        return sorted(set(folded) | {clean.span(a, b) for a, b in more})

    def segments_with(self, ws: WordSet, sounds: bool = False) -> set[int]:
        """Segments where ``ws`` may occur (literal hit, pattern candidate, or — with ``sounds`` —
        a homophone): matchers look only there instead of at every utterance."""
        if self._index is None:
            index: dict[int, set[int]] = {}
            for seg, found in enumerate(self._literal):
                for ws_id in found:
                    index.setdefault(ws_id, set()).add(seg)
            for seg in range(len(self.norms)):
                for ws_id in self._regex_candidates(seg):
                    index.setdefault(ws_id, set()).add(seg)
            self._index = index
        out = self._index.get(ws.id, set())
        if sounds and ws.sounds:
            if self._sound_index is None:
                sidx: dict[int, set[int]] = {}
                for seg in range(len(self.norms)):
                    for ws_id in self._sounds(seg):
                        sidx.setdefault(ws_id, set()).add(seg)
                self._sound_index = sidx
            out = out | self._sound_index.get(ws.id, set())
        return out

    def _sounds(self, seg: int) -> dict[int, list[tuple[int, int, int]]]:
        if seg not in self._sound_cache:  # the utterance's pinyin, scanned once for every rule
            clean = self.cleans[seg]
            view = clean.text if clean else self.norms[seg].text
            self._sound_cache[seg] = self.lexicon.scan_sounds(phonetic.key(view))
        return self._sound_cache[seg]

    def _regex_candidates(self, seg: int) -> set[int]:
        """Word sets whose patterns match this utterance (one RE2-set pass per view, cached)."""
        if seg not in self._regex_ids:
            clean = self.cleans[seg]
            ids = self.lexicon.regex_candidates(self.norms[seg].text)
            if clean is not None:
                ids |= self.lexicon.regex_candidates(clean.text)
            self._regex_ids[seg] = ids
        return self._regex_ids[seg]

    # --- phrase look-up -------------------------------------------------------------------
    def spans(self, seg: int, ws: WordSet) -> list[Span]:
        """Spans (folded-view offsets) in segment ``seg`` where any wording of ``ws`` occurs."""
        out = list(self._literal[seg].get(ws.id, ()))
        if ws.regex is not None and ws.id in self._regex_candidates(seg):
            key = (seg, ws.id)
            if key not in self._regex_cache:
                self._regex_cache[key] = self._both_views(seg, lambda t: self.lexicon.regex_spans(ws, t))
            out.extend(self._regex_cache[key])
        return sorted(set(out))

    def _segment_words(self, seg: int) -> tuple[frozenset[str], frozenset[int]]:
        """jieba words of the folded view and the offsets where a word starts or ends (on demand)."""
        if seg not in self._words_cache:
            import jieba

            jieba.setLogLevel(60)
            words, bounds = set(), {0}
            for word, start, end in jieba.tokenize(self.norms[seg].text):
                words.add(word)
                bounds.update((start, end))
            self._words_cache[seg] = (frozenset(words), frozenset(bounds))
        return self._words_cache[seg]

    def word_bounds(self, seg: int) -> frozenset[int]:
        return self._segment_words(seg)[1]

    def tokens(self, seg: int) -> frozenset[str]:
        return self._segment_words(seg)[0]

    def said(self, seg: int, ws: WordSet) -> bool:
        return bool(ws) and bool(self.spans(seg, ws))

    def sounds_like(self, seg: int, ws: WordSet, min_han: int = phonetic.MIN_HAN) -> bool:
        """Homophone match (fuzzy pinyin) of any phrase of ``ws``: weaker evidence than ``said``."""
        return bool(self.sound_spans(seg, ws, min_han))

    def sound_spans(self, seg: int, ws: WordSet, min_han: int = phonetic.MIN_HAN) -> list[Span]:
        """Folded-view spans whose fuzzy pinyin equals a phrase of ``ws`` (one syllable per character)."""
        if ws.max_sound_han < min_han:
            return []
        clean = self.cleans[seg]
        view = clean.text if clean else self.norms[seg].text
        out = []
        for n, a, b in self._sounds(seg).get(ws.id, ()):
            # two syllables match too much mid-sentence (在检修 ≈ 再见): only at the end of the turn
            if n >= min_han and (n >= phonetic.MIN_HAN or not view[b:].strip(phonetic.TRAILING_PARTICLES)):
                out.append(clean.span(a, b) if clean else (a, b))
        return sorted(set(out))

    # --- structure ------------------------------------------------------------------------
    @cached_property
    def turns(self) -> list[Turn]:
        out: list[Turn] = []
        for i, s in enumerate(self.call.segments):
            if out and out[-1].speaker == s.speaker:
                out[-1] = Turn(s.speaker, (*out[-1].segments, i))
            else:
                out.append(Turn(s.speaker, (i,)))
        return out

    @cached_property
    def agent_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.speaker == "agent"]

    def speaker_of(self, seg: int) -> str:
        return self.call.segments[seg].speaker

    @cached_property
    def greeting_segments(self) -> tuple[int, ...]:
        if not self.agent_turns:
            return ()
        return self.agent_turns[0].segments[: self.stage_settings.greeting_agent_segments]

    @cached_property
    def has_closing(self) -> bool:
        """A call that ends right after the greeting (or where the customer never spoke) has none."""
        customer_spoke = any(
            s.speaker == "customer" and n.text for s, n in zip(self.call.segments, self.norms, strict=True)
        )
        return customer_spoke and len(self.agent_turns) > 1

    def closing_turns(self, n: int) -> list[Turn]:
        if not self.has_closing:
            return []
        return self.agent_turns[1:][-n:]

    @cached_property
    def closing_segments(self) -> tuple[int, ...]:
        turns = self.closing_turns(self.stage_settings.closing_agent_turns)
        if not turns:
            return ()
        return tuple(range(turns[0].segments[0], len(self.call.segments)))

    @cached_property
    def holds(self) -> list[Hold]:
        from .stages import find_holds

        return find_holds(self)

    @cached_property
    def stages(self) -> list[str]:
        from .stages import assign_stages

        return assign_stages(self)

    def window_segments(self, stage: str, window: Window | None, speaker: str = "agent") -> list[int]:
        """Segments a rule looks at: its stage, narrowed by every field of its window, by ``speaker``."""
        segs = self.call.segments
        n = len(segs)
        if window and window.first_agent_turns:
            keep = {i for t in self.agent_turns[: window.first_agent_turns] for i in t.segments}
        elif window and window.last_agent_turns:
            keep = {i for t in self.closing_turns(window.last_agent_turns) for i in t.segments}
        elif stage == "greeting":
            keep = set(self.greeting_segments)
        elif stage == "closing":
            keep = set(self.closing_segments)
        else:
            keep = {i for i, st in enumerate(self.stages) if stage in ("any", st)}
        if window:
            if window.first_turns:
                keep &= {i for t in self.turns[: window.first_turns] for i in t.segments}
            if window.last_turns:
                keep &= {i for t in self.turns[-window.last_turns:] for i in t.segments}
            if (window.first_seconds or window.last_seconds) and not self.call.timed:
                return []  # a time window cannot be judged without timestamps
            if window.first_seconds:
                t0 = min(s.start for s in segs)
                keep &= {i for i in range(n) if segs[i].start < t0 + window.first_seconds}
            if window.last_seconds:
                t1 = max(s.end for s in segs)
                keep &= {i for i in range(n) if segs[i].end > t1 - window.last_seconds}
            if window.position:
                keep &= set(self._in_position(*window.position))
        return [i for i in sorted(keep) if speaker in ("any", segs[i].speaker)]

    def _in_position(self, a: float, b: float) -> list[int]:
        """Segments whose start lies in the [a, b) share of the call (by time, else by index)."""
        segs = self.call.segments
        if self.call.timed:
            t0, t1 = min(s.start for s in segs), max(s.end for s in segs)
            span = max(t1 - t0, 1e-9)
            return [i for i, s in enumerate(segs) if a <= (s.start - t0) / span < b or (b == 1 and s.start >= t1)]
        n = len(segs)
        return [i for i in range(n) if a <= i / n < b]
