"""Command line: ``scriptcheck check|convert|rules|explain|config|lint``.

Exit codes (one table for every command):
    0    every call passes / lint clean
    1    some call fails (or could not be read) / lint found problems
    2    usage, rulebook or config error: the run could not be trusted
    130  interrupted (Ctrl-C, SIGTERM): the output so far is kept as FILE.partial, resumable
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import __version__, batch
from .engine import Checker
from .examples import run_examples
from .i18n import t
from .readers import INPUT_FORMATS, ReadError, ReadOptions, parse_columns, parse_roles, read_paths
from .report import FORMATS
from .rulebook import RulebookError, load_cached

if TYPE_CHECKING:
    from .history import RunRecorder
    from .rulebook import Rulebook


class Exit(IntEnum):
    OK = 0
    FINDINGS = 1
    ERROR = 2
    INTERRUPTED = 130  # Ctrl-C / SIGTERM: partial output kept, resumable


app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Check Chinese call-center transcripts against a service-norm rulebook.")
err = Console(stderr=True, highlight=False, soft_wrap=True)  # messages are grepped: never wrap them

RulesOpt = Annotated[Optional[str], typer.Option("--rules", "-r", help="Rulebook YAML (default: ./scriptcheck.yaml if found, else the built-in default).")]  # noqa: UP045,E501
InputFormatOpt = Annotated[Optional[str], typer.Option("--input-format", help=f"Read every input as this format (default: detected from content): {', '.join(INPUT_FORMATS)}.")]  # noqa: UP045,E501
RolesOpt = Annotated[Optional[str], typer.Option("--roles", help="Channel/speaker ids to roles, e.g. 0=agent,1=customer or spk0=坐席 (default: inferred from what is said).")]  # noqa: UP045,E501
ColumnsOpt = Annotated[Optional[str], typer.Option("--columns", help="CSV/Excel column names, e.g. text=内容,speaker=角色,start=开始,end=结束,call_id=录音编号,unit=ms (default: detected from the header).")]  # noqa: UP045,E501
LangOpt = Annotated[Optional[str], typer.Option("--lang", help="Report language: zh (default) or en.")]  # noqa: UP045


def discover_rulebook(explicit: str | None) -> str:
    """--rules, else scriptcheck.yaml in this or a parent directory, else the built-in default."""
    if explicit:
        return explicit
    here = Path.cwd()
    for d in (here, *here.parents):
        cand = d / "scriptcheck.yaml"
        if cand.is_file():
            return str(cand)
    return "default"


def _load(rules: str | None):
    try:
        return load_cached(discover_rulebook(rules))
    except RulebookError as e:
        err.print(f"[bold red]rulebook error[/] {escape(str(e))}")
        raise typer.Exit(Exit.ERROR) from None


def _read_options(input_format: str | None, roles: str | None, columns: str | None) -> ReadOptions:
    """--input-format / --roles / --columns checked up front: a typo is a usage error (exit 2), not 10,000 errors."""
    if input_format is not None and input_format not in INPUT_FORMATS:
        err.print(f"[red]unknown --input-format {escape(input_format)!r}; choose one of: {', '.join(INPUT_FORMATS)}[/]")
        raise typer.Exit(Exit.ERROR)
    try:
        return ReadOptions(input_format=input_format, roles=parse_roles(roles), columns=parse_columns(columns))
    except ValueError as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(Exit.ERROR) from None


def _version(value: bool) -> None:
    if value:
        print(f"scriptcheck {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True)] = False) -> None:
    """scriptcheck: QA for call-center speech."""


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(help="Transcript files, folders or globs (any supported format).")],
    rules: RulesOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")] = "text",
    output: Annotated[Optional[Path],  # noqa: UP045
                      typer.Option("--output", "-o", help="Write here (FILE.partial until done).")] = None,
    lang: LangOpt = None,
    show_pii: Annotated[bool, typer.Option("--show-pii", help="Do not mask ID/card/phone numbers.")] = False,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when calls fail.")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted --output run.")] = False,
    engine: Annotated[str, typer.Option(help="local, or dask (JSON Lines in, partitioned JSON Lines out).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address (--engine dask).")] = None,  # noqa: UP045
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=0,
                                      help="Worker processes (0, the default: all cores; 1: in-process).")] = 0,
    input_format: InputFormatOpt = None,
    roles: RolesOpt = None,
    columns: ColumnsOpt = None,
    db: Annotated[Optional[Path], typer.Option("--db", help="Also record the run in this SQLite history.")] = None,  # noqa: UP045
) -> None:
    """Check calls and report verdicts, scores and evidence."""
    read_options = _read_options(input_format, roles, columns)
    if fmt not in FORMATS:
        err.print(f"[red]unknown --format {escape(fmt)!r}; choose one of: {', '.join(FORMATS)}[/]")
        raise typer.Exit(Exit.ERROR)
    if lang not in (None, "zh", "en"):
        err.print("[red]--lang must be zh or en[/]")
        raise typer.Exit(Exit.ERROR)
    if engine == "dask" and read_options != ReadOptions():
        err.print("[red]--engine dask reads formats.md JSON Lines and Parquet as they are (no --input-format, "
                  "--roles, --columns): run `scriptcheck convert` first[/]")
        raise typer.Exit(Exit.ERROR)
    if engine == "dask" and db is not None:
        err.print("[red]--db records local runs only (not --engine dask)[/]")
        raise typer.Exit(Exit.ERROR)
    if engine == "dask":
        _check_on_dask(paths, rules, output, fmt, scheduler, lang, show_pii, exit_zero)
    if engine != "local":
        err.print(f"[red]unknown --engine {escape(engine)!r}: local or dask[/]")
        raise typer.Exit(Exit.ERROR)
    if resume and (output is None or fmt != "json"):
        err.print("[red]--resume needs --format json and --output FILE[/]")
        raise typer.Exit(Exit.ERROR)
    rb = _load(rules)
    checker = Checker(rb, lang=lang, mask_pii=False if show_pii else None, transcript=FORMATS[fmt].needs_transcript)
    args = {"paths": paths, "rules": rules, "format": fmt, "output": output, "lang": lang, "show_pii": show_pii,
            "resume": resume, "jobs": jobs}
    recorder = _start_history(db, rb, args) if db is not None else None
    out_file, done = batch.open_output(output, resume) if output is not None else (None, [])
    formatter = FORMATS[fmt](out_file or sys.stdout, lang=checker.lang, checks=rb.checks)
    status = "failed"
    try:
        formatter.start()
        on_tty = err.is_terminal and (output is not None or not sys.stdout.isatty())
        with _progress(on_tty, lambda: _left_to_check(paths, read_options, len(done))) as tick:
            for report in done if recorder is not None else ():  # the resumed calls belong to this run too
                recorder.add(report)
            result = batch.run(checker, paths, formatter, done, jobs=jobs or os.cpu_count() or 1, progress=tick,
                               on_report=recorder.add if recorder is not None else None,
                               read_options=read_options)
        if not result.interrupted:
            formatter.finish(result.summary)
        status = "interrupted" if result.interrupted else "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if out_file is not None:
            out_file.close()
        if recorder is not None:
            recorder.close(status)
            err.print(f"history: run {recorder.run_id} ({status}) recorded in {escape(str(db))}")
    s = result.summary
    checked = s.passed + s.failed - sum(1 for r in done if r.verdict != "error")
    err.print(f"scriptcheck: {s.read} calls read = {checked} checked + {s.errors} errors"
              + (f" + {result.resumed} from the earlier run" if resume else "")
              + f"; {s.failed} failed, {s.red_lines} red lines")
    if result.interrupted:
        where = f"; partial output kept in {batch.partial_path(output)}, continue with --resume" if output else ""
        err.print(f"[yellow]interrupted after {s.read} calls{where}[/]")
        raise typer.Exit(Exit.INTERRUPTED)
    if output is not None:
        batch.finish_output(output)
    if not result.reconciled:
        err.print("[red]calls read and calls reported disagree: the output is incomplete[/]")
        raise typer.Exit(Exit.ERROR)
    if s.read == 0:
        err.print("[red]no calls found in the given paths[/]")
        raise typer.Exit(Exit.ERROR)
    if exit_zero:
        raise typer.Exit(Exit.OK)
    raise typer.Exit(Exit.FINDINGS if (s.failed or s.errors) else Exit.OK)


def _check_on_dask(paths: list[str], rules: str | None, output: Path | None, fmt: str, scheduler: str | None,
                   lang: str | None, show_pii: bool, exit_zero: bool) -> None:
    """``--engine dask``: the same checks on a cluster; ``--output`` is a folder of partitions."""
    from .cluster import check_on_dask, read_reports

    if output is None or fmt != "json":
        err.print("[red]--engine dask writes partitioned JSON Lines: give --format json --output FOLDER[/]")
        raise typer.Exit(Exit.ERROR)
    rulebook = discover_rulebook(rules)
    _load(rulebook)  # a rulebook error is reported here, before any worker starts
    try:
        files = check_on_dask(paths, output, rulebook=rulebook, scheduler=scheduler, lang=lang,
                              mask_pii=False if show_pii else None)
    except FileNotFoundError as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(Exit.ERROR) from None
    rows = read_reports(files)
    failed = sum(r["verdict"] == "fail" for r in rows)
    errors = sum(r["verdict"] == "error" for r in rows)
    err.print(f"scriptcheck: {len(rows)} calls = {len(rows) - errors} checked + {errors} errors; {failed} failed; "
              f"{len(files)} partitions in {output}")
    raise typer.Exit(Exit.OK if exit_zero or not (failed or errors) else Exit.FINDINGS)


def _left_to_check(paths: list[str], options: ReadOptions, resumed: int) -> int | None:
    """The calls the progress line waits for: those under ``paths`` but the ones a resumed run has."""
    from .readers.count import count_calls

    total = count_calls(paths, options)
    return None if total is None else max(total - resumed, 0)


def _start_history(db: Path, rb: Rulebook, args: dict[str, object]) -> RunRecorder:
    from .history import HistoryError, RunRecorder

    try:
        return RunRecorder.start(db, rb, args)
    except HistoryError as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(Exit.ERROR) from None


@contextmanager
def _progress(enabled: bool, count: Callable[[], int | None] | None = None
              ) -> Iterator[Callable[[int, int], None] | None]:
    """A live progress line on a terminal (calls done of the total, calls/s, failures so far, time
    elapsed and left); silent otherwise. Told counts, not reports: a batch's workers may keep the
    reports to themselves. ``count`` finds the total in a background thread (counting a 2 GB JSON
    Lines file takes a second or two), so checking starts at once and the ETA appears when it is
    known; without a total (a spreadsheet, a JSON list) the line counts and shows no ETA."""
    if not enabled:
        yield None
        return
    import threading

    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Calls(ProgressColumn):
        """``1,234/20,000 calls``, or ``1,234 calls`` while the total is not known."""

        def render(self, task: Task) -> Text:
            done = int(task.completed)
            return Text(f"{done:,}/{int(task.total):,} calls" if task.total is not None else f"{done:,} calls")

    class Rate(ProgressColumn):
        """Calls a second, once rich has measured it (``task.speed`` is None until then)."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} calls/s" if speed is not None else "… calls/s", style="cyan")

    failed = 0
    with Progress(SpinnerColumn(), Calls(), BarColumn(), Rate(),
                  TextColumn("[red]{task.fields[failed]:,} failed"), TimeElapsedColumn(), TimeRemainingColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("check", total=None, failed=0)

        def find_total() -> None:
            total = count() if count is not None else None
            if total is not None:
                bar.update(task, total=total)

        threading.Thread(target=find_total, name="count-calls", daemon=True).start()

        def tick(calls: int, not_passed: int) -> None:
            nonlocal failed
            failed += not_passed
            bar.update(task, advance=calls, failed=failed)

        yield tick


@app.command()
def convert(
    paths: Annotated[list[str], typer.Argument(help="Inputs in any supported format: files, folders or globs.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSON Lines file to write (FILE.partial until done).")],
    input_format: InputFormatOpt = None,
    roles: RolesOpt = None,
    columns: ColumnsOpt = None,
) -> None:
    """Convert any supported input to formats.md §1a JSON Lines, one call per line (an archive's normal form)."""
    from .readers.convert import call_line

    read_options = _read_options(input_format, roles, columns)
    out_file, _ = batch.open_output(output, resume=False)
    calls = problems = unreadable = 0
    try:
        for item in read_paths(paths, read_options):
            if isinstance(item, ReadError):
                unreadable += 1
                err.print(f"[yellow]{escape(item.message)}[/]")
                continue
            for e in item.errors:
                problems += 1
                err.print(f"[yellow]{escape(e)}[/]")
            if item.segments:
                out_file.write(call_line(item) + "\n")
                calls += 1
            else:
                unreadable += 1
    finally:
        out_file.close()
    batch.finish_output(output)
    err.print(f"scriptcheck convert: {calls} calls written to {output}; {unreadable} unreadable, {problems} problems")
    if calls == 0 and unreadable == 0:
        err.print("[red]no calls found in the given paths[/]")
        raise typer.Exit(Exit.ERROR)
    raise typer.Exit(Exit.FINDINGS if (unreadable or problems) else Exit.OK)


@app.command("rules")
def list_rules(rules: RulesOpt = None, lang: LangOpt = None) -> None:
    """List the rules of the rulebook with their check, kind, level and weight."""
    rb = _load(rules)
    table = Table("id", "check", "kind", "stage", "level", "weight", "enabled", "message")
    for r in rb.rules.values():
        table.add_row(r.id, r.check, r.kind, r.stage, r.level, f"{r.weight:g}", "yes" if r.enabled else "no",
                      escape(r.text("message", lang or rb.settings.lang) or ""))
    Console(highlight=False).print(table)


@app.command()
def explain(rule_id: str, rules: RulesOpt = None, lang: LangOpt = None,
            as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Print a rule: what it checks, why, its suggestion and its examples (run live)."""
    rb = _load(rules)
    rule = rb.rules.get(rule_id)
    if rule is None:
        near = [r for r in rb.rules if rule_id in r] or list(rb.rules)[:10]
        err.print(f"[red]no rule {escape(rule_id)!r}[/]; e.g. {', '.join(near[:10])}")
        raise typer.Exit(Exit.ERROR)
    lang = lang or rb.settings.lang
    results = run_examples(Checker(rb, lang=lang), rule)
    if as_json:
        data = rule.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        data["examples_ok"] = all(r.ok for r in results)
        data["defined_at"] = str(rb.location("rules", rule_id) or "")
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    c = Console(highlight=False)
    c.print(f"[bold]{rule.id}[/]  ({rule.kind}, check={rule.check}, stage={rule.stage}, "
            f"speaker={rule.speaker}, level={rule.level}, weight={rule.weight:g}"
            f"{', RED LINE' if rule.is_red_line else ''})")
    c.print(f"[dim]{rb.location('rules', rule_id)}[/]")
    c.print(escape(rule.text("message", lang) or ""))
    if rule.description:
        c.print(escape(rule.description))
    if rule.suggestion:
        c.print(f"[cyan]建议 / suggestion: {escape(rule.text('suggestion', lang) or '')}[/]")
    for r in results:
        mark = "[green]✔[/]" if r.ok else "[red]✘[/]"
        c.print(f"  {mark} {r.expected.upper()}: {escape(r.text.strip())}")


@app.command()
def scenarios(name: Annotated[Optional[str], typer.Argument(help="One scenario (id or name).")] = None,  # noqa: UP045
              rules: RulesOpt = None, lang: LangOpt = None,
              as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """A trainee's cheat sheet: each scenario, when it applies, what it requires, taboo wording, model wording."""
    from .practice_report import cheat_sheet

    rb = _load(rules)
    lang = lang or rb.settings.lang
    sheet = [s for s in cheat_sheet(rb, lang) if name in (None, s["id"], s["name"], rb.scenarios[s["id"]].name)]
    if name and not sheet:
        err.print(f"[red]no scenario {escape(name)!r}; one of: {', '.join(rb.scenarios)}[/]")
        raise typer.Exit(Exit.ERROR)
    if as_json:
        print(json.dumps(sheet, ensure_ascii=False, indent=1))
        return
    en = lang == "en"
    table = Table(show_lines=True)
    for col in (("场景", "scenario"), ("适用情形", "when"), ("必须说", "required"), ("忌语 → 改用", "taboo → instead"),
                ("推荐用语", "model wording")):
        table.add_column(col[en], overflow="fold")
    for s in sheet:
        required = "\n".join(f"•{r['say'] or r['must']}" for r in s["required"])  # no space: a bullet never wraps alone
        taboo = "\n".join(f"✘{' / '.join(x['never'])}\n→{x['instead']}" for x in s["taboo"] if x["never"])
        table.add_row(f"{escape(s['name'])}\n[dim]{s['id']}[/]", escape(s["when"] or ""), escape(required),
                      escape(taboo), escape("\n".join(s["recommended"])))
    Console(highlight=False).print(table)


@app.command()
def practice(
    paths: Annotated[list[str], typer.Argument(help="Practice scripts (.txt), folders or globs.")],
    scenario: Annotated[Optional[str], typer.Option("--scenario", "-s", help="The scenario practised (id or name; "  # noqa: UP045
                                                    "overrides a script's `# scenario:` line).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json (one report per line) or sarif.")] = "text",
    fix: Annotated[bool, typer.Option("--fix", help="Write NAME.fixed.txt with every taboo phrase replaced.")] = False,
    rules: RulesOpt = None, lang: LangOpt = None,
) -> None:
    """Coach practice scripts: stages in order, the scenario's responses, taboo phrases (exit 1 if any)."""
    from .practice import Coach, PracticeError, expand
    from .practice_report import coach_files

    if fmt not in ("text", "json", "sarif") or lang not in (None, "zh", "en"):
        err.print("[red]--format text|json|sarif, --lang zh|en[/]")
        raise typer.Exit(Exit.ERROR)
    try:
        coach = Coach(_load(rules), lang=lang)
    except PracticeError as e:
        err.print(f"[bold red]rulebook error[/] {escape(str(e))}")
        raise typer.Exit(Exit.ERROR) from None
    if scenario and coach.scenario_id(scenario) is None:
        err.print(f"[red]no scenario {escape(scenario)!r}; one of: {', '.join(coach.rb.scenarios)}[/]")
        raise typer.Exit(Exit.ERROR)
    files, missing = expand(paths)
    for m in missing:
        err.print(f"[red]{escape(m)}[/]")
    if not files:
        err.print("[red]no practice scripts found in the given paths[/]")
        raise typer.Exit(Exit.ERROR)
    reports = coach_files(coach, files, scenario, fmt, fix, sys.stdout, missing)
    bad = sum(not r.passed for r in reports)
    err.print(t("practice.summary", coach.lang, n=len(reports), ok=len(reports) - bad, bad=bad))
    raise typer.Exit(Exit.FINDINGS if bad or missing else Exit.OK)


@app.command()
def config(rules: RulesOpt = None,
           dump: Annotated[bool, typer.Option("--dump", help="Print the merged rulebook as YAML.")] = False) -> None:
    """Show which rulebook is used; ``--dump`` prints the merged result of all `extends`."""
    rb = _load(rules)
    if dump:
        print(yaml.safe_dump(rb.raw, allow_unicode=True, sort_keys=False, width=120), end="")
        return
    print(f"rulebook: {rb.source}")
    for f in rb.files:
        print(f"  file: {f}")
    print(f"rules: {len(rb.rules)} ({len(rb.enabled_rules)} enabled); phrases: {len(rb.lexicon)}")


@app.command()
def audit(
    paths: Annotated[list[str], typer.Argument(help="Calls to audit (e.g. real agents' chats assumed mostly clean).")],
    rules: RulesOpt = None,
    checks: Annotated[str, typer.Option(help="Comma-separated checks to list; a trailing * is a prefix.")] = (
        "forbidden_phrase,redline_*"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """False-alarm audit: every finding of the chosen checks, and their rate per 1,000 agent turns."""
    rb = _load(rules)
    checker = Checker(rb)
    wanted = [c.strip() for c in checks.split(",") if c.strip()]

    def chosen(check: str) -> bool:
        return any(check.startswith(w[:-1]) if w.endswith("*") else check == w for w in wanted)

    calls = turns = errors = 0
    rows: list[dict[str, object]] = []
    for item in read_paths(paths):
        if isinstance(item, ReadError):
            errors += 1
            continue
        calls += 1
        turns += sum(s.speaker == "agent" for s in item.segments)
        for f in checker.check(item).findings:
            if chosen(f.check):
                rows.append({"call_id": item.call_id, "check": f.check, "rule": f.rule, "level": f.level,
                             "segment": f.segment, "matched": f.matched, "text": f.text})
    per_k = {c: round(1000 * n / turns, 3) if turns else 0.0 for c, n in
             Counter(str(r["check"]) for r in rows if r["level"] == "error").items()}
    red = sum(1 for r in rows if str(r["check"]).startswith("redline_") and r["level"] == "error")
    summary = {"calls": calls, "agent_turns": turns, "unreadable": errors, "findings": len(rows),
               "per_1000_agent_turns": per_k,
               "redline_per_1000_agent_turns": round(1000 * red / turns, 3) if turns else 0.0}
    if as_json:
        print(json.dumps({"summary": summary, "findings": rows}, ensure_ascii=False, indent=1))
        return
    c = Console(highlight=False)
    table = Table("call", "rule", "level", "matched", "text", show_lines=False)
    for r in rows:
        table.add_row(escape(str(r["call_id"]))[-24:], str(r["rule"]), str(r["level"]),
                      escape(str(r["matched"])), escape(str(r["text"])))
    c.print(table)
    c.print(json.dumps(summary, ensure_ascii=False))


@app.command()
def docs(rules: RulesOpt = None,
         output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here (e.g. docs/rules.md).")] = None,  # noqa: UP045,E501
         ) -> None:
    """Generate the rules reference (rule kinds with a live-checked example each, every rule)."""
    from .docs import render

    text = render(Checker(_load(rules)))
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
def summary(
    reports: Annotated[list[Path], typer.Argument(help="JSON Lines reports from `check -f json`.")],
    by: Annotated[str, typer.Option(help="agent, check or day.")] = "agent",
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
) -> None:
    """Aggregate reports per agent, per check or per day (pass/fail counts, red lines, mean score)."""
    import csv as csvlib

    from .summary import load_reports, summarize

    if by not in ("agent", "check", "day") or fmt not in ("table", "json", "csv"):
        err.print("[red]--by agent|check|day, --format table|json|csv[/]")
        raise typer.Exit(Exit.ERROR)
    missing = [str(p) for p in reports if not p.is_file()]
    if missing:
        err.print(f"[red]no such report: {escape(', '.join(missing))}[/]")
        raise typer.Exit(Exit.ERROR)
    loaded, problems = load_reports(reports)
    for p in problems:
        err.print(f"[yellow]{escape(p)}[/]")
    rows = summarize(loaded, by)
    if fmt == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        sys.stdout.write("\ufeff")
        writer = csvlib.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else [by], lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        table = Table(*(rows[0].keys() if rows else [by]))
        for row in rows:
            table.add_row(*("" if v is None else escape(str(v)) for v in row.values()))
        Console(highlight=False).print(table)


@app.command()
def lint(
    paths: Annotated[Optional[list[str]], typer.Argument(  # noqa: UP045
        help="Rulebooks, phrasebooks or folders (default: the rulebook in use).")] = None,
    rules: RulesOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or github (workflow annotations).")] = "text",
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")] = False,
    corpus: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        help="Benign agent turns for PB008 (text, one per line, or JSON/JSONL calls).")] = None,
    max_share: Annotated[float, typer.Option(min=0, max=1, help="PB008: largest share of benign turns a taboo "
                                                                "wording may fire on.")] = 0.01,
    robust: Annotated[bool, typer.Option("--robustness", help="Also test ASR-like variants of every phrase "
                                                             "(PB013).")] = False,
    min_robust: Annotated[float, typer.Option(min=0, max=1,
                                              help="PB013: least share of variants still caught.")] = 0.75,
    lang: LangOpt = None,
) -> None:
    """Lint rulebooks and phrasebooks: schema, duplicates, conflicts, regexes, dead or too generic
    wordings, examples (codes PB000–PB013, see docs/lint.md). Exit 0 clean, 1 errors (or warnings
    with --strict), 2 unreadable input."""
    from .lint import LintOptions
    from .lint import lint as run_lint
    from .lint.corpus import CorpusError
    from .lint.findings import write_github, write_json, write_text

    if fmt not in ("text", "json", "github") or lang not in (None, "zh", "en"):
        err.print("[red]--format text|json|github, --lang zh|en[/]")
        raise typer.Exit(Exit.ERROR)
    lang = lang or "zh"
    options = LintOptions(corpus=corpus, max_share=max_share, robustness=robust, min_robust=min_robust)
    try:
        result = run_lint(paths or [], rules, discover_rulebook(None), options)
    except CorpusError as e:
        err.print(f"[red]--corpus: {escape(str(e))}[/]")
        raise typer.Exit(Exit.ERROR) from None
    found = result.findings
    if fmt == "json":
        rows = [r.as_dict() for r in result.robustness]
        write_json(found, sys.stdout, lang, {"robustness": rows} if robust else None)
    else:
        (write_github if fmt == "github" else write_text)(found, sys.stdout, lang)
        if robust and fmt == "text":
            for r in sorted(result.robustness, key=lambda r: r.share):
                print(f"robustness {r.rule}: {r.share:.0%} ({r.matched}/{r.variants})")
    sys.stdout.flush()
    for f in found:
        if f.code == "PB000":
            err.print(f"[bold red]unreadable[/] {escape(str(f.location))}: {escape(f.message(lang))}")
    errors = sum(f.level == "error" for f in found)
    warnings = len(found) - errors
    err.print(t("lint.summary", lang, files=len(result.files), rules=result.rules, errors=errors, warnings=warnings))
    if result.unreadable:
        raise typer.Exit(Exit.ERROR)
    raise typer.Exit(Exit.FINDINGS if errors or (strict and warnings) else Exit.OK)


@app.command("diff")
def diff_rulebooks(
    old: Annotated[str, typer.Argument(help="The rulebook before the edit (path, or `default`).")],
    new: Annotated[str, typer.Argument(help="The rulebook after the edit.")],
    calls: Annotated[list[str], typer.Argument(help="Transcript files, folders or globs to check with both.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
) -> None:
    """Impact of a rulebook edit: calls whose verdict, score or red-line status changes, and findings
    added and removed per rule. Exit 0 no change, 1 some call changes, 2 rulebook/usage error."""
    from .impact import impact, render_text

    if fmt not in ("text", "json"):
        err.print("[red]--format text|json[/]")
        raise typer.Exit(Exit.ERROR)
    before, after = Checker(_load(old)), Checker(_load(new))
    result = impact(before, after, read_paths(calls))
    for msg in result.unreadable:
        err.print(f"[yellow]{escape(msg)}[/]")
    if fmt == "json":
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(render_text(result))
    if result.calls == 0:
        err.print("[red]no calls found in the given paths[/]")
        raise typer.Exit(Exit.ERROR)
    raise typer.Exit(Exit.FINDINGS if result.changes else Exit.OK)


@app.command()
def history(
    db: Annotated[Path, typer.Option("--db", help="The SQLite history written by `check --db`.")] = Path("results.db"),
    agent: Annotated[Optional[str], typer.Option("--agent", help="Show this agent's score trend.")] = None,  # noqa: UP045
    by: Annotated[str, typer.Option(help="Trend per day (the calls' dates) or per run.")] = "day",
    rulebook: Annotated[Optional[str], typer.Option(help="Rulebook hash prefix (default: the latest used).")] = None,  # noqa: UP045
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    limit: Annotated[int, typer.Option(help="At most this many runs (0: all).", min=0)] = 0,
    lang: LangOpt = None,
) -> None:
    """The recorded runs, or an agent's score trend (table and chart) across runs and days."""
    from .history import HistoryError, show

    if by not in ("day", "run") or fmt not in ("table", "json", "csv") or lang not in (None, "zh", "en"):
        err.print("[red]--by day|run, --format table|json|csv, --lang zh|en[/]")
        raise typer.Exit(Exit.ERROR)
    try:
        show(db, agent=agent, by=by, rulebook=rulebook, fmt=fmt, limit=limit, lang=lang or "zh", err=err)
    except HistoryError as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(Exit.ERROR) from None


# ---- the review workspace (issue 10): scriptcheck/review.py, review_web.py ----------------------------------

DbOpt = Annotated[Path, typer.Option("--db", help="The SQLite history written by `check --db`.")]


def _review_conn(db: Path):  # -> sqlite3.Connection (history imported lazily)
    from .history import HistoryError, connect

    try:
        return connect(db, create=False)
    except HistoryError as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(Exit.ERROR) from None


@app.command()
def serve(
    db: DbOpt = Path("results.db"),
    host: Annotated[str, typer.Option(help="Interface to bind; anything but loopback exposes the pages.")] = (
        "127.0.0.1"),
    port: Annotated[int, typer.Option(help="TCP port.", min=0, max=65535)] = 8787,
    user: Annotated[Optional[str], typer.Option("--user", help="Reviewer name to prefill (stored as given).")] = None,  # noqa: UP045
    lang: LangOpt = None,
) -> None:
    """Review pages for inspectors: confirm/reject findings, appeals, rule precision (local web app)."""
    if lang not in (None, "zh", "en"):
        err.print("[red]--lang must be zh or en[/]")
        raise typer.Exit(Exit.ERROR)
    try:
        from .review_web import serve as run_server
    except ImportError as e:
        err.print(f"[red]scriptcheck serve needs the review extra: pip install "
                  f"'scriptcheck\\[review]' ({escape(str(e))})[/]")
        raise typer.Exit(Exit.ERROR) from None
    _review_conn(db).close()  # a missing or foreign database is a clear error before the server starts
    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]binding to {escape(host)}: the review pages have no login, anyone who reaches "
                  "this port can read transcripts and record decisions[/]")
    try:
        run_server(db, host, port, lang=lang or "zh", user=user, announce=lambda m: err.print(escape(m)))
    except SystemExit as e:  # uvicorn exits 3 when it cannot bind (port in use, no such interface)
        if e.code:
            err.print(f"[red]scriptcheck serve could not listen on {escape(host)} port {port} (see above)[/]")
            raise typer.Exit(Exit.ERROR) from None
        raise


@app.command("review-stats")
def review_stats(
    db: DbOpt = Path("results.db"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    top: Annotated[int, typer.Option(help="Rules in the phrasebook to-do list.", min=0)] = 10,
    lang: LangOpt = None,
) -> None:
    """Rule precision from inspectors' reviews, and the most rejected rules with their snippets."""
    import csv as csvlib

    from . import review

    if fmt not in ("table", "json", "csv") or lang not in (None, "zh", "en"):
        err.print("[red]--format table|json|csv, --lang zh|en[/]")
        raise typer.Exit(Exit.ERROR)
    conn = _review_conn(db)
    try:
        rules, todo = review.rule_precision(conn), review.phrasebook_todo(conn, top)
    finally:
        conn.close()
    columns = ["rule", "check", "confirmed", "rejected", "reviewed", "precision"]
    if fmt == "json":
        print(json.dumps({"rules": rules, "todo": todo}, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        sys.stdout.write("\ufeff")
        writer = csvlib.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\r\n", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rules)
    else:
        c = Console(highlight=False)
        if not rules:
            err.print(f"[yellow]no review decisions in {escape(str(db))} yet[/]")
            return
        from .i18n import t

        lg = lang or "zh"
        heads = ["rv.rule", "check", "rv.confirmed", "rv.rejected", "rv.decided", "rv.precision_col"]
        table = Table(title=t("rv.precision", lg))
        for i, h in enumerate(heads):  # rule ids are folded, never cut: they are what the editor greps for
            table.add_column(t(h, lg), overflow="fold", justify="right" if i >= 2 else "left", no_wrap=i >= 2)
        for r in rules:
            table.add_row(r["rule"], r["check"], str(r["confirmed"]), str(r["rejected"]), str(r["reviewed"]),
                          "–" if r["precision"] is None else f"{r['precision']:.3f}")
        c.print(table)
        if todo:
            c.print(f"[bold]{t('rv.todo', lg)}[/]")
        for r in todo:
            c.print(f"[bold]{escape(r['rule'])}[/] {t('rv.rejected', lg)} {r['rejected']}:")
            for s in r["snippets"]:
                where = f"{escape(s['evidence'])} ({escape(s['call_id'])})"
                c.print(f"  「{escape(s['matched'])}」×{s['count']}  [dim]{where}[/]")


@app.command("review-export")
def review_export(
    db: DbOpt = Path("results.db"),
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here (default: stdout).")] = None,  # noqa: UP045
) -> None:
    """Every review decision and appeal, as JSON Lines or CSV (UTF-8 with BOM)."""
    from . import review

    if fmt not in ("jsonl", "csv"):
        err.print("[red]--format jsonl|csv[/]")
        raise typer.Exit(Exit.ERROR)
    conn = _review_conn(db)
    try:
        text = review.export_text(conn, fmt)
    finally:
        conn.close()
    if fmt == "csv":
        text = "\ufeff" + text
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8", newline="")
        err.print(f"scriptcheck: {text.count(chr(10)) - (fmt == 'csv')} decisions written to {escape(str(output))}")


def run() -> None:
    app()
