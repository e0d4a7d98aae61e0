"""Which wording of a rule made a hit: the engine reports the matched words, not which phrase or
pattern of the rule they came from; lint findings must point at that wording's line."""

from __future__ import annotations

from dataclasses import dataclass

import re2

from .. import phonetic
from ..lexicon import _RE2_OPTIONS
from ..rulebook import Rulebook
from .sources import Wording, wordings


@dataclass
class Probe:
    wording: Wording
    forms: tuple[str, ...]
    regex: object | None


def probes_of(rb: Rulebook, rid: str) -> list[Probe]:
    """One probe per own wording of rule ``rid``: its normalized forms, or its compiled pattern."""
    nz = rb.lexicon.normalizer
    out = []
    for w in wordings(rb):
        if w.rule == rid and w.own:
            if w.is_pattern:
                out.append(Probe(w, (), re2.compile(w.text, _RE2_OPTIONS)))
            else:
                out.append(Probe(w, nz.phrase_forms(w.text), None))
    return out


def responsible(probes: list[Probe], texts: list[str]) -> list[Probe]:
    """The probes that match (literally, by non-empty pattern match, or by sound) any of ``texts``."""
    found = []
    for p in probes:
        if p.regex is not None:
            if any(m.end() > m.start() for t in texts for m in p.regex.finditer(t)):  # type: ignore[attr-defined]
                found.append(p)
        elif any(f and (f in t or phonetic.key(f) in phonetic.key(t)) for f in p.forms for t in texts):
            found.append(p)
    return found


def wording_of(rb: Rulebook, rid: str, matched: str) -> Wording | None:
    """The wording of rule ``rid`` behind the matched words of a hit (the first if several)."""
    nz = rb.lexicon.normalizer
    folded = nz.fold(matched).text
    clean = nz.clean(folded)
    found = responsible(probes_of(rb, rid), [folded] + ([clean.text] if clean else []))
    return found[0].wording if found else None
