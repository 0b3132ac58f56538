"""``neet build``: execute the chapter notebooks with papermill, then render the book.

Two phases, both strict:

1. **Execute.** Every run of the plan (:mod:`neethelpers.build.plan`) that is out of date is
   executed by papermill (kernel ``python3``) in parallel (``jobs`` worker processes, each
   running one kernel at a time) with a progress bar. Runs of the same notebook (the
   county pages) are split into at most ``jobs`` batches that each share one kernel, reset
   between runs (see ``_RESET_CODE``), so the libraries are imported once per batch
   instead of once per page; a failed run ends its batch and no further runs start.

   A run executes in its own working folder, ``.neet-cache/runs/<page>/`` (``report``
   writes figures and CSVs to ``_assets/`` there). Only when it succeeded are its files
   moved into ``book/generated/`` — assets first, the notebook last — and the build
   state records the sha256 of every file it published, saved at once (atomically) for
   that run. A run is up to date when its source notebook, parameters, the
   ``neethelpers`` code and the data files it read are unchanged (see
   :mod:`neethelpers.build.state`) **and** its published files still have the recorded
   hashes: a build killed between publishing a page and recording it leaves a page whose
   hash the state does not know, so the next build executes it again (a page computed
   from a ``--data`` file can never pass as the default book's page).

   After execution every code cell is tagged ``remove-input`` (readers never see code),
   and county pages get the county's name as their first heading. A failing cell fails
   the build with a message naming the notebook, its parameters and the cell; the
   executed notebook is kept next to the good one as ``book/generated/<page>.failed.ipynb``
   (removed by the next successful build).

   **Faults.** Kernels are driven by an asynchronous client, so a kernel that dies (an
   out-of-memory kill) fails its run within about a second, and one that stops answering
   fails when the cell timeout (``NEET_CELL_TIMEOUT``, default 900 s) runs out. Workers are
   spawned (they inherit no lock), get a parent-death signal and kill their kernel when
   they stop; ipykernel's own parent poller ends a kernel whose worker vanished. SIGTERM
   and SIGINT stop the whole build: workers and kernels are stopped, the last good book
   stays, the lock is released (:class:`BuildInterrupted`, exit status 128 + signal).
2. **Render.** See :mod:`neethelpers.build.render`: strict Jupyter Book into a staging
   folder, then an atomic switch of the ``_build/html`` link.

Title convention: the county template (``notebooks/04_county.ipynb``) starts with a Markdown
cell whose first heading is a placeholder (``# Fylke``); the build replaces that heading
with the run's title (the county's canonical name), because a page's title must be a
Markdown heading in the notebook, not an output.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from neethelpers import paths
from neethelpers.build import BuildError, BuildInterrupted, plan as runs, state as hashing, toc
from neethelpers.build.lock import build_lock
from neethelpers.build.render import (  # noqa: F401 - part of this module's interface
    BUILD_DIR,
    HTML_DIR,
    SPHINX_WORK,
    _echo_default,
    book_files,
    book_key,
    die_with_parent,
    publish,
    render_book,
    substitutions,
)

KERNEL = "python3"
CELL_TIMEOUT = 900  # seconds; a cell that runs longer is treated as hung (env NEET_CELL_TIMEOUT overrides)
RUNS_DIR = "runs"  # below .neet-cache: one working folder per run being executed
#: Below .neet-cache: one journal per run whose files are being published and not yet recorded
#: (the worker publishes, the build process records; a kill between the two must not leave files
#: in book/generated/ that no state vouches for, e.g. the assets of a page from a --data file).
PUBLISHING_DIR = "publishing"
_EXEC_LINE = "__import__('neethelpers.data.readlog').data.readlog.start()"
KERNEL_ARGUMENTS = [
    f"--IPKernelApp.exec_lines={_EXEC_LINE}",
    # Without this a parameter named like a line magic (`page: str = ...`) runs `%page`.
    "--InteractiveShell.automagic=False",
]
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def cell_timeout() -> int:
    try:
        return max(1, int(os.environ.get("NEET_CELL_TIMEOUT", CELL_TIMEOUT)))
    except ValueError:
        return CELL_TIMEOUT


@dataclass
class RunOutcome:
    run: runs.Run
    status: str  # "executed", "skipped", "failed", "cancelled"
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

#: Reasons that make a run execute even under ``--county``: its page is not the one recorded.
OUTPUT_REASONS = ("executed notebook missing", "published files")


def stale_reason(root: Path, run: runs.Run, record: dict | None, inputs: dict,
                 data_all: callable) -> str | None:
    """Why ``run`` must be executed again (``None`` = up to date)."""
    if not record:
        return "never executed"
    if not (root / run.output).exists():
        return "executed notebook missing"
    outputs = record.get("outputs")
    if not outputs:
        return "published files not recorded"
    current = hashing.file_hashes(root, outputs)
    differ = [name for name, sha in outputs.items() if current.get(name) != sha]
    if differ:
        return ("published files differ from the recorded ones: " + ", ".join(differ[:3])
                + (" …" if len(differ) > 3 else ""))
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
    """Hide every code cell's input and make ``title`` (if given) the page title (the first
    heading of the first Markdown cell, added if missing). Headings are Markdown cells of the
    notebooks; nothing printed from code is turned into a section."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            tags = list(cell.metadata.get("tags", []))
            if "remove-input" not in tags:
                tags.append("remove-input")
            cell.metadata["tags"] = tags
    if title:
        set_title(nb, title)


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

# Set in each worker process by _worker_main: where results go, the fail-fast signal, and the
# kernel the worker is using (so a stopping worker can kill it).
_WORKER: dict = {"queue": None, "stop": None, "km": None, "kernel_pid": None}


def _run_sync(coro_fn, *args, **kwargs):
    """Run a coroutine of the async kernel manager/client on this thread's event loop (the
    same loop nbclient uses)."""
    from jupyter_core.utils import run_sync

    return run_sync(coro_fn)(*args, **kwargs)


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
        """papermill's nbclient engine, but with a kernel the build started (and may reuse).

        The kernel manager is an ``AsyncKernelManager``, so nbclient talks to the kernel
        with an asynchronous client: its checks that the kernel is alive and its cell
        timeout keep running while a cell executes (a blocking client stalls nbclient's
        event loop on a dead kernel, and the build would hang forever)."""

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
    from jupyter_client.manager import AsyncKernelManager

    km = AsyncKernelManager(kernel_name=KERNEL)
    # The kernel's own chatter (stderr/stdout of the process) goes to a log file.
    with open(kernel_log, "w", encoding="utf-8") as fh:
        _run_sync(km.start_kernel, extra_arguments=KERNEL_ARGUMENTS, env=_kernel_env(root, read_log),
                  cwd=str(cwd), stdout=fh, stderr=fh)
    _WORKER["kernel_pid"] = _kernel_pid(km)
    return km


def _kernel_pid(km) -> int | None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return getattr(process, "pid", None)


def _kernel_status(km) -> str:
    """``"exit status -9 (SIGKILL …)"`` for a kernel process that ended, else ``""``."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    code = process.poll() if process is not None else None
    if code is None:
        return ""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " — killed, for example by the out-of-memory killer" if -code == signal.SIGKILL else ""
        return f"the kernel process was ended by {name}{hint}"
    return f"the kernel process exited with status {code}"


async def _areset(km, code: str) -> dict:
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        return await kc.execute_interactive(code, timeout=120, output_hook=lambda msg: None)
    finally:
        kc.stop_channels()


def _reset_kernel(km, cwd: Path, read_log: Path) -> None:
    if not _run_sync(km.is_alive):
        raise RuntimeError("the kernel of the previous run is no longer alive")
    reply = _run_sync(_areset, km, _RESET_CODE.format(cwd=str(cwd), log=str(read_log)))
    if reply["content"].get("status") != "ok":
        raise RuntimeError(f"resetting the kernel failed: {reply['content'].get('evalue', '')}")


def _stop_kernel(km) -> None:
    try:
        _run_sync(km.shutdown_kernel, now=True)
    except Exception:  # noqa: BLE001 - a dead kernel needs no shutdown
        _kill_kernel(_kernel_pid(km))
    _WORKER["kernel_pid"] = None


def _kill_kernel(pid: int | None) -> None:
    """Kill a kernel and its own children (it leads its own process group) at once."""
    if not pid:
        return
    for kill in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            kill()
            return
        except (ProcessLookupError, PermissionError):
            continue


def _emit(result: dict, collected: list) -> None:
    collected.append(result)
    if _WORKER["queue"] is not None:
        _WORKER["queue"].put(result)


def execute_batch(root: str, run_dicts: list[dict]) -> list[dict]:
    """Execute runs one after another in one kernel (in a worker process).

    Each result (a dict: ``id``, ``ok``, ``seconds``, ``error``, ``glue``, ``reads``,
    ``outputs``) is put on the worker's queue as soon as it is known, and all are
    returned. After a failure the kernel is discarded and the rest of the batch is not
    started.
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


def run_workdir(root: Path, run: runs.Run) -> Path:
    """The folder a run executes in (its ``_assets/`` are written there)."""
    return hashing.state_dir(root) / RUNS_DIR / _log_name(run.id)


def _execute_one(root: str, run: runs.Run, km) -> dict:
    """Execute one run in ``km`` (reset first) or in a new kernel; never raises.

    The result carries the kernel under ``"km"`` for the next run (``None`` if it was
    stopped because something went wrong)."""
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    root_p = Path(root)
    out = root_p / run.output
    failed = root_p / run.failed_output
    work = run_workdir(root_p, run)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    partial = work / out.name
    state_dir = hashing.state_dir(root_p)
    (state_dir / "reads").mkdir(parents=True, exist_ok=True)
    (state_dir / "logs").mkdir(parents=True, exist_ok=True)
    read_log = state_dir / "reads" / f"{_log_name(run.id)}.txt"
    kernel_log = state_dir / "logs" / f"{_log_name(run.id)}.log"
    read_log.unlink(missing_ok=True)
    started = time.perf_counter()
    result = {"id": run.id, "ok": False, "km": None}
    timeout = cell_timeout()
    try:
        if km is None:
            km = _start_kernel(root, work, read_log, kernel_log)
        else:
            kernel_log.write_text(f"(kernel reused from an earlier run of {run.notebook})\n", encoding="utf-8")
            _reset_kernel(km, work, read_log)
        _WORKER["km"] = km
        pm.execute_notebook(
            str(root_p / run.notebook), str(partial), parameters=dict(run.parameters),
            engine_name=_warm_engine_name(), kernel_name=KERNEL, progress_bar=False, log_output=False,
            request_save_on_cell_execute=False, execution_timeout=timeout,
        )
        nb = nbformat.read(partial, as_version=4)
        postprocess(nb, run.title)
        redact_local_paths(nb, root_p, run.parameters)
        nbformat.write(nb, partial)
        outputs = _publish_run(root_p, run, work, partial)
        failed.unlink(missing_ok=True)
        result.update(ok=True, glue=glued_values(nb), outputs=outputs, km=km)
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
    except (DeadKernelError, CellTimeoutError) as exc:
        kept = _keep_failed(partial, failed)
        where = f"; the notebook executed so far is kept at {_rel(root_p, kept)}" if kept else ""
        if isinstance(exc, DeadKernelError) or (km is not None and _kernel_status(km)):
            why = "the Python kernel died while executing it" + (f" ({_kernel_status(km)})" if km else "")
        else:
            why = f"a cell did not finish within {timeout} s (the kernel stopped answering or the cell hangs)"
        result["error"] = f"{run.describe()} failed: {why}{where}; kernel log: {_rel(root_p, kernel_log)}"
    except Exception as exc:  # noqa: BLE001 - kernel did not start, notebook unreadable ...
        kept = _keep_failed(partial, failed)
        where = f"; the executed notebook is kept at {_rel(root_p, kept)}" if kept else ""
        text = str(exc).strip()
        status = _kernel_status(km) if km is not None else ""
        result["error"] = (f"{run.describe()} could not be executed: {type(exc).__name__}: "
                           f"{text.splitlines()[-1] if text else ''}{f' ({status})' if status else ''}{where}; "
                           f"kernel log: {_rel(root_p, kernel_log)}")
    if not result["ok"] and km is not None:
        _stop_kernel(km)
        result["km"] = None
    result["seconds"] = time.perf_counter() - started
    from neethelpers.data import readlog

    result["reads"] = readlog.read(read_log)
    # The (now empty) working folder stays: a reused kernel still has it as its working
    # directory until the next run's reset; the next build removes it.
    return result


def redact_local_paths(nb, root: Path, parameters: dict) -> None:
    """Remove local paths from an executed notebook (it is published with the book): a
    ``--data`` file's path becomes its bare name, and the project folder is left out of the
    paths papermill records (``data/raw/x.csv`` instead of ``/home/…/data/raw/x.csv``)."""
    replacements = []
    source = hashing.data_source_file(parameters)
    if source:
        replacements.append((source, Path(source).name))
    replacements.append((str(root).rstrip("/") + "/", ""))

    def clean(value):
        if isinstance(value, str):
            for old, new in replacements:
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            for key in list(value):
                value[key] = clean(value[key])
            return value
        return value

    clean(nb)


def _publish_run(root: Path, run: runs.Run, work: Path, notebook: Path) -> dict[str, str]:
    """Move a successful run's files from its working folder into ``book/generated/``
    (assets first, the notebook last); returns ``{path relative to root: sha256}``."""
    out = root / run.output
    out.parent.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in work.rglob("*") if p.is_file() and p != notebook)
    journal = [(out.parent / p.relative_to(work)).relative_to(root).as_posix() for p in files] + [run.output]
    hashing.write_text_atomic(_journal(root, run.id), json.dumps({"run": run.id, "files": journal}))
    moved: dict[str, str] = {}
    for path in files:
        dest = out.parent / path.relative_to(work)
        dest.parent.mkdir(parents=True, exist_ok=True)
        moved[dest.relative_to(root).as_posix()] = hashing.sha256_file(path)
        os.replace(path, dest)
    moved[run.output] = hashing.sha256_file(notebook)
    os.replace(notebook, out)
    return moved


def _keep_failed(partial: Path, failed: Path) -> Path | None:
    if partial.exists():
        failed.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, failed)
        return failed
    return None


def _rel(root: Path, path: Path) -> str:
    return hashing.relative_or_absolute(root, path)


# --- worker processes ------------------------------------------------------------------------

def _worker_main(root: str, tasks, results, stop, parent_pid: int) -> None:
    """A worker process: take batches from ``tasks`` until ``None`` and execute them.

    It dies with the build (parent-death signal SIGTERM, and a check that the parent is
    still there), ignores SIGINT (the build decides), and on SIGTERM kills its kernel and
    exits at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stop)
    die_with_parent(parent_pid, signal.SIGTERM)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    _WORKER["queue"], _WORKER["stop"] = results, stop
    while True:
        item = tasks.get()
        if item is None:
            break
        results.put({"worker": os.getpid(), "batch": [rd["id"] for rd in item]})
        execute_batch(root, item)
    results.put({"worker": os.getpid(), "done": True})
    results.close()
    results.join_thread()


def _worker_stop(signum, frame) -> None:  # noqa: ARG001 - signal handler
    _kill_kernel(_WORKER.get("kernel_pid"))
    os._exit(128 + signum)


def _watch_parent(parent_pid: int) -> None:
    """Where there is no parent-death signal: stop when the build process is gone."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent_pid:
            _worker_stop(signal.SIGTERM, None)


@contextmanager
def _stop_on_signals():
    """Turn SIGTERM and SIGINT into :class:`BuildInterrupted` in the build process (main
    thread only), so the build stops its workers and releases the lock on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired: list[int] = []

    def handler(signum, frame):  # noqa: ARG001
        if not fired:  # a second signal during the clean-up must not interrupt the clean-up
            fired.append(signum)
            raise BuildInterrupted(signum)

    previous = {s: signal.signal(s, handler) for s in _STOP_SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


# --- the build -----------------------------------------------------------------------------

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
            elif reason and reason.startswith(OUTPUT_REASONS):
                todo.append((run, reason))  # never publish a page the state does not vouch for
            elif reason and not force:
                left.append((run, reason))
            continue
        if reason:
            todo.append((run, reason))
    return todo, left, inputs


def build(root: Path | str | None = None, *, force: bool = False, county=None, jobs: int | None = None,
          data_source: str | None = None, year: int | None = None, dry_run: bool = False,
          progress: bool = True, reuse_kernels: bool = True, echo=_echo_default) -> BuildReport:
    """Execute what is out of date and publish the book. Raises :class:`BuildError`
    (:class:`BuildInterrupted` after SIGTERM or SIGINT).

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

    with _stop_on_signals(), build_lock(root):
        # Read the state again under the lock: a build that just finished may have changed it.
        _remove_leftovers(root)
        state = hashing.load_state(root)
        todo, left, inputs = select_runs(root, plan, state, force=force, county=county)
        try:
            return _build_locked(root, plan, state, todo, left, inputs, report, started, jobs=jobs,
                                 progress=progress, reuse_kernels=reuse_kernels, echo=echo)
        except BuildInterrupted as exc:
            done = sum(1 for o in report.outcomes if o.status == "executed")
            raise BuildInterrupted(exc.signum, f"{exc}: every notebook run and kernel was stopped; "
                                   f"the last good book in {HTML_DIR}/ is unchanged"
                                   + (f" ({done} page(s) executed before are kept and recorded)" if done else "")
                                   ) from None


def _journal(root: Path, run_id: str) -> Path:
    return hashing.state_dir(root) / PUBLISHING_DIR / f"{_log_name(run_id)}.json"


def _remove_leftovers(root: Path) -> None:
    """Under the lock: working folders of runs that an earlier build did not finish, and the
    files of runs it published but did not record (it was killed in between): every file a
    publish journal names that the state does not vouch for (same path, same sha256)."""
    shutil.rmtree(hashing.state_dir(root) / RUNS_DIR, ignore_errors=True)
    journals = sorted((hashing.state_dir(root) / PUBLISHING_DIR).glob("*.json"))
    if not journals:
        return
    recorded = hashing.load_state(root)["runs"]
    for journal in journals:
        entry = json.loads(journal.read_text(encoding="utf-8"))
        vouched = recorded.get(entry["run"], {}).get("outputs", {})
        for name in entry["files"]:
            path = root / name
            if path.is_file() and vouched.get(name) != hashing.sha256_file(path):
                path.unlink()
        journal.unlink()


def _remove_failed_notebooks(root: Path) -> None:
    """After a successful build: the notebooks kept from failed or interrupted runs."""
    generated = root / runs.GENERATED
    if generated.is_dir():
        for path in generated.rglob("*.ipynb"):
            if path.name.endswith((".failed.ipynb", ".partial.ipynb")):
                path.unlink(missing_ok=True)


def _build_locked(root, plan, state, todo, left, inputs, report, started, *, jobs, progress, reuse_kernels,
                  echo) -> BuildReport:
    if not (root / "_toc.yml").exists() or toc.render(plan) != (root / "_toc.yml").read_text(encoding="utf-8"):
        toc.write(root, plan)
    for run, why in left:
        report.warnings.append(f"{run.output} is out of date ({why}) but was not re-run because of --county; "
                               "run `neet build` to refresh it")
    outcomes: list[RunOutcome] = []
    try:
        _execute_all(root, todo, state, inputs, jobs=jobs, progress=progress, echo=echo,
                     reuse=reuse_kernels, outcomes=outcomes)
    finally:
        report.outcomes = list(outcomes)
    done_ids = {o.run.id for o in outcomes}
    report.outcomes = outcomes + [RunOutcome(r, "skipped", "up to date") for r in plan if r.id not in done_ids]
    failures = [o for o in outcomes if o.status == "failed"]
    if failures:
        cancelled = sum(1 for o in outcomes if o.status == "cancelled")
        not_started = f" ({cancelled} other run(s) were not started)" if cancelled else ""
        raise BuildError(
            f"{len(failures)} notebook run(s) failed{not_started}; the book was not rebuilt and the last good "
            f"book in {HTML_DIR}/ is unchanged.\n" + "\n".join(f"  {o.error}" for o in failures))

    report.book = render_book(root, plan, state, echo=echo)
    hashing.save_state(root, state)
    _remove_failed_notebooks(root)
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
                 reuse: bool = True, outcomes: list[RunOutcome] | None = None) -> list[RunOutcome]:
    """Execute ``todo`` in worker processes; each success is recorded in the state (and the
    state saved) as soon as it arrives. Results are appended to ``outcomes`` as they come,
    so a caller sees them even when a signal interrupts the build."""
    import queue as _queue

    collected = outcomes if outcomes is not None else []
    if not todo:
        return collected
    why_of = {run.id: why for run, why in todo}
    run_of = {run.id: run for run, _ in todo}
    jobs = max(1, jobs or os.cpu_count() or 1)
    estimates = {rid: rec.get("seconds", 60.0) for rid, rec in state["runs"].items()}
    batches = make_batches([r for r, _ in todo], jobs, reuse=reuse, estimates=estimates)
    jobs = min(jobs, len(batches))
    done: dict[str, RunOutcome] = {}
    # Spawned, not forked: a worker inherits nothing of the build process (no lock, no threads).
    ctx = get_context("spawn")
    tasks, results, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    for batch in batches:
        tasks.put([_run_dict(r) for r in batch])
    for _ in range(jobs):
        tasks.put(None)
    bar = None
    current: dict[int, list[str]] = {}  # worker pid -> the runs of the batch it is executing

    def handle(res: dict) -> None:
        if "worker" in res:
            if "batch" in res:
                current[res["worker"]] = res["batch"]
            return
        run = run_of[res["id"]]
        if res["id"] in done:
            return
        if res.get("cancelled"):
            outcome = RunOutcome(run, "cancelled", "not started because another run failed")
        elif res["ok"]:
            _record(root, state, run, inputs[run.id], res)
            hashing.save_state(root, state)  # per run: the state always describes what is published
            _journal(root, run.id).unlink(missing_ok=True)
            outcome = RunOutcome(run, "executed", why_of[run.id], res["seconds"])
        else:
            outcome = RunOutcome(run, "failed", why_of[run.id], res.get("seconds", 0.0), res["error"])
            stop.set()  # strict and fast: start no further runs once one has failed
        done[run.id] = outcome
        collected.append(outcome)
        if bar is not None:
            bar.set_postfix_str(run.id, refresh=False)
            bar.update(1)

    def drain() -> None:
        while True:
            try:
                handle(results.get_nowait())
            except _queue.Empty:
                return

    workers = [ctx.Process(target=_worker_main, args=(str(root), tasks, results, stop, os.getpid()),
                           name=f"neet-worker-{i + 1}", daemon=True) for i in range(jobs)]
    try:
        for w in workers:
            w.start()
        bar = _progress(len(todo), progress)
        while len(done) < len(todo):
            try:
                handle(results.get(timeout=0.5))
                continue
            except _queue.Empty:
                pass
            for w in workers:
                if w.exitcode is None or w.exitcode == 0:
                    continue
                drain()
                for rid in current.pop(w.pid, []):
                    if rid not in done:
                        handle({"id": rid, "ok": False, "seconds": 0.0,
                                "error": f"{run_of[rid].describe()} could not be executed: the worker process "
                                         f"executing it died ({_exit_text(w.exitcode)})"})
            if not any(w.is_alive() for w in workers):
                drain()
                for rid in run_of:
                    if rid not in done:
                        handle({"id": rid, "ok": False, "cancelled": True})
    finally:
        _stop_workers(workers, stop, tasks, results)
        if bar is not None:
            bar.close()
    order_ids = [r.id for r, _ in todo]
    collected.sort(key=lambda o: order_ids.index(o.run.id))
    return collected


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"ended by {signal.Signals(-code).name}"
        except ValueError:
            return f"ended by signal {-code}"
    return f"exit status {code}"


def _stop_workers(workers, stop, tasks, results) -> None:
    """Stop every worker (each kills its kernel on SIGTERM) and wait for them, briefly."""
    stop.set()
    for w in workers:
        if w.is_alive():
            w.terminate()
    deadline = time.monotonic() + 10
    for w in workers:
        if w.pid is None:
            continue
        w.join(max(0.1, deadline - time.monotonic()))
        if w.is_alive():
            w.kill()
            w.join(2)
    for q in (tasks, results):
        q.cancel_join_thread()
        q.close()


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
        "executed_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(res["seconds"], 2),
        "glue": res.get("glue", {}),
        "outputs": res.get("outputs", {}),
    }
    if names:
        catalog = hashing.relative_or_absolute(root, hashing.catalog_file(root))
        if (root / catalog).exists() and catalog not in names:
            names.append(catalog)
        record["reads"] = hashing.file_hashes(root, names)
    else:
        record["data_all"] = hashing.all_data_hash(root)
    # Files the page's previous run published and this run did not (e.g. the assets of a --data
    # edition, or of a run killed part-way) would otherwise stay in book/generated/.
    previous = state["runs"].get(run.id, {}).get("outputs", {})
    for name in set(previous) - set(record["outputs"]):
        (root / name).unlink(missing_ok=True)
    state["runs"][run.id] = record


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

