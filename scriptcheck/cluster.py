"""The same checks on a Dask cluster, for a data team's partitioned JSON Lines or Parquet.

    from scriptcheck.cluster import check_on_dask
    check_on_dask(["day/part-*.jsonl"], "day-reports/", rulebook="company.yaml", scheduler="tcp://host:8786")

Each input file is one partition, read on a worker by the same readers as a local run (JSON Lines
line by line, Parquet a record batch at a time — with pyarrow installed), so every report's
``source`` is the same as a local run's; each worker compiles the rulebook once and keeps it;
each partition becomes one output file ``<out>/<n>.jsonl`` of JSON Lines reports, exactly what
``scriptcheck check -f json`` writes for those calls. The rulebook path (and the input paths) must be
readable by the workers, e.g. on a shared file system.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_CHECKERS: dict[tuple[str, str | None, bool | None], Any] = {}  # per worker process


def _checker(rulebook: str, lang: str | None, mask_pii: bool | None) -> Any:
    key = (rulebook, lang, mask_pii)
    if key not in _CHECKERS:
        from .engine import Checker

        _CHECKERS[key] = Checker.from_rulebook(rulebook, lang=lang, mask_pii=mask_pii)
    return _CHECKERS[key]


def _check_partition(paths: Iterable[str], rulebook: str, lang: str | None, mask_pii: bool | None) -> list[str]:
    """The input files of one partition → one JSON Lines report line per call (or error record)."""
    from .batch import fewer_collections, reports
    from .readers import read_paths
    from .report.jsonl import report_line

    checker = _checker(rulebook, lang, mask_pii)
    with fewer_collections():
        return [report_line(r) for r in reports(checker, read_paths(list(paths), lazy=True), jobs=1)]


def check_on_dask(inputs: list[str], output_dir: str | Path, *, rulebook: str = "default",
                  scheduler: str | None = None, client: Any = None, lang: str | None = None,
                  mask_pii: bool | None = None) -> list[Path]:
    """Check ``inputs`` (JSON Lines or Parquet files, or globs) on a Dask cluster, one partition per
    file; returns the output files, one per input file, in input order."""
    import dask.bag as db
    from distributed import Client

    files = sorted({p for pattern in inputs for p in (glob.glob(pattern) or [pattern])})
    if not files:
        raise FileNotFoundError(f"no input files in {inputs}")
    rulebook = str(Path(rulebook).resolve()) if Path(rulebook).exists() else rulebook
    own = client is None and scheduler is not None
    if own:
        client = Client(scheduler)
    try:
        bag = db.from_sequence(files, npartitions=len(files))
        reports = bag.map_partitions(_check_partition, rulebook, lang, mask_pii)
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        names = reports.to_textfiles(str(out / "*.jsonl"), last_endline=True, compute=False)
        if client is not None:
            client.compute(names, sync=True)
        else:
            import dask

            dask.compute(*names)
        return sorted(out.glob("*.jsonl"), key=lambda p: int(p.stem))
    finally:
        if own and client is not None:
            client.close()


def read_reports(paths: Iterable[Path]) -> list[dict[str, Any]]:
    return [json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line]
