"""Print the weight of every page of the built book, as a browser loads it.

Weight = every byte the page makes the browser fetch (the HTML, its styles, scripts,
fonts, images and the modules those import), uncompressed: the sum of ``decodedBodySize``
over the page's Navigation Timing and Resource Timing entries in headless Chromium, with the
browser cache disabled so shared files are counted on every page. The limit (issue 16) is
1,5 MB per page (1 500 000 bytes); ``tests/test_page_weight.py`` holds it.

    python bench/page_weight.py            # the book in _build/html
    python bench/page_weight.py PATH/html  # another build

Needs Debian's chromium and chromedriver (``make browser-deps``).
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LIMIT_BYTES = 1_500_000
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

_SIZES_JS = """
const nav = performance.getEntriesByType('navigation')[0];
if (nav && nav.responseStatus && nav.responseStatus !== 200) return null;
const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
return entries.map(e => [e.name, e.decodedBodySize || 0, e.initiatorType || 'navigation']);
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(html_dir: Path):
    """Serve ``html_dir`` over http on 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium(width: int = 1280, height: int = 1024):
    import shutil
    import tempfile

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="neet-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={profile}", f"--window-size={width},{height}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def weigh(driver, url: str, settle: float = 0.3) -> tuple[int, list[tuple[str, int, str]]]:
    """Load ``url`` with the cache off; (total bytes, [(resource, bytes, kind)])."""
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    driver.get(url)
    time.sleep(settle)  # let module imports started by the page finish
    entries = driver.execute_script(_SIZES_JS)
    if entries is None:
        raise RuntimeError(f"{url}: not found")
    return sum(int(e[1]) for e in entries), [(e[0], int(e[1]), e[2]) for e in entries]


def page_weights(html_dir: Path, docs: list[str], driver=None) -> dict[str, tuple[int, list]]:
    out = {}
    with serve(html_dir) as site:
        if driver is None:
            with chromium() as drv:
                for doc in docs:
                    out[doc] = weigh(drv, f"{site}/{doc}.html")
        else:
            for doc in docs:
                out[doc] = weigh(driver, f"{site}/{doc}.html")
    return out


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.2f}".replace(".", ",") + " MB"


def main(argv: list[str]) -> int:
    from neethelpers.build import toc

    html = Path(argv[0]) if argv else ROOT / "_build" / "html"
    if not (html / "index.html").exists():
        print(f"no built book in {html} (run `neet build`)", file=sys.stderr)
        return 2
    docs = toc.docnames(ROOT)
    weights = page_weights(html, docs)
    over = 0
    print(f"{'page':60s} {'weight':>10s}  largest resource")
    for doc, (total, entries) in weights.items():
        biggest = max(entries, key=lambda e: e[1])
        flag = "  OVER" if total > LIMIT_BYTES else ""
        over += total > LIMIT_BYTES
        print(f"{doc:60s} {_mb(total):>10s}  {biggest[0].rsplit('/', 1)[-1][:40]} ({_mb(biggest[1])}){flag}")
    print(f"\nlimit {_mb(LIMIT_BYTES)} per page; {over} page(s) over")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
