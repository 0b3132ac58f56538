"""Municipalities of a county with three-year averages and 95 % intervals.

A municipality's share over the three newest years is the pooled share: NEET counts of the
three years summed, divided by the residents summed (the average of the yearly shares
weighted by residents). Each year's municipality codes are carried to today's (2024)
municipality by the municipal successions; where a municipality of an earlier year was
split between several of today's municipalities, that year cannot be assigned and is left
out for them (``years_used`` says which years a figure rests on).

Interval: Wilson score interval of the pooled counts. The same young person is usually
counted in all three years, so the interval is a little too narrow; it still shows which
municipalities are too small to be ranked. A municipality whose interval contains the
county's own three-year share is marked «ikke forskjellig fra fylket».
"""

from __future__ import annotations

import pandas as pd

from neethelpers.registry import counties
from neethelpers.registry.crosswalk import _forward
from neethelpers.series import county as county_series, intervals, national

N_YEARS = 3
HIGHER, LOWER, NOT_DIFFERENT = "høyere enn fylket", "lavere enn fylket", "ikke forskjellig fra fylket"


@national.cached_frame
def _to_2024(years: tuple[int, ...]) -> pd.DataFrame:
    """Municipality rows of ``years`` with their 2024 municipality code (``None`` if split)."""
    ms = county_series.municipality_series()
    ms = ms[ms["year"].isin(years)].copy()
    targets = []
    for code, year in zip(ms["municipality_code"], ms["year"]):
        fwd = _forward(code, int(year))
        targets.append(next(iter(fwd[0])) if fwd is not None and len(fwd[0]) == 1 else None)
    ms["code_2024"] = targets
    return ms


def three_year(county_code: str, last_year: int | None = None) -> pd.DataFrame:
    """Today's municipalities of a county: municipality_code, municipality_name, years_used,
    residents, neet (summed), share, lower, upper, county_share, comparison."""
    code = counties.resolve(county_code).code
    ms_all = county_series.municipality_series()
    last_year = int(ms_all["year"].max()) if last_year is None else int(last_year)
    years = tuple(range(last_year - N_YEARS + 1, last_year + 1))
    ms = _to_2024(years)
    ms = ms[ms["county_code"] == code]
    names = ms_all[(ms_all["year"] == last_year) & (ms_all["county_code"] == code)].set_index("municipality_code")
    rows = []
    county_x = county_n = 0
    for m, name in names["municipality_name"].items():
        d = ms[ms["code_2024"] == m]
        # a year is used only if no part of the municipality came from a split code that year
        split_years = set(ms.loc[ms["code_2024"].isna(), "year"]) if (ms["code_2024"].isna()).any() else set()
        bad = {y for y in split_years if _touches(m, y)}
        d = d[~d["year"].isin(bad)]
        x, n = int(d["neet"].sum()), int(d["residents"].sum())
        lo, hi = intervals.wilson(x, n)
        rows.append({"municipality_code": m, "municipality_name": name,
                     "years_used": ", ".join(str(y) for y in sorted(d["year"].unique())), "residents": n,
                     "neet": x, "share": x / n * 100, "lower": float(lo), "upper": float(hi)})
    c = ms.groupby("year")[["neet", "residents"]].sum().sum()
    county_x, county_n = int(c["neet"]), int(c["residents"])
    out = pd.DataFrame(rows)
    cs = county_x / county_n * 100
    out["county_share"] = cs
    out["comparison"] = [NOT_DIFFERENT if lo <= cs <= hi else (HIGHER if s > cs else LOWER)
                         for s, lo, hi in zip(out["share"], out["lower"], out["upper"])]
    out.attrs["years"] = years
    out.attrs["preliminary"] = sorted(int(y) for y in ms_all.loc[(ms_all["year"].isin(years))
                                      & (ms_all["release"] == national.PRELIMINARY), "year"].unique())
    return out.sort_values("share", ascending=False).reset_index(drop=True)


def _touches(code_2024: str, year: int) -> bool:
    """Whether a municipality of ``year`` that was later split fed ``code_2024``."""
    ms = county_series.municipality_series()
    for code in ms.loc[ms["year"] == year, "municipality_code"]:
        fwd = _forward(code, year)
        if fwd is not None and len(fwd[0]) > 1 and code_2024 in fwd[0]:
            return True
    return False
