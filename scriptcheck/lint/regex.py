"""Regex checks: PB005 (RE2 rejects the pattern) and PB006 (unsafe: empty match, nested unbounded
repeats, a huge compiled program); and the structure walk PB012 uses to find patterns that need a
character normalized text never contains.

Patterns run under RE2, which never backtracks, but a nested ``(…+)+`` is catastrophic the moment
the rulebook is tried in any other engine (an online tester, a colleague's script) and is always
a mistake; an empty match fires on every utterance.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import re2

from ..lexicon import _RE2_OPTIONS, PatternError, compile_pattern
from ..rulebook import Rulebook
from .findings import Finding
from .sources import locate, wordings

MAX_PROGRAM_SIZE = 5000  # RE2 program instructions; the default rulebook's largest pattern is far below
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", sre_c.MAX_REPEAT))
# RE2-only syntax mapped to something Python's parser reads with the same structure
_RE2_ONLY = [(re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Za-z]|\[:\^?[a-z]+:\]"), r"\\w"), (re.compile(r"\\z"), r"\\Z")]


def parse(pattern: str) -> Any | None:
    """Python's parse tree of an RE2 pattern (RE2 classes read as ``\\w``); None if it cannot parse."""
    for rx, repl in _RE2_ONLY:
        pattern = rx.sub(repl, pattern)
    try:
        return sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _unbounded(op: Any, av: Any) -> bool:
    return op in _REPEATS and av[1] == sre_c.MAXREPEAT


def _children(op: Any, av: Any) -> list[Any]:
    if op in _REPEATS:
        return [av[2]]
    if op == sre_c.SUBPATTERN:
        return [av[3]]
    if op == sre_c.BRANCH:
        return list(av[1])
    if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        return [av[1]]
    return []


def _has_unbounded(seq: Any) -> bool:
    return any(_unbounded(op, av) or any(_has_unbounded(c) for c in _children(op, av)) for op, av in seq)


def nested_unbounded(seq: Any) -> bool:
    """An unbounded repeat whose body holds another one: ``(a+)+``, ``(a*b?)*``."""
    for op, av in seq:
        if _unbounded(op, av) and _has_unbounded(av[2]):
            return True
        if any(nested_unbounded(c) for c in _children(op, av)):
            return True
    return False


def dead_chars(seq: Any, ok: Callable[[str], bool]) -> set[str] | None:
    """Characters every match needs but ``ok`` rejects (None: some match is possible)."""
    for op, av in seq:
        if op == sre_c.LITERAL and not ok(chr(av)):
            return {chr(av)}
        if op == sre_c.IN and all(o == sre_c.LITERAL for o, _ in av) and not any(ok(chr(c)) for _, c in av):
            return {chr(c) for _, c in av}
        if op == sre_c.BRANCH:
            parts = [dead_chars(b, ok) for b in av[1]]
            if all(p is not None for p in parts):
                return set().union(*parts)  # type: ignore[arg-type]
        if op == sre_c.SUBPATTERN and (d := dead_chars(av[3], ok)) is not None:
            return d
        if op in _REPEATS and av[0] >= 1 and (d := dead_chars(av[2], ok)) is not None:
            return d
    return None


def check_regex(rb: Rulebook) -> list[Finding]:
    """PB005 and PB006 for every pattern of the rulebook (rules, settings, stages)."""
    out: list[Finding] = []
    for w in wordings(rb):
        if not w.is_pattern:
            continue
        loc = locate(rb, w.path)
        try:
            compile_pattern((w.text,))
        except PatternError as e:
            cause = e.__cause__.args[0] if e.__cause__ is not None and e.__cause__.args else str(e)
            detail = cause.decode("utf-8", "replace") if isinstance(cause, bytes) else str(cause)
            out.append(Finding("PB005", loc, "lint.PB005", {"pattern": _short(w.text), "detail": detail}, w.rule))
            continue
        compiled = re2.compile(w.text, _RE2_OPTIONS)
        args = {"pattern": _short(w.text)}
        if compiled.search("") is not None:
            out.append(Finding("PB006", loc, "lint.PB006.empty", args, w.rule))
        elif compiled.programsize > MAX_PROGRAM_SIZE:
            out.append(Finding("PB006", loc, "lint.PB006.size",
                               {**args, "size": compiled.programsize, "limit": MAX_PROGRAM_SIZE}, w.rule))
        tree = parse(w.text)
        if tree is not None and nested_unbounded(tree):
            out.append(Finding("PB006", loc, "lint.PB006.nested", {**args, "part": "(…+)+"}, w.rule))
    return out


def _short(pattern: str, limit: int = 60) -> str:
    return repr(pattern if len(pattern) <= limit else pattern[:limit] + "…")
