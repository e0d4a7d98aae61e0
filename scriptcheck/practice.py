"""Practice mode: coach a trainee's script stage by stage with the rulebook that scores real calls.

A practice script is plain text: a role-play with role prefixes (坐席：/客户：), or only the trainee's
lines (no prefix: every line is the agent's), Simplified or Traditional. Lines starting with ``#``
are comments; ``# scenario: hold`` (or ``# 场景：查询/等待``) names the scenario the script practises
and ``# started_at: 2026-10-01`` dates it. A line in brackets (（客户沉默）, [静音等待]) is a stage
direction, not speech. Scripts are untimed, so timing rules (gaps, overlap, speech rate) are skipped.

The coach runs the rulebook's own compiled rules on the script (``Checker.evaluate``) and turns the
outcomes into a coaching report: the call flow's stages in order (greeting → confirm the need →
hold notice → thanks after the wait → ask anything else → farewell), the chosen scenario's required
responses, and every taboo or red-line phrase with the rulebook's suggested replacement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import opencc
from pydantic import BaseModel, Field

from .context import CallContext, Turn
from .engine import Checker
from .i18n import t
from .matchers import KINDS
from .matchers.pii import mask
from .model import Call, Hit, Segment
from .readers import decode, speaker_of, split_lines
from .readers.plain import LINE as _LINE
from .rulebook import Rulebook

# The call flow a practice script is coached on: stage → (rule that checks it, scenario with its wording).
STAGES: dict[str, tuple[str, str]] = {
    "greeting": ("greeting.standard", "opening"),
    "confirm": ("practice.confirm_need", "confirm"),
    "hold_notice": ("hold.notify", "hold"),
    "hold_thanks": ("hold.thanks", "hold"),
    "ask_more": ("closing.ask_more", "before_ending"),
    "farewell": ("closing.farewell", "goodbye"),
}
OPTIONAL = ("hold_notice", "hold_thanks")  # only a script with a wait (or the hold scenario) needs them
LATE = ("ask_more", "farewell")  # placed by their last occurrence, the other stages by their first
# Where gaps are listed: the flow stages, with the scenario responses of the service part in between.
FLOW = ("greeting", "confirm", "service", "hold_notice", "hold_thanks", "hold", "ask_more", "farewell", "closing")
TABOO_KINDS = ("forbidden", "redline", "pii")
ORDER_RULE = "practice.order"
CLOSE_ENOUGH = 0.85  # a missing wording's closest candidate is shown from this similarity on

_DIRECTIVE = re.compile(r"^\s*#\s*(?P<key>[^:：]+?)\s*[:：]\s*(?P<value>.*?)\s*$")
_BRACKETS = {"（": "）", "(": ")", "【": "】", "[": "]", "［": "］", "〔": "〕"}
_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2tw")  # 為, not OpenCC's own 爲: the usual Traditional forms


class PracticeError(Exception):
    """The rulebook lacks what practice mode needs (a stage rule, a scenario): a usage error."""


# --- reading ------------------------------------------------------------------------------------

@dataclass
class Script:
    """A practice script as read: the call the rules see, plus where each line sits in the file."""

    path: Path
    call: Call
    columns: list[int]  # per segment: 0-based offset of its text in its source line
    lines: list[str]  # the file's lines (for --fix)
    newline: str = "\n"
    encoding: str = "utf-8"
    trainee_only: bool = False
    scenario: str | None = None  # from a "# scenario:" line
    errors: list[str] = field(default_factory=list)

    @cached_property
    def traditional(self) -> bool:
        """Written in Traditional characters (then suggestions are given in Traditional too)."""
        text = "".join(s.text for s in self.call.segments)
        changed = sum(a != b for a, b in zip(text, _T2S.convert(text), strict=False))
        return changed >= 2


def _direction(text: str) -> bool:
    """（客户沉默三秒） / [静音等待]: a stage direction, not speech."""
    s = text.strip()
    return len(s) >= 2 and _BRACKETS.get(s[0]) == s[-1]


def read_script(path: Path) -> Script | str:
    """A practice script, or an error message naming the file (the batch goes on)."""
    if path.suffix.lower() in (".json", ".jsonl"):
        return f"{path}: practice reads plain-text scripts (.txt); check JSON calls with `scriptcheck check`"
    try:
        text, encoding = decode(path.read_bytes())
    except OSError as e:
        return f"{path}: cannot read: {e.strerror or e}"
    except ValueError as e:
        return f"{path}: {e}"
    return parse_script(text, path, encoding)


def parse_script(text: str, path: Path, encoding: str = "utf-8") -> Script:
    """A practice script from its text (``path`` names it in messages and reports)."""
    lines = split_lines(text)
    script = Script(path, Call(call_id=path.stem, source=str(path)), [], lines,
                    newline="\r\n" if "\r\n" in text else "\n", encoding=encoding)
    spoken: list[tuple[int, str, re.Match[str]]] = []
    for n, line in enumerate(lines, 1):
        if not line.strip() or _direction(line):
            continue
        if line.lstrip().startswith("#"):
            m = _DIRECTIVE.match(line)
            key = m.group("key").strip().lower() if m else ""
            if key in ("scenario", "场景", "場景"):
                script.scenario = m.group("value")  # type: ignore[union-attr]
            elif key in ("started_at", "date", "日期"):
                script.call.started_at = m.group("value")  # type: ignore[union-attr]
            continue
        spoken.append((n, line, _LINE.match(line)))  # type: ignore[arg-type]
    script.trainee_only = not any(m.group("role") and speaker_of(m.group("role")) for _, _, m in spoken)
    segs: list[Segment] = []
    previous: str | None = None
    for n, line, m in spoken:
        role = speaker_of(m.group("role")) if m.group("role") else None
        if role is not None:
            start, body = m.start("text"), m.group("text")
        else:  # the whole line (after a time stamp, if any) is speech
            after = m.end("end") + 1 if m.group("start") else 0
            start = after + len(line[after:]) - len(line[after:].lstrip())
            body = line[start:].rstrip()
            if script.trainee_only:
                role = "agent"
            elif m.group("role"):
                script.errors.append(f"{path}:{n}: unknown speaker {m.group('role')!r} (use 坐席：/客户：), "
                                     "line skipped")
                continue
            elif previous is None:
                script.errors.append(f"{path}:{n}: no speaker prefix (use 坐席：/客户：), line skipped")
                continue
            else:
                role = previous  # a turn continued on the next line
        previous = role
        if not body or _direction(body):
            continue
        segs.append(Segment(speaker=role, text=body, line=n))  # type: ignore[arg-type]
        script.columns.append(start)
    script.call.segments = segs
    if not segs:
        script.errors.append(f"{path}: no script lines found")
    return script


# --- the coaching report --------------------------------------------------------------------------

class Point(BaseModel):
    """One coaching point, located in the script: a strength, a gap, a stage out of order or a taboo."""

    kind: Literal["strength", "gap", "order", "taboo"]
    stage: str
    rule: str
    level: Literal["error", "warning"] = "error"
    status: str | None = None  # gap: missing | misplaced | not_played; taboo: red_line | taboo
    line: int | None = None
    column: int | None = None  # 1-based, in characters
    end_column: int | None = None  # 1-based, exclusive
    text: str = ""  # the trainee's line, quoted
    matched: str = ""
    message: str = ""
    recommended: list[str] = Field(default_factory=list)
    replacement: str | None = None  # taboo: what --fix puts in its place
    exact: bool = False  # taboo: --fix replaces just the matched words (a masked number), not the clause
    note: str | None = None


class Change(BaseModel):
    line: int
    before: str
    after: str
    rules: list[str]


class Coaching(BaseModel):
    """The coaching report of one script (``--format json``: one per line)."""

    script: str
    scenario: str | None = None
    mode: Literal["dialogue", "trainee"] = "dialogue"
    traditional: bool = False
    passed: bool = False  # no gap, no stage out of order, no taboo, no input error
    stages: dict[str, str] = Field(default_factory=dict)  # stage → done | missing | misplaced | n/a
    strengths: list[Point] = Field(default_factory=list)
    gaps: list[Point] = Field(default_factory=list)
    order: list[Point] = Field(default_factory=list)
    taboo: list[Point] = Field(default_factory=list)
    tips: list[Point] = Field(default_factory=list)  # warning-level hints: reported, never failing
    errors: list[str] = Field(default_factory=list)
    fixed: str | None = None  # --fix: the corrected script written beside the original
    changes: list[Change] = Field(default_factory=list)


# --- the coach ------------------------------------------------------------------------------------

@dataclass
class PracticeContext(CallContext):
    """A call context for scripts: with only the trainee's lines, every line is its own turn (so the
    first line is the opening and the last lines the closing), and such a script has a closing."""

    trainee_only: bool = False

    @cached_property
    def turns(self) -> list[Turn]:
        if not self.trainee_only:
            return super().turns
        return [Turn(s.speaker, (i,)) for i, s in enumerate(self.call.segments)]

    @cached_property
    def has_closing(self) -> bool:
        return len(self.agent_turns) > 1 if self.trainee_only else super().has_closing


@dataclass
class _Stage:
    status: str  # done | missing | misplaced | n/a
    position: int | None = None  # segment where it is said (order check, quotes)
    gap_at: int | None = None  # segment a missing stage is reported at


class Coach:
    """The rulebook's rules applied to practice scripts (no timing rules: scripts are untimed)."""

    def __init__(self, rulebook: Rulebook, lang: str | None = None):
        self.rb = rulebook
        self.lang = lang or rulebook.settings.lang
        self.checker = Checker(rulebook, lang=self.lang, mask_pii=rulebook.settings.mask_pii)
        missing = [rid for rid, _ in STAGES.values() if rid not in rulebook.rules]
        missing += [sid for _, sid in STAGES.values() if sid not in rulebook.scenarios]
        if missing:
            raise PracticeError(f"the rulebook lacks what practice mode needs: {', '.join(dict.fromkeys(missing))}")
        # a stage whose rule the company switched off is not coached (practice.* rules are off for real calls only)
        self.stages = {s: v for s, v in STAGES.items()
                       if rulebook.rules[v[0]].enabled or v[0].startswith("practice.")}
        stage_rules = {rid for rid, _ in STAGES.values()}
        self.rules = [r for r in rulebook.enabled_rules if r.kind != "timing" and r.id not in stage_rules]

    def scenario_id(self, name: str) -> str | None:
        """A scenario by id or by its Chinese or English name."""
        key = name.strip()
        for sid, sc in self.rb.scenarios.items():
            if key.lower() in (sid, sc.name.lower(), (sc.name_en or "").lower()) or _T2S.convert(key) == sc.name:
                return sid
        return None

    def coach(self, script: Script, scenario: str | None = None) -> Coaching:
        """The coaching report of one script; ``scenario`` (an id or name) overrides the script's own."""
        report = Coaching(script=str(script.path), mode="trainee" if script.trainee_only else "dialogue",
                          traditional=script.traditional, errors=list(script.errors))
        wanted = scenario or script.scenario
        sid = self.scenario_id(wanted) if wanted else None
        if wanted and sid is None:
            report.errors.append(f"{script.path}: unknown scenario {wanted!r} (see `scriptcheck scenarios`)")
        report.scenario = sid
        if script.call.segments and not any(seg.speaker == "agent" for seg in script.call.segments):
            report.errors.append(f"{script.path}: no agent (坐席) lines: nothing to coach")
        if not any(seg.speaker == "agent" for seg in script.call.segments):
            return report
        ctx = PracticeContext(script.call, self.rb.lexicon, self.rb.stages, self.rb.settings,
                              trainee_only=script.trainee_only)
        session = _Session(self, script, ctx, report)
        session.run(sid)
        report.passed = not (report.gaps or report.order or report.taboo or report.errors)
        return report


class _Session:
    """One script being coached: collects points into its report."""

    def __init__(self, coach: Coach, script: Script, ctx: PracticeContext, report: Coaching):
        self.coach, self.script, self.ctx, self.report = coach, script, ctx, report
        self.rb = coach.rb
        self.lang = coach.lang
        self.agent = [i for i, s in enumerate(ctx.call.segments) if s.speaker == "agent"]

    # -- locating and quoting
    def _point(self, kind: str, stage: str, rule: Any, seg: int | None, **kw: Any) -> Point:
        p = Point(kind=kind, stage=stage, rule=rule if isinstance(rule, str) else rule.id, **kw)  # type: ignore[arg-type]
        if seg is not None and 0 <= seg < len(self.ctx.call.segments):
            s = self.ctx.call.segments[seg]
            p.line = s.line
            p.text = self._mask(s.text)
            if p.column is None:
                p.column = self.script.columns[seg] + 1
        return p

    def _mask(self, text: str) -> str:
        return mask(text) if self.coach.checker.mask_pii else text

    def localize(self, text: str) -> str:
        """Wording from the rulebook (Simplified) in the script's own characters."""
        return _S2T.convert(text) if self.script.traditional else text

    def _recommended(self, rule: Any, scenario: str | None) -> list[str]:
        """The rule's suggestion, then the scenario's model wordings that say what the rule asks for."""
        out = [rule.suggestion] if rule.suggestion else []
        said = self._fold(rule.suggestion or "")
        if scenario and scenario in self.rb.scenarios:
            out += [w for w in self.rb.scenarios[scenario].recommended
                    if self._satisfies(rule, w) and self._fold(w) not in said]
        seen: dict[str, str] = {}
        for w in out:
            seen.setdefault(re.sub(r"\W", "", w), self.localize(w))
        return list(seen.values())

    def _fold(self, text: str) -> str:
        return self.rb.lexicon.normalizer.fold(text).text

    def _satisfies(self, rule: Any, wording: str) -> bool:
        """Does a model wording say what the rule asks for (every group; a response: its expected reply)?"""
        if rule.kind == "response":
            groups = [rule.expect] if rule.expect else []
        elif rule.kind in ("required", "sequence"):
            groups = self._groups(rule)
        else:
            return True
        folded = self._fold(wording)
        return all(any(f in folded for p in g.phrases for f in self.rb.lexicon.normalizer.phrase_forms(p))
                   or (g.ws.regex is not None and g.ws.regex.search(folded) is not None) for g in groups)

    def _notes(self, hits: list[Hit]) -> str | None:
        """The hits' explanations; a "closest wording" below 0.85 is noise to a trainee, not a hint."""
        notes = []
        for h in hits:
            for k, a in h.notes:
                if k == "note.missing_closest" and float(a.get("score", 0)) < CLOSE_ENOUGH:
                    k, a = "note.missing", {"want": a["want"]}
                notes.append(t(k, self.lang, **a))
        return "; ".join(notes) or None

    # -- the run
    def run(self, scenario: str | None) -> None:
        must = self._must_rules(scenario)
        stages = self._stages(scenario, must)
        self._order(stages)
        for rule in [*self.coach.rules, *[r for r in must if r not in self.coach.rules]]:
            if rule.id in {rid for rid, _ in STAGES.values()}:
                continue
            self._rule(rule, scenario, required=rule in must)
        rude = {p.line for p in self.report.taboo}  # a stage said with a taboo phrase is no strength
        self.report.strengths = [p for p in self.report.strengths if p.line not in rude]
        if not self.report.taboo:
            self.report.strengths.append(Point(kind="strength", stage="any", rule="forbidden_phrase",
                                               message=t("practice.no_taboo", self.lang)))
        order = {s: i for i, s in enumerate(FLOW)}
        self.report.gaps.sort(key=lambda p: (order.get(p.stage, len(FLOW)), p.line or 0))
        self.report.strengths.sort(key=lambda p: (p.line is None, p.line or 0))
        self.report.taboo.sort(key=lambda p: (p.line or 0, p.column or 0))

    def _must_rules(self, scenario: str | None) -> list[Any]:
        """The scenario's required responses: its rules that demand wording rather than forbid it."""
        if not scenario:
            return []
        rules = [self.rb.rules[r] for r in self.rb.scenarios[scenario].rules]
        return [r for r in rules if r.kind not in TABOO_KINDS]

    # -- stages
    def _groups(self, rule: Any) -> list[Any]:
        return rule.groups() if hasattr(rule, "groups") else [rule]

    def _says(self, rule: Any, i: int, group: Any) -> bool:
        ctx = self.ctx
        phonetic = getattr(rule, "phonetic", 0)
        return ctx.said(i, group.ws) or bool(phonetic and ctx.sounds_like(i, group.ws, phonetic))

    def _evidence(self, rule: Any) -> list[int]:
        """Agent lines where the stage's wording is said in full (with the next line, if also the agent's)."""
        whole, paired = [], []
        groups = self._groups(rule)
        for k, i in enumerate(self.agent):
            said = [g for g in groups if self._says(rule, i, g)]
            if not said:
                continue
            nxt = self.agent[k + 1] if k + 1 < len(self.agent) and self.agent[k + 1] == i + 1 else None
            if len(said) == len(groups):
                whole.append(i)
            elif nxt is not None and all(g in said or self._says(rule, nxt, g) for g in groups):
                paired.append(i)
        return whole or paired  # a line that says it all beats two lines that say it together

    def _stages(self, scenario: str | None, must: list[Any]) -> dict[str, _Stage]:
        ctx = self.ctx
        required_here = {s for s, (rid, _) in STAGES.items() if any(r.id == rid for r in must)}
        greeting = set(ctx.greeting_segments)
        silent = not self.script.trainee_only and not any(s.speaker == "customer" for s in ctx.call.segments)
        results: dict[str, _Stage] = {}
        for stage, (rid, sc) in STAGES.items():
            rule = self.rb.rules[rid]
            if stage not in self.coach.stages:
                results[stage] = _Stage("n/a")
                continue
            evidence = self._evidence(rule)
            if stage == "hold_thanks":  # 让您久等了 opening a long-queue call is no thanks after a wait
                evidence = [i for i in evidence if i not in greeting]
                notice = results["hold_notice"].position
                if notice is not None:
                    evidence = [i for i in evidence if i > notice] or evidence
            position = (evidence[-1] if stage in LATE else evidence[0]) if evidence else None
            if self.coach.checker.not_applicable(rule, ctx) or (stage in ("confirm", "ask_more") and silent):
                results[stage] = _Stage("n/a")  # a silent caller, a wrong number…: nothing to confirm or ask
                continue
            out = KINDS[rule.kind].evaluate(rule, ctx)
            hit_seg = out.hits[0].segment if out.hits else None
            if out.status == "pass":
                window = [h for h in ctx.holds] if rule.kind == "sequence" else []
                if position is None and window:
                    position = window[0].before if stage == "hold_notice" else window[0].after
                results[stage] = _Stage("done", position)
            elif out.status == "fail":
                if stage == "confirm":
                    hit_seg = self._first_answer(hit_seg)
                results[stage] = _Stage("misplaced" if position is not None else "missing", position, hit_seg)
                self._stage_gap(stage, rule, sc, results[stage], out.hits)
            elif stage in OPTIONAL:
                results[stage] = self._optional(stage, rule, sc, position, required=stage in required_here,
                                                results=results)
            elif position is not None:  # no window to judge it in (a script without a closing), but said
                results[stage] = _Stage("done", position)
            else:
                results[stage] = _Stage("missing", None, self.agent[-1] if stage in LATE else self.agent[0])
                self._stage_gap(stage, rule, sc, results[stage], [])
            if results[stage].status == "done":
                self.report.strengths.append(self._point(
                    "strength", stage, rule, results[stage].position,
                    message=t(f"stage.{stage}", self.lang)))
        self.report.stages = {s: r.status for s, r in results.items()}
        return results

    def _first_answer(self, default: int | None) -> int | None:
        """The agent's answer to the customer's first words: where a need is confirmed or a scenario met."""
        customer = [i for i, s in enumerate(self.ctx.call.segments) if s.speaker == "customer"]
        after = [i for i in self.agent if customer and i > customer[0]]
        return after[0] if after else default

    def _optional(self, stage: str, rule: Any, scenario: str, position: int | None, required: bool,
                  results: dict[str, _Stage]) -> _Stage:
        """Hold stages when no announced wait was found (请您耐心等待 closing a complaint is no wait):
        a thanks for waiting without a notice means the notice is missing; the hold scenario needs both."""
        if stage == "hold_notice":
            thanks = self._evidence(self.rb.rules[STAGES["hold_thanks"][0]])
            thanks = [i for i in thanks if i not in set(self.ctx.greeting_segments)]
            if not (thanks or required):
                return _Stage("n/a")
            res = _Stage("missing", None, max(thanks[0] - 1, 0) if thanks else self.agent[0])
        elif position is not None:
            return _Stage("done", position)
        elif not required:
            return _Stage("n/a")
        else:
            res = _Stage("missing", None, self.agent[-1])
        self._stage_gap(stage, rule, scenario, res, [])
        return res

    def _stage_gap(self, stage: str, rule: Any, scenario: str, res: _Stage, hits: list[Hit]) -> None:
        if res.status == "misplaced":
            return  # reported by the order check, or below when the order is fine
        self.report.gaps.append(self._point(
            "gap", stage, rule, res.gap_at, status="missing", message=rule.text("message", self.lang) or "",
            recommended=self._recommended(rule, scenario), note=self._notes(hits)))

    # -- order
    def _order(self, stages: dict[str, _Stage]) -> None:
        """Stages said out of the flow's order: those off the longest run of lines in order."""
        placed = [(s, r.position) for s, r in stages.items() if r.position is not None and r.status != "n/a"]
        n = len(placed)
        best = [1] * n
        prev = [-1] * n
        for j in range(n):
            for i in range(j):
                if placed[i][1] <= placed[j][1] and best[i] + 1 > best[j]:  # type: ignore[operator]
                    best[j], prev[j] = best[i] + 1, i
        keep: set[int] = set()
        k = max(range(n), key=lambda x: best[x]) if n else -1
        while k >= 0:
            keep.add(k)
            k = prev[k]
        flagged = set()
        for j, (stage, pos) in enumerate(placed):
            if j in keep:
                continue
            later = [(s, p) for s, p in placed[:j] if p > pos]  # type: ignore[operator]
            earlier = [(s, p) for s, p in placed[j + 1:] if p < pos]  # type: ignore[operator]
            if later:
                other, opos = later[0]
                key = "practice.order_before"
            else:
                other, opos = earlier[-1]
                key = "practice.order_after"
            segs = self.ctx.call.segments
            msg = t(key, self.lang, stage=t(f"stage.{stage}", self.lang), line=segs[pos].line,  # type: ignore[index]
                    other=t(f"stage.{other}", self.lang), other_line=segs[opos].line)
            rule = self.rb.rules[STAGES[stage][0]]
            self.report.order.append(self._point("order", stage, ORDER_RULE, pos, status="out_of_order",
                                                 message=msg, recommended=self._recommended(rule, STAGES[stage][1])))
            flagged.add(stage)
        for stage, res in stages.items():  # said, but not where the flow puts it, and no order problem explains it
            if res.status == "misplaced" and stage not in flagged:
                rule = self.rb.rules[STAGES[stage][0]]
                self.report.gaps.append(self._point(
                    "gap", stage, rule, res.position, status="misplaced",
                    message=t(f"practice.misplaced.{stage}" if stage in ("greeting", *LATE) else "practice.misplaced",
                              self.lang, stage=t(f"stage.{stage}", self.lang)),
                    recommended=self._recommended(rule, STAGES[stage][1])))

    # -- every other rule
    def _rule(self, rule: Any, scenario: str | None, required: bool) -> None:
        ctx = self.ctx
        out = self.coach.checker.evaluate(rule, ctx)
        stage_of = "service" if required else None
        if rule.kind in TABOO_KINDS or (rule.kind == "response" and rule.forbid):
            for h in out.hits if out.status == "fail" else []:
                if rule.kind == "response" and h.notes:
                    self._gap(rule, h.segment, scenario, [h], stage_of, required)
                else:
                    self._taboo(rule, h)
            return
        if out.status == "fail":  # one point per rule: the first place it failed
            h = out.hits[0] if out.hits else Hit(segment=-1)
            seg = h.segment
            if required and rule.kind == "required" and not rule.window:
                seg = self._first_answer(seg)  # a missing response: where the scenario starts
            self._gap(rule, seg if seg is not None else -1, scenario, [h], stage_of, required)
        elif out.status == "pass" and required:
            self._strength(rule, scenario)
        elif out.status == "n/a" and required:
            self._unplayed(rule, scenario)

    def _flow_stage(self, seg: int) -> str:
        return self.ctx.stages[seg] if 0 <= seg < len(self.ctx.call.segments) else "service"

    def _gap(self, rule: Any, seg: int, scenario: str | None, hits: list[Hit], stage: str | None,
             required: bool, status: str = "missing", message: str | None = None) -> None:
        level = "error" if required else rule.level
        point = self._point("gap", stage or self._flow_stage(seg), rule, seg if seg >= 0 else None,
                            status=status, level=level, message=message or rule.text("message", self.lang) or "",
                            recommended=self._recommended(rule, scenario if required else None),
                            note=self._notes(hits))
        (self.report.gaps if level == "error" else self.report.tips).append(point)

    def _strength(self, rule: Any, scenario: str | None) -> None:
        """A required response that was given: quote the line that gives it."""
        seg = None
        if rule.kind == "response":
            for i in self.agent:
                if ctx_said(self.ctx, i, rule.expect):
                    seg = i
                    break
        else:
            found = self._evidence(rule)
            seg = found[0] if found else None
        name = self.rb.scenarios[scenario].name if scenario else rule.id
        if self.lang == "en" and scenario:
            name = self.rb.scenarios[scenario].name_en or name
        self.report.strengths.append(self._point("strength", "service", rule, seg,
                                                 message=t("practice.scenario_done", self.lang, scenario=name)))

    def _unplayed(self, rule: Any, scenario: str | None) -> None:
        """A required response whose trigger never comes: with only the trainee's lines, the response
        itself is looked for; in a dialogue the scenario was not played."""
        if rule.kind == "response" and self.script.trainee_only:
            if any(ctx_said(self.ctx, i, rule.expect) for i in self.agent):
                self._strength(rule, scenario)
            else:
                self._gap(rule, self.agent[0], scenario, [], "service", True)
            return
        trigger = ""
        if rule.kind == "response" and rule.trigger.phrases:
            trigger = rule.trigger.phrases[0]
        message = t("practice.not_played", self.lang, trigger=trigger) if trigger else (
            rule.text("message", self.lang) or "")
        self._gap(rule, -1, scenario, [], "service", True, status="not_played", message=message)

    # -- taboo
    def _taboo(self, rule: Any, h: Hit) -> None:
        seg = h.segment
        column = self.script.columns[seg] + h.start_char + 1 if seg >= 0 else None
        replacement = mask(h.matched) if rule.kind == "pii" else self.localize(rule.suggestion or "")
        point = self._point(
            "taboo", self._flow_stage(seg), rule, seg, level=rule.level,
            status="red_line" if rule.is_red_line else "taboo", column=column,
            end_column=column + (h.end_char - h.start_char) if column is not None else None,
            matched=self._mask(h.matched), message=rule.text("message", self.lang) or "",
            recommended=[replacement] if replacement else [], replacement=replacement or None,
            exact=rule.kind == "pii", note=self._notes([h]))
        (self.report.taboo if rule.level == "error" else self.report.tips).append(point)


def ctx_said(ctx: CallContext, seg: int, words: Any) -> bool:
    return bool(words) and ctx.said(seg, words.ws)


# --- files --------------------------------------------------------------------------------------

SCRIPT_SUFFIXES = (".txt",)


def expand(paths: list[str]) -> tuple[list[Path], list[str]]:
    """Scripts named, the .txt files under folders (sorted), and glob matches; missing paths are errors."""
    import glob

    files: list[Path] = []
    errors: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files += sorted(f for f in path.rglob("*") if f.is_file() and f.suffix.lower() in SCRIPT_SUFFIXES)
        elif path.is_file():
            files.append(path)
        elif any(c in p for c in "*?["):
            matches = sorted(Path(m) for m in glob.glob(p, recursive=True) if Path(m).is_file())
            files += matches
            if not matches:
                errors.append(f"{p}: no file matches this pattern")
        else:
            errors.append(f"{p}: no such file or directory")
    return list(dict.fromkeys(files)), errors
