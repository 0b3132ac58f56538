"""Render the executed notebooks with Jupyter Book (strict) and publish the book atomically.

``_toc.yml`` and the provenance includes are written first; Jupyter Book then renders with
execution off, warnings as errors, nitpicky and keep-going (as ``jupyter-book build . -W -n
--keep-going``) into a staging folder, ``_build/.sphinx/html``, in a separate interpreter.
When nothing changed since the last published book, rendering is skipped.

**Publishing.** ``_build/html`` is a symbolic link to a complete book folder
``_build/html-<id>``. A new book is moved to its own ``html-<id>`` folder, a new link is
made next to the old one and renamed over it (``os.replace`` of a symlink is one atomic
``rename``), and only then are older book folders removed. So ``_build/html`` is a
complete book at every instant: the old one until the rename, the new one after it. A
failed or interrupted render leaves the last good book untouched. (A ``_build/html`` that
is still a plain folder, from before this scheme, is moved aside once.)
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from neethelpers.build import BuildError, BuildInterrupted, plan as runs, state as hashing
from neethelpers.errors import NeetError

BUILD_DIR = "_build"
HTML_DIR = "_build/html"
HTML_PREFIX = "html-"  # _build/html -> _build/html-<id>
SPHINX_WORK = "_build/.sphinx"  # doctrees + myst-nb output folder (kept between builds) + staging html
PARENT_ENV = "NEET_BUILD_PID"  # the build process, for the Sphinx subprocess to die with it
#: Present in ``SPHINX_WORK`` while Sphinx runs. Sphinx rewrites its doctrees in place; a render
#: killed part-way can leave one cut short, which the next incremental render would load (and
#: fail on) without re-reading its page. Found at the start of a render, it means the last one
#: did not finish, so the incremental state is thrown away.
RENDER_UNFINISHED = "render-unfinished"


def _echo_default(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


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
    from neethelpers.build import pdf, provenance

    # The front page's county map is part of the book's sources: write it before the key.
    fingerprint = pdf.fingerprint(root)
    pdf.write_front_map(root, fingerprint)
    key = book_key(root, plan, state)
    html = root / HTML_DIR
    if state["book"].get("key") == key and (html / "index.html").exists():
        echo(f"Book unchanged: {HTML_DIR}/index.html")
        return "unchanged"
    provenance.write_all(root, plan, state)
    work = root / SPHINX_WORK
    staging = work / "html"
    unfinished = work / RENDER_UNFINISHED
    if unfinished.exists():
        echo("The last render was interrupted: every page is rendered afresh.")
        shutil.rmtree(work)
    elif staging.exists():
        shutil.rmtree(staging)
    echo("Rendering the book with Jupyter Book (strict) …")
    t0 = time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    unfinished.touch()
    proc = run_sphinx(root, staging, work / ".doctrees", substitutions(plan, state))
    if proc.returncode == 0:
        unfinished.unlink()
    if proc.returncode != 0 or not (staging / "index.html").exists():
        # Forget the incremental Sphinx state so the next build re-reads every page and
        # cannot silently skip the warnings of this one.
        shutil.rmtree(work, ignore_errors=True)
        raise BuildError(
            f"Jupyter Book failed (warnings are errors); the last good book in {HTML_DIR}/ is unchanged.\n"
            + _sphinx_problems(proc.stdout + proc.stderr))
    try:  # the county profiles go into the staging tree, so they are published with it, atomically
        pdf.write_profiles(root, plan, staging, published=published_folder(root), fp=fingerprint, echo=echo)
    except BuildInterrupted:
        raise  # stopped by a signal: the build says so (exit 128 + signal), not "build failed"
    except NeetError as exc:
        raise BuildError(f"{exc}\nThe last good book in {HTML_DIR}/ is unchanged.") from None
    publish(root, staging)
    state["book"] = {"key": key, "built_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                     "seconds": round(time.perf_counter() - t0, 2)}
    echo(f"Book written to {HTML_DIR}/index.html")
    return "built"


def _sphinx_problems(output: str) -> str:
    output = re.sub(r"\x1b\[[0-9;]*m", "", output)  # colour codes
    lines = [ln for ln in output.splitlines() if "WARNING" in ln or "ERROR" in ln or "Error" in ln
             or "Exception" in ln]
    shown = lines[:40] or output.strip().splitlines()[-40:]
    return "\n".join("  " + ln for ln in shown)


def die_with_parent(parent_pid: int | None, signum: int = signal.SIGKILL) -> None:
    """Make this process get ``signum`` when its parent dies (Linux ``PR_SET_PDEATHSIG``), and
    exit now if the parent ``parent_pid`` is already gone (it may have died before the call)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signum), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl
            pass
    if parent_pid and os.getppid() != parent_pid:
        os._exit(1)


def run_sphinx(root: Path, outdir: Path, doctreedir: Path, subs: dict) -> subprocess.CompletedProcess:
    """Run Jupyter Book's Sphinx build in a fresh interpreter (docutils keeps global state).

    The interpreter dies with the build (parent-death signal), and an exception in the build
    (``KeyboardInterrupt``, SIGTERM) kills it too (``subprocess.run``)."""
    work = outdir.parent
    work.mkdir(parents=True, exist_ok=True)
    subs_file = work / "substitutions.json"
    subs_file.write_text(json.dumps(subs, ensure_ascii=False), encoding="utf-8")
    cmd = [sys.executable, "-m", "neethelpers.build.render", "sphinx", str(root), str(outdir), str(doctreedir),
           str(subs_file)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    env["NO_COLOR"] = "1"
    env[PARENT_ENV] = str(os.getpid())
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=root)


def _sphinx_main(root: str, outdir: str, doctreedir: str, subs_file: str) -> int:
    """Entry point of the Sphinx subprocess: ``jupyter-book build . -W -n --keep-going``."""
    die_with_parent(int(os.environ.get(PARENT_ENV) or 0))
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


# --- publishing ---------------------------------------------------------------------------------

def published_folder(root: Path) -> Path | None:
    """The book folder ``_build/html`` points to (``None`` if there is no book)."""
    html = root / HTML_DIR
    if html.is_symlink():
        return (html.parent / os.readlink(html)).resolve()
    return html if html.is_dir() else None


def publish(root: Path, staging: Path) -> Path:
    """Make the complete book in ``staging`` the published one, atomically (see the module
    docstring); returns its folder ``_build/html-<id>``."""
    build_dir = root / BUILD_DIR
    html = root / HTML_DIR
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S")
    final = build_dir / f"{HTML_PREFIX}{stamp}-{uuid.uuid4().hex[:8]}"
    os.replace(staging, final)
    if html.is_dir() and not html.is_symlink():
        # A plain folder from before books were published through a link: move it aside once.
        os.replace(html, build_dir / f"{HTML_PREFIX}{stamp}-legacy-{uuid.uuid4().hex[:8]}")
    link = build_dir / f".html-link-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    os.symlink(final.name, link, target_is_directory=True)
    try:
        os.replace(link, html)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    remove_unpublished(root)
    return final


def remove_unpublished(root: Path) -> None:
    """Delete book folders and links that ``_build/html`` does not point to (older books,
    leftovers of an interrupted publish)."""
    build_dir = root / BUILD_DIR
    if not build_dir.is_dir():
        return
    current = published_folder(root)
    for path in build_dir.iterdir():
        if path.name.startswith(".html-link-") and path.is_symlink():
            path.unlink(missing_ok=True)
        elif path.name.startswith(HTML_PREFIX) and path.is_dir() and not path.is_symlink() \
                and (current is None or path.resolve() != current):
            shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":  # the Sphinx subprocess
    if len(sys.argv) == 6 and sys.argv[1] == "sphinx":
        sys.exit(_sphinx_main(*sys.argv[2:]))
    sys.exit("usage: python -m neethelpers.build.render sphinx ROOT OUTDIR DOCTREEDIR SUBSTITUTIONS_JSON")
