"""Trend of a NEET share over the last five comparable years, and the change since the
previous year.

Trend test: a logistic regression of the share on year (statsmodels GLM, binomial family,
logit link, counts as (NEET, not NEET) per year), over the last :data:`TREND_YEARS` final
years after SSB's 2014/2015 break. The slope is tested with its Wald z-test at the 5 %
level: a significant positive slope is «økende», a significant negative one «synkende»,
otherwise «ingen signifikant endring». Only binomial variation is assumed, as in
Fingertips' and FHI's tests on register counts; large populations therefore show a
significant trend even for a small change, and the size of the change is shown next to it.

Change since the previous year: the difference of the two shares with Newcombe's hybrid
score interval (:func:`neethelpers.series.intervals.newcombe_difference`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

from neethelpers.errors import NeetError
from neethelpers.registry import counties
from neethelpers.series import county as county_series, intervals, national

TREND_YEARS = 5
RISING, FALLING, FLAT = "økende", "synkende", "ingen signifikant endring"
#: Marker shown with the trend word (the word is always shown too).
TREND_SYMBOLS = {RISING: "↗", FALLING: "↘", FLAT: "→"}


@dataclass(frozen=True)
class Trend:
    first_year: int
    last_year: int
    slope: float  # log-odds per year
    odds_ratio: float  # per year
    p_value: float
    direction: str  # RISING / FALLING / FLAT
    first_share: float  # observed, percent
    last_share: float

    @property
    def symbol(self) -> str:
        return TREND_SYMBOLS[self.direction]

    @property
    def text(self) -> str:
        return f"{self.symbol} {self.direction}"


def logistic_trend(years, events, totals, alpha: float = intervals.ALPHA) -> Trend:
    """Logistic regression of events/totals on year (binomial GLM); the trend marker."""
    years = np.asarray(years, dtype=float)
    events = np.asarray(events, dtype=float)
    totals = np.asarray(totals, dtype=float)
    if len(years) < 2 or len(set(years)) < 2:
        raise NeetError(f"a trend needs at least two different years, got {years.tolist()}")
    intervals._check_counts(events, totals, "trend")
    order = np.argsort(years)
    years, events, totals = years[order], events[order], totals[order]
    exog = sm.add_constant(years - years.mean())
    endog = np.column_stack([events, totals - events])
    with warnings.catch_warnings():
        # an exact fit (two years, or identical shares) is a valid answer here, not a problem
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        res = sm.GLM(endog, exog, family=sm.families.Binomial()).fit()
    slope, p = float(res.params[1]), float(res.pvalues[1])
    direction = FLAT if not p < alpha else (RISING if slope > 0 else FALLING)
    return Trend(int(years[0]), int(years[-1]), slope, float(np.exp(slope)), p, direction,
                 float(events[0] / totals[0] * 100), float(events[-1] / totals[-1] * 100))


def comparable_years(series: pd.DataFrame, last_year: int | None = None, n: int = TREND_YEARS) -> list[int]:
    """The last ``n`` final years up to ``last_year``, all after the 2014/2015 break."""
    final = series[(series["release"] == national.FINAL) & (series["year"] >= national.REGISTER_BREAK_YEAR)]
    years = sorted(int(y) for y in final["year"].unique() if last_year is None or y <= last_year)
    return years[-n:]


def county_trend(county_code: str, last_year: int | None = None) -> Trend:
    """Trend of a current county's NEET share (today's borders) over the last five final years."""
    code = counties.by_code(county_code).code
    cs = county_series.county_series()
    d = cs[cs["county_code"] == code]
    d = d[d["year"].isin(comparable_years(d, last_year))]
    return logistic_trend(d["year"], d["neet"], d["residents"])


def national_trend(last_year: int | None = None) -> Trend:
    n = county_series.national_series()
    d = n[n["year"].isin(comparable_years(n, last_year))]
    return logistic_trend(d["year"], d["neet"], d["residents"])


@dataclass(frozen=True)
class Change:
    year: int
    previous_year: int
    share: float
    previous_share: float
    diff: float  # percentage points
    lower: float
    upper: float

    @property
    def significant(self) -> bool:
        return self.lower > 0 or self.upper < 0


def county_change(county_code: str, year: int | None = None) -> Change:
    """Change in a county's share from the year before ``year`` (default: newest final year)."""
    code = counties.by_code(county_code).code
    cs = county_series.county_series()
    year = county_series.latest_final_year() if year is None else int(year)
    d = cs[cs["county_code"] == code].set_index("year")
    cur, prev = d.loc[year], d.loc[year - 1]
    diff, lo, hi = intervals.newcombe_difference(int(cur["neet"]), int(cur["residents"]), int(prev["neet"]),
                                                  int(prev["residents"]))
    return Change(year, year - 1, float(cur["share"]), float(prev["share"]), diff, lo, hi)


@national.cached_frame
def all_trends(last_year: int | None = None) -> pd.DataFrame:
    """Trend of every current county: county_code, county_name, first_year, last_year,
    slope, odds_ratio, p_value, direction, symbol."""
    rows = []
    for c in counties.CURRENT_COUNTIES:
        t = county_trend(c.code, last_year)
        rows.append({"county_code": c.code, "county_name": c.name, "first_year": t.first_year,
                     "last_year": t.last_year, "slope": t.slope, "odds_ratio": t.odds_ratio, "p_value": t.p_value,
                     "direction": t.direction, "symbol": t.symbol})
    return pd.DataFrame(rows)
