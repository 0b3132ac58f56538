"""The note's descriptive tables recomputed from microdata (neethelpers.microdata.descriptive):
identical on persons and cells, equal to independent pandas computations, close to the
published figures on the synthetic cohort, and safe under disclosure control."""

from __future__ import annotations

import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neethelpers.errors import UnknownCountyError
from neethelpers.microdata import descriptive as d, disclosure, schema
from neethelpers.presentation import downloads, fmt, report
from neethelpers.series import published

FIXTURE_NB = Path(__file__).parent / "fixtures" / "notebooks_descriptive" / "descriptive_section.ipynb"


# --- test data ----------------------------------------------------------------------------


def random_persons(rng: np.random.Generator, n: int, fylker=("32", "03", "56")) -> pd.DataFrame:
    """Valid person-level data with risk factors that raise the chance of long-term NEET."""
    alder = rng.integers(15, 30, n)
    innvandrer = rng.choice([0, 1, 2], n, p=[0.8, 0.14, 0.06])
    innvandrerb = np.where(innvandrer > 0, 1, rng.binomial(1, 0.03, n))
    living = rng.random(n) < np.clip(1.1 - (alder - 15) / 16, 0.1, 0.95)
    grunnbelop = np.where(living, rng.choice([1, 2, 3], n, p=[0.3, 0.3, 0.4]), np.nan)
    dropout = np.where(alder >= 18, rng.binomial(1, 0.2, n), 0)
    tidlarb = rng.binomial(1, np.clip(0.2 + 0.04 * (alder - 15), 0, 0.9))
    barnevern = rng.binomial(1, 0.04, n)
    allhelse = rng.binomial(1, 0.05, n)
    sosbakgr = rng.choice([1, 2, 3], n, p=[0.2, 0.35, 0.45])
    eta = (-3.5 + 1.2 * dropout - 1.0 * tidlarb + 2.4 * allhelse + 0.5 * (sosbakgr == 3) + 0.6 * barnevern
           + 0.4 * innvandrerb - 0.5 * (grunnbelop == 3))
    neet = rng.binomial(1, 1 / (1 + np.exp(-eta)))
    raw = pd.DataFrame({
        "neet2023": neet, "dropout": dropout, "tidlarb": tidlarb, "barnevern": barnevern, "allhelse": allhelse,
        "innvandrerb": innvandrerb, "innvandrer": innvandrer, "sosbakgr": sosbakgr, "grunnbelop": grunnbelop,
        "kjonn": rng.integers(1, 3, n), "alder": alder, "fylke": rng.choice(list(fylker), n),
    })
    return schema.validate(raw, "persons")


def tiny_group_persons(seed: int = 7) -> pd.DataFrame:
    """Realistic data for Akershus and Oslo plus deliberately tiny groups: Finnmark has 3
    persons, Akershus only 2 Norwegian-born to immigrant parents, and Oslo only 4 persons
    with a child-welfare measure."""
    rng = np.random.default_rng(seed)
    big = random_persons(rng, 6000, fylker=("32", "03"))
    big = big[~((big["fylke"] == "32") & (big["innvandrer"] == 2))]
    big = big[~((big["fylke"] == "03") & (big["barnevern"] == 1))]
    small = random_persons(rng, 60, fylker=("32",))
    small = small[small["innvandrer"] == 2].head(2)
    cw = random_persons(rng, 400, fylker=("03",))
    cw = cw[cw["barnevern"] == 1].head(4)
    tiny = random_persons(rng, 3, fylker=("56",))
    out = pd.concat([big, small, cw, tiny], ignore_index=True)
    assert len(small) == 2 and len(cw) == 4
    return schema.validate(out, "persons")


@pytest.fixture(scope="module")
def persons() -> pd.DataFrame:
    return random_persons(np.random.default_rng(2024), 20000)


@pytest.fixture(scope="module")
def synthetic_results():
    from neethelpers.microdata import synthetic

    return d.compute_all(synthetic.cohort())


# --- one code path: persons and cells -------------------------------------------------------


@pytest.mark.parametrize("county", [None, "Oslo", "56"])
def test_persons_and_their_cells_give_identical_tables(persons, county):
    from_persons = d.compute(persons, county)
    shuffled = schema.to_cells(persons.sample(frac=1.0, random_state=1))
    from_cells = d.compute(shuffled.sample(frac=1.0, random_state=2), county)
    assert set(from_persons.tables) == set(d.SPECS)
    for name in d.SPECS:
        pd.testing.assert_frame_equal(from_persons.tables[name], from_cells.tables[name], check_exact=True)
    assert from_persons.n_persons == from_cells.n_persons


def test_input_data_from_files_of_both_kinds_agree(persons, tmp_path):
    pfile, cfile = tmp_path / "persons.csv", tmp_path / "cells.parquet"
    persons.to_csv(pfile, index=False)
    schema.to_cells(persons).to_parquet(cfile, index=False)
    a = d.compute(d.load_source(str(pfile)), "32")
    b = d.compute(d.load_source(str(cfile)), "32")
    for name in d.SPECS:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert a.source.endswith("persons.csv") and not a.synthetic


# --- independent computations -------------------------------------------------------------


def _pct(mask: pd.Series) -> float:
    return 100.0 * float(mask.mean()) if len(mask) else math.nan


@pytest.mark.parametrize("county", [None, "32"])
def test_risk_profile_equals_independent_pandas(persons, county):
    p = persons if county is None else persons[persons["fylke"] == county]
    lneet, others = p[p["neet2023"] == 1], p[p["neet2023"] == 0]
    conditions = {
        "dropout": lambda f: f["dropout"] == 1,
        "no_work": lambda f: f["tidlarb"] == 0,
        "barnevern": lambda f: f["barnevern"] == 1,
        "allhelse": lambda f: f["allhelse"] == 1,
        "innvandrerb": lambda f: f["innvandrerb"] == 1,
        "low_social": lambda f: f["sosbakgr"] == 3,
        "high_social": lambda f: f["sosbakgr"] == 1,
    }
    rp = d.compute(persons, county).risk_profile.set_index("factor")
    for key, cond in conditions.items():
        assert rp.at[key, "lneet_share"] == pytest.approx(_pct(cond(lneet)), rel=1e-12)
        assert rp.at[key, "others_share"] == pytest.approx(_pct(cond(others)), rel=1e-12)
        assert rp.at[key, "ratio"] == pytest.approx(_pct(cond(lneet)) / _pct(cond(others)), rel=1e-12)
        assert rp.at[key, "lneet_with"] == int(cond(lneet).sum())
        assert rp.at[key, "others_total"] == len(others)
        assert rp.at[key, "lneet_share_among_with"] == pytest.approx(_pct(p.loc[cond(p), "neet2023"] == 1))
    # household income: only those living with a parent (grunnbelop not empty)
    lw, ow = lneet[lneet["grunnbelop"].notna()], others[others["grunnbelop"].notna()]
    assert rp.at["low_income", "lneet_share"] == pytest.approx(_pct(lw["grunnbelop"] == 1), rel=1e-12)
    assert rp.at["low_income", "others_share"] == pytest.approx(_pct(ow["grunnbelop"] == 1), rel=1e-12)
    assert rp.at["low_income", "lneet_total"] == len(lw)


def test_age_income_sex_and_immigrant_tables_equal_independent_pandas(persons):
    r = d.compute(persons, "03")
    p = persons[persons["fylke"] == "03"]
    t = r.by_age_income.set_index(["alder", "income_group"])
    for (alder, g), grp in p[p["grunnbelop"].notna()].groupby(["alder", p["grunnbelop"].astype("float")]):
        key = {1.0: "low", 2.0: "middle", 3.0: "high"}[g]
        assert t.at[(alder, key), "share"] == pytest.approx(_pct(grp["neet2023"] == 1), rel=1e-12)
        assert t.at[(alder, key), "n"] == len(grp)
    for alder, grp in p[p["grunnbelop"].notna()].groupby("alder"):
        assert t.at[(alder, "with_parent"), "share"] == pytest.approx(_pct(grp["neet2023"] == 1), rel=1e-12)
    for alder, grp in p[p["grunnbelop"].isna()].groupby("alder"):
        assert t.at[(alder, "not_with_parent"), "share"] == pytest.approx(_pct(grp["neet2023"] == 1), rel=1e-12)
    sex = r.by_sex.set_index("group")
    for key, code in (("women", 2), ("men", 1)):
        grp = p[p["kjonn"] == code]
        assert sex.at[key, "share"] == pytest.approx(_pct(grp["neet2023"] == 1), rel=1e-12)
        assert sex.at[key, "share_of_lneet"] == pytest.approx(
            100 * grp["neet2023"].sum() / p["neet2023"].sum(), rel=1e-12)
    imm = r.by_immigrant.set_index("group")
    assert imm.at["innvandrer_1", "share"] == pytest.approx(_pct(p.loc[p["innvandrer"] == 1, "neet2023"] == 1))
    assert imm.at["rest", "share"] == pytest.approx(_pct(p.loc[p["innvandrer"] != 1, "neet2023"] == 1))
    assert imm.at["innvandrerb_0", "n"] == int((p["innvandrerb"] == 0).sum())
    ages = r.by_age_group.set_index("age_group")
    assert ages.at["25-29", "share"] == pytest.approx(_pct(p.loc[p["alder"] >= 25, "neet2023"] == 1))
    assert ages.at["15-29", "n"] == len(p)


def test_weighted_persons_give_weighted_shares_and_unweighted_disclosure_counts(persons):
    p = persons[persons["fylke"] == "32"].copy()
    p["weight"] = np.where(p["kjonn"] == 2, 3, 1)  # frequency weights: whole numbers
    r = d.compute(p, "32")
    w = p["weight"]
    expected = 100 * (w * p["neet2023"]).sum() / w.sum()
    assert r.by_sex.set_index("group").at["all", "share"] == pytest.approx(expected, rel=1e-12)
    assert r.person_tables["by_sex"].set_index("group").at["all", "n"] == len(p)
    assert r.n_persons == len(p)


def test_unknown_county_and_empty_region(persons):
    with pytest.raises(UnknownCountyError):
        d.compute(persons, "Atlantis")
    r = d.compute(persons, "Telemark")  # no persons there in this data
    assert r.n_persons == 0
    assert r.by_sex["share"].isna().all()


# --- comparison with the published figures ------------------------------------------------


def test_comparison_reads_published_values_from_the_data(synthetic_results):
    t3 = published.table3().set_index("region_code")
    t4 = published.table4().set_index("region_code")
    for code in ("0", "32", "33", "31", "03"):
        comp = d.compare_with_published(synthetic_results[code]).set_index("measure")
        assert comp.at["Andel langtids-NEET, alle 15–29 år", "published"] == t3.at[code, "lneet"]
        assert comp.at["Andel langtids-NEET, kvinner", "published"] == t3.at[code, "lneet_women"]
        assert comp.at["Andel langtids-NEET, innvandrere", "published"] == t4.at[code, "lneet_immigrants"]
        by_sex = synthetic_results[code].by_sex.set_index("group")
        assert comp.at["Andel langtids-NEET, menn", "recomputed"] == by_sex.at["men", "share"]
        diff = comp["recomputed"] - comp["published"]
        np.testing.assert_allclose(comp["difference"], diff)
    # a county the note did not publish long-term figures for has nothing to compare
    assert d.compare_with_published(synthetic_results["34"]).empty


def test_every_published_national_risk_figure_is_compared(synthetic_results):
    comp = d.compare_with_published(synthetic_results["0"])
    rp = published.risk_profile()
    # every national risk-profile statement is reproducible from microdata
    assert (comp["source"] == "Tabell 1 (kapittel 3)").sum() == len(rp)
    fig2 = published.figure2_points()
    assert (comp["source"] == "Figur 2").sum() == len(fig2)
    hver_tredje = comp[comp["published_text"].str.contains("1 av")]
    one_in_n = rp.loc[rp["statistic"] == "one_in_n", "value"].iloc[0]
    assert hver_tredje["published"].iloc[0] == pytest.approx(100 / one_in_n)


def _tolerance(share: float, n: float) -> float:
    """Allowed distance between a synthetic figure and the published one, in percentage
    points: three binomial standard errors of the synthetic draw (the cohort is a random
    sample around its calibrated expectation), plus the printed figure's rounding
    (± 0,05), plus 0,5 points of calibration error — the generator matches its targets by
    iterating on expected counts and does not promise more than that for these margins."""
    se = 100 * math.sqrt(max(share / 100 * (1 - share / 100), 1e-9) / max(n, 1))
    return 3 * se + 0.05 + 0.5


def test_synthetic_national_figures_are_close_to_the_published(synthetic_results):
    r = synthetic_results["0"]
    comp = d.compare_with_published(r)
    checked = 0
    sex = r.by_sex.set_index("group")
    imm = r.by_immigrant.set_index("group")
    rp = r.risk_profile.set_index("factor")
    denominators = {
        "Andel langtids-NEET, alle 15–29 år": sex.at["all", "n"],
        "Andel langtids-NEET, kvinner": sex.at["women", "n"], "Andel langtids-NEET, menn": sex.at["men", "n"],
        "Andel langtids-NEET, innvandrere": imm.at["innvandrer_1", "n"],
        "Andel langtids-NEET, øvrig befolkning": imm.at["rest", "n"],
        "Uten arbeidserfaring, blant langtids-NEET": rp.at["no_work", "lneet_total"],
        "Husholdningsinntekt ≤ 2 G, blant langtids-NEET som bor med en forelder": rp.at["low_income", "lneet_total"],
        "Foreldre med bare grunnskole, blant langtids-NEET": rp.at["low_social", "lneet_total"],
        "Foreldre med høyere utdanning, blant langtids-NEET": rp.at["high_social", "lneet_total"],
        "Mottar helserelatert ytelse, blant andre": rp.at["allhelse", "others_total"],
        "Barnevernstiltak, blant langtids-NEET": rp.at["barnevern", "lneet_total"],
        "Barnevernstiltak, blant andre": rp.at["barnevern", "others_total"],
    }
    for row in comp[(comp["qualifier"] == "exact") & (comp["unit"] == "percent")].itertuples():
        if row.measure not in denominators:
            continue
        tol = _tolerance(row.published, denominators[row.measure])
        assert abs(row.difference) <= tol, (row.measure, row.published, row.recomputed, tol)
        checked += 1
    assert checked >= 10
    # Figure 2's shape: at 29, L-NEET is more common in low-income than in high-income homes
    t = r.by_age_income.set_index(["alder", "income_group"])
    assert t.at[(29, "low"), "share"] > t.at[(29, "high"), "share"]


# --- disclosure control -------------------------------------------------------------------


def _unsafe(frame: pd.DataFrame, spec: d.TableSpec, threshold: int) -> dict[str, np.ndarray]:
    out = {}
    for share, num, den in spec.shares:
        k, n = frame[num].astype(float), frame[den].astype(float)
        out[share] = ((k < threshold) | (n < threshold) | (n - k < threshold)).to_numpy()
    for col in spec.counts:
        out[col] = (frame[col].astype(float) < threshold).to_numpy()
    for derived, deps in spec.derived:
        out[derived] = np.logical_or.reduce([out[x] for x in deps])
    return out


@pytest.mark.parametrize("threshold", [5, 12])
def test_protect_suppresses_every_small_cell_and_rounds_counts(threshold):
    persons = tiny_group_persons()
    raw = d.compute_all(persons, [None, "32", "03", "56"])
    for code, r in raw.items():
        safe = d.protect(r, threshold=threshold, round_to=10)
        assert safe.protected and safe.n_persons % 10 == 0
        for name, spec in d.SPECS.items():
            before, after = r.tables[name], safe.tables[name]
            unsafe = _unsafe(before, spec, threshold)
            for col, mask in unsafe.items():
                values = after[col].astype("Float64")
                assert values[mask].isna().all(), (code, name, col)
                flagged = after["suppressed"].map(lambda s, c=col: c in s.split(", ")).to_numpy()
                exists = before[col].notna().to_numpy()  # a share with no persons behind it is a dash
                assert (flagged[mask & exists]).all()
                assert not flagged[~mask].any()
                if col in spec.counts:
                    kept = values[~mask].dropna()
                    assert (kept % 10 == 0).all() and (kept >= 10).all()
                    expected = [_half_up(v, 10) for v in before[col].astype(float)[~mask]]
                    np.testing.assert_array_equal(kept.to_numpy(dtype=float), expected)
            # shares: from the rounded counts, half-up to one decimal (independent arithmetic)
            for share, num, den in spec.shares:
                mask = ~unsafe[share] & before[share].notna().to_numpy()
                expected = [_share_from_rounded(k, n) for k, n in zip(before[num][mask], before[den][mask])]
                np.testing.assert_array_equal(after[share][mask].to_numpy(dtype=float), expected)
    # the tiny groups were built in: they must be suppressed
    assert d.protect(raw["56"], threshold).by_sex["share"].isna().all()
    imm = d.protect(raw["32"], threshold).by_immigrant.set_index("group")
    assert pd.isna(imm.at["innvandrer_2", "share"]) and pd.isna(imm.at["innvandrer_2", "n"])
    rp = d.protect(raw["03"], threshold).risk_profile.set_index("factor")
    assert pd.isna(rp.at["barnevern", "ratio"]) and pd.isna(rp.at["barnevern", "others_share"])


def _half_up(value: float, base: int) -> float:
    return float((Decimal(int(value)) / base).quantize(Decimal(1), rounding=ROUND_HALF_UP) * base)


def _share_from_rounded(k: float, n: float) -> float:
    rk, rn = _half_up(k, 10), _half_up(n, 10)
    return float((Decimal(100) * Decimal(rk) / Decimal(rn)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def test_protect_refuses_a_bad_threshold():
    with pytest.raises(ValueError):
        d.protect(d.compute(random_persons(np.random.default_rng(1), 100)), threshold=0)


def _capture(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(getattr(obj, "data", str(obj))))
    return shown


def _csv_values(path: Path) -> pd.DataFrame:
    """A CSV download as text, with the internal column names and decimal points (the file
    itself has Norwegian column names and decimal commas, see presentation.downloads)."""
    df = downloads.read_csv(path, dtype=str, keep_default_na=False)
    df.columns = [downloads.internal_name(c) for c in df.columns]
    return df.apply(lambda s: s.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True))


COUNT_COLUMN = re.compile(r"^(personer|langtids_neet|langtids_neet_i_alt|langtids_neet_med_faktoren|andre_i_alt|"
                          r"andre_med_faktoren|.*_antall)$")
SHARE_COLUMN = re.compile(r"(prosent|forhold)$")


def unsafe_share_values(results: dict[str, d.DescriptiveResult], threshold: int,
                        kind: str | None = None) -> tuple[set, set]:
    """Exact values (to 4 decimals) of every share (``kind="share"``), ratio (``"ratio"``) or
    both that rests on too few persons, and of every safe one, so a collision between the two
    is not misread."""
    unsafe, safe = set(), set()
    for r in results.values():
        for name, spec in d.SPECS.items():
            frame = r.tables[name]
            flags = _unsafe(frame, spec, threshold)
            cols = ([s for s, _, _ in spec.shares] if kind in (None, "share") else []) + \
                   ([x for x, _ in spec.derived] if kind in (None, "ratio") else [])
            for col in cols:
                for v, bad in zip(frame[col].astype(float), flags[col]):
                    if not math.isnan(v):
                        (unsafe if bad else safe).add(round(v, 4))
    return unsafe - safe, safe


def published_share_values(results: dict[str, d.DescriptiveResult], threshold: int) -> set:
    """Every share and ratio the section may show: those left after :func:`d.protect`."""
    shown = set()
    for r in results.values():
        protected = d.protect(r, threshold)
        for name, spec in d.SPECS.items():
            frame = protected.tables[name]
            for col in [s for s, _, _ in spec.shares] + [x for x, _ in spec.derived]:
                shown |= {round(v, 4) for v in frame[col].astype(float) if not math.isnan(v)}
    return shown


def check_assets(asset_dir: Path, raw: dict[str, d.DescriptiveResult], threshold: int, round_to: int = 10) -> int:
    """No CSV written by the section shows a share built on fewer than ``threshold``
    persons, and every count in it is rounded to ``round_to`` (and, when rounding cannot
    take a count of at least ``threshold`` to zero, is not zero). Returns how many
    suppression markers were found."""
    smallest = round_to if 2 * threshold >= round_to else 0
    unsafe, _safe = unsafe_share_values(raw, threshold)
    marker = disclosure.marker(threshold)
    markers = 0
    files = sorted(asset_dir.glob("*.csv"))
    for path in files:
        df = _csv_values(path)
        for col in df.columns:
            for v in df[col]:
                if v == marker:
                    markers += 1
                    continue
                if v == "" or not re.fullmatch(r"-?\d+(\.\d+)?", v):
                    continue
                if COUNT_COLUMN.match(col):
                    assert float(v) % round_to == 0 and float(v) >= smallest, (path.name, col, v)
                if SHARE_COLUMN.search(col) and "publisert" not in col:
                    # display precision only (one decimal), so no exact share is published
                    assert re.fullmatch(r"-?\d+(\.\d)?", v), (path.name, col, v)
                    assert round(float(v), 4) not in unsafe or float(v) * 10 == int(float(v) * 10), (path.name, col, v)
        if "beregnet" in df.columns:  # the comparison: a recomputed value that was suppressed stays suppressed
            for v, unit in zip(df["beregnet"], df["enhet_for_forskjell"]):
                if v in ("", marker):
                    continue
                if unit == "personer":
                    assert float(v) % round_to == 0 and float(v) >= smallest, (path.name, v)
                else:
                    assert re.fullmatch(r"-?\d+(\.\d)?", v), (path.name, v)
    return markers


@pytest.fixture()
def tiny_file(tmp_path) -> Path:
    path = tmp_path / "registerutdrag.csv"
    tiny_group_persons().to_csv(path, index=False)
    return path


@pytest.mark.parametrize("county", ["Akershus", "Finnmark", "alle", None])
def test_section_on_real_data_never_shows_a_small_cell(monkeypatch, tmp_path, tiny_file, county):
    from neethelpers.chapters import longterm as section

    out = tmp_path / "run"
    out.mkdir()
    monkeypatch.chdir(out)
    shown = _capture(monkeypatch)
    report.setup(page="test")
    section.show_section(str(tiny_file), county, threshold=5)
    text = "\n".join(shown)
    assert "syntetisk" not in text.lower()
    assert report.SYNTHETIC_LABEL not in text
    assert fmt.escape_user_text("registerutdrag.csv") in text  # the file name, escaped (issue 14.1)
    raw = d.compute_all(tiny_group_persons())
    markers = check_assets(out / "_assets", raw, 5)
    if county in ("Akershus", "alle"):
        assert markers > 0  # the built-in tiny groups show up as suppressed
        assert disclosure.marker(5) in text
    if county == "Finnmark":  # 3 persons: nothing at all is shown for the county
        assert "færre enn 5 personer i Finnmark" in text
        assert not list((out / "_assets").glob("*.csv"))


def test_section_on_synthetic_data_is_labelled_and_frames_the_calibration(monkeypatch, tmp_path):
    from neethelpers.chapters import longterm as section

    monkeypatch.chdir(tmp_path)
    shown = _capture(monkeypatch)
    report.setup(page="nasjonalt")
    section.show_section("synthetic", None)
    text = "\n".join(shown)
    assert report.SYNTHETIC_EXPLANATION in text  # the banner
    captions = [s for s in shown if s.startswith(":::{list-table}") or s.startswith(":::{figure}")]
    assert len(captions) >= 5
    for block in captions:
        assert f"**{report.SYNTHETIC_LABEL}.**" in block
    assert any(":::{figure}" in s for s in captions)
    assert "kalibreringen" in text and "syntetiske data" in text
    assert not re.search(r"\{[a-z_]+\[", text)  # every f-string placeholder was filled
    assert "tab-nasjonalt-mikro-sammenligning" in text
    # no suppression for synthetic data: exact counts, no marker
    assert disclosure.marker(5) not in text
    fig = _csv_values(tmp_path / "_assets" / "nasjonalt-mikro-alder-inntekt.csv")
    published_rows = fig[fig["kilde"] != "beregnet"]
    assert len(published_rows) == len(published.figure2_points())


# --- the fixture notebook, executed -------------------------------------------------------


@pytest.mark.slow
def test_fixture_notebook_with_tiny_real_data_file(tmp_path, tiny_file):
    import papermill as pm

    out_dir = tmp_path / "out"
    out_dir.mkdir()
    threshold = 5
    pm.execute_notebook(str(FIXTURE_NB), str(out_dir / "section.ipynb"), cwd=str(out_dir), kernel_name="python3",
                        parameters={"data_source": str(tiny_file), "county": "Akershus", "threshold": threshold},
                        progress_bar=False)
    raw = d.compute_all(tiny_group_persons())
    assert check_assets(out_dir / "_assets", raw, threshold) > 0
    nb = json.loads((out_dir / "section.ipynb").read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            for value in output.get("data", {}).values():
                texts.append("".join(value) if isinstance(value, list) else str(value))
            if "text" in output:
                texts.append("".join(output["text"]))
    text = "\n".join(texts)
    assert "syntetisk" not in text.lower()
    assert disclosure.marker(threshold) in text
    # no suppressed share, formatted as a reader would see it, appears in the outputs
    unsafe, safe = unsafe_share_values({k: raw[k] for k in ("32", "0")}, threshold)
    # the legitimate figures: every safe raw share, and every share as published (from rounded
    # counts, so 20 of 110 shows 18,2 although the raw 19 of 107 is 17,8)
    safe_text = {fmt.number(v, 1) for v in safe | published_share_values({k: raw[k] for k in ("32", "0")}, threshold)}
    for v in unsafe:
        shown = fmt.number(v, 1)
        if shown in safe_text:
            continue  # the same digits are a legitimate figure elsewhere in the section
        # a share appears as a table cell ("  - 66,7") or as a percentage ("66,7 %"); differences
        # ("−0,9 prosentpoeng") are not shares
        cell = rf"^\s*(?:\* )?- {re.escape(shown)}(?:\xa0%)?\s*$"
        percent = rf"(?<![\d,]){re.escape(shown)}\xa0%"
        assert not re.search(cell, text, flags=re.MULTILINE), shown
        assert not re.search(percent, text), shown
    # the tiny group in Akershus: 2 Norwegian-born to immigrant parents
    assert "Norskfødte med innvandrerforeldre" in text


def test_section_threshold_is_configurable(monkeypatch, tmp_path, tiny_file):
    from neethelpers.chapters import longterm as section

    monkeypatch.chdir(tmp_path)
    shown = _capture(monkeypatch)
    report.setup(page="terskel")
    section.show_section(str(tiny_file), "Oslo", threshold=40, round_to=100)
    text = "\n".join(shown)
    assert disclosure.marker(40) in text and "nærmeste 100" in text
    raw = d.compute_all(tiny_group_persons())
    assert check_assets(tmp_path / "_assets", raw, 40, round_to=100) > 0
