"""On-disk cache of what is slow to build and never changes for given inputs: the compiled
rulebook (keyed by the bytes of every file it was read from), the fuzzy-pinyin table and jieba's
dictionary. Of each kind, the ``KEEP`` entries used last are kept; older ones are removed.

A cache is an optimisation, never a source of truth: any problem reading or writing it (no
home directory, a read-only disk, a stale or corrupt entry) falls back to building from scratch.
Entries are pickles, so the directory must be private: it is created 0700 and an entry owned by
another user, or writable by group or others, is ignored.

Location: ``$SCRIPTCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/scriptcheck``, else
``~/.cache/scriptcheck``. ``SCRIPTCHECK_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

MAGIC = b"scriptcheck-cache-1\n"
KEEP = 8  # entries of each kind kept (the ones used last)


def cache_dir() -> Path | None:
    if os.environ.get("SCRIPTCHECK_NO_CACHE"):
        return None
    base = os.environ.get("SCRIPTCHECK_CACHE_DIR")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        return Path(xdg) / "scriptcheck" if xdg else Path.home() / ".cache" / "scriptcheck"
    except RuntimeError:  # no home directory
        return None


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digests(files: list[str]) -> list[tuple[str, str]] | None:
    out = []
    for f in files:
        try:
            out.append((f, digest(Path(f).read_bytes())))
        except OSError:
            return None
    return out


def _private(path: Path) -> bool:
    """Only entries this user wrote and nobody else can change are unpickled."""
    st = path.stat()
    owner_ok = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner_ok and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


@functools.cache
def code_fingerprint() -> str:
    """Size and mtime of every module of this package: an entry pickled by other code (an upgrade,
    an edited checkout) is never unpickled into this one."""
    from . import __version__

    root = Path(__file__).resolve().parent
    stats = sorted((str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*.py"))
    return digest(f"{__version__}|{sys.version_info[:2]}|{stats}".encode())


def entry_path(kind: str, key: str) -> Path | None:
    d = cache_dir()
    if d is None:
        return None
    name = digest(f"{code_fingerprint()}|{key}".encode())[:32]
    return d / f"{kind}-{name}.bin"


def load(kind: str, key: str, valid: Any = None) -> Any | None:
    """The cached object for ``key``, or None. ``valid(header)`` decides from the small JSON header
    (e.g. file digests) whether the entry is current, before the payload is unpickled."""
    path = entry_path(kind, key)
    if path is None:
        return None
    try:
        if not path.is_file() or not _private(path):
            return None
        with path.open("rb") as f:
            if f.readline() != MAGIC:
                return None
            header = json.loads(f.readline())
            if valid is not None and not valid(header):
                return None
            value = pickle.load(f)
        _touch(path)
        return value
    except Exception:
        return None


def store(kind: str, key: str, header: dict[str, Any], value: Any) -> None:
    """Write atomically (temp file + rename); failures are ignored."""
    path = entry_path(kind, key)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(MAGIC)
                f.write(json.dumps(header, ensure_ascii=False).encode() + b"\n")
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent, kind)
    except Exception:
        pass


def _touch(path: Path) -> None:
    """Mark an entry used (its mtime), so that pruning keeps what is in use."""
    with contextlib.suppress(OSError):
        os.utime(path)


def _prune(directory: Path, kind: str, keep: int = KEEP) -> None:
    """Only the ``keep`` entries of a kind used last stay: each edit of a phrasebook, and each
    upgrade, writes a new entry (several MB for a big word list), and nothing else removes them."""
    entries = []
    for p in directory.glob(f"{kind}-*.bin"):
        try:
            entries.append((p.stat().st_mtime_ns, p))
        except OSError:
            continue
    for _, p in sorted(entries, reverse=True)[keep:]:
        p.unlink(missing_ok=True)
