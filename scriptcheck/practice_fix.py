"""``scriptcheck practice --fix``: a corrected script beside the original, every taboo phrase replaced.

A taboo phrase is replaced with the rulebook's suggestion for it, clause by clause: the clause that
holds the phrase (between commas or full stops) becomes the suggested wording, so the sentence still
reads (你等一会，我查一下。 → 好的，现在为您查询，请稍等。我查一下。). When the suggestion already says
the rest of the sentence (祝您节日愉快 inside 感谢您的来电，…，再见！) the whole sentence is replaced.
A full ID, card or phone number is masked instead. The role prefix and the rest of the line stay as
written; the original file is never touched. The fixed text is checked again until no taboo is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .matchers.pii import mask
from .normalize import fold
from .practice import Change, Coach, Coaching, Point, Script, parse_script

CLAUSE_MARKS = "，,。！？!?；;、：:…~～ \u3000"
SENTENCE_ENDS = "。！？!?…"
MAX_PASSES = 3


@dataclass
class _Edit:
    start: int  # in the line
    end: int
    replacement: str
    rules: list[str]
    whole: bool  # replace exactly this span (a masked number), no clause widening


def fixed_path(path: Path) -> Path:
    """NAME.fixed.txt beside NAME.txt."""
    return path.with_name(f"{path.stem}.fixed{path.suffix or '.txt'}")


def _clause(text: str, lo: int, start: int, end: int) -> tuple[int, int]:
    """The clause(s) around [start, end) of ``text``, not reaching left of ``lo`` (the speech starts there)."""
    a = start
    while a > lo and text[a - 1] not in CLAUSE_MARKS:
        a -= 1
    b = end
    while b < len(text) and text[b] not in CLAUSE_MARKS:
        b += 1
    return a, b


def _sentence(text: str, lo: int, a: int, b: int) -> tuple[int, int]:
    s = a
    while s > lo and text[s - 1] not in SENTENCE_ENDS:
        s -= 1
    e = b
    while e < len(text) and text[e] not in SENTENCE_ENDS:
        e += 1
    return s, min(e + 1, len(text))


def _widen(text: str, lo: int, edit: _Edit) -> _Edit:
    if edit.whole:
        return edit
    a, b = _clause(text, lo, edit.start, edit.end)
    s, e = _sentence(text, lo, a, b)
    rest = [c for c in _split(text[s:a]) + _split(text[b:e]) if c]
    said = fold(edit.replacement)
    if rest and all(c in said for c in rest):  # the suggestion already says the rest of the sentence
        a, b = s, e
    return _Edit(a, b, edit.replacement, edit.rules, False)


def _split(text: str) -> list[str]:
    out, cur = [], ""
    for ch in text:
        if ch in CLAUSE_MARKS:
            out.append(fold(cur))
            cur = ""
        else:
            cur += ch
    return [*out, fold(cur)]


def _apply(line: str, lo: int, edits: list[_Edit]) -> str:
    edits = sorted((_widen(line, lo, e) for e in edits), key=lambda e: (e.start, e.end))
    merged: list[_Edit] = []
    for e in edits:
        if merged:
            last = merged[-1]
            between = line[last.end:e.start]
            overlap = e.start < last.end
            same = e.replacement == last.replacement and not between.strip(CLAUSE_MARKS)
            if overlap or same:  # one replacement for overlapping hits, or for one rule hit twice in a row
                merged[-1] = _Edit(last.start, max(last.end, e.end), last.replacement, last.rules + e.rules,
                                   last.whole and e.whole)
                continue
        merged.append(e)
    for e in reversed(merged):
        after = line[e.end:]
        if e.replacement and e.replacement[-1] in CLAUSE_MARKS and after[:1] and after[0] in CLAUSE_MARKS:
            after = after[1:]  # 。 + ，我查一下 → 。我查一下
        line = line[:e.start] + e.replacement + after
    return line


def _edit(p: Point) -> _Edit | None:
    if p.line is None or p.column is None or p.end_column is None or not p.replacement:
        return None
    return _Edit(p.column - 1, p.end_column - 1, p.replacement, [p.rule], p.exact)


def _speech_start(script: Script, line: int) -> int:
    """Where the speech starts in a line (after the role prefix): clauses never reach into the prefix."""
    for s, col in zip(script.call.segments, script.columns, strict=True):
        if s.line == line:
            return col
    return 0


def edit_for(script: Script, p: Point) -> tuple[int, int, str] | None:
    """(start, end, text) in its line of the replacement --fix makes for one taboo phrase (SARIF fixes)."""
    e = _edit(p)
    if e is None or p.line is None:
        return None
    line = script.lines[p.line - 1]
    e = _widen(line, _speech_start(script, p.line), e)
    end = e.end
    if e.replacement[-1] in CLAUSE_MARKS and line[end:end + 1] and line[end] in CLAUSE_MARKS:
        end += 1
    return e.start, end, e.replacement


def _fix_lines(script: Script, taboo: list[Point]) -> list[str]:
    lines = list(script.lines)
    by_line: dict[int, list[_Edit]] = {}
    for p in taboo:
        e = _edit(p)
        if e is not None:
            by_line.setdefault(p.line, []).append(e)  # type: ignore[arg-type]
    for n, edits in by_line.items():
        lines[n - 1] = _apply(lines[n - 1], _speech_start(script, n), edits)
    return lines


def fix(coach: Coach, script: Script, report: Coaching, scenario: str | None = None) -> Path | None:
    """Write the corrected script; records the path and the changed lines in ``report``.

    Returns None when there is nothing to fix.
    """
    if not report.taboo:
        return None
    current, taboo = script, report.taboo
    for _ in range(MAX_PASSES):
        lines = _fix_lines(current, taboo)
        current = parse_script(script.newline.join(lines), script.path, script.encoding)
        taboo = coach.coach(current, scenario).taboo
        if not taboo:
            break
    target = fixed_path(script.path)
    target.write_bytes(script.newline.join(current.lines).encode(script.encoding))
    report.fixed = str(target)
    by_line: dict[int, list[str]] = {}
    for p in report.taboo:
        if p.line is not None:
            by_line.setdefault(p.line, []).append(p.rule)
    hide = mask if coach.checker.mask_pii else str  # the report masks numbers; the fixed file has them masked
    report.changes = [Change(line=n, before=hide(a), after=hide(b), rules=list(dict.fromkeys(by_line.get(n, []))))
                      for n, (a, b) in enumerate(zip(script.lines, current.lines, strict=True), 1) if a != b]
    return target
