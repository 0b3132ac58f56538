"""The rendered book opened in headless Chromium, as a reader sees it.

Serves the HTML of the session's full build (``built_book``) over http on 127.0.0.1 and
visits every page of the table of contents with Debian's chromium + chromedriver
(installed by ``make browser-deps``), at 1280 px and as a 390-px phone.

Chart text on a phone is measured, not assumed: charts are SVG with text kept as text
(``presentation.report``), so the smallest text a reader sees is the smallest
``font-size`` in the SVG (in the SVG's own units) times the scale the page draws it at
(the image's rendered width in CSS px divided by the width of the SVG's viewBox).
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
import urllib.request
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


def start_browser(profile: Path):
    """Headless Chromium driven by chromedriver, 1280 px wide, with its profile in ``profile``."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium/chromedriver missing: run `make browser-deps`")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={profile}", "--window-size=1280,1024"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    driver = start_browser(profile)
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


PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
MIN_CHART_TEXT_PX = 11.0


def as_phone(browser) -> None:
    """Make the browser a 390-px phone (viewport, mobile meta viewport) until :func:`as_desktop`."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)


def as_desktop(browser) -> None:
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# With a mobile viewport, window.innerWidth grows to the page's width when the page is too
# wide, so the phone's width is the fixed 390, not innerWidth.
_LAYOUT_JS = """
const vw = PHONE_WIDTH;
const wide = Array.from(document.querySelectorAll('body *')).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > vw + 1 && getComputedStyle(e).position !== 'fixed'
        && !e.closest('.pst-scrollable-table-container, .neet-table-scroll, .dt-layout-table, .bd-sidebar-primary,'
                     + ' .bd-sidebar-secondary, details:not([open])');
}).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + (e.className || '').toString().slice(0, 40));
const charts = Array.from(document.querySelectorAll('figure.neet-figure img')).map(i => ({
    src: i.currentSrc || i.src, width: i.getBoundingClientRect().width}));
return {scrollWidth: document.documentElement.scrollWidth, viewport: vw, wide: wide, charts: charts,
        lang: document.documentElement.getAttribute('lang')};
""".replace("PHONE_WIDTH", str(PHONE["width"]))

_VIEWBOX = re.compile(r'<svg[^>]*\bviewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"')
_FONT_SIZE = re.compile(r"font-size:\s*([\d.]+)px|font:[^;\"']*?([\d.]+)px")


@functools.cache
def svg_text_sizes(url: str) -> tuple[float, float]:
    """(viewBox width, smallest font-size) of an SVG chart, in the SVG's own units."""
    text = urllib.request.urlopen(url, timeout=30).read().decode("utf-8")
    box = _VIEWBOX.search(text)
    sizes = [float(a or b) for a, b in _FONT_SIZE.findall(text)]
    return (float(box.group(1)) if box else 0.0), (min(sizes) if sizes else 0.0)


def smallest_chart_text(charts: list[dict]) -> list[tuple[str, float]]:
    """(chart, smallest rendered text in CSS px) for every visible chart on a page."""
    out = []
    for chart in charts:
        if chart["width"] <= 0:
            continue
        if not chart["src"].split("?")[0].endswith(".svg"):
            out.append((chart["src"], 0.0))  # a raster chart cannot be measured: not allowed
            continue
        box, smallest = svg_text_sizes(chart["src"])
        out.append((chart["src"], smallest * chart["width"] / box if box else 0.0))
    return out


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


def test_on_a_phone_no_page_scrolls_sideways_and_chart_text_is_readable(built_book, site, browser):
    problems = []
    n_charts = 0
    as_phone(browser)
    try:
        for doc in _toc_docs(built_book.root):
            browser.get(f"{site}/{doc}.html")
            page = browser.execute_script(_LAYOUT_JS)
            if page["scrollWidth"] > page["viewport"]:
                problems.append(f"{doc}: {page['scrollWidth']} px wide at {page['viewport']} px "
                                f"(too wide: {page['wide']})")
            for src, px in smallest_chart_text(page["charts"]):
                n_charts += 1
                if px < MIN_CHART_TEXT_PX:
                    problems.append(f"{doc}: chart {src.rsplit('/', 1)[-1]} has text of {px:.1f} px")
    finally:
        as_desktop(browser)
    assert not problems, "\n".join(problems)
    assert n_charts > 20, n_charts


def test_every_page_is_bokmal_and_every_chart_has_its_numbers(built_book, site, browser):
    problems = []
    for doc in _toc_docs(built_book.root):
        browser.get(f"{site}/{doc}.html")
        info = browser.execute_script("""
            const figs = Array.from(document.querySelectorAll('figure.neet-figure'));
            return {lang: document.documentElement.getAttribute('lang'),
                    figures: figs.length,
                    noAlt: figs.filter(f => !(f.querySelector('img').getAttribute('alt') || '').trim()).length,
                    numbers: document.querySelectorAll('details.neet-numbers table').length,
                    xlsx: Array.from(document.querySelectorAll('a[href$=".xlsx"]')).length};
        """)
        if info["lang"] != "nb":
            problems.append(f"{doc}: lang={info['lang']!r}")
        if info["noAlt"]:
            problems.append(f"{doc}: {info['noAlt']} chart(s) without alt text")
        if info["numbers"] < info["figures"]:
            problems.append(f"{doc}: {info['figures']} charts, {info['numbers']} «Vis tallene» tables")
        if info["figures"] and not info["xlsx"]:
            problems.append(f"{doc}: no Excel download")
    assert not problems, "\n".join(problems)
