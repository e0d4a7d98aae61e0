"""The ``scriptcheck-lint`` and ``scriptcheck-practice`` pre-commit hooks, through the real ``pre-commit``.

A QA team's repository (a company rulebook extending the default, plus its own phrasebook) installs
the hook from this repository's committed HEAD; ``git commit`` runs it. A bad phrasebook edit (a
taboo phrase that is part of the recommended 请您稍等) must be rejected, a good one accepted.
pre-commit builds its own virtualenv and pip-installs the project into it (from the pip cache
when warm); PRE_COMMIT_HOME is a fresh folder, so nothing is reused from an earlier run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")

pytestmark = pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None
                                or not (REPO / ".pre-commit-hooks.yaml").is_file(),
                                reason="needs git, pre-commit (test extra) and a checkout of this repository")

COMPANY = """\
extends: default
allow_outside: true
phrasebooks:
  - path: ../phrasebooks/company.yaml
"""

PHRASEBOOK = """\
rules:
  company.taboo.shrug:
    check: forbidden_phrase
    kind: forbidden
    weight: 10
    phrases: [你自己看着办, 这个我管不着]
    message: 服务忌语:推给客户自己处理
    message_en: "Taboo: leaving the customer to sort it out"
    suggestion: 我来帮您处理，请您放心。
    examples:
      fail: [这个我管不着，你自己看着办。]
      pass: [我来帮您处理，请您放心。, 您看着办理哪个套餐都可以，我给您介绍一下。]
"""


def _git(cwd: Path, *args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check,
                          timeout=900)


def _head() -> str | None:
    r = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def test_hook_rejects_a_bad_phrasebook_edit_and_accepts_a_good_one(tmp_path):
    head = _head()
    if head is None:
        pytest.skip("not a git checkout")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_AUTHOR_NAME": "QA", "GIT_AUTHOR_EMAIL": "qa@example.com",
           "GIT_COMMITTER_NAME": "QA", "GIT_COMMITTER_EMAIL": "qa@example.com", "PRE_COMMIT_COLOR": "never"}
    env.pop("GIT_DIR", None)
    env.pop("GIT_WORK_TREE", None)
    repo = tmp_path / "qa-rules"
    (repo / "rules").mkdir(parents=True)
    (repo / "phrasebooks").mkdir()
    (repo / "rules" / "company.yaml").write_text(COMPANY, encoding="utf-8")
    (repo / "phrasebooks" / "company.yaml").write_text(PHRASEBOOK, encoding="utf-8")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {REPO}\n    rev: {head}\n    hooks:\n      - id: scriptcheck-lint\n"
        "      - id: scriptcheck-practice\n", encoding="utf-8")
    _git(repo, "init", "-q", env=env)
    subprocess.run([PRE_COMMIT, "install"], cwd=repo, env=env, check=True, capture_output=True, timeout=120)

    started = time.monotonic()
    _git(repo, "add", "-A", env=env)
    first = _git(repo, "commit", "-qm", "company rulebook", env=env, check=False)
    install_seconds = time.monotonic() - started
    assert first.returncode == 0, first.stdout + first.stderr
    assert "scriptcheck lint" in first.stdout + first.stderr  # the hook really ran (and passed)
    print(f"first commit (hook env install + lint): {install_seconds:.1f} s")

    # bad edit: 稍等 is inside the recommended 请您稍等 / 请稍等 (PB010) — every polite hold would be flagged
    bad = PHRASEBOOK.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 稍等]")
    (repo / "phrasebooks" / "company.yaml").write_text(bad, encoding="utf-8")
    _git(repo, "add", "-A", env=env)
    rejected = _git(repo, "commit", "-qm", "add 稍等", env=env, check=False)
    out = rejected.stdout + rejected.stderr
    assert rejected.returncode != 0, out
    assert "PB010" in out and "phrasebooks/company.yaml:6:" in out
    assert _git(repo, "log", "--oneline", env=env).stdout.count("\n") == 1  # nothing was committed

    # good edit: a specific taboo wording with its examples
    good = PHRASEBOOK.replace("[你自己看着办, 这个我管不着]", "[你自己看着办, 这个我管不着, 这事跟我没关系]").replace(
        "fail: [这个我管不着，你自己看着办。]", "fail: [这个我管不着，你自己看着办。, 这事跟我没关系，你找物业吧。]")
    (repo / "phrasebooks" / "company.yaml").write_text(good, encoding="utf-8")
    _git(repo, "add", "-A", env=env)
    started = time.monotonic()
    accepted = _git(repo, "commit", "-qm", "add 这事跟我没关系", env=env, check=False)
    print(f"later commit (lint only): {time.monotonic() - started:.1f} s")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert _git(repo, "log", "--oneline", env=env).stdout.count("\n") == 2

    # the scriptcheck-practice hook (same hook repository): a training script with a taboo phrase and
    # no closing is rejected; the model script of the same scenario is accepted
    scripts = REPO / "tests" / "data" / "practice"
    (repo / "training").mkdir()
    (repo / "training" / "before_ending.txt").write_bytes((scripts / "flawed" / "before_ending.txt").read_bytes())
    _git(repo, "add", "-A", env=env)
    coached = _git(repo, "commit", "-qm", "trainee script", env=env, check=False)
    assert coached.returncode != 0, coached.stdout + coached.stderr
    assert "scriptcheck practice" in coached.stdout + coached.stderr
    (repo / "training" / "before_ending.txt").write_bytes((scripts / "model" / "before_ending.txt").read_bytes())
    _git(repo, "add", "-A", env=env)
    passed = _git(repo, "commit", "-qm", "trainee script, corrected", env=env, check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert _git(repo, "log", "--oneline", env=env).stdout.count("\n") == 3
