"""Load a rulebook: resolve ``extends``, read phrasebooks, merge per rule, validate, compile.

Merging follows yamllint: a child rulebook names only what it changes
(``rules: {closing.farewell.holiday: {enabled: false}}``); a new rule must be complete.
Every error names file:line:col and the key path.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from ..lexicon import Lexicon, PatternError
from ..matchers import KINDS, RULE_ADAPTER
from .schema import CheckInfo, Scenario, Settings, StageSettings, Strict, Words
from .yamlsource import KeyPath, Location, RulebookError, UnreadableError, load_yaml

RULE_ID = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
TOP_KEYS = {"extends", "version", "description", "settings", "stages", "checks", "phrasebooks", "rules", "scenarios",
            "allow_outside"}
SECTIONS = ("settings", "stages", "checks", "scenarios")
PHRASEBOOK_KEYS = {"path", "check", "kind", "weight", "level", "message", "message_en", "suggestion",
                   "suggestion_en", "id", "stage", "speaker"}
MAX_EXTENDS_DEPTH = 8
MAX_PHRASES_PER_FILE = 50_000
T = TypeVar("T")


def builtin_dir() -> Path:
    """Where the default rulebook lives: packaged data when installed, the repo's rules/ in a checkout."""
    pkg = Path(__file__).resolve().parent.parent
    for cand in (pkg / "_data" / "rules", pkg.parent / "rules"):
        if (cand / "default.yaml").is_file():
            return cand
    raise RulebookError("built-in rulebook not found (is the package installed completely?)")


def resolve_name(name: str, relative_to: Path | None = None) -> Path:
    """``default`` (or ``builtin:default``) → the packaged rulebook; anything else is a path."""
    bare = name.removeprefix("builtin:")
    if "/" not in bare and not bare.endswith((".yaml", ".yml")):
        return builtin_dir() / f"{bare}.yaml"
    p = Path(name)
    return p if p.is_absolute() or relative_to is None else (relative_to / p)


@dataclass
class Raw:
    """Merged, not yet validated rulebook data with the location of every key."""

    data: dict[str, Any] = field(default_factory=lambda: {**{s: {} for s in SECTIONS}, "rules": {}})
    locs: dict[KeyPath, Location] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    text_ids: dict[str, str] = field(default_factory=dict)  # rule id → text phrasebook that defined it
    version: str | None = None  # the `version:` of the nearest file that sets one (a child overrides its base)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def _expect_mapping(value: Any, path: KeyPath, locs: dict[KeyPath, Location]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RulebookError("expected a mapping", locs.get(path), path)
    return value


def _read(path: Path, raw: Raw, depth: int, stack: tuple[Path, ...]) -> None:
    path = path.resolve()
    if path in stack:
        raise RulebookError("extends cycle: " + " → ".join(str(p) for p in (*stack, path)), str(path))
    if depth > MAX_EXTENDS_DEPTH:
        raise RulebookError(f"extends nested deeper than {MAX_EXTENDS_DEPTH}", str(path))
    data, locs = load_yaml(path)
    data = _expect_mapping(data, (), locs)
    for k in data:
        if k not in TOP_KEYS:
            raise RulebookError(f"unknown key (allowed: {', '.join(sorted(TOP_KEYS))})", locs.get((k,)), (k,))
    allow_outside = data.get("allow_outside", False)
    if not isinstance(allow_outside, bool):
        raise RulebookError("allow_outside must be true or false", locs.get(("allow_outside",)), ("allow_outside",))
    if "extends" in data:
        ext = data["extends"]
        if not isinstance(ext, str):
            raise RulebookError("extends must be a rulebook name or path", locs.get(("extends",)), ("extends",))
        target = resolve_name(ext, path.parent)
        if "/" in ext or ext.endswith((".yaml", ".yml")):
            _check_inside(target, path, allow_outside, locs.get(("extends",)), ("extends",))
        _read(target, raw, depth + 1, (*stack, path))
    raw.files.append(str(path))
    if data.get("version") is not None:
        raw.version = str(data["version"])
    _merge_sections(data, locs, raw)
    pbs = data.get("phrasebooks") or []
    if not isinstance(pbs, list):
        raise RulebookError("phrasebooks must be a list", locs.get(("phrasebooks",)), ("phrasebooks",))
    for i, entry in enumerate(pbs):
        _read_phrasebook(entry, ("phrasebooks", i), path, locs, raw, allow_outside)
    rules = _expect_mapping(data.get("rules"), ("rules",), locs)
    _merge_rules(rules, locs, raw, ())


def _merge_sections(data: dict[str, Any], locs: dict[KeyPath, Location], raw: Raw) -> None:
    for section in SECTIONS:
        part = _expect_mapping(data.get(section), (section,), locs)
        raw.data[section] = _deep_merge(raw.data[section], part)
    for p, loc in locs.items():
        if p and p[0] in SECTIONS:
            raw.locs[p] = loc


def _merge_rules(rules: dict[str, Any], locs: dict[KeyPath, Location], raw: Raw, base: KeyPath) -> None:
    target = raw.data["rules"]
    for rid, body in rules.items():
        path = (*base, "rules", rid)
        if not RULE_ID.match(str(rid)):
            raise RulebookError("rule ids are dotted lower-case names like forbidden.impatience.repeat",
                                locs.get(path), ("rules", rid))
        if body in ("disable", "disabled"):
            body = {"enabled": False}
        elif body in ("enable", "enabled"):
            body = {"enabled": True}
        body = _expect_mapping(body, path, locs)
        target[rid] = _deep_merge(target.get(rid, {}), body)
        for p, loc in locs.items():
            if p[: len(path)] == path:
                raw.locs[("rules", rid, *p[len(path):])] = loc


def _check_inside(target: Path, owner: Path, allow_outside: bool, loc: Location | None, key: KeyPath) -> None:
    """A rulebook reads only files in its own folder (the built-in one: the package's data), unless
    it says ``allow_outside: true`` — a colleague's edit cannot make the checker read /etc/…"""
    if allow_outside:
        return
    root = owner.parent.resolve()
    builtin = builtin_dir().parent.resolve()
    if owner.resolve().is_relative_to(builtin):
        root = builtin
    if not target.resolve().is_relative_to(root):
        raise RulebookError(f"{target} is outside {root}; move it there or set `allow_outside: true`", loc, key)


def _read_phrasebook(entry: Any, path: KeyPath, owner: Path, locs: dict[KeyPath, Location], raw: Raw,
                     allow_outside: bool = False) -> None:
    if isinstance(entry, str):
        entry = {"path": entry}
    entry = _expect_mapping(entry, path, locs)
    for k in entry:
        if k not in PHRASEBOOK_KEYS:
            raise RulebookError(f"unknown key (allowed: {', '.join(sorted(PHRASEBOOK_KEYS))})",
                                locs.get((*path, k)), (*path, k))
    if "path" not in entry:
        raise RulebookError("missing key: path", locs.get(path), path)
    pb = (owner.parent / str(entry["path"])).resolve()
    _check_inside(pb, owner, allow_outside, locs.get((*path, "path")), (*path, "path"))
    if pb.suffix in (".yaml", ".yml"):
        data, pb_locs = load_yaml(pb)
        data = _expect_mapping(data, (), pb_locs)
        for k in data:
            if k not in ("description", "rules", "scenarios"):
                raise RulebookError("unknown key (a phrasebook has description, rules and scenarios)",
                                    pb_locs.get((k,)), (k,))
        raw.files.append(str(pb))
        _merge_sections({"scenarios": data.get("scenarios")}, pb_locs, raw)
        _merge_rules(_expect_mapping(data.get("rules"), ("rules",), pb_locs), pb_locs, raw, ())
        return
    _read_text_phrasebook(pb, entry, path, locs, raw)


def _read_text_phrasebook(pb: Path, entry: dict[str, Any], path: KeyPath,
                          locs: dict[KeyPath, Location], raw: Raw) -> None:
    """A plain-text phrasebook (one phrase per line, # comments) becomes one rule."""
    if "check" not in entry:
        raise RulebookError("a text phrasebook needs `check:` (which check its phrases feed)",
                            locs.get(path), path)
    try:
        lines = pb.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as e:
        raise UnreadableError(f"cannot read phrasebook {pb}: {e}", locs.get((*path, "path")),
                              (*path, "path")) from e
    phrases = [s for line in lines if (s := line.split("#", 1)[0].strip())]
    if len(phrases) > MAX_PHRASES_PER_FILE:
        raise RulebookError(f"more than {MAX_PHRASES_PER_FILE} phrases", str(pb))
    stem = re.sub(r"[^a-z0-9_]+", "_", pb.stem.lower()).strip("_") or "custom"
    rid = str(entry.get("id") or f"phrasebook.{stem}")
    if rid in raw.text_ids and raw.text_ids[rid] != str(pb):
        raise RulebookError(f"rule id {rid!r} is already used by {raw.text_ids[rid]}; give this list its own `id:`",
                            locs.get(path), path)
    raw.text_ids[rid] = str(pb)
    kind = entry.get("kind", "forbidden")
    body = {
        "check": entry["check"], "kind": kind, "phrases": phrases,
        "weight": entry.get("weight", 5), "level": entry.get("level", "error"),
        "message": entry.get("message", f"服务忌语(自定义词表 {pb.name})"),
        "message_en": entry.get("message_en", f"Taboo phrase (custom list {pb.name})"),
    }
    for k in ("suggestion", "suggestion_en", "stage", "speaker"):
        if k in entry:
            body[k] = entry[k]
    raw.files.append(str(pb))
    raw.data["rules"][rid] = _deep_merge(raw.data["rules"].get(rid, {}), body)
    raw.locs[("rules", rid)] = Location(str(pb), 1, 1)


@dataclass
class Rulebook:
    """A compiled rulebook: validated rules, settings and one lexicon of all their wordings."""

    source: str
    settings: Settings
    stages: StageSettings
    checks: dict[str, CheckInfo]
    scenarios: dict[str, Scenario]
    rules: dict[str, Any]
    lexicon: Lexicon
    raw: dict[str, Any]
    locations: dict[KeyPath, Location]
    files: list[str]
    hash: str = ""  # sha256 of the loaded files' bytes, in load order: same hash ⇔ same rulebook text
    version: str | None = None

    def location(self, *path: str | int) -> Location | None:
        for n in range(len(path), 0, -1):
            if (loc := self.locations.get(tuple(path[:n]))) is not None:
                return loc
        return None

    @property
    def enabled_rules(self) -> list[Any]:
        return [r for r in self.rules.values() if r.enabled]


def _validation_error(e: ValidationError, prefix: KeyPath, raw: Raw, kind: str | None = None) -> RulebookError:
    err = e.errors()[0]
    loc = tuple(err["loc"])
    if kind and loc and loc[0] == kind:
        loc = loc[1:]
    path = (*prefix, *loc)
    msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
    if err["type"] == "union_tag_invalid":
        msg = f"unknown kind (one of: {', '.join(KINDS)})"
        path = (*prefix, "kind")
    if err["type"] == "union_tag_not_found":
        msg = "missing key: kind"
    where = None
    for n in range(len(path), 0, -1):
        if (where := raw.locs.get(path[:n])) is not None:
            break
    return RulebookError(msg, where, path)


def _validate(validate: Callable[[Any], T], body: Any, path: KeyPath, raw: Raw, kind: str | None = None) -> T:
    """Validate one section; a pydantic error becomes a RulebookError naming file:line and key path."""
    try:
        return validate(body)
    except ValidationError as e:
        raise _validation_error(e, path, raw, kind) from e


def load_rulebook(name: str | Path = "default", errors: list[RulebookError] | None = None) -> Rulebook:
    """Load, merge, validate and compile a rulebook (``default`` = the built-in one).

    With ``errors`` (``scriptcheck lint``), an invalid rule, check or scenario is recorded there and left
    out instead of stopping the load, so one run reports every such problem; files that cannot be
    read or merged still raise.
    """
    path = resolve_name(str(name)) if isinstance(name, str) else name
    raw = Raw()
    _read(path, raw, 0, ())
    d = raw.data

    def valid(fn: Callable[[], T]) -> T | None:
        try:
            return fn()
        except RulebookError as e:
            if errors is None:
                raise
            errors.append(e)
            return None

    settings = valid(lambda: _validate(Settings.model_validate, d["settings"], ("settings",), raw)) or Settings()
    stages = valid(lambda: _validate(StageSettings.model_validate, d["stages"], ("stages",), raw)) or StageSettings()
    checks = {c: info for c, body in d["checks"].items()
              if (info := valid(lambda c=c, body=body: _validate(CheckInfo.model_validate, body, ("checks", c), raw)))}
    rules: dict[str, Any] = {}
    for rid, body in d["rules"].items():
        rule = valid(lambda rid=rid, body=body: _rule(rid, body, checks, raw))
        if rule is not None:
            rules[rid] = rule
    scenarios: dict[str, Scenario] = {}
    for sid, body in d["scenarios"].items():
        sc = valid(lambda sid=sid, body=body: _scenario(sid, body, rules, raw))
        if sc is not None:
            scenarios[sid] = sc
    lexicon = Lexicon(settings.normalize.normalizer())
    guards = settings.guards
    shared = [guards.negation, guards.reported, guards.mention_after, stages.hold.notice, stages.hold.customer_wait,
              settings.roles.agent, settings.roles.customer]
    heard: dict[int, int] = {}  # word set → the fewest Han characters any rule hears it by
    for rule in rules.values():
        for w, n in rule.heard():
            heard[id(w)] = min(n, heard.get(id(w), n))
    valid(lambda: _register(lexicon, shared, raw, (), heard))
    for rid, rule in list(rules.items()):
        owned = ([rule] if isinstance(rule, Words) else []) + rule.word_fields()
        if valid(lambda rid=rid, owned=owned: _register(lexicon, owned, raw, ("rules", rid), heard)) is None:
            del rules[rid]  # a bad pattern: the rule cannot run
    lexicon.build()
    return Rulebook(str(path), settings, stages, checks, scenarios, rules, lexicon, d, raw.locs, raw.files,
                    sources_hash(raw.files), raw.version)


def sources_hash(files: list[str]) -> str:
    """A deterministic identity for a rulebook: its sources' bytes (not their paths, so an installed
    copy and a checkout agree), each length-prefixed so that moving text between files changes it."""
    h = hashlib.sha256()
    for f in files:
        data = Path(f).read_bytes()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def load_cached(name: str | Path = "default") -> Rulebook:
    """``load_rulebook`` through the on-disk cache (scriptcheck/cache.py): an entry is used only if
    every file the rulebook was read from still has the same bytes; otherwise it is rebuilt."""
    from .. import cache

    path = resolve_name(str(name)) if isinstance(name, str) else name
    key = str(path.resolve())

    def current(header: dict[str, Any]) -> bool:
        files = header.get("files") or []
        return bool(files) and cache.file_digests([f for f, _ in files]) == [tuple(x) for x in files]

    rulebook = cache.load("rulebook", key, current)
    if isinstance(rulebook, Rulebook):
        return rulebook
    rulebook = load_rulebook(path)
    if (digests := cache.file_digests(rulebook.files)) is not None:
        cache.store("rulebook", key, {"source": key, "files": digests}, rulebook)
    return rulebook


def _rule(rid: str, body: Any, checks: dict[str, CheckInfo], raw: Raw) -> Any:
    kind = body.get("kind") if isinstance(body, dict) else None
    rule = _validate(RULE_ADAPTER.validate_python, {**body, "id": rid}, ("rules", rid), raw, kind)
    if rule.check not in checks:
        raise RulebookError(f"unknown check {rule.check!r} (declare it under checks:)",
                            raw.locs.get(("rules", rid, "check")) or raw.locs.get(("rules", rid)),
                            ("rules", rid, "check"))
    return rule


def _scenario(sid: str, body: Any, rules: dict[str, Any], raw: Raw) -> Scenario:
    sc = _validate(Scenario.model_validate, body, ("scenarios", sid), raw)
    for i, rid in enumerate(sc.rules):
        if rid not in rules:
            path = ("scenarios", sid, "rules", i)
            raise RulebookError(f"unknown rule {rid!r}", raw.locs.get(path), path)
    return sc


def _register(lexicon: Lexicon, words: list[Strict], raw: Raw, path: KeyPath, heard: dict[int, int]) -> bool:
    for w in words:
        if not isinstance(w, Words):
            continue
        try:
            w.compile_into(lexicon, heard.get(id(w), 0))
        except PatternError as e:
            raise RulebookError(str(e), raw.locs.get((*path, "patterns")) or raw.locs.get(path), path) from e
    return True
