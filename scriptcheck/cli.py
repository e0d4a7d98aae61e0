"""Command line: ``scriptcheck check|rules|explain|config|lint``.

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
from .model import CallReport
from .readers import ReadError, read_paths
from .report import FORMATS
from .rulebook import RulebookError, load_rulebook

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
        return load_rulebook(discover_rulebook(rules))
    except RulebookError as e:
        err.print(f"[bold red]rulebook error[/] {escape(str(e))}")
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
    paths: Annotated[list[str], typer.Argument(help="Transcript files, folders or globs (.json, .jsonl, .txt).")],
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
    db: Annotated[Optional[Path], typer.Option("--db", help="Also record the run in this SQLite history.")] = None,  # noqa: UP045
) -> None:
    """Check calls and report verdicts, scores and evidence."""
    if fmt not in FORMATS:
        err.print(f"[red]unknown --format {escape(fmt)!r}; choose one of: {', '.join(FORMATS)}[/]")
        raise typer.Exit(Exit.ERROR)
    if lang not in (None, "zh", "en"):
        err.print("[red]--lang must be zh or en[/]")
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
    checker = Checker(rb, lang=lang, mask_pii=False if show_pii else None)
    args = {"paths": paths, "rules": rules, "format": fmt, "output": output, "lang": lang, "show_pii": show_pii,
            "resume": resume, "jobs": jobs}
    recorder = _start_history(db, rb, args) if db is not None else None
    out_file, done = batch.open_output(output, resume) if output is not None else (None, [])
    formatter = FORMATS[fmt](out_file or sys.stdout, lang=checker.lang, checks=rb.checks)
    status = "failed"
    try:
        formatter.start()
        with _progress(enabled=err.is_terminal and (output is not None or not sys.stdout.isatty())) as tick:
            sink = tick if recorder is None else _both(tick, recorder.add)
            for report in done if recorder is not None else ():  # the resumed calls belong to this run too
                recorder.add(report)
            result = batch.run(checker, paths, formatter, done, jobs=jobs or os.cpu_count() or 1, progress=sink)
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


def _start_history(db: Path, rb: Rulebook, args: dict[str, object]) -> RunRecorder:
    from .history import HistoryError, RunRecorder

    try:
        return RunRecorder.start(db, rb, args)
    except HistoryError as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(Exit.ERROR) from None


def _both(first: Callable[[CallReport], None] | None,
          second: Callable[[CallReport], None]) -> Callable[[CallReport], None]:
    if first is None:
        return second

    def both(report: CallReport) -> None:
        first(report)
        second(report)

    return both


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[CallReport], None] | None]:
    """A live progress line on a terminal (calls, calls/s, failures so far); silent otherwise."""
    if not enabled:
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    failed = 0
    with Progress(SpinnerColumn(), TextColumn("{task.completed} calls"), TextColumn("{task.speed:>6.0f}/s"),
                  TextColumn("[red]{task.fields[failed]} failed"), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task("check", total=None, failed=0)

        def tick(report: CallReport) -> None:
            nonlocal failed
            failed += report.verdict != "pass"
            bar.update(task, advance=1, failed=failed)

        yield tick


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
def scenarios(rules: RulesOpt = None, lang: LangOpt = None) -> None:
    """The norms' scenarios with their recommended wording: a trainee's cheat sheet."""
    rb = _load(rules)
    en = (lang or rb.settings.lang) == "en"
    table = Table(show_lines=True)
    table.add_column("scenario", no_wrap=True)
    table.add_column("推荐用语 / recommended", overflow="fold")
    table.add_column("rules", no_wrap=True)
    for sid, sc in rb.scenarios.items():
        name = (sc.name_en or sc.name) if en else sc.name
        table.add_row(f"{escape(name)}\n[dim]{sid}[/]", escape("\n".join(sc.recommended)), "\n".join(sc.rules))
    Console(highlight=False).print(table)


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
    import csv as csvlib

    from . import history as h

    if by not in ("day", "run") or fmt not in ("table", "json", "csv") or lang not in (None, "zh", "en"):
        err.print("[red]--by day|run, --format table|json|csv, --lang zh|en[/]")
        raise typer.Exit(Exit.ERROR)
    lang = lang or "zh"
    try:
        conn = h.connect(db, create=False)
        try:
            trend = h.agent_trend(conn, agent, by, rulebook) if agent else None
            rows = trend.rows if trend else h.list_runs(conn, limit or None)
        finally:
            conn.close()
    except h.HistoryError as e:
        err.print(f"[red]{escape(str(e))}[/]")
        raise typer.Exit(Exit.ERROR) from None
    if trend is not None and not rows:
        err.print(f"[yellow]no calls of agent {escape(trend.agent)!r} in {escape(str(db))}[/]")
    columns = list(rows[0]) if rows else (["day" if by == "day" else "run"] if agent else list(h.RUN_COLUMNS))
    if fmt == "json":
        data = rows if trend is None else {"agent": trend.agent, "rulebook": trend.rulebook,
                                           "rulebook_hash": trend.rulebook_hash, "pass_mark": trend.pass_mark,
                                           "by": by, "rows": rows}
        print(json.dumps(data, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        sys.stdout.write("\ufeff")  # Excel reads the Chinese correctly
        writer = csvlib.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow([h.label(c, lang) for c in columns])
        for row in rows:
            writer.writerow([json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v for v in row.values()])
    else:
        c = Console(highlight=False)
        if trend is None:
            c.print(h.rows_table(rows, list(h.RUN_TABLE_COLUMNS), lang))
        elif rows:
            title = f"{h.label('agent', lang)} {trend.agent} · {trend.rulebook} ({(trend.rulebook_hash or '')[:12]})"
            c.print(h.rows_table(rows, columns, lang, title=escape(title)))
            c.print(f"[bold]{h.label('trend', lang)}[/]")
            c.print(h.trend_chart(trend, lang))


@app.command()
def lint(rules: RulesOpt = None) -> None:
    """Validate the rulebook and run every rule's examples (the pre-commit check)."""
    rb = _load(rules)
    checker = Checker(rb)
    problems = 0
    for rule in rb.rules.values():
        loc = rb.location("rules", rule.id, "examples") or rb.location("rules", rule.id)
        for r in run_examples(checker, rule):
            if not r.ok:
                problems += 1
                print(f"{loc}: PB004 {rule.id}: {r.expected} example gave {r.status}: {r.text.strip()!r}")
        if not rule.examples.pass_ or not rule.examples.fail:
            print(f"{loc}: PB009 {rule.id}: warning: needs both pass and fail examples")
    print(f"{len(rb.rules)} rules, {problems} example mismatches", file=sys.stderr)
    raise typer.Exit(Exit.FINDINGS if problems else Exit.OK)


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
        err.print(f"[red]scriptcheck serve needs the review extra: pip install 'scriptcheck[review]' ({e})[/]")
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
