"""jieba, ready to cut words: its prefix dictionary loaded from scriptcheck's own cache.

jieba keeps that dictionary (~500,000 entries) in ``/tmp/jieba.cache`` and reads it back with
``marshal.load`` on an open file, which reads in small pieces: ~1 s of every process that needs a
word boundary (a short taboo word, the closest wording to a missing phrase). Pickled in
scriptcheck's cache (``cache.py``: private to the user, keyed by jieba's version and dictionary
file) it loads in ~0.2 s, and nothing is read from a directory every user can write to.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any

from . import cache


@functools.cache
def tokenizer() -> Any:
    """jieba's default tokenizer (``jieba.dt``, shared with any other user of ``jieba.cut``), its
    dictionary loaded once per process."""
    jieba = _import_jieba()
    jieba.setLogLevel(60)  # no "Building prefix dict…" on stderr
    tk = jieba.dt
    if tk.initialized or tk.dictionary != jieba.DEFAULT_DICT:  # (a dictionary set by other code: jieba loads it)
        tk.check_initialized()
        return tk
    dictionary = Path(jieba.__file__).resolve().parent / "dict.txt"
    try:
        st = dictionary.stat()
    except OSError:  # an unusual install: jieba finds its dictionary itself
        tk.initialize()
        return tk
    key = f"jieba|{jieba.__version__}|{dictionary}|{st.st_size}|{st.st_mtime_ns}"
    with tk.lock:
        if not tk.initialized:
            loaded = cache.load("jieba", key)
            if loaded is None:
                with tk.get_dict_file() as f:
                    loaded = tk.gen_pfdict(f)
                cache.store("jieba", key, {"dictionary": str(dictionary)}, loaded)
            tk.FREQ, tk.total = loaded
            tk.initialized = True
    return tk


def _import_jieba() -> Any:
    """``import jieba``, without letting it import ``pkg_resources`` (deprecated, ~0.1 s of start-up)
    only to open its own data files: when that import fails, jieba opens them by path."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        import jieba

        return jieba
    sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # (an import of it raises ImportError)
    try:
        import jieba
    finally:
        if sys.modules.get("pkg_resources", 0) is None:
            del sys.modules["pkg_resources"]
    return jieba
