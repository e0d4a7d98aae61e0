"""Calls for the review-workspace tests (a fictional gas company, 青禾燃气), written for these tests.

Each flagged call holds one finding an inspector confirms (a real taboo) and, in the same batch,
findings an inspector would reject: a regretful "我也没办法马上派人" followed by an offer, and a
public maintenance notice read from "内部资料" that the red-line rule takes for a leak.
"""

from __future__ import annotations

import json
from pathlib import Path


def seg(speaker: str, start: float, end: float, text: str) -> dict[str, object]:
    return {"speaker": speaker, "start": start, "end": end, "text": text}


OPEN = seg("agent", 0.0, 4.0, "您好，青禾燃气，很高兴为您服务，请问有什么可以帮您？")


def close(t: float, ask: bool = True) -> list[dict[str, object]]:
    ask_more = [seg("agent", t, t + 3.0, "请问还有其他可以帮您的吗？"),
                seg("customer", t + 3.4, t + 4.6, "没有了，谢谢。")]
    return [*(ask_more if ask else []), seg("agent", t + 5.0, t + 8.2, "感谢您的来电，祝您生活愉快，再见！")]


CLEAN = {"call_id": "QH-20261101-0001", "agent_id": "B301", "started_at": "2026-11-01T09:05:00+08:00", "segments": [
    OPEN, seg("customer", 4.5, 9.0, "我想问一下这个月的燃气费怎么比上个月多了五十块？"),
    seg("agent", 9.5, 12.0, "好的，现在为您查询，请稍等。"),
    seg("agent", 24.0, 31.0, "感谢您的耐心等待，这个月是冬季阶梯价，用量也比上月多了十八方。"),
    seg("customer", 31.5, 33.0, "哦，原来是这样，明白了。"), *close(33.5)]}

# a real taboo (confirmed), a false alarm (rejected), and no ask-more before the goodbye: 75 → 85 after review
MIXED = {"call_id": "QH-20261101-0002", "agent_id": "B301", "started_at": "2026-11-01T15:40:00+08:00", "segments": [
    OPEN, seg("customer", 4.5, 8.0, "喂，我家灶台那边……有点燃气味儿。"),
    seg("agent", 8.5, 9.6, "你再说一遍。"),
    seg("customer", 10.0, 13.5, "我说厨房里有燃气味，我有点害怕。"),
    seg("agent", 14.0, 21.0, "请您马上关闭燃气总阀，开窗通风，不要开关电器，我这边立即为您派单。"),
    seg("customer", 21.5, 23.0, "师傅现在能来吗？"),
    seg("agent", 23.5, 31.0, "抱歉，我也没办法马上派人，最快四十分钟内抢修师傅上门，您看可以吗？"),
    seg("customer", 31.5, 32.5, "好的好的。"), *close(33.0, ask=False)]}

# the red-line rule reads a public maintenance notice as an internal leak: score 0 until an inspector rejects it
RED = {"call_id": "QH-20261102-0003", "agent_id": "B302", "started_at": "2026-11-02T10:12:00+08:00", "segments": [
    OPEN, seg("customer", 4.5, 8.0, "我们小区下周是不是要停气？物业群里有人在传。"),
    seg("agent", 8.5, 16.0, "内部资料显示您家这一片下周三停气检修，具体以短信通知为准。"),
    seg("customer", 16.5, 17.5, "好的，谢谢。"), *close(18.0)]}

# shirking (the agent appeals it: the pipe in the stairwell is the property manager's) and a customer line that
# holds markup, which every page must show as text
APPEALED = {"call_id": "QH-20261102-0004", "agent_id": "B302", "started_at": "2026-11-02T16:30:00+08:00",
            "segments": [
    OPEN, seg("customer", 4.5, 11.0, "楼道里那根公共燃气管生锈了<script>alert('x')</script>你们管不管？"),
    seg("agent", 11.5, 14.0, "这个不归我们管，你去找物业。"),
    seg("customer", 14.5, 16.0, "那好吧。"), *close(16.5)]}

CALLS = [CLEAN, MIXED, RED, APPEALED]


def write_calls(path: Path, calls: list[dict[str, object]] | None = None) -> Path:
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in (calls or CALLS)), encoding="utf-8")
    return path
