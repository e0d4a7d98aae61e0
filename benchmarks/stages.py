#!/usr/bin/env python3
"""Where a check's time goes, per call: reading, normalizing and scanning, homophones, stages, each
rule, and writing the report. In-process, after start-up, best of ``--repeat`` passes.

    python benchmarks/stages.py CALLS.jsonl [--rulebook default] [--top 15] [--repeat 3]

Use it to find what to make faster; use ``benchmarks/run.py`` (whole processes against the peers)
to say how fast scriptcheck is. Calls are scanned ``batch.CHUNK`` at a time and the garbage
collector is tuned (``batch.fewer_collections``), as in a batch. Rules are timed in the engine's
order on a fresh call context, so a lazy per-call structure (jieba words, pattern spans) is charged
to the first rule that asks for it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scriptcheck.batch import CHUNK, fewer_collections
from scriptcheck.engine import Checker
from scriptcheck.readers import read_paths
from scriptcheck.report.jsonl import report_line


def best(repeat: int, fn: Callable[[], Any]) -> float:
    """Seconds of the fastest of ``repeat`` runs of ``fn``."""
    out = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


def main() -> int:
    with fewer_collections():  # as a batch runs
        return _main()


def _main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("calls", type=Path)
    ap.add_argument("--rulebook", default="default")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()  # once per process: not a per-call cost
    checker = Checker.from_rulebook(args.rulebook)
    items = list(read_paths([str(args.calls)], None, lazy=True))
    calls = [c for item in items for c in (item.read() if hasattr(item, "read") else [item])]
    calls = [c for c in calls if hasattr(c, "segments") and c.segments]
    n = len(calls)
    for c in calls[:50]:
        checker.check(c)  # warm every table filled on first sight
    us = 1e6 / n

    def contexts() -> list[Any]:
        """As a batch does it: calls scanned ``CHUNK`` at a time."""
        out = []
        for i in range(0, n, CHUNK):
            chunk = calls[i:i + CHUNK]
            out += [checker.context(c, s) for c, s in zip(chunk, checker.scan(chunk), strict=True)]
        return out

    figures = {"read": best(args.repeat, lambda: [x for item in items for x in item.read()]) * us,
               "normalize + scan (with homophones)": best(args.repeat, contexts) * us}

    def lazy(fn: Callable[[Any], Any]) -> float:
        ctxs = contexts()
        t = time.perf_counter()
        for ctx in ctxs:
            fn(ctx)
        return (time.perf_counter() - t) * us

    figures["index homophones"] = min(lazy(lambda c: c._sounds(False)) for _ in range(args.repeat))
    figures["turns, holds, stages"] = min(lazy(lambda c: c.stages) for _ in range(args.repeat))
    per_rule = {rule.id: float("inf") for rule in checker._rules}
    for _ in range(args.repeat):
        spent = dict.fromkeys(per_rule, 0.0)
        for ctx in contexts():
            ctx._sounds(False)
            _ = ctx.stages
            for rule in checker._rules:
                t = time.perf_counter()
                checker.evaluate(rule, ctx)
                spent[rule.id] += time.perf_counter() - t
        per_rule = {k: min(v, spent[k] * us) for k, v in per_rule.items()}
    figures["rules"] = sum(per_rule.values())
    def whole_run() -> list[str]:
        out = []
        for i in range(0, n, CHUNK):
            chunk = calls[i:i + CHUNK]
            out += [report_line(checker.check(c, s)) for c, s in zip(chunk, checker.scan(chunk), strict=True)]
        return out

    whole = best(args.repeat, whole_run) * us
    reports = [checker.check(c) for c in calls]
    figures["report line"] = best(args.repeat, lambda: [report_line(r) for r in reports]) * us
    figures["rest of check (findings, metrics, report)"] = whole - sum(
        v for k, v in figures.items() if k not in ("read",))
    print(f"{n} calls, {sum(len(c.segments) for c in calls) / n:.0f} utterances each; µs per call:")
    for k, v in figures.items():
        print(f"  {v:8.1f}  {k}")
    print(f"  {whole + figures['read']:8.1f}  whole (read + check + report line) = "
          f"{1e6 / (whole + figures['read']):.0f} calls/s in-process")
    print(f"slowest {args.top} rules:")
    for rid, v in sorted(per_rule.items(), key=lambda kv: -kv[1])[:args.top]:
        print(f"  {v:8.1f}  {rid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
