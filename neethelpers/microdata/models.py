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
  everyone (no income variable, so nobody is dropped), with conventional standard errors.

Why cell counts: every covariate is categorical, so the likelihood of a person-level
logit depends on the data only through the number of persons ``n`` and long-term NEETs
``neet`` in each combination of covariates. A binomial GLM on those counts (successes
and failures) is the *same estimator* — identical coefficients and standard errors — and
runs on a few hundred rows instead of a million (``bench/regression.py``;
``tests/test_models.py`` proves the equality). The same holds for the linear
probability model, whose residual sum of squares is computed exactly from the counts.

Every fit reports coefficients, standard errors, z, p, 95 % intervals, odds ratios and
average marginal effects (the mean over persons of the derivative of the probability,
``statsmodels``' ``get_margeff(at="overall", method="dydx")``, with delta-method standard
errors).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from neethelpers.registry import counties
from neethelpers.errors import NeetError

__all__ = [
    "Term", "ModelSpec", "MODELS", "LOGIT_MODELS", "ModelResult", "ModelFitError",
    "design", "fit", "fit_persons", "fit_all", "coefficient_frame", "predict", "EXAMPLE_PROFILES",
    "example_profiles", "age_group", "published_term_key",
]


class ModelFitError(NeetError):
    """A model could not be estimated (too few persons, no variation, separation)."""


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


def design(frame: pd.DataFrame, spec: ModelSpec, *, county: str | None = None,
           outcome: str | None = None) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The design matrix of ``spec`` on cell counts (``n``, ``neet``) or person-level data
    (``neet2023``), restricted to the model's sample and, optionally, one county.

    Returns ``(X, n, y)``: ``X`` with a ``const`` column and one 0/1 column per term,
    ``n`` the number of persons per row (1 for person-level data, or the weight) and ``y``
    the number of long-term NEETs. Cell counts are first collapsed to the distinct
    combinations of the model's variables.
    """
    mask = np.array(_sample_mask(frame, spec.sample), dtype=bool, copy=True)
    if county is not None:
        code = counties.resolve(county).code
        mask &= (frame["fylke"] == code).to_numpy()
    sub = frame.loc[mask]
    cols = {"const": np.ones(len(sub))}
    for name in spec.terms:
        term = TERMS[name]
        values = _column(sub, term.variable)
        cols[name] = (values == 1) if term.level is None else (values == term.level)
    X = pd.DataFrame({k: np.asarray(v, dtype="float64") for k, v in cols.items()}, index=sub.index)
    if "n" in sub.columns and "neet" in sub.columns:
        n = sub["n"].to_numpy(dtype="float64")
        y = sub["neet"].to_numpy(dtype="float64")
        # Collapse to the model's own cells: fewer rows, same likelihood.
        key = X.drop(columns="const").to_numpy() @ (2.0 ** np.arange(X.shape[1] - 1))
        codes, inverse = np.unique(key, return_inverse=True)
        n_c = np.bincount(inverse, weights=n, minlength=len(codes))
        y_c = np.bincount(inverse, weights=y, minlength=len(codes))
        first = np.zeros(len(codes), dtype="int64")
        first[inverse[::-1]] = np.arange(len(inverse))[::-1]
        Xc = X.iloc[first].reset_index(drop=True)
        keep = n_c > 0
        return Xc.loc[keep].reset_index(drop=True), n_c[keep], y_c[keep]
    outcome = outcome or "neet2023"
    w = sub["weight"].to_numpy(dtype="float64") if "weight" in sub.columns else np.ones(len(sub))
    y = sub[outcome].to_numpy(dtype="float64") * w
    return X.reset_index(drop=True), w, y


@dataclass
class ModelResult:
    """A fitted model. ``table`` has one row per term (``const`` first) with columns
    ``term, label, coef, se, z, p, ci_low, ci_high, odds_ratio, or_low, or_high, ame,
    ame_se, n_with, neet_with, n_without, neet_without`` (odds ratios only for logits)."""

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


def _check_estimable(X: pd.DataFrame, n: np.ndarray, y: np.ndarray, spec: ModelSpec, where: str) -> None:
    total = n.sum()
    if total <= 0:
        raise ModelFitError(f"{spec.label}: no persons in the estimation sample ({where})")
    if y.sum() <= 0 or y.sum() >= total:
        raise ModelFitError(f"{spec.label}: the outcome does not vary in the estimation sample ({where})")
    for name in spec.terms:
        with_term = n[X[name].to_numpy() == 1].sum()
        if with_term == 0 or with_term == total:
            raise ModelFitError(f"{spec.label}: {TERMS[name].label} does not vary in the sample ({where}); "
                                "the coefficient cannot be estimated")


def _term_counts(X: pd.DataFrame, n: np.ndarray, y: np.ndarray, terms) -> dict[str, list[float]]:
    out = {"n_with": [], "neet_with": [], "n_without": [], "neet_without": []}
    for name in ["const", *terms]:
        on = X[name].to_numpy() == 1
        out["n_with"].append(float(n[on].sum()))
        out["neet_with"].append(float(y[on].sum()))
        out["n_without"].append(float(n[~on].sum()))
        out["neet_without"].append(float(y[~on].sum()))
    return out


def _ame(X: np.ndarray, n: np.ndarray, beta: np.ndarray, cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average marginal effects dP/dx_j (mean over persons) and delta-method SEs."""
    p = 1.0 / (1.0 + np.exp(-(X @ beta)))
    w = n / n.sum()
    s = p * (1 - p)
    mean_s = np.sum(w * s)
    ame = beta * mean_s
    # d AME_j / d beta_k = delta_jk * mean(s) + beta_j * mean(s * (1 - 2p) * x_k)
    g = np.sum((w * s * (1 - 2 * p))[:, None] * X, axis=0)
    jac = np.eye(len(beta)) * mean_s + np.outer(beta, g)
    se = np.sqrt(np.einsum("ij,jk,ik->i", jac, cov, jac))
    ame[0], se[0] = np.nan, np.nan  # no marginal effect of the constant
    return ame, se


def _fit_logit(X: pd.DataFrame, n: np.ndarray, y: np.ndarray, engine: str = "newton"
               ) -> tuple[np.ndarray, np.ndarray, float]:
    """Binomial GLM (logit link) on grouped counts: ``y`` successes out of ``n``.

    ``engine="newton"`` solves the score equations by Newton–Raphson (= IRLS for the
    canonical link) with numpy on the small normal equations; ``engine="statsmodels"`` uses
    ``statsmodels`` ``GLM(Binomial)`` with a successes/failures endog. Both give the
    coefficients and standard errors of the person-level logit (``tests/test_models.py``).
    The numpy path is the default because statsmodels' IRLS calls ``lstsq`` on the full
    design in every iteration, which multi-threaded OpenBLAS makes slow on a loaded CI machine.
    """
    Xa = X.to_numpy(dtype="float64")
    if engine == "statsmodels":
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM

        # Successes/failures is the binomial likelihood of grouped data; its standard errors
        # equal the person-level logit's (freq_weights on proportions would too).
        endog = np.column_stack([y, n - y])
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=RuntimeWarning)
            try:
                res = GLM(endog, Xa, family=families.Binomial()).fit(tol=1e-12, maxiter=100)
            except (RuntimeWarning, np.linalg.LinAlgError, ValueError) as exc:
                raise ModelFitError(f"the logit did not converge ({exc})") from None
        beta, cov = np.asarray(res.params), np.asarray(res.cov_params())
    elif engine == "newton":
        def loglik(b):
            eta = Xa @ b
            # log(1 + exp(eta)) computed stably
            return float(np.sum(y * eta - n * np.logaddexp(0.0, eta)))

        beta = np.zeros(Xa.shape[1])
        p0 = y.sum() / n.sum()
        beta[0] = np.log(p0 / (1 - p0))
        ll = loglik(beta)
        converged = False
        for _ in range(200):
            mu = 1.0 / (1.0 + np.exp(-np.clip(Xa @ beta, -35, 35)))
            w = n * mu * (1 - mu)
            info = Xa.T @ (Xa * w[:, None])
            try:
                step = np.linalg.solve(info, Xa.T @ (y - n * mu))
            except np.linalg.LinAlgError:
                raise ModelFitError("the logit could not be estimated (the covariates are collinear)") from None
            # Step halving: a full Newton step can overshoot when effects are large and the
            # outcome is rare; the log-likelihood is concave, so a shorter step always helps.
            t = 1.0
            for _ in range(40):
                cand = beta + t * step
                ll_new = loglik(cand)
                if ll_new >= ll - 1e-9 * abs(ll):
                    break
                t /= 2
            beta, ll = cand, ll_new
            if np.max(np.abs(t * step)) < 1e-10:
                converged = True
                break
        if not converged:
            raise ModelFitError("the logit did not converge (quasi-separation: a group has no or only long-term NEETs)")
        mu = 1.0 / (1.0 + np.exp(-np.clip(Xa @ beta, -35, 35)))
        cov = np.linalg.inv(Xa.T @ (Xa * (n * mu * (1 - mu))[:, None]))
    else:
        raise ValueError(f"unknown engine {engine!r}")
    if not np.all(np.isfinite(np.sqrt(np.diag(cov)))) or np.max(np.abs(beta)) > 30:
        raise ModelFitError("the logit did not converge (quasi-separation: a group has no or only long-term NEETs)")
    mu = 1.0 / (1.0 + np.exp(-(Xa @ beta)))
    with np.errstate(divide="ignore", invalid="ignore"):
        llf = float(np.sum(np.where(y > 0, y * np.log(mu), 0) + np.where(n - y > 0, (n - y) * np.log1p(-mu), 0)))
    return beta, cov, llf


def _fit_lpm(X: pd.DataFrame, n: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS of the 0/1 outcome on grouped data, exactly as on persons: the cell's ``y`` NEETs
    have residual 1 - fitted, the others 0 - fitted."""
    Xa = X.to_numpy()
    xtwx = Xa.T @ (Xa * n[:, None])
    beta = np.linalg.solve(xtwx, Xa.T @ y)
    fitted = Xa @ beta
    rss = np.sum(y * (1 - fitted) ** 2 + (n - y) * fitted ** 2)
    dof = n.sum() - Xa.shape[1]
    cov = rss / dof * np.linalg.inv(xtwx)
    return beta, cov


def fit(data: pd.DataFrame, model: str | ModelSpec = "m1", *, county: str | None = None,
        engine: str = "newton") -> ModelResult:
    """Fit a model on cell counts (``n``, ``neet``) or person-level data (``neet2023``).

    ``county`` (a name or code) restricts the sample to one county; ``engine`` chooses the
    logit solver (see :func:`_fit_logit`; both give the same estimates). Raises
    :class:`ModelFitError` when the model cannot be estimated.
    """
    from scipy import stats  # imported here: statsmodels/scipy load slowly and the cohort needs neither

    spec = MODELS[model] if isinstance(model, str) else model
    where = counties.resolve(county).name if county is not None else "hele landet"
    X, n, y = design(data, spec, county=county)
    _check_estimable(X, n, y, spec, where)
    if spec.kind == "logit":
        beta, cov, llf = _fit_logit(X, n, y, engine)
        dist = stats.norm
        dof = None
    else:
        beta, cov = _fit_lpm(X, n, y)
        llf = None
        dof = n.sum() - X.shape[1]
        dist = stats.t(dof)
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
    if spec.kind == "logit":
        table["odds_ratio"] = np.exp(beta)
        table["or_low"] = np.exp(table["ci_low"])
        table["or_high"] = np.exp(table["ci_high"])
        ame, ame_se = _ame(X.to_numpy(), n, beta, cov)
    else:
        ame = beta.copy()
        ame_se = se.copy()
        ame[0], ame_se[0] = np.nan, np.nan
    table["ame"] = ame
    table["ame_se"] = ame_se
    for col, vals in _term_counts(X, n, y, spec.terms).items():
        table[col] = vals
    return ModelResult(spec, table, float(n.sum()), float(y.sum()), cov, llf,
                       county=None if county is None else counties.resolve(county).code,
                       extra={"cells": len(n), "dof": dof})


def fit_persons(persons: pd.DataFrame, model: str | ModelSpec = "m1", *, county: str | None = None):
    """The person-level fit with statsmodels (``Logit`` or ``OLS``) for comparison: returns
    the statsmodels results object with the same column names as :func:`fit`."""
    spec = MODELS[model] if isinstance(model, str) else model
    X, w, y = design(persons, spec, county=county)
    if not np.allclose(w, 1):
        raise ValueError("fit_persons compares unweighted person-level fits only")
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.regression.linear_model import OLS

    if spec.kind == "logit":
        return Logit(y, X).fit(disp=0, method="newton", tol=1e-12, maxiter=100)
    return OLS(y, X).fit()


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
    (columns ``prob, prob_low, prob_high``). For logits the interval is computed on the
    log-odds scale and transformed, so it stays within 0–1."""
    spec = result.spec
    X = np.ones((len(profiles), 1 + len(spec.terms)))
    for j, name in enumerate(spec.terms, start=1):
        term = TERMS[name]
        values = _column(profiles, term.variable)
        X[:, j] = (values == 1) if term.level is None else (values == term.level)
    beta = result.params.to_numpy()
    xb = X @ beta
    se = np.sqrt(np.einsum("ij,jk,ik->i", X, result.cov, X))
    out = profiles.copy()
    if spec.kind == "logit":
        f = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    else:
        f = lambda v: v  # noqa: E731
    z95 = 1.959963984540054  # the normal distribution's 97.5 % quantile, for a two-sided 95 % interval
    out["prob"] = f(xb)
    out["prob_low"] = f(xb - z95 * se)
    out["prob_high"] = f(xb + z95 * se)
    return out
