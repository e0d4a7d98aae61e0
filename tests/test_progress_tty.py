"""The progress line on a real terminal: ``scriptcheck check`` run under a pseudo-terminal, as an
inspector runs it, not a console object told it is one."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest

from scriptcheck.readers import read_paths

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

REPO = Path(__file__).resolve().parents[1]


def run_on_tty(args: list[str], cwd: Path, timeout: float = 120) -> tuple[int, str]:
    """Exit code and everything written to the terminal (stderr and stdout both on the pty)."""
    master, slave = os.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "scriptcheck", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            proc.kill()
            raise AssertionError(f"no output for {timeout} s")
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace")


def plain(text: str) -> str:
    """Terminal output without colours and cursor movements."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", text)


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    """60 calls as JSON Lines, a few blank lines among them: long enough for the bar to draw."""
    calls = [c for c in read_paths([str(REPO / "samples")]) if hasattr(c, "segments")]
    lines = []
    for i in range(60):
        call = calls[i % len(calls)].model_dump(exclude={"source", "errors", "roles"}, exclude_none=True)
        call["call_id"] = f"T{i:03d}"
        lines.append(json.dumps(call, ensure_ascii=False))
        if i % 20 == 0:
            lines.append("   ")
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_progress_on_a_terminal_runs_to_the_end(batch: Path, tmp_path: Path, jobs: str) -> None:
    out = tmp_path / "out.jsonl"
    code, screen = run_on_tty(["check", str(batch), "-f", "json", "-o", str(out), "--jobs", jobs], tmp_path)
    text = plain(screen)
    assert "Traceback" not in text and "Error" not in text, text[-2000:]
    assert code == 1  # some sample calls fail
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 60
    not_passed = sum(r["verdict"] != "pass" for r in rows)
    assert 0 < not_passed < 60
    # the last frame before the line is cleared: every call of the counted total, its rate, the failures
    assert "60/60 calls" in text
    assert re.search(r"[\d,]+ calls/s", text)
    assert f"{not_passed} failed" in text
    assert "60 calls read" in text


def test_no_progress_line_when_stderr_is_not_a_terminal(batch: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "scriptcheck", "check", str(batch), "-f", "json", "-o", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("scriptcheck: 60 calls read")
    assert "calls/s" not in proc.stderr
