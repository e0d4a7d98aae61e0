"""The on-disk cache of compiled rulebooks: used only while every source file is unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import make_polite_call

from scriptcheck import cache
from scriptcheck.engine import Checker
from scriptcheck.rulebook import load_cached, load_rulebook

TABOO_LINE = "客户：我的宽带又断了。\n坐席：这个我们管不着，你自己找物业去。"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(d))
    monkeypatch.delenv("SCRIPTCHECK_NO_CACHE", raising=False)
    return d


def _rulebook(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "words.txt").write_text("管不着\n" + extra, encoding="utf-8")
    rb = tmp_path / "rules.yaml"
    rb.write_text("extends: default\nphrasebooks:\n  - path: words.txt\n    check: forbidden_phrase\n",
                  encoding="utf-8")
    return rb


def test_second_load_comes_from_the_cache_and_checks_the_same(cache_home: Path, tmp_path: Path) -> None:
    rb = _rulebook(tmp_path)
    first = load_cached(rb)
    assert len(list(cache_home.glob("rulebook-*.bin"))) == 1
    second = load_cached(rb)
    assert second is not first  # unpickled, not a process-level memo
    call = make_polite_call(TABOO_LINE)
    fresh = load_rulebook(rb)
    report = Checker(second).check(call)
    assert report == Checker(fresh).check(call)
    assert any("管不着" in f.matched for f in report.findings)


def test_a_lexicon_from_the_cache_has_the_same_tables_and_is_read_only(cache_home: Path, tmp_path: Path) -> None:
    """The cache keeps a built lexicon's tables as lists (not the dicts ``add`` fills): loaded, it
    scans every wording and homophone as the fresh one does, and refuses new wordings."""
    import pickle

    from scriptcheck.scan import scan_calls

    fresh = load_rulebook(_rulebook(tmp_path, "你自己找物业\n你在说一遍\n")).lexicon
    loaded = pickle.loads(pickle.dumps(fresh))
    assert len(loaded) == len(fresh) and loaded.owner_table == fresh.owner_table
    assert loaded.own_sound.tolist() == fresh.own_sound.tolist()
    assert all(loaded.sound_owner_table(s) == fresh.sound_owner_table(s) for s in (False, True))
    texts = [["这个我们管不着，你自己找物业去。", "嗯那个你再说一遍", "你在说一遍吧𠀀"], ["您好，请问有什么可以帮您？"]]
    assert ([(s.rows, s.sound_rows) for s in scan_calls(loaded, texts)]
            == [(s.rows, s.sound_rows) for s in scan_calls(fresh, texts)])
    assert any(s.rows for s in scan_calls(loaded, texts))
    with pytest.raises(ValueError, match="read-only"):
        loaded.add(["新词"])


def test_editing_a_phrasebook_invalidates_the_entry(cache_home: Path, tmp_path: Path) -> None:
    rb = _rulebook(tmp_path)
    call = make_polite_call("客户：能不能快点？\n坐席：别磨叽了，排队去。")
    assert not any("别磨叽了" in f.matched for f in Checker(load_cached(rb)).check(call).findings)
    _rulebook(tmp_path, extra="别磨叽了\n")  # same file names, new bytes
    findings = Checker(load_cached(rb)).check(call).findings
    assert any("别磨叽了" in f.matched for f in findings)


def test_a_corrupt_entry_is_a_miss_not_an_error(cache_home: Path, tmp_path: Path) -> None:
    rb = _rulebook(tmp_path)
    load_cached(rb)
    (entry,) = cache_home.glob("rulebook-*.bin")
    entry.write_bytes(cache.MAGIC + b"{not json\n\x80garbage")
    os.chmod(entry, 0o600)
    assert "管不着" in str(load_cached(rb).raw)


def test_an_entry_others_can_write_is_never_unpickled(cache_home: Path, tmp_path: Path) -> None:
    rb = _rulebook(tmp_path)
    load_cached(rb)
    (entry,) = cache_home.glob("rulebook-*.bin")
    os.chmod(entry, 0o666)
    assert cache.load("rulebook", str(rb.resolve())) is None
    os.chmod(entry, 0o600)
    assert cache.load("rulebook", str(rb.resolve())) is not None


def test_no_cache_switch_writes_nothing(cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIPTCHECK_NO_CACHE", "1")
    load_cached(_rulebook(tmp_path))
    assert not cache_home.exists()


def test_an_unwritable_cache_dir_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("SCRIPTCHECK_CACHE_DIR", str(blocker / "sub"))  # a path under a file: mkdir fails
    assert load_cached(_rulebook(tmp_path)).rules


def test_an_entry_written_by_other_code_is_not_used(cache_home: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Editing or upgrading scriptcheck changes the fingerprint: old pickles are never unpickled."""
    rb = _rulebook(tmp_path)
    load_cached(rb)
    assert cache.load("rulebook", str(rb.resolve())) is not None
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "another build")
    assert cache.load("rulebook", str(rb.resolve())) is None


_CUT = """
import json, sys
from scriptcheck.segmenter import tokenizer
print(json.dumps([list(tokenizer().tokenize(t)) for t in sys.argv[1:]], ensure_ascii=False))
"""
_JIEBA = """
import json, sys
import jieba
print(json.dumps([list(jieba.tokenize(t)) for t in sys.argv[1:]], ensure_ascii=False))
"""


def test_jiebas_dictionary_is_kept_in_the_cache_and_cuts_the_same(cache_home: Path) -> None:
    import subprocess
    import sys

    texts = ["请问还有其他可以帮您的吗", "白痴呆的老人", "您好很高兴为您服务"]

    def run(code: str) -> list:
        out = subprocess.run([sys.executable, "-c", code, *texts], capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    first = run(_CUT)  # builds the dictionary from jieba's dict.txt and stores it
    [entry] = cache_home.glob("jieba-*.bin")
    assert entry.stat().st_mode & 0o077 == 0  # private to this user
    assert run(_CUT) == first == run(_JIEBA)  # loaded from the entry: the same words as jieba's own
    entry.write_bytes(b"garbage")  # a broken entry is rebuilt, never an error
    assert run(_CUT) == first
    assert entry.read_bytes().startswith(cache.MAGIC)


def test_only_the_entries_used_last_are_kept(cache_home: Path) -> None:
    for n in range(cache.KEEP + 3):
        cache.store("demo", f"key{n}", {}, n)
        for p in cache_home.glob("demo-*.bin"):  # mtimes a second apart, oldest first
            os.utime(p, (p.stat().st_mtime - 1, p.stat().st_mtime - 1))
    assert cache.load("demo", "key3") == 3  # in use: kept through the next prune
    cache.store("demo", "new", {}, "new")
    kept = {n for n in range(cache.KEEP + 3) if cache.load("demo", f"key{n}") is not None}
    assert len(list(cache_home.glob("demo-*.bin"))) == cache.KEEP
    assert 3 in kept and 0 not in kept and cache.load("demo", "new") == "new"
    assert kept == {3, *range(cache.KEEP + 3 - (cache.KEEP - 2), cache.KEEP + 3)}
    cache.store("other", "k", {}, 1)  # another kind is pruned on its own
    assert cache.load("other", "k") == 1 and len(list(cache_home.glob("demo-*.bin"))) == cache.KEEP
