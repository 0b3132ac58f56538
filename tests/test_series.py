"""National and county series: exact sums, releases, breaks, rankings and the barometer.

Expected values are computed here directly from the raw files (``data.load``), not typed in.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from neethelpers import data
from neethelpers.registry import counties, crosswalk
from neethelpers.series import analysis_note, county as county_series, national, published

CURRENT = [c.code for c in counties.CURRENT_COUNTIES]


def _raw_counts(dataset: str, **filters) -> pd.DataFrame:
    """Residents and NEET counts straight from a raw file, one row per year/region/group."""
    df = data.load(dataset)
    for col, val in filters.items():
        df = df[df[col] == val]
    df = df[~df["indicator"].str.startswith("Andel")]
    df = df.assign(kind=df["indicator"].str.startswith("Bosatte").map({True: "residents", False: "neet"}))
    return df.pivot_table(index=["year", "region_code", "group"], columns="kind", values="value", aggfunc="sum") \
        .fillna(0).reset_index()


# --- national -------------------------------------------------------------------------------


def test_register_total_matches_the_national_file():
    raw = _raw_counts("ssb_13556_national_sex_age", sex="Begge kjønn", age_group="15-29")
    reg = national.register_total()
    assert list(reg["year"]) == sorted(raw["year"].astype(int))
    assert (reg["residents"].to_numpy() == raw["residents"].to_numpy()).all()
    assert (reg["neet"].to_numpy() == raw["neet"].to_numpy()).all()
    assert reg["share"].to_numpy() == pytest.approx((raw["neet"] / raw["residents"] * 100).to_numpy())


def test_release_flags_follow_the_status_column():
    raw = data.load("ssb_13556_national_sex_age")
    prelim_years = set(raw.loc[raw["status"].str.contains("preliminary"), "year"].astype(int))
    reg = national.register_total()
    assert set(reg.loc[reg["release"] == national.PRELIMINARY, "year"]) == prelim_years
    assert national.latest_final_year(reg) == max(set(reg["year"]) - prelim_years)


def test_15_19_is_marked_derived_and_equals_the_subtraction():
    d = national.register_by_sex_age()
    assert d.loc[d["age_group"] == "15-19", "derived"].all()
    assert not d.loc[d["age_group"] != "15-19", "derived"].any()
    w = d[d["sex"] == "Begge kjønn"].pivot(index="year", columns="age_group", values="neet")
    assert (w["15-19"] == w["15-29"] - w["20-24"] - w["25-29"]).all()


def test_immigrant_groups_add_up():
    d = national.register_by_immigrant().pivot(index="year", columns="group", values="neet")
    assert (d["I alt"] == d["Innvandrere"] + d["Befolkningen eksklusive innvandrere"]).all()


def test_aku_segments_never_span_the_break():
    aku = national.aku_series()
    for _segment, g in aku.groupby("segment"):
        assert (g["year"] < national.AKU_BREAK_YEAR).all() or (g["year"] >= national.AKU_BREAK_YEAR).all()
    assert aku["segment"].nunique() == 2
    raw = data.load("ssb_09858_aku_neet")
    pct = raw[raw["unit"].str.startswith("percent")].set_index("year")["value"]
    assert aku.set_index("year")["share"].to_dict() == {int(k): v for k, v in pct.items()}


def test_rises_with_age_needs_a_rise_in_every_year():
    ages = pd.DataFrame({"year": [2020] * 3 + [2021] * 3, "age_group": ["15-19", "20-24", "25-29"] * 2,
                         "share": [3.0, 6.0, 9.0, 3.0, 7.0, 6.5]})
    assert national.rises_with_age(ages[ages["year"] == 2020])
    assert not national.rises_with_age(ages)


def test_latest_common_year_is_the_newest_year_all_countries_share():
    series = pd.DataFrame({"geo": ["NO"] * 4 + ["SE"] * 3 + ["DK"] * 2,
                           "year": [2019, 2020, 2021, 2022, 2019, 2020, 2021, 2020, 2022]})
    assert national.latest_common_year(series, ("NO", "SE")) == 2021
    assert national.latest_common_year(series, ("NO", "SE", "DK")) == 2020
    eu24 = national.eurostat_15_24()
    common = national.latest_common_year(eu24, ("NO", "SE", "DK"))
    assert all(((eu24["geo"] == g) & (eu24["year"] == common)).any() for g in ("NO", "SE", "DK"))
    assert not all(((eu24["geo"] == g) & (eu24["year"] > common)).any() for g in ("NO", "SE", "DK"))


def test_eurostat_flags_are_kept():
    raw = data.load("eurostat_edat_lfse_20_15_24")
    e = national.eurostat_15_24()
    flagged = raw[raw["status"].isin(list(national.EUROSTAT_FLAGS))]
    assert len(e[e["flag"] != ""]) == len(flagged)
    assert set(e["country"]) == {"Norge", "Sverige", "Danmark"}
    assert "EU27" in set(national.eurostat_15_29()["country"])


# --- counties on 2024 borders ---------------------------------------------------------------


def test_county_sums_reproduce_national_totals_exactly_2009_2024():
    cs = county_series.county_series()
    sums = cs.groupby("year")[["residents", "neet"]].sum()
    nat = _raw_counts("ssb_13556_national_sex_age", sex="Begge kjønn", age_group="15-29").set_index("year")
    for year in range(2009, 2025):
        assert sums.loc[year, "residents"] == nat.loc[year, "residents"], year
        assert sums.loc[year, "neet"] == nat.loc[year, "neet"], year


def test_the_2008_gap_is_measured_and_documented():
    cs = county_series.county_series()
    nat = _raw_counts("ssb_13556_national_sex_age", sex="Begge kjønn", age_group="15-29").set_index("year")
    s2008 = cs[cs["year"] == 2008][["residents", "neet"]].sum()
    gaps = county_series.gaps()
    assert list(gaps["year"]) == [2008]
    assert gaps["residents_missing"].iloc[0] == nat.loc[2008, "residents"] - s2008["residents"] > 0
    assert gaps["neet_missing"].iloc[0] == nat.loc[2008, "neet"] - s2008["neet"] > 0
    note = county_series.gap_note()
    assert "2008" in note and str(int(gaps["residents_missing"].iloc[0])) in note


def test_fifteen_counties_every_year_and_shares_from_sums():
    cs = county_series.county_series()
    assert (cs.groupby("year")["county_code"].apply(lambda s: sorted(s)) == [sorted(CURRENT)] * cs["year"].nunique()).all()
    assert cs["share"].to_numpy() == pytest.approx((cs["neet"] / cs["residents"] * 100).to_numpy())
    my = crosswalk.municipality_years()
    assert (cs.groupby("year")["n_municipalities"].sum() == my.groupby("year").size()).all()


def test_unchanged_counties_match_the_own_border_file_in_2023():
    """Counties whose borders did not change in 2024 have the same 2023 total on both borders."""
    own = _raw_counts("ssb_13556_county_sex_age_own_borders", sex="Begge kjønn", age_group="15-29")
    own = own[own["year"] == 2023].set_index("region_code")
    cs = county_series.county_series()
    cs = cs[cs["year"] == 2023].set_index("county_code")
    cw = crosswalk.crosswalk()
    c23 = cw[cw["year"] == 2023]
    same = [c for c in CURRENT if c in own.index and
            set(c23.loc[c23["municipality_code"].str[:2] == c, "county_code"]) == {c} and
            set(c23.loc[c23["county_code"] == c, "municipality_code"].str[:2]) == {c}]
    assert len(same) >= 8
    for code in same:
        assert cs.loc[code, "residents"] == own.loc[code, "residents"]
        assert cs.loc[code, "neet"] == own.loc[code, "neet"]


def _independent_headline(code: str) -> dict:
    """Newest final year, the county's counts on 2024 borders and its rank, computed from
    the raw municipality file and the crosswalk without county_series."""
    muni = data.load("ssb_13556_municipality")
    final_year = int(muni.loc[~muni["status"].str.contains("preliminary"), "year"].max())
    m = muni[muni["year"] == final_year]
    cw = crosswalk.crosswalk()
    m = m.merge(cw[cw["year"] == final_year], left_on="region_code", right_on="municipality_code")
    res = m[m["indicator"].str.startswith("Bosatte")].groupby("county_code")["value"].sum()
    neet = m[m["indicator"].str.startswith("Utenfor")].groupby("county_code")["value"].sum()
    share = neet / res * 100
    return {"year": final_year, "neet": int(neet[code]), "residents": int(res[code]), "share": share[code],
            # counted from the highest, on the shares as displayed (one decimal): ties share a rank
            "rank": int((share.round(1) > round(share[code], 1)).sum() + 1),
            "diff": round(share[code] - _national_share(final_year), 1)}


def _national_share(year: int) -> float:
    nat = _raw_counts("ssb_13556_national_sex_age", sex="Begge kjønn", age_group="15-29").set_index("year")
    return nat.loc[year, "neet"] / nat.loc[year, "residents"] * 100


@pytest.mark.parametrize("code", CURRENT)
def test_headline_equals_the_data_for_every_county(code):
    h = county_series.headline(code)
    ind = _independent_headline(code)
    assert h.year == ind["year"]
    assert h.neet == ind["neet"]
    assert h.residents == ind["residents"]
    assert h.share == pytest.approx(ind["share"])
    assert h.rank == ind["rank"]
    nat = _raw_counts("ssb_13556_national_sex_age", sex="Begge kjønn", age_group="15-29").set_index("year")
    assert h.national_share == pytest.approx(nat.loc[h.year, "neet"] / nat.loc[h.year, "residents"] * 100)
    # a newer preliminary year exists in the series and is reported with the third party's final share
    assert h.preliminary_year is not None and h.preliminary_year > h.year
    tp = data.load("ssb_13563_county_2024_shares")
    tp = tp[(tp["year"] == h.preliminary_year) & (tp["age_group"] == "15-29") & (tp["region_code"] == code)]
    by_ssb = tp[tp["status"] == "final"]
    expected = by_ssb if len(by_ssb) else tp
    assert h.newer_final_share == expected["value"].iloc[0]
    assert h.newer_final_by_ssb == bool(len(by_ssb))


def test_headline_difference_is_rounded_from_the_unrounded_counts():
    """The difference from the country is computed from the counts (independently, from
    data/raw) and rounded once — not the difference of two rounded shares."""
    for code in CURRENT:
        h = county_series.headline(code)
        expected = _independent_headline(code)["diff"] + 0.0
        assert h.diff_shown == expected, code
        assert h.direction == ("høyere enn" if expected > 0 else "lavere enn" if expected < 0 else "lik")


def test_equal_displayed_shares_get_equal_rank():
    ranks = {code: county_series.headline(code) for code in CURRENT}
    for a in CURRENT:
        for b in CURRENT:
            if round(ranks[a].share, 1) == round(ranks[b].share, 1):
                assert ranks[a].rank == ranks[b].rank, (a, b)
    lowest = [h for h in ranks.values() if h.lowest]
    assert lowest and all(round(h.share, 1) == min(round(x.share, 1) for x in ranks.values()) for h in lowest)


@pytest.mark.parametrize("rank,n,lowest,text", [
    (1, 15, False, "den høyeste andelen"), (2, 15, False, "den nest høyeste andelen"),
    (5, 15, False, "den 5. høyeste andelen"), (12, 15, False, "den 12. høyeste andelen"),
    (15, 15, True, "den 15. høyeste andelen (den laveste)"),
])
def test_rank_text_counts_in_one_direction(rank, n, lowest, text):
    assert county_series.rank_text(rank, n, lowest) == text


def test_ranking_is_sorted_and_complete():
    r = county_series.ranking()
    assert len(r) == 15 and r["share"].is_monotonic_increasing
    # one direction everywhere: 1 = the highest share, as on the county pages' headline
    assert list(r["rank"]) == sorted(r["rank"], reverse=True)
    assert r["rank"].iloc[-1] == 1 and r["rank"].iloc[0] == 1 + (r["share"].round(1) > r["share"].round(1).iloc[0]).sum()


# --- municipalities ---------------------------------------------------------------------


def test_municipalities_small_marked_and_last():
    for code in ("34", "15", "03"):
        m = county_series.municipalities(code)
        assert (m["small"] == (m["residents"] < county_series.SMALL_MUNICIPALITY_RESIDENTS)).all()
        if m["small"].any():
            first_small = m.index[m["small"]].min()
            assert not m.loc[first_small:, "small"].eq(False).any()  # no reliable one after a small one
        reliable = m[~m["small"]]
        assert reliable["share"].is_monotonic_decreasing


def test_municipality_change_since_2015_for_an_unchanged_municipality():
    m = county_series.municipalities("03").set_index("municipality_code")
    raw = _raw_counts("ssb_13556_municipality").set_index(["year", "region_code"])
    last = int(raw.index.get_level_values(0).max())
    s_last = raw.loc[(last, "0301"), "neet"] / raw.loc[(last, "0301"), "residents"] * 100
    s_2015 = raw.loc[(2015, "0301"), "neet"] / raw.loc[(2015, "0301"), "residents"] * 100
    assert m.loc["0301", "change_points"].item() == pytest.approx((s_last - s_2015).item())


def test_municipality_split_after_base_year_is_not_compared():
    m = county_series.municipalities("15").set_index("municipality_name")
    # Ålesund was split into Ålesund and Haram in 2024: neither is comparable with 2015
    assert not m.loc["Ålesund", "comparable"] and math.isnan(m.loc["Ålesund", "change_points"])
    assert not m.loc["Haram", "comparable"]
    assert m["comparable"].sum() == len(m) - 2


def test_municipalities_sum_to_the_county():
    cs = county_series.county_series()
    last = int(cs["year"].max())
    for code in CURRENT:
        m = county_series.municipalities(code)
        row = cs[(cs["year"] == last) & (cs["county_code"] == code)].iloc[0]
        assert m["neet"].sum() == row["neet"] and m["residents"].sum() == row["residents"]


# --- predecessors and immigrants --------------------------------------------------------


def test_immigrant_series_labels_predecessors_without_changing_values():
    imm = county_series.immigrant_series("32")
    viken = imm[imm["year"] == 2021]
    assert set(viken["area"]) == {"Viken (2020–2023)"} and viken["is_predecessor"].all()
    raw = _raw_counts("ssb_13563_county_immigrant_own_borders")
    raw = raw[(raw["year"] == 2021) & (raw["region_code"] == "30")].set_index("group")
    for rec in viken.itertuples(index=False):
        assert rec.neet == raw.loc[rec.group, "neet"] and rec.residents == raw.loc[rec.group, "residents"]
    own = imm[imm["year"] == 2024]
    assert set(own["area"]) == {"Akershus"} and not own["is_predecessor"].any()


def test_immigrants_higher_every_year_compares_each_year_and_area():
    rows = [(2015, "Hedmark", "Innvandrere", 9.0), (2015, "Hedmark", "Befolkningen eksklusive innvandrere", 6.0),
            (2015, "Oppland", "Innvandrere", 8.0), (2015, "Oppland", "Befolkningen eksklusive innvandrere", 5.0),
            (2015, "Oppland", "I alt", 5.5)]
    parts = pd.DataFrame(rows, columns=["year", "area", "group", "share"])
    assert county_series.immigrants_higher_every_year(parts)
    parts.loc[3, "share"] = 8.0  # equal is not higher
    assert not county_series.immigrants_higher_every_year(parts)


def test_own_border_history_two_predecessors_for_innlandet():
    h = county_series.own_border_history("34")
    assert len(h[h["year"] == 2015]) == 2  # Hedmark and Oppland, never combined or split
    assert h[h["year"] == 2015]["is_predecessor"].all()


# --- analysis note (the barometer is tested in test_profile_stats.py) --------------------------------------------------------


def test_analysis_note_tables_are_the_published_values():
    t3 = analysis_note.table3(highlight="31")
    assert list(t3["NEET (%)"]) == list(published.table3()["neet"])
    assert t3["Område"].str.endswith("◀").sum() == 1
    notes = analysis_note.contradiction_notes("31")
    c = published.contradictions()
    ost = c[(c["region_code"] == "31") & (c["figure_id"] == "table3")]
    assert len(ost) >= 1
    for rec in ost.itertuples(index=False):
        other = f"{rec.other_value:.1f}".replace(".", ",")
        assert any(other in n and "Østfold" in n for n in notes)


def test_risk_profile_pairs_keep_gaps_as_gaps():
    p = analysis_note.risk_profile_pairs()
    assert p["lneet"].notna().all()
    assert (p.loc[p["others"].isna(), "others_text"] == "ikke oppgitt").all()


# --- the newest year SSB has published (final shares only) ------------------------------------


def _raw_2024_final_shares() -> pd.DataFrame:
    """The final 2024 shares read straight from the raw file (not through the package):
    SSB's own value where one is published, otherwise the third party's."""
    from neethelpers import paths

    raw = pd.read_csv(paths.RAW_DIR / "ssb_13563_county_2024_shares.csv", dtype={"region_code": str})
    raw = raw[raw["age_group"] == "15-29"]
    raw = raw.assign(own=raw["status"] == "final").sort_values("own", ascending=False)
    return raw.drop_duplicates("region_code").set_index("region_code")


@pytest.mark.parametrize("code", CURRENT)
def test_newest_final_share_is_the_raw_final_share_with_its_rank_among_the_counties(code):
    raw = _raw_2024_final_shares()
    newest = county_series.newest_final_share(code)
    assert newest is not None and newest.year == int(raw["year"].max())
    assert newest.year > county_series.latest_final_year()  # newer than the newest final counts
    assert newest.share == raw.loc[code, "value"]
    assert newest.by_ssb == bool(raw.loc[code, "own"])
    assert newest.national_share == raw.loc[counties.NATIONAL_CODE, "value"]
    county_shares = [raw.loc[c.code, "value"] for c in counties.current_counties()]
    # rank counted from the highest, equal shares (all published at one decimal) sharing it
    assert newest.rank == 1 + sum(s > raw.loc[code, "value"] for s in county_shares)
    assert newest.diff_shown == round(raw.loc[code, "value"] - raw.loc[counties.NATIONAL_CODE, "value"], 1)
    assert set(newest.tied_with) == {c.name for c in counties.current_counties()
                                     if c.code != code and raw.loc[c.code, "value"] == raw.loc[code, "value"]}


def test_headline_sentences_lead_with_the_newest_final_share_and_never_put_a_preliminary_count_next_to_it():
    from neethelpers.chapters import county_profile, national as national_chapter
    from neethelpers.presentation import fmt

    raw = _raw_2024_final_shares()
    year = int(raw["year"].max())
    ostfold = counties.resolve("Østfold")
    head = county_series.headline(ostfold.code)
    sentence = county_profile.key_figures(ostfold).glue["kf_headline"]
    assert sentence.startswith(f"I {year} var {fmt.percent(raw.loc[ostfold.code, 'value'])} av de unge i Østfold")
    assert "SSBs endelige tall" in sentence and f"Med endelige antall for {head.year}" in sentence
    assert fmt.count(head.preliminary_neet) not in sentence  # the preliminary count is not next to the final share
    # a shared rank is said: the counties with the same displayed share are named
    same = [c.name for c in counties.current_counties()
            if c.code != ostfold.code and raw.loc[c.code, "value"] == raw.loc[ostfold.code, "value"]]
    assert (f"delt med {same[0]}" in sentence) == bool(same)
    register = national.register_total()
    national_sentence = national_chapter.headline_sentence(register)
    assert national_sentence.startswith(
        f"I {year} var {fmt.percent(raw.loc[counties.NATIONAL_CODE, 'value'])} av de unge")
    prelim = register[register["year"] == year]
    assert fmt.count(prelim["neet"].iloc[0]) not in national_sentence
    assert fmt.count(prelim["residents"].iloc[0]) not in national_sentence
    final = register[register["year"] == national.latest_final_year(register)].iloc[0]
    assert f"{fmt.count(final['neet'])} unge" in national_sentence
    assert f"av de {fmt.count(final['residents'])} unge som var bosatt i Norge" in national_sentence
