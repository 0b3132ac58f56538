"""Every page of the built book passes axe-core with no serious or critical violation,
on a desktop (1280 px) and on a phone (390 px).

axe-core is the version bundled with ``axe-selenium-python`` (pinned in requirements.txt);
the rules run are axe's defaults (WCAG 2.0/2.1 A and AA and best practices), and a page
fails on any violation whose impact is ``serious`` or ``critical``. The appendix page
«Tilgjengelighetserklæring» (book/appendix/tilgjengelighet.md) says what this covers.
"""

from __future__ import annotations

import queue
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest
from test_browser import _toc_docs, as_desktop, as_phone, browser, site, start_browser  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BLOCKING = {"serious", "critical"}


def axe_violations(driver) -> list[dict]:
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    # axe takes 15–20 s on a long page of a busy machine; selenium's client waits 120 s by default
    driver.set_script_timeout(600)
    config = getattr(driver.command_executor, "_client_config", None)
    if config is not None:
        config.timeout = 600
    result = axe.run(options='{"resultTypes": ["violations"]}')
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def _describe(doc: str, width: str, violations: list[dict]) -> list[str]:
    out = []
    for v in violations:
        where = "; ".join(",".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                          for n in v["nodes"][:3])
        out.append(f"{doc} @ {width}: {v['impact']} {v['id']} ({len(v['nodes'])}×: {where}) — {v['help']}")
    return out


@pytest.fixture(scope="module")
def browsers(browser, tmp_path_factory):  # noqa: F811
    """Two browsers: axe checks a page in one thread, so two pages at a time use both cores
    (measured on the 27 pages: 79 s with one browser, 52 s with two)."""
    profile = tmp_path_factory.mktemp("chromium-profile-2")
    second = start_browser(profile)
    yield [browser, second]
    second.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.parametrize("width", ["1280", "390"])
def test_every_page_passes_axe_without_serious_violations(built_book, site, browsers, width):  # noqa: F811
    pages: queue.SimpleQueue[str] = queue.SimpleQueue()
    for doc in _toc_docs(built_book.root):
        pages.put(doc)

    def check_pages(driver) -> list[str]:
        """Check pages from the queue until it is empty; each page is checked once, by one browser."""
        found = []
        if width == "390":
            as_phone(driver)
        try:
            while True:
                try:
                    doc = pages.get_nowait()
                except queue.Empty:
                    return found
                driver.get(f"{site}/{doc}.html")
                found += _describe(doc, width, axe_violations(driver))
        finally:
            as_desktop(driver)

    with ThreadPoolExecutor(len(browsers)) as pool:
        problems = [problem for found in pool.map(check_pages, browsers) for problem in found]
    assert not problems, "\n".join(sorted(problems))
