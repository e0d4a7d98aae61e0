"""Static wording checks, all on normalized text (the form the engine actually matches):

PB002 a duplicate in one list · PB003 one taboo in two scored rules · PB007 a one-character phrase ·
PB010 a taboo inside a recommended wording or a suggestion · PB012 a wording that can never match.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..rulebook import Rulebook
from .findings import Finding
from .regex import dead_chars, parse
from .sources import Wording, locate, wordings

PHRASE_KINDS = ("forbidden", "redline")
RECOMMENDED_KINDS = ("required", "sequence")


def _fold(rb: Rulebook, text: str) -> str:
    return rb.lexicon.normalizer.fold(text).text


def check_duplicates(rb: Rulebook) -> list[Finding]:
    """PB002: a wording repeated in the same list once normalized (你好 / 妳好 / 你好！)."""
    out: list[Finding] = []
    seen: dict[tuple[object, ...], Wording] = {}
    for w in wordings(rb):
        key = (w.list_path, w.is_pattern, w.text if w.is_pattern else _fold(rb, w.text))
        if key in seen:
            first = seen[key]
            line = getattr(locate(rb, first.path, first.text), "line", "?")
            out.append(Finding("PB002", locate(rb, w.path, w.text), "lint.PB002",
                               {"phrase": w.text, "other": first.text, "line": line}, w.rule))
        else:
            seen[key] = w
    return out


def _taboo(rb: Rulebook) -> Iterator[Wording]:
    """Own literal phrases of the enabled forbidden and red-line rules."""
    for w in wordings(rb):
        rule = rb.rules.get(w.rule or "")
        if rule is not None and rule.enabled and rule.kind in PHRASE_KINDS and w.own and not w.is_pattern:
            yield w


def check_cross_rule(rb: Rulebook) -> list[Finding]:
    """PB003: the same taboo in two forbidden/red-line rules is deducted twice for one utterance."""
    out: list[Finding] = []
    first: dict[str, Wording] = {}
    for w in _taboo(rb):
        key = _fold(rb, w.text)
        if key in first and first[key].rule != w.rule:
            f = first[key]
            out.append(Finding("PB003", locate(rb, w.path, w.text), "lint.PB003", {"phrase": w.text, "other": f.rule},
                               w.rule, related=locate(rb, f.path, f.text), related_rule=f.rule))
        first.setdefault(key, w)
    return out


def check_too_short(rb: Rulebook) -> list[Finding]:
    """PB007: a phrase of one character after normalization (滚, 傻, 等)."""
    return [Finding("PB007", locate(rb, w.path, w.text), "lint.PB007", {"phrase": w.text}, w.rule)
            for w in wordings(rb) if not w.is_pattern and len(_fold(rb, w.text)) == 1]


def recommended(rb: Rulebook) -> Iterator[tuple[str, tuple[str | int, ...], str | None]]:
    """What the rulebook tells agents to say: (text, key path, owning rule)."""
    for w in wordings(rb):
        rule = rb.rules.get(w.rule or "")
        if rule is None or not rule.enabled or w.is_pattern:
            continue
        if (rule.kind in RECOMMENDED_KINDS and w.own) or (rule.kind == "response" and w.path[2] == "expect"):
            yield w.text, w.path, w.rule
    for rid, rule in rb.rules.items():
        if rule.enabled and rule.suggestion:
            yield rule.suggestion, ("rules", rid, "suggestion"), rid
    for sid, sc in rb.scenarios.items():
        for i, text in enumerate(sc.recommended):
            yield text, ("scenarios", sid, "recommended", i), None


def _excused(rb: Rulebook, rule: object, text: str, at: int, length: int) -> bool:
    """The rule's own ``except``/``unless`` wordings already allow this recommended text, or the rule
    allows its wording on set days (``allowed_on``: 节日愉快 is the recommended holiday farewell)."""
    if getattr(rule, "allowed_on", None):
        return True
    lex = rb.lexicon
    for name in ("except_", "unless"):
        words = getattr(rule, name, None)
        if not words:
            continue
        spans = [(a, b) for f in words.phrases for a in _find_all(text, _fold(rb, f)) for b in [a + len(_fold(rb, f))]]
        spans += lex.regex_spans(words.ws, text)
        if name == "unless" and spans:
            return True
        if any(a < at + length and at < b for a, b in spans):
            return True
    return False


def _find_all(text: str, sub: str) -> list[int]:
    out, i = [], text.find(sub) if sub else -1
    while i >= 0:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def check_contained(rb: Rulebook) -> list[Finding]:
    """PB010: a taboo phrase written inside something agents are told to say."""
    out: list[Finding] = []
    recs = [(_fold(rb, text), text, path, owner) for text, path, owner in recommended(rb)]
    for w in _taboo(rb):
        taboo = _fold(rb, w.text)
        if not taboo:
            continue
        rule = rb.rules[w.rule or ""]
        for folded, text, path, owner in recs:
            at = _find_all(folded, taboo)
            if at and not all(_excused(rb, rule, folded, a, len(taboo)) for a in at):
                out.append(Finding("PB010", locate(rb, w.path, w.text), "lint.PB010",
                                   {"phrase": w.text, "recommended": text}, w.rule, related=locate(rb, path, text),
                                   related_rule=owner))
    return out


def check_dead(rb: Rulebook) -> list[Finding]:
    """PB012: a phrase that normalizes to nothing, a pattern needing a character normalization removes
    or rewrites (punctuation, spaces, upper case, full width, Traditional); says so when that leaves
    the rule nothing that can match."""
    nz = rb.lexicon.normalizer

    def ok(ch: str) -> bool:
        return nz.fold(ch).text == ch

    dead: list[tuple[Wording, dict[str, object]]] = []
    alive: set[str] = set()
    for w in wordings(rb):
        if w.is_pattern:
            tree = parse(w.text)
            chars = dead_chars(tree, ok) if tree is not None else None
            if chars is not None:
                dead.append((w, {"pattern": repr(w.text), "chars": " ".join(repr(c) for c in sorted(chars))}))
                continue
        elif not _fold(rb, w.text):
            dead.append((w, {"phrase": w.text}))
            continue
        if w.own:
            alive.add(w.rule or "")
    out = []
    for w, args in dead:
        key = "lint.PB012.pattern" if w.is_pattern else "lint.PB012.phrase"
        suffix = "lint.dead_rule" if w.own and w.rule not in alive else None
        out.append(Finding("PB012", locate(rb, w.path, w.text), key, args, w.rule, suffix=suffix))
    return out
