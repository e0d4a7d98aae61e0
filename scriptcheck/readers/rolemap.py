"""``--roles 0=agent,1=customer``: who is who, from the channel or speaker ids an export carries.

Stereo call recordings put each party on its own channel, and diarizing ASR numbers speakers; only the
team running the recorder knows which number is the agent. Ids are matched as the file writes them
(``0``, ``spk1``, ``说话人2``, a ``<v 张三>`` name); a bare number also matches an id ending in that
number (``0`` ↔ ``spk0`` ↔ ``SPEAKER_00``). Calls whose ids are all mapped are trusted as given
(``report.roles.source == "option"``); anything else falls back to role inference (roles.py).
"""

from __future__ import annotations

import re

from ..model import Call, Segment
from .common import speaker_of

_TAIL = re.compile(r"(\d+)$")


def parse_roles(spec: str | None) -> dict[str, str]:
    """``0=agent,1=customer`` (roles also as 坐席/客户) → {"0": "agent", "1": "customer"}; raises ValueError."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in (spec or "").replace("，", ",").split(","))):
        key, sep, value = part.partition("=")
        role = speaker_of(value.strip())
        if not sep or not key.strip() or role is None:
            raise ValueError(f"--roles: {part!r} should be ID=ROLE, e.g. 0=agent,1=customer or spk0=坐席")
        out[key.strip().lower()] = role
    if out and "agent" not in out.values():
        raise ValueError("--roles: no id is mapped to the agent")
    return out


def _lookup(mapping: dict[str, str], label: str) -> str | None:
    key = label.strip().lower()
    if key in mapping:
        return mapping[key]
    tail = _TAIL.search(key)
    for k, role in mapping.items():
        other = _TAIL.search(k)
        if tail and other and int(tail[1]) == int(other[1]) and (key.isdigit() or k.isdigit()):
            return role
    return None


def apply_roles(call: Call, mapping: dict[str, str]) -> Call:
    """Speakers of segments labelled with a mapped id become agent/customer; an unmapped id is reported."""
    if not mapping or not any(s.speaker == "unknown" and s.label is not None for s in call.segments):
        return call
    used: dict[str, str] = {}
    missing: set[str] = set()
    segs = []
    for s in call.segments:
        role = _lookup(mapping, s.label) if s.speaker == "unknown" and s.label is not None else None
        if role is None:
            if s.speaker == "unknown" and s.label is not None:
                missing.add(s.label)
            segs.append(s)
            continue
        used[s.label] = role
        segs.append(Segment(**{**s.model_dump(), "speaker": role}))
    errors = list(call.errors)
    roles = None
    if missing:
        errors.append(f"{call.source}: call {call.call_id}: speaker id(s) {', '.join(sorted(missing))} not in "
                      f"--roles ({', '.join(f'{k}={v}' for k, v in mapping.items())}); left unknown")
    elif all(s.speaker != "unknown" for s in segs):
        roles = {"source": "option", "mapping": used}
    return call.model_copy(update={"segments": segs, "errors": errors, "roles": roles})
