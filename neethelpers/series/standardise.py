"""Expected against observed: indirect standardisation of a county's NEET count.

Expected count = Σ over groups (county residents in the group × national NEET share of the
group): the number of NEET young people the county would have if each of its groups had
the national rate. Two standardisations are made, because SSB does not cross the
breakdowns per county: by sex × age group (15–19, 20–24, 25–29; six groups) and by
immigrant background (immigrants / the rest of the population). Both use the newest year
with those breakdowns for all 15 counties on today's borders
(:func:`neethelpers.series.barometer.breakdown_year`).

The ratio observed/expected (like a standardised incidence ratio) gets an exact Poisson
(Garwood) interval (:func:`neethelpers.series.intervals.poisson_ratio`).

Decomposition of the county's difference from the country, in percentage points:
observed share − national share = (expected share − national share)  [composition]
                                + (observed share − expected share)   [other than composition].
Because the county groups add up to the national groups, the expected counts of all
counties add up to the national count (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neethelpers.errors import NeetError
from neethelpers.presentation import fmt
from neethelpers.registry import counties
from neethelpers.series import barometer, intervals, national

BY_SEX_AGE = "kjønn og alder"
BY_IMMIGRANT = "innvandringsbakgrunn"


def expected_count(group_residents, national_rates) -> float:
    """Σ residents_g × rate_g (rates as proportions 0–1), aligned on the index (group)."""
    r = pd.Series(group_residents, dtype=float)
    p = pd.Series(national_rates, dtype=float)
    if set(r.index) != set(p.index):
        raise NeetError(f"standardisation groups differ: area {sorted(r.index)} vs standard {sorted(p.index)}")
    if ((p < 0) | (p > 1)).any():
        raise NeetError("national rates must be proportions between 0 and 1")
    return float((r * p.loc[r.index]).sum())


def _strata(by: str, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """County strata (region_code, stratum, residents, neet) and national strata."""
    if by == BY_SEX_AGE:
        d = barometer.county_sex_age(year)
        d = d[(d["sex"] != "Begge kjønn") & (d["age_group"] != "15-29")]
        d = d.assign(stratum=d["sex"] + " " + d["age_group"])
        n = national.register_by_sex_age()
        n = n[(n["year"] == year) & (n["sex"] != "Begge kjønn") & (n["age_group"] != "15-29")]
        n = n.assign(stratum=n["sex"] + " " + n["age_group"])
    elif by == BY_IMMIGRANT:
        d = barometer.county_immigrant(year)
        d = d[d["group"] != "I alt"].assign(stratum=lambda x: x["group"])
        n = national.register_by_immigrant()
        n = n[(n["year"] == year) & (n["group"] != "I alt")].assign(stratum=lambda x: x["group"])
    else:
        raise NeetError(f"unknown standardisation {by!r}; valid: {BY_SEX_AGE!r}, {BY_IMMIGRANT!r}")
    cols = ["stratum", "residents", "neet"]
    return d[["region_code", *cols]].reset_index(drop=True), n[cols].reset_index(drop=True)


@dataclass(frozen=True)
class Standardised:
    by: str
    year: int
    observed: int
    expected: float
    residents: int
    national_share: float  # percent (from the strata)
    ratio: float
    lower: float
    upper: float

    @property
    def observed_share(self) -> float:
        return self.observed / self.residents * 100

    @property
    def expected_share(self) -> float:
        return self.expected / self.residents * 100

    @property
    def composition_points(self) -> float:
        """Part of the difference from the country due to composition (expected − national)."""
        return self.expected_share - self.national_share

    @property
    def other_points(self) -> float:
        return self.observed_share - self.expected_share

    @property
    def difference_points(self) -> float:
        return self.observed_share - self.national_share


@national.cached_frame
def all_counties(by: str = BY_SEX_AGE, year: int | None = None) -> pd.DataFrame:
    """Observed and expected NEET for every current county: region_code, county_name,
    residents, observed, expected, ratio, lower, upper, observed_share, expected_share,
    national_share (percent), composition_points, other_points."""
    year = barometer.breakdown_year() if year is None else year
    d, n = _strata(by, year)
    rates = (n.set_index("stratum")["neet"] / n.set_index("stratum")["residents"])
    nat_share = n["neet"].sum() / n["residents"].sum() * 100
    rows = []
    for code, g in d.groupby("region_code", sort=False):
        e = expected_count(g.set_index("stratum")["residents"], rates)
        o = int(g["neet"].sum())
        ratio, lo, hi = intervals.poisson_ratio(o, e)
        s = Standardised(by, year, o, e, int(g["residents"].sum()), float(nat_share), ratio, lo, hi)
        rows.append({"region_code": code, "county_name": counties.by_code(code).name, "year": year, "by": by,
                     "residents": s.residents, "observed": o, "expected": e, "ratio": ratio, "lower": lo,
                     "upper": hi, "observed_share": s.observed_share, "expected_share": s.expected_share,
                     "national_share": s.national_share, "composition_points": s.composition_points,
                     "other_points": s.other_points})
    return pd.DataFrame(rows)


def county(county_code: str, by: str = BY_SEX_AGE, year: int | None = None) -> Standardised:
    code = counties.resolve(county_code).code
    r = all_counties(by, year).set_index("region_code").loc[code]
    return Standardised(by, int(r["year"]), int(r["observed"]), float(r["expected"]), int(r["residents"]),
                        float(r["national_share"]), float(r["ratio"]), float(r["lower"]), float(r["upper"]))


def sentence(s: Standardised, county_name: str) -> str:
    """A plain Norwegian sentence on how much of the difference from the country the
    composition (by ``s.by``) explains. Numbers as shown (one decimal)."""
    obs, exp_, nat = round(s.observed_share, 1), round(s.expected_share, 1), round(s.national_share, 1)
    diff = round(obs - nat, 1)
    comp = round(exp_ - nat, 1)
    head = (f"Hvis de unge i {county_name} hadde hatt landets andeler i hver gruppe etter {s.by}, ville "
            f"{fmt.percent_words(exp_)} vært utenfor, mot faktisk {fmt.percent_words(obs)} "
            f"(landet: {fmt.percent_words(nat)}).")
    if diff == 0:
        return head + f" {county_name} ligger på landsnivået, så det er ingen forskjell å forklare."
    higher = "høyere" if diff > 0 else "lavere"
    if comp == 0:
        tail = (f" Sammensetningen etter {s.by} forklarer ingenting av at andelen er {fmt.points(abs(diff))} "
                f"{higher} enn i landet.")
    elif (comp > 0) != (diff > 0):
        tail = (f" Sammensetningen etter {s.by} trekker i motsatt retning ({fmt.points(abs(comp))}), så forskjellen "
                f"fra landet på {fmt.points(abs(diff))} skyldes ikke at de unge er sammensatt annerledes.")
    elif abs(comp) >= abs(diff):
        tail = (f" Sammensetningen etter {s.by} alene skulle gitt en andel {fmt.points(abs(comp))} {higher} enn i "
                f"landet, minst like mye som den faktiske forskjellen på {fmt.points(abs(diff))}; hele forskjellen "
                "kan altså forklares med at de unge er sammensatt annerledes"
                + (f", og {county_name} ligger {fmt.points(abs(exp_ - obs))} "
                   f"{'lavere' if diff > 0 else 'høyere'} enn sammensetningen tilsier." if exp_ != obs else "."))
    else:
        tail = (f" Av forskjellen fra landet på {fmt.points(abs(diff))} forklarer sammensetningen etter {s.by} "
                f"{fmt.points(abs(comp))}, altså om lag {fmt.number(abs(comp) / abs(diff) * 100, 0)} prosent; resten "
                "skyldes andre forhold.")
    return head + tail
