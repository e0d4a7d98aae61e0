"""Practice-mode output: the coaching report as text, JSON Lines or SARIF 2.1.0, and the scenario cheat sheet.

SARIF puts every gap, stage out of order and taboo phrase where editors show it: the script file,
the line and column of the offending words, the rule's id, message and help text from the rulebook,
and for a taboo phrase the replacement ``--fix`` would make.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from rich.console import Console
from rich.markup import escape

from . import __version__
from .i18n import t
from .matchers.pii import mask
from .practice import ORDER_RULE, STAGES, TABOO_KINDS, Coach, Coaching, Point, Script, read_script
from .practice_fix import edit_for, fix
from .rulebook import Rulebook

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"error": "error", "warning": "warning"}


# --- text ---------------------------------------------------------------------------------------

def render_text(r: Coaching, console: Console, lang: str, rb: Rulebook) -> None:
    """The coaching report a trainer hands back: strengths, gaps in flow order, order, taboo."""
    c = console
    mode = t(f"practice.mode.{r.mode}", lang) + (f" · {t('practice.traditional', lang)}" if r.traditional else "")
    scenario = ""
    if r.scenario:
        sc = rb.scenarios[r.scenario]
        name = (sc.name_en or sc.name) if lang == "en" else sc.name
        scenario = f" · {t('practice.scenario', lang)}: {escape(name)} ({r.scenario})"
    verdict = (f"[bold green]✔ {t('practice.passed', lang)}[/]" if r.passed
               else f"[bold red]✘ {t('practice.failed', lang)}[/]")
    c.print(f"[bold]{escape(r.script)}[/]  [dim]{escape(mode)}{scenario}[/]  {verdict}")
    for e in r.errors:
        c.print(f"  [magenta]! {escape(e)}[/]")
    if r.strengths:
        c.print(f"  [bold green]{t('practice.strengths', lang)}[/]")
        for p in r.strengths:
            c.print(f"    [green]✔[/] {escape(p.message)}{_where(p, lang)}{_quote(p)}")
    if r.gaps:
        c.print(f"  [bold red]{t('practice.gaps', lang)}[/]")
        for p in r.gaps:
            _point(c, p, lang)
    if r.order:
        c.print(f"  [bold red]{t('practice.order', lang)}[/]")
        for p in r.order:
            c.print(f"    [red]✘[/] {escape(p.message)} [dim]{escape(p.rule)}[/]")
            if p.recommended:
                c.print(f"      [cyan]{t('practice.recommended', lang)}: {escape(' / '.join(p.recommended))}[/]")
    if r.taboo:
        c.print(f"  [bold red]{t('practice.taboo', lang)}[/]")
        for p in r.taboo:
            red = f" [bold white on red] {t('red_line', lang)} [/]" if p.status == "red_line" else ""
            c.print(f"    [red]✘[/]{_where(p, lang, column=True)} 「[reverse]{escape(p.matched)}[/]」{red} "
                    f"{escape(p.message)} [dim]{escape(p.rule)}[/]")
            if p.replacement:
                c.print(f"      [cyan]→ {escape(p.replacement)}[/]")
    if r.tips:
        c.print(f"  [bold yellow]{t('practice.tips', lang)}[/]")
        for p in r.tips:
            _point(c, p, lang, mark="[yellow]•[/]")
    if r.fixed:
        c.print(f"  [cyan]{t('practice.fixed', lang)}: {escape(r.fixed)}[/]")
        for ch in r.changes:
            c.print(f"    {t('practice.line', lang, n=ch.line)}: {escape(ch.before.strip())}")
            c.print(f"    {' ' * len(t('practice.line', lang, n=ch.line))}→ [cyan]{escape(ch.after.strip())}[/]")


def _where(p: Point, lang: str, column: bool = False) -> str:
    if p.line is None:
        return ""
    col = t("practice.column", lang, n=p.column) if column and p.column else ""
    return f" [dim]({t('practice.line', lang, n=p.line)}{col})[/]"


def _quote(p: Point) -> str:
    return f" “{escape(p.text)}”" if p.text else ""


def _point(c: Console, p: Point, lang: str, mark: str = "[red]✘[/]") -> None:
    note = f" [dim]({escape(p.note)})[/]" if p.note else ""
    c.print(f"    {mark} [bold]{escape(t(f'stage.{p.stage}', lang))}[/]{_where(p, lang)} {escape(p.message)}{note} "
            f"[dim]{escape(p.rule)}[/]")
    if p.recommended:
        c.print(f"      [cyan]{t('practice.recommended', lang)}: {escape(' / '.join(p.recommended))}[/]")


# --- JSON ---------------------------------------------------------------------------------------

def json_line(r: Coaching) -> str:
    return json.dumps(r.model_dump(mode="json"), ensure_ascii=False)


# --- SARIF --------------------------------------------------------------------------------------

def artifact_uri(path: str) -> str:
    p = Path(path)
    return p.resolve().as_uri() if p.is_absolute() else quote(p.as_posix())


def _descriptor(rb: Rulebook, rule_id: str, lang: str) -> dict[str, Any]:
    if rule_id == ORDER_RULE:
        order = " → ".join(t(f"stage.{s}", lang) for s in STAGES)
        return {"id": ORDER_RULE, "name": "StageOrder",
                "shortDescription": {"text": t("practice.order", lang)},
                "fullDescription": {"text": order},
                "help": {"text": order},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["practice", "order"]}}
    rule = rb.rules[rule_id]
    message = rule.text("message", lang) or rule_id
    suggestion = rule.text("suggestion", lang)
    help_text = "\n".join(x for x in (suggestion and f"{t('practice.recommended', lang)}: {suggestion}",
                                        rule.description) if x) or message
    props: dict[str, Any] = {"check": rule.check, "kind": rule.kind, "stage": rule.stage,
                             "tags": ["practice", rule.check] + (["red-line"] if rule.is_red_line else [])}
    return {"id": rule.id, "shortDescription": {"text": message},
            "fullDescription": {"text": rule.description or message}, "help": {"text": help_text},
            "defaultConfiguration": {"level": _SARIF_LEVEL[rule.level]}, "properties": props}


def _region(p: Point, script: Script | None, hide: Any = str) -> dict[str, Any] | None:
    if p.line is None:
        return None
    region: dict[str, Any] = {"startLine": p.line}
    if p.column:
        region["startColumn"] = p.column
        if p.end_column and p.end_column > p.column:
            region["endColumn"] = p.end_column
    if script is not None and 0 < p.line <= len(script.lines):
        region["snippet"] = {"text": hide(script.lines[p.line - 1])}
    return region


def _result(p: Point, index: dict[str, int], uri: str, art: int, script: Script | None, lang: str,
            hide: Any) -> dict[str, Any]:
    text = p.message
    if p.recommended:
        text += f" → {t('practice.recommended', lang)}: {' / '.join(p.recommended)}"
    loc: dict[str, Any] = {"artifactLocation": {"uri": uri, "index": art}}
    region = _region(p, script, hide)
    if region is not None:
        loc["region"] = region
    result: dict[str, Any] = {
        "ruleId": p.rule, "ruleIndex": index[p.rule], "kind": "fail", "level": _SARIF_LEVEL[p.level],
        "message": {"text": text}, "locations": [{"physicalLocation": loc}],
        "properties": {"stage": p.stage, "category": p.kind, **({"status": p.status} if p.status else {})},
    }
    if p.kind == "taboo" and p.replacement and script is not None and p.line is not None:
        edit = edit_for(script, p)
        if edit is not None:
            start, end, inserted = edit
            result["fixes"] = [{
                "description": {"text": f"→ {p.replacement}"},
                "artifactChanges": [{"artifactLocation": {"uri": uri, "index": art}, "replacements": [{
                    "deletedRegion": {"startLine": p.line, "startColumn": start + 1, "endColumn": end + 1},
                    "insertedContent": {"text": inserted}}]}],
            }]
    return result


def sarif(items: list[tuple[Coaching, Script | None]], rb: Rulebook, lang: str,
          problems: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """One SARIF 2.1.0 log: one run, an artifact per script, a result per gap, order problem and taboo."""
    rule_ids: list[str] = []
    for r, _ in items:
        for p in [*r.gaps, *r.order, *r.taboo, *r.tips]:
            if p.rule not in rule_ids:
                rule_ids.append(p.rule)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    hide = mask if rb.settings.mask_pii else str  # snippets quote the script: personal numbers masked
    artifacts, results, notes = [], [], []
    for art, (r, script) in enumerate(items):
        uri = artifact_uri(r.script)
        artifacts.append({"location": {"uri": uri}, "roles": ["analysisTarget"],
                          **({"encoding": script.encoding} if script is not None else {})})
        for p in [*r.gaps, *r.order, *r.taboo, *r.tips]:
            results.append(_result(p, index, uri, art, script, lang, hide))
        for e in r.errors:
            notes.append({"level": "error", "message": {"text": e},
                          "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "index": art}}}]})
    notes += [{"level": "error", "message": {"text": e}} for e in problems]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "scriptcheck", "version": __version__, "semanticVersion": __version__,
                                "rules": [_descriptor(rb, rid, lang) for rid in rule_ids]}},
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
            "results": results,
        }],
    }


# --- the cheat sheet ----------------------------------------------------------------------------

def cheat_sheet(rb: Rulebook, lang: str) -> list[dict[str, Any]]:
    """Every scenario: when it applies, the responses it requires, its taboo wording and the model wording."""
    en = lang == "en"
    out = []
    for sid, sc in rb.scenarios.items():
        required, taboo = [], []
        for rid in sc.rules:
            rule = rb.rules[rid]
            if rule.kind in TABOO_KINDS:
                said = list(getattr(rule, "phrases", [])[:3]) or rule.examples.fail[:2]
                taboo.append({"rule": rid, "never": said, "instead": rule.suggestion})
            else:
                required.append({"rule": rid, "must": rule.text("message", lang), "say": rule.suggestion})
        out.append({"id": sid, "name": (sc.name_en or sc.name) if en else sc.name,
                    "when": (sc.when_en or sc.when) if en else sc.when,
                    "required": required, "taboo": taboo, "recommended": list(sc.recommended)})
    return out


# --- a batch ------------------------------------------------------------------------------------

def coach_files(coach: Coach, files: list[Path], scenario: str | None, fmt: str, fix_them: bool, stream: TextIO,
                problems: list[str]) -> list[Coaching]:
    """Coach every script (an unreadable one becomes a report with its error: nothing is lost) and write
    the reports as they come (text, JSON Lines) or at the end (one SARIF log)."""
    console = Console(file=stream, highlight=False, soft_wrap=True)
    done: list[tuple[Coaching, Script | None]] = []
    for path in files:
        script = read_script(path)
        if isinstance(script, str):
            report, read = Coaching(script=str(path), errors=[script]), None
        else:
            report, read = coach.coach(script, scenario), script
            if fix_them:
                fix(coach, script, report, scenario)
        done.append((report, read))
        if fmt == "text":
            render_text(report, console, coach.lang, coach.rb)
            console.print()
        elif fmt == "json":
            stream.write(json_line(report) + "\n")
    if fmt == "sarif":
        stream.write(json.dumps(sarif(done, coach.rb, coach.lang, problems), ensure_ascii=False, indent=1) + "\n")
    return [r for r, _ in done]
