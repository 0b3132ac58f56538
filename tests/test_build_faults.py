"""The build under faults (issue 14, items 2, 3, 4 and 8): killed builds, dead and silent
kernels, SIGTERM/SIGINT, and what the next build finds.

All slow tests share one working copy whose chapter notebooks are replaced by tiny stand-ins
(``tests/standins.py``: same parameters, a table naming their data source, misbehaviour on
request through the environment), so a fault costs seconds of execution, not minutes. The
copy starts with a good book; every test leaves a good book behind.

Processes are found by a tag in their environment (``NEET_TEST_TAG``), which the build's
workers, kernels and Sphinx inherit — so "nothing is left running" is checked on every
process the build started, whatever its parent.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest
import standins
from conftest import Project, make_copy

from neethelpers.build import execute as build, lock, plan as runs, render, state as hashing

MICRODATA = Path(__file__).parent / "fixtures" / "microdata" / "small_persons.csv"


# --- fast: publishing ------------------------------------------------------------------------

def _staged_book(root: Path, text: str) -> Path:
    staging = root / render.SPHINX_WORK / "html"
    staging.mkdir(parents=True)
    (staging / "index.html").write_text(text)
    return staging


def test_publish_switches_a_link_and_keeps_one_book(tmp_path):
    first = render.publish(tmp_path, _staged_book(tmp_path, "first"))
    html = tmp_path / render.HTML_DIR
    assert html.is_symlink() and (html / "index.html").read_text() == "first"
    second = render.publish(tmp_path, _staged_book(tmp_path, "second"))
    assert (html / "index.html").read_text() == "second" and render.published_folder(tmp_path) == second
    assert not first.exists()  # the older book is removed after the switch
    assert sorted(p.name for p in (tmp_path / "_build").iterdir()) == sorted([".sphinx", "html", second.name])


def test_publish_moves_a_plain_html_folder_from_an_older_build_aside(tmp_path):
    html = tmp_path / render.HTML_DIR
    html.mkdir(parents=True)
    (html / "index.html").write_text("old layout")
    render.publish(tmp_path, _staged_book(tmp_path, "new"))
    assert html.is_symlink() and (html / "index.html").read_text() == "new"
    assert [p.name for p in (tmp_path / "_build").iterdir() if p.name.startswith("html-")] == \
        [render.published_folder(tmp_path).name]


def test_a_complete_book_is_published_at_every_instant(tmp_path, monkeypatch):
    """Issue 14.8: after every file-system step of publish() _build/html/index.html exists and
    is either the old or the new book (the old publish renamed the folder away, then the new
    one in: between the two there was no book)."""
    render.publish(tmp_path, _staged_book(tmp_path, "old"))
    index = tmp_path / render.HTML_DIR / "index.html"
    seen = []
    real_replace, real_rmtree = os.replace, shutil.rmtree

    def check():
        assert index.exists(), "_build/html/index.html is missing during publish()"
        seen.append(index.read_text())

    def replace(src, dst):
        real_replace(src, dst)
        check()

    def rmtree(path, *args, **kwargs):
        real_rmtree(path, *args, **kwargs)
        check()

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(shutil, "rmtree", rmtree)
    render.publish(tmp_path, _staged_book(tmp_path, "new"))
    assert len(seen) >= 3 and set(seen) == {"old", "new"} and seen[-1] == "new"
    assert seen == sorted(seen, key=("old", "new").index)  # switched once, never back


def test_a_reader_never_misses_the_book_while_books_are_published(tmp_path):
    render.publish(tmp_path, _staged_book(tmp_path, "0"))
    index = tmp_path / render.HTML_DIR / "index.html"
    misses, seen, stop = [], set(), threading.Event()

    def reader():
        while not stop.is_set():
            try:
                seen.add(index.read_text())
            except OSError:
                misses.append(1)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(1, 60):
            render.publish(tmp_path, _staged_book(tmp_path, str(i)))
    finally:
        stop.set()
        thread.join()
    assert not misses
    assert len(seen) > 1  # the reader really saw the books change


def test_leftovers_of_an_interrupted_publish_are_removed(tmp_path):
    render.publish(tmp_path, _staged_book(tmp_path, "good"))
    build_dir = tmp_path / "_build"
    (build_dir / "html-20260101T000000-deadbeef").mkdir()  # a book moved but never linked
    os.symlink("html-20260101T000000-deadbeef", build_dir / ".html-link-1-x")
    render.remove_unpublished(tmp_path)
    assert sorted(p.name for p in build_dir.iterdir()) == sorted([".sphinx", "html",
                                                                 render.published_folder(tmp_path).name])


def _worker_publishes(root: Path, run: runs.Run, files: dict[str, str]) -> dict[str, str]:
    """What a worker does after a good run: its files in a working folder, then published."""
    work = root / "work" / run.id
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    notebook = work / Path(run.output).name
    notebook.write_text(repr(files))  # a page differs with what it shows
    return build._publish_run(root, run, work, notebook)


def test_files_published_but_never_recorded_are_removed_by_the_next_build(tmp_path):
    """Issue 14.2: a build killed after a worker published a page and before the build process
    recorded it leaves files the state does not vouch for; the next build removes them (the
    page itself is executed again), and keeps what the state does vouch for."""
    kept, lost = runs.Run("fylker/akershus", "notebooks/04_county.ipynb"), runs.Run("fylker/oslo", "notebooks/04_county.ipynb")
    state = hashing.load_state(tmp_path)
    state["runs"][kept.id] = {"outputs": _worker_publishes(tmp_path, kept, {"_assets/akershus-tabell.csv": "a"})}
    hashing.save_state(tmp_path, state)
    build._journal(tmp_path, kept.id).unlink()  # recorded: what the build process does next
    # the first edition of Oslo was recorded; a --data run of it was published, then the kill
    state["runs"][lost.id] = {"outputs": _worker_publishes(tmp_path, lost, {"_assets/oslo-tabell.csv": "default"})}
    hashing.save_state(tmp_path, state)
    build._journal(tmp_path, lost.id).unlink()
    _worker_publishes(tmp_path, lost, {"_assets/oslo-tabell.csv": "data", "_assets/oslo-data-ekstra.csv": "data"})
    generated = tmp_path / runs.GENERATED / "fylker"
    assert (generated / "_assets" / "oslo-data-ekstra.csv").exists()

    build._remove_leftovers(tmp_path)
    assert sorted(p.relative_to(generated).as_posix() for p in generated.rglob("*") if p.is_file()) == [
        "_assets/akershus-tabell.csv", "akershus.ipynb"]  # Oslo's notebook and assets are from the data run
    assert not list((hashing.state_dir(tmp_path) / build.PUBLISHING_DIR).iterdir())
    build._remove_leftovers(tmp_path)  # nothing left to do, nothing removed
    assert (generated / "akershus.ipynb").exists()


# --- fast: the lock ----------------------------------------------------------------------------

def test_the_lock_is_refused_while_held_and_free_when_its_holder_dies(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, pathlib\n"
        "from neethelpers.build.lock import build_lock\n"
        "with build_lock(pathlib.Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(600)\n"), str(tmp_path)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert lock.is_locked(tmp_path)
        with pytest.raises(build.BuildError, match=rf"another `neet build` is running .*\(process {holder.pid}\)"):
            with lock.build_lock(tmp_path):
                pass
    finally:
        holder.kill()
        holder.wait()
    assert not lock.is_locked(tmp_path)  # released by the holder's death, nothing to clean up
    with lock.build_lock(tmp_path):
        assert lock.is_locked(tmp_path)


def test_a_child_process_never_holds_the_lock(tmp_path):
    """The lock descriptor is close-on-exec: a program started during the build (a kernel,
    Sphinx) and still running after the build ended does not keep the project locked."""
    with lock.build_lock(tmp_path):
        child = subprocess.Popen(["sleep", "60"], close_fds=False)
    try:
        assert not lock.is_locked(tmp_path)
    finally:
        child.kill()
        child.wait()


# --- fast: the command line --------------------------------------------------------------------

def test_a_data_error_outside_any_command_handler_is_one_line_and_exit_2(tmp_path, use_data_dir, monkeypatch,
                                                                          capsys):
    """Issue 14.6: `neet build --year 2020 --dry-run` with a corrupted data file (met while
    checking --year) gives one line and exit status 2 through the console script's main()."""
    from neethelpers import paths
    from neethelpers.cli import main as cli

    data = shutil.copytree(paths.DATA_DIR, tmp_path / "data")
    target = data / "raw" / "ssb_13556_national_sex_age.csv"
    target.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2])  # truncated
    use_data_dir(data)
    monkeypatch.setattr(sys, "argv", ["neet", "build", "--year", "2020", "--dry-run"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("neet: error: ")
    assert "ssb_13556_national_sex_age.csv" in err and "sha256" in err and "Traceback" not in err


# --- slow: one working copy with stand-in notebooks ----------------------------------------------

def tagged(tag: str) -> list[psutil.Process]:
    """Live processes whose environment carries ``NEET_TEST_TAG=tag``."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.status() == psutil.STATUS_ZOMBIE:
                continue
            if proc.environ().get("NEET_TEST_TAG") == tag:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class Faulty:
    """The shared working copy, and a way to start ``neet`` there with test behaviour."""

    def __init__(self, project: Project, pids: Path):
        self.project = project
        self.root = project.root
        self.pids = pids

    def start(self, *args: str, **env: str) -> tuple[subprocess.Popen, str]:
        """Start ``neet ARGS``; its output goes to files (``proc.out``, ``proc.err``), not pipes,
        so processes it leaves behind cannot keep a test waiting for the end of its output."""
        tag = uuid.uuid4().hex
        for p in self.pids.glob("*.pid"):
            p.unlink()
        full_env = {**self.project.env(), "NEET_TEST_TAG": tag, "NEET_TEST_PIDS": str(self.pids), **env}
        out, err = self.pids.parent / f"{tag}.out", self.pids.parent / f"{tag}.err"
        with open(out, "w") as fo, open(err, "w") as fe:
            proc = subprocess.Popen([sys.executable, "-m", "neethelpers.cli.main", *args], cwd=self.root,
                                    env=full_env, stdout=fo, stderr=fe, text=True)
        proc.out, proc.err = out, err
        return proc, tag

    def kernel_pid(self, page: str, timeout: float = 300) -> int:
        path = self.pids / f"{page}.pid"
        wait_for(lambda: path.exists() and path.read_text().strip(), timeout, f"the kernel of {page}")
        return int(path.read_text())

    def html_hashes(self) -> dict[str, str]:
        html = self.project.html
        return {p.relative_to(html).as_posix(): hashing.sha256_file(p) for p in sorted(html.rglob("*")) if p.is_file()}

    def good_build(self) -> subprocess.CompletedProcess:
        result = self.project.neet("build", "--quiet")
        assert result.returncode == 0, result.stderr
        return result


@pytest.fixture(scope="module")
def faulty(tmp_path_factory) -> Faulty:
    base = tmp_path_factory.mktemp("faults")
    project = make_copy(base / "project")
    standins.install(project.root)
    pids = base / "pids"
    pids.mkdir()
    f = Faulty(project, pids)
    f.good_build()
    return f


def _finish(proc: subprocess.Popen, timeout: float) -> tuple[str, str, float]:
    started = time.monotonic()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"neet build did not end within {timeout} s:\n{proc.err.read_text()}") from None
    return proc.out.read_text(), proc.err.read_text(), time.monotonic() - started


@pytest.mark.slow
def test_a_dead_kernel_fails_its_run_at_once_and_releases_the_lock(faulty):
    """Issue 14.3: a kernel killed mid-run (as by the out-of-memory killer) fails its run
    within seconds with a clear message; the lock is released, the failed notebook is kept,
    and the next good build removes it (14.8)."""
    before = faulty.html_hashes()
    proc, tag = faulty.start("build", "--county", "ostfold", "--quiet", NEET_TEST_HANG="ostfold")
    os.kill(faulty.kernel_pid("ostfold"), signal.SIGKILL)
    _, err, seconds = _finish(proc, 120)
    assert proc.returncode == 1, err
    assert seconds < 60
    assert "county='Østfold'" in err
    assert "the Python kernel died while executing it" in err and "SIGKILL" in err
    assert "Traceback" not in err
    assert not lock.is_locked(faulty.root)
    assert wait_for(lambda: not tagged(tag), 15, "every process of the build to end")
    assert faulty.html_hashes() == before
    # A notebook kept from a failed or interrupted run (papermill writes none when the kernel
    # dies; a failing cell or an older build leaves one) is removed by the next good build.
    failed = faulty.root / "book" / "generated" / "fylker" / "ostfold.failed.ipynb"
    if not failed.exists():
        shutil.copy(faulty.root / "book" / "generated" / "fylker" / "ostfold.ipynb", failed)
    faulty.good_build()
    assert not failed.exists()


@pytest.mark.slow
def test_a_kernel_that_stops_answering_fails_when_the_cell_timeout_runs_out(faulty):
    """Issue 14.3: a stopped kernel (alive, never answering) fails its run after the cell
    timeout instead of hanging the build forever."""
    proc, tag = faulty.start("build", "--county", "ostfold", "--quiet", NEET_TEST_HANG="ostfold",
                             NEET_CELL_TIMEOUT="20")
    pid = faulty.kernel_pid("ostfold")
    os.kill(pid, signal.SIGSTOP)
    _, err, seconds = _finish(proc, 180)
    assert proc.returncode == 1, err
    assert "did not finish within 20 s" in err
    assert not lock.is_locked(faulty.root)
    assert wait_for(lambda: not tagged(tag), 15, "every process of the build to end")
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    faulty.good_build()


@pytest.mark.slow
@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_sigterm_and_sigint_stop_the_whole_build_and_keep_the_last_good_book(faulty, signum, code):
    """Issue 14.4: the build stops its workers and kernels, says so in one line, keeps the
    last good book and leaves nothing that blocks the next build."""
    before = faulty.html_hashes()
    proc, tag = faulty.start("build", "--force", "--jobs", "2", "--quiet", NEET_TEST_HANG="all")
    wait_for(lambda: len(list(faulty.pids.glob("*.pid"))) >= 2, 300, "two kernels")
    assert len(tagged(tag)) >= 5  # neet, 2 workers, 2 kernels
    proc.send_signal(signum)
    _, err, seconds = _finish(proc, 60)
    assert proc.returncode == code, err
    assert seconds < 30
    assert err.strip().count("\n") == 0 and "build stopped: interrupted by " + signal.Signals(signum).name in err
    assert "the last good book in _build/html/ is unchanged" in err
    assert wait_for(lambda: not tagged(tag), 15, "every process of the build to end")
    assert not lock.is_locked(faulty.root)
    assert faulty.html_hashes() == before
    faulty.good_build()


FAKE_CHROMIUM = """#!{python}
# A Chromium that hangs while printing, with a child process of its own (like its renderer).
import os, pathlib, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pathlib.Path(os.environ["NEET_TEST_PIDS"], f"chromium-{{os.getpid()}}.pid").write_text(str(child.pid))
time.sleep(600)
"""


@pytest.mark.slow
def test_sigterm_while_the_profiles_print_stops_at_once_and_leaves_no_chromium(faulty, tmp_path):
    """Issue 14.4 (noticed after): a build stopped while Chromium prints the county PDFs used to
    wait for every profile still queued (up to 180 s each); now it cancels them, kills each
    running Chromium with its children, and keeps the last good book."""
    fake = tmp_path / "chromium"
    fake.write_text(FAKE_CHROMIUM.format(python=sys.executable))
    fake.chmod(0o755)
    fingerprint = faulty.project.html / "pdf" / ".fingerprint"
    made_from = fingerprint.read_text(encoding="utf-8")
    fingerprint.unlink()  # so this build prints the profiles again
    before = faulty.html_hashes()
    proc, tag = faulty.start("build", "--force", "--jobs", "2", "--quiet", NEET_CHROMIUM=str(fake))
    wait_for(lambda: len(list(faulty.pids.glob("chromium-*.pid"))) >= 2, 600, "two profiles printing")
    proc.send_signal(signal.SIGTERM)
    _, err, seconds = _finish(proc, 60)
    assert proc.returncode == 143, err
    assert seconds < 15
    assert "the last good book in _build/html/ is unchanged" in err
    assert wait_for(lambda: not tagged(tag), 15, "every Chromium and its children to end")
    assert len(list(faulty.pids.glob("chromium-*.pid"))) == 2  # the queued profiles were never started
    assert faulty.html_hashes() == before
    # the book's profiles are still the good ones the fingerprint vouched for: no need to print them again
    fingerprint.write_text(made_from, encoding="utf-8")
    faulty.good_build()


@pytest.mark.slow
def test_killing_the_build_kills_its_workers_and_kernels(faulty):
    """Issue 14.4: after `kill -9` of `neet build` no worker or kernel keeps running (they
    used to keep writing into book/generated/ and hold the lock), and the next build runs."""
    before = faulty.html_hashes()
    proc, tag = faulty.start("build", "--force", "--jobs", "2", "--quiet", NEET_TEST_HANG="all")
    wait_for(lambda: len(list(faulty.pids.glob("*.pid"))) >= 2, 300, "two kernels")
    proc.kill()
    proc.wait()
    assert wait_for(lambda: not tagged(tag), 20, "every worker and kernel to end")
    assert not lock.is_locked(faulty.root)
    assert faulty.html_hashes() == before
    faulty.good_build()


def _pages_from(root: Path, marker: str) -> list[str]:
    """Files of the executed notebooks and of the published book that mention ``marker``."""
    hits = []
    for folder in (root / runs.GENERATED, root / render.HTML_DIR):
        for path in folder.rglob("*"):
            if path.is_file() and marker.encode() in path.read_bytes():
                hits.append(path.relative_to(root).as_posix())
    return hits


def _data_pages(root: Path, marker: str) -> int:
    generated = root / runs.GENERATED
    return sum(1 for p in generated.rglob("*.ipynb") if not p.name.endswith(".failed.ipynb")
               and marker in p.read_text(encoding="utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("kill_point", ["first page", "half of the pages", "render"])
def test_a_killed_data_build_leaves_no_page_from_the_data_file(faulty, tmp_path, kill_point):
    """Issue 14.2: kill `neet build --data FILE` part-way (SIGKILL, as an out-of-memory kill or
    an impatient operator would); the next plain `neet build` publishes no page computed from
    FILE, and its appendix does not name FILE."""
    data_file = tmp_path / "hemmelig.csv"
    shutil.copy(MICRODATA, data_file)
    # Any page computed from a --data source (the CLI may hand the notebooks a cached cell file
    # made from FILE, under another name): the stand-ins print DATAFILE-<stem of the source>.
    marker = "DATAFILE-"
    n_data_runs = sum(1 for r in runs.plan(faulty.root, data_source=str(data_file)) if "data_source" in r.parameters)
    proc, tag = faulty.start("build", "--data", str(data_file), "--jobs", "2", "--quiet", NEET_TEST_SLEEP="1")
    if kill_point == "first page":
        wait_for(lambda: _data_pages(faulty.root, marker) >= 1, 300, "the first page from the data file")
    elif kill_point == "half of the pages":
        wait_for(lambda: _data_pages(faulty.root, marker) >= n_data_runs // 2, 600, "half of the pages")
    else:
        wait_for(lambda: (faulty.root / render.SPHINX_WORK / "html").exists(), 900, "the render to start")
    proc.kill()
    proc.wait()
    assert _pages_from(faulty.root, marker), "the kill came too late to test anything"
    wait_for(lambda: not tagged(tag), 20, "every process of the killed build to end")
    if kill_point == "render":
        # Sphinx rewrites its doctrees in place, so a kill can cut short the one it is writing
        # (CI met it: the next render failed with "Ran out of input"). Which one depends on the
        # moment of the kill; cut them all, the worst case, so the test does not depend on luck.
        doctrees = sorted((faulty.root / render.SPHINX_WORK / ".doctrees").rglob("*.doctree"))
        assert doctrees, "no doctrees: the good build should have left them"
        for doctree in doctrees:
            doctree.write_bytes(doctree.read_bytes()[:10])

    result = faulty.good_build()
    assert "notebook(s) executed" in result.stdout
    assert _pages_from(faulty.root, marker) == []
    assert _pages_from(faulty.root, "hemmelig") == []  # not in the appendix's parameters either
    state = hashing.load_state(faulty.root)
    # every run's state is the default edition's (the demonstration page names the synthetic cohort)
    assert all(rec["parameters"].get("data_source", "none") in ("none", "synthetic") for rec in state["runs"].values())
