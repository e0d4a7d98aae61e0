"""formats.md §1a calls as rows of a Parquet file (a data team's archive, one row per call).

Columns: ``call_id``, ``agent_id``, ``started_at`` and ``segments`` (a list of structs with
``speaker``, ``text``, ``start``, ``end``), i.e. what ``scriptcheck convert`` writes as JSON Lines,
stored as Parquet (e.g. ``pandas.read_json(..., lines=True).to_parquet(...)``). Rows are read one
record batch at a time (Apache Arrow's ``ParquetFile.iter_batches``), so memory follows the batch,
not the file; each row is then read exactly like a JSON Lines record, its ``source`` is
``file:row`` (rows counted from 1). Needs pyarrow (the ``cluster`` extra).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..model import Call
from .common import ReadError
from .jsoncalls import call_from_dict

BATCH_ROWS = 1024


def read_parquet(path: Path) -> Iterator[Call | ReadError]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield ReadError(path.stem, str(path), f"{path}: reading Parquet needs pyarrow "
                        "(pip install 'scriptcheck[cluster]', or pip install pyarrow)")
        return
    try:
        pf = pq.ParquetFile(path)
        n = 0
        for batch in pf.iter_batches(batch_size=BATCH_ROWS):
            for row in batch.to_pylist():
                n += 1
                where = f"{path}:{n}"
                yield call_from_dict(row, where, f"{path.stem}:{n}", line=n)
        if n == 0:
            yield ReadError(path.stem, str(path), f"{path}: empty Parquet file, no calls")
    except (OSError, ValueError) as e:  # pyarrow's ArrowInvalid is a ValueError
        yield ReadError(path.stem, str(path), f"{path}: cannot read Parquet: {e}")
