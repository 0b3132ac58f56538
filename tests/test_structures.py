"""Figures from different county structures side by side, never divided or summed."""

from __future__ import annotations

import pandas as pd
import pytest

from neethelpers import data
from neethelpers.errors import UnknownCountyError
from neethelpers.registry import structures


@pytest.fixture(scope="module")
def shares() -> pd.DataFrame:
    df = data.load("ssb_13556_county_sex_age_own_borders")
    return df[(df["sex"] == "Begge kjønn") & (df["age_group"] == "15-29")
              & (df["unit"] == "percent of residents in group")].reset_index(drop=True)


def test_label_region():
    assert structures.label_region("30", 2022) == "Viken (2020–2023)"
    assert structures.label_region("02", 2015) == "Akershus (til og med 2019)"
    assert structures.label_region("32") == "Akershus"
    assert structures.label_region("32", 2024, with_period=True) == "Akershus (fra 2024)"
    assert structures.label_region("0", 2010) == "Hele landet"
    with pytest.raises(UnknownCountyError):
        structures.label_region("30", 2024)


def test_structure_name_counts_counties():
    assert structures.structure_name(2015) == "19 fylker (til og med 2017)"
    assert structures.structure_name(2019) == "18 fylker (2018–2019)"
    assert structures.structure_name(2021) == "11 fylker (2020–2023)"
    assert structures.structure_name(2024) == "15 fylker (fra 2024)"


def test_viken_value_is_kept_whole_and_labelled(shares):
    aligned = structures.align_to_current(shares, "Akershus")
    viken = aligned[aligned["year"] == 2022]
    assert len(viken) == 1
    row = viken.iloc[0]
    assert row["region_code"] == "30" and row["belongs_to"] == "Viken (2020–2023)"
    assert row["relation"] == "larger_predecessor"
    assert "Østfold" in row["relation_text"] and "Buskerud" in row["relation_text"]
    source = shares[(shares["year"] == 2022) & (shares["region_code"] == "30")]
    assert row["value"] == source["value"].iloc[0]          # the same number, not a share of it


def test_same_viken_rows_on_all_three_successor_pages(shares):
    pages = [structures.align_to_current(shares, c) for c in ("Østfold", "Akershus", "Buskerud")]
    vikens = [p[p["belongs_to_code"] == "30"].reset_index(drop=True) for p in pages]
    for other in vikens[1:]:
        pd.testing.assert_series_equal(vikens[0]["value"], other["value"])
    # and nothing was invented: every aligned value is a row of the input
    for page in pages:
        merged = page.merge(shares, on=["year", "region_code", "indicator"], suffixes=("", "_src"))
        assert len(merged) == len(page)
        assert (merged["value"] == merged["value_src"]).all()


def test_rows_per_year_come_from_that_years_structure(shares):
    aligned = structures.align_to_current(shares, "Akershus")
    codes = aligned.groupby("year")["region_code"].unique().map(list).to_dict()
    assert codes[2015] == ["02"] and codes[2021] == ["30"] and codes[2024] == ["32"]
    assert set(aligned["relation"]) == {"predecessor", "larger_predecessor", "county"}
    assert sorted(aligned["year"].unique()) == sorted(shares["year"].unique())


def test_merged_county_shows_each_predecessor_separately(shares):
    aligned = structures.align_to_current(shares, "Innlandet")
    y2015 = aligned[aligned["year"] == 2015]
    assert sorted(y2015["region_code"]) == ["04", "05"]
    assert set(y2015["relation"]) == {"part_predecessor"}
    assert len(aligned[aligned["year"] == 2020]) == 1


def test_structure_breaks():
    assert structures.structure_breaks("Akershus", range(2008, 2025)) == [2020, 2024]
    assert structures.structure_breaks("Trøndelag", range(2008, 2025)) == [2018]
    assert structures.structure_breaks("Rogaland", range(2021, 2025)) == []


def test_historical_county_is_refused():
    with pytest.raises(UnknownCountyError, match="Viken existed"):
        structures.align_to_current(pd.DataFrame({"year": [2022], "region_code": ["30"]}), "Viken")


def test_rows_without_year_and_missing_columns():
    df = pd.DataFrame({"year": pd.array([None, 2022], dtype="Int64"), "region_code": ["32", "30"],
                       "value": [1.0, 2.0]})
    aligned = structures.align_to_current(df, "32")
    assert aligned["value"].tolist() == [2.0]
    empty = structures.align_to_current(df.iloc[0:1], "32")
    assert empty.empty and "belongs_to" in empty.columns
    with pytest.raises(KeyError):
        structures.align_to_current(df.drop(columns="year"), "32")
