"""The default edition (no register data): synthetic numbers only in the demonstration part,
and labels that travel with every synthetic figure, table and CSV (issue 13).

Scanned: every page of the built book (the session build, ``built_book``), the images it shows
and every CSV it offers for download.

* **Outside the demonstration part** no caption starts with «Syntetiske data», no image carries
  the synthetic label, no CSV has the synthetic first column, and none of the synthetic cohort's
  distinctive counts (every count of 10 000 or more in its descriptive tables, computed here from
  the cohort, minus any value the public series also take) appears in a page's text.
* **Inside it** (the regression chapter and the example county page's microdata section) every
  figure's image carries the label (PNG text chunk; the label is also drawn, see
  ``test_report``), every table caption starts with it, and every CSV says so in its first column.
  The scan must find figures, tables and CSVs there, so it cannot pass vacuously.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from neethelpers.build import plan as runs
from neethelpers.presentation import downloads, fmt, report

pytestmark = pytest.mark.slow

SECTION_ID = "langtids-neet-beregnet-fra-mikrodata"


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts
                  and p.name not in ("search.html", "genindex.html"))


def _demo_docs() -> set[str]:
    return {r.docname for r in runs.demo_runs(runs.plan())}


def _doc_of(html: Path, page: Path) -> str:
    return page.relative_to(html).with_suffix("").as_posix()


def _captions(node) -> list[str]:
    """Caption texts of figures and tables under ``node`` (without «Figur N»), and the lead of
    interactive tables («Tabell: …»)."""
    out = [c.get_text(" ", strip=True) for c in node.select("figcaption .caption-text, caption .caption-text")]
    out += [re.sub(r"^Tabell:\s*", "", p.get_text(" ", strip=True)) for p in node.find_all("p")
            if p.get_text(strip=True).startswith("Tabell:")]
    return out


def _files(page: Path, node, tag: str, attr: str, suffix: str) -> list[Path]:
    found = []
    for el in node.find_all(tag):
        ref = el.get(attr, "")
        if ref.endswith(suffix) and not ref.startswith(("http:", "https:")):
            found.append((page.parent / unquote(ref)).resolve())
    return found


def _synthetic_png(path: Path) -> bool:
    """The figure's file carries the label: PNG text chunk, or SVG metadata (report.figure)."""
    if path.suffix == ".svg":
        return f"<dc:description>{report.SYNTHETIC_LABEL}</dc:description>" in path.read_text(encoding="utf-8")
    from PIL import Image

    with Image.open(path) as im:
        return im.text.get(report.SYNTHETIC_PNG_KEY) == report.SYNTHETIC_LABEL


def _synthetic_csv(path: Path) -> bool:
    frame = downloads.read_csv(path, dtype=str)
    return (len(frame.columns) > 0 and frame.columns[0] == report.SYNTHETIC_COLUMN
            and frame[report.SYNTHETIC_COLUMN].eq(report.SYNTHETIC_LABEL).all())


def _csv_ints(path: Path) -> set[int]:
    frame = downloads.read_csv(path)
    out: set[int] = set()
    for col in frame.columns:
        values = pd.to_numeric(frame[col], errors="coerce").dropna()
        out |= {int(v) for v in values if float(v).is_integer()}
    return out


def _public_ints() -> set[int]:
    """Every count the public series of the book take (sums per county, country, municipality,
    immigrant group, every year)."""
    from neethelpers.series import county as county_series, national

    frames = [county_series.county_series(), county_series.national_series(), county_series.own_border_sums(),
              county_series.municipality_series(), national.register_total(), national.register_by_sex_age(),
              national.register_by_immigrant()]
    out: set[int] = set()
    for f in frames:
        for col in ("residents", "neet"):
            if col in f.columns:
                out |= {int(v) for v in f[col].dropna()}
    return out


@pytest.fixture(scope="module")
def synthetic_counts() -> set[str]:
    """The synthetic cohort's distinctive counts, as the pages would print them (a count the
    public series also take is left out: seeing it proves nothing)."""
    from neethelpers.microdata import descriptive as d

    data = d.load_source(d.SYNTHETIC)
    values = {int(data.n_persons)}
    for result in d.compute_all(data, None).values():
        for table in result.tables.values():
            for col in ("n", "neet", "lneet_total", "others_total", "lneet_with", "others_with"):
                if col in table.columns:
                    values |= {int(round(float(v))) for v in table[col].dropna()}
    public = _public_ints()
    shown = {fmt.number(v, 0) for v in values if v >= 10_000 and v not in public}
    assert len(shown) > 100  # the cohort has many distinctive counts: the check is not vacuous
    return shown


def _shows_number(text: str, number: str) -> bool:
    """Whether ``text`` shows ``number`` as a whole number ("14 572" is not inside "114 572"
    or "14 572 310": no digit or digit group may continue it on either side)."""
    plain = re.escape(number.replace("\N{NO-BREAK SPACE}", " "))
    return re.search(rf"(?<!\d)(?<!\d ){plain}(?!\d)(?! \d{{3}}(?!\d))", text) is not None


def test_no_synthetic_number_outside_the_demonstration_part(built_book, synthetic_counts):
    html = built_book.html
    demo = _demo_docs()
    assert demo, "the default edition has a demonstration part"
    scanned = 0
    for page in _pages(html):
        doc = _doc_of(html, page)
        if doc in demo:
            continue
        node = _soup(page).find("article")
        if node is None:  # not a page of the book (a redirect, a downloaded file)
            continue
        scanned += 1
        for caption in _captions(node):
            assert not caption.startswith(report.SYNTHETIC_LABEL), (doc, caption)
        for png in _files(page, node, "img", "src", ".png") + _files(page, node, "img", "src", ".svg"):
            assert not _synthetic_png(png), (doc, png.name)
        for csv in _files(page, node, "a", "href", ".csv"):
            assert not _synthetic_csv(csv), (doc, csv.name)
        text = re.sub(r"\s+", " ", node.get_text(" ")).replace("\N{NO-BREAK SPACE}", " ")
        # counts that a public figure or table of the page also offers (its CSV is not a microdata one)
        public = {fmt.number(v, 0) for csv in _files(page, node, "a", "href", ".csv") if "-mikro-" not in csv.name
                  for v in _csv_ints(csv)}
        leaked = {v for v in synthetic_counts - public if _shows_number(text, v)}
        assert not leaked, (doc, sorted(leaked)[:5])
    assert scanned >= 20  # front page, chapters, 15 county pages, appendix
    # positive control: the same scan finds the cohort's counts on the demonstration's county page
    demo_page = next(html / f"{doc}.html" for doc in demo if "demonstrasjon" in doc)
    text = re.sub(r"\s+", " ", _soup(demo_page).find("article").get_text(" ")).replace("\N{NO-BREAK SPACE}", " ")
    assert len({v for v in synthetic_counts if _shows_number(text, v)}) >= 5


def test_every_synthetic_figure_table_and_csv_is_labelled(built_book):
    html = built_book.html
    counts = {"captions": 0, "png": 0, "csv": 0}
    for doc in _demo_docs():
        page = html / f"{doc}.html"
        soup = _soup(page)
        if doc.endswith("regresjonsanalyse"):
            node = soup.find("article")
        else:
            node = soup.find("section", id=SECTION_ID)
        assert node is not None, doc
        for caption in _captions(node):
            if caption.startswith("Modellene i kapittelet"):  # the model definitions: no data
                continue
            assert caption.startswith(report.SYNTHETIC_LABEL), (doc, caption)
            counts["captions"] += 1
        for png in _files(page, node, "img", "src", ".png") + _files(page, node, "img", "src", ".svg"):
            assert _synthetic_png(png), (doc, png.name)
            counts["png"] += 1
        for csv in _files(page, node, "a", "href", ".csv"):
            if csv.name.endswith("-modeller.csv"):
                continue
            assert _synthetic_csv(csv), (doc, csv.name)
            counts["csv"] += 1
    assert counts["captions"] >= 10 and counts["png"] >= 2 and counts["csv"] >= 10, counts


def test_county_pages_of_the_default_edition_offer_the_microdata_script(built_book):
    from neethelpers.registry import counties

    for county in counties.current_counties():
        page = built_book.html / "book" / "generated" / "fylker" / f"{county.slug}.html"
        node = _soup(page).find("section", id=SECTION_ID)
        assert node is not None, county.name
        text = re.sub(r"\s+", " ", node.get_text(""))
        assert "neet build --data" in text, county.name
        scripts = _files(page, node, "a", "href", ".txt")
        assert len(scripts) == 1 and scripts[0].is_file(), county.name
        assert county.name in scripts[0].read_text(encoding="utf-8"), county.name


def test_no_published_file_names_the_folder_the_book_was_built_in(built_book):
    """The builder's disk is nobody's business (the county PDFs once linked file:///<it>/_build/…)."""
    built_in = str(built_book.root).encode("utf-8")
    published = [p for p in built_book.html.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in published)
    assert not [p.relative_to(built_book.html) for p in published if built_in in p.read_bytes()]


def test_figures_and_tables_are_numbered_per_page(built_book):
    from neethelpers.registry import counties

    for county in counties.current_counties():
        page = built_book.html / "book" / "generated" / "fylker" / f"{county.slug}.html"
        numbers = [n.get_text(strip=True) for n in _soup(page).select("article .caption-number")]
        figures = [n for n in numbers if n.startswith("Figur")]
        tables = [n for n in numbers if n.startswith("Tabell")]
        assert figures and figures[0] == "Figur 1" and tables and tables[0] == "Tabell 1", (county.name, numbers[:3])
        assert figures == [f"Figur {i}" for i in range(1, len(figures) + 1)], county.name
