"""Printable county profiles: ``_build/html/pdf/<slug>.pdf``, and the front page's county map.

Both are made from the data and the package code only (not from executed notebooks), so
they are remade only when one of those changed: a fingerprint of the ``neethelpers`` code
and the ``data/`` files is stored next to them, and an unchanged fingerprint reuses the
last published files.

* :func:`write_front_map` writes ``book/generated/forside/fylkeskart.html`` (the linked
  county map and the list «Finn ditt fylke», :func:`neethelpers.chapters.county_maps.front_page_map`),
  which ``book/index.md`` includes with a ``raw`` directive. Called before the book is
  rendered.
* :func:`write_profiles` writes, into the staging folder of the render (so the PDFs are
  inside the atomically published tree), one profile per county: the HTML from
  :func:`neethelpers.chapters.county_pdf.profile_html` and the PDF printed from it by
  headless Chromium (``--print-to-pdf``, A4 from the document's ``@page`` rule). Called
  after Sphinx succeeded and before publishing; a failure fails the build and leaves the
  last good book untouched. When the build is stopped (SIGTERM, SIGINT) while profiles are
  printing, the profiles not yet started are cancelled and every running Chromium is killed
  with its child processes (each runs in its own process group), so the build stops at once.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from neethelpers import files
from neethelpers.build import plan as runs, state as hashing
from neethelpers.errors import NeetError

PDF_DIR = "pdf"
FINGERPRINT_FILE = ".fingerprint"
FRONT_MAP = "book/generated/forside/fylkeskart.html"
#: From the front page (book/index.html) to the county pages.
FRONT_LINK_BASE = "generated/fylker/"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT = 180  # seconds per PDF
#: A county profile is at most this many A4 pages (like the public-health county profiles).
MAX_PAGES = 4


class PdfError(NeetError):
    """A county profile could not be made."""


#: The Chromium processes printing now (process-group leaders), so a stopped build can kill them.
_PRINTING: set[subprocess.Popen] = set()
_PRINTING_LOCK = threading.Lock()


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill a Chromium and the processes it started (renderer, zygote, …)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def fingerprint(root: Path) -> str:
    """What the front map and the profiles are made from: package code (this module
    included), every data file, and the book's public address (printed in the profiles)."""
    return files.sha256_json({"code": hashing.code_hash(root), "data": hashing.all_data_hash(root),
                              "pdf": files.sha256_file(Path(__file__)), "baseurl": base_url(root)})


def base_url(root: Path) -> str:
    """The book's public address: ``html.baseurl`` in ``_config.yml`` (Jupyter Book's own
    setting), or ``""`` when the book does not say where it is published."""
    import yaml

    config = yaml.safe_load((Path(root) / "_config.yml").read_text(encoding="utf-8")) or {}
    return str((config.get("html") or {}).get("baseurl") or "").strip()


def page_address(root: Path, run: runs.Run) -> str:
    """The web address of the page a run makes (a county's page, for its printed profile);
    ``""`` when the book's public address is not configured. (Never a relative link:
    Chromium would print it as ``file://`` and the builder's own path into the PDF.)"""
    base = base_url(root)
    return f"{base.rstrip('/')}/{runs.GENERATED}/{run.id}.html" if base else ""


def write_front_map(root: Path, fp: str | None = None) -> bool:
    """Write the front page's county map fragment unless it is up to date. Returns whether it was written."""
    fp = fp or fingerprint(root)
    path = Path(root) / FRONT_MAP
    stamp = f"<!-- neet fingerprint {fp} -->\n"
    if path.exists() and path.read_text(encoding="utf-8").startswith(stamp):
        return False
    from neethelpers.chapters import county_maps

    text = stamp + county_maps.front_page_map(link_base=FRONT_LINK_BASE)
    files.write_text_atomic(path, text)
    return True


def chromium() -> str:
    """The Chromium executable (``NEET_CHROMIUM`` overrides); a clear error if there is none."""
    explicit = os.environ.get("NEET_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("the county profiles (PDF) are printed with Chromium, which is not installed; run "
                   "`make browser-deps` (Debian: apt-get install chromium) or set NEET_CHROMIUM to a Chrome/Chromium "
                   "executable")


def print_pdf(html_file: Path, pdf_file: Path, *, browser: str | None = None) -> None:
    """Print one HTML file to PDF with headless Chromium; raises :class:`PdfError`."""
    browser = browser or chromium()
    with tempfile.TemporaryDirectory(prefix="neet-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--no-default-browser-check", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", "--print-to-pdf-no-header", f"--print-to-pdf={pdf_file}",
               Path(html_file).resolve().as_uri()]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
        with _PRINTING_LOCK:
            _PRINTING.add(proc)
        try:
            _, stderr = proc.communicate(timeout=PRINT_TIMEOUT)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            raise PdfError(f"Chromium did not print {html_file.name} within {PRINT_TIMEOUT} s") from None
        finally:
            with _PRINTING_LOCK:
                _PRINTING.discard(proc)
            _kill_group(proc)  # a renderer Chromium left behind when it exited
    if proc.returncode != 0 or not pdf_file.exists() or pdf_file.stat().st_size == 0:
        tail = "\n".join((stderr or "").strip().splitlines()[-5:])
        raise PdfError(f"Chromium could not print {html_file.name} to PDF (exit code {proc.returncode})\n{tail}")


def page_count(pdf_file: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf_file).pages)


def write_profiles(root: Path, plan: list[runs.Run], staging: Path, *, published: Path | None = None,
                   jobs: int | None = None, fp: str | None = None, echo=print) -> list[Path]:
    """Write ``staging/pdf/<slug>.html`` and ``.pdf`` for every county of ``plan``.

    When ``published`` (the current ``_build/html``) holds profiles made from the same
    fingerprint, they are copied instead of made again.
    """
    from neethelpers.registry import counties

    root = Path(root)
    fp = fp or fingerprint(root)
    out = Path(staging) / PDF_DIR
    county_runs = {counties.by_code(r.county_code).slug: r for r in runs.county_runs(plan)}
    slugs = list(county_runs)
    old = Path(published) / PDF_DIR if published is not None else None
    if (old is not None and (old / FINGERPRINT_FILE).exists()
            and (old / FINGERPRINT_FILE).read_text(encoding="utf-8").strip() == fp
            and all((old / f"{s}.pdf").exists() and (old / f"{s}.html").exists() for s in slugs)):
        shutil.copytree(old, out, dirs_exist_ok=True)
        echo(f"County profiles unchanged: {len(slugs)} PDFs reused")
        return [out / f"{s}.pdf" for s in slugs]

    from neethelpers.chapters import county_pdf

    browser = chromium()
    out.mkdir(parents=True, exist_ok=True)
    echo(f"Writing {len(slugs)} county profiles (PDF, A4) …")
    today = _dt.date.today()
    for slug in slugs:
        html = county_pdf.profile_html(slug, page_href=page_address(root, county_runs[slug]), made=today)
        (out / f"{slug}.html").write_text(html, encoding="utf-8")
    workers = max(1, min(jobs or os.cpu_count() or 1, 4))
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        list(pool.map(lambda s: print_pdf(out / f"{s}.html", out / f"{s}.pdf", browser=browser), slugs))
    except BaseException:  # a failed profile, or the build stopped: no further Chromium, none left running
        pool.shutdown(wait=False, cancel_futures=True)
        with _PRINTING_LOCK:
            for proc in list(_PRINTING):
                _kill_group(proc)
        raise
    pool.shutdown()
    for slug in slugs:  # a profile running over the page limit is printed again with tighter type
        if page_count(out / f"{slug}.pdf") > MAX_PAGES:
            html = county_pdf.profile_html(slug, page_href=page_address(root, county_runs[slug]), made=today, compact=True)
            (out / f"{slug}.html").write_text(html, encoding="utf-8")
            print_pdf(out / f"{slug}.html", out / f"{slug}.pdf", browser=browser)
            if page_count(out / f"{slug}.pdf") > MAX_PAGES:
                echo(f"warning: the county profile {slug}.pdf has more than {MAX_PAGES} pages")
    (out / FINGERPRINT_FILE).write_text(fp + "\n", encoding="utf-8")
    return [out / f"{s}.pdf" for s in slugs]
