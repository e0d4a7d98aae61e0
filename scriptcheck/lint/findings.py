"""Lint findings: the code table, one finding type, and the three output formats (text, JSON, GitHub).

A finding keeps its message as an i18n key plus arguments and is rendered in the report's language
only when printed (Chinese by default, English with ``--lang en``), like the checker's notes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TextIO

from ..i18n import t
from ..rulebook import Location

Level = Literal["error", "warning"]

# code → (level, why it matters). docs/lint.md is checked against this table by a test.
CODES: dict[str, tuple[Level, str]] = {
    "PB000": ("error", "unreadable input (missing file, not UTF-8, broken YAML, aliases): nothing can be checked"),
    "PB001": ("error", "unknown key, wrong type or unknown kind/check/rule: a typo must never silently disable a rule"),
    "PB002": ("warning", "the same wording twice in one list after normalization: dead weight that hides real edits"),
    "PB003": ("error", "one taboo/red-line wording in two scored rules: every hit is deducted twice"),
    "PB004": ("error", "an example disagrees with its rule: the rule does not do what its author documented"),
    "PB005": ("error", "invalid regex (RE2 rejects it, or it is too long): the rulebook cannot load"),
    "PB006": ("error", "unsafe regex (matches the empty string, nested unbounded repeats, huge program)"),
    "PB007": ("error", "a one-character phrase: it matches inside countless ordinary words"),
    "PB008": ("error", "a taboo/red-line wording that fires on too many benign agent turns of the reference corpus"),
    "PB009": ("warning", "a rule without both pass and fail examples: its behaviour is undocumented and untested"),
    "PB010": ("error", "a taboo/red-line phrase inside a recommended wording or suggestion: good agents get flagged"),
    "PB011": ("error", "saying a suggestion or recommended wording triggers a taboo or red-line rule"),
    "PB012": ("error", "dead wording: after normalization it can never match (e.g. punctuation, upper case in regex)"),
    "PB013": ("warning", "robustness: too few ASR-like variants of the rule's phrases are still caught (--robustness)"),
}


@dataclass
class Finding:
    code: str
    location: Location | None
    key: str  # i18n key of the message (``lint.<code>...``)
    args: dict[str, object] = field(default_factory=dict)
    rule: str | None = None
    related: Location | None = None  # the other side of a conflict (e.g. the recommended wording)
    related_rule: str | None = None  # the rule on that other side
    level: Level | None = None  # defaults to the code's level
    suffix: str | None = None  # i18n key appended to the message

    def __post_init__(self) -> None:
        if self.level is None:
            self.level = CODES[self.code][0]

    def message(self, lang: str) -> str:
        args = {k: (_where(v) if isinstance(v, Location) else v) for k, v in self.args.items()}
        text = t(self.key, lang, **args) + (t(self.suffix, lang) if self.suffix else "")
        if self.related is not None:
            text += f" ({_where(self.related)})"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.col, self.code) if loc else ("", 0, 0, self.code)


def _where(loc: Location) -> str:
    return f"{display_path(loc.file)}:{loc.line}"


def display_path(file: str) -> str:
    """Relative to the working directory when inside it (what editors and GitHub annotations want)."""
    try:
        return os.path.relpath(file) if Path(file).resolve().is_relative_to(Path.cwd().resolve()) else file
    except ValueError:
        return file


def write_text(findings: list[Finding], out: TextIO, lang: str) -> None:
    for f in findings:
        loc = f"{display_path(f.location.file)}:{f.location.line}:{f.location.col}" if f.location else "-"
        rule = f" [{f.rule}]" if f.rule else ""
        out.write(f"{loc}: {f.code} {t('lint.' + str(f.level), lang)}{rule} {f.message(lang)}\n")


def as_dict(f: Finding, lang: str) -> dict[str, object]:
    loc = f.location
    return {"code": f.code, "level": f.level, "file": display_path(loc.file) if loc else None,
            "line": loc.line if loc else None, "col": loc.col if loc else None, "rule": f.rule,
            "message": f.message(lang)}


def write_json(findings: list[Finding], out: TextIO, lang: str, extra: dict[str, object] | None = None) -> None:
    data: dict[str, object] = {"findings": [as_dict(f, lang) for f in findings],
                               "summary": {"errors": sum(f.level == "error" for f in findings),
                                           "warnings": sum(f.level == "warning" for f in findings)}}
    data.update(extra or {})
    out.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def write_github(findings: list[Finding], out: TextIO, lang: str) -> None:
    """GitHub workflow commands: ``::error file=…,line=…,col=…,title=PB001::message``."""
    for f in findings:
        props = []
        if f.location:
            props += [f"file={_gh_escape(display_path(f.location.file), True)}", f"line={f.location.line}",
                      f"col={f.location.col}"]
        props.append(f"title={f.code}")
        rule = f"[{f.rule}] " if f.rule else ""
        out.write(f"::{f.level} {','.join(props)}::{_gh_escape(f.code + ' ' + rule + f.message(lang))}\n")


WRITERS = {"text": write_text, "github": write_github}
