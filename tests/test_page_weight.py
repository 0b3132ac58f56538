"""Every page of the built book weighs at most 1,5 MB as a browser loads it (HTML, styles,
scripts, images, uncompressed, cache off): measured by ``bench/page_weight.py``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from test_browser import _toc_docs, browser  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

_spec = importlib.util.spec_from_file_location("page_weight", Path(__file__).parents[1] / "bench" / "page_weight.py")
page_weight = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(page_weight)


def test_every_page_is_under_the_weight_limit(built_book, browser):  # noqa: F811
    weights = page_weight.page_weights(built_book.html, _toc_docs(built_book.root), driver=browser)
    over = {doc: total for doc, (total, _entries) in weights.items() if total > page_weight.LIMIT_BYTES}
    assert not over, over
    # the heavy things that made pages 2,5–4 MB are gone: the Font Awesome script, the
    # search index on every page, and DataTables' script inline in a page
    for doc, (_total, entries) in weights.items():
        names = [e[0].split("?")[0] for e in entries]
        assert not any(n.endswith("fontawesome.js") for n in names), doc
        assert not any(n.endswith("searchindex.js") for n in names), doc
    html = {doc: (built_book.html / f"{doc}.html").read_text(encoding="utf-8") for doc in weights}
    assert not [doc for doc, text in html.items() if "dt_bundle" in text or "DataTable" in text]
