"""Maps: projection, classes, the front page's county map and the maps of a county page,
the GeoJSON boundary files, and how the build reuses the county profiles."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import shapely

from neethelpers import data
from neethelpers.build import pdf
from neethelpers.chapters import county_maps
from neethelpers.data import loader
from neethelpers.data.schemas import GEO_SPECS
from neethelpers.errors import DataError
from neethelpers.presentation import fmt, maps
from neethelpers.registry import counties
from neethelpers.series import county as county_series

SVG = "{http://www.w3.org/2000/svg}"


def _number(text: str) -> float:
    return float(text.replace("\N{MINUS SIGN}", "-").replace("\N{NO-BREAK SPACE}", "").replace(" ", "")
                 .replace(",", "."))


# --- projection ------------------------------------------------------------------------------

def test_projection_centre_is_the_origin():
    x, y = maps.laea(maps.CENTRE_LON, maps.CENTRE_LAT)
    assert abs(float(x)) < 1e-6 and abs(float(y)) < 1e-6


@pytest.mark.parametrize("lon, lat", [(5.0, 58.0), (15.0, 65.0), (29.0, 70.0)])
def test_projection_keeps_areas(lon, lat):
    """A 1°×1° cell keeps the area of the sphere: R²·Δλ·(sin φ2 − sin φ1)."""
    n = 200  # densified edges, so the projected polygon follows the curved cell
    lons = np.concatenate([np.linspace(lon, lon + 1, n), np.full(n, lon + 1), np.linspace(lon + 1, lon, n),
                           np.full(n, lon)])
    lats = np.concatenate([np.full(n, lat), np.linspace(lat, lat + 1, n), np.full(n, lat + 1),
                           np.linspace(lat + 1, lat, n)])
    x, y = maps.laea(lons, lats)
    projected = shapely.Polygon(np.column_stack([x, y])).area
    expected = maps.EARTH_RADIUS ** 2 * math.radians(1) * (math.sin(math.radians(lat + 1)) - math.sin(math.radians(lat)))
    assert projected == pytest.approx(expected, rel=1e-4)


def test_coverage_simplification_keeps_neighbours_without_gaps():
    """Two squares sharing a wiggly border: after simplification they still tile their union."""
    border = [(0, y) for y in np.linspace(0, 10, 50)]
    wiggle = [(0.05 * math.sin(i), y) for i, (_, y) in enumerate(border)]
    left = shapely.Polygon([(-10, 0), *wiggle, (-10, 10)])
    right = shapely.Polygon([(10, 0), (10, 10), *reversed(wiggle)])
    a, b = maps.simplify([left, right], tolerance=0.5)
    assert shapely.get_num_coordinates(a) < shapely.get_num_coordinates(left)
    assert a.intersection(b).area == pytest.approx(0, abs=1e-9)
    assert a.union(b).area == pytest.approx(left.union(right).area, rel=1e-3)


# --- classes and colours ----------------------------------------------------------------------

def test_fisher_jenks_finds_obvious_groups_and_covers_every_value():
    values = [1.0, 1.1, 1.2, 5.0, 5.1, 9.0, 9.2]
    classes = maps.classify(values, k=3, scheme="FisherJenks")
    assert classes.upper == (1.2, 5.1, 9.2)
    assert [classes.index(v) for v in values] == [0, 0, 0, 1, 1, 2, 2]
    assert classes.lower == min(values)


def test_quantile_classes_match_numpy_quantiles():
    rng = np.random.default_rng(7)
    values = rng.normal(10, 3, 357)
    classes = maps.classify(values, k=5, scheme="Quantiles")
    assert classes.upper == pytest.approx(tuple(np.quantile(values, [0.2, 0.4, 0.6, 0.8, 1.0])))
    counts = np.bincount([classes.index(v) for v in values], minlength=5)
    assert counts.min() >= 70 and counts.max() <= 73


def test_fewer_distinct_values_than_classes_gives_fewer_classes():
    assert maps.classify([9.8], k=5).k == 1
    assert maps.classify([1.0, 2.0], k=5).k == 2
    with pytest.raises(ValueError, match="no values"):
        maps.classify([float("nan")])


def _luminance(hex_colour: str) -> float:
    def lin(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def test_palette_is_sequential_light_to_dark():
    colours = maps.sequential_colours(5)
    lum = [_luminance(c) for c in colours]
    assert lum == sorted(lum, reverse=True) and len(set(colours)) == 5
    assert lum[0] < 0.9  # the lightest class still stands out from white


# --- the front page map -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def front():
    svg, values, classes = county_maps.front_page_svg()
    return ET.fromstring(svg), values, classes, county_maps.front_page_map()


def test_front_map_links_every_county_to_its_page(front):
    root, values, classes, fragment = front
    links = root.findall(f".//{SVG}a")
    expected = {f"generated/fylker/{c.slug}.html" for c in counties.current_counties()}
    assert {a.get("href") for a in links} == expected and len(links) == 15
    for a in links:
        assert a.get("tabindex") == "0" and a.get("aria-label")
        assert a.find(f"{SVG}title").text == a.get("aria-label")


def test_front_map_hover_text_shows_each_county_headline_share(front):
    root, values, classes, fragment = front
    by_href = {a.get("href"): a.find(f"{SVG}title").text for a in root.findall(f".//{SVG}a")}
    for county in counties.current_counties():
        head = county_series.headline(county.code)
        title = by_href[f"generated/fylker/{county.slug}.html"]
        assert title == f"{county.name}: {fmt.percent(head.share)} i {head.year}"


def test_front_map_colours_every_county_by_its_class_and_legend_covers_all_values(front):
    root, values, classes, fragment = front
    share = dict(zip(values["county_code"], values["share"]))
    for a in root.findall(f".//{SVG}a"):
        fill = a.find(f"{SVG}path").get("fill")
        assert fill != maps.NO_DATA_COLOUR and fill in classes.colours
        value = share[a.get("data-code")]
        assert fill == classes.colours[classes.index(value)]
    legend = root.find(f".//{SVG}g[@class='legend']")
    labels = [t.text for t in legend.findall(f"{SVG}text")][1:]
    swatches = [r.get("fill") for r in legend.findall(f"{SVG}rect")]
    assert swatches == list(classes.colours) and len(labels) == classes.k
    ranges = [tuple(_number(x) for x in re.sub(r"^over |\s*%$", "", lbl).split("–")) for lbl in labels]
    for value in values["share"]:
        shown = round(value, 1)
        i = classes.index(value)
        assert ranges[i][0] <= shown <= ranges[i][1], (value, labels[i])
    assert ranges[0][0] == round(values["share"].min(), 1) and ranges[-1][1] == round(values["share"].max(), 1)


def test_front_fragment_has_the_plain_county_list_and_attribution(front):
    root, values, classes, fragment = front
    assert "Finn ditt fylke" in fragment and maps.ATTRIBUTION in fragment
    listed = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', fragment)
    assert len(listed) == 15
    assert {name for _, name in listed} == {c.name for c in counties.current_counties()}
    assert all(href == f"generated/fylker/{counties.resolve(name).slug}.html" for href, name in listed)
    assert len(fragment.encode("utf-8")) < 150_000  # small enough for the page-weight limit


# --- municipalities -----------------------------------------------------------------------------

def test_three_year_share_is_pooled_counts_for_an_unchanged_municipality():
    avg = county_maps.municipality_averages()
    last = int(county_series.municipality_series()["year"].max())
    years = [last - 2, last - 1, last]
    ms = county_series.municipality_series()
    oslo = ms[(ms["municipality_code"] == "0301") & ms["year"].isin(years)]
    assert len(oslo) == 3
    row = avg.set_index("municipality_code").loc["0301"]
    assert row["share"] == pytest.approx(oslo["neet"].sum() / oslo["residents"].sum() * 100)
    assert row["n_years"] == 3 and row["years"] == f"{years[0]}–{years[-1]}"


def test_municipalities_split_later_use_only_the_years_after_the_split():
    avg = county_maps.municipality_averages().set_index("municipality_code")
    ms = county_series.municipality_series()
    last = int(ms["year"].max())
    from neethelpers.registry.crosswalk import _forward
    split_targets = set()
    for rec in ms[ms["year"] == last - 1].itertuples(index=False):
        targets = _forward(rec.municipality_code, last - 1)[0]
        if len(targets) > 1:
            split_targets |= set(targets)
    assert split_targets, "the test needs a municipality that was split in the last years"
    for code in split_targets:
        assert avg.loc[code, "n_years"] < 3
    assert (avg.drop(index=list(split_targets))["n_years"] == 3).all()
    assert (avg["small"] == (avg["residents_per_year"] < county_series.SMALL_MUNICIPALITY_RESIDENTS)).all()


def test_every_municipality_on_the_map_has_a_value():
    geo = set(data.load("kartverket_kommuner_2024")["region_code"])
    assert geo == set(county_maps.municipality_averages()["municipality_code"])


@pytest.mark.parametrize("county", ["Vestland", "Oslo"])
def test_municipality_map_marks_small_municipalities_and_offers_its_data(county):
    c = counties.resolve(county)
    m = county_maps.municipality_map(county)
    root = ET.fromstring(m.svg)
    groups = root.findall(f".//{SVG}g[@data-code]")
    avg = county_maps.municipality_averages(c.code).set_index("municipality_code")
    assert {g.get("data-code") for g in groups} == set(avg.index)
    classes = county_maps.municipality_classes()
    for g in groups:
        paths = g.findall(f"{SVG}path")
        code = g.get("data-code")
        assert paths[0].get("fill") == classes.colour(avg.loc[code, "share"])
        assert (len(paths) == 2) == bool(avg.loc[code, "small"])  # hatch overlay only on small ones
        assert ("usikker" in g.find(f"{SVG}title").text) == bool(avg.loc[code, "small"])
    assert list(m.data["municipality_code"]) == list(avg.index)
    assert maps.ATTRIBUTION in m.caption and m.alt
    if avg["small"].any():
        assert "usikker" in m.svg and "Skravert" in m.caption


def test_locator_map_marks_only_the_county():
    m = county_maps.locator_map("Troms")
    root = ET.fromstring(m.svg)
    fills = {g.get("data-code"): g.find(f"{SVG}path").get("fill") for g in root.findall(f".//{SVG}g[@data-code]")}
    assert len(fills) == 15
    assert fills.pop(counties.resolve("Troms").code) == maps.HIGHLIGHT_COLOUR
    assert set(fills.values()) == {maps.CONTEXT_COLOUR}


def test_report_figure_writes_an_svg_figure(tmp_path, monkeypatch):
    from neethelpers.presentation import report

    monkeypatch.chdir(tmp_path)
    report.setup(page="Test")
    m = county_maps.locator_map("Oslo")
    shown = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(obj.data))
    report.figure(m.svg, name=m.name, caption=m.caption, alt=m.alt, data=m.data)
    assert (tmp_path / "_assets" / "test-lokatorkart.svg").read_text(encoding="utf-8") == m.svg
    assert (tmp_path / "_assets" / "test-lokatorkart.csv").exists()
    assert ":width: 160px" in shown[0] and "_assets/test-lokatorkart.svg" in shown[0]


# --- the boundary files ------------------------------------------------------------------------

def test_boundary_files_are_catalogued_and_complete():
    fylker = data.load("kartverket_fylker_2024")
    assert sorted(fylker["region_code"]) == sorted(c.code for c in counties.current_counties())
    kommuner = data.load("kartverket_kommuner_2024")
    assert kommuner["region_code"].str[:2].isin(fylker["region_code"]).all()
    assert "Kartverket" in data.source_of("kartverket_fylker_2024")


def _collection(features):
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _feature(code, name="X", geometry=None):
    ring = [[10, 60], [11, 60], [11, 61], [10, 60]]
    return {"type": "Feature", "properties": {"fylkesnummer": code, "fylkesnavn": name},
            "geometry": geometry or {"type": "Polygon", "coordinates": [ring]}}


def _all_counties(**override):
    feats = [_feature(c.code, c.name) for c in counties.current_counties()]
    for i, f in override.items():
        feats[int(i[1:])] = f
    return feats


@pytest.mark.parametrize("content, problem, value", [
    (b"{not json", "not valid JSON", None),
    (json.dumps({"type": "Feature"}).encode(), "not a GeoJSON FeatureCollection", "Feature"),
    (_collection(_all_counties(i0=_feature("30", "Viken"))), "unknown region code", "30"),
    (_collection(_all_counties()[1:]), "counties missing", None),
    (_collection(_all_counties(i1=_feature("31"))), "same code as feature 1", "31"),
    (_collection(_all_counties(i0=_feature("31", geometry={"type": "Point", "coordinates": [10, 60]}))),
     "unsupported geometry", "Point"),
    (_collection(_all_counties(i0=_feature("31", geometry={"type": "Polygon", "coordinates": [[[10, 60], [200, 60],
                                                                                               [11, 61], [10, 60]]]}))),
     "outside WGS84", None),
])
def test_bad_boundary_files_give_one_clear_error(content, problem, value):
    with pytest.raises(DataError) as err:
        loader.parse_bytes(content, GEO_SPECS["geojson_counties"], "data/raw/fylker.geojson")
    msg = str(err.value)
    assert "data/raw/fylker.geojson" in msg and problem in msg
    if value is not None:
        assert value in msg


# --- the build's reuse of county profiles --------------------------------------------------------

def test_profiles_with_the_same_fingerprint_are_reused_without_chromium(tmp_path, monkeypatch):
    from neethelpers.build import plan as runs

    monkeypatch.setenv("NEET_CHROMIUM", str(tmp_path / "no-such-browser"))
    plan = runs.plan()
    old = tmp_path / "published" / pdf.PDF_DIR
    old.mkdir(parents=True)
    for run in runs.county_runs(plan):
        slug = counties.by_code(run.county_code).slug
        (old / f"{slug}.pdf").write_bytes(b"%PDF-1.4 old")
        (old / f"{slug}.html").write_text("old", encoding="utf-8")
    (old / pdf.FINGERPRINT_FILE).write_text("abc\n", encoding="utf-8")
    made = pdf.write_profiles(tmp_path, plan, tmp_path / "staging", published=tmp_path / "published", fp="abc",
                              echo=lambda *_: None)
    assert len(made) == 15 and all(p.read_bytes() == b"%PDF-1.4 old" for p in made)


def test_missing_chromium_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NEET_CHROMIUM", "/bin/false")
    html = tmp_path / "p.html"
    html.write_text("<html></html>", encoding="utf-8")
    with pytest.raises(pdf.PdfError, match="could not print p.html"):
        pdf.print_pdf(html, tmp_path / "p.pdf")
    monkeypatch.delenv("NEET_CHROMIUM")
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.PdfError, match="make browser-deps"):
        pdf.chromium()
