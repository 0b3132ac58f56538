"""County pages: the headline figures equal the data, for every county; the notebooks run.

The fast tests check the headline values of all 15 counties against an independent
computation from the raw municipality file. The slow tests execute the chapter
notebooks with papermill (one county, the overview and the national chapter) and check
the glued values and that every ``{glue:md}`` reference on the page has a glued value
(a missing one would fail the strict book build).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from neethelpers import data, paths
from neethelpers.presentation import fmt
from neethelpers.registry import counties, crosswalk
from neethelpers.series import county as county_series

CURRENT = [c.code for c in counties.CURRENT_COUNTIES]
GLUE_REF = re.compile(r"\{glue:md\}`([^`]+)`")


def _independent_county_figures(year: int) -> dict[str, tuple[int, int]]:
    """{county code: (neet, residents)} in ``year`` on 2024 borders, summed here from the
    raw municipality rows and the crosswalk."""
    muni = data.load("ssb_13556_municipality")
    muni = muni[muni["year"] == year]
    cw = crosswalk.crosswalk()
    to_county = dict(zip(cw.loc[cw["year"] == year, "municipality_code"], cw.loc[cw["year"] == year, "county_code"]))
    out: dict[str, list[int]] = {}
    for rec in muni.itertuples(index=False):
        if rec.value != rec.value:  # NaN: a zero cell dropped by the extract
            continue
        slot = out.setdefault(to_county[rec.region_code], [0, 0])
        slot[0 if rec.indicator.startswith("Utenfor") else 1] += int(rec.value)
    return {k: (v[0], v[1]) for k, v in out.items()}


def _newest_final_year() -> int:
    muni = data.load("ssb_13556_municipality")
    return int(muni.loc[~muni["status"].str.contains("preliminary"), "year"].max())


@pytest.fixture(scope="module")
def expected():
    year = _newest_final_year()
    return year, _independent_county_figures(year)


@pytest.mark.parametrize("code", CURRENT)
def test_headline_text_for_every_county(code, expected):
    year, figures = expected
    neet, residents = figures[code]
    h = county_series.headline(code)
    assert h.year == year
    assert fmt.percent(h.share) == fmt.percent(neet / residents * 100)
    assert fmt.count(h.neet) == fmt.count(neet)
    shares = {c: round(n / r * 100, 1) for c, (n, r) in figures.items()}
    assert h.rank == 1 + sum(v > shares[code] for v in shares.values())  # from the highest, as displayed


# --- notebook execution -----------------------------------------------------------------


def _executed(built_book, page: str) -> tuple[nbformat.NotebookNode, Path]:
    """The page as the session's book build executed it (each chapter notebook runs once per
    test session), and the folder its downloads are relative to."""
    path = built_book.root / "book" / "generated" / f"{page}.ipynb"
    return nbformat.read(path, as_version=4), path.parent


def _glued(nb) -> dict[str, str]:
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            scrap = out.get("metadata", {}).get("scrapbook", {})
            name = scrap.get("name")
            if name:
                assert name not in values, f"glue name {name!r} used twice on one page"
                values[name] = out["data"][scrap.get("mime_prefix", "") + "text/markdown"].strip()
    return values


def _markdown_texts(nb) -> list[str]:
    texts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("metadata", {}).get("scrapbook"):
                continue
            md = out.get("data", {}).get("text/markdown")
            if md:
                texts.append(md)
    return texts


def _check_page(nb, tmp_path: Path) -> dict[str, str]:
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "stream"
                and o.get("name") == "stderr"], "warnings printed on the page"
    glued = _glued(nb)
    texts = _markdown_texts(nb)
    refs = {m for t in texts for m in GLUE_REF.findall(t)}
    assert refs <= set(glued), f"glue references without a value: {sorted(refs - set(glued))}"
    # every figure and table offers its data as CSV, and the file exists
    for t in texts:
        for csv in re.findall(r"<(_assets/[^>]+\.csv)>", t):
            assert (tmp_path / csv).exists(), csv
    return glued


@pytest.mark.slow
def test_county_page_executes_and_glues_the_data(built_book, expected):
    year, figures = expected
    nb, tmp_path = _executed(built_book, "fylker/ostfold")
    glued = _check_page(nb, tmp_path)
    neet, residents = figures["31"]
    assert glued["headline_year"] == str(year)
    assert glued["headline_share"] == fmt.percent(neet / residents * 100)
    assert glued["headline_count"] == fmt.count(neet)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    # Østfold is one of the analysis note's counties: its tables are on the page
    assert (tmp_path / "_assets" / "ostfold-notat-tabell-3.csv").exists()
    # the default edition computes nothing from microdata; it offers the county's microdata.no script
    assert not list((tmp_path / "_assets").glob("*mikro*"))
    script = tmp_path / "_assets" / "skript-ostfold-microdata-no.txt"
    assert script.is_file() and "neet2023" in script.read_text(encoding="utf-8")
    # the page is prose in Markdown cells: the notebook's code cells are one-line calls, without `if`
    source = nbformat.read(paths.NOTEBOOKS_DIR / "04_county.ipynb", as_version=4)
    assert not [c for c in source.cells if c.cell_type == "code" and re.search(r"^\s*if ", c.source, re.M)]
    assert [c.source for c in source.cells if c.cell_type == "markdown" and c.source.startswith("## ")]


@pytest.mark.slow
def test_overview_page_executes(built_book, expected):
    year, figures = expected
    nb, tmp_path = _executed(built_book, "fylker/index")
    glued = _check_page(nb, tmp_path)
    shares = {c: n / r * 100 for c, (n, r) in figures.items()}
    low, high = min(shares, key=shares.get), max(shares, key=shares.get)
    assert glued["lowest_name"] == counties.by_code(low).name
    assert glued["highest_share"] == fmt.percent(shares[high])
    assert (tmp_path / "_assets" / "fylkene-fylke-aar.csv").exists()


@pytest.mark.slow
def test_national_page_executes(built_book):
    nb, tmp_path = _executed(built_book, "nasjonale-trender")
    glued = _check_page(nb, tmp_path)
    raw = data.load("ssb_13556_national_sex_age")
    raw = raw[(raw["sex"] == "Begge kjønn") & (raw["age_group"] == "15-29")]
    year = int(raw.loc[~raw["status"].str.contains("preliminary"), "year"].max())
    at = raw[raw["year"] == year]
    neet = at.loc[at["indicator"].str.startswith("Utenfor"), "value"].iloc[0]
    res = at.loc[at["indicator"].str.startswith("Bosatte"), "value"].iloc[0]
    assert glued["final_year"] == str(year)
    assert glued["final_share"] == fmt.percent(neet / res * 100)


# --- every county page of the built book ------------------------------------------------------


def _page_text(path: Path) -> str:
    import html as _html

    text = path.read_text(encoding="utf-8")
    article = re.search(r"<article.*?</article>", text, flags=re.S)  # the page itself, not the navigation
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", article.group(0) if article else text, flags=re.S)
    return re.sub(r"\s+", " ", _html.unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.mark.slow
def test_every_built_county_page_shows_every_year_on_2024_borders_summed_from_municipalities(built_book):
    """Each of the 15 county pages charts the county for every year of the municipality file
    (2008–2024: 17 years) on today's borders, and the data behind the chart (its CSV download)
    equals sums of the raw municipality rows computed here independently."""
    from neethelpers.presentation import downloads

    muni_years = sorted(int(y) for y in data.load("ssb_13556_municipality")["year"].unique())
    assert muni_years == list(range(2008, 2025))  # the 17 years
    by_year = {year: _independent_county_figures(year) for year in muni_years}
    assets = built_book.root / "book" / "generated" / "fylker" / "_assets"
    for county in counties.CURRENT_COUNTIES:
        csv = assets / f"{county.slug}-utvikling.csv"
        assert csv.is_file(), csv
        # the Norwegian download (source line, ';', decimal comma, Norwegian headers from one mapping)
        header = {key: downloads.COLUMNS[key][0] for key in ("year", "area", "neet", "residents")}
        chart = downloads.read_csv(csv)[list(header.values())].rename(columns={v: k for k, v in header.items()})
        own = chart[chart["area"] == county.name].sort_values("year")
        assert [int(y) for y in own["year"]] == muni_years, county.name
        for rec in own.itertuples(index=False):
            neet, residents = by_year[int(rec.year)][county.code]
            assert (int(rec.neet), int(rec.residents)) == (neet, residents), (county.name, rec.year)
        page = built_book.html / "book" / "generated" / "fylker" / f"{county.slug}.html"
        text = _page_text(page)
        assert f"{muni_years[0]}–{muni_years[-1]}" in text, county.name
        assert "regnet om til dagens grenser ved å summere kommunene" in text, county.name
        assert f"{county.slug}-utvikling.csv" in page.read_text(encoding="utf-8"), county.name


@pytest.mark.slow
def test_every_built_county_page_states_its_headline_figures_from_the_data(built_book, expected):
    """The headline share and count of each of the 15 pages, as the reader sees them in the HTML,
    equal the values computed here from the raw municipality file, in Norwegian style."""
    year, figures = expected

    def norm(text: str) -> str:
        return re.sub(r"\s+", " ", text)

    for county in counties.CURRENT_COUNTIES:
        neet, residents = figures[county.code]
        text = _page_text(built_book.html / "book" / "generated" / "fylker" / f"{county.slug}.html")
        first = re.split(r"Figur \d+", text, maxsplit=1)[0]  # the headline paragraph precedes the first figure
        assert norm(fmt.percent(neet / residents * 100)) in first, county.name
        assert norm(fmt.count(neet)) in first, county.name
        assert str(year) in first, county.name
