"""The county barometer: the same indicators, year and source for all 15 counties, each
with a 95 % Wilson interval, the national value and a tested verdict.

Rows (see :data:`INDICATORS`):

* NEET 15–29, by sex, by age group (15–19, 20–24, 25–29) and for immigrants and the rest of
  the population: SSB tables 13556 and 13563 per county. These breakdowns exist per county
  only on the borders of each year, so the one year in which all 15 of today's counties
  have them is the first year of today's structure, 2024 (SSB's preliminary release in the
  shipped extract) — :func:`breakdown_year`. Every NEET row of every county uses that year.
  15–19 is 15–29 minus 20–24 and 25–29 (SSB does not publish it per county).
* NAV's youth health-benefit indicators, per 1 000 residents aged 15–29 of the same year and
  borders: new recipients of work assessment allowance under 30 (2nd quarter) and disability
  benefit recipients aged 18–29. For each, the newest period in which every current county
  is one county or a union of whole counties of that time (:func:`nav_period`); NAV
  publishes new persons with reduced work capacity only on the 2020–2023 borders, where
  Viken, Vestfold og Telemark and Troms og Finnmark cannot be divided, so that indicator is
  left out and the reason is given (:func:`omitted`).
* Upper-secondary completion is left out: the shipped data have a complete set of counties
  only for the 1996 cohort, on pre-2020 borders, and mixing cohorts would make counties
  incomparable (:func:`omitted` says so from the data).

Verdict: two-proportion z-test of the county against the rest of the country
(:func:`neethelpers.series.intervals.compare_to_rest`), 5 % level. For every indicator here a
lower value is better.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neethelpers.errors import DataError
from neethelpers.presentation import fmt
from neethelpers.registry import counties
from neethelpers.registry.crosswalk import _load
from neethelpers.series import county as county_series, intervals, national

SEX_AGE = "ssb_13556_county_sex_age_own_borders"
IMMIGRANT = county_series.IMMIGRANT_OWN_BORDERS
NAV = "nav_health_benefits_county"
VGO = "vgo_completion_county"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str  # Norwegian row label
    source: str  # Norwegian source text
    per: int = 100  # 100: percent; 1000: per 1 000
    group: str = "NEET"
    short: str = ""  # short Norwegian name for running text


NEET_SOURCE = "SSB tabell 13556 per fylke"
INDICATORS: tuple[Indicator, ...] = (
    Indicator("neet", "Unge utenfor arbeid, utdanning og tiltak, 15–29 år", NEET_SOURCE, short="alle 15–29 år"),
    Indicator("neet_men", "– menn 15–29 år", NEET_SOURCE, short="menn"),
    Indicator("neet_women", "– kvinner 15–29 år", NEET_SOURCE, short="kvinner"),
    Indicator("neet_15_19", "– 15–19 år", NEET_SOURCE + " (15–29 minus 20–24 og 25–29)", short="15–19 år"),
    Indicator("neet_20_24", "– 20–24 år", NEET_SOURCE, short="20–24 år"),
    Indicator("neet_25_29", "– 25–29 år", NEET_SOURCE, short="25–29 år"),
    Indicator("neet_immigrants", "– innvandrere 15–29 år", "SSB tabell 13563 per fylke", short="innvandrere"),
    Indicator("neet_rest", "– befolkningen ellers 15–29 år", "SSB tabell 13563 per fylke", short="befolkningen ellers"),
    Indicator("nav_aap", "Nye mottakere av arbeidsavklaringspenger under 30 år (2. kvartal), per 1 000 bosatte 15–29 år",
              "NAV; bosatte fra SSB tabell 13556", per=1000, group="NAV", short="nye mottakere av arbeidsavklaringspenger"),
    Indicator("nav_disability", "Mottakere av uføretrygd 18–29 år, per 1 000 bosatte 15–29 år",
              "NAV; bosatte fra SSB tabell 13556", per=1000, group="NAV", short="mottakere av uføretrygd"),
)
BY_KEY = {i.key: i for i in INDICATORS}

# NAV rows: indicator text and age group in the NAV file.
NAV_SERIES = {
    "nav_aap": ("Nye mottakere av arbeidsavklaringspenger (flow, 2nd quarter)", "Under 30 år"),
    "nav_disability": ("Mottakere av uføretrygd", "18-29"),
}
NAV_REDUCED_CAPACITY = ("Nye personer med nedsatt arbeidsevne (flow, 1st quarter)", "Under 30 år")


def _year_of(period: str) -> int:
    return int(str(period)[:4])


# --- NEET breakdowns ----------------------------------------------------------------------


def breakdown_year() -> int:
    """The newest year in which every current county has NEET by sex, age and immigrant
    background on its own (today's) borders."""
    sa = _load(SEX_AGE)
    im = _load(IMMIGRANT)
    wanted = {c.code for c in counties.CURRENT_COUNTIES}
    years = []
    for y in sorted(set(sa["year"].astype(int)) & set(im["year"].astype(int)), reverse=True):
        if y < counties.CURRENT_STRUCTURE_FROM:
            continue
        have = set(sa.loc[sa["year"].astype(int) == y, "region_code"]) & set(im.loc[im["year"].astype(int) == y,
                                                                                     "region_code"])
        if wanted <= have:
            years.append(y)
    if not years:
        raise DataError(SEX_AGE, "no year with all 15 current counties by sex, age and immigrant background",
                        column="year", expected=f"a year from {counties.CURRENT_STRUCTURE_FROM} with codes "
                                                f"{sorted(wanted)}")
    return years[0]


@national.cached_frame
def county_sex_age(year: int) -> pd.DataFrame:
    """Residents and NEET by county, sex and age group (15–19 derived) in ``year``:
    region_code, sex, age_group, residents, neet, share, release."""
    wide = national.counts_wide(_load(SEX_AGE), ["year", "region_code", "sex", "age_group"])
    wide = wide[wide["year"].astype(int) == year].drop(columns=["year", "derived"])
    idx = ["region_code", "sex"]
    w = wide.pivot_table(index=idx, columns="age_group", values=["residents", "neet"], aggfunc="sum")
    young = pd.DataFrame({
        "residents": w[("residents", "15-29")] - w[("residents", "20-24")] - w[("residents", "25-29")],
        "neet": w[("neet", "15-29")] - w[("neet", "20-24")] - w[("neet", "25-29")],
    }).reset_index().assign(age_group="15-19")
    young = young.merge(wide[wide["age_group"] == "15-29"][idx + ["release"]], on=idx)
    young["share"] = young["neet"] / young["residents"] * 100
    out = pd.concat([wide, young], ignore_index=True)
    return out[["region_code", "sex", "age_group", "residents", "neet", "share", "release"]]


@national.cached_frame
def county_immigrant(year: int) -> pd.DataFrame:
    """Residents and NEET by county and immigrant category in ``year`` (15–29)."""
    wide = national.counts_wide(_load(IMMIGRANT), ["year", "region_code", "group"])
    wide = wide[wide["year"].astype(int) == year]
    return wide[["region_code", "group", "residents", "neet", "share", "release"]].reset_index(drop=True)


_SEX_AGE_KEYS = {
    "neet": ("Begge kjønn", "15-29"), "neet_men": ("Menn", "15-29"), "neet_women": ("Kvinner", "15-29"),
    "neet_15_19": ("Begge kjønn", "15-19"), "neet_20_24": ("Begge kjønn", "20-24"),
    "neet_25_29": ("Begge kjønn", "25-29"),
}
_IMM_KEYS = {"neet_immigrants": "Innvandrere", "neet_rest": "Befolkningen eksklusive innvandrere"}


def _neet_counts(year: int) -> pd.DataFrame:
    """indicator, region_code (15 counties and national "0"), x, n, release for the NEET rows."""
    rows = []
    sa = county_sex_age(year)
    nat_sa = national.register_by_sex_age()
    nat_sa = nat_sa[nat_sa["year"] == year]
    for key, (sex, age) in _SEX_AGE_KEYS.items():
        d = sa[(sa["sex"] == sex) & (sa["age_group"] == age)]
        rows += [{"indicator": key, "region_code": r.region_code, "x": r.neet, "n": r.residents,
                  "release": r.release} for r in d.itertuples()]
        n = nat_sa[(nat_sa["sex"] == sex) & (nat_sa["age_group"] == age)].iloc[0]
        rows.append({"indicator": key, "region_code": counties.NATIONAL_CODE, "x": n["neet"], "n": n["residents"],
                     "release": n["release"]})
    im = county_immigrant(year)
    nat_im = national.register_by_immigrant()
    nat_im = nat_im[nat_im["year"] == year]
    for key, group in _IMM_KEYS.items():
        d = im[im["group"] == group]
        rows += [{"indicator": key, "region_code": r.region_code, "x": r.neet, "n": r.residents,
                  "release": r.release} for r in d.itertuples()]
        n = nat_im[nat_im["group"] == group].iloc[0]
        rows.append({"indicator": key, "region_code": counties.NATIONAL_CODE, "x": n["neet"], "n": n["residents"],
                     "release": n["release"]})
    out = pd.DataFrame(rows)
    out["year"] = year
    out["period_text"] = [f"{year} (foreløpige tall)" if r == national.PRELIMINARY else str(year)
                          for r in out["release"]]
    out["borders"] = "dagens fylkesgrenser"
    return out


# --- NAV ----------------------------------------------------------------------------------


def _nav(indicator: str, age: str) -> pd.DataFrame:
    d = _load(NAV)
    return d[(d["indicator"] == indicator) & (d["age_group"] == age) & (d["sex"] == "Begge kjønn")
             ].dropna(subset=["value"])


def _parts(period_rows: pd.DataFrame, year: int) -> dict[str, tuple[str, ...]] | None:
    """For each current county, the codes of the counties of ``year`` it is made of, if
    every one is in ``period_rows`` and none is shared with another current county."""
    have = set(period_rows["region_code"])
    parts = {c.code: tuple(p.code for p in counties.predecessor_in(c, year)) for c in counties.CURRENT_COUNTIES}
    used = [code for codes in parts.values() for code in codes]
    if len(used) != len(set(used)) or not set(used) <= have:
        return None
    return parts


def nav_period(key: str) -> str | None:
    """The newest period of a NAV series where all 15 current counties can be formed from
    whole counties of that time (``None`` if there is none)."""
    ind, age = NAV_SERIES[key] if key in NAV_SERIES else NAV_REDUCED_CAPACITY
    d = _nav(ind, age)
    for period in sorted(d["period"].unique(), reverse=True):
        if _parts(d[d["period"] == period], _year_of(period)) is not None:
            return period
    return None


def _nav_counts(key: str) -> pd.DataFrame:
    ind, age = NAV_SERIES[key]
    period = nav_period(key)
    if period is None:
        return pd.DataFrame()
    year = _year_of(period)
    d = _nav(ind, age)
    d = d[d["period"] == period].set_index("region_code")["value"]
    parts = _parts(d.reset_index(), year)
    res = county_series.own_border_sums()
    res = res[res["year"] == year].set_index("region_code")["residents"]
    nat_res = county_series.national_series().set_index("year").loc[year, "residents"]
    text = (f"1. juli {year}" if "-06-30" in period else
            f"{period[-1]}. kvartal {year}" if "K" in period else str(period))
    rows = []
    for code, codes in parts.items():
        names = [counties.by_code(c, year).name for c in codes]
        current = counties.by_code(code)
        same = len(codes) == 1 and names[0] == current.name
        rows.append({"indicator": key, "region_code": code, "x": float(d.loc[list(codes)].sum()),
                     "n": float(res.loc[list(codes)].sum()), "period_text": text,
                     "borders": ("fylkesgrensene i " + str(year)) + ("" if same else f" ({' + '.join(names)})")})
    rows.append({"indicator": key, "region_code": counties.NATIONAL_CODE, "x": float(d.loc[counties.NATIONAL_CODE]),
                 "n": float(nat_res), "period_text": text, "borders": ""})
    out = pd.DataFrame(rows)
    out["year"] = year
    out["release"] = national.FINAL
    return out


# --- barometer ------------------------------------------------------------------------------


@national.cached_frame
def counts() -> pd.DataFrame:
    """Counts behind every barometer row, all 15 counties and the nation:
    indicator, region_code, x, n, year, period_text, borders, release."""
    parts = [_neet_counts(breakdown_year())] + [_nav_counts(k) for k in NAV_SERIES]
    return pd.concat([p for p in parts if len(p)], ignore_index=True)


@national.cached_frame
def all_counties() -> pd.DataFrame:
    """The barometer of every county: one row per county and indicator with
    value, lower, upper (95 % Wilson, in the indicator's unit), national, rest,
    p_value, verdict, symbol, and the counts behind them."""
    c = counts()
    rows = []
    for key, d in c.groupby("indicator", sort=False):
        ind = BY_KEY[key]
        nat = d[d["region_code"] == counties.NATIONAL_CODE].iloc[0]
        scale = ind.per / 100
        for r in d[d["region_code"] != counties.NATIONAL_CODE].itertuples():
            comp = intervals.compare_to_rest(int(r.x), int(r.n), int(nat.x), int(nat.n), higher_is_better=False)
            rows.append({
                "indicator": key, "label": ind.label, "region_code": r.region_code,
                "county_name": counties.by_code(r.region_code).name, "period": r.period_text, "year": r.year,
                "borders": r.borders, "x": int(r.x), "n": int(r.n),
                "value": comp.share * scale, "lower": comp.lower * scale, "upper": comp.upper * scale,
                "national": nat.x / nat.n * 100 * scale, "rest": comp.reference_share * scale,
                "p_value": comp.p_value, "verdict": comp.verdict, "symbol": comp.symbol,
                "per": ind.per, "source": ind.source,
            })
    return pd.DataFrame(rows)


def barometer(county_code: str) -> pd.DataFrame:
    """The barometer rows of one current county (code or name), in :data:`INDICATORS` order."""
    code = counties.resolve(county_code).code
    b = all_counties()
    order = {i.key: k for k, i in enumerate(INDICATORS)}
    b = b[b["region_code"] == code].copy()
    return b.sort_values("indicator", key=lambda s: s.map(order)).reset_index(drop=True)


def display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Reader table: Indikator, År, Fylket (95 % KI), Landet, Vurdering (symbol + words),
    Område og kilde. Values in percent or per 1 000 as the row says."""
    def dec(per: int) -> int:
        return 1 if per == 100 else 2

    unit = {100: "%", 1000: "‰"}
    return pd.DataFrame({
        "Indikator": rows["label"],
        "År": rows["period"],
        "Fylket (95 % KI)": [intervals.interval_text(v, lo, hi, dec(p)) + f" {unit[p]}"
                             for v, lo, hi, p in zip(rows["value"], rows["lower"], rows["upper"], rows["per"])],
        "Landet": [f"{fmt.number(v, dec(p))} {unit[p]}" for v, p in zip(rows["national"], rows["per"])],
        "Vurdering": [f"{s} {v}" for s, v in zip(rows["symbol"], rows["verdict"])],
        "Område og kilde": [(f"{b}; " if b else "") + s for b, s in zip(rows["borders"], rows["source"])],
    })


def vgo_coverage() -> pd.DataFrame:
    """Upper-secondary completion: for each cohort in the data, how many counties (of the
    structure it was published for) have a figure. Columns: cohort, n_counties, structure."""
    df = _load(VGO)
    df = df[df["region_code"] != counties.NATIONAL_CODE]
    out = df.groupby("period")["region_code"].nunique().rename("n_counties").reset_index()
    return out.rename(columns={"period": "cohort"})


def omitted() -> list[str]:
    """Norwegian sentences on indicators left out of the barometer, and why (from the data)."""
    cov = vgo_coverage()
    full = cov[cov["n_counties"] >= len(counties.counties_in(2019))]
    partial = cov[cov["n_counties"] < len(counties.counties_in(2019))]
    out = []
    cohorts_full = ", ".join(c.split(" ")[0] for c in full["cohort"]) or "ingen"
    cohorts_partial = ", ".join(f"{c.split(' ')[0]} ({n} fylker)" for c, n in zip(partial["cohort"],
                                                                                   partial["n_counties"]))
    out.append(
        "Fullført videregående opplæring er ikke med i barometeret. Datagrunnlaget har tall for alle fylkene bare "
        f"for kullet som begynte i {cohorts_full}, på fylkesgrensene før 2020; for nyere kull finnes bare noen "
        f"fylker ({cohorts_partial}). Å blande kull ville gjort fylkene usammenlignbare."
    )
    if nav_period("nav_reduced_capacity") is None:
        out.append(
            "NAVs tall for nye personer med nedsatt arbeidsevne er bare publisert på fylkesgrensene fra 2020–2023, "
            "der Viken, Vestfold og Telemark og Troms og Finnmark ikke kan deles på dagens fylker. Indikatoren er "
            "derfor ikke med."
        )
    return out


def method_note() -> str:
    """Short Norwegian key to the barometer (shown under the table)."""
    return (
        f"{intervals.VERDICT_KEY}. Intervallet er et 95 % konfidensintervall (Wilson). Vurderingen bygger på en "
        "test av forskjellen mellom fylket og resten av landet (z-test for to andeler); for alle indikatorene her "
        "er en lavere verdi bedre. NEET-radene gjelder samme år for alle fylker; NAV-radene gjelder fylkene slik "
        "de var det året, lagt sammen der dagens fylke består av flere hele fylker."
    )
