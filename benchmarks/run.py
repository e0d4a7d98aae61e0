#!/usr/bin/env python3
"""scriptcheck against the baselines a user could write instead, measured in the same run.

    python benchmarks/run.py [--calls 20000] [--bench ../shared/bench] [--out benchmarks/results.json]

Generates a deterministic corpus and phrase lists with ../shared/bench/make_corpus.py, then times
whole processes (wall clock, peak RSS of the process): scriptcheck with the default rulebook at
--jobs 1 and --jobs 2, scriptcheck with the default rulebook extended by a 1k and a 50k-phrase word
list, the default rulebook with every rule disabled (the floor: reading, normalizing, scanning,
stages and the report, with no check run), and ../shared/bench/peers.py (aho, regex) on the same
corpus. Each rulebook is checked once on one call before the timed runs, so that every run is warm
(its compiled rulebook in the on-disk cache). Prints ratios, never bare times, as the comparison
that matters, and the findings a call of each rulebook (what a word list that fires often pays
for); docs/performance.md records a run and the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
RSS_WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "dt = time.perf_counter() - t\n"
    "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n"
)


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one whole process."""
    out = subprocess.run([sys.executable, "-c", RSS_WRAPPER, *cmd], capture_output=True, text=True, cwd=cwd,
                         check=True)
    seconds, rss_kb, code = out.stdout.split()
    return float(seconds), int(rss_kb) / 1024, int(code)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--bench", type=Path, default=REPO.parent / "shared" / "bench")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results.json")
    args = ap.parse_args()
    if not (args.bench / "make_corpus.py").exists():
        print(f"no {args.bench}/make_corpus.py: pass --bench DIR", file=sys.stderr)
        return 2
    scriptcheck = [sys.executable, "-m", "scriptcheck"]
    with tempfile.TemporaryDirectory() as tmp:
        w = Path(tmp)
        corpus = w / "calls.jsonl"
        subprocess.run([sys.executable, str(args.bench / "make_corpus.py"), "--calls", str(args.calls), "--seed", "2",
                        "--out", str(corpus)], check=True, capture_output=True)
        for n in (1000, 2000, 50000):
            subprocess.run([sys.executable, str(args.bench / "make_corpus.py"), "--calls", "0", "--seed", "1", "--out",
                            os.devnull, "--phrases", str(n), "--phrases-out", str(w / f"phrases{n}.txt")],
                           check=True, capture_output=True)
            (w / f"rb{n}").mkdir()
            (w / f"rb{n}" / f"words{n}.txt").write_text((w / f"phrases{n}.txt").read_text(encoding="utf-8"),
                                                       encoding="utf-8")
            (w / f"rb{n}" / "rules.yaml").write_text(
                f"extends: default\nphrasebooks:\n  - path: words{n}.txt\n    check: forbidden_phrase\n",
                encoding="utf-8")
        # the floor: every rule of the default rulebook disabled, so a call is still read, normalized,
        # scanned, split into stages and reported, but checked by nothing
        dump = subprocess.run([*scriptcheck, "config", "--dump"], cwd=REPO, check=True, capture_output=True,
                              text=True).stdout
        (w / "rbnone").mkdir()
        (w / "rbnone" / "rules.yaml").write_text(
            "extends: default\nrules:\n" + "".join(f"  {rule}:\n    enabled: false\n"
                                                  for rule in yaml.safe_load(dump)["rules"]), encoding="utf-8")
        chars = sum(len(s["text"]) for line in corpus.open(encoding="utf-8") for s in json.loads(line)["segments"])
        runs = {
            "scriptcheck --jobs 1": [*scriptcheck, "check", str(corpus), "-f", "json", "-o", str(w / "r1.jsonl"),
                                     "--jobs", "1"],
            "scriptcheck --jobs 2": [*scriptcheck, "check", str(corpus), "-f", "json", "-o", str(w / "r2.jsonl"),
                                     "--jobs", "2"],
            "scriptcheck +1k words": [*scriptcheck, "check", str(corpus), "-f", "json", "-o", str(w / "k1.jsonl"),
                                      "--jobs", "1", "-r", str(w / "rb1000" / "rules.yaml")],
            "scriptcheck +50k words": [*scriptcheck, "check", str(corpus), "-f", "json", "-o", str(w / "k50.jsonl"),
                                       "--jobs", "1", "-r", str(w / "rb50000" / "rules.yaml")],
            "scriptcheck no checks": [*scriptcheck, "check", str(corpus), "-f", "json", "-o", str(w / "n0.jsonl"),
                                      "--jobs", "1", "--exit-zero", "-r", str(w / "rbnone" / "rules.yaml")],
            "peers aho 2k": [sys.executable, str(args.bench / "peers.py"), "--calls", str(corpus), "--phrases",
                             str(w / "phrases2000.txt"), "--peer", "aho", "--repeat", "1"],
            "peers regex 2k": [sys.executable, str(args.bench / "peers.py"), "--calls", str(corpus), "--phrases",
                               str(w / "phrases2000.txt"), "--peer", "regex", "--repeat", "1"],
        }
        # every run is timed warm, as a site's second and later runs are: the compiled rulebooks and
        # jieba's dictionary are in the on-disk cache first (a change to the code invalidates them)
        one = w / "one.jsonl"
        with corpus.open("rb") as f:
            one.write_bytes(f.readline())
        for rulebook in ("default", *(str(w / rb / "rules.yaml") for rb in ("rb1000", "rb50000", "rbnone"))):
            subprocess.run([*scriptcheck, "check", str(one), "-f", "json", "-o", os.devnull, "--exit-zero",
                            "-r", rulebook], cwd=REPO, check=True, capture_output=True)
        results = {}
        for name, cmd in runs.items():
            seconds, rss, code = measure(cmd, REPO)
            results[name] = {"seconds": round(seconds, 2), "calls_per_s": round(args.calls / seconds, 1),
                             "chars_per_s": round(chars / seconds), "peak_rss_mb": round(rss, 1), "exit": code}
            print(f"{name:<24} {seconds:8.2f} s {args.calls / seconds:9.1f} calls/s "
                  f"{chars / seconds / 1e6:6.2f} M chars/s {rss:8.1f} MB", flush=True)
        same = (w / "r1.jsonl").read_bytes() == (w / "r2.jsonl").read_bytes()
        # what a word list's run pays for: its findings (evidence), more than its phrase count
        findings = {name: round(sum(len(json.loads(line)["findings"]) for line in (w / out).open(encoding="utf-8"))
                                / args.calls, 1)
                    for name, out in (("default", "r1.jsonl"), ("+1k words", "k1.jsonl"), ("+50k words", "k50.jsonl"))}
    aho = results["peers aho 2k"]["seconds"]
    ratios = {
        "jobs1 / peers-aho (whole process)": round(results["scriptcheck --jobs 1"]["seconds"] / aho, 2),
        "no checks / peers-aho (the floor)": round(results["scriptcheck no checks"]["seconds"] / aho, 2),
        "jobs1 / jobs2 (speed-up)": round(results["scriptcheck --jobs 1"]["seconds"]
                                          / results["scriptcheck --jobs 2"]["seconds"], 2),
        "50k words / 1k words": round(results["scriptcheck +50k words"]["seconds"]
                                      / results["scriptcheck +1k words"]["seconds"], 2),
        "peers regex / peers aho": round(results["peers regex 2k"]["seconds"] / aho, 2),
    }
    print()
    for k, v in ratios.items():
        print(f"{k:<36} {v:6.2f}")
    print(f"--jobs 2 output identical to --jobs 1: {same}")
    print("findings a call: " + ", ".join(f"{k} {v}" for k, v in findings.items()))
    record = {"date": time.strftime("%Y-%m-%d"), "calls": args.calls, "chars": chars, "machine": {
        "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "results": results, "ratios": ratios, "jobs2_identical": same, "findings_per_call": findings}
    args.out.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
