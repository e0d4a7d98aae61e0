"""Optional smoke test on real customer-service dialogues (../shared/realdata, not shipped).

Skipped when the folder is absent (e.g. on a fresh machine or in CI). The dialogues are text
chats with no timestamps and no compliance labels, so this only checks that scriptcheck runs on
real wording without crashing and that red lines stay rare (false alarms would show up here).
Run with ``-s`` to see what fired, so a human can audit it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from scriptcheck.model import Call, Segment

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
PER_FILE = 300
MAX_RED_LINE_RATE = 0.02

_AGENT = {"agent", "helpdesk", "waiter", "staff", "service", "坐席", "客服", "1", "true"}
_CUSTOMER = {"customer", "user", "client", "客户", "用户", "0", "false"}
_ROLE_KEYS = ("speaker", "role", "sender", "waiter_send", "from", "who")
_TEXT_KEYS = ("text", "content", "utterance", "utterances", "message")
_LIST_KEYS = ("segments", "turns", "dialogue", "dialog", "messages", "utterances")


def _role(turn: dict[str, Any]) -> str | None:
    for key in _ROLE_KEYS:
        if key in turn:
            value = str(turn[key]).strip().lower()
            if value in _AGENT:
                return "agent"
            if value in _CUSTOMER:
                return "customer"
    return None


def _text(turn: dict[str, Any]) -> str:
    for key in _TEXT_KEYS:
        value = turn.get(key)
        if isinstance(value, list):
            return " ".join(str(v) for v in value if v)
        if isinstance(value, str):
            return value
    return ""


def to_call(obj: dict[str, Any], fallback_id: str) -> Call | None:
    """Whatever the dialogue's shape, build a Call with agent/customer segments (None if not a dialogue)."""
    turns = next((obj[k] for k in _LIST_KEYS if isinstance(obj.get(k), list)), None)
    if not turns:
        return None
    segments = []
    for turn in turns:
        if not isinstance(turn, dict):
            continue
        role, text = _role(turn), _text(turn).strip()
        if role and text:
            segments.append(Segment(speaker=role, text=text))
    if not any(s.speaker == "agent" for s in segments):
        return None
    cid = obj.get("call_id") or obj.get("id") or obj.get("session_id") or fallback_id
    return Call(call_id=str(cid), segments=segments)


def load_dialogues() -> list[Call]:
    calls: list[Call] = []
    for path in sorted(REALDATA.glob("*.jsonl")):
        taken = 0
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if taken >= PER_FILE:
                    break
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    continue
                call = to_call(obj, f"{path.stem}:{n}") if isinstance(obj, dict) else None
                if call is not None:
                    calls.append(call)
                    taken += 1
    return calls


@pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real-data folder {REALDATA} not present")
def test_real_dialogues_run_and_red_lines_are_rare(checker):
    calls = load_dialogues()
    if not calls:
        pytest.skip(f"no dialogues found under {REALDATA}")
    assert len(calls) >= 100, "expected a few hundred dialogues"

    red, fired = [], Counter()
    for call in calls:
        report = checker.check(call)  # must not raise
        assert report.verdict in ("pass", "fail")
        assert set(report.checks) == {c for c, i in checker.rulebook.checks.items() if not i.advisory}
        assert report.metrics.duration is None  # text chats: no timestamps
        assert report.checks["interruption"] == "n/a"
        for f in report.findings:
            if f.check == "forbidden_phrase" or f.check.startswith("redline_"):
                fired[f.rule] += 1
                print(f"[{call.call_id}] {f.rule}: {f.matched!r} in {f.text[:80]!r}")
        if report.red_line:
            red.append(report)

    rate = len(red) / len(calls)
    print(f"\n{len(calls)} dialogues, {len(red)} with a red line ({rate:.1%}); phrase rules fired: {dict(fired)}")
    assert rate < MAX_RED_LINE_RATE, [(r.call_id, [f.matched for f in r.findings if f.check.startswith("redline_")])
                                      for r in red]


def test_converter_maps_foreign_role_fields():
    """The converter itself (runs everywhere): other corpora's role fields become agent/customer."""
    jddc_like = {"session_id": "s1", "turns": [
        {"waiter_send": 0, "content": "我的快递到哪了"},
        {"waiter_send": 1, "content": "亲，正在为您查询，请稍等"},
    ]}
    weibo_like = {"id": "w1", "dialogue": [
        {"sender": "customer", "utterances": ["宽带又断了", "已经三天了"]},
        {"sender": "helpdesk", "utterances": ["您好，请私信提供宽带账号"]},
    ]}
    a, b = to_call(jddc_like, "x"), to_call(weibo_like, "y")
    assert a is not None and [(s.speaker, s.text) for s in a.segments] == [
        ("customer", "我的快递到哪了"), ("agent", "亲，正在为您查询，请稍等")]
    assert b is not None and b.call_id == "w1"
    assert [(s.speaker, s.text) for s in b.segments] == [
        ("customer", "宽带又断了 已经三天了"), ("agent", "您好，请私信提供宽带账号")]
    assert to_call({"call_id": "q", "annotators": 19, "A": 0.1}, "z") is None  # a ratings sidecar
