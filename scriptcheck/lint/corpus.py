"""PB008: a taboo or red-line wording that fires on too many benign agent turns.

The engine runs every enabled forbidden/red-line rule over a reference corpus of ordinary, polite
agent turns (``benign_agent_turns.txt``, written for this project; ``--corpus FILE`` uses your own)
and each hit is traced back to the wording that made it. A wording firing on more than
``max_share`` of those turns would flag good agents call after call.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..engine import Checker
from ..model import Segment
from ..readers import ReadError, read_paths
from .attribution import Probe, probes_of, responsible
from .behaviour import placements
from .findings import Finding
from .sources import locate

REFERENCE = Path(__file__).with_name("benign_agent_turns.txt")
DEFAULT_MAX_SHARE = 0.01
_LABEL = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?(坐席|客服|agent|客户|customer)\s*[:：]\s*", re.IGNORECASE)


class CorpusError(ValueError):
    pass


def load_corpus(path: Path | None = None) -> list[str]:
    """Agent turns: JSON/JSON Lines transcripts (agent segments), or text with one turn per line
    (``坐席：``/``客户：`` labels allowed: customer lines are skipped; ``#`` starts a comment line)."""
    path = path or REFERENCE
    if path.suffix in (".json", ".jsonl"):
        turns = []
        for item in read_paths([str(path)]):
            if isinstance(item, ReadError):
                raise CorpusError(item.message)
            turns += [s.text for s in item.segments if s.speaker == "agent" and s.text.strip()]
        return turns
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path}: cannot read: {e}") from e
    turns = []
    for line in lines:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        m = _LABEL.match(text)
        if m and m.group(1).lower() in ("客户", "customer"):
            continue
        turns.append(text[m.end():] if m else text)
    return turns


def check_generic(checker: Checker, turns: list[str], max_share: float = DEFAULT_MAX_SHARE) -> list[Finding]:
    rb = checker.rulebook
    nz = rb.lexicon.normalizer
    rules = [r for r in rb.enabled_rules if r.kind in ("forbidden", "redline")]
    probes = {r.id: probes_of(checker.rulebook, r.id) for r in rules}
    fired: dict[tuple[str, int, int], list[int]] = {}  # (rule, path id) → turn indices
    by_key: dict[tuple[str, int, int], Probe] = {}
    for n, turn in enumerate(turns):
        call = placements(turn)[1]
        call.segments[-1] = Segment(speaker="agent", text=turn)
        ctx = checker.context(call)
        last = len(call.segments) - 1
        for rule in rules:
            outcome = checker.evaluate(rule, ctx)
            hits = [h for h in outcome.hits if h.segment == last] if outcome.status == "fail" else []
            if not hits:
                continue
            found: list[Probe] = []
            for h in hits:
                folded = nz.fold(h.matched).text
                clean = nz.clean(folded)
                found += responsible(probes[rule.id], [folded] + ([clean.text] if clean else []))
            if not found:  # e.g. merged spans: fall back to the whole turn
                found = responsible(probes[rule.id], [ctx.norms[last].text])
            for p in {id(p): p for p in found}.values():
                key = (rule.id, id(p), 0)
                by_key[key] = p
                fired.setdefault(key, []).append(n)
    out: list[Finding] = []
    total = len(turns)
    for key, hit_turns in fired.items():
        share = len(hit_turns) / total if total else 0.0
        if share > max_share:
            w = by_key[key].wording
            out.append(Finding("PB008", locate(rb, w.path, w.text), "lint.PB008",
                               {"wording": w.text, "n": len(hit_turns), "total": total, "share": f"{share:.1%}",
                                "example": turns[hit_turns[0]]}, w.rule))
    return out
