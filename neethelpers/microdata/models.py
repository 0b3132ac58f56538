"""The analysis note's models of long-term NEET, fitted on cell counts.

The note (chapter 4.3 and Table 2) estimates four logit models of ``neet2023`` in
microdata.no and, in chapter 6, a linear probability model. It prints the covariates of
model 1 only and says that models 1 and 2 include ``allhelse`` while models 3 and 4
exclude recipients of health benefits; it does not say what distinguishes model 2 from
model 1 or model 4 from model 3. This book therefore defines them as follows
(:data:`MODELS`):

* **Model 1** (the note's Table 2): ``dropout``, ``tidlarb``, ``allhelse``,
  ``sosbakgr`` (reference 1 = higher education), ``grunnbelop`` (reference 1 = ≤ 2 G) and
  ``innvandrerb``. Estimation sample: everyone with a household-income group, i.e. living
  with at least one parent (``grunnbelop`` not empty) — microdata.no drops units with a
  missing covariate from a regression.
* **Model 2** = model 1 + ``barnevern`` + sex (``kjonn``, reference man) + age group
  (15–19 reference, 20–24, 25–29). The book's choice: the note's chapter 3 treats child
  welfare, sex and age as risk factors, and the small shift of ``allhelse`` (2,41 → 2,36)
  and ``sosbakgr`` 3 (0,46 → 0,47) the note reports fits added controls of this kind.
* **Model 3** = model 1 without ``allhelse``, estimated only on persons who do **not**
  receive a health-related benefit (``allhelse`` = 0).
* **Model 4** = model 2 without ``allhelse``, on the same sample as model 3.
* **Linear probability model** (chapter 6, ``regress`` in microdata.no): ``neet2023`` on
  ``tidlarb``, ``dropout``, ``barnevern`` and ``sosbakgr``, ordinary least squares on
  everyone (no income variable, so nobody is dropped), with HC1 (robust) standard errors;
  the note's conventional standard errors are shown beside them.

Why cell counts: every covariate is categorical, so the likelihood of a person-level
logit depends on the data only through the number of persons ``n`` and long-term NEETs
``neet`` in each combination of covariates. The one logit engine is ``statsmodels``'
``GLM`` with a ``Binomial`` family on those cells: the endog is the cell's share of
long-term NEETs and ``freq_weights`` the number of persons, which is the *same estimator*
as the person-level logit — identical coefficients, standard errors and log-likelihood —
on a few hundred rows instead of a million (``tests/test_models.py`` proves the equality;
``bench/regression.py`` times it). A ``weight`` column of person-level data is a frequency
weight (a whole number of persons) and enters ``n`` the same way.

**Average marginal effects** are average *discrete* changes, because every regressor is a
0/1 dummy or a set of dummies: for a variable, every person is given the base level (all
the variable's dummies 0) and then the level in question, and the change in the predicted
probability is averaged over all persons of the estimation sample — Stata's
``margins, dydx(i.x)``; for a single 0/1 variable this is exactly ``statsmodels``'
``get_margeff(at="overall", dummy=True)``. Standard errors by the delta method, 95 %
intervals from the normal distribution; computed on the cells with their counts as
weights.

**The linear probability model** is estimated by least squares on the cells with their
counts as frequency weights, which gives the person-level OLS coefficients. Its errors are
heteroskedastic by construction, so the standard errors are **HC1** (the sandwich
``N/(N−k) · (X'X)⁻¹ Σᵢ eᵢ² xᵢxᵢ' (X'X)⁻¹`` over persons, computed exactly from the cells:
a cell's ``neet`` persons have residual ``1 − fitted``, the others ``−fitted``), equal to
``statsmodels`` OLS with ``cov_type="HC1"`` on the person-level data. The conventional
standard errors the note used are kept beside them (``se_conventional``), and the result
says how many persons have a fitted value outside 0–1 (``extra["outside_01"]``).

A model that cannot be estimated (no persons, no variation in the outcome or in a
regressor, collinear regressors, separation) raises :class:`ModelFitError`, whose text is
the Norwegian :data:`.disclosure.NOT_ESTIMABLE` sentence: it never describes the group
that caused it (the technical reason is kept in ``reason`` for logs and tests).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neethelpers.errors import NeetError
from neethelpers.microdata.disclosure import NOT_ESTIMABLE, person_counts
from neethelpers.registry import counties

__all__ = [
    "Term", "ModelSpec", "MODELS", "LOGIT_MODELS", "ModelResult", "ModelFitError", "Design",
    "design", "exog", "fit", "fit_all", "fit_binomial", "coefficient_frame", "predict", "EXAMPLE_PROFILES",
    "example_profiles", "age_group", "published_term_key", "variable_sets",
]


class ModelFitError(NeetError):
    """A model could not be estimated. ``str(exc)`` is the Norwegian sentence a page may
    show (it describes no group); ``reason`` the technical cause, for logs and tests."""

    def __init__(self, label: str, where: str, reason: str):
        super().__init__(f"{label} for {where} {NOT_ESTIMABLE}.")
        self.label, self.where, self.reason = label, where, reason


@dataclass(frozen=True)
class Term:
    """One coefficient: the dummy ``variable == level`` (``level=None``: the 0/1 variable
    itself). ``label`` is the Norwegian text shown to readers."""

    name: str
    variable: str
    level: object | None
    label: str


def _binary(var: str, label: str) -> Term:
    return Term(var, var, None, label)


TERMS: dict[str, Term] = {t.name: t for t in [
    _binary("dropout", "Droppet ut av videregående (dropout)"),
    _binary("tidlarb", "Tidligere arbeidserfaring (tidlarb)"),
    _binary("allhelse", "Mottar helserelatert ytelse (allhelse)"),
    Term("sosbakgr[2]", "sosbakgr", 2, "Foreldre med videregående (sosbakgr 2)"),
    Term("sosbakgr[3]", "sosbakgr", 3, "Foreldre med grunnskole (sosbakgr 3)"),
    Term("grunnbelop[2]", "grunnbelop", 2, "Husholdningsinntekt 2–4 G (grunnbeløp 2)"),
    Term("grunnbelop[3]", "grunnbelop", 3, "Husholdningsinntekt over 4 G (grunnbeløp 3)"),
    _binary("innvandrerb", "Innvandrerbakgrunn (innvandrerb)"),
    _binary("barnevern", "Barnevernstiltak (barnevern)"),
    Term("kjonn[2]", "kjonn", 2, "Kvinne (kjønn 2)"),
    Term("aldersgruppe[20-24]", "aldersgruppe", "20-24", "20–24 år"),
    Term("aldersgruppe[25-29]", "aldersgruppe", "25-29", "25–29 år"),
]}

_M1 = ("dropout", "tidlarb", "allhelse", "sosbakgr[2]", "sosbakgr[3]", "grunnbelop[2]",
       "grunnbelop[3]", "innvandrerb")
_EXTRA2 = ("barnevern", "kjonn[2]", "aldersgruppe[20-24]", "aldersgruppe[25-29]")


@dataclass(frozen=True)
class ModelSpec:
    """A model: its terms, its estimation sample and whether it is a logit or a linear
    probability model. ``sample`` is a short key (see :func:`_sample_mask`)."""

    key: str
    label: str
    terms: tuple[str, ...]
    sample: str
    kind: str = "logit"  # or "lpm"
    description: str = ""

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(TERMS[t].variable for t in self.terms))


MODELS: dict[str, ModelSpec] = {
    "m1": ModelSpec("m1", "Modell 1", _M1, "with_income",
                    description="Tabell 2 i notatet: dropout, tidlarb, allhelse, sosbakgr, grunnbeløp og "
                    "innvandrerb; alle som bor med minst én forelder."),
    "m2": ModelSpec("m2", "Modell 2", _M1 + _EXTRA2, "with_income",
                    description="Modell 1 pluss barnevern, kjønn og aldersgruppe (bokas definisjon)."),
    "m3": ModelSpec("m3", "Modell 3", tuple(t for t in _M1 if t != "allhelse"), "with_income_no_health",
                    description="Modell 1 uten allhelse, bare personer som ikke mottar helserelaterte ytelser."),
    "m4": ModelSpec("m4", "Modell 4", tuple(t for t in _M1 + _EXTRA2 if t != "allhelse"),
                    "with_income_no_health",
                    description="Modell 2 uten allhelse, bare personer som ikke mottar helserelaterte ytelser."),
    "lpm": ModelSpec("lpm", "Lineær sannsynlighetsmodell", ("tidlarb", "dropout", "barnevern", "sosbakgr[2]",
                     "sosbakgr[3]"), "all", kind="lpm",
                     description="Kapittel 6 i notatet: neet2023 på tidlarb, dropout, barnevern og sosbakgr, "
                     "minste kvadraters metode på alle."),
}
LOGIT_MODELS = ("m1", "m2", "m3", "m4")

#: Keys used by ``neethelpers.series.published.model_coefficients()`` style tables for each term.
_PUBLISHED_KEYS = {
    "dropout": ("dropout", "1"), "tidlarb": ("tidlarb", "1"), "allhelse": ("allhelse", "1"),
    "sosbakgr[2]": ("sosbakgr", "2"), "sosbakgr[3]": ("sosbakgr", "3"),
    "grunnbelop[2]": ("grunnbelop", "2"), "grunnbelop[3]": ("grunnbelop", "3"),
    "innvandrerb": ("innvandrerb", "1"), "barnevern": ("barnevern", "1"),
}


def published_term_key(term: str) -> tuple[str, str] | None:
    """``("sosbakgr", "3")`` for the term ``"sosbakgr[3]"``: how the note names it."""
    return _PUBLISHED_KEYS.get(term)


def age_group(alder) -> np.ndarray:
    """Age 15–19 → ``"15-19"``, 20–24 → ``"20-24"``, 25–29 → ``"25-29"``."""
    a = np.asarray(alder, dtype="int64")
    return np.where(a < 20, "15-19", np.where(a < 25, "20-24", "25-29"))


def _sample_mask(frame: pd.DataFrame, sample: str) -> np.ndarray:
    if sample == "all":
        return np.ones(len(frame), dtype=bool)
    has_income = frame["grunnbelop"].notna().to_numpy()
    if sample == "with_income":
        return has_income
    if sample == "with_income_no_health":
        return has_income & (frame["allhelse"].to_numpy() == 0)
    raise ValueError(f"unknown sample {sample!r}")


def _column(frame: pd.DataFrame, variable: str) -> np.ndarray:
    if variable == "aldersgruppe":
        return age_group(frame["alder"])
    col = frame[variable]
    if variable == "grunnbelop":
        return col.astype("float64").to_numpy()
    return col.to_numpy()


def variable_sets(spec: ModelSpec) -> dict[str, list[str]]:
    """The model's terms grouped by variable: ``{"sosbakgr": ["sosbakgr[2]", "sosbakgr[3]"], ...}``.
    A variable's terms are its levels against its base level (all of them 0)."""
    out: dict[str, list[str]] = {}
    for name in spec.terms:
        out.setdefault(TERMS[name].variable, []).append(name)
    return out


def _term_matrix(frame: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    cols = {"const": np.ones(len(frame))}
    for name in spec.terms:
        term = TERMS[name]
        values = _column(frame, term.variable)
        cols[name] = (values == 1) if term.level is None else (values == term.level)
    return pd.DataFrame({k: np.asarray(v, dtype="float64") for k, v in cols.items()}, index=frame.index)


def exog(frame: pd.DataFrame, spec: ModelSpec | str) -> pd.DataFrame:
    """The regressors of ``spec`` (``const`` and one 0/1 column per term) for any rows that
    have the model's variables, e.g. :func:`example_profiles`."""
    spec = MODELS[spec] if isinstance(spec, str) else spec
    return _term_matrix(frame, spec).reset_index(drop=True)


@dataclass
class Design:
    """A model's estimation data on its own cells (distinct combinations of its regressors):
    ``X`` (``const`` + terms), ``n`` persons (weighted: the sum of frequency weights) and
    ``y`` long-term NEETs per cell, and the numbers of person records behind each cell that
    are long-term NEET (``neet_persons``) and not (``other_persons``) for disclosure control."""

    X: pd.DataFrame
    n: np.ndarray
    y: np.ndarray
    neet_persons: np.ndarray
    other_persons: np.ndarray


def _as_cells(frame: pd.DataFrame) -> pd.DataFrame:
    if {"n", "neet"} <= set(frame.columns):
        return frame
    from neethelpers.microdata.descriptive import as_cells  # person-level data: the package's person → cell conversion

    return as_cells(frame)


def design(frame: pd.DataFrame, spec: ModelSpec | str, *, county: str | None = None) -> Design:
    """The :class:`Design` of ``spec`` from cell counts (``n``, ``neet``, optionally
    ``persons``) or person-level data (``neet2023``, optionally ``weight``), restricted to
    the model's sample and, optionally, one county."""
    spec = MODELS[spec] if isinstance(spec, str) else spec
    cells = _as_cells(frame)
    mask = np.array(_sample_mask(cells, spec.sample), dtype=bool, copy=True)
    if county is not None:
        code = counties.resolve(county).code
        mask &= (cells["fylke"].astype(str) == code).to_numpy()
    sub = cells.loc[mask]
    X = _term_matrix(sub, spec)
    n = sub["n"].to_numpy(dtype="float64")
    y = sub["neet"].to_numpy(dtype="float64")
    k, o = person_counts(sub)
    # Collapse to the model's own cells: fewer rows, the same likelihood.
    key = X.drop(columns="const").to_numpy() @ (2.0 ** np.arange(X.shape[1] - 1))
    codes, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    sums = [np.bincount(inverse, weights=v, minlength=len(codes)) for v in (n, y, k, o)]
    keep = sums[0] > 0
    Xc = X.iloc[first].reset_index(drop=True).loc[keep].reset_index(drop=True)
    return Design(Xc, *(s[keep] for s in sums))


@dataclass
class ModelResult:
    """A fitted model. ``table`` has one row per term (``const`` first) with columns
    ``term, label, coef, se, z, p, ci_low, ci_high`` (for the LPM ``se`` is HC1 and
    ``se_conventional`` the homoskedastic error), ``odds_ratio, or_low, or_high`` (logits),
    ``ame, ame_se, ame_low, ame_high`` (average discrete change and its 95 % interval, as a
    probability), ``n_with, neet_with, n_without, neet_without`` (weighted persons) and
    ``persons_with, neet_persons_with, other_persons_with, persons_without,
    neet_persons_without, other_persons_without`` (person records, for disclosure control)."""

    spec: ModelSpec
    table: pd.DataFrame
    nobs: float
    n_neet: float
    cov: np.ndarray
    llf: float | None = None
    county: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def params(self) -> pd.Series:
        return self.table.set_index("term")["coef"]

    @property
    def bse(self) -> pd.Series:
        return self.table.set_index("term")["se"]


def _check_estimable(D: Design, spec: ModelSpec, where: str) -> None:
    def fail(reason: str):
        raise ModelFitError(spec.label, where, reason)

    total = D.n.sum()
    if total <= 0:
        fail("no persons in the estimation sample")
    if D.y.sum() <= 0 or D.y.sum() >= total:
        fail("the outcome does not vary in the estimation sample")
    for name in spec.terms:
        with_term = D.n[D.X[name].to_numpy() == 1].sum()
        if with_term == 0 or with_term == total:
            fail(f"{name} does not vary in the estimation sample")
    if np.linalg.matrix_rank(D.X.to_numpy()) < D.X.shape[1]:
        fail("the regressors are collinear in the estimation sample")


def _term_counts(D: Design, terms) -> dict[str, list[float]]:
    cols = ("n_with", "neet_with", "n_without", "neet_without", "persons_with", "neet_persons_with",
            "other_persons_with", "persons_without", "neet_persons_without", "other_persons_without")
    out: dict[str, list[float]] = {c: [] for c in cols}
    for name in ["const", *terms]:
        on = D.X[name].to_numpy() == 1
        for part, mask in (("with", on), ("without", ~on)):
            out[f"n_{part}"].append(float(D.n[mask].sum()))
            out[f"neet_{part}"].append(float(D.y[mask].sum()))
            k, o = float(D.neet_persons[mask].sum()), float(D.other_persons[mask].sum())
            out[f"neet_persons_{part}"].append(k)
            out[f"other_persons_{part}"].append(o)
            out[f"persons_{part}"].append(k + o)
    return out


def _expit(v: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(v)


def _average_discrete_changes(D: Design, spec: ModelSpec, beta: np.ndarray, cov: np.ndarray
                              ) -> tuple[np.ndarray, np.ndarray]:
    """Average discrete change of each term (Stata ``margins, dydx(i.x)``): every person is
    given the variable's base level and then the term's level; the mean change in the
    predicted probability over persons, with its delta-method standard error."""
    columns = list(D.X.columns)
    X = D.X.to_numpy(dtype="float64")
    w = D.n / D.n.sum()
    ame = np.full(len(columns), np.nan)
    se = np.full(len(columns), np.nan)
    for members in variable_sets(spec).values():
        idx = [columns.index(t) for t in members]
        X0 = X.copy()
        X0[:, idx] = 0.0
        p0 = _expit(X0 @ beta)
        for t in members:
            j = columns.index(t)
            X1 = X0.copy()
            X1[:, j] = 1.0
            p1 = _expit(X1 @ beta)
            ame[j] = float(w @ (p1 - p0))
            grad = (w * p1 * (1 - p1)) @ X1 - (w * p0 * (1 - p0)) @ X0
            se[j] = float(np.sqrt(grad @ cov @ grad))
    return ame, se


def _sm_warnings():
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    return (RuntimeWarning, ConvergenceWarning, PerfectSeparationWarning)


def fit_binomial(X: np.ndarray, n: np.ndarray, y: np.ndarray, start: np.ndarray | None = None):
    """The one logit engine: ``statsmodels`` ``GLM`` with a ``Binomial`` family on grouped
    data — ``y`` long-term NEETs of ``n`` persons per row (counts may be fractional, as in
    the synthetic cohort's expected counts), the share as endog and ``n`` as
    ``freq_weights``. Returns the statsmodels results. Warnings about convergence or
    separation are raised as errors."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    keep = np.asarray(n) > 0  # rows without persons carry no likelihood
    X, n, y = np.asarray(X)[keep], np.asarray(n)[keep], np.asarray(y)[keep]
    with warnings.catch_warnings():
        for category in _sm_warnings():
            warnings.simplefilter("error", category=category)
        model = GLM(y / n, X, family=families.Binomial(), freq_weights=n)
        res = model.fit(start_params=start, tol=1e-12, maxiter=200)
        if not res.converged:
            # With millions of persons the deviance is so large that its relative change cannot
            # fall below 1e-12 in floating point, so IRLS never stops although the estimates have
            # settled: continue from them with statsmodels' own default tolerance.
            res = model.fit(start_params=res.params, tol=1e-8, maxiter=200)
        return res


def _fit_logit(D: Design, spec: ModelSpec, where: str) -> tuple[np.ndarray, np.ndarray, float]:
    """The one logit engine: ``statsmodels`` ``GLM`` with a ``Binomial`` family on the cells,
    the share of long-term NEETs as endog and the persons as ``freq_weights``."""
    Xa = D.X.to_numpy(dtype="float64")
    try:
        res = fit_binomial(Xa, D.n, D.y)
        beta, cov = np.asarray(res.params), np.asarray(res.cov_params())
        converged = bool(res.converged)
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError, FloatingPointError, *_sm_warnings()) as exc:
        raise ModelFitError(spec.label, where, f"the logit could not be fitted ({type(exc).__name__}: {exc})") from None
    se = np.sqrt(np.diag(cov)) if np.all(np.diag(cov) >= 0) else np.full(len(beta), np.nan)
    if not converged or not np.all(np.isfinite(se)) or not np.all(np.isfinite(beta)) or np.max(np.abs(beta)) > 30:
        raise ModelFitError(spec.label, where, "the logit did not converge (separation: a group has no or only "
                            "long-term NEETs)")
    mu = _expit(Xa @ beta)
    with np.errstate(divide="ignore", invalid="ignore"):
        llf = float(np.sum(np.where(D.y > 0, D.y * np.log(mu), 0.0)
                           + np.where(D.n - D.y > 0, (D.n - D.y) * np.log1p(-mu), 0.0)))
    return beta, cov, llf


def _fit_lpm(D: Design, spec: ModelSpec, where: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """Least squares of the 0/1 outcome on the cells, with ``statsmodels`` ``GLM`` (Gaussian)
    on two rows per cell — the ``neet`` persons with outcome 1 and the others with outcome
    0 — and the persons as ``freq_weights``: the person-level OLS, exactly. Its HC0 sandwich
    is the person-level one; HC1 multiplies it by ``N / (N − k)`` (``N`` persons), as
    ``statsmodels`` OLS ``cov_type="HC1"`` does on persons. Returns ``(beta, cov_hc1,
    cov_conventional, info)``."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    Xa = D.X.to_numpy(dtype="float64")
    X2 = np.vstack([Xa, Xa])
    endog = np.concatenate([np.ones(len(Xa)), np.zeros(len(Xa))])
    weights = np.concatenate([D.y, D.n - D.y])
    keep = weights > 0
    N, k = float(D.n.sum()), Xa.shape[1]
    if N - k <= 0:
        raise ModelFitError(spec.label, where, "fewer persons than coefficients")
    try:
        model = GLM(endog[keep], X2[keep], family=families.Gaussian(), freq_weights=weights[keep])
        res = model.fit(cov_type="HC0")
        beta = np.asarray(res.params)
        cov_hc1 = np.asarray(res.cov_params()) * N / (N - k)
        conventional = model.fit()
        cov_conv = np.asarray(conventional.cov_params())
    except (np.linalg.LinAlgError, ValueError, ZeroDivisionError) as exc:
        raise ModelFitError(spec.label, where, f"the linear model could not be fitted ({exc})") from None
    fitted = Xa @ beta
    outside = (fitted < 0) | (fitted > 1)
    info = {"outside_01": float(D.n[outside].sum()), "outside_01_persons": float(
        (D.neet_persons + D.other_persons)[outside].sum()), "outside_01_cells": int(outside.sum()),
        "fitted_min": float(fitted.min()), "fitted_max": float(fitted.max())}
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(np.diag(cov_hc1)))):
        raise ModelFitError(spec.label, where, "the linear model has no finite estimate")
    return beta, cov_hc1, cov_conv, info


def fit(data: pd.DataFrame, model: str | ModelSpec = "m1", *, county: str | None = None) -> ModelResult:
    """Fit a model on cell counts (``n``, ``neet``, optionally ``persons``) or person-level
    data (``neet2023``, optionally ``weight``). ``county`` (a name or code) restricts the
    sample to one county. Raises :class:`ModelFitError` when the model cannot be estimated."""
    from scipy import stats  # imported here: statsmodels/scipy load slowly and the cohort needs neither

    spec = MODELS[model] if isinstance(model, str) else model
    where = counties.resolve(county).name if county is not None else "hele landet"
    D = design(data, spec, county=county)
    _check_estimable(D, spec, where)
    extra: dict = {"cells": len(D.n)}
    if spec.kind == "logit":
        beta, cov, llf = _fit_logit(D, spec, where)
        dist, dof = stats.norm, None
    else:
        beta, cov, cov_conv, info = _fit_lpm(D, spec, where)
        extra.update(info)
        llf = None
        dof = D.n.sum() - D.X.shape[1]
        dist = stats.t(dof)
    extra["dof"] = dof
    se = np.sqrt(np.diag(cov))
    z = beta / se
    p = 2 * dist.sf(np.abs(z))
    q = dist.ppf(0.975)
    terms = ["const", *spec.terms]
    table = pd.DataFrame({
        "term": terms,
        "label": ["Konstantledd", *(TERMS[t].label for t in spec.terms)],
        "coef": beta, "se": se, "z": z, "p": p, "ci_low": beta - q * se, "ci_high": beta + q * se,
    })
    z95 = stats.norm.ppf(0.975)
    if spec.kind == "logit":
        with np.errstate(over="ignore"):  # a wide interval may reach infinity on the odds scale
            table["odds_ratio"] = np.exp(beta)
            table["or_low"] = np.exp(table["ci_low"].to_numpy())
            table["or_high"] = np.exp(table["ci_high"].to_numpy())
        ame, ame_se = _average_discrete_changes(D, spec, beta, cov)
        ame_low, ame_high = ame - z95 * ame_se, ame + z95 * ame_se
    else:
        table["se_conventional"] = np.sqrt(np.diag(cov_conv))
        # In a linear model the discrete change of a dummy is its coefficient.
        ame, ame_se = beta.copy(), se.copy()
        ame[0], ame_se[0] = np.nan, np.nan
        ame_low, ame_high = ame - q * ame_se, ame + q * ame_se
    table["ame"], table["ame_se"], table["ame_low"], table["ame_high"] = ame, ame_se, ame_low, ame_high
    for col, vals in _term_counts(D, spec.terms).items():
        table[col] = vals
    extra["persons"] = float((D.neet_persons + D.other_persons).sum())
    return ModelResult(spec, table, float(D.n.sum()), float(D.y.sum()), cov, llf,
                       county=None if county is None else counties.resolve(county).code, extra=extra)


def fit_all(data: pd.DataFrame, *, county: str | None = None,
            models=("m1", "m2", "m3", "m4", "lpm")) -> dict[str, ModelResult | ModelFitError]:
    """Fit several models; a model that cannot be estimated gives its :class:`ModelFitError`
    instead of a result, so one county without variation does not stop a chapter."""
    out: dict[str, ModelResult | ModelFitError] = {}
    for key in models:
        try:
            out[key] = fit(data, key, county=county)
        except ModelFitError as exc:
            out[key] = exc
    return out


def coefficient_frame(results: dict[str, ModelResult | ModelFitError]) -> pd.DataFrame:
    """Long table of all coefficients (without the constant): ``model, model_label, term,
    label, coef, ci_low, ci_high, odds_ratio, ame``."""
    rows = []
    for key, res in results.items():
        if not isinstance(res, ModelResult):
            continue
        t = res.table[res.table["term"] != "const"].copy()
        t.insert(0, "model_label", res.spec.label)
        t.insert(0, "model", key)
        rows.append(t)
    if not rows:
        return pd.DataFrame(columns=["model", "model_label", "term", "label", "coef", "ci_low", "ci_high"])
    return pd.concat(rows, ignore_index=True)


# --- predictions --------------------------------------------------------------------------

#: Example persons for predicted probabilities. Each gives every covariate of models 1–4.
EXAMPLE_PROFILES: tuple[dict, ...] = (
    {"profil": "24 år, droppet ut av vgs, ingen arbeidserfaring, husholdning under 2 G",
     "dropout": 1, "tidlarb": 0, "allhelse": 0, "sosbakgr": 2, "grunnbelop": 1, "innvandrerb": 0,
     "barnevern": 0, "kjonn": 1, "alder": 24},
    {"profil": "Som over, men med arbeidserfaring",
     "dropout": 1, "tidlarb": 1, "allhelse": 0, "sosbakgr": 2, "grunnbelop": 1, "innvandrerb": 0,
     "barnevern": 0, "kjonn": 1, "alder": 24},
    {"profil": "Som den første, men mottar helserelatert ytelse",
     "dropout": 1, "tidlarb": 0, "allhelse": 1, "sosbakgr": 2, "grunnbelop": 1, "innvandrerb": 0,
     "barnevern": 0, "kjonn": 1, "alder": 24},
    {"profil": "24 år, fullført vgs, arbeidserfaring, husholdning over 4 G, foreldre med høyere utdanning",
     "dropout": 0, "tidlarb": 1, "allhelse": 0, "sosbakgr": 1, "grunnbelop": 3, "innvandrerb": 0,
     "barnevern": 0, "kjonn": 1, "alder": 24},
    {"profil": "19 år, innvandrer, ingen arbeidserfaring, husholdning under 2 G, foreldre med grunnskole",
     "dropout": 0, "tidlarb": 0, "allhelse": 0, "sosbakgr": 3, "grunnbelop": 1, "innvandrerb": 1,
     "barnevern": 0, "kjonn": 2, "alder": 19},
)


def example_profiles() -> pd.DataFrame:
    """:data:`EXAMPLE_PROFILES` as a frame (one row per profile)."""
    return pd.DataFrame(list(EXAMPLE_PROFILES))


def predict(result: ModelResult, profiles: pd.DataFrame) -> pd.DataFrame:
    """Predicted probability of long-term NEET with a 95 % interval for each profile
    (columns ``prob, prob_low, prob_high``) and the terms each prediction uses (``uses``:
    the terms that are 1 in the profile — disclosure control hides a prediction when one of
    them is hidden). For logits the interval is computed on the log-odds scale and
    transformed, so it stays within 0–1."""
    spec = result.spec
    X = exog(profiles, spec).to_numpy(dtype="float64")
    beta = result.params.to_numpy()
    xb = X @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, result.cov, X))
    out = profiles.copy()
    f = _expit if spec.kind == "logit" else (lambda v: v)
    z95 = 1.959963984540054  # the normal distribution's 97.5 % quantile, for a two-sided 95 % interval
    out["prob"] = f(xb)
    out["prob_low"] = f(xb - z95 * se)
    out["prob_high"] = f(xb + z95 * se)
    out["uses"] = [tuple(t for j, t in enumerate(spec.terms, start=1) if X[i, j] == 1) for i in range(len(X))]
    return out
