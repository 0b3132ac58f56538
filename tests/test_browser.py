"""The rendered book opened in headless Chromium, as a reader sees it.

Serves the HTML of the session's full build (``built_book``) over http on 127.0.0.1 and
visits every page of the table of contents with Debian's chromium + chromedriver
(installed by ``make browser-deps``).
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from neethelpers.build import toc
from neethelpers.registry import counties

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

# What must never reach a reader: Python errors and missing values rendered as text.
FORBIDDEN_TEXT = [
    (re.compile(r"Traceback \(most recent call last\)"), "a Python traceback"),
    (re.compile(r"\b(?:[A-Z][a-zA-Z]*Error|Exception): "), "an exception message"),
    (re.compile(r"\bnan\b"), "'nan'"),
    (re.compile(r"\bNaN\b"), "'NaN'"),
    (re.compile(r"\bNone\b"), "'None'"),
    (re.compile(r"\bNaT\b"), "'NaT'"),
    (re.compile(r"\{glue:|\{numref\}|\{\{"), "an unrendered role or substitution"),
]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def site(built_book):
    handler = functools.partial(_QuietHandler, directory=str(built_book.html))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium/chromedriver missing: run `make browser-deps`")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,1024"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def _visit(browser, site: str, doc: str) -> dict:
    browser.get(f"{site}/{doc}.html")
    return browser.execute_script(
        """
        const article = document.querySelector('article') || document.body;
        const imgs = Array.from(document.querySelectorAll('article img'));
        const visibleInputs = Array.from(document.querySelectorAll('.cell_input, .cell .input_area'))
            .filter(e => e.offsetParent !== null);
        const errorOutputs = Array.from(document.querySelectorAll(
            '.output.traceback, .output.error, .output.stderr, .stderr, .output_error'));
        const h1 = article.querySelector('h1');
        return {
            title: document.title,
            status: document.readyState,
            text: article.innerText,
            h1: h1 ? h1.innerText.replace(/#$/, '').trim() : null,
            brokenImages: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
            nImages: imgs.length,
            visibleInputs: visibleInputs.length,
            errorOutputs: errorOutputs.length,
        };
        """
    )


def _toc_docs(root) -> list[str]:
    return toc.docnames(root)


def test_every_page_in_the_toc_loads_cleanly(built_book, site, browser):
    problems = []
    n_images = 0
    for doc in _toc_docs(built_book.root):
        page = _visit(browser, site, doc)
        n_images += page["nImages"]
        where = f"{doc}.html"
        if page["status"] != "complete" or not page["h1"]:
            problems.append(f"{where}: did not load (state {page['status']}, h1 {page['h1']!r})")
            continue
        if page["brokenImages"]:
            problems.append(f"{where}: images not loaded: {page['brokenImages']}")
        if page["visibleInputs"]:
            problems.append(f"{where}: {page['visibleInputs']} code cell input(s) visible")
        if page["errorOutputs"]:
            problems.append(f"{where}: {page['errorOutputs']} error/stderr output(s)")
        for pattern, what in FORBIDDEN_TEXT:
            m = pattern.search(page["text"])
            if m:
                start = max(0, m.start() - 60)
                problems.append(f"{where}: shows {what}: …{page['text'][start:m.end() + 60]!r}…")
    assert not problems, "\n".join(problems)
    assert n_images > 0, "the book has no images at all"


def test_all_county_pages_exist_and_are_titled_with_the_county_name(built_book, site, browser):
    for county in counties.current_counties():
        page = _visit(browser, site, f"book/generated/fylker/{county.slug}")
        assert page["h1"] == county.name, (county.slug, page["h1"])
        assert county.name in page["title"]


def test_overview_page_is_titled_fylkene(built_book, site, browser):
    page = _visit(browser, site, "book/generated/fylker/index")
    assert page["h1"] == "Fylkene"


def test_front_page_shows_glued_headline_figures(built_book, site, browser):
    page = _visit(browser, site, "book/index")
    section = page["text"].split("Tall i korte trekk", 1)[1].split("Slik leser du boka", 1)[0]
    # Norwegian percentages from the national chapter, e.g. "9,9 %" (never typed in book/index.md).
    assert re.search(r"\d+,\d\s%", section), section
    assert "{{" not in section
