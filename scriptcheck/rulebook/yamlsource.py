"""Safe YAML loading that remembers file:line:col for every key path.

Errors in a rulebook must name the file, the line and the key path; PyYAML's node tree has the
marks, so we compose nodes (safe loader only: no tags, no Python objects) and build plain data
plus a ``path → Location`` index ourselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Location:
    file: str
    line: int  # 1-based
    col: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class RulebookError(Exception):
    """A rulebook or phrasebook problem; the CLI turns it into exit code 2."""

    def __init__(self, message: str, location: Location | str | None = None, path: KeyPath = ()):
        self.message = message
        self.location = location
        self.path = path
        where = f"{location}: " if location else ""
        key = f"{format_path(path)}: " if path else ""
        super().__init__(f"{where}{key}{message}")


class UnreadableError(RulebookError):
    """The file itself cannot be read as YAML (missing, not UTF-8, syntax, aliases, tags): ``lint`` exits 2."""


def format_path(path: KeyPath) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


MAX_YAML_BYTES = 5_000_000
# libyaml's parser when PyYAML was built with it (same safe node tree, several times faster)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> tuple[Any, dict[KeyPath, Location]]:
    """Load one YAML file; return (data, locations). Aliases are rejected (no alias bombs)."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UnreadableError(f"cannot read: {e.strerror or e}", str(path)) from e
    if len(raw) > MAX_YAML_BYTES:
        raise UnreadableError(f"file too large ({len(raw)} bytes, limit {MAX_YAML_BYTES})", str(path))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UnreadableError(f"not UTF-8 ({e.reason} at byte {e.start})", str(path)) from e
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark
        loc = Location(str(path), mark.line + 1, mark.column + 1) if mark else str(path)
        raise UnreadableError(f"invalid YAML: {e.problem}", loc) from e
    locs: dict[KeyPath, Location] = {}
    if node is None:
        return {}, locs
    return _build(node, (), str(path), locs, set()), locs


def _build(node: yaml.Node, path: KeyPath, file: str, locs: dict[KeyPath, Location], seen: set[int]) -> Any:
    locs.setdefault(path, Location(file, node.start_mark.line + 1, node.start_mark.column + 1))
    if id(node) in seen:
        raise UnreadableError("YAML aliases/anchors are not allowed in rulebooks", locs[path], path)
    seen.add(id(node))
    if node.tag not in _ALLOWED_TAGS:
        raise UnreadableError(f"YAML tag {node.tag} is not allowed in rulebooks", locs[path], path)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                raise RulebookError("mapping keys must be plain scalars",
                                    Location(file, knode.start_mark.line + 1, knode.start_mark.column + 1), path)
            key = knode.value
            sub = (*path, key)
            locs[sub] = Location(file, knode.start_mark.line + 1, knode.start_mark.column + 1)
            if key in out:
                raise RulebookError("duplicate key", locs[sub], sub)
            out[key] = _build(vnode, sub, file, locs, seen)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(v, (*path, i), file, locs, seen) for i, v in enumerate(node.value)]
    return _scalar(node)


_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp"))
_RESOLVER = yaml.SafeLoader("")


def _scalar(node: yaml.ScalarNode) -> Any:
    """Resolve a scalar with the safe loader's implicit types (int, float, bool, null, str)."""
    if node.style in ("'", '"', "|", ">") or node.tag == _STD + "timestamp":
        return node.value  # dates stay text (e.g. allowed_on: 2026-10-01)
    return _RESOLVER.construct_object(node, deep=True)
