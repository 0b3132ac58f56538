"""The regression chapter on real data: every output derived from a model follows the
disclosure decision of the coefficients it uses, persons (not weights) decide, failures
are Norwegian and describe no group, and tiny inputs never crash the chapter."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from neethelpers.chapters import regression as chapter
from neethelpers.microdata import disclosure, models, schema
from neethelpers.microdata.descriptive import as_cells
from neethelpers.microdata.testing import random_persons
from neethelpers.presentation import report

MARK = disclosure.marker(5)


@pytest.fixture(autouse=True)
def _in_tmp(monkeypatch, tmp_path):
    """Chapter functions write page assets to the working directory: keep them out of the repo."""
    monkeypatch.chdir(tmp_path)


def _real(cells: pd.DataFrame, threshold: int = 5, record: bool = False) -> chapter.ChapterData:
    return chapter.ChapterData(cells, False, "registerutdrag.csv", "persons", threshold, record=record)


@pytest.fixture(scope="module")
def tiny_health():
    """Østfold (31) has only 3 recipients of a health benefit (allhelse = 1)."""
    persons = random_persons(9000, seed=7, fylker=("03", "32", "31"), tiny_group=True)
    assert ((persons["fylke"] == "31") & (persons["allhelse"] == 1)).sum() == 3
    return persons


def test_predictions_follow_the_suppressed_coefficient(tiny_health):
    """Issue 12 (a): a coefficient resting on 3 persons is hidden, and so is every predicted
    probability that uses it — otherwise the logit difference of two profiles reveals it."""
    cells = schema.to_cells(tiny_health)
    d = _real(cells)
    national, county = models.fit_all(cells), models.fit_all(cells, county="31")
    coef = chapter.model_table(county["m2"], d).set_index("Variabel")
    assert coef.at[models.TERMS["allhelse"].label, "Koeffisient"] == MARK
    table = chapter.profile_table(national, d, county, "Østfold")
    profiles = models.example_profiles()
    uses_health = profiles["allhelse"] == 1
    assert uses_health.any() and (~uses_health).any()
    col = "Modell 2, Østfold"
    assert (table.loc[uses_health, col] == MARK).all()
    assert (table.loc[~uses_health, col] != MARK).all()
    # nationally allhelse rests on many persons: shown
    assert (table["Modell 1, hele landet"] != MARK).all()
    # the same rule with threshold 1 shows them (the test is not vacuous)
    assert (chapter.profile_table(national, _real(cells, 1), county, "Østfold").loc[uses_health, col] != MARK).all()


def test_glued_values_follow_the_coefficients():
    persons = random_persons(9000, seed=7, fylker=("03", "32", "31"))
    # only 3 persons in the whole country dropped out: model 1's dropout rests on them
    drop = persons.index[persons["dropout"] == 1]
    persons.loc[drop[3:], "dropout"] = 0
    cells = schema.to_cells(persons)
    d = _real(cells)
    national = models.fit_all(cells)
    glued = chapter.glue_values(national, models.fit_all(cells, county="03"), d, "Oslo")
    for key in ("m1_dropout_coef", "m1_dropout_or", "m1_dropout_ame", "profile1_m1", "profile2_m1"):
        assert glued[key] == MARK, key  # example profiles 1 and 2 both dropped out
    assert glued["m1_tidlarb_or"] != MARK
    ame = chapter.ame_table(national, d).set_index("Variabel")
    assert ame.at[models.TERMS["dropout"].label, "Modell 1"] == MARK
    assert ame.at[models.TERMS["tidlarb"].label, "Modell 1"] != MARK


def test_weights_do_not_count_as_persons():
    """Issue 12 (b): with a weight column, 3 persons weighted 10 are still 3 persons."""
    persons = random_persons(6000, seed=8, fylker=("03", "32"))
    persons["barnevern"] = 0
    persons.loc[persons.index[:3], "barnevern"] = 1
    persons.loc[persons.index[:3], "grunnbelop"] = 2  # in model 2's sample
    persons["weight"] = 1
    persons.loc[persons.index[:3], "weight"] = 10
    cells = as_cells(persons)
    assert cells["n"].sum() == len(persons) + 27 and cells["persons"].sum() == len(persons)
    d = _real(cells)
    res = models.fit(cells, "m2")
    row = res.table.set_index("term").loc["barnevern"]
    assert row["n_with"] == 30 and row["persons_with"] == 3
    shown = chapter.model_table(res, d).set_index("Variabel")
    assert shown.at[models.TERMS["barnevern"].label, "Koeffisient"] == MARK
    # a weighted cell file with a persons column is judged by its persons too
    cell_file = cells.drop(columns="neet_persons")
    shown = chapter.model_table(models.fit(cell_file, "m2"), _real(cell_file)).set_index("Variabel")
    assert shown.at[models.TERMS["barnevern"].label, "Koeffisient"] == MARK


def test_lpm_table_shows_robust_and_conventional_errors_labelled():
    cells = schema.to_cells(random_persons(6000, seed=9))
    d = _real(cells)
    res = models.fit(cells, "lpm")
    t = chapter.lpm_table(res, d)
    assert "Standardfeil (HC1)" in t.columns and "Standardfeil (konvensjonell)" in t.columns
    np.testing.assert_allclose(t["Standardfeil (HC1)"].astype(float), res.table["se"])
    text = chapter.outside_text(res, d)
    assert "utenfor intervallet 0–1" in text


def _capture(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(report, "display", lambda obj: shown.append(getattr(obj, "data", str(obj))))
    return shown


def _run_chapter(cells: pd.DataFrame, d: chapter.ChapterData, county: str = "32") -> str:
    national = models.fit_all(cells)
    regional = models.fit_all(cells, county=county)
    chapter.glue_values(national, regional, d, "Akershus")
    chapter.show_source(d)
    for key in ("m1", "m2", "m3", "m4"):
        chapter.show_model(national, key, d, name=f"modell{key}-landet", where="hele landet")
        chapter.show_model(regional, key, d, name=f"modell{key}-fylke", where="Akershus")
    chapter.show_coefficients(national, d)
    report.table(chapter.odds_table(national, d), name="oddsforhold", caption="x")
    report.table(chapter.ame_table(national, d), name="marginaleffekter", caption="x")
    report.table(chapter.profile_table(national, d, regional, "Akershus"), name="eksempelpersoner", caption="x")
    chapter.show_lpm(national, d)
    chapter.show_comparison(national, d)
    return ""


@pytest.mark.parametrize("case", ["two_persons", "all_n_zero", "two_hundred", "no_neet"])
def test_tiny_inputs_never_crash_the_chapter(monkeypatch, tmp_path, case):
    """Issue 14, item 5: valid but too small inputs give Norwegian 'not estimable' notes."""
    monkeypatch.chdir(tmp_path)
    shown = _capture(monkeypatch)
    report.setup(page="regresjon")
    if case == "two_persons":
        cells = schema.to_cells(random_persons(2, seed=3, fylker=("32",)))
    elif case == "two_hundred":
        cells = schema.to_cells(random_persons(200, seed=4, fylker=("32",)))
    else:
        cells = schema.to_cells(random_persons(500, seed=4, fylker=("32",)))
        zero = {c: 0 for c in ("n", "neet", "persons", "neet_persons") if c in cells.columns}
        no_neet = {c: 0 for c in ("neet", "neet_persons") if c in cells.columns}
        cells = cells.assign(**zero) if case == "all_n_zero" else cells.assign(**no_neet)
    d = _real(cells, record=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run_chapter(cells, d)
    text = "\n".join(shown)
    if case != "two_hundred":  # 200 persons: some models are estimable, some not
        assert "kunne ikke estimeres av hensyn til datagrunnlaget eller personvernet" in text
    # no figure drawn empty: where no coefficient can be shown, a note says so and nothing points to a figure
    figure_shown = (tmp_path / "_assets" / "regresjon-koeffisienter.svg").is_file()
    assert figure_shown == ("fig-regresjon-koeffisienter" in text)
    assert figure_shown or "Ingen koeffisienter fra modell 1–4 kan vises" in text
    assert not [w for w in caught if "collapsed to zero" in str(w.message)]
    for word in ("does not vary", "outcome", "Traceback", "om lag 0 personer"):
        assert word not in text
    record = json.loads((tmp_path / "_assets" / f"regresjon{disclosure.CHECK_SUFFIX}").read_text(encoding="utf-8")) \
        if (tmp_path / "_assets" / f"regresjon{disclosure.CHECK_SUFFIX}").is_file() else {"checks": []}
    assert all(c["passed"] for c in record["checks"])


def test_output_check_record_lists_every_model(monkeypatch, tmp_path, tiny_health):
    monkeypatch.chdir(tmp_path)
    _capture(monkeypatch)
    report.setup(page="regresjon")
    cells = schema.to_cells(tiny_health)
    _run_chapter(cells, _real(cells, record=True), county="31")
    record = json.loads((tmp_path / "_assets" / f"regresjon{disclosure.CHECK_SUFFIX}").read_text(encoding="utf-8"))
    outputs = {c["output"]: c for c in record["checks"]}
    assert {"modellm1-landet", "modellm2-fylke", "lpm-landet", "oddsforhold", "marginaleffekter",
            "eksempelpersoner"} <= set(outputs)
    assert outputs["modellm2-fylke"]["suppressed"] >= 1  # allhelse in Østfold
    assert outputs["eksempelpersoner"]["suppressed"] >= 1  # the profile with allhelse in Østfold
    assert all(c["passed"] and c["rule"] == disclosure.rule_text(5, 10) for c in record["checks"])
    frame = disclosure.collect_checks(tmp_path)
    assert len(frame) == len(record["checks"])


def test_a_model_1_that_cannot_be_estimated_still_gives_a_comparison_table_with_rows(tiny_health):
    # An empty table breaks the strict render (a list-table with only its header) and the text's
    # reference to it; the note's Table 2 is still shown, the estimate column says why it is empty.
    d = _real(as_cells(tiny_health))
    results = {"m1": models.ModelFitError("Modell 1", "hele landet", "no variation")}
    table = chapter.published_comparison(results, d)
    published = chapter._published_coefficients()
    m1_terms = [t for t in published.loc[published["model"] == "m1", "term"] if t in models.TERMS]
    assert len(table) == len(m1_terms) > 0
    assert set(table["Estimert"]) == {"kan ikke estimeres"}
    assert list(table["Publisert (tabell 2)"]) == list(
        published.loc[published["model"] == "m1"].set_index("term").loc[m1_terms, "value"])
