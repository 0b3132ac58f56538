"""The municipality crosswalk: every municipality code of every year → exactly one 2024 county."""

from __future__ import annotations

import pandas as pd
import pytest

from neethelpers import data
from neethelpers.errors import DataError
from neethelpers.registry import counties, crosswalk

CURRENT = {c.code for c in counties.CURRENT_COUNTIES}


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Tests below monkeypatch cached helpers; clear the caches around every test."""
    def clear():
        for f in (crosswalk.successions, crosswalk.municipality_years, crosswalk._exists, crosswalk._succ_map,
                  crosswalk.crosswalk):
            f.cache_clear()
    clear()
    yield
    clear()


def test_every_municipality_code_of_every_year_maps_to_exactly_one_current_county():
    raw = data.load("ssb_13556_municipality")
    pairs = raw[["year", "region_code"]].drop_duplicates()
    cw = crosswalk.crosswalk()
    assert len(cw) == len(pairs)
    assert not cw.duplicated(["year", "municipality_code"]).any()
    merged = pairs.merge(cw, left_on=["year", "region_code"], right_on=["year", "municipality_code"], how="left")
    assert merged["county_code"].notna().all()
    assert set(merged["county_code"]) <= CURRENT
    # every year 2008–2024 reaches all 15 current counties
    assert (cw.groupby("year")["county_code"].nunique() == len(CURRENT)).all()
    assert sorted(cw["year"].unique()) == list(range(2008, 2025))


def test_2024_codes_map_to_their_own_county_prefix():
    cw = crosswalk.crosswalk()
    cur = cw[cw["year"] == 2024]
    assert (cur["municipality_code"].str[:2] == cur["county_code"]).all()


@pytest.mark.parametrize("code,name,county", [
    # The whole-municipality county moves of 1 January 2020 and where those areas are today.
    ("0532", "Jevnaker", "Akershus"),
    ("0533", "Lunner", "Akershus"),
    ("0121", "Rømskog", "Akershus"),   # joined Aurskog-Høland
    ("0711", "Svelvik", "Buskerud"),   # joined Drammen
    ("1444", "Hornindal", "Møre og Romsdal"),  # joined Volda
    ("1571", "Halsa", "Trøndelag"),    # joined Heim
    ("1852", "Tjeldsund", "Troms"),
])
def test_county_moves_of_2020(code, name, county):
    assert crosswalk.COUNTY_MOVES_2020[code] == name
    my = crosswalk.municipality_years()
    years = sorted(my.loc[my["municipality_code"] == code, "year"])
    # the code is stable until the move, so every year of it is resolved the same way
    assert years == list(range(2008, 2020))
    for year in years:
        assert counties.by_code(crosswalk.county_of(code, year)).name == county


@pytest.mark.parametrize("code,year,county", [
    ("1567", 2008, "Trøndelag"),   # Rindal moved from Møre og Romsdal to Trøndelag in 2019 (not a reform year)
    ("1723", 2011, "Trøndelag"),   # Mosvik, merged into Inderøy 2012
    ("1915", 2008, "Troms"),       # Bjarkøy, merged into Harstad 2013
    ("0719", 2016, "Vestfold"),    # Andebu, merged into Sandefjord 2017
    ("0627", 2019, "Akershus"),    # Røyken (Buskerud) -> Asker (Viken) -> Asker (Akershus)
    ("1850", 2019, "Nordland"),    # Tysfjord, split in two municipalities of the same county
    ("1507", 2023, "Møre og Romsdal"),  # Ålesund, split into Ålesund and Haram in 2024
])
def test_known_successions(code, year, county):
    assert counties.by_code(crosswalk.county_of(code, year)).name == county


def test_successions_are_parsed_from_every_reform():
    s = crosswalk.successions()
    assert set(s["reform_year"]) == set(crosswalk.REFORMS)
    raw = data.load("county_correspondence")
    listed = raw[raw["note"].str.contains("Municipalities:")]
    # one parsed pair per "NNNN Name -> NNNN" entry in the notes (duplicates removed)
    n_pairs = sum(part.count("->") for part in listed["note"].str.split("Municipalities:").str[1])
    assert len(s) == n_pairs


def test_split_across_counties_raises(monkeypatch):
    real = crosswalk._succ_map()
    fake = {r: dict(d) for r, d in real.items()}
    fake[2024]["1507"] = frozenset({"1508", "3101"})  # pretend Ålesund was split between two counties
    monkeypatch.setattr(crosswalk, "_succ_map", lambda: fake)
    with pytest.raises(DataError, match="split across 2024 counties"):
        crosswalk.resolve_code("1507", 2023)


def test_missing_succession_at_a_reform_raises(monkeypatch):
    real = crosswalk._succ_map()
    fake = {r: dict(d) for r, d in real.items()}
    del fake[2020]["0101"]  # Halden existed in 2019 and not in 2020: it must be listed
    monkeypatch.setattr(crosswalk, "_succ_map", lambda: fake)
    with pytest.raises(DataError, match="neither listed"):
        crosswalk.resolve_code("0101", 2019)


def test_ambiguous_change_between_reforms_raises(monkeypatch):
    real = crosswalk._exists()
    fake = dict(real)
    # pretend two new codes in different counties appeared in 2019, when Rindal vanished
    fake[2019] = real[2019] | {"1599"}
    monkeypatch.setattr(crosswalk, "_exists", lambda: fake)
    monkeypatch.setattr(crosswalk, "resolve_code", lambda c, y, _real=crosswalk.resolve_code:
                        ("15", "x") if c == "1599" else _real(c, y))
    with pytest.raises(DataError, match="do not identify one 2024 county"):
        crosswalk._between_reforms("1567", 2018)


def test_unknown_code_raises():
    with pytest.raises(DataError, match="not present in 2024"):
        crosswalk.resolve_code("9999", 2024)


def test_own_border_sums_reproduce_the_county_file():
    """Summing the municipality file by the first two code digits (the county of that year)
    gives exactly the county rows of ssb_13556_county_sex_age_own_borders."""
    muni = data.load("ssb_13556_municipality")
    muni = muni.assign(county=muni["region_code"].str[:2])
    own = data.load("ssb_13556_county_sex_age_own_borders")
    own = own[(own["sex"] == "Begge kjønn") & (own["age_group"] == "15-29") & ~own["indicator"].str.startswith("Andel")]
    for indicator_start in ("Bosatte", "Utenfor"):
        m = (muni[muni["indicator"].str.startswith(indicator_start)]
             .groupby(["year", "county"])["value"].sum(min_count=1).fillna(0))
        o = own[own["indicator"].str.startswith(indicator_start)].set_index(["year", "region_code"])["value"]
        o.index = o.index.set_names(["year", "county"])
        pd.testing.assert_series_equal(m.sort_index(), o.sort_index(), check_names=False)
    # and each of those counties existed that year
    for (year, code) in own[["year", "region_code"]].drop_duplicates().itertuples(index=False):
        assert code in {c.code for c in counties.counties_in(int(year))}
