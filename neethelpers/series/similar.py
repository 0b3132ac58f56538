"""Similar counties: the counties nearest to a county on structural indicators.

Indicators (all for the young, computed from the shipped data, for the barometer year —
the newest year with the breakdowns for all 15 counties on today's borders):

* ``immigrant_share`` — immigrants as a share of residents aged 15–29 (SSB 13563);
* ``age_25_29_share`` — residents aged 25–29 as a share of residents aged 15–29 (age
  structure; SSB 13556);
* ``large_municipality_share`` — share of residents aged 15–29 living in a municipality with
  at least :data:`LARGE_MUNICIPALITY` residents aged 15–29 (SSB 13556 per municipality).

Upper-secondary completion is not used: it does not exist for one cohort on today's borders.

Distance: each indicator is standardised across the 15 counties (z-score: minus the mean,
divided by the population standard deviation, ``ddof=0``), so each counts equally; the
distance between two counties is the Euclidean distance of their z-scores
(``scipy.spatial.distance.cdist``). The three counties with the smallest distance are the
most similar. NEET shares are not among the indicators, so similar counties can be
compared on NEET without the comparison being built in.
"""

from __future__ import annotations

import pandas as pd
from scipy.spatial.distance import cdist

from neethelpers.registry import counties
from neethelpers.series import barometer, county as county_series, national

LARGE_MUNICIPALITY = 5000
N_SIMILAR = 3

INDICATOR_LABELS = {
    "immigrant_share": "Innvandrere blant unge 15–29 år (%)",
    "age_25_29_share": "Unge 25–29 år blant unge 15–29 år (%)",
    "large_municipality_share": f"Unge 15–29 år i kommuner med minst {LARGE_MUNICIPALITY:,} unge (%)".replace(",", " "),
}


@national.cached_frame
def indicators(year: int | None = None) -> pd.DataFrame:
    """One row per current county: county_code, county_name and the indicators (percent)."""
    year = barometer.breakdown_year() if year is None else year
    im = barometer.county_immigrant(year)
    imm = im[im["group"] == "Innvandrere"].set_index("region_code")["residents"]
    tot = im[im["group"] == "I alt"].set_index("region_code")["residents"]
    sa = barometer.county_sex_age(year)
    sa = sa[sa["sex"] == "Begge kjønn"].pivot(index="region_code", columns="age_group", values="residents")
    ms = county_series.municipality_series()
    ms = ms[ms["year"] == year]
    large = ms[ms["residents"] >= LARGE_MUNICIPALITY].groupby("county_code")["residents"].sum()
    young = ms.groupby("county_code")["residents"].sum()
    rows = []
    for c in counties.CURRENT_COUNTIES:
        rows.append({"county_code": c.code, "county_name": c.name,
                     "immigrant_share": imm[c.code] / tot[c.code] * 100,
                     "age_25_29_share": sa.loc[c.code, "25-29"] / sa.loc[c.code, "15-29"] * 100,
                     "large_municipality_share": large.get(c.code, 0) / young[c.code] * 100})
    return pd.DataFrame(rows)


def zscores(ind: pd.DataFrame) -> pd.DataFrame:
    cols = list(INDICATOR_LABELS)
    z = ind[cols]
    return (z - z.mean()) / z.std(ddof=0)


@national.cached_frame
def distances(year: int | None = None) -> pd.DataFrame:
    """Square table of standardised Euclidean distances between counties (by code)."""
    ind = indicators(year)
    z = zscores(ind).to_numpy()
    return pd.DataFrame(cdist(z, z, metric="euclidean"), index=ind["county_code"], columns=ind["county_code"])


def similar(county_code: str, n: int = N_SIMILAR, year: int | None = None) -> pd.DataFrame:
    """The county itself and its ``n`` nearest counties: county_code, county_name,
    distance, the indicators, and NEET share/count/residents in the barometer year with its
    95 % Wilson interval (lower, upper). The county is the first row (distance 0)."""
    code = counties.resolve(county_code).code
    d = distances(year)[code].drop(code).nsmallest(n)
    ind = indicators(year).set_index("county_code")
    b = barometer.all_counties()
    b = b[b["indicator"] == "neet"].set_index("region_code")
    rows = []
    for c, dist in [(code, 0.0), *d.items()]:
        rows.append({"county_code": c, "county_name": ind.loc[c, "county_name"], "distance": float(dist),
                     **{k: float(ind.loc[c, k]) for k in INDICATOR_LABELS},
                     "year": int(b.loc[c, "year"]), "neet": int(b.loc[c, "x"]), "residents": int(b.loc[c, "n"]),
                     "share": float(b.loc[c, "value"]), "lower": float(b.loc[c, "lower"]),
                     "upper": float(b.loc[c, "upper"]), "verdict": b.loc[c, "verdict"],
                     "symbol": b.loc[c, "symbol"]})
    return pd.DataFrame(rows)
