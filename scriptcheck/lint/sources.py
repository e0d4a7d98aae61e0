"""What ``scriptcheck lint PATH...`` lints: rulebooks, and phrasebooks inside the rulebook that uses them.

A phrasebook alone cannot be checked (its rules name checks its rulebook declares, and conflicts
span files), so each phrasebook is linted as part of its owner: a rulebook among the paths, the
project's ``scriptcheck.yaml``, or a ``rules/*.yaml`` beside it that lists it under ``phrasebooks:``.
A phrasebook no rulebook lists is linted inside a stand-in rulebook that extends the default.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..rulebook import Location, Rulebook, RulebookError
from ..rulebook.loader import builtin_dir, load_rulebook, resolve_name
from ..rulebook.yamlsource import KeyPath, UnreadableError, load_yaml
from .findings import Finding

RULEBOOK_ONLY_KEYS = {"extends", "version", "settings", "stages", "checks", "phrasebooks", "allow_outside"}
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Source:
    """One loaded rulebook to lint, with the schema errors met while loading it."""

    target: str  # what was loaded: a rulebook path or "default"
    rulebook: Rulebook | None
    errors: list[RulebookError] = field(default_factory=list)
    hidden_files: frozenset[str] = frozenset()  # files whose findings are not this lint's business


def expand(paths: list[str]) -> tuple[list[Path], list[Finding]]:
    """Files named, and YAML files under folders named; a missing path is a PB000 finding."""
    files: list[Path] = []
    missing: list[Finding] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.suffix in YAML_SUFFIXES and f.is_file())
        elif path.is_file():
            files.append(path)
        else:
            missing.append(Finding("PB000", Location(p, 1, 1), "lint.PB000", {"detail": "no such file or folder"}))
    return files, missing


def is_phrasebook(path: Path) -> bool:
    """A plain-text word list, or a YAML file without any rulebook-only key (extends, settings…)."""
    if path.suffix not in YAML_SUFFIXES:
        return True
    try:
        data, _ = load_yaml(path)
    except RulebookError:
        return False  # let the loader report it, as a rulebook
    return isinstance(data, dict) and not (set(data) & RULEBOOK_ONLY_KEYS)


def listed_phrasebooks(rulebook: Path) -> set[Path]:
    """The phrasebooks a rulebook file names directly (read statically: it may not load)."""
    try:
        data, _ = load_yaml(rulebook)
    except RulebookError:
        return set()
    entries = data.get("phrasebooks") if isinstance(data, dict) else None
    out = set()
    for e in entries if isinstance(entries, list) else []:
        p = e.get("path") if isinstance(e, dict) else e
        if isinstance(p, str):
            out.add((rulebook.parent / p).resolve())
    return out


def _candidates(pb: Path, rulebooks: list[Path], explicit: str | None, discovered: str) -> Iterator[Path]:
    if explicit and explicit != "default":
        yield resolve_name(explicit)
    yield from rulebooks
    if discovered != "default":
        yield Path(discovered)
    for folder in (pb.resolve().parent.parent / "rules", Path.cwd() / "rules", Path.cwd()):
        if folder.is_dir():
            yield from sorted(f for f in folder.iterdir() if f.suffix in YAML_SUFFIXES and f.is_file())
    yield builtin_dir() / "default.yaml"


def targets(paths: list[str], explicit: str | None, discovered: str) -> tuple[list[str], list[Path], list[Finding]]:
    """Rulebooks to load, orphan phrasebooks (to wrap) and PB000 findings for missing paths."""
    if not paths:
        return [explicit or discovered], [], []
    files, missing = expand(paths)
    rulebooks = [f for f in files if not is_phrasebook(f)]
    out: list[str] = [str(f) for f in rulebooks]
    orphans: list[Path] = []
    for pb in (f for f in files if f not in rulebooks):
        owner = next((c for c in _candidates(pb, rulebooks, explicit, discovered)
                      if c.resolve() != pb.resolve() and pb.resolve() in listed_phrasebooks(c)), None)
        if owner is None:
            orphans.append(pb)
        elif str(owner) not in out:
            out.append(str(owner))
    return out, orphans, missing


def builtin_files() -> frozenset[str]:
    """The built-in default rulebook's own files: linted only when the default itself is the target."""
    default = (builtin_dir() / "default.yaml").resolve()
    return frozenset({str(default), *map(str, listed_phrasebooks(default))})


def load(target: str) -> Source:
    """Load one rulebook collecting schema errors; unreadable files raise ``UnreadableError``."""
    errors: list[RulebookError] = []
    try:
        rb = load_rulebook(target, errors=errors)
    except UnreadableError:
        raise
    except RulebookError as e:  # a structural error that stops the merge (bad extends, rule id…)
        return Source(target, None, [e])
    own = resolve_name(target).resolve()
    hidden = frozenset() if str(own) in builtin_files() else builtin_files()
    return Source(target, rb, errors, hidden)


def wrap(phrasebooks: list[Path], base: str, folder: Path) -> str:
    """A stand-in rulebook: ``base`` plus phrasebooks no rulebook lists (written into ``folder``)."""
    lines = [f"extends: {base if base == 'default' else str(Path(base).resolve())!r}", "allow_outside: true",
             "phrasebooks:"]
    lines += [f"  - path: {str(p.resolve())!r}" for p in phrasebooks]
    path = folder / "lint-standin.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def temp_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="scriptcheck-lint-")


# --- wordings --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Wording:
    """One phrase or pattern of the rulebook, where it is written and what it is for."""

    text: str
    is_pattern: bool
    path: KeyPath  # key path in the merged rulebook, e.g. ("rules", rid, "all_of", 0, "phrases", 3)
    rule: str | None  # None for settings/stages wordings
    own: bool  # the rule's own wording (or a required group), not a condition (except, unless, trigger…)

    @property
    def list_path(self) -> KeyPath:
        return self.path[:-1]


def wordings(rb: Rulebook) -> Iterator[Wording]:
    """Every phrase and pattern of the merged rulebook, with its key path (rules, settings, stages)."""
    for section in ("settings", "stages"):
        yield from _walk(rb.raw.get(section), (section,), None, ())
    for rid, body in rb.raw.get("rules", {}).items():
        yield from _walk(body, ("rules", rid), rid, ())


def _walk(node: Any, base: KeyPath, rule: str | None, rel: KeyPath) -> Iterator[Wording]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("phrases", "patterns") and isinstance(v, list):
                own = rule is not None and (rel == () or (len(rel) == 2 and rel[0] == "all_of"))
                for i, text in enumerate(v):
                    if isinstance(text, str):
                        yield Wording(text, k == "patterns", (*base, *rel, k, i), rule, own)
            elif k != "examples":
                yield from _walk(v, base, rule, (*rel, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, base, rule, (*rel, i))


def locate(rb: Rulebook, path: KeyPath, text: str | None = None) -> Location | None:
    """The file:line:col of a key path; for a plain-text phrasebook, the line holding ``text``."""
    loc = rb.location(*path)
    if loc is not None and text and not loc.file.endswith(YAML_SUFFIXES) and loc.line == 1:
        try:
            for n, line in enumerate(Path(loc.file).read_text(encoding="utf-8-sig").splitlines(), 1):
                col = line.find(text)
                if col >= 0 and line.split("#", 1)[0].strip() == text:
                    return Location(loc.file, n, col + 1)
        except OSError:
            pass
    return loc
