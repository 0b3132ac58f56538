"""``neet build``: execute the chapter notebooks with papermill, then render the book.

Two phases, both strict:

1. **Execute.** Every run of the plan (:mod:`neethelpers.build.plan`) that is out of date is
   executed by papermill (kernel ``python3``, working directory = the output notebook's
   folder, so ``report`` writes figures and CSVs to ``_assets/`` next to it), in
   parallel (``jobs`` worker processes, each running one kernel at a time) with a
   progress bar. Runs of the same notebook (the county pages) are split into at most
   ``jobs`` batches that each share one kernel, reset between runs (see
   ``_RESET_CODE``), so the libraries are imported once per batch instead of once per
   page; a failed run ends its batch and no further runs start. A run is up to date when its source notebook, parameters, the
   ``neethelpers`` code and the data files it read are unchanged (see
   :mod:`neethelpers.build.state`). After execution every code cell is tagged
   ``remove-input`` (readers never see code), and county pages get the county's name
   as their first heading. A failing cell fails the build with a message naming the
   notebook, its parameters and the cell; the executed notebook is kept next to the
   good one as ``book/generated/<page>.failed.ipynb``.
2. **Render.** ``_toc.yml`` is regenerated, the provenance includes are written
   (:mod:`neethelpers.build.provenance`), and Jupyter Book renders with execution off,
   warnings as errors, nitpicky and keep-going (as ``jupyter-book build . -W -n
   --keep-going``) into a staging folder, ``_build/.sphinx/html``. Only when that
   succeeded is the staging folder swapped into ``_build/html``; a failed build leaves
   the last good book untouched. When nothing changed since the last published book,
   this phase is skipped.

Title convention: the counties notebook starts with a Markdown cell whose first heading
is a placeholder (``# Fylke``); the build replaces that heading with the county's
canonical name (``"Fylkene"`` on the overview page), because a page's title must be a
Markdown heading in the notebook, not an output.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from neethelpers.build import state as hashing, plan as runs, toc
from neethelpers import paths
from neethelpers.build.sections import promote_markdown_outputs
from neethelpers.errors import NeetError

KERNEL = "python3"
CELL_TIMEOUT = 900  # seconds; a cell that runs longer is treated as hung
BUILD_DIR = "_build"
HTML_DIR = "_build/html"
SPHINX_WORK = "_build/.sphinx"  # doctrees + myst-nb output folder (kept between builds) + staging html
_EXEC_LINE = "__import__('neethelpers.data.readlog').data.readlog.start()"
KERNEL_ARGUMENTS = [
    f"--IPKernelApp.exec_lines={_EXEC_LINE}",
    # Without this a parameter named like a line magic (`page: str = ...`) runs `%page`.
    "--InteractiveShell.automagic=False",
]


class BuildError(NeetError):
    """The build failed; the message says why and what was kept for inspection."""


@dataclass
class RunOutcome:
    run: runs.Run
    status: str  # "executed", "skipped", "failed"
    reason: str = ""
    seconds: float = 0.0
    error: str | None = None


@dataclass
class BuildReport:
    outcomes: list[RunOutcome] = field(default_factory=list)
    book: str = ""  # "built", "unchanged", "dry-run"
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def executed(self) -> list[runs.Run]:
        return [o.run for o in self.outcomes if o.status == "executed"]


# --- staleness ----------------------------------------------------------------------------

def stale_reason(root: Path, run: runs.Run, record: dict | None, inputs: dict,
                 data_all: "callable") -> str | None:
    """Why ``run`` must be executed again (``None`` = up to date)."""
    if not record:
        return "never executed"
    if not (root / run.output).exists():
        return "executed notebook missing"
    old = record.get("inputs", {})
    for key in ("notebook", "parameters", "code", "data_source"):
        if old.get(key) != inputs.get(key):
            return {"notebook": "notebook changed", "parameters": "parameters changed",
                    "code": "neethelpers code changed", "data_source": "data source changed"}[key]
    reads = record.get("reads")
    if reads:
        current = hashing.file_hashes(root, reads)
        changed = [name for name, sha in reads.items() if current.get(name) != sha]
        if changed:
            return "data changed: " + ", ".join(changed[:3]) + (" …" if len(changed) > 3 else "")
    elif record.get("data_all") != data_all():
        return "data changed"
    return None


def _lazy(fn):
    cache = {}

    def get():
        if "v" not in cache:
            cache["v"] = fn()
        return cache["v"]
    return get


# --- one run (in a worker process) ---------------------------------------------------------

def _log_name(run_id: str) -> str:
    return run_id.replace("/", "__")


def _source_cell_number(nb, cell_index: int) -> int:
    """1-based position of an executed cell in the source notebook (papermill's injected
    parameters cell does not count)."""
    injected = sum(1 for c in nb.cells[:cell_index] if "injected-parameters" in c.metadata.get("tags", []))
    return cell_index - injected + 1


def postprocess(nb, title: str | None) -> None:
    """Hide every code cell's input, make ``title`` (if given) the page title (the first
    heading of the first Markdown cell, added if missing), and turn headings printed from
    code into real sections (:mod:`neethelpers.build.sections`)."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            tags = list(cell.metadata.get("tags", []))
            if "remove-input" not in tags:
                tags.append("remove-input")
            cell.metadata["tags"] = tags
    if title:
        set_title(nb, title)
    # Headings printed from code would otherwise render as rubrics, not page sections.
    promote_markdown_outputs(nb)


def set_title(nb, title: str) -> None:
    import nbformat

    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell.source.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("# "):
                lines[i] = f"# {title}"
                cell.source = "\n".join(lines)
                return
        cell.source = f"# {title}\n\n" + cell.source
        return
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {title}"))


def glued_values(nb) -> dict[str, str]:
    """``{key: text}`` of every value glued in an executed notebook (Markdown preferred)."""
    values: dict[str, str] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            scrap = out.get("metadata", {}).get("scrapbook", {})
            name = scrap.get("name")
            if not name:
                continue
            prefix = scrap.get("mime_prefix", "")
            data = {k[len(prefix):] if prefix and k.startswith(prefix) else k: v
                    for k, v in out.get("data", {}).items()}
            text = data.get("text/markdown", data.get("text/plain"))
            if isinstance(text, list):
                text = "".join(text)
            if isinstance(text, str):
                values[name] = text.strip()
    return values


# The kernels: a run either gets a new kernel, or -- for further runs of the same notebook in
# the same batch (the county pages) -- the previous run's kernel after a reset that makes it
# equivalent to a fresh one for the notebook: the user namespace is cleared, every
# `neethelpers` module is dropped so it is imported afresh (module state and data caches
# included), open figures are closed and matplotlib's settings restored. Only third-party
# libraries stay imported, which is what saves the start-up time. A test checks that a
# page executed in a reused kernel equals the page executed in a new one.
_RESET_CODE = """\
get_ipython().run_line_magic("reset", "-f")
def _neet_reset(cwd, log):
    import os, sys
    for name in [m for m in sys.modules if m == "neethelpers" or m.startswith("neethelpers.")]:
        if name != "neethelpers.data.readlog":
            del sys.modules[name]
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib, matplotlib.pyplot
        matplotlib.pyplot.close("all")
        matplotlib.rc_file_defaults()
    os.chdir(cwd)
    os.environ["NEET_READ_LOG"] = log
    import importlib
    importlib.import_module("neethelpers.data.readlog").start(log)
_neet_reset({cwd!r}, {log!r})
del _neet_reset
"""

# Set in each worker process by _init_worker: where results go, and the fail-fast signal.
_WORKER: dict = {"queue": None, "stop": None, "km": None}


def _init_worker(queue, stop) -> None:
    _WORKER["queue"], _WORKER["stop"] = queue, stop


def _warm_engine_name() -> str:
    """Register (once) a papermill engine that executes in the worker's current kernel."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    name = "neet-kernel"
    if name in papermill_engines._engines:
        return name

    class KernelEngine(NBClientEngine):
        """papermill's nbclient engine, but with a kernel the build started (and may reuse)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file)
            client = PapermillNotebookClient(nb_man, km=_WORKER["km"], **final_kwargs)
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register(name, KernelEngine)
    return name


def _kernel_env(root: str, read_log: Path) -> dict:
    env = dict(os.environ)
    env["NEET_READ_LOG"] = str(read_log)
    # The kernel imports this project's neethelpers (matters when building a copy).
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [os.environ.get("PYTHONPATH")])])
    env["MPLBACKEND"] = "Agg"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def _start_kernel(root: str, cwd: Path, read_log: Path, kernel_log: Path):
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=KERNEL)
    # The kernel's own chatter (stderr/stdout of the process) goes to a log file.
    with open(kernel_log, "w", encoding="utf-8") as fh:
        km.start_kernel(extra_arguments=KERNEL_ARGUMENTS, env=_kernel_env(root, read_log), cwd=str(cwd),
                        stdout=fh, stderr=fh)
    return km


def _reset_kernel(km, cwd: Path, read_log: Path) -> None:
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        reply = kc.execute_interactive(_RESET_CODE.format(cwd=str(cwd), log=str(read_log)), timeout=120,
                                       output_hook=lambda msg: None)
    finally:
        kc.stop_channels()
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"resetting the kernel failed: {reply['content'].get('evalue', '')}")


def _stop_kernel(km) -> None:
    try:
        km.shutdown_kernel(now=True)
    except Exception:  # noqa: BLE001 - a dead kernel needs no shutdown
        pass


def _emit(result: dict, collected: list) -> None:
    collected.append(result)
    if _WORKER["queue"] is not None:
        _WORKER["queue"].put(result)


def execute_batch(root: str, run_dicts: list[dict]) -> list[dict]:
    """Execute runs one after another in one kernel (in a worker process).

    Each result (a dict: ``id``, ``ok``, ``seconds``, ``error``, ``glue``, ``reads``) is
    put on the worker's queue as soon as it is known, and all are returned. After a
    failure the kernel is discarded and the rest of the batch is not started.
    """
    collected: list[dict] = []
    km = None
    stop = _WORKER["stop"]
    failed = False
    try:
        for rd in run_dicts:
            run = runs.Run(**rd)
            if failed or (stop is not None and stop.is_set()):
                _emit({"id": run.id, "ok": False, "cancelled": True, "seconds": 0.0}, collected)
                continue
            result = _execute_one(root, run, km)
            km = result.pop("km", None)
            failed = not result["ok"]
            _emit(result, collected)
    finally:
        if km is not None:
            _stop_kernel(km)
        _WORKER["km"] = None
    return collected


def _execute_one(root: str, run: runs.Run, km) -> dict:
    """Execute one run in ``km`` (reset first) or in a new kernel; never raises.

    The result carries the kernel under ``"km"`` for the next run (``None`` if it was
    stopped because something went wrong)."""
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    root_p = Path(root)
    out = root_p / run.output
    partial = out.with_name(out.stem + ".partial.ipynb")
    failed = root_p / run.failed_output
    out.parent.mkdir(parents=True, exist_ok=True)
    state_dir = hashing.state_dir(root_p)
    (state_dir / "reads").mkdir(parents=True, exist_ok=True)
    (state_dir / "logs").mkdir(parents=True, exist_ok=True)
    read_log = state_dir / "reads" / f"{_log_name(run.id)}.txt"
    kernel_log = state_dir / "logs" / f"{_log_name(run.id)}.log"
    read_log.unlink(missing_ok=True)
    started = time.perf_counter()
    result = {"id": run.id, "ok": False, "km": None}
    try:
        if km is None:
            km = _start_kernel(root, out.parent, read_log, kernel_log)
        else:
            kernel_log.write_text(f"(kernel reused from an earlier run of {run.notebook})\n", encoding="utf-8")
            _reset_kernel(km, out.parent, read_log)
        _WORKER["km"] = km
        pm.execute_notebook(
            str(root_p / run.notebook), str(partial), parameters=dict(run.parameters),
            engine_name=_warm_engine_name(), kernel_name=KERNEL, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, execution_timeout=CELL_TIMEOUT,
        )
        nb = nbformat.read(partial, as_version=4)
        postprocess(nb, run.title)
        nbformat.write(nb, partial)
        os.replace(partial, out)
        failed.unlink(missing_ok=True)
        result.update(ok=True, glue=glued_values(nb), km=km)
    except PapermillExecutionError as exc:
        kept = _keep_failed(partial, failed)
        try:
            nb = nbformat.read(kept, as_version=4) if kept else None
            cell_no = _source_cell_number(nb, exc.cell_index) if nb else exc.cell_index + 1
        except Exception:  # noqa: BLE001 - the message must still be produced
            cell_no = exc.cell_index + 1
        first_line = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        result["error"] = (
            f"{run.describe()} failed in cell {cell_no} (`{first_line.strip()[:80]}`):\n"
            f"    {exc.ename}: {exc.evalue}\n"
            f"    the executed notebook is kept at {_rel(root_p, kept) if kept else '(not written)'}"
        )
    except Exception as exc:  # noqa: BLE001 - kernel died, notebook unreadable, timeout ...
        kept = _keep_failed(partial, failed)
        where = f"; the executed notebook is kept at {_rel(root_p, kept)}" if kept else ""
        text = str(exc).strip()
        result["error"] = (f"{run.describe()} could not be executed: {type(exc).__name__}: "
                           f"{text.splitlines()[-1] if text else ''}{where}; kernel log: {_rel(root_p, kernel_log)}")
    if not result["ok"] and km is not None:
        _stop_kernel(km)
        result["km"] = None
    result["seconds"] = time.perf_counter() - started
    from neethelpers.data import readlog

    result["reads"] = readlog.read(read_log)
    return result


def _keep_failed(partial: Path, failed: Path) -> Path | None:
    if partial.exists():
        os.replace(partial, failed)
        return failed
    return None


def _rel(root: Path, path: Path) -> str:
    return hashing.relative_or_absolute(root, path)


# --- the build -----------------------------------------------------------------------------

def _echo_default(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def select_runs(root: Path, plan: list[runs.Run], state: dict, *, force: bool, county=None
                ) -> tuple[list[tuple[runs.Run, str]], list[tuple[runs.Run, str]], dict[str, dict]]:
    """``(to_execute, stale_left_alone, inputs)``: which runs to execute and why."""
    code = hashing.code_hash(root)
    data_all = _lazy(lambda: hashing.all_data_hash(root))
    inputs = {r.id: hashing.run_inputs(root, r.notebook, r.parameters, code=code) for r in plan}
    todo, left = [], []
    target = runs.run_for_county(plan, county) if county is not None else None
    for run in plan:
        reason = "forced (--force)" if force else stale_reason(root, run, state["runs"].get(run.id),
                                                               inputs[run.id], data_all)
        if target is not None:
            if run is target:
                todo.append((run, f"requested (--county {county.name})"))
            elif not (root / run.output).exists():
                todo.append((run, "executed notebook missing"))
            elif reason and not force:
                left.append((run, reason))
            continue
        if reason:
            todo.append((run, reason))
    return todo, left, inputs


def build(root: Path | str | None = None, *, force: bool = False, county=None, jobs: int | None = None,
          data_source: str | None = None, year: int | None = None, dry_run: bool = False,
          progress: bool = True, reuse_kernels: bool = True, echo=_echo_default) -> BuildReport:
    """Execute what is out of date and publish the book. Raises :class:`BuildError`.

    ``county`` is a :class:`neethelpers.registry.counties.County`: only its page is executed
    (plus pages that were never executed), then the book is rebuilt. ``reuse_kernels=False``
    starts a new kernel for every run (slower; for ruling out kernel-state effects).
    """
    started = time.perf_counter()
    root = Path(root or paths.PROJECT_ROOT).resolve()
    report = BuildReport()
    plan = runs.plan(root, year=year, data_source=data_source)
    problems = [p for run in plan for p in runs.check_parameters(root, run)]
    if problems:
        raise BuildError("bad run plan:\n  " + "\n  ".join(dict.fromkeys(problems)))
    if dry_run:
        state = hashing.load_state(root)
        todo, _, _ = select_runs(root, plan, state, force=force, county=county)
        report.book = "dry-run"
        todo_ids = {r.id: why for r, why in todo}
        for run in plan:
            status = "would execute" if run.id in todo_ids else "up to date"
            why = todo_ids.get(run.id, "")
            echo(f"{status:13}  {run.output:45}  {run.describe()}" + (f"  [{why}]" if why else ""))
            report.outcomes.append(RunOutcome(run, "dry-run" if run.id in todo_ids else "skipped", why))
        return report

    with _build_lock(root):
        # Read the state again under the lock: a build that just finished may have changed it.
        state = hashing.load_state(root)
        todo, left, inputs = select_runs(root, plan, state, force=force, county=county)
        return _build_locked(root, plan, state, todo, left, inputs, report, started, jobs=jobs,
                             progress=progress, reuse_kernels=reuse_kernels, echo=echo)


@contextmanager
def _build_lock(root: Path):
    """One build at a time per project (two would overwrite each other's notebooks)."""
    import fcntl

    lock_path = hashing.state_dir(root) / "build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BuildError(f"another `neet build` is running in {root}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _build_locked(root, plan, state, todo, left, inputs, report, started, *, jobs, progress, reuse_kernels,
                  echo) -> BuildReport:
    if not (root / "_toc.yml").exists() or toc.render(plan) != (root / "_toc.yml").read_text(encoding="utf-8"):
        toc.write(root)
    for run, why in left:
        report.warnings.append(f"{run.output} is out of date ({why}) but was not re-run because of --county; "
                               "run `neet build` to refresh it")
    outcomes = _execute_all(root, todo, state, inputs, jobs=jobs, progress=progress, echo=echo,
                            reuse=reuse_kernels)
    done_ids = {o.run.id for o in outcomes}
    report.outcomes = outcomes + [RunOutcome(r, "skipped", "up to date") for r in plan if r.id not in done_ids]
    hashing.save_state(root, state)
    failures = [o for o in outcomes if o.status == "failed"]
    if failures:
        cancelled = sum(1 for o in outcomes if o.status == "cancelled")
        not_started = f" ({cancelled} other run(s) were not started)" if cancelled else ""
        raise BuildError(
            f"{len(failures)} notebook run(s) failed{not_started}; the book was not rebuilt and the last good "
            f"book in {HTML_DIR}/ is unchanged.\n" + "\n".join(f"  {o.error}" for o in failures))

    report.book = render_book(root, plan, state, echo=echo)
    hashing.save_state(root, state)
    report.seconds = time.perf_counter() - started
    return report


def make_batches(todo: list[runs.Run], jobs: int, *, reuse: bool = True,
                 estimates: dict[str, float] | None = None) -> list[list[runs.Run]]:
    """Group runs into batches that share one kernel, longest first.

    Runs of the same notebook into the same folder (the county pages) are split into at
    most ``jobs`` contiguous batches, so each worker imports the libraries once; every
    other run is a batch of its own. ``reuse=False`` gives every run its own batch.
    """
    estimates = estimates or {}
    groups: dict[tuple[str, str], list[runs.Run]] = {}
    for run in todo:
        groups.setdefault((run.notebook, str(Path(run.output).parent)), []).append(run)
    batches: list[list[runs.Run]] = []
    for group in groups.values():
        if not reuse or len(group) == 1:
            batches.extend([r] for r in group)
            continue
        n = max(1, min(len(group), jobs))
        size, extra = divmod(len(group), n)
        start = 0
        for i in range(n):
            end = start + size + (1 if i < extra else 0)
            batches.append(group[start:end])
            start = end
    unknown = 60.0  # never executed: schedule early
    batches.sort(key=lambda b: -sum(estimates.get(r.id, unknown) for r in b))
    return batches


def _execute_all(root: Path, todo, state: dict, inputs: dict, *, jobs, progress, echo,
                 reuse: bool = True) -> list[RunOutcome]:
    import queue as _queue

    if not todo:
        return []
    why_of = {run.id: why for run, why in todo}
    run_of = {run.id: run for run, _ in todo}
    jobs = max(1, jobs or os.cpu_count() or 1)
    estimates = {rid: rec.get("seconds", 60.0) for rid, rec in state["runs"].items()}
    batches = make_batches([r for r, _ in todo], jobs, reuse=reuse, estimates=estimates)
    jobs = min(jobs, len(batches))
    outcomes: dict[str, RunOutcome] = {}
    ctx = get_context("fork") if sys.platform.startswith("linux") else get_context("spawn")
    results, stop = ctx.Queue(), ctx.Event()
    bar = None

    def handle(res: dict) -> None:
        run = run_of[res["id"]]
        if res["id"] in outcomes:
            return
        if res.get("cancelled"):
            outcomes[run.id] = RunOutcome(run, "cancelled", "not started because another run failed")
        elif res["ok"]:
            _record(root, state, run, inputs[run.id], res)
            outcomes[run.id] = RunOutcome(run, "executed", why_of[run.id], res["seconds"])
        else:
            outcomes[run.id] = RunOutcome(run, "failed", why_of[run.id], res.get("seconds", 0.0), res["error"])
            stop.set()  # strict and fast: start no further runs once one has failed
        if bar is not None:
            bar.set_postfix_str(run.id, refresh=False)
            bar.update(1)

    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker,
                             initargs=(results, stop)) as pool:
        futures = {pool.submit(execute_batch, str(root), [_run_dict(r) for r in batch]): batch for batch in batches}
        bar = _progress(len(todo), progress)
        while len(outcomes) < len(todo):
            try:
                handle(results.get(timeout=0.5))
                continue
            except _queue.Empty:
                pass
            if stop.is_set():
                for fut in futures:
                    fut.cancel()
            for fut, batch in futures.items():
                if not fut.done():
                    continue
                if fut.cancelled():
                    for run in batch:
                        handle({"id": run.id, "ok": False, "cancelled": True})
                elif fut.exception() is not None:  # the worker process died
                    for run in batch:
                        handle({"id": run.id, "ok": False, "seconds": 0.0,
                                "error": f"{run.describe()} could not be executed: {fut.exception()!r}"})
                else:  # finished: anything it reported is on the queue; drain it before concluding
                    for res in fut.result():
                        if res["id"] not in outcomes:
                            handle(res)
        if bar is not None:
            bar.close()
    order_ids = [r.id for r, _ in todo]
    return sorted(outcomes.values(), key=lambda o: order_ids.index(o.run.id))


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="Executing notebooks", unit="nb", file=sys.stderr, dynamic_ncols=True)


def _run_dict(run: runs.Run) -> dict:
    return {"id": run.id, "notebook": run.notebook, "parameters": dict(run.parameters), "title": run.title,
            "namespace": run.namespace, "county_code": run.county_code}


def _record(root: Path, state: dict, run: runs.Run, inputs: dict, res: dict) -> None:
    names = [hashing.relative_or_absolute(root, p) for p in res.get("reads", [])]
    record = {
        "inputs": inputs,
        "parameters": dict(run.parameters),
        "effective_parameters": runs.effective_parameters(root, run),
        "notebook": run.notebook,
        "executed_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(res["seconds"], 2),
        "glue": res.get("glue", {}),
    }
    if names:
        catalog = hashing.relative_or_absolute(root, hashing.catalog_file(root))
        if (root / catalog).exists() and catalog not in names:
            names.append(catalog)
        record["reads"] = hashing.file_hashes(root, names)
    else:
        record["data_all"] = hashing.all_data_hash(root)
    state["runs"][run.id] = record


# --- rendering --------------------------------------------------------------------------------

def substitutions(plan: list[runs.Run], state: dict) -> dict[str, dict[str, str]]:
    """Glued values of every page as MyST substitutions: ``{{ nasjonalt.neet_share_latest }}``.

    myst-nb's ``{glue:md}`` cannot paste from another document, so the front page uses
    these substitutions instead; a missing key fails the strict build.
    """
    return {run.namespace: dict(state["runs"].get(run.id, {}).get("glue", {})) for run in plan if run.namespace}


def book_files(root: Path) -> list[Path]:
    """Everything Jupyter Book reads, except what the provenance step writes."""
    files = [root / "_config.yml", root / "_toc.yml"]
    prov = root / runs.GENERATED / "provenance"  # = provenance.PROVENANCE_DIR, without importing Babel here
    for path in hashing._walk(root / "book"):
        if prov in path.parents or path.name.endswith((".failed.ipynb", ".partial.ipynb")):
            continue
        files.append(path)
    return [f for f in files if f.exists()]


def book_key(root: Path, plan: list[runs.Run], state: dict) -> str:
    from neethelpers.build import provenance

    return hashing.sha256_json({
        "files": hashing.hash_files(root, book_files(root)),
        "substitutions": substitutions(plan, state),
        "provenance": provenance.inputs_fingerprint(root, plan, state),
        # The build machinery shapes the rendered book too (provenance pages, Sphinx options).
        "machinery": hashing.hash_files(root, hashing.build_only_files(root)),
    })


def render_book(root: Path, plan: list[runs.Run], state: dict, *, echo=_echo_default) -> str:
    """Render and publish the book unless nothing changed. Returns ``"built"`` or ``"unchanged"``."""
    from neethelpers.build import provenance

    key = book_key(root, plan, state)
    html = root / HTML_DIR
    if state["book"].get("key") == key and (html / "index.html").exists():
        echo(f"Book unchanged: {HTML_DIR}/index.html")
        return "unchanged"
    provenance.write_all(root, plan, state)
    work = root / SPHINX_WORK
    staging = work / "html"
    if staging.exists():
        shutil.rmtree(staging)
    echo("Rendering the book with Jupyter Book (strict) …")
    t0 = time.perf_counter()
    proc = run_sphinx(root, staging, work / ".doctrees", substitutions(plan, state))
    if proc.returncode != 0 or not (staging / "index.html").exists():
        # Forget the incremental Sphinx state so the next build re-reads every page and
        # cannot silently skip the warnings of this one.
        shutil.rmtree(work, ignore_errors=True)
        raise BuildError(
            f"Jupyter Book failed (warnings are errors); the last good book in {HTML_DIR}/ is unchanged.\n"
            + _sphinx_problems(proc.stdout + proc.stderr))
    publish(root, staging)
    state["book"] = {"key": key, "built_at": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                     "seconds": round(time.perf_counter() - t0, 2)}
    echo(f"Book written to {HTML_DIR}/index.html")
    return "built"


def _sphinx_problems(output: str) -> str:
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)  # colour codes
    lines = [ln for ln in output.splitlines() if "WARNING" in ln or "ERROR" in ln or "Error" in ln
             or "Exception" in ln]
    shown = lines[:40] or output.strip().splitlines()[-40:]
    return "\n".join("  " + ln for ln in shown)


def run_sphinx(root: Path, outdir: Path, doctreedir: Path, subs: dict) -> subprocess.CompletedProcess:
    """Run Jupyter Book's Sphinx build in a fresh interpreter (docutils keeps global state)."""
    work = outdir.parent
    work.mkdir(parents=True, exist_ok=True)
    subs_file = work / "substitutions.json"
    subs_file.write_text(json.dumps(subs, ensure_ascii=False), encoding="utf-8")
    cmd = [sys.executable, "-m", "neethelpers.build.execute", "sphinx", str(root), str(outdir), str(doctreedir),
           str(subs_file)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    env["NO_COLOR"] = "1"
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root)


def _sphinx_main(root: str, outdir: str, doctreedir: str, subs_file: str) -> int:
    """Entry point of the Sphinx subprocess: ``jupyter-book build . -W -n --keep-going``."""
    from jupyter_book.sphinx import build_sphinx

    root_p = Path(root)
    subs = json.loads(Path(subs_file).read_text(encoding="utf-8"))
    result = build_sphinx(
        root_p, Path(outdir), noconfig=True, path_config=str(root_p / "_config.yml"),
        confoverrides={"external_toc_path": (root_p / "_toc.yml").as_posix(), "latex_individualpages": False,
                       "nitpicky": True, "myst_substitutions": subs},
        doctreedir=Path(doctreedir), builder="html", warningiserror=True, keep_going=True,
        force_all=True, quiet=True,
    )
    if isinstance(result, Exception):
        return 2
    return int(result)


def publish(root: Path, staging: Path) -> None:
    """Swap the freshly built ``staging`` folder into ``_build/html``."""
    html = root / HTML_DIR
    old = root / BUILD_DIR / ".html-old"
    if old.exists():
        shutil.rmtree(old)
    if html.exists():
        os.replace(html, old)
    os.replace(staging, html)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)


# --- working copies (tests and benchmarks) ---------------------------------------------------

#: Not copied by :func:`copy_project`: environments, outputs, caches and version control.
COPY_EXCLUDE = frozenset({".venv", "_build", ".git", hashing.STATE_DIR_NAME, ".pytest_cache", "__pycache__",
                          ".ipynb_checkpoints", ".http-cache"})


def copy_project(root: Path | str, dest: Path | str) -> Path:
    """Copy the project's sources to ``dest`` without environments, outputs or caches, so a
    build there starts from clean and never touches the original's ``_build``."""
    root, dest = Path(root).resolve(), Path(dest)
    generated = root / runs.GENERATED

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n in COPY_EXCLUDE or n.endswith(".egg-info")}
        if Path(folder).resolve() == generated.parent:
            skip.add(generated.name)
        return skip

    shutil.copytree(root, dest, ignore=ignore, symlinks=True, dirs_exist_ok=True)
    return dest


if __name__ == "__main__":  # the Sphinx subprocess
    if len(sys.argv) == 6 and sys.argv[1] == "sphinx":
        sys.exit(_sphinx_main(*sys.argv[2:]))
    sys.exit("usage: python -m neethelpers.build.execute sphinx ROOT OUTDIR DOCTREEDIR SUBSTITUTIONS_JSON")
