"""Shared fixtures: the default checker and helpers that turn format-1b text into calls.

Every transcript in this suite is written for the tests (fictional companies and customers);
nothing is read from ../shared except by the optional real-data smoke test.
"""

from __future__ import annotations

import os
import signal
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from scriptcheck.engine import Checker
from scriptcheck.model import Call, CallReport
from scriptcheck.readers import parse_transcript

REPO = Path(__file__).resolve().parents[1]
# The compiled-rulebook cache of this test run: private, fresh, inherited by subprocesses.
os.environ.setdefault("SCRIPTCHECK_CACHE_DIR", tempfile.mkdtemp(prefix="scriptcheck-cache-"))

# A standard opening and closing, so a test can isolate the one check it is about.
OPENING = "坐席：您好，云桥通信，很高兴为您服务，请问有什么可以帮您？"
CLOSING = (
    "坐席：请问还有其他可以帮您的吗？\n"
    "客户：没有了，谢谢。\n"
    "坐席：感谢您的来电，祝您生活愉快，再见！"
)


def make_transcript(text: str, call_id: str = "t") -> Call:
    """A call from format-1b lines ("[00:00.0-00:03.2] 坐席:…" or "客户:…"); indentation ignored."""
    return parse_transcript(textwrap.dedent(text).strip(), call_id=call_id)


def make_polite_call(body: str, call_id: str = "t") -> Call:
    """``body`` wrapped in a standard greeting and a standard closing (untimed)."""
    return make_transcript(f"{OPENING}\n{textwrap.dedent(body).strip()}\n{CLOSING}", call_id=call_id)


@pytest.fixture(scope="session")
def checker() -> Checker:
    return Checker.from_rulebook("default")


@pytest.fixture(scope="session")
def checker_unmasked() -> Checker:
    return Checker.from_rulebook("default", mask_pii=False)


@pytest.fixture
def transcript() -> Callable[..., Call]:
    return make_transcript


@pytest.fixture
def polite_call() -> Callable[..., Call]:
    return make_polite_call


@pytest.fixture
def check_text(checker: Checker) -> Callable[[str], CallReport]:
    """Check a format-1b transcript string with the default rulebook."""
    return lambda text: checker.check(make_transcript(text))


@pytest.fixture
def check_polite(checker: Checker) -> Callable[[str], CallReport]:
    """Check ``body`` wrapped in a standard greeting and closing."""
    return lambda body: checker.check(make_polite_call(body))


class KillsItsWorker:
    """A checker whose check of one call kills the (forked) process doing it, as the kernel's OOM
    killer would; everything else is the real checker's."""

    def __init__(self, checker: Checker, victim: str) -> None:
        self._checker, self._victim, self._parent = checker, victim, os.getpid()
        self.mask_pii = checker.mask_pii

    def scan(self, calls):
        return self._checker.scan(calls)

    def check(self, call, scanned=None):
        if call.call_id == self._victim and os.getpid() != self._parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return self._checker.check(call, scanned)

    def error_report(self, *args, **kwargs):
        return self._checker.error_report(*args, **kwargs)
