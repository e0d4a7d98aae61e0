"""All wordings of a rulebook compiled once into one Aho-Corasick automaton plus RE2 patterns.

Every turn is scanned once for every literal phrase of every rule (cost grows with the text, not
with the number of phrases); a rule's regex patterns run only when that rule asks about a turn.
Patterns are RE2, so a rulebook regex cannot backtrack catastrophically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate, chain

import ahocorasick_rs
import numpy as np
import re2

from . import phonetic
from .charmap import text_of
from .normalize import DEFAULT, Normalizer

Span = tuple[int, int]  # half-open, in normalized text

MAX_PATTERN_LEN = 2000
SHORT_SOUND = 2  # wordings of this many Han characters or fewer have their keys in an automaton apart
# a DFA scans fastest on a rulebook's own few hundred wordings; a big word list (50k) builds ~17x
# faster as a contiguous NFA and scans faster too (measured: 0.10 s / 75 µs a call vs 1.8 s / 136 µs)
DFA_MAX_WORDS = 5000
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 8 << 20
# A word set's compiled alternation is asked only where it matches, never for groups: with every
# parenthesis non-capturing, RE2 finds a match's bounds without tracking submatches, and the Python
# wrapper converts two offsets per match instead of two per group (a quarter less time on a call).
# The matches themselves are the same: capturing never changes what a pattern matches.
_SPAN_OPTIONS = re2.Options()
_SPAN_OPTIONS.max_mem = _RE2_OPTIONS.max_mem
_SPAN_OPTIONS.never_capture = True


@dataclass(eq=False)
class WordSet:
    """A set of wordings (literal phrases and RE2 patterns); compiled into a ``Lexicon``."""

    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    id: int = -1
    regex: object | None = field(default=None, repr=False)
    regex_joined: object | None = field(default=None, repr=False)  # (?m): ^/$ at every utterance; on UTF-8
    sounds: tuple[tuple[int, str], ...] = field(default=(), repr=False)  # (Han chars, fuzzy-pinyin key)
    max_sound_han: int = 0

    def __bool__(self) -> bool:
        return bool(self.phrases or self.patterns)


class Scanner:
    """An Aho-Corasick automaton (Rust ``aho-corasick``) over UTF-16 code units: a call's code
    points are already an array, so the haystack is one ``astype`` away, and offsets need no
    conversion from UTF-8 bytes. Every match is reported (overlapping), with its wording's index."""

    def __init__(self, words: list[str]) -> None:
        kinds = ahocorasick_rs.Implementation
        impl = kinds.DFA if len(words) <= DFA_MAX_WORDS else kinds.ContiguousNFA
        joined = "".join(words)
        data = joined.encode("utf-16-le", "surrogatepass")
        self.utf16 = len(data) == 2 * len(joined)  # every character in the BMP (one code unit each)
        if self.utf16:  # each wording's code units cut out of the whole list's, not encoded one by one
            ends = list(accumulate(2 * len(w) for w in words))
            units = [data[a:b] for a, b in zip([0, *ends], ends, strict=False)]
            self.automaton = ahocorasick_rs.BytesAhoCorasick(units, implementation=impl)
        else:  # a wording beyond the BMP (rare): str matching
            self.text_automaton = ahocorasick_rs.AhoCorasick(words, implementation=impl)

    def scan(self, cps: np.ndarray) -> np.ndarray | None:
        if not len(cps):
            return None
        if self.utf16:
            if cps.max() >= 0x10000:  # no wording has such a character: one that never matches stands in
                cps = np.where(cps < 0x10000, cps, 0xFFFF)
            found = self.automaton.find_matches_as_indexes(cps.astype(np.uint16).tobytes(), overlapping=True)
        else:
            found = self.text_automaton.find_matches_as_indexes(text_of(cps), overlapping=True)
        if not found:
            return None
        rows = np.fromiter(chain.from_iterable(found), dtype=np.intp, count=3 * len(found)).reshape(-1, 3)
        if self.utf16:
            rows = rows[rows[:, 1] % 2 == 0]  # a match must start on a code unit, not inside one
            rows[:, 1:] //= 2
        return rows if len(rows) else None


def _own_sounds(words: dict[str, list[int]], keys: dict[str, list[tuple[int, int]]]) -> np.ndarray:
    """``Lexicon.own_sound``: of each wording (with its word sets), the number of its own key in
    ``keys`` (key → word sets hearing it) when all of those sets own the wording, else -1."""
    number = {k: i for i, k in enumerate(keys)}
    out = np.full(len(words), -1, dtype=np.intp)
    for p, (w, ids) in enumerate(words.items()):
        k = phonetic.key(w)
        i = number.get(k)
        if i is not None and all(ws in ids for ws, _ in keys[k]):
            out[p] = i
    return out


class PatternError(ValueError):
    pass


def compile_pattern(patterns: tuple[str, ...], multiline: bool = False, utf8: bool = False) -> object | None:
    """One RE2 alternation per word set; raises ``PatternError`` naming the bad pattern. ``utf8``:
    compiled to search UTF-8 bytes (offsets in bytes; the wrapper converts none)."""
    if not patterns:
        return None
    for p in patterns:
        if len(p) > MAX_PATTERN_LEN:
            raise PatternError(f"pattern longer than {MAX_PATTERN_LEN} characters")
        try:
            re2.compile(p, _RE2_OPTIONS)
        except re2.error as e:
            raise PatternError(f"invalid RE2 pattern {p!r}: {e}") from e
    flags = "(?m)" if multiline else ""
    pattern = flags + "|".join(f"(?:{p})" for p in patterns)
    return re2.compile(pattern.encode() if utf8 else pattern, _SPAN_OPTIONS)


class Lexicon:
    """Registry of the word sets of one compiled rulebook (built once, read-only afterwards)."""

    def __init__(self, normalizer: Normalizer = DEFAULT) -> None:
        self.normalizer = normalizer
        self._sets: list[WordSet] = []
        self._words: dict[str, list[int]] = {}
        self._owners: list[tuple[int, ...]] = []  # automaton pattern index → word-set ids
        # every pattern of every word set in one RE2 set: one pass says which word sets can match
        self._regex_set = re2.Set.SearchSet(_RE2_OPTIONS)
        self._regex_owner: list[int] = []
        # fuzzy-pinyin keys of every phrase in a second automaton: one pass per call
        self._sounds: dict[str, list[tuple[int, int]]] = {}
        # keys of two-character wordings (再见) apart: they match often and only rules that accept
        # two-character homophones ask for them
        self._sound_owners: dict[bool, list[tuple[tuple[int, int], ...]]] = {}
        self._automaton: Scanner | None = None
        self._sound_automata: dict[bool, Scanner | None] = {}
        self._word_list: list[str] = []  # the automaton's wordings (``_words`` in order), once built
        self._sound_keys: dict[bool, list[str]] = {False: [], True: []}  # each sound automaton's keys
        # automaton pattern index → number of its wording's own key among the longer wordings' keys,
        # when every word set with that key owns the wording (hearing it where it is said adds
        # nothing), else -1: lets a scan drop those homophones before any look-up (``scan``)
        self.own_sound: np.ndarray = np.zeros(0, dtype=np.intp)
        self._built = False

    def __getstate__(self) -> dict[str, object]:
        """Picklable (for the on-disk cache) once built: the tables the automata are made of, as plain
        lists (a 50k word list loads in a third of the time of its dicts of lists); the RE2 set and
        the automata are rebuilt on loading. A loaded lexicon is read-only, as a built one is."""
        if not self._built:
            raise ValueError("a lexicon is pickled once built")
        state = self.__dict__.copy()
        for compiled in ("_regex_set", "_automaton", "_sound_automata", "_words", "_sounds"):
            del state[compiled]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._words = self._sounds = None  # type: ignore[assignment]  # (only ``add`` needs them)
        self._regex_set = re2.Set.SearchSet(_RE2_OPTIONS)
        for ws in self._sets:
            for p in ws.patterns:
                self._regex_set.Add(f"(?m:{p})")
        self._compile()

    def add(self, phrases: list[str] | tuple[str, ...] = (), patterns: list[str] | tuple[str, ...] = (),
            sounds: int = 2) -> WordSet:
        """A word set; ``sounds``: fuzzy-pinyin keys of its wordings of at least this many Han
        characters (never fewer than 2), 0 for none (no rule hears it by sound)."""
        if self._built:
            raise ValueError("a built lexicon is read-only")
        ws = WordSet(tuple(phrases), tuple(patterns), id=len(self._sets))
        ws.regex = compile_pattern(ws.patterns)
        ws.regex_joined = compile_pattern(ws.patterns, multiline=True, utf8=True)
        forms = [f for each in self.normalizer.phrase_forms_many(ws.phrases) for f in each]
        least = max(2, sounds) if sounds else None
        ws.sounds = tuple(dict.fromkeys((n, phonetic.key(f)) for f in forms
                                        if least is not None and (n := phonetic.han_count(f)) >= least))
        ws.max_sound_han = max((n for n, _ in ws.sounds), default=0)
        for n, key in ws.sounds:
            self._sounds.setdefault(key, []).append((ws.id, n))
        for p in ws.patterns:
            self._regex_set.Add(f"(?m:{p})")
            self._regex_owner.append(ws.id)
        self._sets.append(ws)
        for f in dict.fromkeys(forms):
            if f:
                ids = self._words.setdefault(f, [])
                if ws.id not in ids:
                    ids.append(ws.id)
        return ws

    def build(self) -> None:
        """Compile the automata (overlapping matches: every wording wherever it occurs) and the RE2 set."""
        if self._built:
            raise ValueError("a lexicon is built once")
        shared: dict[tuple[object, ...], tuple[object, ...]] = {}  # equal owner tuples made one object
        self._owners = [shared.setdefault(t, t) for t in map(tuple, self._words.values())]  # type: ignore[misc]
        self._word_list = list(self._words)
        for short in (False, True):
            keys = {k: v for k, v in self._sounds.items() if (v[0][1] <= SHORT_SOUND) == short}  # n is the key's
            self._sound_owners[short] = [shared.setdefault(t, t) for t in map(tuple, keys.values())]  # type: ignore[misc]
            self._sound_keys[short] = list(keys)
            if not short:
                self.own_sound = _own_sounds(self._words, keys)
        self._compile()
        self._built = True

    def _compile(self) -> None:
        self._automaton = Scanner(self._word_list) if self._word_list else None
        self._sound_automata = {short: Scanner(keys) if keys else None for short, keys in self._sound_keys.items()}
        if self._regex_owner:
            self._regex_set.Compile()

    def regex_candidates(self, text: str) -> set[int]:
        """Ids of the word sets with a pattern that matches somewhere in ``text``."""
        if not self._regex_owner or not text:
            return set()
        return {self._regex_owner[i] for i in self._regex_set.Match(text) or ()}

    def matches(self, cps: np.ndarray) -> np.ndarray | None:
        """Literal hits in the text whose code points are ``cps``, as an array of rows (pattern,
        start, end), from one automaton pass (see ``owners``). None when nothing matched."""
        return self._automaton.scan(cps) if self._automaton is not None else None

    def sound_matches(self, key: np.ndarray, short: bool) -> np.ndarray | None:
        """Like ``matches``, of the fuzzy-pinyin keys of wordings of more than ``SHORT_SOUND`` Han
        characters (``short``: of at most that many) in the code points of a key text."""
        automaton = self._sound_automata.get(short)
        return automaton.scan(key) if automaton is not None else None

    def owners(self, pattern: int) -> tuple[int, ...]:
        """Ids of the word sets with literal wording number ``pattern``."""
        return self._owners[pattern]

    @property
    def owner_table(self) -> list[tuple[int, ...]]:
        """``owners`` of every wording as one list, for a loop over a call's hits (an index, not a
        method call, per hit)."""
        return self._owners

    def sound_owner_table(self, short: bool) -> list[tuple[tuple[int, int], ...]]:
        """(word-set id, Han characters) of the wordings with each fuzzy-pinyin key (of the short or
        the longer wordings), as one list indexed by key number."""
        return self._sound_owners[short]

    @staticmethod
    def regex_spans(ws: WordSet, text: str) -> list[Span]:
        """Non-empty spans of ``ws``'s pattern matches in ``text``, as ``finditer`` finds them."""
        regex = ws.regex
        if regex is None or not text:
            return []
        return [span for span in match_spans(regex, text) if span[1] > span[0]]

    @staticmethod
    def regex_byte_spans(ws: WordSet, data: bytes) -> list[Span]:
        """Non-empty matches of ``ws``'s patterns in a whole call's UTF-8 view, in byte offsets
        (``(?m)``: ``^``/``$`` at every utterance)."""
        if ws.regex_joined is None or not data:
            return []
        return [span for span in match_byte_spans(ws.regex_joined, data) if span[1] > span[0]]

    def __len__(self) -> int:
        return len(self._word_list) if self._built else len(self._words)


_UNANCHORED = re2._Anchor.UNANCHORED
_NO_MATCH = (-1, -1)


def match_spans(regex: object, text: str) -> list[Span]:
    """``[m.span() for m in regex.finditer(text)]`` for a pattern compiled without captures.

    The wrapper's ``finditer`` builds a match object per match, with a sorted set and a dict of
    decoded offsets around it, and most of a pattern scan's time went there; this is its loop
    with only the two offsets each match needs, decoded the same way (bytes counted from the
    previous match end), and the same step past an empty match. It uses the wrapper's internals
    (``_regexp``, ``_re2``), so ``tests/test_rule_fastpaths.py`` pins it to ``finditer``."""
    encoded = text.encode("utf-8")
    match = regex._regexp.Match  # type: ignore[attr-defined]
    to_chars = re2._re2.BytesToCharLen
    pos, end = 0, len(encoded)
    last_byte = last_char = 0
    out: list[Span] = []
    while True:
        spans = match(_UNANCHORED, encoded, pos, end)
        a, b = spans[0]
        if (a, b) == _NO_MATCH:
            break
        start = last_char + to_chars(encoded, last_byte, a)
        last_byte, last_char = b, start + to_chars(encoded, a, b)
        out.append((start, last_char))
        if pos == end:
            break
        pos = pos + re2._re2.CharLenToBytes(encoded, pos, 1) if pos == b else b
    return out


def match_byte_spans(regex: object, data: bytes) -> list[Span]:
    """``[m.span() for m in regex.finditer(data)]`` on bytes, for a pattern compiled without
    captures: ``match_spans``'s loop with nothing to decode (offsets are bytes), stepping one byte
    past an empty match as the wrapper does (pinned to ``finditer`` in ``tests/test_rule_fastpaths.py``)."""
    match = regex._regexp.Match  # type: ignore[attr-defined]
    pos, end = 0, len(data)
    out: list[Span] = []
    while True:
        a, b = match(_UNANCHORED, data, pos, end)[0]
        if (a, b) == _NO_MATCH:
            break
        out.append((a, b))
        if pos == end:
            break
        pos = pos + 1 if pos == b else b
    return out
