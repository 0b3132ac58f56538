"""The printed county profile sends its reader to the county page in words a paper copy can use."""

from __future__ import annotations

import html as _html
import re

from neethelpers import paths
from neethelpers.build import execute as build, pdf, plan as runs
from neethelpers.chapters import county_pdf


def _visible(fragment: str) -> str:
    return _html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def _hrefs(fragment: str) -> list[str]:
    return [_html.unescape(h) for h in re.findall(r'href="([^"]*)"', fragment)]


def test_without_the_books_address_the_profile_names_the_page_and_links_nothing():
    for href in ("", "../book/generated/fylker/telemark.html"):
        sentence = county_pdf.page_link("Telemark", href)
        assert "fylkessiden for Telemark" in _visible(sentence)
        assert "/" not in sentence and ".html" not in sentence  # nothing a reader of the paper copy cannot use
        # no link: Chromium prints a relative one as file:// on the builder's disk
        assert _hrefs(sentence) == []


def test_with_the_books_address_the_profile_prints_it_in_full():
    address = "https://neet.example.no/bok/book/generated/fylker/telemark.html"
    sentence = county_pdf.page_link("Telemark", address)
    assert address in _visible(sentence)
    assert _hrefs(sentence) == [address]


def test_the_address_comes_from_jupyter_books_baseurl(tmp_path):
    telemark = next(r for r in runs.county_runs(runs.plan(paths.PROJECT_ROOT)) if r.parameters["county"] == "Telemark")
    config = tmp_path / "_config.yml"
    config.write_text('title: "x"\nhtml:\n  home_page_in_navbar: true\n', encoding="utf-8")
    assert pdf.base_url(tmp_path) == ""
    assert pdf.page_address(tmp_path, telemark) == ""
    for base in ("https://neet.example.no/bok", "https://neet.example.no/bok/"):
        config.write_text(f'title: "x"\nhtml:\n  baseurl: "{base}"\n', encoding="utf-8")
        # the page Sphinx writes for the run's notebook book/generated/fylker/telemark.ipynb
        assert pdf.page_address(tmp_path, telemark) == "https://neet.example.no/bok/book/generated/fylker/telemark.html"


def test_the_shipped_book_has_no_address_so_its_profiles_print_no_path():
    # The project does not know where a county will publish the book (README: «Maps and printable profiles»).
    assert pdf.base_url(paths.PROJECT_ROOT) == ""


def test_a_new_address_makes_the_profiles_again(tmp_path):
    root = tmp_path / "project"
    build.copy_project(paths.PROJECT_ROOT, root)
    before = pdf.fingerprint(root)
    config = root / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "html:\n", 'html:\n  baseurl: "https://neet.example.no/"\n', 1), encoding="utf-8")
    assert pdf.base_url(root) == "https://neet.example.no/"
    assert pdf.fingerprint(root) != before
