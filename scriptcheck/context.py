"""Per-call working state: normalized segments, turns, stages, holds and phrase hits.

Built once per call by the engine; matchers read it and never change it. Each segment is
normalized and scanned by the lexicon's automaton exactly once, here.
"""

from __future__ import annotations

import bisect
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import NamedTuple

import numpy as np

from . import phonetic
from .lexicon import SHORT_SOUND, Lexicon, Span, WordSet
from .model import Call
from .normalize import Clean, FoldedCall
from .rulebook.schema import Settings, StageSettings, Window
from .scan import Bytes, Row, Scanned, locate, scan_calls
from .segmenter import tokenizer


class Turn(NamedTuple):
    """A run of consecutive segments by one speaker (a named tuple: a call has dozens, made per call)."""

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
    norms: FoldedCall = field(init=False)  # folded view, per utterance
    _cleans: dict[int, Clean | None] = field(init=False, default_factory=dict)  # see ``clean_view``
    _clean_lines: list[int] | None = field(init=False, default=None)
    _starts: list[int] = field(init=False)  # where each utterance starts in the joined folded text
    _lens: list[int] = field(init=False)  # and its length
    _literal: dict[int, dict[int, list[Span]]] = field(init=False)  # ws id → segment → spans
    _regex_cache: dict[tuple[int, int], list[Span]] = field(init=False, default_factory=dict)
    _regex_segs: dict[int, set[int]] = field(init=False, default_factory=dict)
    _utf8: tuple[Bytes, ...] = field(init=False)  # the views the patterns run on (``scan.Scanned.utf8``)
    _regex_ids: set[int] = field(init=False)  # word sets with a pattern that matches somewhere in the call
    _joined: str = field(init=False)
    _clean: Clean | None = field(init=False)
    _sound_hits: dict[bool, dict[int, dict[int, list[tuple[int, int, int]]]]] = field(init=False, default_factory=dict)
    _sound_key: np.ndarray = field(init=False)  # fuzzy-pinyin codes of the clean view
    _long_sounds: list[Row] = field(init=False)  # homophone rows of the longer wordings (scanned)
    scanned: InitVar[Scanned | None] = None
    _overlaps: dict[float, list[tuple[int, int, float]]] = field(init=False, default_factory=dict)
    _words_cache: dict[int, tuple[frozenset[str], frozenset[int]]] = field(init=False, default_factory=dict)
    _windows: dict[tuple[str, int, str], list[int]] = field(init=False, default_factory=dict)
    _window_sets: dict[tuple[str, int, str], frozenset[int]] = field(init=False, default_factory=dict)
    _where: dict[int, set[int]] = field(init=False, default_factory=dict)

    def __post_init__(self, scanned: Scanned | None) -> None:
        """The call's views and hits (``scan.scan_calls``: this call alone, unless a batch scanned
        it with others), indexed by word set."""
        if scanned is None:
            scanned = scan_calls(self.lexicon, [[s.text for s in self.call.segments]])[0]
        self.norms = folded = scanned.norms
        self._starts, self._lens, self._joined = folded.starts, folded.lens, folded.text
        self._clean = scanned.clean
        self._sound_key = scanned.sound_key
        self._long_sounds = scanned.sound_rows
        self._literal = literal = {}
        owners = self.lexicon.owner_table
        for pattern, seg, a, b in scanned.rows:  # (a wording seen in both views is there once: ``scan``)
            for ws_id in owners[pattern]:  # (no ``setdefault``: it would make a dict and a list per row)
                by_seg = literal.get(ws_id)
                if by_seg is None:
                    literal[ws_id] = {seg: [(a, b)]}
                elif (spans := by_seg.get(seg)) is None:
                    by_seg[seg] = [(a, b)]
                elif (a, b) not in spans:
                    spans.append((a, b))
        self._utf8 = scanned.utf8
        self._regex_ids = set()
        for view in self._utf8:
            self._regex_ids |= self.lexicon.regex_candidates(view.data)

    # --- the joined call ------------------------------------------------------------------
    def clean_view(self, seg: int) -> Clean | None:
        """The clean view of one utterance, cut out of the clean view of the joined call when first
        asked for; None when it reads the same as the folded view."""
        if seg not in self._cleans:
            joined = self._clean
            if joined is None:
                self._cleans[seg] = None
            else:
                if self._clean_lines is None:
                    self._clean_lines = [0, *(np.flatnonzero(joined.cps == 10) + 1).tolist(), len(joined.text) + 1]
                lo, hi = self._clean_lines[seg], self._clean_lines[seg + 1] - 1
                start, length = self._starts[seg], self._lens[seg]
                if hi - lo == length and joined.text.startswith(self._joined[start:start + length], lo):
                    self._cleans[seg] = None  # nothing dropped or read differently here
                else:
                    self._cleans[seg] = Clean(joined.text[lo:hi], joined.back, lo, start)
        return self._cleans[seg]

    def segments_with(self, ws: WordSet, sounds: int = 0) -> set[int]:
        """Segments where ``ws`` may occur (literal hit, pattern match, or — with ``sounds`` = N > 0 —
        a homophone of a wording of at least N Han characters): matchers look only there instead of
        at every utterance."""
        literal = self._literal.get(ws.id)
        out = set(literal) if literal else set()
        if ws.regex is not None and ws.id in self._regex_ids:
            out |= self._regex_candidate_segments(ws)
        if sounds:
            out |= self.heard_in(ws, sounds)
        return out

    def heard_in(self, ws: WordSet, min_han: int) -> set[int]:
        """Segments with a homophone of a wording of ``ws`` of at least ``min_han`` Han characters:
        the only ones where ``sound_spans(seg, ws, min_han)`` can find any."""
        out: set[int] = set()
        if ws.max_sound_han >= min_han:
            for short in self._sound_kinds(min_han):
                heard = self._sounds(short).get(ws.id)
                if heard:
                    out.update(seg for seg, found in heard.items() if any(n >= min_han for n, _, _ in found))
        return out

    def where(self, ws: WordSet) -> set[int]:
        """``segments_with(ws)``, remembered for the call: for the word sets that every phrase rule
        asks about in each utterance it looks at (the guards), so that ``spans`` is asked only there."""
        found = self._where.get(ws.id)
        if found is None:
            found = self._where[ws.id] = self.segments_with(ws)
        return found

    def _regex_candidate_segments(self, ws: WordSet) -> set[int]:
        """Utterances touched by a match of ``ws``'s patterns on the joined views (UTF-8; a byte's
        line is the number of newlines before it). Lossless: a match inside an utterance either is
        found there or is hidden by a match that overlaps it."""
        if ws.id not in self._regex_segs:
            segs: set[int] = set()
            for view in self._utf8:
                lines = view.lines
                for a, b in self.lexicon.regex_byte_spans(ws, view.data):
                    touched = range(bisect.bisect_left(lines, a), bisect.bisect_left(lines, b - 1) + 1)
                    segs.update(touched if view.utterances is None else (view.utterances[i] for i in touched))
            self._regex_segs[ws.id] = segs
        return self._regex_segs[ws.id]

    def _sounds(self, short: bool) -> dict[int, dict[int, list[tuple[int, int, int]]]]:
        """Homophone hits of every word set, from one pinyin pass over the joined clean view: of the
        wordings of more than ``SHORT_SOUND`` Han characters, or (``short``) of the others.

        A homophone on the very characters of a wording of the same set said there is left out:
        it is that wording, heard (a big word list hears most of its hits so). Every reader asks
        whether the set is said before asking whether it is heard, or drops what is heard over
        what is said, so leaving it out changes no outcome (``tests/test_rule_fastpaths.py``)."""
        if short not in self._sound_hits:
            hits: dict[int, dict[int, list[tuple[int, int, int]]]] = {}
            owners = self.lexicon.sound_owner_table(short)
            literal = self._literal
            rows = self._long_sounds if not short else locate(
                self.lexicon.sound_matches(self._sound_key, short), self.norms, self._clean)
            for pattern, seg, a, b in dict.fromkeys(rows):
                for ws_id, n in owners[pattern]:
                    said = literal.get(ws_id)
                    if said is not None and (a, b) in said.get(seg, ()):
                        continue
                    by_seg = hits.get(ws_id)
                    if by_seg is None:
                        hits[ws_id] = {seg: [(n, a, b)]}
                    elif (spans := by_seg.get(seg)) is None:
                        by_seg[seg] = [(n, a, b)]
                    elif (n, a, b) not in spans:
                        spans.append((n, a, b))
            self._sound_hits[short] = hits
        return self._sound_hits[short]

    def _sound_kinds(self, min_han: int) -> tuple[bool, ...]:
        return (False, True) if min_han <= SHORT_SOUND else (False,)

    # --- phrase look-up -------------------------------------------------------------------
    def spans(self, seg: int, ws: WordSet) -> list[Span]:
        """Spans (folded-view offsets) in segment ``seg`` where any wording of ``ws`` occurs."""
        literal = self._literal.get(ws.id)
        out = literal.get(seg, []) if literal is not None else []
        if ws.regex is not None and ws.id in self._regex_ids and seg in self._regex_candidate_segments(ws):
            key = (seg, ws.id)
            if key not in self._regex_cache:
                self._regex_cache[key] = self._segment_regex(seg, ws)
            return sorted({*out, *self._regex_cache[key]})
        return sorted(out)  # (literal spans are kept without repeats)

    def _segment_regex(self, seg: int, ws: WordSet) -> list[Span]:
        spans = set(self.lexicon.regex_spans(ws, self.norms[seg].text))
        clean = self.clean_view(seg)
        if clean is not None and clean.text:
            spans |= {clean.span(a, b) for a, b in self.lexicon.regex_spans(ws, clean.text)}
        return sorted(spans)

    def _segment_words(self, seg: int) -> tuple[frozenset[str], frozenset[int]]:
        """jieba words of the folded view and the offsets where a word starts or ends (on demand)."""
        if seg not in self._words_cache:
            words, bounds = set(), {0}
            for word, start, end in tokenizer().tokenize(self.norms[seg].text):
                words.add(word)
                bounds.update((start, end))
            self._words_cache[seg] = (frozenset(words), frozenset(bounds))
        return self._words_cache[seg]

    def word_bounds(self, seg: int) -> frozenset[int]:
        return self._segment_words(seg)[1]

    def tokens(self, seg: int) -> frozenset[str]:
        return self._segment_words(seg)[0]

    def said(self, seg: int, ws: WordSet) -> bool:
        """Is any wording of ``ws`` in segment ``seg``? (index look-ups; patterns verified only there)"""
        literal = self._literal.get(ws.id)
        if literal is not None and seg in literal:
            return True
        if ws.regex is None or ws.id not in self._regex_ids or seg not in self._regex_candidate_segments(ws):
            return False
        return bool(self.spans(seg, ws))

    def said_any(self, segs: list[int] | tuple[int, ...], ws: WordSet) -> bool:
        """Is any wording of ``ws`` in any of ``segs``? Literal hits first: the patterns (a pass over
        the whole call) only when no literal wording was said there."""
        literal = self._literal.get(ws.id)
        if literal is not None and any(i in literal for i in segs):
            return True
        if ws.regex is None or ws.id not in self._regex_ids:
            return False
        return any(self.said(i, ws) for i in segs)

    def sounds_like(self, seg: int, ws: WordSet, min_han: int = phonetic.MIN_HAN) -> bool:
        """Homophone match (fuzzy pinyin) of any phrase of ``ws``: weaker evidence than ``said``."""
        return bool(self.sound_spans(seg, ws, min_han))

    def sound_spans(self, seg: int, ws: WordSet, min_han: int = phonetic.MIN_HAN) -> list[Span]:
        """Folded-view spans whose fuzzy pinyin equals a phrase of ``ws`` (one syllable per character)."""
        if ws.max_sound_han < min_han:
            return []
        found = [x for short in self._sound_kinds(min_han) for x in self._sounds(short).get(ws.id, {}).get(seg, ())
                 if x[0] >= min_han]
        if not found:  # (most utterances a rule looks at have no homophone of it)
            return []
        out = []
        for n, a, b in found:
            if n < phonetic.MIN_HAN:
                # (a, b) are folded offsets; two syllables match too much mid-sentence (在检修 ≈
                # 再见): a two-character homophone counts only at the end of the turn
                clean = self.clean_view(seg)
                view = clean.text if clean else self.norms[seg].text
                end = b if clean is None else clean.index_after(b)
                if view[end:].strip(phonetic.TRAILING_PARTICLES):
                    continue
            out.append((a, b))
        return sorted(set(out))

    # --- structure ------------------------------------------------------------------------
    @cached_property
    def timed(self) -> bool:
        """``call.timed`` (every segment has a start and an end), computed once per call."""
        starts, ends = self.times
        return bool(starts) and None not in starts and None not in ends

    @cached_property
    def times(self) -> tuple[list[float], list[float]]:
        """Start and end of every segment as two lists: read by holds, overlaps and metrics without
        going through the segment objects each time (floats when ``timed``)."""
        segs = self.call.segments
        return [s.start for s in segs], [s.end for s in segs]  # type: ignore[misc]

    @cached_property
    def turns(self) -> list[Turn]:
        spk = [s.speaker for s in self.call.segments]
        cuts = [0, *(i for i in range(1, len(spk)) if spk[i] != spk[i - 1]), len(spk)]
        make = tuple.__new__  # a NamedTuple's own constructor is a Python function: 2x slower
        return [make(Turn, (spk[a], (a,) if b - a == 1 else tuple(range(a, b)))) for a, b in pairwise(cuts) if b > a]

    def overlaps(self, min_seconds: float) -> list[tuple[int, int, float]]:
        """Agent-initiated overlaps (``matchers.timing.overlaps``), computed once per threshold: the
        interruption rule and the call's metrics both ask."""
        if min_seconds not in self._overlaps:
            from .matchers.timing import overlaps

            self._overlaps[min_seconds] = overlaps(self, min_seconds)
        return self._overlaps[min_seconds]

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
            s.speaker == "customer" and n for s, n in zip(self.call.segments, self._lens, strict=True)
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
        """Segments a rule looks at: its stage, narrowed by every field of its window, by ``speaker``
        (computed once per distinct window in a call: most rules share a handful)."""
        key = (stage, id(window), speaker)
        if key not in self._windows:
            self._windows[key] = self._window_segments(stage, window, speaker)
        return self._windows[key]

    def window_set(self, stage: str, window: Window | None, speaker: str = "agent") -> frozenset[int]:
        key = (stage, id(window), speaker)
        if key not in self._window_sets:
            self._window_sets[key] = frozenset(self.window_segments(stage, window, speaker))
        return self._window_sets[key]

    def _window_segments(self, stage: str, window: Window | None, speaker: str) -> list[int]:
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
            if (window.first_seconds or window.last_seconds) and not self.timed:
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
        if self.timed:
            t0, t1 = min(s.start for s in segs), max(s.end for s in segs)
            span = max(t1 - t0, 1e-9)
            return [i for i, s in enumerate(segs) if a <= (s.start - t0) / span < b or (b == 1 and s.start >= t1)]
        n = len(segs)
        return [i for i in range(n) if a <= i / n < b]

    def said_few(self, segs: list[int] | tuple[int, ...], ws: WordSet, few: int) -> bool:
        """``said_any`` for a rule window of at most ``few`` utterances (a greeting, a closing, the
        turns around a hold): unless the call's pattern pass for ``ws`` was already made, the
        patterns run on those utterances only (``spans_at``), not over both views of the call."""
        literal = self._literal.get(ws.id)
        if literal is not None and any(i in literal for i in segs):
            return True
        if ws.regex is None or ws.id not in self._regex_ids:
            return False
        if ws.id in self._regex_segs or len(segs) > few:
            return any(self.said(i, ws) for i in segs)
        return any(self.spans_at(i, ws) for i in segs)

    def spans_at(self, seg: int, ws: WordSet) -> list[Span]:
        """``spans`` of one utterance without the pass over the whole call that says where the
        patterns can match: cheaper when only an utterance or two is asked about. Same spans (the
        pass only narrows where to look), kept where ``spans`` looks for them."""
        if ws.regex is None or ws.id not in self._regex_ids or ws.id in self._regex_segs:
            return self.spans(seg, ws)
        key = (seg, ws.id)
        if key not in self._regex_cache:
            self._regex_cache[key] = self._segment_regex(seg, ws)
        return sorted({*self._literal.get(ws.id, {}).get(seg, ()), *self._regex_cache[key]})
