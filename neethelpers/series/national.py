"""National NEET series for the chapter "Nasjonale trender".

Three kinds of source, which are **never joined into one line** because they measure
different things:

* SSB register statistics (tables 13556/13563), 2008–2024: residents 15–29 not in work,
  education or labour-market measures in the 4th quarter. Time-series break 2014/2015
  (a-ordningen for employees); 2024 is a preliminary release. The 15–19 group is not
  published in the extract and is derived here as 15–29 − 20–24 − 25–29 (``derived``).
* SSB Labour Force Survey (AKU, table 09858), 2006–2023: survey-based, with a break in
  2021 (new questionnaire) — the two periods are returned as separate segments.
* Eurostat edat_lfse_20 (LFS): 15–24 for Norway, Sweden and Denmark with Eurostat's
  flags; 15–29 for Norway, EU27 and six other countries (no flags in that source).

Shares of register series are recomputed from the counts (NEET / residents × 100), not
taken from the rounded share rows, so that sums and differences are exact.
"""

from __future__ import annotations

import functools

import pandas as pd

from neethelpers.registry.crosswalk import _load

NATIONAL_SEX_AGE = "ssb_13556_national_sex_age"
NATIONAL_IMMIGRANT = "ssb_13563_national_immigrant"
AKU = "ssb_09858_aku_neet"
EUROSTAT_15_24 = "eurostat_edat_lfse_20_15_24"
EUROSTAT_15_29 = "eurostat_edat_lfse_20_15_29"

RESIDENTS = "Bosatte"  # indicator prefix of the denominator rows
NEET = "Utenfor arbeid, utdanning og arbeidsmarkedstiltak"  # numerator rows (persons)

#: First year after the register break (a-ordningen from 2015).
REGISTER_BREAK_YEAR = 2015
#: First year of the new AKU questionnaire.
AKU_BREAK_YEAR = 2021

FINAL = "endelig"
PRELIMINARY = "foreløpig"

AGE_LABELS = {"15-29": "15–29 år", "15-19": "15–19 år", "20-24": "20–24 år", "25-29": "25–29 år"}
GROUP_LABELS = {
    "I alt": "Alle",
    "Innvandrere": "Innvandrere",
    "Befolkningen eksklusive innvandrere": "Befolkningen ellers",
}
COUNTRY_NAMES = {
    "NO": "Norge", "SE": "Sverige", "DK": "Danmark", "FI": "Finland", "IT": "Italia",
    "ES": "Spania", "NL": "Nederland", "EU27_2020": "EU27",
}
EUROSTAT_FLAGS = {"b": "brudd i serien", "u": "lav pålitelighet", "d": "definisjonen avviker"}


def cached_frame(func):
    """Cache a function returning a DataFrame; every caller gets its own copy.

    The raw files are immutable snapshots, and a county page calls these helpers many
    times; recomputing them made each page noticeably slower."""
    cached = functools.lru_cache(maxsize=None)(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return cached(*args, **kwargs).copy()

    wrapper.cache_clear = cached.cache_clear
    return wrapper


def release_of(status: str) -> str:
    """``"foreløpig"`` for SSB's preliminary releases, otherwise ``"endelig"``."""
    return PRELIMINARY if "preliminary" in str(status) else FINAL


def counts_wide(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Residents and NEET counts side by side per ``keys``, share recomputed from counts.

    Missing NEET cells (the extract dropped zeros) count as 0, see the series README.
    """
    res = df[df["indicator"].str.startswith(RESIDENTS)]
    neet = df[df["indicator"].str.startswith(NEET)]
    a = res.groupby(keys, as_index=False).agg(residents=("value", "sum"), status=("status", "first"))
    b = neet.groupby(keys, as_index=False).agg(neet=("value", "sum"))
    out = a.merge(b, on=keys, how="left")
    out["neet"] = out["neet"].fillna(0.0).round().astype("int64")
    out["residents"] = out["residents"].round().astype("int64")
    out["share"] = out["neet"] / out["residents"] * 100
    out["release"] = out["status"].map(release_of)
    out["derived"] = out["status"].str.startswith("derived")
    return out.drop(columns="status")


@cached_frame
def register_by_sex_age() -> pd.DataFrame:
    """Register NEET 2008–2024 nationally by sex and age group.

    Columns: year, sex, age_group, age_label, residents, neet, share, release
    (``endelig``/``foreløpig``), derived (True for 15–19, computed by subtraction).
    """
    df = _load(NATIONAL_SEX_AGE)
    out = counts_wide(df, ["year", "sex", "age_group"])
    out["derived"] = out["age_group"] == "15-19"
    out["age_label"] = out["age_group"].map(AGE_LABELS)
    out["year"] = out["year"].astype(int)
    return out[["year", "sex", "age_group", "age_label", "residents", "neet", "share", "release", "derived"]]


@cached_frame
def register_total() -> pd.DataFrame:
    """Register NEET 15–29, both sexes, Norway, 2008–2024 (year, residents, neet, share, release)."""
    d = register_by_sex_age()
    d = d[(d["sex"] == "Begge kjønn") & (d["age_group"] == "15-29")]
    return d[["year", "residents", "neet", "share", "release"]].reset_index(drop=True)


@cached_frame
def register_by_immigrant() -> pd.DataFrame:
    """Register NEET 15–29 by immigrant category (Alle / Innvandrere / Befolkningen ellers)."""
    df = _load(NATIONAL_IMMIGRANT)
    out = counts_wide(df, ["year", "group"])
    out["group_label"] = out["group"].map(GROUP_LABELS)
    out["year"] = out["year"].astype(int)
    return out[["year", "group", "group_label", "residents", "neet", "share", "release"]]


def latest_final_year(series: pd.DataFrame) -> int:
    """The newest year whose figures are a final release."""
    return int(series.loc[series["release"] == FINAL, "year"].max())


def rises_with_age(ages: pd.DataFrame) -> bool:
    """Whether the share grows from each age group to the next in every year (``ages``: one
    row per year and age group, as :func:`register_by_sex_age` gives them)."""
    by_year = ages.pivot(index="year", columns="age_group", values="share")
    return bool(by_year.apply(lambda row: row.is_monotonic_increasing, axis=1).all())


@cached_frame
def aku_series() -> pd.DataFrame:
    """AKU/LFS NEET 15–29, 2006–2023: year, neet_thousands, share, segment.

    ``segment`` is ``"2006–2020"`` or ``"2021–2023"`` (new questionnaire from 2021);
    plot the segments as separate lines.
    """
    df = _load(AKU)
    wide = df.pivot_table(index="year", columns="unit", values="value", aggfunc="first").reset_index()
    wide = wide.rename(columns={"1000 persons": "neet_thousands", "percent of population 15-29": "share"})
    wide["year"] = wide["year"].astype(int)
    first, last = int(wide["year"].min()), int(wide["year"].max())
    wide["segment"] = [
        f"{first}–{AKU_BREAK_YEAR - 1}" if y < AKU_BREAK_YEAR else f"{AKU_BREAK_YEAR}–{last}" for y in wide["year"]
    ]
    return wide[["year", "neet_thousands", "share", "segment"]].sort_values("year").reset_index(drop=True)


def _eurostat(dataset_id: str) -> pd.DataFrame:
    df = _load(dataset_id)
    out = df[["year", "region_code", "value", "status"]].rename(columns={"region_code": "geo", "value": "share"})
    out = out.dropna(subset=["share"]).copy()
    out["year"] = out["year"].astype(int)
    out["country"] = out["geo"].map(COUNTRY_NAMES).fillna(out["geo"])
    flags = out["status"].where(out["status"].isin(list(EUROSTAT_FLAGS)), "")
    out["flag"] = flags
    out["flag_text"] = flags.map(EUROSTAT_FLAGS).fillna("")
    return out.drop(columns="status").sort_values(["geo", "year"]).reset_index(drop=True)


def latest_common_year(series: pd.DataFrame, geos: tuple[str, ...]) -> int:
    """The newest year in which every country in ``geos`` has a figure in a Eurostat series."""
    return int(max(set.intersection(*(set(series.loc[series["geo"] == g, "year"]) for g in geos))))


@cached_frame
def eurostat_15_24() -> pd.DataFrame:
    """Eurostat NEET 15–24 (NO, SE, DK): year, geo, country, share, flag, flag_text."""
    return _eurostat(EUROSTAT_15_24)


@cached_frame
def eurostat_15_29() -> pd.DataFrame:
    """Eurostat NEET 15–29 (NO, EU27, SE, DK, FI, IT, ES, NL): year, geo, country, share
    (no flags in this source)."""
    return _eurostat(EUROSTAT_15_29).drop(columns=["flag", "flag_text"])
