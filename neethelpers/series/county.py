"""County NEET series on today's (2024) borders, summed exactly from municipalities.

SSB publishes register NEET (table 13556, 15–29, both sexes) for every municipality on
the municipal structure of each year. Each municipality code of each year is mapped to
one 2024 county by :mod:`neethelpers.registry.crosswalk`; residents and NEET counts are summed
per county and year, and the share is recomputed from the sums. Nothing is split or
estimated, so the 15 counties add up to the national figures exactly for 2009–2024.

2008: the municipality rows add up to 162 residents and 37 NEET persons fewer than the
national row, because the extract lost one region that cannot be identified (see the
series README). One county's 2008 figure may therefore be slightly too low;
:func:`gap_note` says so in Norwegian wherever 2008 is shown.

Headline figure of a county page (:func:`headline`): the newest *final* year of the
series (2019–2023 are final releases, 2024 is SSB's preliminary release in the extract),
so share, count, rank and difference from the national level all come from one
consistent set of counts on 2024 borders. The page then says that a newer preliminary
year exists and gives its share and count. The first collection's final 2024 shares
(``ssb_13563_county_2024_shares``: SSB-published for Hele landet and Telemark, otherwise
computed by a county-council analyst from SSB's final counts and rounded to one decimal)
are shown next to it, labelled with who computed them; they are not put into the series
because they have no counts and cannot be summed, ranked exactly or compared year on year.

Municipalities with few young residents have shares that jump from year to year; they
are marked as uncertain (not hidden) when they had fewer than
:data:`SMALL_MUNICIPALITY_RESIDENTS` residents aged 15–29 in the year shown.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from neethelpers import paths
from neethelpers.errors import DataError
from neethelpers.presentation import fmt
from neethelpers.registry import counties, structures
from neethelpers.registry.crosswalk import _forward, _load, crosswalk
from neethelpers.series import national

MUNICIPALITY = "ssb_13556_municipality"
IMMIGRANT_OWN_BORDERS = "ssb_13563_county_immigrant_own_borders"
COUNTY_2024_SHARES = "ssb_13563_county_2024_shares"

#: Municipalities with fewer residents aged 15–29 than this are marked "usikker": with
#: under 500 young residents a change of ten NEET persons moves the share by 2 points.
SMALL_MUNICIPALITY_RESIDENTS = 500
#: Baseline year for municipal change: the first year after the 2014/2015 break.
CHANGE_SINCE = national.REGISTER_BREAK_YEAR

REAGGREGATION_NOTE = (
    "Alle år er regnet om til dagens fylkesgrenser (fra 2024) ved å legge sammen kommunetallene "
    "for hvert år etter hvilket fylke kommunen (eller kommunen den ble slått sammen med) ligger i i dag. "
    "Ingen tall er fordelt eller anslått."
)


def _county_name(code: str) -> str:
    return counties.by_code(code).name


@national.cached_frame
def municipality_series() -> pd.DataFrame:
    """Municipality rows with their 2024 county: year, municipality_code,
    municipality_name, county_code, residents, neet, share, release."""
    df = _load(MUNICIPALITY)
    wide = national.counts_wide(df, ["year", "region_code", "region_name"]).drop(columns="derived")
    wide = wide.rename(columns={"region_code": "municipality_code", "region_name": "municipality_name"})
    wide["year"] = wide["year"].astype(int)
    cw = crosswalk()[["year", "municipality_code", "county_code"]]
    out = wide.merge(cw, on=["year", "municipality_code"], how="left", validate="one_to_one")
    if out["county_code"].isna().any():
        bad = out[out["county_code"].isna()].iloc[0]
        raise DataError(paths.RAW_DIR / f"{MUNICIPALITY}.csv", "municipality without a 2024 county",
                        column="region_code", value=bad["municipality_code"])
    return out


def _sum(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = df.groupby(keys, as_index=False).agg(
        residents=("residents", "sum"), neet=("neet", "sum"), n_municipalities=("municipality_code", "nunique"),
        release=("release", "first"),
    )
    out["share"] = out["neet"] / out["residents"] * 100
    return out


@national.cached_frame
def county_series() -> pd.DataFrame:
    """All 15 counties 2008–2024 on 2024 borders: year, county_code, county_name,
    residents, neet, share, n_municipalities, release."""
    out = _sum(municipality_series(), ["year", "county_code"])
    out["county_name"] = out["county_code"].map(_county_name)
    order = {c.code: i for i, c in enumerate(counties.CURRENT_COUNTIES)}
    out = out.sort_values(["year", "county_code"], key=lambda s: s.map(order) if s.name == "county_code" else s)
    cols = ["year", "county_code", "county_name", "residents", "neet", "share", "n_municipalities", "release"]
    return out[cols].reset_index(drop=True)


@national.cached_frame
def own_border_sums() -> pd.DataFrame:
    """Municipalities summed by the county of their own year (first two code digits);
    reproduces SSB-structure county totals (used to check the data)."""
    m = municipality_series().copy()
    m["region_code"] = m["municipality_code"].str[:2]
    return _sum(m, ["year", "region_code"])


def gaps() -> pd.DataFrame:
    """Years where the municipalities do not add up to the national figures:
    year, residents_missing, neet_missing (national − sum of municipalities)."""
    m = municipality_series().groupby("year")[["residents", "neet"]].sum()
    n = national_series().set_index("year")[["residents", "neet"]]
    d = (n - m).dropna()
    d = d[(d["residents"] != 0) | (d["neet"] != 0)]
    return d.rename(columns={"residents": "residents_missing", "neet": "neet_missing"}).reset_index()


def gap_note() -> str:
    """Norwegian note on the years whose municipality sums fall short of the national
    figures (2008: one region lost in the extract); empty if there is none."""
    g = gaps()
    parts = []
    for rec in g.itertuples(index=False):
        parts.append(
            f"For {rec.year} mangler én region i SSB-uttrekket som ikke kan identifiseres "
            f"({fmt.count(rec.residents_missing)} bosatte og {fmt.count(rec.neet_missing)} personer utenfor arbeid, "
            "utdanning og tiltak i alderen 15–29 år). Summen av fylkene er derfor litt lavere enn landstallet for "
            f"{rec.year}, og ett fylke kan mangle disse personene."
        )
    return " ".join(parts)


def national_series() -> pd.DataFrame:
    """The national register series 15–29 (year, residents, neet, share, release)."""
    return national.register_total()


def county_vs_national(county_code: str) -> pd.DataFrame:
    """Long table for a chart: year, area (county name / "Hele landet"), share, neet,
    residents, release."""
    cs = county_series()
    c = cs[cs["county_code"] == county_code].assign(area=_county_name(county_code))
    n = national_series().assign(area=counties.NATIONAL_NAME)
    cols = ["year", "area", "share", "neet", "residents", "release"]
    return pd.concat([c[cols], n[cols]], ignore_index=True)


def latest_final_year() -> int:
    return national.latest_final_year(county_series())


@national.cached_frame
def ranking(year: int | None = None) -> pd.DataFrame:
    """Counties ranked by NEET share in ``year`` (default: newest final year), sorted from the
    lowest share up.

    ``rank`` counts from the highest share as displayed, in the one direction the book uses
    everywhere (1 = highest; equal displayed shares share a rank; see :func:`displayed_rank`).
    """
    year = latest_final_year() if year is None else year
    cs = county_series()
    d = cs[cs["year"] == year].copy()
    d["rank"] = [displayed_rank(d["share"], s) for s in d["share"]]
    return d.sort_values("share").reset_index(drop=True)


def county_year_table() -> pd.DataFrame:
    """County × year table of shares (rows: counties in SSB order, columns: years)."""
    cs = county_series()
    t = cs.pivot(index="county_name", columns="year", values="share")
    return t.loc[[c.name for c in counties.CURRENT_COUNTIES]]


@dataclass(frozen=True)
class Headline:
    """The figures in the first paragraph of a county page."""

    county_code: str
    county_name: str
    year: int  # newest final year
    share: float
    neet: int
    residents: int
    national_share: float
    diff_points: float  # county − national, percentage points (unrounded)
    rank: int  # 1 = highest share as displayed (one decimal); equal displayed shares share a rank
    lowest: bool  # no county has a lower displayed share
    n_counties: int
    preliminary_year: int | None  # a newer preliminary year, if any
    preliminary_share: float | None
    preliminary_neet: int | None
    newer_final_share: float | None  # final share for the preliminary year, from the first collection
    newer_final_national: float | None
    newer_final_by_ssb: bool  # True: published by SSB (13556); False: computed by a third party

    @property
    def diff_shown(self) -> float:
        """county − national in percentage points, computed from the unrounded shares and then
        rounded to one decimal (so it agrees with the counts a reader divides by hand)."""
        return round(self.diff_points, 1) + 0.0

    @property
    def direction(self) -> str:
        """``"høyere enn"``, ``"lavere enn"`` or ``"lik"`` — from the rounded difference."""
        return "høyere enn" if self.diff_shown > 0 else ("lavere enn" if self.diff_shown < 0 else "lik")


def comparison_text(head: Headline) -> str:
    """The county against the country, as a clause: ``"1,9 prosentpoeng høyere enn landet som
    helhet (9,9 prosent)"`` or ``"det samme som landsgjennomsnittet på 9,9 prosent"``."""
    if head.direction == "lik":
        return f"det samme som landsgjennomsnittet på {fmt.percent(head.national_share)}"
    return (f"{fmt.points(abs(head.diff_shown))} {head.direction} landet som helhet "
            f"({fmt.percent(head.national_share)})")


def final_year_sentence(year: int) -> str:
    """The reader's note that ``year`` is the newest year with SSB's final figures."""
    return f"Tallene for {year} er SSBs endelige tall, det nyeste året med endelige tall i serien."


def displayed_rank(shares, value: float, decimals: int = 1) -> int:
    """Rank of ``value`` among ``shares`` counted from the highest (1 = highest), on the shares
    *as displayed* (rounded to ``decimals``): equal displayed shares get the same rank."""
    shown = [round(float(s), decimals) for s in shares]
    return 1 + sum(s > round(float(value), decimals) for s in shown)


def rank_text(rank: int, n: int, lowest: bool = False) -> str:
    """Norwegian phrase for a rank counted from the highest share (1 = highest), always in that
    one direction: "den høyeste andelen", "den nest høyeste andelen", "den 5. høyeste andelen";
    ``lowest`` (no county below) adds "(den laveste)"."""
    if rank == 1:
        text = "den høyeste andelen"
    elif rank == 2:
        text = "den nest høyeste andelen"
    else:
        text = f"den {rank}. høyeste andelen"
    return f"{text} (den laveste)" if lowest and rank > 1 else text


def newer_final_shares(year: int) -> pd.DataFrame:
    """Final shares (15–29) for ``year`` from the first collection (only 2024): for each
    region the SSB-published share where there is one, otherwise the share a third party
    computed from SSB's counts (rounded to one decimal). Columns: region_code, share, by_ssb."""
    df = _load(COUNTY_2024_SHARES)
    d = df[(df["year"] == year) & (df["age_group"] == "15-29")].copy()
    d["by_ssb"] = d["status"] == "final"
    d = d.sort_values("by_ssb", ascending=False).drop_duplicates("region_code")
    return d[["region_code", "value", "by_ssb"]].rename(columns={"value": "share"}).reset_index(drop=True)


#: How a final share that SSB did not publish itself was made (the 2024 county shares).
THIRD_PARTY_SHARE = "beregnet av en tredjepart fra SSBs antall"


@dataclass(frozen=True)
class NewestFinalShare:
    """SSB's final share for a year newer than the newest year with final *counts* in the
    series (2024: only shares, see :func:`newer_final_shares`), for one region, with its
    place among the counties. Both shares are published at one decimal, so the difference
    and the rank are those of the shares as shown."""

    year: int
    region_code: str
    share: float
    by_ssb: bool  # True: published by SSB; False: computed by a third party from SSB's final counts
    national_share: float
    rank: int  # 1 = highest among the counties
    lowest: bool
    n_counties: int
    tied_with: tuple[str, ...] = ()  # the other counties with the same displayed share

    @property
    def diff_shown(self) -> float:
        return round(self.share - self.national_share, 1) + 0.0

    @property
    def source_words(self) -> str:
        return "SSBs endelige tall" if self.by_ssb else f"SSBs endelige tall; andelen er {THIRD_PARTY_SHARE}"


def newest_final_share(region_code: str) -> NewestFinalShare | None:
    """The newest final share of a county or of the country (``counties.NATIONAL_CODE``),
    when SSB's final figures exist for a year after the series' newest final year and cover
    the country and every current county; otherwise None (the headline then uses the
    series' newest final year)."""
    df = _load(COUNTY_2024_SHARES)
    years = sorted(int(y) for y in df["year"].unique())
    if not years or years[-1] <= latest_final_year():
        return None
    year = years[-1]
    nf = newer_final_shares(year).set_index("region_code")
    county_codes = [c.code for c in counties.current_counties()]
    if counties.NATIONAL_CODE not in nf.index or not set(county_codes) <= set(nf.index):
        return None
    code = counties.NATIONAL_CODE if region_code == counties.NATIONAL_CODE else counties.by_code(region_code).code
    shares = nf.loc[county_codes, "share"].astype(float)
    share = float(nf.loc[code, "share"])
    tied = tuple(counties.by_code(c).name for c in county_codes
                 if c != code and code != counties.NATIONAL_CODE and round(shares[c], 1) == round(share, 1))
    return NewestFinalShare(
        year=year, region_code=code, share=share, by_ssb=bool(nf.loc[code, "by_ssb"]),
        national_share=float(nf.loc[counties.NATIONAL_CODE, "share"]),
        rank=displayed_rank(shares, share), lowest=round(share, 1) <= round(float(shares.min()), 1),
        n_counties=len(county_codes), tied_with=tied)


@functools.cache
def headline(county_code: str, year: int | None = None) -> Headline:
    """Headline figures for a current county: the newest final year on 2024 borders,
    the county's rank and difference from the national share, and whether a newer
    preliminary year exists (with the final share for that year from the first collection,
    if any: SSB's own where published, otherwise a third party's computation)."""
    code = counties.by_code(county_code).code
    cs = county_series()
    final_years = cs.loc[cs["release"] == national.FINAL, "year"]
    year = int(final_years.max()) if year is None else int(year)
    row = cs[(cs["year"] == year) & (cs["county_code"] == code)].iloc[0]
    nat = national_series().set_index("year").loc[year]
    rk = ranking(year)
    newer = cs[(cs["year"] > year) & (cs["county_code"] == code)].sort_values("year")
    pre_year = pre_share = pre_neet = nf_share = nf_nat = None
    nf_by_ssb = False
    if len(newer):
        last = newer.iloc[-1]
        pre_year, pre_share, pre_neet = int(last["year"]), float(last["share"]), int(last["neet"])
        nf = newer_final_shares(pre_year).set_index("region_code")
        if code in nf.index:
            nf_share, nf_by_ssb = float(nf.loc[code, "share"]), bool(nf.loc[code, "by_ssb"])
        if counties.NATIONAL_CODE in nf.index:
            nf_nat = float(nf.loc[counties.NATIONAL_CODE, "share"])
    return Headline(
        county_code=code,
        county_name=_county_name(code),
        year=year,
        share=float(row["share"]),
        neet=int(row["neet"]),
        residents=int(row["residents"]),
        national_share=float(nat["share"]),
        diff_points=float(row["share"] - nat["share"]),
        rank=displayed_rank(rk["share"], float(row["share"])),
        lowest=round(float(row["share"]), 1) <= round(float(rk["share"].min()), 1),
        n_counties=len(rk),
        preliminary_year=pre_year,
        preliminary_share=pre_share,
        preliminary_neet=pre_neet,
        newer_final_share=nf_share,
        newer_final_national=nf_nat,
        newer_final_by_ssb=nf_by_ssb,
    )


def own_border_history(county_code: str) -> pd.DataFrame:
    """The county's figures on the borders of each year: the county itself where it
    existed, otherwise its predecessor county or counties, each labelled with its own
    name and period by :func:`neethelpers.registry.structures.align_to_current` (a predecessor's
    value is never divided among its successors).

    Columns: year, region_code, area, is_predecessor, relation_text, residents, neet,
    share, release.
    """
    county = counties.by_code(county_code)
    own = own_border_sums()
    aligned = structures.align_to_current(own[own["region_code"].isin({county.code, *county.predecessors})], county)
    out = aligned.assign(area=aligned["belongs_to"], is_predecessor=aligned["relation"] != "county")
    cols = ["year", "region_code", "area", "is_predecessor", "relation_text", "residents", "neet", "share", "release"]
    return out[cols].sort_values(["year", "area"]).reset_index(drop=True)


# --- municipalities of a county -------------------------------------------------------


def _comparable_units(county_code: str, base_year: int, year: int) -> dict[str, frozenset[str]]:
    """For each municipality of ``year`` in the county, the codes of ``base_year`` that
    became (part of) it. Used only to decide whether a change is like-for-like."""
    ms = municipality_series()
    base = ms[(ms["year"] == base_year) & (ms["county_code"] == county_code)]["municipality_code"]
    units: dict[str, set[str]] = {}
    for code in base:
        fwd = _forward(code, base_year)
        targets = fwd[0] if fwd is not None else frozenset()
        for t in targets:
            units.setdefault(t, set()).add(code)
    return {k: frozenset(v) for k, v in units.items()}


def municipalities(county_code: str, year: int | None = None, since: int = CHANGE_SINCE) -> pd.DataFrame:
    """The county's municipalities in ``year`` (default: latest year in the data):
    municipality_code, municipality_name, residents, neet, share, release, share_since,
    change_points (share − share in ``since`` for the same area), comparable (False
    when the area cannot be compared exactly, e.g. a municipality split later), small
    (fewer than :data:`SMALL_MUNICIPALITY_RESIDENTS` residents 15–29 → uncertain).

    Sorted with reliable municipalities first (highest share first) and small ones last.
    """
    code = counties.by_code(county_code).code
    ms = municipality_series()
    year = int(ms["year"].max()) if year is None else int(year)
    cur = ms[(ms["year"] == year) & (ms["county_code"] == code)].copy()
    base = ms[(ms["year"] == since) & (ms["county_code"] == code)].set_index("municipality_code")
    units = _comparable_units(code, since, year)
    # A base-year code feeding several current municipalities (a later split) makes
    # those municipalities incomparable with the base year.
    feeds: dict[str, int] = {}
    for members in units.values():
        for b in members:
            feeds[b] = feeds.get(b, 0) + 1
    since_share, comparable = [], []
    for m in cur["municipality_code"]:
        members = units.get(m, frozenset())
        ok = bool(members) and all(feeds[b] == 1 for b in members)
        if ok:
            sub = base.loc[sorted(members)]
            since_share.append(float(sub["neet"].sum() / sub["residents"].sum() * 100))
        else:
            since_share.append(float("nan"))
        comparable.append(ok)
    cur["share_since"] = since_share
    cur["comparable"] = comparable
    cur["change_points"] = cur["share"] - cur["share_since"]
    cur["small"] = cur["residents"] < SMALL_MUNICIPALITY_RESIDENTS
    cur = cur.sort_values(["small", "share"], ascending=[True, False])
    cols = ["municipality_code", "municipality_name", "residents", "neet", "share", "release",
            "share_since", "change_points", "comparable", "small"]
    return cur[cols].reset_index(drop=True)


# --- immigrants vs the rest, per county (each year's own borders) -------------------


@national.cached_frame
def _immigrant_counts() -> pd.DataFrame:
    wide = national.counts_wide(_load(IMMIGRANT_OWN_BORDERS), ["year", "region_code", "group"]).drop(columns="derived")
    wide["year"] = wide["year"].astype(int)
    return wide


@national.cached_frame
def immigrant_series(county_code: str) -> pd.DataFrame:
    """NEET share of immigrants and of the rest of the population for the county and,
    in earlier years, the predecessor counties whose figures are on their own borders.

    Columns: year, region_code, area (name as in the registry, with its period for a
    predecessor), is_predecessor, group, group_label, residents, neet, share, release.
    SSB's immigrant breakdown exists only per county of each year, so earlier years are
    *not* on today's borders and are labelled with the predecessor county's name.
    """
    county = counties.by_code(county_code)
    wide = _immigrant_counts()
    wide = wide[wide["region_code"].isin({county.code, *county.predecessors})]  # only what can belong here
    aligned = structures.align_to_current(wide, county)
    out = aligned.assign(area=aligned["belongs_to"], is_predecessor=aligned["relation"] != "county")
    out["group_label"] = out["group"].map(national.GROUP_LABELS)
    cols = ["year", "region_code", "area", "is_predecessor", "group", "group_label", "residents", "neet",
            "share", "release"]
    return out[cols].sort_values(["year", "area", "group"]).reset_index(drop=True)


def immigrants_higher_every_year(series: pd.DataFrame) -> bool:
    """Whether immigrants' share is above that of the rest of the population in every year
    and area of ``series`` (rows as :func:`immigrant_series` gives them)."""
    wide = series.pivot_table(index=["year", "area"], columns="group", values="share")
    return bool((wide["Innvandrere"] > wide["Befolkningen eksklusive innvandrere"]).all())
