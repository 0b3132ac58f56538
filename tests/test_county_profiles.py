"""The built book's front page map and the printable county profiles (PDF)."""

from __future__ import annotations

import html as _html
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from neethelpers.build import pdf
from neethelpers.registry import counties

pytestmark = pytest.mark.slow

MAX_PAGES = 4


def _text(html: str) -> str:
    """Visible text of an HTML fragment, with non-breaking spaces as spaces."""
    text = re.sub(r"<[^>]+>", "", html)
    return re.sub(r"[\s\u00a0\u202f]+", " ", _html.unescape(text))


def _page_headline_share(page_html: str, county: counties.County) -> str:
    """The headline share as the county page shows it: «I 2023 var 10,3 % av de unge …»."""
    m = re.search(r"I \d{4} var ([0-9][0-9 ,]*%) av de unge i (?:alderen 15–29 år i )?" + re.escape(county.name),
                  _text(page_html))
    assert m, f"no headline sentence on the page of {county.name}"
    return m.group(1)


def test_every_county_has_a_pdf_profile_of_at_most_four_a4_pages(built_book):
    folder = built_book.html / pdf.PDF_DIR
    found = sorted(p.stem for p in folder.glob("*.pdf"))
    assert found == sorted(c.slug for c in counties.current_counties())
    for path in folder.glob("*.pdf"):
        reader = PdfReader(path)
        assert 1 <= len(reader.pages) <= MAX_PAGES, (path.name, len(reader.pages))
        box = reader.pages[0].mediabox
        # A4 is 595 × 842 points (210 × 297 mm)
        assert (round(float(box.width)), round(float(box.height))) == (595, 842), path.name


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_each_pdf_shows_the_headline_share_of_its_county_page(built_book):
    for county in counties.current_counties():
        page = (built_book.html / "book" / "generated" / "fylker" / f"{county.slug}.html").read_text(encoding="utf-8")
        share = _page_headline_share(page, county)
        text = subprocess.run(["pdftotext", "-layout", str(built_book.html / pdf.PDF_DIR / f"{county.slug}.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        text = re.sub(r"[\s\u00a0\u202f]+", " ", text)
        assert f"Fylkesprofil: {county.name}" in text
        year = re.search(r"I (\d{4}) var", _text(page)).group(1)
        assert f"I {year} var {share} av de unge" in text, county.name
        for heading in ("Fylkesbarometer", "Kommunene", "Hva virker", "Kilder og om tallene"):
            assert heading in text, (county.name, heading)
        # the shipped book has no public address: the paper copy names the page, prints no path
        # and links nothing (a relative link would become file:// on the builder's disk)
        assert f"fylkessiden for {county.name} i NEET-rapportboka" in text, county.name
        assert "../" not in text and ".html" not in text, county.name
        reader = PdfReader(built_book.html / pdf.PDF_DIR / f"{county.slug}.pdf")
        uris = [str(a.get_object()["/A"].get("/URI")) for page in reader.pages for a in page.get("/Annots") or []
                if a.get_object().get("/A")]
        assert uris == [], (county.name, uris)


def test_county_pages_link_to_their_pdf(built_book):
    for county in counties.current_counties():
        page_path = built_book.html / "book" / "generated" / "fylker" / f"{county.slug}.html"
        hrefs = re.findall(r'href="([^"]+\.pdf)"', page_path.read_text(encoding="utf-8"))
        assert hrefs == [f"../../../pdf/{county.slug}.pdf"], county.name
        assert (page_path.parent / hrefs[0]).resolve().exists()


def test_front_page_has_the_linked_county_map_and_the_county_list(built_book):
    index = built_book.html / "book" / "index.html"
    page = index.read_text(encoding="utf-8")
    svg = page[page.index('<svg xmlns="http://www.w3.org/2000/svg"'):page.index("</svg>")]
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)" tabindex="0"', svg)
    assert len(links) == 15
    for href, _ in links:
        assert (index.parent / href).resolve().exists(), href
    assert "Finn ditt fylke" in page and "Kartverket" in page
    listed = re.findall(r'<li><a href="(generated/fylker/[^"]+\.html)">', page)
    assert sorted(listed) == sorted(h for h, _ in links)
