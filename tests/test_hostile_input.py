"""Issue 14.1: a hostile data file name never becomes markup, and no local path is published.

The session's real-data build of the whole book (``conftest.real_book``: ``neet build --data
FILE`` with the real notebooks in a temporary copy, shared with ``test_real_data_book.py``)
reads a valid person-level file whose *name* is script injection
(``conftest.DATA_NAME``: ``<img src=x onerror=alert(1)>`<img src=y onerror=alert(2)>`.csv``),
in a folder whose name stands for the analyst's private path. The name is shown on the national page, on every
county page and on the regression page, and in the appendix. Checked:

* no HTML file has an element with an ``onerror`` attribute or the raw ``<img src=x``;
* the name is still shown, as text, where the page names its data (so the escaping is not
  vacuous: the text a reader sees is exactly the file name);
* no published file (HTML, downloads, the notebooks under ``_sources``, the PDF profiles) contains
  the folder, nor the folder the book was built in;
* headless Chromium opens every page without any ``alert``/``confirm``/``prompt``
  (``test_a_browser_raises_no_dialog``, marked ``browser``).
"""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import DATA_NAME, Project

from neethelpers.build import toc

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _html_files(project: Project) -> list[Path]:
    return sorted(project.html.rglob("*.html"))


def test_no_page_holds_markup_from_the_file_name(real_book):
    project = real_book.project
    pages = _html_files(project)
    assert len(pages) >= len(toc.docnames(project.root))
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert "<img src=x" not in raw and "<img src=y" not in raw, page
        soup = BeautifulSoup(raw, "html.parser")
        assert not soup.find_all(attrs={"onerror": True}), page
        assert not [t for t in soup.find_all("img") if t.get("src") in ("x", "y")], page


@pytest.mark.parametrize("page", ["book/generated/nasjonale-trender.html", "book/generated/fylker/oslo.html",
                                  "book/generated/regresjonsanalyse.html", "book/appendix/om-utgaven.html"])
def test_the_file_name_is_shown_as_plain_text(real_book, page):
    project = real_book.project
    text = BeautifulSoup((project.html / page).read_text(encoding="utf-8"), "html.parser").get_text(" ")
    assert DATA_NAME in " ".join(text.split()), page


def test_no_published_file_holds_the_local_path(real_book):
    project, data_file = real_book.project, real_book.data_file
    folder = data_file.parent.name.encode("utf-8")
    leaks = [p for p in project.html.rglob("*") if p.is_file() and folder in p.read_bytes()]
    leaks += [p for p in (project.root / "book" / "generated").rglob("*") if p.is_file() and folder in p.read_bytes()]
    assert not leaks
    # nor the folder the analyst built the book in (the county PDFs once linked file:///<it>/_build/…)
    built_in = str(project.root).encode("utf-8")
    assert not [p for p in project.html.rglob("*") if p.is_file() and built_in in p.read_bytes()]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.browser
def test_a_browser_raises_no_dialog(real_book, tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium/chromedriver missing: run `make browser-deps`")
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service

    project = real_book.project
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(project.html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        # Record every dialog a page script opens (before any script of the page runs).
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
            window.__dialogs = [];
            for (const name of ['alert', 'confirm', 'prompt']) {
                window[name] = (msg) => { window.__dialogs.push(name + ':' + msg); return null; };
            }"""})
        pages = ["index", *toc.docnames(project.root)[1:]]
        for doc in pages:
            driver.get(f"{site}/{doc}.html")
            driver.execute_async_script("const done = arguments[arguments.length - 1]; setTimeout(done, 300);")
            try:
                alert = driver.switch_to.alert
                pytest.fail(f"{doc}: a dialog opened: {alert.text}")
            except NoAlertPresentException:
                pass
            assert driver.execute_script("return window.__dialogs") == [], doc
            # The injected tags, had they been markup, would be <img> elements with these sources.
            assert driver.execute_script(
                "return [...document.images].filter(i => ['x', 'y'].includes(i.getAttribute('src'))).length") == 0
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()
        shutil.rmtree(tmp_path / "profile", ignore_errors=True)
