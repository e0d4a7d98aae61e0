"""Running a batch so that nothing is lost and an interrupted run can be continued.

Every call read ends up in the output, as a report or as an error record. With ``--output FILE``
the report is written to ``FILE.partial`` as calls are checked (whole lines, flushed) and renamed to
``FILE`` only when the batch is complete; Ctrl-C or SIGTERM leaves a valid ``.partial``; ``--resume``
keeps the calls already there (dropping a torn last line) and checks only the rest, in the same
order, so the result equals an uninterrupted run.

With ``--jobs`` above 1, forked workers decode, parse, check and render the calls in chunks. When the
formatter only writes each call's rendered text (``Formatter.render``) and nothing else needs the
reports (no history recorder), a worker sends back a chunk's text and ``Summary``, not its reports:
the parent, which shares the cores with the workers, then does almost nothing per call.
"""

from __future__ import annotations

import gc
import itertools
import json
import multiprocessing
import os
import signal
from array import array
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .engine import Checker
from .matchers.pii import mask
from .model import Call, CallReport
from .readers import Line, ReadError, ReadOptions, read_paths
from .report import Formatter, Summary
from .report.jsonl import report_line
from .scan import Scanned


def partial_path(output: Path) -> Path:
    return output.with_name(output.name + ".partial")


def report_key(source: str | None, call_id: str) -> str:
    return f"{source or ''}\t{call_id}"


def load_done(path: Path) -> list[CallReport]:
    """Reports already written to a JSON Lines file; a torn last line is cut off the file."""
    raw = path.read_bytes()
    keep = raw.rfind(b"\n") + 1
    if keep != len(raw):
        with path.open("r+b") as f:
            f.truncate(keep)
    done = []
    for line in raw[:keep].decode("utf-8").split("\n"):
        if line.strip():
            done.append(CallReport.model_validate(json.loads(line)))
    return done


@dataclass
class BatchResult:
    summary: Summary
    resumed: int = 0
    interrupted: bool = False

    @property
    def reconciled(self) -> bool:
        s = self.summary
        return s.read == s.passed + s.failed + s.errors


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """A batch killed by SIGTERM (a scheduler's stop) ends like Ctrl-C: output kept, resumable."""

    def _raise(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, _raise)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Garbage collection tuned for a batch, restored after it.

    A check makes and drops thousands of short-lived objects, almost none of them in reference
    cycles (reference counting frees them), so the collector's defaults — a young-generation pass
    every 700 allocations, and full passes walking the whole compiled rulebook — cost ~10 % of a
    check. The objects alive before the batch (rulebook, dictionaries) are frozen out of its passes
    (which also keeps forked workers from copying them as the collector touches them) and passes
    run ~14x less often."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)
    try:
        yield
    finally:
        gc.set_threshold(*previous)
        gc.unfreeze()


Render = Callable[[CallReport], str]
_WORKER: Checker | None = None  # the compiled rulebook, inherited by forked workers (never pickled)
IN_PROCESS_FIRST = 64  # small batches never pay for a process pool
CHUNK = 32  # calls per task sent to a worker
WINDOW = 4  # tasks in flight per worker: enough to keep workers busy, bounded so memory stays flat


def _safe_check(checker: Checker, call: Call, scanned: Scanned | None = None) -> CallReport:
    try:
        return checker.check(call, scanned)
    except Exception as e:  # a bug on one call must not lose the batch
        why = mask(repr(e)) if checker.mask_pii else repr(e)  # an exception may quote the text
        return checker.error_report(call.call_id, [f"{call.source}: internal error: {why}"], call.source)


def _parsed(item: Call | ReadError | Line) -> list[Call | ReadError] | tuple[Call | ReadError]:
    """An input item as calls: an unparsed JSON Lines record is parsed here (in a worker)."""
    return item.read() if isinstance(item, Line) else (item,)


def _reports_of_many(checker: Checker, items: list[Call | ReadError | Line]) -> list[CallReport]:
    """The reports of several input items, their calls scanned as one batch (``Checker.scan``)."""
    parsed = [x for item in items for x in _parsed(item)]
    calls = [x for x in parsed if isinstance(x, Call)]
    try:
        scanned = dict(zip(map(id, calls), checker.scan(calls), strict=True))
    except Exception:  # a call that breaks the batch's scan must not cost the others: each alone
        scanned = {}
    return [_safe_check(checker, x, scanned.get(id(x))) if isinstance(x, Call)
            else checker.error_report(x.call_id, [x.message], x.source) for x in parsed]


def _chunks(items: Iterator[Call | ReadError | Line], size: int) -> Iterator[list[Call | ReadError | Line]]:
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def _worker_init() -> None:
    """Workers die quietly when the pool is terminated; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@dataclass(slots=True)
class Rendered:
    """Checked calls as the parent needs them when it only writes their rendered text: that text
    and their ``Summary`` unpickle in about a sixth of the time their reports would."""

    text: str
    summary: Summary
    scores: array[float]  # each call's score addend in input order (see ``Summary.merge``)

    @classmethod
    def of(cls, reports: list[CallReport], render: Render) -> Rendered:
        summary, scores = Summary(), array("d")
        for r in reports:
            summary.add(r)
            if r.verdict != "error":
                scores.append(r.score or 0.0)
        return cls("".join(map(render, reports)), summary, scores)


Result = list[CallReport] | Rendered  # what a chunk's check gives back, in input order


def _check_chunk(items: list[Call | ReadError | Line], render: Render | None) -> Result:
    """In a worker: parse, check and render a chunk. With ``render``, only the text and the totals go
    back; otherwise whole reports, each with its JSON line rendered (the parent only writes it)."""
    assert _WORKER is not None
    reports = _reports_of_many(_WORKER, items)
    if render is not None:
        return Rendered.of(reports, render)
    for report in reports:
        report._line = report_line(report)
    return reports


class _Workers:
    """Forked worker processes that survive a worker's death (killed, out of memory): the pool is
    rebuilt and the calls it held are checked again, so nothing is lost and nothing hangs."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_worker_init)

    def submit(self, chunk: list[Call | ReadError | Line], render: Render | None) -> Future[Result]:
        return self.pool.submit(_check_chunk, chunk, render)

    def restart(self) -> None:
        self.close()
        self.pool = self._new()

    def close(self) -> None:
        # ProcessPoolExecutor has no public way to stop busy workers before Python 3.14
        procs = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.join(timeout=5)


def _died(checker: Checker, item: Call | ReadError | Line) -> list[CallReport]:
    """Error records for an item whose check kills the worker process every time."""
    out = []
    for x in _parsed(item):
        msg = x.message if isinstance(x, ReadError) else (
            f"{x.source}: the worker process checking this call died (killed or out of memory); "
            "the rest of the batch went on")
        out.append(checker.error_report(x.call_id, [msg], x.source))
    return out


def reports(checker: Checker, items: Iterator[Call | ReadError | Line], jobs: int) -> Iterator[CallReport]:
    """Reports in input order; after the first calls, ``jobs`` forked workers share the checking."""
    for out in _results(checker, items, jobs, None):
        assert not isinstance(out, Rendered)
        yield from out


def _results(checker: Checker, items: Iterator[Call | ReadError | Line], jobs: int,
             render: Render | None) -> Iterator[Result]:
    """Each item's or chunk's result in input order: the first calls in-process as reports, the rest
    by ``jobs`` forked workers (``Rendered`` when ``render`` is given).

    Chunks are submitted through a bounded window (not ``Pool.imap``, whose feeder thread reads the
    whole input ahead of the workers), so memory does not grow with the batch. If a worker dies, the
    chunk it held is checked again one call at a time: a call that kills a worker twice becomes an
    error record, the chunks still in flight are resubmitted.
    """
    global _WORKER
    items = iter(items)
    for chunk in _chunks(itertools.islice(items, IN_PROCESS_FIRST) if jobs > 1 else items, CHUNK):
        yield _reports_of_many(checker, chunk)
    if jobs <= 1:
        return
    first = list(itertools.islice(items, CHUNK))
    if not first:
        return
    _WORKER = checker
    workers = _Workers(jobs)
    try:
        pending: deque[tuple[list[Call | ReadError | Line], Future[Result]]] = deque()
        chunk = first
        while chunk or pending:
            while chunk and len(pending) < jobs * WINDOW:
                pending.append((chunk, _submit(workers, chunk, render)))
                chunk = list(itertools.islice(items, CHUNK))
            head, future = pending.popleft()
            try:
                outs = [future.result()]
            except BrokenProcessPool:
                rest = [c for c, _ in pending]
                pending.clear()
                workers.restart()
                outs = [_redo(checker, workers, item, render) for item in head]
                pending.extend((c, _submit(workers, c, render)) for c in rest)
            yield from outs
    finally:
        workers.close()


def _submit(workers: _Workers, chunk: list[Call | ReadError | Line], render: Render | None) -> Future[Result]:
    """``workers.submit``; if a worker has died since the last result, a future that says so: the
    chunk is redone with the others when the loop reaches it (the pool is rebuilt there)."""
    try:
        return workers.submit(chunk, render)
    except BrokenProcessPool as e:
        broken: Future[Result] = Future()
        broken.set_exception(e)
        return broken


def _redo(checker: Checker, workers: _Workers, item: Call | ReadError | Line, render: Render | None) -> Result:
    """An item of a chunk whose worker died, checked alone: if it kills its worker too, error records."""
    try:
        return workers.submit([item], render).result()
    except BrokenProcessPool:
        workers.restart()
        died = _died(checker, item)
        return died if render is None else Rendered.of(died, render)


def run(checker: Checker, paths: list[str], formatter: Formatter, done: list[CallReport] | None = None,
        jobs: int = 1, progress: Callable[[int, int], None] | None = None,
        on_report: Callable[[CallReport], None] | None = None,
        read_options: ReadOptions | None = None) -> BatchResult:
    """Check every call under ``paths`` in order, skipping those already ``done``.

    ``progress(calls, not_passed)`` is told of each call or chunk written; ``on_report`` (a history
    recorder) gets every report, so with it the workers send whole reports."""
    result = BatchResult(Summary(per_agent=formatter.agent_figures))
    for report in done or []:
        result.summary.add(report)
    items = _todo(read_paths(paths, read_options, lazy=True), done or [], result)
    render = formatter.render if on_report is None else None
    try:
        with sigterm_as_interrupt(), fewer_collections():
            for out in _results(checker, items, jobs, render):
                if isinstance(out, Rendered):
                    result.summary.merge(out.summary, out.scores)
                    formatter.write_rendered(out.text)
                    if progress is not None:
                        progress(out.summary.read, out.summary.read - out.summary.passed)
                    continue
                for report in out:
                    result.summary.add(report)
                    formatter.call(report)
                    if progress is not None:
                        progress(1, report.verdict != "pass")
                    if on_report is not None:
                        on_report(report)
    except KeyboardInterrupt:
        result.interrupted = True
    return result


def _todo(items: Iterator[Call | ReadError | Line], done: list[CallReport],
          result: BatchResult) -> Iterator[Call | ReadError | Line]:
    """The items not ``done`` yet, counted in ``result.resumed`` otherwise."""
    if not done:
        yield from items
        return
    skip = {report_key(r.source, r.call_id) for r in done}
    done_sources = {r.source for r in done}
    for item in items:
        # a JSON Lines record is known by its file:line, which is the source of its report(s)
        if (item.source in done_sources) if isinstance(item, Line) else (
                report_key(item.source, item.call_id) in skip):
            result.resumed += 1
        else:
            yield item


def open_output(output: Path, resume: bool) -> tuple[TextIO, list[CallReport]]:
    """The ``.partial`` file to write to (line-buffered) and the reports already in it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    part = partial_path(output)
    done: list[CallReport] = []
    if resume:
        if not part.exists() and output.exists():
            os.replace(output, part)
        if part.exists():
            done = load_done(part)
        return part.open("a", encoding="utf-8", newline="\n", buffering=1), done
    return part.open("w", encoding="utf-8", newline="\n", buffering=1), done


def finish_output(output: Path) -> None:
    os.replace(partial_path(output), output)
