"""The county registry and resolver, compared with the county code snapshot."""

from __future__ import annotations

import csv

import pytest

from neethelpers import paths
from neethelpers.errors import UnknownCountyError
from neethelpers.registry import counties


def _code_list() -> list[dict]:
    with open(paths.RAW_DIR / "county_codes.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _valid(period: str, year: int) -> bool:
    first, _, last = period.partition("-")
    return int(first) <= year and (last == "" or year <= int(last))


@pytest.mark.parametrize("text", ["31", "3100", "F-31", "ostfold", "ØSTFOLD", "Ostfold", "Østfold", " østfold "])
def test_resolver_accepts_codes_and_spellings(text):
    county = counties.resolve(text)
    assert county.code == "31" and county.name == "Østfold" and county.is_current


@pytest.mark.parametrize("text, code", [("more og romsdal", "15"), ("MØRE-OG-ROMSDAL", "15"), ("3", "03"),
                                        ("trondelag", "50"), ("Troms - Romsa - Tromssa", "55")])
def test_resolver_other_counties(text, code):
    assert counties.resolve(text).code == code


def test_viken_raises_with_its_history():
    for text in ("Viken", "viken", "30", "3000"):
        with pytest.raises(UnknownCountyError) as err:
            counties.resolve(text)
        msg = str(err.value)
        assert "Viken existed 2020–2023" in msg
        assert "Østfold, Akershus and Buskerud" in msg
        assert "Valid counties are" in msg


def test_historical_counties_explain_what_became_of_them():
    with pytest.raises(UnknownCountyError, match="Hedmark existed until 2019"):
        counties.resolve("Hedmark")
    with pytest.raises(UnknownCountyError, match="today's Østfold has code 31"):
        counties.resolve("01")
    assert counties.resolve("Viken", current_only=False).code == "30"


def test_unknown_county():
    with pytest.raises(UnknownCountyError, match="unknown county"):
        counties.resolve("Atlantis")
    with pytest.raises(UnknownCountyError, match="empty"):
        counties.resolve("  ")
    with pytest.raises(UnknownCountyError, match="not a county code"):
        counties.by_code("abc")


@pytest.mark.parametrize("year", range(2008, 2027))
def test_structure_per_year_matches_the_code_list(year):
    expected = {r["region_code"] for r in _code_list() if _valid(r["period"], year)}
    assert {c.code for c in counties.counties_in(year)} == expected


def test_number_of_counties_per_structure():
    rows = _code_list()
    for period in ("2008-2017", "2018-2019", "2020-2023", "2024-"):
        year = int(period[:4])
        from_file = sum(_valid(r["period"], year) for r in rows)
        assert len(counties.counties_in(year)) == from_file
    assert len(counties.current_counties()) == sum(r["period"] == "2024-" for r in rows)


def test_names_in_the_code_list_resolve_to_their_code():
    for r in _code_list():
        year = int(r["period"][:4])
        county = counties.by_code(r["region_code"], year)
        known = {counties.fold(n) for n in (county.name, *county.aliases)}
        assert counties.fold(r["region_name"]) in known, r


def test_predecessors_and_successors():
    akershus = counties.resolve("Akershus")
    assert [c.code for c in counties.predecessor_in(akershus, 2022)] == ["30"]
    assert [c.code for c in counties.predecessor_in(akershus, 2015)] == ["02"]
    assert counties.predecessor_in(akershus, 2024) == (akershus,)
    trondelag = counties.resolve("Trøndelag")
    assert sorted(c.code for c in counties.predecessor_in(trondelag, 2017)) == ["16", "17"]
    viken = counties.resolve("Viken", current_only=False)
    assert sorted(c.code for c in counties.successors(viken)) == ["31", "32", "33"]


def test_every_current_county_has_a_unique_slug_and_code():
    current = counties.current_counties()
    assert len({c.slug for c in current}) == len(current) == 15
    assert len({c.code for c in current}) == 15
    assert all(c.slug == c.slug.lower() and " " not in c.slug for c in current)


def test_period_text():
    assert counties.resolve("Viken", current_only=False).period_text == "2020–2023"
    assert counties.resolve("Akershus").period_text == "fra 2024"
    assert counties.by_code("02", 2015).period_text == "til og med 2019"
