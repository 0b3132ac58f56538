"""Models 1–4 and the LPM on cell counts equal the person-level fits."""

from __future__ import annotations

import numpy as np
import pytest

from neethelpers.microdata import models, schema
from neethelpers.microdata.testing import TRUE_COEFFICIENTS, random_persons


@pytest.fixture(scope="module")
def persons():
    return random_persons(30_000, seed=11)


@pytest.fixture(scope="module")
def cells(persons):
    return schema.to_cells(persons)


@pytest.mark.parametrize("model", models.LOGIT_MODELS)
@pytest.mark.parametrize("engine", ["newton", "statsmodels"])
def test_cell_logit_equals_person_logit(persons, cells, model, engine):
    cell_fit = models.fit(cells, model, engine=engine)
    person_fit = models.fit_persons(persons, model)
    assert cell_fit.extra["cells"] < len(persons) / 10  # really fitted on far fewer rows
    np.testing.assert_allclose(cell_fit.params.to_numpy(), np.asarray(person_fit.params), atol=1e-6, rtol=0)
    np.testing.assert_allclose(cell_fit.bse.to_numpy(), np.asarray(person_fit.bse), atol=1e-6, rtol=0)
    assert cell_fit.nobs == person_fit.nobs
    assert cell_fit.llf == pytest.approx(person_fit.llf, rel=1e-9)


def test_person_level_input_gives_the_same_fit(persons, cells):
    a = models.fit(persons, "m2")
    b = models.fit(cells, "m2")
    np.testing.assert_allclose(a.params, b.params, atol=1e-9)


def test_lpm_equals_person_ols(persons, cells):
    cell_fit = models.fit(cells, "lpm")
    ols = models.fit_persons(persons, "lpm")
    np.testing.assert_allclose(cell_fit.params.to_numpy(), np.asarray(ols.params), atol=1e-9)
    np.testing.assert_allclose(cell_fit.bse.to_numpy(), np.asarray(ols.bse), atol=1e-9)
    np.testing.assert_allclose(cell_fit.table["p"].to_numpy(), np.asarray(ols.pvalues), atol=1e-9)


def test_average_marginal_effects_match_statsmodels(persons, cells):
    for model in models.LOGIT_MODELS:
        fit = models.fit(cells, model)
        margeff = models.fit_persons(persons, model).get_margeff(at="overall", method="dydx")
        np.testing.assert_allclose(fit.table["ame"].to_numpy()[1:], margeff.margeff, atol=1e-6)
        np.testing.assert_allclose(fit.table["ame_se"].to_numpy()[1:], margeff.margeff_se, atol=1e-6)


def test_table_columns_are_consistent(cells):
    t = models.fit(cells, "m1").table
    np.testing.assert_allclose(t["z"], t["coef"] / t["se"])
    np.testing.assert_allclose(t["odds_ratio"], np.exp(t["coef"]))
    np.testing.assert_allclose(t["ci_high"] - t["coef"], 1.959963984540054 * t["se"], rtol=1e-9)
    assert (t["p"].between(0, 1)).all()


def test_recovers_generating_coefficients(cells):
    """Model 3 on data drawn from a known logit: estimates within 4 SE of the truth."""
    t = models.fit(cells, "m3").table.set_index("term")
    for term in ("dropout", "tidlarb", "innvandrerb"):
        assert abs(t.at[term, "coef"] - TRUE_COEFFICIENTS[term]) < 4 * t.at[term, "se"]


def test_county_model_equals_fit_on_county_subset(persons, cells):
    sub = cells[cells["fylke"] == "03"]
    a = models.fit(cells, "m1", county="Oslo")
    b = models.fit(sub, "m1")
    np.testing.assert_allclose(a.params, b.params, atol=1e-10)
    assert a.county == "03"
    assert a.nobs == persons[(persons["fylke"] == "03") & persons["grunnbelop"].notna()].shape[0]


def test_samples_follow_the_model_definitions(persons, cells):
    with_income = persons["grunnbelop"].notna()
    assert models.fit(cells, "m1").nobs == with_income.sum()
    assert models.fit(cells, "m3").nobs == (with_income & (persons["allhelse"] == 0)).sum()
    assert models.fit(cells, "lpm").nobs == len(persons)
    assert "allhelse" not in models.MODELS["m3"].terms and "allhelse" not in models.MODELS["m4"].terms
    assert set(models.MODELS["m2"].terms) - set(models.MODELS["m1"].terms) == {
        "barnevern", "kjonn[2]", "aldersgruppe[20-24]", "aldersgruppe[25-29]"}


def test_predictions_match_statsmodels(persons, cells):
    fit = models.fit(cells, "m2")
    person_fit = models.fit_persons(persons, "m2")
    profiles = models.example_profiles()
    pred = models.predict(fit, profiles)
    exog = models.design(profiles.assign(neet2023=0), models.MODELS["m2"])[0]
    np.testing.assert_allclose(pred["prob"], person_fit.predict(exog), atol=1e-8)
    assert (pred["prob_low"] < pred["prob"]).all() and (pred["prob"] < pred["prob_high"]).all()


def test_no_variation_raises_model_fit_error(cells):
    no_neet = cells.assign(neet=0)
    with pytest.raises(models.ModelFitError, match="does not vary"):
        models.fit(no_neet, "m1")
    results = models.fit_all(no_neet, models=("m1", "lpm"))
    assert all(isinstance(r, models.ModelFitError) for r in results.values())


def test_coefficient_frame_has_all_models(cells):
    frame = models.coefficient_frame(models.fit_all(cells))
    assert set(frame["model"]) == {"m1", "m2", "m3", "m4", "lpm"}
    assert "const" not in set(frame["term"])
