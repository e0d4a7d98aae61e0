"""Boolean composition of rules: ``all`` fails when every sub-rule fails, ``any`` when one does,
``not`` when its one sub-rule passes. Sub-rules are written inline (any kind, ``check`` and
``message`` inherited), so a rulebook can say "a complaint without an apology" without code.

Anti-pattern (fails): 客户:我要投诉! / 坐席:您说吧。 (a complaint, no apology after it)
Best practice (passes): 客户:我要投诉! / 坐席:非常抱歉给您带来不便,您的问题我已经记录。
YAML::

    courtesy.complaint_apology:
      check: courtesy
      kind: all
      of:
        - {kind: forbidden, speaker: customer, phrases: [投诉]}        # fails when the customer complains
        - {kind: not, of: [{kind: forbidden, phrases: [抱歉, 对不起]}]}   # fails when nobody apologised
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from ..model import Status
from ..rulebook.schema import RuleBase
from .base import Outcome, hit, note

if TYPE_CHECKING:
    from ..context import CallContext


class ComposeRule(RuleBase):
    kind: Literal["all", "any", "not"]
    of: list[Any] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _inherit(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("of"), list):
            data = dict(data)
            data["of"] = [{"check": data.get("check", ""), "message": data.get("message", ""),
                           "id": f"{data.get('id', '')}[{i}]", **c} if isinstance(c, dict) else c
                          for i, c in enumerate(data["of"])]
        return data

    @field_validator("of")
    @classmethod
    def _rules(cls, of: list[Any]) -> list[Any]:
        from . import RULE_ADAPTER

        return [RULE_ADAPTER.validate_python(c) if isinstance(c, dict) else c for c in of]

    @model_validator(mode="after")
    def _not_one(self) -> ComposeRule:
        if self.kind == "not" and len(self.of) != 1:
            raise ValueError("`not` takes exactly one rule under `of`")
        return self


_FLIP: dict[Status, Status] = {"pass": "fail", "fail": "pass", "n/a": "n/a"}


def _status(rule: Any, ctx: CallContext) -> Status:
    """A sub-rule's status alone (its kind's ``status`` when it has one: cheaper, no evidence)."""
    from . import KINDS

    module = KINDS[rule.kind]
    decide = getattr(module, "status", None)
    return decide(rule, ctx) if decide is not None else module.evaluate(rule, ctx).status


def evaluate(rule: ComposeRule, ctx: CallContext) -> Outcome:
    from . import KINDS

    if rule.kind == "not":  # the sub-rule's evidence is never reported: only its status counts
        flipped = _FLIP[_status(rule.of[0], ctx)]
        if flipped != "fail":
            return Outcome(flipped)
        first = ctx.window_segments(rule.stage, rule.window, rule.speaker) or [0]
        return Outcome("fail", [hit(ctx, first[0], notes=[note("condition_not_met")])])
    outs = []
    for c in rule.of:
        out = KINDS[c.kind].evaluate(c, ctx)
        if rule.kind == "all" and out.status == "pass":
            return Outcome("pass")  # not every sub-rule can fail now, and one passed: the rest cannot matter
        outs.append(out)
    statuses = [o.status for o in outs]
    failed = [o for o in outs if o.status == "fail"]
    if (rule.kind == "all" and len(failed) == len(outs)) or (rule.kind == "any" and failed):
        return Outcome("fail", [h for o in failed for h in o.hits])
    if "pass" in statuses:
        return Outcome("pass")
    return Outcome("n/a")
