"""Benchmark of `neet build` against the targets of the pipeline issue.

Builds in a temporary copy of the project (never touching this checkout's ``_build``):

1. a full build from clean (no executed notebooks, no build state) — target 90 s;
2. one county (``neet build --county Østfold``) — target 20 s;
3. an unchanged rebuild — target 5 s;

and prints each time with its ratio to the target (ratio ≤ 1.00 meets it). Run with
``make bench`` or ``.venv/bin/python bench/build.py [--jobs N] [--keep]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from neethelpers.build import execute as build, state as hashing  # noqa: E402

TARGETS = (("full build from clean", 90.0), ("one county (--county Østfold)", 20.0), ("unchanged rebuild", 5.0))


def neet(copy: Path, *args: str) -> float:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(copy), *filter(None, [env.get("PYTHONPATH")])])
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "neethelpers.cli.main", "build", "--quiet", *args], cwd=copy, env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"neet build {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="passed to neet build (default: number of cores)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and print its path")
    args = parser.parse_args()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []

    tmp = Path(tempfile.mkdtemp(prefix="neet-bench-"))
    copy = build.copy_project(ROOT, tmp / "project")
    try:
        times = [neet(copy, *jobs), neet(copy, "--county", "Østfold", *jobs), neet(copy, *jobs)]
        state = hashing.load_state(copy)
        slowest = sorted(state["runs"].items(), key=lambda kv: -kv[1].get("seconds", 0))[:5]
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    print(f"neet build benchmark ({os.cpu_count()} cores, jobs={args.jobs or 'default'})")
    print(f"{'':32} {'seconds':>8} {'target':>8} {'ratio':>6}")
    for (label, target), seconds in zip(TARGETS, times):
        flag = "" if seconds <= target else "  <-- over target"
        print(f"{label:32} {seconds:8.1f} {target:8.0f} {seconds / target:6.2f}{flag}")
    print("slowest notebook runs in the full build (execution, s): "
          + ", ".join(f"{k} {v.get('seconds', 0):.1f}" for k, v in slowest))
    if state["book"].get("seconds") is not None:
        print(f"last Jupyter Book render: {state['book']['seconds']:.1f} s")
    if args.keep:
        print(f"copy kept at {copy}")


if __name__ == "__main__":
    main()
