"""Benchmark of register-scale microdata (issue 17): 1, 5 and 10 million persons.

Generates valid person-level files (Parquet and CSV; all 15 counties; the outcome drawn
from the known logit of :mod:`neethelpers.microdata.testing`, about 5–10 % long-term NEET),
then for each runs ``neet microdata cells FILE --out CELLS.parquet`` in a fresh process and
prints its wall time and the peak resident memory of all its processes (sampled every
20 ms with psutil), and the growth from the smallest to the largest file. With ``--build``
it also runs ``neet build --force --data FILE`` in a temporary copy of the project (slow:
minutes per file) and reports the same, next to a default build (no ``--data``) made the
same way: the goal is a ``--data`` build no slower than the default build plus the
aggregation, with a peak under 2 GB over all processes (judged on the proportional set size,
PSS: the plain RSS sum counts the memory Chromium's processes share once per process; both are
printed, with the processes' roles at the RSS peak).

Goal on the 2-core reference machine: 10 M rows aggregated in ≤ 10 s from Parquet and
≤ 20 s from CSV, peak ≤ 1 GB. Not a timed test: run it by hand, e.g.

    nice -n 10 .venv/bin/python bench/microdata_scale.py --sizes 1 10
    .venv/bin/python bench/microdata_scale.py --sizes 1 --build
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from neethelpers.microdata.testing import random_persons  # noqa: E402
from neethelpers.registry import counties  # noqa: E402

CHUNK = 1_000_000
GOALS = {"parquet": 10.0, "csv": 20.0}
MEMORY_GOAL_MB = 1024
BUILD_MEMORY_GOAL_MB = 2048  # the whole --data build, all processes (issue 17)


def generate(path: Path, millions: int, fmt: str) -> Path:
    """A valid person file of ``millions`` × 10⁶ rows, written chunk by chunk."""
    codes = tuple(c.code for c in counties.current_counties())
    writer = None
    with open(path, "wb") if fmt == "csv" else open(os.devnull, "wb") as fh:
        for i in range(millions):
            chunk = random_persons(CHUNK, seed=1000 + i, fylker=codes)
            table = pa.Table.from_pandas(chunk, preserve_index=False)
            if fmt == "parquet":
                if writer is None:
                    writer = pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
            else:
                pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=(i == 0)))
    if writer is not None:
        writer.close()
    return path


def _role(p: psutil.Process) -> str:
    """What a process of the build is, for the breakdown at the peak."""
    try:
        cmd = " ".join(p.cmdline())
    except psutil.Error:
        return "?"
    for needle, role in (("ipykernel", "kernels"), ("chrom", "chromium"), ("multiprocessing", "workers"),
                         ("sphinx", "sphinx"), ("jupyter-book", "sphinx")):
        if needle in cmd:
            return role
    return "build"


def measure(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float, float, subprocess.CompletedProcess]:
    """Wall time (s), peak RSS (MB) summed over the process and all its children, and CPU
    seconds (user + system) of the process tree: on a shared machine the CPU time shows the
    work done whatever the load.

    RSS counts a shared page once per process that maps it (libraries, Chromium's shared
    memory), so the sum overstates what the processes use together; the proportional set
    size (PSS, each shared page split among its users) is the fair sum and is sampled too
    (``measure.last`` holds it and the processes' roles at the RSS peak)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak, peak_pss, at_peak, sample = 0, 0, {}, 0
    while proc.poll() is None:
        total, pss, roles = 0, 0, {}
        try:
            procs = [proc, *proc.children(recursive=True)]
        except psutil.Error:
            procs = []
        for p in procs:
            try:
                rss = p.memory_info().rss
                total += rss
                roles[_role(p)] = roles.get(_role(p), 0) + rss
                if sample % 10 == 0:  # every 0.2 s: smaps_rollup is slower to read
                    pss += p.memory_full_info().pss
            except psutil.Error:
                pass
        if total > peak:
            peak, at_peak = total, roles
        peak_pss = max(peak_pss, pss)
        sample += 1
        time.sleep(0.02)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    measure.last = {"pss_mb": peak_pss / 2**20,
                    "at_peak": ", ".join(f"{r} {v / 2**20:.0f}" for r, v in sorted(at_peak.items(), key=lambda kv: -kv[1]))}
    return elapsed, peak / 2**20, cpu, subprocess.CompletedProcess(cmd, proc.returncode, out.decode(), err.decode())


def _build_seconds_and_peak(env: dict, extra: list[str]) -> tuple[float, float, float]:
    """``neet build --force --quiet EXTRA`` from scratch in a temporary copy of the project:
    wall seconds, peak MB over all its processes, CPU seconds."""
    from neethelpers.build import execute as build

    tmp = Path(tempfile.mkdtemp(prefix="neet-scale-build-"))
    try:
        copy = build.copy_project(ROOT, tmp / "project")
        secs, peak, cpu, proc = measure([sys.executable, "-m", "neethelpers.cli", "build", "--force", "--quiet", *extra],
                                        copy, dict(env, PYTHONPATH=str(copy)))
        if proc.returncode != 0:
            sys.exit(f"build failed:\n{proc.stderr[-3000:]}")
        return secs, peak, cpu
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 5, 10], help="millions of rows (default 1 5 10)")
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"], choices=["parquet", "csv"])
    parser.add_argument("--memory-limit", default="1GB", help="passed to neet microdata cells")
    parser.add_argument("--build", action="store_true", help="also run a full `neet build --force --data` (slow)")
    parser.add_argument("--dir", type=Path, default=None, help="where to keep the generated files (default: temp)")
    args = parser.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="neet-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    rows = []
    default_build = None
    try:
        if args.build:  # the yardstick: the default edition (no --data), built from scratch the same way
            default_build = _build_seconds_and_peak(env, [])
            print(f"build  default          {default_build[0]:6.1f} s  peak {default_build[1]:6.0f} MB  "
                  f"(PSS {measure.last['pss_mb']:.0f} MB; RSS at the peak: {measure.last['at_peak']})", flush=True)
        for fmt in args.formats:
            for m in sorted(args.sizes):
                path = work / f"persons_{m}M.{fmt}"
                if not path.exists():
                    t = time.perf_counter()
                    generate(path, m, fmt)
                    print(f"generated {path.name} ({path.stat().st_size / 2**20:.0f} MB) in "
                          f"{time.perf_counter() - t:.0f} s", flush=True)
                out = work / f"cells_{m}M_{fmt}.parquet"
                cmd = [sys.executable, "-m", "neethelpers.cli", "microdata", "cells", str(path), "--out", str(out),
                       "--memory-limit", args.memory_limit]
                load = os.getloadavg()[0]
                secs, peak, cpu, proc = measure(cmd, ROOT, env)
                if proc.returncode != 0:
                    sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
                rows.append(("cells", fmt, m, secs, peak, cpu, load, measure.last["pss_mb"]))
                print(f"cells  {fmt:7} {m:3} M rows  {secs:6.1f} s  cpu {cpu:6.1f} s  peak {peak:6.0f} MB  "
                      f"load {load:4.1f}   {proc.stderr.strip()}", flush=True)
                if args.build:
                    load = os.getloadavg()[0]
                    secs_b, peak_b, cpu_b = _build_seconds_and_peak(env, ["--data", str(path)])
                    rows.append(("build", fmt, m, secs_b, peak_b, cpu_b, load, measure.last["pss_mb"]))
                    print(f"build  {fmt:7} {m:3} M rows  {secs_b:6.1f} s  cpu {cpu_b:6.1f} s  peak {peak_b:6.0f} MB  "
                          f"load {load:4.1f}  (PSS {measure.last['pss_mb']:.0f} MB; RSS at the peak: "
                          f"{measure.last['at_peak']})", flush=True)
    finally:
        if args.dir is None:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n{os.cpu_count()} cores; load average before each step in the last column")
    print("peak MB: resident memory (RSS) summed over all processes; PSS: the same with each shared page\n"
          "split among the processes sharing it (what they use together; Chromium's processes share most of\n"
          "their RSS). The build's memory goal is judged on PSS, and the RSS sum is shown beside it.")
    print("step   format  rows   wall s   cpu s  peak MB  PSS MB  load  goal")
    for step, fmt, m, secs, peak, cpu, load, pss in rows:
        goal = ""
        if step == "cells" and m == 10:
            ok = secs <= GOALS[fmt] and peak <= MEMORY_GOAL_MB
            goal = f"≤ {GOALS[fmt]:.0f} s, ≤ {MEMORY_GOAL_MB} MB: {'met' if ok else 'MISSED'}"
        if step == "build" and default_build is not None:
            cells_secs = next(s for st, f, mm, s, *_ in rows if st == "cells" and f == fmt and mm == m)
            fast = secs <= default_build[0] + cells_secs
            small = pss <= BUILD_MEMORY_GOAL_MB
            goal = (f"time ≤ default {default_build[0]:.0f} s + cells {cells_secs:.0f} s: {'met' if fast else 'MISSED'}; "
                    f"PSS ≤ {BUILD_MEMORY_GOAL_MB} MB: {'met' if small else 'MISSED'}")
        print(f"{step:6} {fmt:7} {m:3} M  {secs:7.1f} {cpu:7.1f}  {peak:7.0f}  {pss:6.0f}  {load:4.1f}  {goal}")
    for step in ("cells", "build"):
        for fmt in args.formats:
            sel = sorted((m, s, p, c) for st, f, m, s, p, c, *_ in rows if st == step and f == fmt)
            if len(sel) >= 2:
                (m0, s0, p0, c0), (m1, s1, p1, c1) = sel[0], sel[-1]
                print(f"growth {step} {fmt} {m0}→{m1} M: wall time ×{s1 / s0:.1f}, cpu time ×{c1 / c0:.1f}, "
                      f"peak memory ×{p1 / p0:.2f}")


if __name__ == "__main__":
    main()
