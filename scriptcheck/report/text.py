"""``--format text``: a rich terminal report for inspectors — verdict, score, quoted evidence."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..i18n import t
from ..model import CallReport, Finding
from .base import Formatter, Summary


def clock(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    m, s = divmod(seconds, 60)
    return f"{int(m):02d}:{s:04.1f}"


class TextFormatter(Formatter):
    def start(self) -> None:
        self.console = Console(file=self.stream, highlight=False, soft_wrap=True)

    def call(self, r: CallReport) -> None:
        lang, c = self.lang, self.console
        who = f" ({escape(r.agent_id)})" if r.agent_id else ""
        if r.verdict == "error":
            c.print(f"[bold magenta]✘ {t('error', lang)}[/] {escape(r.call_id)}{who}")
            for e in r.errors:
                c.print(f"    [magenta]{escape(e)}[/]")
            return
        style = "green" if r.verdict == "pass" else "red"
        mark = "✔" if r.verdict == "pass" else "✘"
        red = f"  [bold white on red] {t('red_line', lang)} [/]" if r.red_line else ""
        c.print(f"[bold {style}]{mark} {t(r.verdict, lang)}[/] {escape(r.call_id)}{who}  "
                f"{t('score', lang)} [bold]{r.score:g}[/]{red}")
        failed = [k for k, v in r.checks.items() if v == "fail"]
        if failed:
            c.print("    " + " · ".join(f"[{style}]{escape(self.check_label(k))}[/]" for k in failed))
        for f in r.findings:
            self._finding(f)
        for f in r.advice:
            self._finding(f, advisory=True)
        for e in r.errors:
            c.print(f"    [magenta]! {escape(e)}[/]")

    def _finding(self, f: Finding, advisory: bool = False) -> None:
        lang, c = self.lang, self.console
        where = ""
        if f.segment is not None:
            where = f"{t(f.stage, lang)} {t('segment', lang, n=f.segment)} {clock(f.start)}"
        spk = t(f.speaker, lang) if f.speaker else ""
        level = f" [yellow]({t('warning', lang)})[/]" if f.level == "warning" else ""
        if advisory:
            level += f" [blue]({t('advice', lang)})[/]"
        c.print(f"  • [bold]{escape(self.check_label(f.check))}[/] [dim]{escape(f.rule)}[/]{level}  {escape(where)}")
        quoted = escape(f.text)
        if f.matched and f.matched != f.text and f.matched in f.text:
            quoted = escape(f.text).replace(escape(f.matched), f"[reverse]{escape(f.matched)}[/]", 1)
        c.print(f"    {spk}:“{quoted}”")
        note = f"({escape(f.note)})" if f.note else ""
        c.print(f"    {escape(f.message)}{note}")
        if f.suggestion:
            c.print(f"    [cyan]{t('suggestion', lang)}:{escape(f.suggestion)}[/]")

    def finish(self, s: Summary) -> None:
        lang, c = self.lang, self.console
        c.print()
        c.print(f"[bold]{t('summary', lang)}[/]: {t('calls', lang)} {s.read} · "
                f"[green]{t('passed', lang)} {s.passed}[/] · [red]{t('failed', lang)} {s.failed}[/] · "
                f"{t('red_lines', lang)} {s.red_lines} · {t('errors', lang)} {s.errors}"
                + (f" · {t('mean_score', lang)} {s.mean_score}" if s.mean_score is not None else ""))
        stats = s.agent_stats()
        if stats and any(isinstance(v.get("duration"), dict) for v in stats.values()):
            table = Table(show_header=True, header_style="bold", title=t("by_agent", lang))
            for col in ("agent", "calls", "mean_score", "aht", "aht_p90", "silence", "rate"):
                table.add_column(t(col, lang), justify="left" if col == "agent" else "right")
            for agent, row in stats.items():
                def fig(k: str, q: str = "mean", r=row) -> str:
                    v = r.get(k)
                    return f"{v[q]:g}" if isinstance(v, dict) else "-"
                table.add_row(escape(agent), str(row["calls"]), fig("score"), fig("duration"), fig("duration", "p90"),
                              fig("silence_ratio"), fig("agent_chars_per_min"))
            c.print(table)
        if s.check_fails:
            table = Table(show_header=True, header_style="bold")
            table.add_column(t("check", lang))
            table.add_column(t("fail_count", lang), justify="right")
            table.add_column(t("fail_rate", lang), justify="right")
            judged = max(s.passed + s.failed, 1)
            for name in self.checks or s.check_fails:
                n = s.check_fails.get(name, 0)
                if n:
                    table.add_row(escape(self.check_label(name)), str(n), f"{n / judged:.0%}")
            c.print(table)
