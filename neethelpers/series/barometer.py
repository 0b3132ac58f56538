"""A county barometer in the style of public-health county profiles.

One row per indicator the data support: the county's value, the national value for the
same year, the difference and whether the county does better or worse. Every row names
the year and the area the figure belongs to; where only a predecessor county's figure
exists (e.g. Viken for Akershus), the row says so — the value is never divided among
successor counties. Indicators that cannot be shown are returned as Norwegian sentences.

Better/worse is read from the values as shown (one decimal); equal shown values are
"som landet". No uncertainty is computed, so a small difference is not a significant one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from neethelpers.registry import counties
from neethelpers.series import county as county_series, national
from neethelpers.registry.crosswalk import _load

VGO = "vgo_completion_county"
NAV = "nav_health_benefits_county"

BETTER, WORSE, SAME = "bedre", "dårligere", "som landet"

#: Completion cohorts, newest first, with their indicator groups for "all pupils".
VGO_COHORTS = (
    ("2012 cohort", "Alle elever og lærlinger", "2012-kullet, fullført innen fem år"),
    ("2011 cohort (completion by 2016)", "Alle elever og lærlinger", "2011-kullet, fullført innen fem år"),
    ("1996 cohort (normert tid)", "I alt", "1996-kullet, fullført på normert tid"),
)
NAV_INDICATOR = "Nye personer med nedsatt arbeidsevne (flow, 1st quarter)"
NAV_AGE = "Under 30 år"


@dataclass
class Barometer:
    """The barometer table and the sentences about indicators that are missing."""

    table: pd.DataFrame
    missing: list[str] = field(default_factory=list)


def _verdict(county_value: float, national_value: float, higher_is_better: bool, decimals: int = 1) -> str:
    a, b = round(county_value, decimals), round(national_value, decimals)
    if a == b:
        return SAME
    return BETTER if (a > b) == higher_is_better else WORSE


def _row(indicator, year_text, area, value, nat, unit, higher_is_better, source) -> dict:
    return {
        "Indikator": indicator,
        "År": year_text,
        "Område": area,
        "Fylket": value,
        "Landet": nat,
        # difference of the values as shown (one decimal), so the row adds up for readers
        "Differanse": round(round(value, 1) - round(nat, 1), 1),
        "Enhet": unit,
        "Vurdering": _verdict(value, nat, higher_is_better),
        "Kilde": source,
    }


def _neet_row(county: counties.County) -> dict:
    h = county_series.headline(county.code)
    return _row("Unge utenfor arbeid, utdanning og tiltak (15–29 år)", str(h.year), f"{county.name} (dagens grenser)",
                h.share, h.national_share, "prosent", False, "SSB 13556, summert fra kommunene")


def _immigrant_rows(county: counties.County) -> tuple[list[dict], list[str]]:
    imm = county_series.immigrant_series(county.code)
    own = imm[~imm["is_predecessor"]]
    final_own = own[own["release"] == national.FINAL]
    use = final_own if len(final_own) else own
    missing: list[str] = []
    if not len(use):
        return [], [f"Tall for innvandrere og befolkningen ellers finnes ikke for {county.name}."]
    year = int(use["year"].max())
    rows_year = use[use["year"] == year]
    release = rows_year["release"].iloc[0]
    nat = national.register_by_immigrant().set_index(["year", "group"])
    rows = []
    for group, label in (("Innvandrere", "innvandrere"), ("Befolkningen eksklusive innvandrere", "befolkningen ellers")):
        r = rows_year[rows_year["group"] == group]
        if not len(r):
            missing.append(f"NEET-andelen blant {label} i {county.name} mangler for {year}.")
            continue
        year_text = f"{year} (foreløpig)" if release == national.PRELIMINARY else str(year)
        rows.append(_row(f"Unge utenfor blant {label} (15–29 år)", year_text, county.name, float(r["share"].iloc[0]),
                         float(nat.loc[(year, group), "share"]), "prosent", False, "SSB 13563, summert fra kommunene"))
    if len(final_own) == 0:
        preds = imm[imm["is_predecessor"]]
        if len(preds):
            last = int(preds["year"].max())
            names = " og ".join(sorted(preds.loc[preds["year"] == last, "area"].unique()))
            missing.append(
                f"{county.name} har egne tall for innvandrere bare for {year}, som er foreløpige. "
                f"Endelige tall fram til {last} gjelder {names} og vises i avsnittet om innvandrere."
            )
    return rows, missing


def vgo_completion() -> pd.DataFrame:
    """Completion rows (all pupils) by cohort and county code of the old structure,
    dropping rounded quotes where an exact figure exists for the same cohort and county."""
    df = _load(VGO)
    rows = []
    for period, group, label in VGO_COHORTS:
        d = df[(df["period"] == period) & (df["group"] == group)].copy()
        d["rounded"] = d["note"].str.contains("(rounded)", regex=False)
        d = d.sort_values("rounded").drop_duplicates("region_code", keep="first")
        d["cohort"] = label
        rows.append(d[["period", "cohort", "region_code", "region_name", "value"]])
    return pd.concat(rows, ignore_index=True)


def _vgo_rows(county: counties.County) -> tuple[list[dict], list[str]]:
    vgo = vgo_completion()
    preds = counties.predecessor_in(county, 2012)
    rows, missing = [], []
    for pred in preds:
        for period, _group, label in VGO_COHORTS:
            d = vgo[vgo["period"] == period].set_index("region_code")
            if pred.code in d.index and counties.NATIONAL_CODE in d.index:
                rows.append(_row("Fullført og bestått videregående opplæring", label,
                                 f"{pred.name} (fylkesgrensene før 2020)", float(d.loc[pred.code, "value"]),
                                 float(d.loc[counties.NATIONAL_CODE, "value"]), "prosent", True,
                                 "SSB/Udir, sitert i artikler og SSB-tabell"))
                if period != VGO_COHORTS[0][0]:
                    missing.append(
                        f"For {pred.name} finnes fullføringstall i datagrunnlaget bare til og med {label.split(',')[0]}; "
                        "nyere kull er ikke med."
                    )
                break
    if not rows:
        missing.append(f"Fullføring i videregående opplæring finnes ikke for {county.name} i datagrunnlaget.")
    missing.append(
        "Fullføring i videregående finnes bare for fylkene slik de var før 2020, og bare for kullene "
        "som startet i 1996, 2011 og 2012 — ikke som tidsserie på dagens fylkesgrenser."
    )
    return rows, missing


def _nav_rows(county: counties.County) -> tuple[list[dict], list[str]]:
    df = _load(NAV)
    d = df[(df["indicator"] == NAV_INDICATOR) & (df["age_group"] == NAV_AGE)].dropna(subset=["value"])
    if not len(d):
        return [], ["NAVs tall for nye personer med nedsatt arbeidsevne mangler."]
    period = sorted(d["period"].unique())[-1]  # e.g. "2023K1"
    year = int(period[:4])
    cur = d[d["period"] == period].set_index("region_code")
    own = county_series.own_border_sums().set_index(["year", "region_code"])
    nat_res = county_series.national_series().set_index("year")
    res_year = year - 1  # residents at the end of the year before the first quarter
    rows, missing = [], []
    preds = counties.predecessor_in(county, year)
    for pred in preds:
        if pred.code not in cur.index or (res_year, pred.code) not in own.index:
            missing.append(f"NAVs tall for nye personer med nedsatt arbeidsevne mangler for {pred.name} i {year}.")
            continue
        rate = float(cur.loc[pred.code, "value"]) / float(own.loc[(res_year, pred.code), "residents"]) * 1000
        nat = float(cur.loc[counties.NATIONAL_CODE, "value"]) / float(nat_res.loc[res_year, "residents"]) * 1000
        area = county.name if pred is county else f"{pred.name} ({pred.period_text})"
        rows.append(_row("Nye personer med nedsatt arbeidsevne under 30 år (1. kvartal) per 1 000 bosatte 15–29 år",
                         f"1. kvartal {year}", area, rate, nat, "per 1 000", False,
                         f"NAV (antall), SSB 13556 (bosatte 15–29 år i {res_year})"))
    missing.append(
        "Andelen unge som mottar arbeidsavklaringspenger eller uføretrygd finnes ikke per fylke i datagrunnlaget; "
        "NAV-raden viser nye tilfeller av nedsatt arbeidsevne i første kvartal, regnet per 1 000 unge bosatte."
    )
    return rows, missing


def barometer(county_code: str) -> Barometer:
    """The barometer for a current county (code or name)."""
    county = counties.resolve(county_code)
    rows = [_neet_row(county)]
    missing: list[str] = []
    for part in (_immigrant_rows, _vgo_rows, _nav_rows):
        r, m = part(county)
        rows += r
        missing += m
    return Barometer(pd.DataFrame(rows), missing)
