"""Grunnbeløp per year and the note's income bands."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from neethelpers import paths
from neethelpers.errors import DataError
from neethelpers.series import grunnbelop


def _source(indicator: str) -> dict[int, float]:
    with open(paths.RAW_DIR / "nav_grunnbelop.csv", encoding="utf-8") as fh:
        return {int(r["year"]): float(r["value"]) for r in csv.DictReader(fh)
                if r["indicator"] == indicator and r["status"] != "crosscheck"}


def test_g_amount_reads_the_snapshot():
    average = _source(grunnbelop.INDICATOR_AVERAGE)
    may = _source(grunnbelop.INDICATOR_MAY)
    assert sorted(average) == list(range(2008, 2025))
    for year in (2008, 2015, 2022, 2024):
        assert grunnbelop.g_amount(year) == average[year]
        assert grunnbelop.g_amount(year, basis="may") == may[year]
        # G changes on 1 May, so the calendar-year average lies below the new amount
        assert grunnbelop.g_amount(year) < grunnbelop.g_amount(year, basis="may")


def test_crosscheck_rows_agree_with_main_rows():
    with open(paths.RAW_DIR / "nav_grunnbelop.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    main = {(r["year"], r["indicator"]): r["value"] for r in rows if r["status"] != "crosscheck"}
    for r in rows:
        if r["status"] == "crosscheck":
            assert main[(r["year"], r["indicator"])] == r["value"]


def test_unknown_year():
    with pytest.raises(DataError, match="no grunnbeløp"):
        grunnbelop.g_amount(1999)
    with pytest.raises(ValueError):
        grunnbelop.g_amount(2020, basis="january")


def test_income_band_boundaries_follow_the_note():
    g = grunnbelop.g_amount(2022)
    assert grunnbelop.income_band(0, 2022) == 1
    assert grunnbelop.income_band(2 * g, 2022) == 1           # "≤ 2 G"
    assert grunnbelop.income_band(2 * g + 1, 2022) == 2
    assert grunnbelop.income_band(4 * g, 2022) == 2           # "mellom 2 og 4 G"
    assert grunnbelop.income_band(4 * g + 1, 2022) == 3       # "> 4 G"
    gm = grunnbelop.g_amount(2022, basis="may")
    assert grunnbelop.income_band(2 * gm, 2022, basis="may") == 1
    assert grunnbelop.income_band(2 * gm, 2022) == 2          # above 2 × the (lower) average G


def test_income_band_vectorised_with_years_and_missing():
    years = [2010, 2022, 2022, 2024]
    incomes = pd.Series([3 * grunnbelop.g_amount(2010), float("nan"), 10 * grunnbelop.g_amount(2022), 1.0],
                        index=list("abcd"))
    bands = grunnbelop.income_band(incomes, years)
    assert str(bands.dtype) == "Int64"
    assert list(bands.index) == list("abcd")
    assert bands["a"] == 2 and pd.isna(bands["b"]) and bands["c"] == 3 and bands["d"] == 1


def test_income_band_rejects_bad_input():
    with pytest.raises(ValueError):
        grunnbelop.income_band([1.0, 2.0], [2020, 2021, 2022])
    with pytest.raises(ValueError):
        grunnbelop.income_band(-5, 2020)
