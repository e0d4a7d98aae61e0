"""Shared by the HTML report tests: realistic batches to render, and a small parser of the page.

Every transcript here is written for these tests (fictional companies, customers and numbers).
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from scriptcheck.engine import Checker
from scriptcheck.model import Call
from scriptcheck.report import FORMATS, Summary

OPEN = ("agent", "您好，云桥通信，很高兴为您服务，请问有什么可以帮您？")
ASK_MORE = ("agent", "请问还有其他可以帮您的吗？")
NO_MORE = ("customer", "没有了，谢谢。")
BYE = ("agent", "感谢您的来电，祝您生活愉快，再见！")

# Four kinds of call an inspector meets every day; each agent of the batch gets a mix of them.
CALLS: dict[str, list[tuple[str, str]]] = {
    "polite": [OPEN, ("customer", "我家的宽带从昨天晚上开始就连不上了。"),
               ("agent", "好的，给您带来不便很抱歉，我这边帮您查一下线路状态。"),
               ("agent", "查到了，您那个片区在做光缆维护，预计今天下午六点前恢复。"),
               ("customer", "哦，那我等一等吧。"), ASK_MORE, NO_MORE, BYE],
    "taboo": [OPEN, ("customer", "我上个月的话费怎么多了三十块？"),
              ("agent", "这个我不清楚，你找营业厅问去。"),
              ("customer", "你们客服不就是管这个的吗？帮我查一下嘛。"),
              ("agent", "你听不懂吗？我说了是您自己订的流量加餐包。"), ASK_MORE, NO_MORE, BYE],
    "redline": [OPEN, ("customer", "你们就是骗子，他妈的天天乱扣钱！"),
                ("agent", "你有病吧，自己订的业务还来骂人。"),
                ("customer", "你怎么说话的？我要投诉你。"), ASK_MORE, ("customer", "没有了！"), BYE],
    "near_miss": [OPEN, ("customer", "刚才那个客服跟我说你等一会，就把我晾在那了。"),
                  ("agent", "刚才同事说“你等一会”实在抱歉，我现在马上为您处理。"),
                  ("customer", "好吧，就是改一下套餐。"),
                  ("agent", "已经为您改成五十八元的套餐了，下个月生效。"), ASK_MORE, NO_MORE, BYE],
}


def make_call(call_id: str, agent: str | None, kind: str, extra: list[tuple[str, str]] | None = None) -> Call:
    """A timed call (4 s per utterance, 0.5 s apart) of one of the kinds above."""
    turns = list(CALLS[kind])
    if extra:
        turns[1:1] = extra
    segs = [{"speaker": who, "text": text, "start": i * 4.5, "end": i * 4.5 + 4.0}
            for i, (who, text) in enumerate(turns)]
    return Call(call_id=call_id, agent_id=agent, started_at="2026-11-20T10:00:00+08:00", segments=segs,
                source=f"tests:{call_id}")


def team_batch() -> list[Call]:
    """Three agents: A1001 clean, A1002 some taboos, A1003 one red line; plus a call with no agent id."""
    plan = {"A1001": ["polite", "near_miss", "polite"], "A1002": ["taboo", "polite", "taboo", "near_miss"],
            "A1003": ["redline", "polite", "taboo"]}
    calls = [make_call(f"{agent}-{n:02d}", agent, kind) for agent, kinds in plan.items()
             for n, kind in enumerate(kinds)]
    calls.append(make_call("walk-in-01", None, "polite"))
    return calls


def write_jsonl(path: Path, calls: list[Call]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for c in calls:
            f.write(json.dumps(c.model_dump(mode="json", exclude={"source", "errors", "roles"}, exclude_none=True),
                               ensure_ascii=False) + "\n")
    return path


def render(calls: list[Call], *, lang: str = "zh", mask_pii: bool | None = None) -> tuple[str, list]:
    """The HTML page of ``calls`` through the formatter's real lifecycle, and the reports behind it."""
    checker = Checker.from_rulebook("default", lang=lang, mask_pii=mask_pii, transcript=True)
    out = io.StringIO()
    fmt = FORMATS["html"](out, lang=lang, checks=checker.rulebook.checks)
    summary = Summary()
    fmt.start()
    reports = []
    for call in calls:
        r = checker.check(call)
        reports.append(r)
        summary.add(r)
        fmt.call(r)
    fmt.finish(summary)
    return out.getvalue(), reports


class Page(HTMLParser):
    """Elements of the page by id and class, with their attributes and text (enough to check structure)."""

    VOID: ClassVar[set[str]] = {"meta", "br", "img", "input", "link", "hr", "path", "rect", "use", "stop", "circle",
                                "line"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self.stack: list[dict] = []
        self.scripts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": "", "classes": set((dict(attrs).get("class") or "").split())}
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        self.elements.append({"tag": tag, "attrs": dict(attrs), "text": "",
                              "classes": set((dict(attrs).get("class") or "").split())})

    def handle_endtag(self, tag):
        while self.stack:
            el = self.stack.pop()
            if el["tag"] == tag:
                break

    def handle_data(self, data):
        for el in self.stack:
            el["text"] += data
        if self.stack and self.stack[-1]["tag"] == "script":
            self.scripts.append(data)

    def by_class(self, cls: str, tag: str | None = None) -> list[dict]:
        return [e for e in self.elements if cls in e["classes"] and (tag is None or e["tag"] == tag)]

    def by_id(self, ident: str) -> dict:
        return next(e for e in self.elements if e["attrs"].get("id") == ident)
