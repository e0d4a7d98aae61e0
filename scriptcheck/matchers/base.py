"""What every matcher returns: a status for its rule and the hits that are its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..lexicon import Span
from ..model import Hit, Status
from ..normalize import Normalized

if TYPE_CHECKING:
    from ..context import CallContext


@dataclass
class Outcome:
    """``hits`` are the evidence for ``status``; ``review`` hits are weaker (e.g. a red-line phrase
    heard only by sound) and are reported for a human to judge without deciding anything."""

    status: Status
    hits: list[Hit] = field(default_factory=list)
    review: list[Hit] = field(default_factory=list)


Note = tuple[str, dict[str, str]]

# Up to this many utterances, a word set's patterns are run on each rather than over the whole
# call (``CallContext.said_few`` / ``spans_at``): a pass is two RE2 scans of the call's views.
FEW_SEGMENTS = 6


def note(key: str, **args: object) -> Note:
    """An explanation for a hit, rendered later in the report's language (see ``i18n``)."""
    return (f"note.{key}", {k: str(v) for k, v in args.items()})


def hit(ctx: CallContext, seg: int, span: Span | None = None, *, notes: list[Note] | None = None,
        confidence: float = 1.0) -> Hit:
    """A hit on normalized ``span`` of segment ``seg`` (whole segment when ``span`` is None).

    A whole-segment hit reads only the original text: the segment's folded view (made on first
    use, per utterance) is looked up only to map a span back."""
    if span is None:
        text = ctx.call.segments[seg].text
        return Hit(segment=seg, start_char=0, end_char=len(text), matched=text, notes=notes or [],
                   confidence=confidence)
    return span_hit(ctx.norms[seg], seg, span, notes=notes, confidence=confidence)


def span_hit(norm: Normalized, seg: int, span: Span, *, notes: list[Note] | None = None,
             confidence: float = 1.0) -> Hit:
    """``hit`` on a span, given the segment's folded view (a loop over a segment's spans has it)."""
    a, b = norm.span(*span)
    if notes is None and confidence == 1.0:  # most hits: the defaults are not validated again
        return Hit(segment=seg, start_char=a, end_char=b, matched=norm.original[a:b])
    return Hit(segment=seg, start_char=a, end_char=b, matched=norm.original[a:b], notes=notes or [],
               confidence=confidence)


def merge_spans(spans: list[Span]) -> list[Span]:
    """Overlapping hits of one rule become one piece of evidence (the union)."""
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
