"""The fast path for plain formats.md §1a calls: JSON text → ``Call`` in one pydantic-core call.

Why it exists: a batch reads millions of JSON Lines records, nearly all plain §1a calls, and
``call_from_dict`` (``json.loads``, then every segment checked and built one by one in Python) costs
~550 µs on a 60-segment call, more than a fifth of checking it. Here pydantic-core parses the text and
builds the ``Segment``s itself (~100 µs), and a short Python loop checks what its schema cannot say.

It only ever returns what ``call_from_dict(json.loads(text), where, …, line)`` would; any record it is
not sure of gives ``None`` and is read the ordinary way. So it accepts only: a JSON object with a
non-empty string ``call_id``, string-or-null ``agent_id``/``started_at``, and a non-empty list of
segments whose speaker is literally ``agent``/``customer``, whose text is a string, and whose times are
finite non-negative numbers (or absent) with end ≥ start. Validation is strict, so none of pydantic's
lax coercions apply (a bool or ``"1.5"`` as a time, a number as an id or a text). A segment carrying
its own ``line`` or ``label`` key, which ``call_from_dict`` ignores, is left to it. JSON that ``json``
and pydantic's parser read differently (lone surrogates, NaN, -Infinity) fails validation; duplicate
keys keep the last value in both.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from pydantic_core import SchemaValidator, ValidationError, core_schema

from ..model import Call, Segment

_ID = core_schema.typed_dict_field(core_schema.nullable_schema(core_schema.str_schema()), required=False)
_CALL = core_schema.typed_dict_schema({
    "call_id": core_schema.typed_dict_field(core_schema.str_schema(min_length=1)),
    "agent_id": _ID,
    "started_at": _ID,
    # the model's own schema: pydantic-core builds the Segments while it parses
    # (``fail_fast``: a record that is not plain stops at its first odd segment, not build 60 errors)
    "segments": core_schema.typed_dict_field(core_schema.list_schema(Segment.__pydantic_core_schema__,
                                                                     min_length=1, fail_fast=True)),
})  # other keys are ignored, as ``call_from_dict`` ignores them
_ONE = SchemaValidator(_CALL)
_MANY = SchemaValidator(core_schema.list_schema(_CALL, min_length=1, fail_fast=True))
_PLAIN_SPEAKER = re.compile(r'"speaker"\s*:\s*"(?:agent|customer)"')
_PLAIN_SPEAKER_BYTES = re.compile(_PLAIN_SPEAKER.pattern.encode())


def _looks_plain(text: str | bytes) -> bool:
    """A hint, not a check: the first speaker is literally agent or customer. A batch labelled another
    way (坐席/客户, spk0/spk1) labels every record so; skipping it here spares a failed validation
    (~30 µs a record). A wrong hint costs time only: validation decides."""
    if isinstance(text, bytes):
        at = text.find(b'"speaker"')
        return at >= 0 and _PLAIN_SPEAKER_BYTES.match(text, at) is not None
    at = text.find('"speaker"')
    return at >= 0 and _PLAIN_SPEAKER.match(text, at) is not None


def _validated(validator: SchemaValidator, text: str | bytes) -> Any:
    """``text`` parsed and validated strictly, or None when it is not plain (then the old path reads it)."""
    if not _looks_plain(text):
        return None
    try:
        return validator.validate_json(text, strict=True)
    except ValidationError:
        return None


def fast_call(text: str | bytes, where: str, line: int | None = None) -> Call | None:
    """One JSON Lines record (or one ``.json`` call) as ``call_from_dict`` would read it, or ``None``.
    ``text`` may be the record's UTF-8 bytes: pydantic-core parses them as they are (decoding them
    first costs ~20 µs a call, half of it to encode them back); bytes that are not UTF-8 fail."""
    parsed = _validated(_ONE, text)
    return None if parsed is None else _call(parsed, where, line)


def fast_calls(text: str, path: Path) -> list[Call] | None:
    """A ``.json`` file (one call object or a non-empty list of them) as ``read_json`` would read it,
    or ``None`` if any call in it is not plain."""
    if not text.lstrip().startswith("["):
        call = fast_call(text, str(path))
        return None if call is None else [call]
    parsed = _validated(_MANY, text)
    if parsed is None:
        return None
    calls = [_call(d, f"{path}[{i}]", None) for i, d in enumerate(parsed)]
    return None if any(c is None for c in calls) else [c for c in calls if c is not None]


def _call(parsed: dict[str, Any], where: str, line: int | None) -> Call | None:
    segs: list[Segment] = parsed["segments"]
    for seg in segs:
        # the Segments are new and not yet seen by anyone: their field values are read and the
        # record's line is set through ``__dict__`` (``Segment`` is frozen to its users)
        fields = seg.__dict__
        start, end = fields["start"], fields["end"]
        if (fields["speaker"] == "unknown" or fields["line"] is not None or fields["label"] is not None
                or (start is not None and not 0 <= start < math.inf)
                or (end is not None and not (start or 0) <= end < math.inf)):
            return None
        fields["line"] = line
    return Call(call_id=parsed["call_id"], agent_id=parsed.get("agent_id"), started_at=parsed.get("started_at"),
                segments=segs, source=where, errors=[])
