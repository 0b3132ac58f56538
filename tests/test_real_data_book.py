"""The whole book built on "real" register data with deliberately tiny groups: nothing that
rests on fewer than the disclosure threshold reaches a built HTML page or a CSV download.

One build of the whole book (``neet build --data FILE --force`` in a temporary copy of the
project; the session fixture ``real_book`` in ``conftest.py``, which ``test_hostile_input.py``
shares: the file is named like script injection) on a person-level file generated with fixed
seeds (``conftest.tiny_group_persons``):

* Akershus, Oslo and Østfold with about 3 000 persons each (``random_persons``);
* **Finnmark: 3 persons** (1 long-term NEET) — the county page must show no figure at all;
* **Akershus: 3 Norwegian-born to immigrant parents** (``innvandrer`` = 2, 2 long-term NEETs);
* **Rogaland: 300 men and 3 women** (a county × sex cell of 3, 2 long-term NEETs);
* **4 persons with a child-welfare measure in the whole country**, all in Akershus
  (2 long-term NEETs) — a tiny group nationally, in Akershus and in the regression models
  that include ``barnevern`` (model 2 and 4, the linear probability model, Akershus' model 2).

What is scanned: the section «Langtids-NEET beregnet fra mikrodata» of the national page,
of every county page and of the county overview (from its heading to its end, so the
public statistics elsewhere on a page cannot give false alarms), the whole regression page,
and every CSV those parts offer for download (under ``_build/html/_downloads`` and
``book/generated/**/_assets``).

**The forbidden values** are computed here from the raw (unsuppressed) data: every share,
ratio and coefficient whose numerator, denominator or complement has fewer than
``THRESHOLD`` persons, formatted exactly as the pages format them (``neethelpers.presentation.fmt``:
one decimal for shares and ratios, three for coefficients, two for odds ratios and
marginal effects). A formatted value that some *safe* figure on the same page also takes
(or that the analysis note published) is left out, since seeing it proves nothing.

**Why the test cannot pass vacuously.** (1) The test data are checked to contain the tiny
groups and their shares are checked to be unsafe and distinctive (still in the forbidden
set after the safe values are removed). (2) A positive control renders the same sections
and regression tables *in process* with threshold 1 (nothing suppressed; much cheaper than
a second build) and asserts that the scanner finds those very values there. (3) The
suppression marker must appear in the exact rows of the tiny groups in the built HTML and
in their CSVs, and every microdata section must actually contain its tables and links to
its CSVs.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import DATA_NAME, tiny_group_persons
from test_descriptive import COUNT_COLUMN, SHARE_COLUMN, _capture, _csv_values, _unsafe, unsafe_share_values

from neethelpers.chapters import regression as chapter
from neethelpers.microdata import descriptive as d, disclosure, models, schema
from neethelpers.presentation import fmt, report
from neethelpers.registry import counties

pytestmark = pytest.mark.slow

THRESHOLD = 5
ROUND_TO = 10
SECTION_ID = "langtids-neet-beregnet-fra-mikrodata"
MARK = disclosure.marker(THRESHOLD)
GENERATED = Path("book") / "generated"

# The tiny groups: (page, region code, table, row key, column) of a figure that rests on
# fewer than THRESHOLD persons and is distinctive enough to be looked for.
SENTINELS = {
    "fylker/finnmark": [("56", "by_sex", "all", "share")],
    "fylker/index": [("56", "by_sex", "all", "share"), ("11", "by_sex", "women", "share")],
    "fylker/rogaland": [("11", "by_sex", "women", "share"), ("11", "by_sex", "women", "share_of_lneet"),
                        ("11", "by_sex", "men", "share_of_lneet")],
    "fylker/akershus": [("32", "by_immigrant", "innvandrer_2", "share"), ("32", "risk_profile", "barnevern", "ratio")],
    "nasjonale-trender": [("0", "risk_profile", "barnevern", "ratio")],
}
_KEY_COL = {"by_sex": "group", "by_immigrant": "group", "risk_profile": "factor"}


# --- the data (conftest.tiny_group_persons) ----------------------------------------------


@pytest.fixture(scope="module")
def persons() -> pd.DataFrame:
    return tiny_group_persons()


@pytest.fixture(scope="module")
def raw(persons) -> dict[str, d.DescriptiveResult]:
    return d.compute_all(persons)


@pytest.fixture(scope="module")
def fits(persons) -> dict[str, dict]:
    """The regression page's models, unsuppressed: national and Akershus (the page's county)."""
    cells = schema.to_cells(persons)
    return {"national": models.fit_all(cells), "county": models.fit_all(cells, county="32")}


# --- scanning helpers ----------------------------------------------------------------------


def section(soup: BeautifulSoup, page: str):
    """The part of a page that is computed from microdata: the section under the heading
    «Langtids-NEET beregnet fra mikrodata», or the whole article of the regression page."""
    if page == "regresjonsanalyse":
        node = soup.find("article") or soup.body
    else:
        node = soup.find("section", id=SECTION_ID)
    assert node is not None, f"{page}: no microdata section in the built HTML"
    return node


def text_of(node) -> str:
    return node.get_text(" ")


def tables(node) -> list[tuple[str, list[str], list[list[str]]]]:
    """(caption, headers, rows of cell texts) of every HTML table under ``node``."""
    out = []
    for t in node.find_all("table"):
        cap = t.find("caption")
        headers = [th.get_text(" ", strip=True) for th in t.find_all("th")]
        rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in t.find_all("tr")]
        out.append((cap.get_text(" ", strip=True) if cap else "", headers, [r for r in rows if r]))
    return out


def row_of(table, first_cell: str) -> dict[str, str]:
    _, headers, rows = table
    for r in rows:
        if first_cell in r:
            return dict(zip(headers, r))
    raise AssertionError(f"no row {first_cell!r} in table {table[0][:80]!r}")


def table_with(node, caption_part: str):
    hits = [t for t in tables(node) if caption_part in t[0]]
    assert hits, f"no table whose caption contains {caption_part!r}"
    return hits[0]


def found(value: str, text: str, *, signed_ok: bool = False) -> bool:
    """Whether a formatted number stands on its own in ``text``: not part of a longer
    number, not a signed difference (``+66,7``/``−66,7``, unless ``signed_ok``) and not a
    difference in percentage points."""
    before = r"(?<![\d,])" if signed_ok else r"(?<![\d,+\-−])"
    pattern = before + re.escape(value) + r"(?![\d,])(?!(?:\s|\xa0)*prosentpoeng)"
    return re.search(pattern, text) is not None


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:,\d+)?", text.replace("\xa0", "")))


def page_regions(page: str) -> list[str]:
    if page == "nasjonale-trender":
        return [counties.NATIONAL_CODE]
    if page == "fylker/index":
        return [counties.NATIONAL_CODE, *(c.code for c in counties.current_counties())]
    slug = page.split("/")[1]
    code = next(c.code for c in counties.current_counties() if c.slug == slug)
    return [code, counties.NATIONAL_CODE]


# What the county overview shows of each region: (table, row key, column).
OVERVIEW_FIGURES = {("by_sex", "all", "share"), ("by_sex", "women", "share"), ("by_sex", "men", "share"),
                    ("by_immigrant", "innvandrer_1", "share"), ("by_immigrant", "rest", "share"),
                    ("risk_profile", "dropout", "lneet_share"), ("risk_profile", "no_work", "lneet_share")}


def forbidden_shares(raw: dict[str, d.DescriptiveResult], regions: list[str], page: str = "",
                     include_published: bool = True) -> set[str]:
    """Shares and ratios of ``regions`` resting on fewer than THRESHOLD persons, formatted
    as the section shows them, minus any text a safe share or a published figure takes.
    On the county overview only the figures it shows (:data:`OVERVIEW_FIGURES`) count."""
    unsafe, legit = set(), set()
    for code in regions:
        r = raw[code]
        for name, spec in d.SPECS.items():
            frame = r.tables[name]
            flags = _unsafe(frame, spec, THRESHOLD)
            keys = frame[_KEY_COL[name]] if name in _KEY_COL else pd.Series([None] * len(frame))
            for col in [s for s, _, _ in spec.shares] + [x for x, _ in spec.derived]:
                for key, v, bad in zip(keys, frame[col].astype(float), flags[col]):
                    if page == "fylker/index" and (name, key, col) not in OVERVIEW_FIGURES:
                        continue
                    if not math.isnan(v):
                        (unsafe if bad else legit).add(fmt.number(v, 1))
        for text in d.compare_with_published(r)["published_text"]:
            legit |= _tokens(text)
        if include_published:
            legit |= published_share_texts(r)
    return unsafe - legit


def published_share_texts(r: d.DescriptiveResult) -> set[str]:
    """The shares and ratios the protected tables publish (computed from rounded counts):
    a raw unsafe share that happens to equal one of them proves nothing when seen."""
    out = set()
    protected = d.protect(r, THRESHOLD, ROUND_TO)
    for name, spec in d.SPECS.items():
        frame = protected.tables[name]
        for col in [s for s, _, _ in spec.shares] + [x for x, _ in spec.derived]:
            out |= {fmt.number(v, 1) for v in frame[col].astype(float) if not math.isnan(v)}
    return out


def sentinel_text(raw, code: str, table: str, key: str, col: str) -> str:
    frame = raw[code].tables[table]
    return fmt.number(float(frame.loc[frame[_KEY_COL[table]] == key, col].iloc[0]), 1)


def _term_unsafe(table: pd.DataFrame) -> pd.Series:
    """Terms of a fitted model resting on fewer than THRESHOLD persons: those with or
    without the characteristic, NEET or not (computed here, independently of chapter.py)."""
    k1, n1 = table["neet_with"], table["n_with"]
    k0, n0 = table["neet_without"], table["n_without"]
    small = pd.concat([k1, n1 - k1, n1, k0, n0 - k0, n0], axis=1) < THRESHOLD
    return small.any(axis=1) & (table["term"] != "const")


def forbidden_coefficients(fits) -> tuple[set[str], dict[str, list[str]]]:
    """Coefficients, standard errors, z, intervals (3 decimals), odds ratios and marginal
    effects (2 decimals) of unsafe terms of the models the regression page shows; and for
    each unsafe (scope, model, term) the texts to look for in the positive control."""
    shown = {"national": ("m1", "m2", "m3", "m4", "lpm"), "county": ("m1", "m2")}
    unsafe, legit, per_term = set(), set(), {}
    for scope, keys in shown.items():
        for key in keys:
            res = fits[scope][key]
            assert isinstance(res, models.ModelResult), (scope, key, res)
            t = res.table
            bad = _term_unsafe(t)
            for (_, row), is_bad in zip(t.iterrows(), bad):
                texts = [fmt.number(abs(row[c]), 3) for c in ("coef", "se", "z", "ci_low", "ci_high")]
                if key != "lpm" and scope == "national" and row["term"] != "const":
                    texts += [fmt.number(row[c], 2) for c in ("odds_ratio", "or_low", "or_high")]
                    texts.append(fmt.number(abs(row["ame"]) * 100, 2))
                (unsafe if is_bad else legit).update(texts)
                if is_bad:
                    per_term[f"{scope}/{key}/{row['term']}"] = texts
    return unsafe - legit, per_term


def numbers_in(text: str) -> list[int]:
    return [int(re.sub(r"[\s\xa0\u202f]", "", m)) for m in re.findall(r"\d{1,3}(?:[\xa0\u202f ]\d{3})*", text)]


def _is_count_ok(cell: str) -> bool:
    if cell in (MARK, fmt.MISSING, ""):
        return True
    value = int(re.sub(r"[\s\xa0\u202f]", "", cell))
    return value % ROUND_TO == 0


DESCRIPTIVE_PAGES = ["nasjonale-trender", "fylker/index", *(f"fylker/{c.slug}" for c in counties.current_counties())]


# --- the data do what the docstring says -----------------------------------------------------


def test_the_data_have_the_tiny_groups(persons, raw, fits):
    p = persons
    assert (p["fylke"] == "56").sum() == 3
    assert ((p["fylke"] == "32") & (p["innvandrer"] == 2)).sum() == 3
    assert ((p["fylke"] == "11") & (p["kjonn"] == 2)).sum() == 3
    assert (p["barnevern"] == 1).sum() == 4 and (p.loc[p["barnevern"] == 1, "fylke"] == "32").all()
    for page, sentinels in SENTINELS.items():
        # distinctive against the raw safe shares; a value that a protected table also
        # publishes (shares come from rounded counts) cannot be told apart by a text scan,
        # which is why tests/test_disclosure_attack.py enumerates what a page allows
        forbidden = forbidden_shares(raw, page_regions(page), page, include_published=False)
        for code, table, key, col in sentinels:
            frame = raw[code].tables[table]
            row = frame.index[frame[_KEY_COL[table]] == key][0]
            assert _unsafe(frame, d.SPECS[table], THRESHOLD)[col][row], (page, code, table, key, col)
            # distinctive: no safe figure on the page has the same text
            assert sentinel_text(raw, code, table, key, col) in forbidden, (page, code, table, key, col)
    coef, per_term = forbidden_coefficients(fits)
    for name in ("national/m2/barnevern", "national/lpm/barnevern", "county/m2/barnevern"):
        assert name in per_term
        assert fmt.number(abs(fits[name.split("/")[0]][name.split("/")[1]].table.set_index("term")
                              .at["barnevern", "coef"]), 3) in coef


# --- positive control: without suppression the scanner sees the values -----------------------


@pytest.mark.parametrize("page", sorted(SENTINELS))
def test_without_suppression_the_scanner_finds_the_tiny_groups(monkeypatch, tmp_path, raw, persons, page):
    """Threshold 1 and no rounding (nothing suppressed or rounded away), rendered in process by the
    same function the notebooks call: every sentinel value is found by :func:`found`."""
    from neethelpers.chapters import longterm as ds

    data_file = tmp_path / DATA_NAME
    persons.to_csv(data_file, index=False)
    monkeypatch.chdir(tmp_path)
    shown = _capture(monkeypatch)
    report.setup(page="kontroll")
    county = {"nasjonale-trender": None, "fylker/index": "alle"}.get(page, page_regions(page)[0])
    ds.show_section(str(data_file), county, threshold=1, round_to=1)  # nothing hidden, nothing rounded away
    text = "\n".join(shown)
    for code, table, key, col in SENTINELS[page]:
        assert found(sentinel_text(raw, code, table, key, col), text), (page, code, table, key, col)


def test_without_suppression_the_scanner_finds_the_coefficients(persons, fits):
    cells = schema.to_cells(persons)
    open_data = chapter.ChapterData(cells, False, DATA_NAME, "persons", threshold=1)
    text = "\n".join([
        report.format_frame(chapter.model_table(fits["national"]["m2"], open_data), 3).to_string(),
        report.format_frame(chapter.model_table(fits["national"]["m4"], open_data), 3).to_string(),
        report.format_frame(chapter.model_table(fits["county"]["m2"], open_data), 3).to_string(),
        report.format_frame(chapter.model_table(fits["national"]["lpm"], open_data), 3).to_string(),
        chapter.odds_table(fits["national"], open_data).to_string(),
        report.format_frame(chapter.ame_table(fits["national"], open_data), 2).to_string(),
    ])
    _, per_term = forbidden_coefficients(fits)
    for name in ("national/m2/barnevern", "county/m2/barnevern", "national/lpm/barnevern", "national/m4/barnevern"):
        texts = per_term[name]
        assert all(found(v, text, signed_ok=True) for v in texts[:5]), (name, texts)
    assert all(found(v, text, signed_ok=True) for v in per_term["national/m2/barnevern"][5:])  # OR and AME


# --- the built book --------------------------------------------------------------------------


def test_real_data_build_publishes_a_book(real_book):
    # Its speed is a benchmark's job (bench/microdata_scale.py --build), not a timed test's.
    assert (real_book.project.html / "index.html").is_file()


def test_no_page_of_the_real_data_book_printed_a_warning(real_book):
    """As for the default book (``test_build.py``): register data give the figures other
    ranges and other groups, so their layout is checked on this build too."""
    assert real_book.project.printed_warnings() == {}


@pytest.mark.parametrize("page", DESCRIPTIVE_PAGES)
def test_microdata_section_shows_no_small_share(real_book, raw, page):
    node = section(real_book.page(page), page)
    text = text_of(node)
    assert "syntetisk" not in text.lower()
    assert DATA_NAME in text  # names the file it was computed from
    n_persons = sum(raw[code].n_persons for code in page_regions(page)[:1])
    if n_persons >= THRESHOLD:  # the section has its tables, so the scan below is not of an empty page
        assert len(tables(node)) >= (2 if page == "fylker/index" else 4), page
    leaked = sorted(v for v in forbidden_shares(raw, page_regions(page), page) if found(v, text))
    assert not leaked, f"{page}: shares resting on fewer than {THRESHOLD} persons are shown: {leaked}"
    for cap, headers, rows in tables(node):
        for i, h in enumerate(headers):
            if h in ("Personer", "Langtids-NEET", "Langtids-NEET i alt"):
                bad = [r[i] for r in rows if i < len(r) and not _is_count_ok(r[i])]
                assert not bad, (page, cap[:60], h, bad)
    for n in (m.group(1) for m in re.finditer(r"om lag ([\d\xa0\u202f ]+) personer", text)):
        assert numbers_in(n)[0] % ROUND_TO == 0, (page, n)
    for n in (m.group(1) for m in re.finditer(r"Bygger på ([\d\xa0\u202f ]+) langtids-NEET og ([\d\xa0\u202f ]+) andre",
                                              text)):
        assert numbers_in(n)[0] % ROUND_TO == 0, (page, n)


def test_tiny_groups_are_marked_where_they_would_be(real_book):
    mark = MARK
    # Finnmark: 3 persons -> no table, a sentence saying why
    fin = section(real_book.page("fylker/finnmark"), "fylker/finnmark")
    assert f"færre enn {THRESHOLD} personer i Finnmark" in text_of(fin)
    assert not tables(fin)
    # Akershus: 3 Norwegian-born to immigrant parents, 4 with child welfare
    ak = section(real_book.page("fylker/akershus"), "fylker/akershus")
    row = row_of(table_with(ak, "innvandringskategori"), "Norskfødte med innvandrerforeldre (innvandrer = 2)")
    for col in ("Personer", "Langtids-NEET", "Andel langtids-NEET (%)", "Andel av alle langtids-NEET (%)"):
        assert row[col] == mark, (col, row)
    assert row["Hele landet (%)"] != mark  # nationally many more (Oslo, Østfold): shown
    for node in (ak, section(real_book.page("nasjonale-trender"), "nasjonale-trender")):
        row = row_of(table_with(node, "Risikoprofil"), "Barnevernstiltak (barnevern = 1)")
        for col in ("Blant langtids-NEET (%)", "Blant andre (%)", "Forhold"):
            assert row[col] == mark, (col, row)
    # Rogaland: 3 women; the men's share of all long-term NEETs reveals them by complement
    ro = section(real_book.page("fylker/rogaland"), "fylker/rogaland")
    t = table_with(ro, "kjønn og aldersgruppe")
    women, men = row_of(t, "Kvinner"), row_of(t, "Menn")
    for col in ("Personer", "Langtids-NEET", "Andel langtids-NEET (%)", "Andel av alle langtids-NEET (%)"):
        assert women[col] == mark, (col, women)
    assert men["Andel av alle langtids-NEET (%)"] == mark
    assert men["Andel langtids-NEET (%)"] != mark  # 300 men: shown
    # the overview: Finnmark hidden entirely, Rogaland's women hidden
    ov = table_with(section(real_book.page("fylker/index"), "fylker/index"), "per fylke")
    fin_row = row_of(ov, "Finnmark")
    # every figure is the marker, even for a group with nobody in it (no immigrants among
    # the 3): a dash would reveal that the group is empty
    assert all(v == mark for k, v in fin_row.items() if k != "Område"), fin_row
    assert fin_row["Personer"] == fin_row["Andel (%)"] == fin_row["Kvinner (%)"] == mark
    assert row_of(ov, "Rogaland")["Kvinner (%)"] == mark


def test_regression_page_shows_no_small_coefficient(real_book, fits):
    node = section(real_book.page("regresjonsanalyse"), "regresjonsanalyse")
    text = text_of(node)
    assert "syntetisk" not in text.lower()
    assert DATA_NAME in text
    forbidden, _ = forbidden_coefficients(fits)
    leaked = sorted(v for v in forbidden if found(v, text, signed_ok=True))
    assert not leaked, f"coefficients of groups under {THRESHOLD} persons are shown: {leaked}"
    for caption in ("Modell 2, hele landet", "Modell 4, hele landet", "Modell 2, Akershus",
                    "Lineær sannsynlighetsmodell"):
        row = row_of(table_with(node, caption), "Barnevernstiltak (barnevern)")
        values = {k: v for k, v in row.items() if k not in ("Variabel", "Publisert")}
        assert values and all(v == MARK for v in values.values()), (caption, row)
    odds = row_of(table_with(node, "Oddsforhold"), "Barnevernstiltak (barnevern)")
    assert odds["Modell 2"] == MARK and odds["Modell 4"] == MARK
    for n in re.findall(r"Antall personer(?: i utvalget)?: ([\d\xa0\u202f ]+)", text):
        assert numbers_in(n)[0] % ROUND_TO == 0, n


# --- the CSV downloads -----------------------------------------------------------------------


def _microdata_csvs(root: Path) -> list[Path]:
    files = list((root / "_build" / "html" / "_downloads").glob("*/*.csv"))
    files += list((root / GENERATED).glob("**/_assets/*.csv"))
    return sorted(p for p in files if "-mikro-" in p.name or p.name.startswith("regresjon-"))


def test_every_microdata_section_links_its_csvs(real_book):
    html = real_book.project.html
    for page in [*DESCRIPTIVE_PAGES, "regresjonsanalyse"]:
        node = section(real_book.page(page), page)
        links = [a["href"] for a in node.find_all("a", href=True) if a["href"].endswith(".csv")]
        if page == "fylker/finnmark" or (page.startswith("fylker/") and not tables(node)):
            continue  # nothing shown, nothing to download
        assert links, f"{page}: the microdata section offers no CSV download"
        base = (html / "book" / "generated" / f"{page}.html").parent
        for href in links:
            assert (base / unquote(href)).resolve().is_file(), (page, href)
    assert not [p for p in _microdata_csvs(real_book.project.root) if p.name.startswith("finnmark-")]


def test_csv_downloads_hold_no_small_value(real_book, raw, fits):
    files = _microdata_csvs(real_book.project.root)
    assert any("_downloads" in str(p) for p in files) and any("_assets" in str(p) for p in files)
    # exact shares (the CSVs hold them to 4 decimals) resting on too few persons, anywhere
    unsafe, _safe = unsafe_share_values(raw, THRESHOLD)
    published = set().union(*(published_share_texts(r) for r in raw.values()))
    coef_texts, _ = forbidden_coefficients(fits)
    markers = {}
    for path in files:
        df = _csv_values(path)
        text = path.read_text(encoding="utf-8-sig")
        assert "syntetisk" not in text.lower(), path.name
        markers[path.name] = int((df == MARK).to_numpy().sum())
        # the comparison's recomputed values: counts where its unit is persons, else shares/ratios
        persons_rows = (df["enhet_for_forskjell"] == "personer").to_numpy() if "enhet_for_forskjell" in df else None
        for col in df.columns:
            for i, v in enumerate(df[col]):
                if v in ("", MARK) or not re.fullmatch(r"-?\d+(\.\d+)?", v):
                    continue
                is_count = COUNT_COLUMN.match(col) or (col == "beregnet" and persons_rows is not None
                                                       and persons_rows[i])
                if is_count:
                    assert float(v) % ROUND_TO == 0, (path.name, col, v)
                elif "publisert" not in col.lower() and (SHARE_COLUMN.search(col) or col == "beregnet"):
                    # display precision only; a value equal to an unsafe share must be one that
                    # a protected table publishes for a safe group
                    assert re.fullmatch(r"-?\d+(\.\d)?", v), (path.name, col, v)
                    assert round(float(v), 4) not in unsafe or fmt.number(float(v), 1) in published, (path.name, col, v)
                if path.name.startswith("regresjon-"):
                    assert fmt.number(abs(float(v)), 3) not in coef_texts, (path.name, col, v)
    for name in ("akershus-mikro-innvandring.csv", "akershus-mikro-risikoprofil.csv", "rogaland-mikro-kjonn-alder.csv",
                 "fylkene-mikro-fylker.csv", "nasjonalt-mikro-risikoprofil.csv", "regresjon-modell2-fylke.csv",
                 "regresjon-modell2-landet.csv", "regresjon-lpm-landet.csv"):
        assert markers.get(name, 0) > 0, f"{name}: no suppression marker (or no such download)"
    ak = _csv_values(next(p for p in files if p.name == "akershus-mikro-innvandring.csv"))
    row = ak[ak.iloc[:, 1].str.startswith("Norskfødte")] if len(ak.columns) > 1 else ak
    assert len(row) and (row.drop(columns=[c for c in ak.columns if c in ("område", "gruppe")]) == MARK).any(axis=None)
