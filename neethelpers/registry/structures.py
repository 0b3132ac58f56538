"""Put figures from different county structures side by side — without inventing numbers.

Norway had 19 counties until 2017, 18 in 2018–2019, 11 in 2020–2023 and 15 from 2024.
A figure published for Viken (2020–2023) belongs to Viken: on the page of today's
Akershus it is shown *labelled as Viken's*, never divided among Østfold, Akershus and
Buskerud. These helpers select and label rows; they never change a value.

Typical use on a county page::

    df = data.load("ssb_13556_county_sex_age_own_borders")
    aligned = structures.align_to_current(df, "Akershus")
    # aligned["belongs_to"]: "Akershus (til og med 2019)", "Viken (2020–2023)", "Akershus"
    # aligned["relation"]: "predecessor", "larger_predecessor", "county"
"""

from __future__ import annotations

import pandas as pd

from neethelpers.errors import UnknownCountyError
from neethelpers.presentation import fmt
from neethelpers.registry import counties
from neethelpers.registry.counties import County

#: Relation of a row's region to the current county (column ``relation``).
RELATIONS = {
    "county": "fylket selv",
    "predecessor": "forløper med omtrent samme område",
    "larger_predecessor": "større forløper: tallet gjelder hele {pred}, også områder som nå hører til {others}",
    "part_predecessor": "én av flere forløpere: {pred} ble en del av {county}",
}


def structure_name(year: int) -> str:
    """Norwegian name of the county structure in ``year``, e.g. ``"11 fylker (2020–2023)"``."""
    n = len(counties.counties_in(int(year)))
    if year >= counties.CURRENT_STRUCTURE_FROM:
        return f"{n} fylker (fra {counties.CURRENT_STRUCTURE_FROM})"
    if year >= 2020:
        return f"{n} fylker (2020–2023)"
    if year >= 2018:
        return f"{n} fylker (2018–2019)"
    return f"{n} fylker (til og med 2017)"


def label_region(code: str, year: int | None = None, *, with_period: bool | None = None) -> str:
    """Canonical Norwegian label of a region code as it was in ``year``.

    ``"0"`` → ``"Hele landet"``; a current county → its name (``"Akershus"``); a county
    that no longer exists → name and period (``"Viken (2020–2023)"``,
    ``"Akershus (til og med 2019)"``). ``with_period=True`` adds the period to current
    counties too (``"Akershus (fra 2024)"``).
    """
    code = str(code).strip()
    if code == counties.NATIONAL_CODE:
        return counties.NATIONAL_NAME
    county = counties.by_code(code, year)
    show = (not county.is_current) if with_period is None else with_period
    return f"{county.name} ({county.period_text})" if show else county.name


def _resolve_current(county: str | County) -> County:
    c = county if isinstance(county, County) else counties.resolve(str(county))
    if not c.is_current:
        raise UnknownCountyError(f"{c.name} is not a current county; {counties.history(c) or ''}".strip())
    return c


def _relation(current: County, pred: County, year: int) -> tuple[str, str]:
    if pred is current:
        return "county", RELATIONS["county"]
    sharing = [c for c in counties.current_counties() if pred in counties.predecessor_in(c, year)]
    if len(sharing) > 1:
        others = [c.name for c in sharing if c is not current]
        return "larger_predecessor", RELATIONS["larger_predecessor"].format(pred=pred.name, others=fmt.words(others))
    if len(counties.predecessor_in(current, year)) > 1:
        return "part_predecessor", RELATIONS["part_predecessor"].format(pred=pred.name, county=current.name)
    return "predecessor", RELATIONS["predecessor"]


def regions_for(county: str | County, year: int) -> list[tuple[County, str, str]]:
    """``[(region, relation, relation_text), ...]`` whose figures in ``year`` belong on the
    page of the current ``county``: the county itself, or its predecessor(s) that year."""
    current = _resolve_current(county)
    preds = counties.predecessor_in(current, int(year))
    return [(p, *_relation(current, p, int(year))) for p in preds]


def align_to_current(df: pd.DataFrame, county: str | County, *, year_col: str = "year",
                     code_col: str = "region_code") -> pd.DataFrame:
    """Rows of ``df`` for the current ``county`` and for its predecessors, each labelled.

    For each year, keeps the rows whose region code is the county itself (if it existed
    that year) or one of its predecessors in that year's structure. Adds:

    ``belongs_to``     label of the region the value belongs to (``"Viken (2020–2023)"``)
    ``belongs_to_code`` that region's code in that year
    ``relation``       ``county`` / ``predecessor`` / ``larger_predecessor`` / ``part_predecessor``
    ``relation_text``  a Norwegian sentence for notes and captions
    ``structure``      the county structure of that year (``"11 fylker (2020–2023)"``)

    Values are never modified, split or summed: a Viken figure stays Viken's. Rows without
    a year are dropped (their structure is unknown).
    """
    current = _resolve_current(county)
    for col in (year_col, code_col):
        if col not in df.columns:
            raise KeyError(f"align_to_current needs a {col!r} column")
    years = pd.to_numeric(df[year_col], errors="coerce")
    pieces = []
    for year in sorted(int(y) for y in years.dropna().unique()):
        at_year = df[years == year]
        for region, relation, text in regions_for(current, year):
            rows = at_year[at_year[code_col].astype(str) == region.code]
            if rows.empty:
                continue
            pieces.append(rows.assign(
                belongs_to=label_region(region.code, year),
                belongs_to_code=region.code,
                relation=relation,
                relation_text=text,
                structure=structure_name(year),
            ))
    extra = ["belongs_to", "belongs_to_code", "relation", "relation_text", "structure"]
    if not pieces:
        return df.iloc[0:0].assign(**{c: pd.Series(dtype="str") for c in extra})
    return pd.concat(pieces).sort_index(kind="stable")


def structure_breaks(county: str | County, years) -> list[int]:
    """Years in ``years`` where the region behind the current ``county``'s figures changes
    (e.g. ``[2020, 2024]`` for Akershus). Plot lines should not connect across a break."""
    current = _resolve_current(county)
    breaks, previous = [], None
    for year in sorted({int(y) for y in years}):
        regions = tuple(r.key for r, _, _ in regions_for(current, year))
        if previous is not None and regions != previous:
            breaks.append(year)
        previous = regions
    return breaks
