"""The national insurance basic amount (grunnbeløp, G) and the note's income bands.

Values come from ``data/raw/nav_grunnbelop.csv`` (catalog id ``nav_grunnbelop``):
G from 1 May of each year and the average G over the calendar year (NAV's
``gjennomsnittPerÅr``). Annual incomes are compared with the calendar-year average by
default, because an annual income is earned over the whole year; ``basis="may"`` uses the
G that applied from 1 May.

The analysis note (chapter 4.1) groups household income in three bands:
1 = at most 2 G, 2 = more than 2 G and at most 4 G ("mellom 2 og 4 G"), 3 = more than 4 G.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from neethelpers import data
from neethelpers.errors import DataError

DATASET = "nav_grunnbelop"
INDICATOR_MAY = "Grunnbeløp (G) from 1 May"
INDICATOR_MONTH = "Grunnbeløp (G) per month from 1 May"
INDICATOR_AVERAGE = "Gjennomsnittlig G for calendar year (gjennomsnittPerÅr)"
BASES = {"average": INDICATOR_AVERAGE, "may": INDICATOR_MAY}
#: Band limits in multiples of G, as defined in the note.
BAND_LIMITS = (2.0, 4.0)


@lru_cache(maxsize=1)
def _table_cached(sha: str) -> pd.DataFrame:  # keyed by the catalog hash so a new snapshot reloads
    df = data.load(DATASET)
    main = df[df["status"] != "crosscheck"]
    wide = main.pivot_table(index="year", columns="indicator", values="value", aggfunc="first")
    out = pd.DataFrame({
        "year": wide.index.astype(int),
        "g_may": wide[INDICATOR_MAY].to_numpy(),
        "g_month": wide[INDICATOR_MONTH].to_numpy(),
        "g_average": wide[INDICATOR_AVERAGE].to_numpy(),
    })
    return out.sort_values("year").reset_index(drop=True)


def g_table() -> pd.DataFrame:
    """One row per year: ``year, g_may`` (G from 1 May, NOK/year), ``g_month`` (NOK/month),
    ``g_average`` (average G over the calendar year)."""
    return _table_cached(data.catalog_entry(DATASET)["sha256"]).copy()


def _file() -> str:
    return str(data.catalog_entry(DATASET)["file"])


def g_amount(year: int, basis: str = "average") -> float:
    """G in NOK for ``year``: the calendar-year average (default) or, with
    ``basis="may"``, the amount from 1 May."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}, not {basis!r}")
    table = g_table()
    hit = table.loc[table["year"] == int(year), "g_average" if basis == "average" else "g_may"]
    if hit.empty:
        raise DataError(_file(), "no grunnbeløp for this year", column="year", value=year,
                        expected=f"a year from {table['year'].min()} to {table['year'].max()}")
    return float(hit.iloc[0])


def income_band(income_nok, year, basis: str = "average"):
    """The note's household-income band: 1 (≤ 2 G), 2 (> 2 G and ≤ 4 G), 3 (> 4 G).

    ``income_nok`` and ``year`` may be scalars or array-likes of equal length (one year per
    income). Scalars give an ``int``; arrays give a nullable ``Int64`` Series (missing
    income -> ``<NA>``).
    """
    scalar = np.ndim(income_nok) == 0 and np.ndim(year) == 0
    incomes = pd.Series(np.atleast_1d(np.asarray(income_nok, dtype="float64")))
    years = np.atleast_1d(np.asarray(year))
    if len(years) == 1 and len(incomes) > 1:
        years = np.repeat(years, len(incomes))
    if len(years) != len(incomes):
        raise ValueError("income_nok and year must have the same length")
    if (incomes < 0).any():
        raise ValueError("income_nok must not be negative")
    g = pd.Series([g_amount(int(y), basis) for y in years]) if len(set(years.tolist())) > 1 \
        else pd.Series(g_amount(int(years[0]), basis), index=range(len(incomes)))
    low, high = BAND_LIMITS
    band = pd.Series(pd.NA, index=incomes.index, dtype="Int64")
    band[incomes <= low * g] = 1
    band[(incomes > low * g) & (incomes <= high * g)] = 2
    band[incomes > high * g] = 3
    if scalar:
        return None if pd.isna(band.iloc[0]) else int(band.iloc[0])
    if isinstance(income_nok, pd.Series):
        band.index = income_nok.index
    return band
