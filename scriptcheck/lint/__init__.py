"""``scriptcheck lint``: find rulebook and phrasebook edits that would silently corrupt every score.

One module per family of checks; each check is a pure function of the loaded rulebook (or of a
checker built on it) returning ``Finding``s. ``lint(...)`` loads the targets, runs every family,
drops what is not this lint's business (the built-in default's own files when linting a company
rulebook that extends it) and sorts. The codes and why each matters: ``findings.CODES`` and
docs/lint.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..engine import Checker
from ..lexicon import PatternError
from ..rulebook import RulebookError
from ..rulebook.yamlsource import Location, UnreadableError, format_path
from . import behaviour, corpus, phrases, regex, robustness, sources
from .corpus import DEFAULT_MAX_SHARE
from .findings import CODES, Finding
from .robustness import DEFAULT_MIN_SHARE, RuleRobustness

__all__ = ["CODES", "Finding", "LintOptions", "LintResult", "lint"]


@dataclass
class LintOptions:
    corpus: Path | None = None  # benign agent turns; None = the shipped reference corpus
    max_share: float = DEFAULT_MAX_SHARE
    robustness: bool = False
    min_robust: float = DEFAULT_MIN_SHARE


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    unreadable: bool = False
    files: set[str] = field(default_factory=set)
    rules: int = 0
    robustness: list[RuleRobustness] = field(default_factory=list)


def schema_findings(errors: list[RulebookError]) -> list[Finding]:
    """PB001 from the loader's own errors (file:line:col and key path kept); bad patterns are PB005's."""
    out = []
    for e in errors:
        if isinstance(e.__cause__, PatternError):
            continue
        loc = e.location if not isinstance(e.location, str) else Location(e.location, 1, 1)
        key = format_path(e.path) if e.path else ""
        out.append(Finding("PB001", loc, "lint.PB001", {"detail": f"{key}: {e.message}" if key else e.message},
                           str(e.path[1]) if len(e.path) > 1 and e.path[0] == "rules" else None))
    return out


def lint_rulebook(src: sources.Source, options: LintOptions, turns: list[str]) -> tuple[list[Finding], list]:
    """Every family of checks on one loaded rulebook."""
    out = schema_findings(src.errors)
    rb = src.rulebook
    if rb is None:
        return out, []
    checker = Checker(rb)
    for check in (regex.check_regex, phrases.check_duplicates, phrases.check_cross_rule, phrases.check_too_short,
                  phrases.check_contained, phrases.check_dead):
        out += check(rb)
    out += behaviour.check_examples(checker)
    out += behaviour.check_suggestions(checker)
    out += corpus.check_generic(checker, turns, options.max_share)
    rows: list = []
    if options.robustness:
        rows, found = robustness.robustness(checker, options.min_robust)
        out += found
    return out, rows


def _visible(f: Finding, hidden: frozenset[str]) -> Finding | None:
    """Findings in hidden (built-in) files are shown from their other side, or not at all."""
    if f.location is None or f.location.file not in hidden:
        return f
    if f.related is not None and f.related.file not in hidden:
        f.location, f.related = f.related, f.location
        f.rule, f.related_rule = f.related_rule, f.rule
        return f
    return None


def lint(paths: list[str], explicit: str | None, discovered: str, options: LintOptions | None = None) -> LintResult:
    """Lint the rulebooks behind ``paths`` (or the discovered rulebook when none are given)."""
    options = options or LintOptions()
    result = LintResult()
    names, orphans, missing = sources.targets(paths, explicit, discovered)
    result.findings += missing
    result.unreadable = bool(missing)
    turns = corpus.load_corpus(options.corpus)
    seen: set[tuple[object, ...]] = set()
    with sources.temp_folder() as tmp:
        if orphans:
            names.append(sources.wrap(orphans, explicit or discovered, Path(tmp)))
        for name in names:
            try:
                src = sources.load(name)
            except UnreadableError as e:
                loc = e.location if not isinstance(e.location, str) else Location(e.location, 1, 1)
                result.findings.append(Finding("PB000", loc, "lint.PB000", {"detail": e.message}))
                result.unreadable = True
                continue
            found, rows = lint_rulebook(src, options, turns)
            if src.rulebook is not None:
                result.files.update(f for f in src.rulebook.files if f not in src.hidden_files and tmp not in f)
                result.rules += len(src.rulebook.rules)
            rb = src.rulebook
            result.robustness += [r for r in rows if rb is not None
                                  and getattr(rb.location("rules", r.rule), "file", "") not in src.hidden_files]
            for f in found:
                shown = _visible(f, src.hidden_files)
                key = (shown.code, shown.location, shown.key, repr(sorted(shown.args.items()))) if shown else None
                if shown is not None and key not in seen:
                    seen.add(key)
                    result.findings.append(shown)
    result.findings.sort(key=Finding.sort_key)
    return result
