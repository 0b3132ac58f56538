"""County profile statistics (issue 15) against independent computations: Wilson intervals
and the z-test by hand formula and statsmodels, Newcombe's interval from Wilson limits, the
exact Poisson interval from chi-square quantiles, the logistic trend in a two-year case
solvable by hand, indirect standardisation on a worked example, and the data-level
invariants (expected counts add up to the national count, one year per barometer row)."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, norm
from statsmodels.stats.proportion import proportion_confint

from neethelpers.chapters import county_profile
from neethelpers.errors import NeetError
from neethelpers.registry import counties
from neethelpers.series import (
    barometer,
    county as county_series,
    intervals,
    national,
    similar,
    small_areas,
    standardise,
    trend,
    what_works,
)

Z = norm.ppf(0.975)
CURRENT = [c.code for c in counties.CURRENT_COUNTIES]


def _wilson_by_hand(x, n, z=Z):
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


# --- intervals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("x,n", [(88, 465), (0, 35), (35, 35), (6368, 53904), (8, 35)])
def test_wilson_matches_statsmodels_and_the_formula(x, n):
    lo, hi = intervals.wilson(x, n)
    ref_lo, ref_hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    hand_lo, hand_hi = _wilson_by_hand(x, n)
    assert float(lo) == pytest.approx(ref_lo * 100) and float(hi) == pytest.approx(ref_hi * 100)
    assert float(lo) == pytest.approx(hand_lo * 100, abs=1e-9) and float(hi) == pytest.approx(hand_hi * 100, abs=1e-9)


def test_wilson_vectorised_and_refuses_impossible_counts():
    lo, hi = intervals.wilson([1, 2], [10, 20])
    assert lo.shape == (2,) and (lo < hi).all()
    with pytest.raises(NeetError, match="count"):
        intervals.wilson(11, 10)
    with pytest.raises(NeetError):
        intervals.wilson(1, 0)


def test_comparison_with_the_rest_of_the_country_by_hand():
    x, n, xt, nt = 300, 2000, 1000, 10000
    c = intervals.compare_to_rest(x, n, xt, nt)
    xr, nr = xt - x, nt - n
    pooled = xt / nt
    z = (x / n - xr / nr) / math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / nr))
    assert c.z == pytest.approx(z)
    assert c.p_value == pytest.approx(2 * norm.sf(abs(z)))
    assert c.reference_share == pytest.approx(xr / nr * 100)
    assert c.verdict == intervals.WORSE and c.symbol == "▼"  # higher NEET share is worse
    assert intervals.compare_to_rest(x, n, xt, nt, higher_is_better=True).verdict == intervals.BETTER
    # same share as the rest: no significant difference
    assert intervals.compare_to_rest(100, 1000, 1000, 10000).verdict == intervals.SAME


def test_newcombe_difference_from_wilson_limits():
    x1, n1, x0, n0 = 56, 70, 48, 80
    d, lo, hi = intervals.newcombe_difference(x1, n1, x0, n0)
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = _wilson_by_hand(x1, n1)
    l0, u0 = _wilson_by_hand(x0, n0)
    # Newcombe (1998), method 10
    assert d == pytest.approx((p1 - p0) * 100)
    assert lo == pytest.approx((p1 - p0 - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)) * 100)
    assert hi == pytest.approx((p1 - p0 + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)) * 100)


@pytest.mark.parametrize("observed,expected", [(6368, 5257.7), (3, 1.2), (0, 2.0)])
def test_poisson_ratio_is_the_exact_garwood_interval(observed, expected):
    r, lo, hi = intervals.poisson_ratio(observed, expected)
    assert r == pytest.approx(observed / expected)
    hand_lo = chi2.ppf(0.025, 2 * observed) / 2 / expected if observed > 0 else 0.0
    hand_hi = chi2.ppf(0.975, 2 * observed + 2) / 2 / expected
    assert lo == pytest.approx(hand_lo, abs=1e-9) and hi == pytest.approx(hand_hi)


def test_interval_text_is_norwegian_and_has_no_negative_zero():
    assert intervals.interval_text(12.34, 11.9, 12.71) == "12,3 (11,9–12,7)"
    assert intervals.interval_text(0.7, -0.02, 1.4) == "0,7 (0,0–1,4)"
    assert intervals.interval_text(-0.4, -0.9, 0.1) == "\N{MINUS SIGN}0,4 (\N{MINUS SIGN}0,9 til 0,1)"


# --- trend --------------------------------------------------------------------------------------


def test_logistic_trend_two_years_by_hand():
    # With two years the logistic regression fits both points exactly: the slope is the
    # difference in log-odds and its variance is the sum of the reciprocals of the four cells.
    x0, n0, x1, n1 = 120, 1000, 90, 1000
    t = trend.logistic_trend([2022, 2023], [x0, x1], [n0, n1])
    slope = math.log(x1 / (n1 - x1)) - math.log(x0 / (n0 - x0))
    se = math.sqrt(1 / x0 + 1 / (n0 - x0) + 1 / x1 + 1 / (n1 - x1))
    assert t.slope == pytest.approx(slope, rel=1e-6)
    assert t.p_value == pytest.approx(2 * norm.sf(abs(slope / se)), rel=1e-4)
    assert t.direction == (trend.FALLING if 2 * norm.sf(abs(slope / se)) < 0.05 else trend.FLAT)
    assert t.odds_ratio == pytest.approx(math.exp(slope), rel=1e-6)


def test_logistic_trend_markers():
    assert trend.logistic_trend(range(5), [100, 100, 100, 100, 100], [1000] * 5).direction == trend.FLAT
    assert trend.logistic_trend(range(5), [100, 120, 140, 160, 180], [1000] * 5).direction == trend.RISING
    assert trend.logistic_trend(range(5), [10, 11, 9, 10, 11], [100] * 5).direction == trend.FLAT
    with pytest.raises(NeetError):
        trend.logistic_trend([2020, 2020], [1, 2], [10, 10])


def test_county_trend_uses_the_last_five_final_years_after_the_break():
    cs = county_series.county_series()
    final = sorted(cs.loc[cs["release"] == national.FINAL, "year"].unique())
    t = trend.county_trend("56")
    assert (t.first_year, t.last_year) == (final[-5], final[-1])
    assert t.first_year >= national.REGISTER_BREAK_YEAR
    d = cs[(cs["county_code"] == "56") & cs["year"].between(t.first_year, t.last_year)]
    assert t.slope == pytest.approx(trend.logistic_trend(d["year"], d["neet"], d["residents"]).slope)


def test_change_since_previous_year_matches_newcombe_on_the_series():
    cs = county_series.county_series().set_index(["county_code", "year"])
    ch = trend.county_change("31")
    a, b = cs.loc[("31", ch.year)], cs.loc[("31", ch.previous_year)]
    assert (ch.diff, ch.lower, ch.upper) == pytest.approx(
        intervals.newcombe_difference(int(a["neet"]), int(a["residents"]), int(b["neet"]), int(b["residents"])))


# --- standardisation ---------------------------------------------------------------------------


def test_standardisation_worked_example():
    # Two areas, two age groups. National rates: young 10/100 = 0.1, old 60/200 = 0.3.
    # Area A: 50 young, 50 old -> expected 50*0.1 + 50*0.3 = 20; observed 25 -> ratio 1.25.
    rates = pd.Series({"young": 10 / 100, "old": 60 / 200})
    assert standardise.expected_count(pd.Series({"young": 50, "old": 50}), rates) == pytest.approx(20)
    # Area B holds the rest of the country: 50 young, 150 old -> expected 5 + 45 = 50;
    # A and B together: 20 + 50 = 70 = the national count (10 + 60).
    assert standardise.expected_count(pd.Series({"young": 50, "old": 150}), rates) == pytest.approx(70 - 20)
    s = standardise.Standardised("alder", 2024, 25, 20.0, 100, 70 / 300 * 100, 1.25, 0.0, 0.0)
    assert s.expected_share == pytest.approx(20.0)
    assert s.composition_points == pytest.approx(20 - 70 / 3)
    assert s.composition_points + s.other_points == pytest.approx(s.difference_points)
    with pytest.raises(NeetError, match="groups differ"):
        standardise.expected_count(pd.Series({"young": 1}), rates)


@pytest.mark.parametrize("by", [standardise.BY_SEX_AGE, standardise.BY_IMMIGRANT])
def test_expected_counts_add_up_to_the_national_count(by):
    a = standardise.all_counties(by)
    assert len(a) == 15
    assert a["expected"].sum() == pytest.approx(a["observed"].sum(), rel=1e-9)
    year = int(a["year"].iloc[0])
    if by == standardise.BY_SEX_AGE:
        nat = national.register_total().set_index("year").loc[year, "neet"]
    else:
        n = national.register_by_immigrant()
        nat = n[(n["year"] == year) & (n["group"] != "I alt")]["neet"].sum()
    assert a["expected"].sum() == pytest.approx(nat, rel=1e-9)


def test_county_expected_by_hand_from_the_strata():
    year = barometer.breakdown_year()
    sa = barometer.county_sex_age(year)
    sa = sa[(sa["region_code"] == "31") & (sa["sex"] != "Begge kjønn") & (sa["age_group"] != "15-29")]
    nat = national.register_by_sex_age()
    nat = nat[(nat["year"] == year)].set_index(["sex", "age_group"])
    expected = sum(r.residents * nat.loc[(r.sex, r.age_group), "neet"] / nat.loc[(r.sex, r.age_group), "residents"]
                   for r in sa.itertuples())
    s = standardise.county("Østfold")
    assert s.expected == pytest.approx(expected) and s.observed == sa["neet"].sum()
    assert set(sa["age_group"]) == {"15-19", "20-24", "25-29"}
    text = standardise.sentence(s, "Østfold")
    assert "Østfold" in text and "prosent" in text


# --- barometer ------------------------------------------------------------------------------------


def test_barometer_same_year_and_source_for_all_counties():
    b = barometer.all_counties()
    assert set(b["region_code"]) == set(CURRENT)
    for key, d in b.groupby("indicator"):
        assert len(d) == 15, key
        assert d["period"].nunique() == 1 and d["source"].nunique() == 1, key
    assert set(b["indicator"]) == {i.key for i in barometer.INDICATORS}


@pytest.mark.parametrize("code", ["31", "56", "03"])
def test_barometer_rows_are_the_tested_comparison(code):
    rows = barometer.barometer(code)
    year = barometer.breakdown_year()
    cs = county_series.county_series()
    own = cs[(cs["year"] == year) & (cs["county_code"] == code)].iloc[0]
    neet = rows[rows["indicator"] == "neet"].iloc[0]
    assert (neet["x"], neet["n"]) == (own["neet"], own["residents"])  # same counts as the county series
    nat = national.register_total().set_index("year").loc[year]
    c = intervals.compare_to_rest(int(own["neet"]), int(own["residents"]), int(nat["neet"]), int(nat["residents"]))
    assert neet["verdict"] == c.verdict and neet["lower"] == pytest.approx(c.lower)
    for r in rows.itertuples():
        assert r.lower <= r.value <= r.upper
        scale = r.per / 100
        lo, hi = intervals.wilson(r.x, r.n)
        assert r.lower == pytest.approx(float(lo) * scale) and r.upper == pytest.approx(float(hi) * scale)
    shown = barometer.display_table(rows)
    assert all(v.split(" ", 1)[0] in "▲●▼" for v in shown["Vurdering"])  # a symbol with every verdict


def test_barometer_15_19_is_the_remainder_of_the_age_groups():
    sa = barometer.county_sex_age(barometer.breakdown_year())
    w = sa[sa["sex"] == "Begge kjønn"].pivot(index="region_code", columns="age_group", values="neet")
    assert (w["15-19"] == w["15-29"] - w["20-24"] - w["25-29"]).all()


def test_nav_rows_sum_whole_predecessor_counties():
    b = barometer.all_counties()
    inn = b[(b["indicator"] == "nav_disability") & (b["region_code"] == "34")].iloc[0]
    from neethelpers.data import load
    raw = load(barometer.NAV)
    raw = raw[(raw["indicator"] == "Mottakere av uføretrygd") & (raw["age_group"] == "18-29")
              & (raw["period"] == barometer.nav_period("nav_disability"))].set_index("region_code")["value"]
    assert inn["x"] == raw["04"] + raw["05"]  # Hedmark + Oppland
    assert "Hedmark" in inn["borders"] and "Oppland" in inn["borders"]


def test_barometer_says_what_is_left_out_and_why():
    text = " ".join(barometer.omitted())
    assert "1996" in text and "videregående" in text
    assert "nedsatt arbeidsevne" in text


# --- similar counties, municipalities, what works ------------------------------------------------


def test_similar_counties_by_standardised_euclidean_distance():
    ind = similar.indicators()
    x = ind[list(similar.INDICATOR_LABELS)].to_numpy(dtype=float)
    z = (x - x.mean(axis=0)) / x.std(axis=0)  # numpy's std is the population sd
    i = ind.index[ind["county_code"] == "56"][0]
    dist = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
    expected = [ind.loc[j, "county_code"] for j in np.argsort(dist)[1:4]]
    s = similar.similar("Finnmark")
    assert s["county_code"].tolist() == ["56", *expected]
    assert s["distance"].iloc[1:].to_numpy() == pytest.approx(np.sort(dist)[1:4])


def test_three_year_municipality_shares_pool_the_counts():
    m = small_areas.three_year("56")
    years = m.attrs["years"]
    ms = county_series.municipality_series()
    g = m[m["municipality_name"] == "Gamvik"].iloc[0]
    raw = ms[(ms["municipality_name"] == "Gamvik") & ms["year"].isin(years)]
    assert (g["neet"], g["residents"]) == (raw["neet"].sum(), raw["residents"].sum())
    for r in m.itertuples():
        inside = r.lower <= r.county_share <= r.upper
        assert (r.comparison == small_areas.NOT_DIFFERENT) == inside
    county = ms[(ms["county_code"] == "56") & ms["year"].isin(years)]
    assert m["county_share"].iloc[0] == pytest.approx(county["neet"].sum() / county["residents"].sum() * 100)


def test_split_municipality_uses_only_years_it_existed_as_itself():
    m = small_areas.three_year("15").set_index("municipality_name")
    assert m.loc["Haram", "years_used"] == str(m.attrs["years"][-1])  # split from Ålesund in 2024


def test_evidence_strength_rule():
    f = pd.DataFrame({"bibkey": list("abcde"), "direction": ["økt risiko"] * 5})
    assert what_works.evidence_strength(f) == "sterk"
    assert what_works.evidence_strength(f.iloc[:2]) == "moderat"
    assert what_works.evidence_strength(f.iloc[:1]) == "svak"
    mixed = f.assign(direction=["økt risiko", "blandet", "økt risiko", "blandet", "økt risiko"])
    assert what_works.evidence_strength(mixed) == "moderat"


def test_what_works_lines_link_to_the_literature_chapter():
    lines = what_works.lines("Østfold")
    assert len(lines) == len(what_works.THEMES)
    assert all("tab-litteratur-funn" in line for line in lines)
    assert any("tab-litteratur-tiltak" in line for line in lines)


# --- page content -------------------------------------------------------------------------------


def test_profile_sections_and_headline():
    p = county_profile.profile("Finnmark")
    kf = p.key_figures.glue
    assert p.key_figures.tables[0].frame.shape[0] == 6
    head = kf["kf_headline"]
    assert kf["kf_trend_word"] in head or "uten signifikant endring" in head
    assert any(w in head for w in ("signifikant lavere", "signifikant høyere", "ikke signifikant forskjellig"))
    for s in (p.key_figures, p.barometer, p.trend, p.similar, p.expected, p.municipalities, p.what_works):
        assert all(isinstance(v, str) and v for v in s.glue.values())
        import re
        for name in re.findall(r"\{glue:md\}`([^`]+)`", s.text):
            assert name in s.glue, name  # every glue name in the prose is provided
        for t in s.tables:
            assert len(t.data) and len(t.frame)


def test_overview_ranking_has_every_county_with_interval_verdict_and_trend():
    d = county_profile.ranking_frame()
    assert len(d) == 15 and (d["lower"] < d["share"]).all() and (d["share"] < d["upper"]).all()
    assert set(d["trend_symbol"]) <= set(trend.TREND_SYMBOLS.values())
    assert set(d["verdict_symbol"]) <= {"▲", "●", "▼"}


def test_overview_ranking_sentence_counts_the_rows_of_its_table():
    """The sentence above the ranking says how many counties lie over/under the rest of the
    country and rise/fall — counted here from the table's own symbols, with nouns in number."""
    section = county_profile.overview_ranking()
    d = section.figures[0].data
    expected = {"rank_worse": (d["verdict_symbol"] == "▼").sum(), "rank_better": (d["verdict_symbol"] == "▲").sum(),
                "rank_falling": (d["trend_symbol"] == trend.TREND_SYMBOLS[trend.FALLING]).sum(),
                "rank_rising": (d["trend_symbol"] == trend.TREND_SYMBOLS[trend.RISING]).sum()}
    for name, n in expected.items():
        text = section.glue[name]
        assert text == ("ingen fylker" if n == 0 else "1 fylke" if n == 1 else f"{n} fylker"), (name, text)
    assert not re.search(r"\bi 0\b|\b0 fylker", section.text + " ".join(section.glue.values()))
