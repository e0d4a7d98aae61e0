"""``--format html``: one self-contained page for QA inspectors (works offline: no CDN, no network).

A batch overview (KPIs, score histogram, failure rate per check, a per-agent table sortable by any
column), a sticky filter bar (agent, verdict, check), and per call the transcript in stage bands
(greeting / service / hold / closing) with every finding highlighted on its exact characters and its
rule, time, message and suggestion beside it. Charts are matplotlib figures rendered to inline SVG;
matplotlib is imported only here, when the page is finished, so other formats never pay for it.

Calls are rendered as they arrive into a temporary file and copied after the overview (which needs
the whole batch), so memory stays flat. Every piece of report text goes through ``html.escape``, and
the page's Content-Security-Policy allows only its own script (by hash) and no network at all.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import shutil
import tempfile
from array import array
from collections import Counter
from datetime import datetime
from html import escape
from string import Template
from typing import Any

from ..i18n import t
from ..model import CallReport, Finding, Utterance
from .base import Formatter, Summary
from .text import clock

# Words of the page that the shared label table (``i18n``) does not have.
TEXT: dict[str, tuple[str, str]] = {
    "title": ("通话质检报告", "Call QA report"),
    "generated": ("生成于", "generated"),
    "masked": ("身份证号、银行卡号、手机号已脱敏", "ID-card, bank-card and phone numbers are masked"),
    "unmasked": ("注意:本报告含未脱敏的个人信息(--show-pii)", "Warning: personal numbers are NOT masked (--show-pii)"),
    "overview": ("批次概览", "Batch overview"),
    "histogram": ("得分分布", "Score distribution"),
    "check_rates": ("各检查项不合格率", "Failure rate per check"),
    "axis_calls": ("通话数", "calls"),
    "all_agents": ("全部坐席", "all agents"),
    "all_verdicts": ("全部结论", "all verdicts"),
    "all_checks": ("全部检查项", "all checks"),
    "shown": ("显示", "showing"),
    "expand": ("全部展开", "expand all"),
    "collapse": ("全部收起", "collapse all"),
    "none_match": ("没有符合筛选条件的通话", "No call matches the filters"),
    "call_level": ("整通", "whole call"),
    "input_errors": ("读取错误", "input errors"),
    "duration": ("时长", "duration"),
    "findings_n": ("{n} 个问题", "{n} findings"),
    "no_findings": ("无问题", "no findings"),
    "silence": ("静默 {s} 秒", "{s} s of silence"),
    "min_score": ("最低分", "lowest score"),
    "red_line_calls": ("高压线通话", "red-line calls"),
    "empty_batch": ("没有通话", "no calls"),
    "legend_red": ("高压线", "red line"),
    "legend_error": ("不合格", "failure"),
    "legend_warning": ("提示", "warning"),
    "legend_advice": ("辅导", "coaching"),
    "verdict": ("结论", "verdict"),
    "no_chart": ("图表需要 matplotlib:pip install matplotlib",
                 "charts need matplotlib: pip install matplotlib"),
}

# Chinese fonts matplotlib may find; the first one installed draws the chart labels.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
             "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "SimHei", "Noto Sans CJK JP", "Droid Sans Fallback")
OPEN_FIRST = 50  # calls with findings among the first ones are shown expanded; the rest start collapsed
GAP_SHOWN = 5.0  # seconds of silence worth a marker between two utterances
SEVERITY = ("redline", "error", "warning", "advice")  # most severe first


def _x(value: object) -> str:
    """Escaped text for element content and quoted attributes."""
    return escape("" if value is None else str(value), quote=True)


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:g}"


class HtmlFormatter(Formatter):
    needs_transcript = True

    def start(self) -> None:
        # rendered calls wait here until the overview (which needs the whole batch) is written; closed in finish()
        self.body = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self.labels = {c: self.check_label(c) for c in self.checks}
        self.n = 0
        self.agent_counts: dict[str, Counter[str]] = {}  # per agent: failed, red-line calls (Summary lacks them)
        self.check_counts: Counter[str] = Counter()  # calls having a finding of each check (filter options)
        self.unmasked = False  # some report shows personal numbers (--show-pii): the page says so
        self.scores: dict[str, array[float]] = {k: array("d") for k in ("pass", "fail", "red_line")}  # histogram

    def w(self, key: str, **kw: object) -> str:
        """A page word in the report's language (``TEXT``, else the shared ``i18n`` table)."""
        pair = TEXT.get(key)
        if pair is None:
            return t(key, self.lang, **kw)
        text = pair[1] if self.lang == "en" else pair[0]
        return text.format(**kw) if kw else text

    # ---- one call -------------------------------------------------------------------------------
    def call(self, report: CallReport) -> None:
        cid = f"c{self.n}"
        self.n += 1
        agent = report.agent_id or "-"
        self.unmasked = self.unmasked or not report.pii_masked
        if report.verdict != "error" and report.score is not None:
            self.scores["red_line" if report.red_line else report.verdict].append(report.score)
        if report.verdict != "error":
            counts = self.agent_counts.setdefault(agent, Counter())
            counts["failed"] += report.verdict == "fail"
            counts["red"] += report.red_line
        checks = {f.check for f in [*report.findings, *report.advice]}
        checks.update(c for c, s in report.checks.items() if s == "fail")
        self.check_counts.update(checks)
        self.body.write(self._call_html(report, cid, checks, expanded=self.n <= OPEN_FIRST))

    def _call_html(self, r: CallReport, cid: str, checks: set[str], expanded: bool) -> str:
        findings = [*r.findings, *r.advice]
        ids = {id(f): f"{cid}-f{i}" for i, f in enumerate(findings)}
        advice = {id(f) for f in r.advice}
        kinds = {id(f): self._kind(f, id(f) in advice) for f in findings}
        verdict = r.verdict
        badges = f'<span class="badge v-{verdict}">{_x(t(verdict, self.lang))}</span>'
        if r.red_line:
            badges += f'<span class="badge redline">{_x(t("red_line", self.lang))}</span>'
        failed = [c for c, s in r.checks.items() if s == "fail"]
        chips = "".join(f'<span class="chip{" chip-red" if c.startswith("redline_") else ""}">'
                        f"{_x(self.labels.get(c, c))}</span>" for c in failed)
        score = "" if r.score is None else f'<span class="score">{_x(t("score", self.lang))} <b>{r.score:g}</b></span>'
        meta = [x for x in (r.started_at, r.source) if x]
        if r.metrics.duration is not None:
            meta.insert(0, f"{self.w('duration')} {clock(r.metrics.duration)}")
        count = self.w("findings_n", n=len(r.findings)) if r.findings else self.w("no_findings")
        head = (f'<summary class="call-head">{badges}<span class="cid">{_x(r.call_id)}</span>'
                f'<span class="agent">{_x(t("agent", self.lang))} {_x(r.agent_id or "-")}</span>{score}'
                f'<span class="count">{_x(count)}</span><span class="chips">{chips}</span>'
                f'<span class="meta">{" · ".join(_x(m) for m in meta)}</span></summary>')
        parts = [head, '<div class="call-body">']
        if r.errors:
            parts.append(f'<div class="input-errors"><b>{_x(self.w("input_errors"))}</b><ul>'
                         + "".join(f"<li>{_x(e)}</li>" for e in r.errors) + "</ul></div>")
        placed = bool(r._transcript)  # else (a report made without transcript) each card quotes its utterance
        if findings:
            parts.append(self._index(findings, ids, kinds, cid, placed))
        apart = [f for f in findings if f.segment is None or not placed]
        if apart:
            parts.append(f'<div class="call-level"><div class="call-level-label">{_x(self.w("call_level"))}</div>'
                         + "".join(self._card(f, ids[id(f)], kinds[id(f)], quote=not placed) for f in apart)
                         + "</div>")
        parts.append(self._transcript(r, findings, ids, kinds, cid))
        parts.append("</div>")
        data = (f'data-agent="{_x(r.agent_id or "-")}" data-verdict="{verdict}" data-redline="{int(r.red_line)}" '
                f'data-checks="{_x(" ".join(sorted(checks)))}"')
        return (f'<article class="call v-{verdict}{" is-redline" if r.red_line else ""}" id="{cid}" {data}>'
                f'<details{" open" if expanded and (findings or r.errors) else ""}>{"".join(parts)}</details>'
                "</article>\n")

    def _kind(self, f: Finding, advisory: bool) -> str:
        """How a finding is shown: red line, failure, warning (reported, not scored) or coaching."""
        if advisory:
            return "advice"
        if f.level == "warning":
            return "warning"
        return "redline" if f.red_line or f.check.startswith("redline_") else "error"

    def _index(self, findings: list[Finding], ids: dict[int, str], kinds: dict[int, str], cid: str,
               placed: bool) -> str:
        """The call's findings as a clickable list: each jumps to its utterance (or its card)."""
        items = []
        for f in findings:
            fid, kind = ids[id(f)], kinds[id(f)]
            target = f"{cid}-s{f.segment}" if f.segment is not None and placed else fid
            where = t("segment", self.lang, n=f.segment) if f.segment is not None else self.w("call_level")
            items.append(f'<li class="k-{kind}" data-check="{_x(f.check)}"><a href="#{target}" class="jump" '
                         f'data-jump="{target}" data-finding="{fid}"><span class="where">{_x(where)}</span>'
                         f'<span class="what">{_x(self.labels.get(f.check, f.check))}</span>'
                         f'<span class="quote">{_x(f.matched)}</span></a></li>')
        return f'<ol class="finding-index">{"".join(items)}</ol>'

    def _card(self, f: Finding, fid: str, kind: str, quote: bool = False) -> str:
        """A finding beside its utterance: check, rule, time, message (note) and suggestion;
        ``quote``: also the utterance itself, its evidence marked (when there is no transcript to mark)."""
        tag = {"redline": t("red_line", self.lang), "warning": t("warning", self.lang),
               "advice": t("advice", self.lang)}.get(kind)
        tag_html = f'<span class="tag">{_x(tag)}</span>' if tag else ""
        time = f'<span class="f-time">{_x(clock(f.start))}</span>' if f.start is not None else ""
        note = f'<div class="f-note">{_x(f.note)}</div>' if f.note else ""
        sug = (f'<div class="f-sug"><span>{_x(t("suggestion", self.lang))}</span>{_x(f.suggestion)}</div>'
               if f.suggestion else "")
        said = ""
        if quote and f.text:
            who = f'<span class="spk">{_x(t(f.speaker, self.lang))}</span>' if f.speaker else ""
            said = f'<div class="f-quote">{who}{_highlight(f.text, [(_span(f, f.text), fid, kind)])}</div>'
        return (f'<div class="finding k-{kind}" id="{fid}" data-check="{_x(f.check)}"><div class="f-head">{tag_html}'
                f'<span class="f-check">{_x(self.labels.get(f.check, f.check))}</span>{time}'
                f'<code class="f-rule">{_x(f.rule)}</code></div>'
                f'{said}<div class="f-msg">{_x(f.message)}</div>{note}{sug}</div>')

    def _transcript(self, r: CallReport, findings: list[Finding], ids: dict[int, str], kinds: dict[int, str],
                    cid: str) -> str:
        """Utterances grouped in stage bands, findings marked in place and listed beside."""
        utts: list[Utterance] = r._transcript or []
        if not utts:
            return ""
        by_seg: dict[int, list[Finding]] = {}
        for f in findings:
            if f.segment is not None and 0 <= f.segment < len(utts):
                by_seg.setdefault(f.segment, []).append(f)
        out = ['<div class="transcript">']
        stage = None
        prev_end: float | None = None
        for i, u in enumerate(utts):
            if u.stage != stage:
                if stage is not None:
                    out.append("</div>")
                stage = u.stage
                out.append(f'<div class="band st-{_x(stage)}"><div class="band-label">{_x(t(stage, self.lang))}</div>')
            if u.start is not None and prev_end is not None and u.start - prev_end >= GAP_SHOWN:
                out.append(f'<div class="gap">{_x(self.w("silence", s=f"{u.start - prev_end:.1f}"))}</div>')
            if u.end is not None:
                prev_end = u.end if prev_end is None else max(prev_end, u.end)
            here = by_seg.get(i, [])
            marks = [(_span(f, u.text), ids[id(f)], kinds[id(f)]) for f in here]
            speaker = t(u.speaker, self.lang) + (f" · {u.label}" if u.label else "")
            worst = min((SEVERITY.index(k) for _, _, k in marks), default=None)
            flagged = f" flagged k-{SEVERITY[worst]}" if worst is not None else ""
            out.append(f'<div class="utt spk-{u.speaker}{flagged}" id="{cid}-s{i}">'
                       f'<div class="utt-meta"><span class="time">{_x(clock(u.start) if u.start is not None else "")}'
                       f'</span><span class="spk">{_x(speaker)}</span><span class="seg">#{i}</span></div>'
                       f'<div class="utt-text">{_highlight(u.text, marks)}</div>'
                       f'<div class="notes">{"".join(self._card(f, ids[id(f)], kinds[id(f)]) for f in here)}</div>'
                       "</div>")
        out.append("</div></div>")
        return "".join(out)

    # ---- the page -------------------------------------------------------------------------------
    def finish(self, summary: Summary) -> None:
        histogram, rates = self._charts(summary)
        digest = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
        head = PAGE_HEAD.substitute(
            lang="en" if self.lang == "en" else "zh-CN", title=_x(self.w("title")), css=STYLE, script_hash=digest,
            generated=_x(f"{self.w('generated')} {datetime.now().astimezone():%Y-%m-%d %H:%M}"),
            privacy=self._privacy(not self.unmasked), kpis=self._kpis(summary), overview=_x(self.w("overview")),
            histogram_title=_x(self.w("histogram")), histogram=histogram,
            rates_title=_x(self.w("check_rates")), rates=rates,
            agents=self._agents(summary), filters=self._filters(summary), legend=self._legend(),
        )
        self.stream.write(head)
        self.body.seek(0)
        shutil.copyfileobj(self.body, self.stream)
        self.body.close()
        self.stream.write(PAGE_TAIL.substitute(none_match=_x(self.w("none_match")), script=SCRIPT))

    def _charts(self, summary: Summary) -> tuple[str, str]:
        """The two overview charts as SVG; without matplotlib, a note saying how to get them."""
        try:
            charts = Charts(self.lang, self.labels)
        except ImportError:  # the page is still useful without its charts
            note = f'<p class="no-chart">{_x(self.w("no_chart"))}</p>'
            return note, note
        judged = summary.passed + summary.failed
        rates = [(c, summary.check_fails.get(c, 0) / judged) for c, info in self.checks.items()
                 if not info.advisory] if judged else []
        histogram = charts.histogram(self.scores) if any(self.scores.values()) else ""
        return histogram, charts.check_rates(rates) if rates else ""

    def _privacy(self, masked: bool) -> str:
        return (f'<span class="privacy">{_x(self.w("masked"))}</span>' if masked
                else f'<span class="privacy unmasked">{_x(self.w("unmasked"))}</span>')

    def _kpis(self, s: Summary) -> str:
        items = [("calls", s.read, ""), ("passed", s.passed, "ok"), ("failed", s.failed, "bad"),
                 ("red_lines", s.red_lines, "red"), ("errors", s.errors, "err"),
                 ("mean_score", "-" if s.mean_score is None else f"{s.mean_score:g}", "")]
        return "".join(f'<div class="kpi {cls}" data-kpi="{key}"><div class="kpi-v">{_x(v)}</div>'
                       f'<div class="kpi-k">{_x(t(key, self.lang))}</div></div>' for key, v, cls in items)

    def _agents(self, s: Summary) -> str:
        cols = [("agent", "text"), ("calls", "num"), ("mean_score", "num"), ("min_score", "num"),
                ("failed", "num"), ("fail_rate", "num"), ("red_line_calls", "num"), ("aht", "num")]
        head = "".join(f'<th data-sort="{kind}" aria-sort="none">{_x(self.w(c))}</th>' for c, kind in cols)
        rows = []
        for agent, row in s.agent_stats().items():
            figures = s.by_agent[agent]
            calls = int(row["calls"])  # type: ignore[arg-type]
            score, dur = row.get("score"), row.get("duration")
            mean = score["mean"] if isinstance(score, dict) else None
            lowest = min(figures["score"]) if figures["score"] else None
            counts = self.agent_counts.get(agent, Counter())
            rate = counts["failed"] / calls if calls else 0.0
            aht = dur["mean"] if isinstance(dur, dict) else None
            cells = [(agent, f'<button class="agent-link" data-agent="{_x(agent)}">{_x(agent)}</button>'),
                     (calls, str(calls)), (mean, _num(mean)), (lowest, _num(lowest)),
                     (counts["failed"], str(counts["failed"])), (rate, f"{rate:.0%}"),
                     (counts["red"], str(counts["red"])), (aht, _num(aht))]
            rows.append("<tr>" + "".join(f'<td data-v="{_x("" if v is None else v)}">{shown}</td>'
                                         for v, shown in cells) + "</tr>")
        return (f'<table class="agents sortable"><caption>{_x(t("by_agent", self.lang))}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")

    def _filters(self, s: Summary) -> str:
        agents = sorted({*s.by_agent, *self.agent_counts})
        agent_opts = "".join(f'<option value="{_x(a)}">{_x(a)}</option>' for a in agents)
        verdicts = "".join(f'<option value="{v}">{_x(t(k, self.lang))}</option>'
                           for v, k in (("pass", "pass"), ("fail", "fail"), ("red_line", "red_line"),
                                        ("error", "error")))
        names = [c for c in self.checks if c in self.check_counts] + sorted(set(self.check_counts) - set(self.checks))
        check_opts = "".join(f'<option value="{_x(c)}">{_x(self.labels.get(c, c))} ({self.check_counts[c]})</option>'
                             for c in names)
        return (f'<label>{_x(t("agent", self.lang))} <select id="f-agent"><option value="">'
                f'{_x(self.w("all_agents"))}</option>{agent_opts}</select></label>'
                f'<label>{_x(self.w("verdict"))} '
                f'<select id="f-verdict"><option value="">{_x(self.w("all_verdicts"))}</option>{verdicts}'
                "</select></label>"
                f'<label>{_x(t("check", self.lang))} <select id="f-check"><option value="">'
                f'{_x(self.w("all_checks"))}</option>{check_opts}</select></label>'
                f'<span class="f-count">{_x(self.w("shown"))} <b id="f-count">{self.n}</b> / {self.n}</span>'
                f'<button id="expand-all" type="button">{_x(self.w("expand"))}</button>'
                f'<button id="collapse-all" type="button">{_x(self.w("collapse"))}</button>')

    def _legend(self) -> str:
        items = [("redline", "legend_red"), ("error", "legend_error"), ("warning", "legend_warning"),
                 ("advice", "legend_advice")]
        marks = "".join(f'<span class="lg"><mark class="hl k-{k}">{_x(self.w(key))}</mark></span>' for k, key in items)
        stages = "".join(f'<span class="lg lg-stage st-{s}">{_x(t(s, self.lang))}</span>'
                         for s in ("greeting", "service", "hold", "closing"))
        return marks + stages


def _span(f: Finding, text: str) -> tuple[int, int] | None:
    """The finding's characters in its utterance: the matcher's offsets, else the quoted words."""
    if f.span is not None and f.span[1] <= len(text):
        return f.span
    if f.matched and f.matched in text:
        a = text.index(f.matched)
        return a, a + len(f.matched)
    return None


def _highlight(text: str, marks: list[tuple[tuple[int, int] | None, str, str]]) -> str:
    """``text`` escaped, its marked spans wrapped in ``<mark>`` (overlaps split; the most severe styles a piece)."""
    spans = [(a, b, fid, kind) for (span, fid, kind) in marks if span is not None for a, b in [span] if a < b]
    if not spans:
        return _x(text)
    cuts = sorted({0, len(text), *(a for a, _, _, _ in spans), *(b for _, b, _, _ in spans)})
    out = []
    for a, b in itertools.pairwise(cuts):
        piece = _x(text[a:b])
        cover = [(fid, kind) for x, y, fid, kind in spans if x <= a and b <= y]
        if not cover:
            out.append(piece)
            continue
        kind = min((k for _, k in cover), key=SEVERITY.index)
        out.append(f'<mark class="hl k-{kind}" data-f="{" ".join(fid for fid, _ in cover)}">{piece}</mark>')
    return "".join(out)


class Charts:
    """The overview's charts, drawn by matplotlib (object API, no pyplot state) as inline SVG.

    SVG text stays text (``svg.fonttype: none``) so the page's fonts draw it; labels are Chinese when
    matplotlib finds a Chinese font to measure them with, else the check ids, never boxes.
    """

    def __init__(self, lang: str, labels: dict[str, str]):
        from matplotlib import font_manager

        installed = {f.name for f in font_manager.fontManager.ttflist}
        self.cjk = next((name for name in CJK_FONTS if name in installed), None)
        self.lang = lang
        self.labels = labels
        self.rc: dict[str, Any] = {
            "svg.fonttype": "none", "text.parse_math": False,  # a "$" in a label is a dollar sign
            "font.size": 9, "font.family": "sans-serif",
            "font.sans-serif": [*([self.cjk] if self.cjk else []), "DejaVu Sans"],
            "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#9aa3ad",
            "axes.labelcolor": "#3b4450", "xtick.color": "#59636e", "ytick.color": "#59636e",
        }

    def _word(self, zh: str, en: str) -> str:
        return zh if self.lang != "en" and self.cjk else en

    def _svg(self, fig: Any, salt: str) -> str:
        import matplotlib

        buf = io.StringIO()
        with matplotlib.rc_context({**self.rc, "svg.hashsalt": salt}):
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
        svg = buf.getvalue()
        svg = svg[svg.index("<svg"):]  # no XML prolog / DOCTYPE inside HTML
        a, b = svg.find("<metadata>"), svg.find("</metadata>")  # RDF boilerplate, useless to a reader
        return svg[:a] + svg[b + len("</metadata>"):] if a >= 0 and b > a else svg

    def histogram(self, scores: dict[str, array[float]]) -> str:
        """Scores in bins of 10, stacked by verdict: passed, failed, red line (score 0)."""
        import matplotlib
        from matplotlib.figure import Figure

        kinds = [("pass", "#4f8a6b", "合格", "passed"), ("fail", "#d98c2b", "不合格", "failed"),
                 ("red_line", "#c0392b", "高压线", "red line")]
        kinds = [k for k in kinds if scores[k[0]]]
        with matplotlib.rc_context(self.rc):
            fig = Figure(figsize=(5.6, 2.9))
            ax = fig.add_subplot()
            bins = list(range(0, 101, 10))
            ax.hist([list(scores[k]) for k, *_ in kinds], bins=bins, stacked=True, color=[c for _, c, *_ in kinds],
                    label=[self._word(zh, en) for _, _, zh, en in kinds], edgecolor="white", linewidth=1)
            ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize=8)
            ax.set_xlim(0, 100)
            ax.set_xticks(bins)
            ax.yaxis.get_major_locator().set_params(integer=True)
            ax.set_xlabel(self._word("得分", "score"))
            ax.set_ylabel(self._word("通话数", "calls"))
            ax.grid(axis="y", color="#e3e7eb", linewidth=0.8)
            ax.set_axisbelow(True)
            return self._svg(fig, "histogram")

    def check_rates(self, rates: list[tuple[str, float]]) -> str:
        import matplotlib
        from matplotlib.figure import Figure

        names = [self.labels.get(c, c) if self.cjk or self.lang == "en" else c for c, _ in rates]
        with matplotlib.rc_context(self.rc):
            fig = Figure(figsize=(5.6, 0.24 * len(rates) + 0.8))
            ax = fig.add_subplot()
            ys = list(range(len(rates)))[::-1]
            colors = ["#c0392b" if c.startswith("redline_") else "#5b7a99" for c, _ in rates]
            bars = ax.barh(ys, [r * 100 for _, r in rates], color=colors, height=0.62)
            ax.set_yticks(ys, names)
            ax.set_xlim(0, 100)
            ax.set_xlabel(self._word("不合格率 (%)", "failure rate (%)"))
            ax.bar_label(bars, labels=[f"{r:.0%}" if r else "" for _, r in rates], padding=3, fontsize=8,
                         color="#3b4450")
            ax.tick_params(axis="y", length=0)
            ax.grid(axis="x", color="#e3e7eb", linewidth=0.8)
            ax.set_axisbelow(True)
            return self._svg(fig, "rates")


PAGE_HEAD = Template("""<!DOCTYPE html>
<html lang="$lang">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-$script_hash'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="scriptcheck">
<title>$title</title>
<style>$css</style>
</head>
<body>
<header class="top"><h1>$title</h1><div class="top-meta">$generated $privacy</div></header>
<section class="overview" aria-label="$overview">
<div class="kpis">$kpis</div>
<div class="charts">
<figure class="chart"><figcaption>$histogram_title</figcaption>$histogram</figure>
<figure class="chart"><figcaption>$rates_title</figcaption>$rates</figure>
</div>
$agents
</section>
<nav class="filters" id="filters">$filters<div class="legend">$legend</div></nav>
<main id="calls">
""")

PAGE_TAIL = Template("""</main>
<p id="empty" class="empty" hidden>$none_match</p>
<script>$script</script>
</body>
</html>
""")

STYLE = """
:root{--ink:#1f2933;--muted:#66717d;--line:#dde2e7;--bg:#f5f6f8;--card:#fff;--red:#b42318;--red-bg:#fde8e6;
--amber:#b25e09;--amber-bg:#fff4e0;--blue:#2f5f98;--blue-bg:#e8f0fa;--green:#1e7a46;--green-bg:#e4f4ea;
--st-greeting:#3c8d7f;--st-service:#a8b3bf;--st-hold:#c98a1c;--st-closing:#5b6bb8}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.55 -apple-system,"Segoe UI","PingFang SC",
"Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
.top{display:flex;align-items:baseline;gap:16px;flex-wrap:wrap;padding:14px 24px;background:#24303c;color:#fff}
.top h1{font-size:19px;margin:0;font-weight:600}.top-meta{font-size:12px;color:#c9d1d9;display:flex;gap:12px}
.privacy{padding:1px 8px;border-radius:10px;background:#36495c}.privacy.unmasked{background:var(--red);color:#fff}
.overview{padding:16px 24px 8px;display:grid;gap:14px}
.kpis{display:flex;gap:10px;flex-wrap:wrap}
.kpi{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 16px;min-width:110px}
.kpi-v{font-size:22px;font-weight:600}.kpi-k{font-size:12px;color:var(--muted)}
.kpi.ok .kpi-v{color:var(--green)}.kpi.bad .kpi-v{color:var(--amber)}.kpi.red .kpi-v{color:var(--red)}
.kpi.err .kpi-v{color:#7a3e9d}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:14px}
.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.chart figcaption{font-weight:600;margin-bottom:4px}.chart svg{display:block;max-width:100%;height:auto}
.chart svg text{font-family:-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei","Noto Sans CJK SC",
sans-serif!important}
table.agents{border-collapse:collapse;background:var(--card);border:1px solid var(--line);width:100%;font-size:13px}
table.agents caption{text-align:left;font-weight:600;padding:4px 0 6px}
table.agents th,table.agents td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:right}
table.agents th:first-child,table.agents td:first-child{text-align:left}
table.agents th{background:#eef1f4;cursor:pointer;user-select:none;white-space:nowrap}
table.agents th[aria-sort=ascending]::after{content:" ▲"}table.agents th[aria-sort=descending]::after{content:" ▼"}
table.agents tbody tr:hover{background:#f7f9fb}
.agent-link{border:0;background:none;color:var(--blue);cursor:pointer;padding:0;font:inherit;text-decoration:underline}
.filters{position:sticky;top:0;z-index:10;display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;
padding:9px 24px;background:rgba(255,255,255,.97);border-top:1px solid var(--line);border-bottom:1px solid var(--line);
box-shadow:0 2px 4px rgba(0,0,0,.05)}
.filters label{font-size:13px;color:var(--muted)}
.filters select{font:inherit;padding:3px 6px;margin-left:4px;max-width:220px}
.filters button{font:inherit;font-size:12px;padding:3px 10px;border:1px solid var(--line);background:#fff;
border-radius:4px;cursor:pointer}
.f-count{font-size:13px}.legend{display:flex;flex-wrap:wrap;gap:6px;margin-left:auto;font-size:12px}
.lg-stage{border-left:4px solid;padding:0 6px;color:var(--muted)}
main{padding:12px 24px 40px;display:grid;gap:10px}
.call{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--green);border-radius:6px}
.call.v-fail{border-left-color:var(--amber)}.call.is-redline{border-left-color:var(--red)}.call.v-error{border-left-color:#7a3e9d}
.call-head{display:flex;flex-wrap:wrap;align-items:center;gap:6px 12px;padding:9px 14px;cursor:pointer}
.cid{font-weight:600;font-family:ui-monospace,Menlo,Consolas,monospace}.agent,.meta,.count{color:var(--muted);font-size:13px}
.meta{margin-left:auto;font-size:12px}.score b{font-size:15px}
.badge{font-size:12px;padding:1px 8px;border-radius:10px;font-weight:600}
.badge.v-pass{background:var(--green-bg);color:var(--green)}.badge.v-fail{background:var(--amber-bg);color:var(--amber)}
.badge.v-error{background:#f1e6f7;color:#7a3e9d}.badge.redline{background:var(--red);color:#fff}
.chip{font-size:12px;padding:0 7px;border:1px solid #e6c89a;border-radius:3px;color:var(--amber);background:#fffaf2}
.chip.chip-red{border-color:#f0b4ad;color:var(--red);background:var(--red-bg)}
.call-body{padding:0 14px 14px;border-top:1px solid var(--line)}
.finding-index{list-style:none;margin:10px 0;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.finding-index a{display:inline-flex;gap:6px;align-items:baseline;padding:3px 9px;border-radius:4px;font-size:12px;
text-decoration:none;color:var(--ink);border:1px solid var(--line);background:#fafbfc}
.finding-index .k-redline a{border-color:#f0b4ad;background:var(--red-bg)}
.finding-index .k-warning a{border-style:dashed}
.finding-index .where{color:var(--muted)}.finding-index .what{font-weight:600}
.finding-index .quote{max-width:260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.input-errors{margin:10px 0;padding:8px 12px;background:#f6eefa;border-radius:4px;color:#5c2d78}
.input-errors ul{margin:4px 0 0;padding-left:18px}
.call-level{margin:8px 0;padding:8px 10px;border:1px dashed var(--line);border-radius:4px;display:grid;gap:6px}
.call-level-label{font-size:12px;color:var(--muted)}
.transcript{display:grid;gap:4px;margin-top:6px}
.band{border-left:4px solid var(--st-service);padding:2px 0 2px 10px}
.band.st-greeting{border-color:var(--st-greeting)}.band.st-hold{border-color:var(--st-hold);background:#fffbf2}
.band.st-closing{border-color:var(--st-closing)}
.lg-stage.st-greeting{border-color:var(--st-greeting)}.lg-stage.st-service{border-color:var(--st-service)}
.lg-stage.st-hold{border-color:var(--st-hold)}.lg-stage.st-closing{border-color:var(--st-closing)}
.band-label{font-size:11px;letter-spacing:.05em;color:var(--muted);text-transform:uppercase;margin:2px 0}
.utt{display:grid;grid-template-columns:150px minmax(0,1fr) minmax(0,340px);gap:4px 14px;padding:4px 6px;
border-radius:4px}
.utt-meta{display:flex;gap:8px;font-size:12px;color:var(--muted);padding-top:2px}
.utt-meta .time{font-family:ui-monospace,Menlo,Consolas,monospace;min-width:52px}.utt-meta .seg{opacity:.6}
.spk-agent .spk{color:#24527a;font-weight:600}.spk-customer .utt-text{color:#4a5560}
.utt.flagged{background:#fcfcfd}.utt.focus{outline:2px solid #2f6fb0;background:#eef5fc;scroll-margin:120px}
.notes{display:grid;gap:6px}.notes:empty{display:none}
@media (max-width:900px){.utt{grid-template-columns:1fr}}
mark.hl{color:inherit;border-radius:2px;padding:0 1px}
mark.k-error{background:#fde0b8;border-bottom:2px solid var(--amber)}
mark.k-redline{background:var(--red);color:#fff;font-weight:600}
mark.k-warning{background:transparent;border-bottom:2px dashed #d9a400}
mark.k-advice{background:transparent;border-bottom:2px dotted var(--blue)}
mark.focus{outline:2px solid #2f6fb0}
.finding{border:1px solid var(--line);border-left:4px solid var(--amber);border-radius:4px;padding:6px 9px;
font-size:12.5px;background:#fff}
.finding.k-redline{border-left-color:var(--red);background:var(--red-bg)}
.finding.k-warning{border-left-style:dashed;border-left-color:#d9a400}.finding.k-advice{border-left-color:var(--blue)}
.finding.focus{box-shadow:0 0 0 2px #2f6fb0}
.f-head{display:flex;flex-wrap:wrap;gap:4px 8px;align-items:baseline}.f-check{font-weight:600}
.f-time{font-family:ui-monospace,Menlo,Consolas,monospace;color:var(--muted)}
.f-rule{font-size:11px;color:var(--muted);margin-left:auto}
.tag{font-size:11px;padding:0 6px;border-radius:3px;background:#eee}
.k-redline .tag{background:var(--red);color:#fff}.k-warning .tag{background:#fff3c4;color:#7a5a00}
.k-advice .tag{background:var(--blue-bg);color:var(--blue)}
.f-quote{margin:3px 0}.f-quote .spk{color:var(--muted);margin-right:6px}
.f-note{color:var(--muted)}.f-sug{margin-top:3px;color:#1d5a46}.f-sug span{font-weight:600;margin-right:4px}
.f-sug span::after{content:":"}
.gap{font-size:11px;color:var(--st-hold);margin:2px 6px;display:flex;align-items:center;gap:8px}
.gap::before,.gap::after{content:"";flex:0 0 40px;border-top:1px dashed #e0c58f}
.no-chart{color:var(--muted);font-size:13px}
.empty{text-align:center;color:var(--muted);padding:30px}
.finding.dim,.finding-index li.dim{opacity:.35}
"""

SCRIPT = """
(function () {
  "use strict";
  var calls = Array.prototype.slice.call(document.querySelectorAll("article.call"));
  var fAgent = document.getElementById("f-agent"), fVerdict = document.getElementById("f-verdict"),
      fCheck = document.getElementById("f-check"), count = document.getElementById("f-count"),
      empty = document.getElementById("empty");
  function apply() {
    var a = fAgent.value, v = fVerdict.value, c = fCheck.value, shown = 0;
    calls.forEach(function (el) {
      var d = el.dataset;
      var ok = (!a || d.agent === a) &&
               (!v || (v === "red_line" ? d.redline === "1" : d.verdict === v)) &&
               (!c || d.checks.split(" ").indexOf(c) >= 0);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.querySelectorAll(".finding, .finding-index li").forEach(function (f) {
      f.classList.toggle("dim", !!c && f.dataset.check !== c);
    });
    count.textContent = String(shown);
    empty.hidden = shown > 0;
  }
  [fAgent, fVerdict, fCheck].forEach(function (s) { s.addEventListener("change", apply); });
  function focus(uttId, findingId) {
    var utt = document.getElementById(uttId);
    if (!utt) { return; }
    var det = utt.closest("details");
    if (det) { det.open = true; }
    document.querySelectorAll(".focus").forEach(function (x) { x.classList.remove("focus"); });
    utt.classList.add("focus");
    var card = findingId && document.getElementById(findingId);
    if (card) { card.classList.add("focus"); }
    utt.querySelectorAll("mark.hl").forEach(function (m) {
      if (findingId && (m.dataset.f || "").split(" ").indexOf(findingId) >= 0) { m.classList.add("focus"); }
    });
    utt.scrollIntoView({block: "center"});
  }
  document.addEventListener("click", function (e) {
    var jump = e.target.closest("[data-jump]");
    if (jump) { e.preventDefault(); focus(jump.dataset.jump, jump.dataset.finding); return; }
    var mark = e.target.closest("mark.hl");
    if (mark) {
      var first = (mark.dataset.f || "").split(" ")[0];
      focus(mark.closest(".utt").id, first);
      return;
    }
    var who = e.target.closest(".agent-link");
    if (who) { fAgent.value = who.dataset.agent; apply(); fAgent.scrollIntoView({block: "start"}); }
  });
  document.getElementById("expand-all").addEventListener("click", function () {
    calls.forEach(function (el) { if (!el.hidden) { el.querySelector("details").open = true; } });
  });
  document.getElementById("collapse-all").addEventListener("click", function () {
    calls.forEach(function (el) { el.querySelector("details").open = false; });
  });
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = Array.prototype.slice.call(table.querySelectorAll("th[data-sort]"));
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0], num = th.dataset.sort === "num";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var x = r1.cells[col].dataset.v, y = r2.cells[col].dataset.v, cmp;
          if (num) {
            var nx = x === "" ? Infinity : Number(x), ny = y === "" ? Infinity : Number(y);
            cmp = nx === ny ? 0 : (nx < ny ? -1 : 1);
          } else { cmp = x.localeCompare(y); }
          return asc ? cmp : -cmp;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  apply();
}());
"""
