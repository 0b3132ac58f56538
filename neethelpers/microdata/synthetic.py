"""A synthetic national cohort of 15–29-year-olds, calibrated to published figures.

Person-level register data are not public, so the regression chapter runs by default on a
**synthetic** population: about one million persons (the 2024 population of every current
county by sex and age) with the note's covariates and a long-term NEET outcome. It exists
to show how the analysis works; it is not data about real people, and every frame it
produces carries ``attrs["synthetic"] = True`` so the chapter labels every table and
figure made from it.

What it reproduces (targets read from ``data/``; the calibration table lists each one with
the value achieved and the difference):

* **Population** per county, sex and age: SSB table 13556, 2024, on the 2024 county borders
  (``ssb_13556_county_sex_age_own_borders``). SSB gives five-year age groups; the
  persons of a group are spread evenly over its five ages.
* **Immigrants** (category B) per county: their share of the 15–29-year-olds in SSB table
  13563, 2024 (``ssb_13563_county_immigrant_own_borders``).
* **Long-term NEET share by county and sex** (the note's Table 3) for Akershus, Buskerud,
  Østfold, Oslo and the whole country. For the other eleven counties the note publishes
  no long-term figure; their target is their 2024 register NEET share by sex (SSB 13556)
  times a factor per sex, chosen so that the national long-term NEET share by sex equals
  Table 3's national figure. In words: *the other counties have long-term NEET in the same
  proportion to their NEET share*, the assumption made explicit in the chapter.
* **Long-term NEET among immigrants and the rest** (Table 4) — the odds ratio between the
  two groups per published county and nationally (the level is set by Table 3).
* **The national risk profile** (the note's chapter 3): the shares of long-term NEETs and
  of others with no work experience, dropout, a health benefit and child-welfare measures,
  the share of long-term NEETs with a household income ≤ 2 G and their parents' education.
* **Figure 2**: the long-term NEET share at age 16 and 29 and, at age 29, in low- and
  high-income households (those living with a parent).
* **Model 1** (Table 2): fitting the note's model 1 on the cohort gives its coefficients.

How: every person belongs to a demographic cell (county × sex × age) and has an
unobserved disadvantage ``z`` (0/1) that makes all risk factors more likely; immigrants
more often have ``z`` = 1 and in addition more often low household income, no work
experience and dropout (a strength calibrated to Table 4). Given ``z``, age and immigrant
category the covariates are independent, and the outcome follows a logit in the
covariates, county, sex and age. The parameters are calibrated on the *expected* counts by
damped fixed-point updates (each parameter is moved by the log-odds gap of the target it
controls) until every gap is below 0,001 on the log-odds scale. The expected counts are
then turned into whole persons by systematic rounding with seeded random starts, so every
county, county × sex and county × sex × immigrant category gets its expected number of
long-term NEETs and of other persons to within one. Working on cell counts (about 85 000 non-empty cells) instead of a million
persons keeps the generator at about a second; the result is cached under
``.neet-cache/synthetic/`` keyed by the generator's source, the input files' sha256 (from
the catalog), the assumptions and the seed.

What it does not reproduce: Figure 2's levels at age 29 by household income (the note's
37,2 % and 5,1 % cannot be combined with 71,1 % of long-term NEETs living at home having a
household income ≤ 2 G under this model; the ratio between them is reproduced), and Tables
3 and 4 cannot both hold exactly with SSB's immigrant shares. The calibration table shows
every difference.

Assumptions that no published figure pins down are collected in :data:`ASSUMPTIONS`,
each with a Norwegian explanation the chapter prints.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from neethelpers import files, paths
from neethelpers.errors import DataError
from neethelpers.microdata import schema
from neethelpers.registry import counties

__all__ = [
    "ASSUMPTIONS", "SyntheticCohort", "generate", "cohort", "to_persons", "targets",
    "calibration_table", "CACHE_DIR",
]

CACHE_DIR = getattr(paths, "CACHE_DIR", paths.PROJECT_ROOT / ".neet-cache") / "synthetic"
POPULATION_YEAR = 2024
POPULATION_DATASET = "ssb_13556_county_sex_age_own_borders"
IMMIGRANT_DATASET = "ssb_13563_county_immigrant_own_borders"
PUBLISHED_DATASET = "seed000_figures"
AGES = np.arange(15, 30)
SEXES = (1, 2)  # kjonn: 1 man, 2 woman

#: Modelling assumptions without a published figure. ``value`` is used by the generator;
#: ``text`` is the Norwegian explanation shown in the chapter.
ASSUMPTIONS: dict[str, dict] = {
    "c_per_b": {
        "value": 0.4,
        "text": "Norskfødte med innvandrerforeldre (kategori C) utgjør 0,4 per innvandrer (kategori B) i hvert "
        "fylke; kategori E (utenlandsfødte med én norskfødt forelder) er ikke med.",
    },
    "away_from_parents": {
        "value": (-3.0, 0.3),
        "text": "Andelen som ikke bor med en forelder (og derfor mangler husholdningsinntekt) øker med alderen, "
        "fra om lag 5 prosent ved 15 år til om lag 77 prosent ved 29 år (logistisk kurve).",
    },
    "income_middle_vs_high": {
        "value": 0.7,
        "text": "Blant dem som bor med en forelder er husholdninger over 4 G dobbelt så vanlige som 2–4 G "
        "(log-odds 0,7) for personer uten ekstra risiko.",
    },
    "no_income_effect": {
        "value": "grunnbelop[2]",
        "text": "For dem som ikke bor med en forelder er sammenhengen med langtids-NEET den samme som for "
        "husholdninger på 2–4 G.",
    },
    "z_share": {
        "value": {"A": 0.2, "B": 0.4, "C": 0.3},
        "text": "En uobservert tilleggsrisiko, som gjør alle risikofaktorene vanligere, rammer 20 prosent av "
        "befolkningen uten innvandrerbakgrunn, 40 prosent av innvandrerne og 30 prosent av norskfødte med "
        "innvandrerforeldre. I tillegg har innvandrere oftere lav husholdningsinntekt, mangler oftere "
        "arbeidserfaring og dropper oftere ut; styrken på dette kalibreres mot tabell 4 (halv styrke for "
        "norskfødte med innvandrerforeldre).",
    },
    "age_slopes": {
        "value": {"tidlarb": 0.45, "allhelse": 0.12},
        "text": "Arbeidserfaring blir vanligere med alderen (log-odds +0,45 per år) og det samme gjør "
        "helserelaterte ytelser (+0,12 per år).",
    },
    "loadings": {
        "value": {"grunnbelop": 1.0, "sosbakgr": 1.0, "barnevern": 1.0},
        "text": "Den uobserverte tilleggsrisikoen øker sjansen for lav husholdningsinntekt, lav sosial bakgrunn "
        "og barnevernstiltak med log-odds 1,0 (for de andre risikofaktorene kalibreres styrken mot "
        "risikoprofilen).",
    },
}


# --- inputs -------------------------------------------------------------------------------


def _load(dataset_id: str) -> pd.DataFrame:
    from neethelpers import data

    return data.load(dataset_id)


def _input_hashes() -> dict[str, str]:
    """sha256 of every input file, from the catalog (cheap: no file is parsed)."""
    from neethelpers.data import catalog

    return {d: str(catalog.entry(d)["sha256"]) for d in (POPULATION_DATASET, IMMIGRANT_DATASET, PUBLISHED_DATASET)}


def _population() -> tuple[list, np.ndarray, np.ndarray]:
    """Counties (current, SSB order), persons[c, s, a] and register NEET shares [c, s]."""
    df = _load(POPULATION_DATASET)
    df = df[df["year"] == POPULATION_YEAR]
    cs = counties.current_counties()
    sex_name = {1: "Menn", 2: "Kvinner"}
    pop = np.zeros((len(cs), 2, len(AGES)))
    neet_share = np.zeros((len(cs), 2))
    residents = df[df["indicator"].str.startswith("Bosatte")]
    neets = df[df["indicator"].str.startswith("Utenfor")]
    for i, county in enumerate(cs):
        for j, s in enumerate(SEXES):
            sel = residents[(residents["region_code"] == county.code) & (residents["sex"] == sex_name[s])]
            by_age = dict(zip(sel["age_group"], sel["value"]))
            nsel = neets[(neets["region_code"] == county.code) & (neets["sex"] == sex_name[s])]
            n_by_age = dict(zip(nsel["age_group"], nsel["value"]))
            try:
                total, a20, a25 = by_age["15-29"], by_age["20-24"], by_age["25-29"]
                neet_share[i, j] = n_by_age["15-29"] / total
            except KeyError as exc:
                raise DataError(POPULATION_DATASET, f"no {POPULATION_YEAR} figure for {county.name}, "
                                f"{sex_name[s]}, {exc.args[0]}", column="age_group") from None
            groups = {15: total - a20 - a25, 20: a20, 25: a25}
            for start, persons in groups.items():
                # SSB publishes five-year groups: spread each evenly over its ages.
                pop[i, j, start - 15:start - 10] = persons / 5.0
    return list(cs), pop, neet_share


def _immigrant_shares(cs) -> np.ndarray:
    df = _load(IMMIGRANT_DATASET)
    df = df[(df["year"] == POPULATION_YEAR) & df["indicator"].str.startswith("Bosatte")]
    out = np.zeros(len(cs))
    for i, county in enumerate(cs):
        sel = df[df["region_code"] == county.code]
        vals = dict(zip(sel["group"], sel["value"]))
        try:
            out[i] = vals["Innvandrere"] / vals["I alt"]
        except KeyError:
            raise DataError(IMMIGRANT_DATASET, f"no {POPULATION_YEAR} immigrant count for {county.name}",
                            column="group") from None
    return out


# --- published targets --------------------------------------------------------------------


def _pick(rows: pd.DataFrame) -> float | None:
    """One value from possibly several printed versions of a figure: an exact figure if
    there is one, then 'about', then 'over' (the largest such bound)."""
    if rows.empty:
        return None
    for q in ("exact", "about", "over"):
        sel = rows[rows["qualifier"] == q]
        if not sel.empty:
            return float(sel["value"].astype(float).max())
    return float(rows["value"].astype(float).iloc[0])


@dataclass
class Targets:
    """Published targets, as shares (0–1) and coefficients."""

    table3: dict  # (region_code, "all"|"women"|"men") -> L-NEET share
    table4: dict  # (region_code, "rest"|"immigrants") -> L-NEET share
    coef: dict  # model-1 term -> coefficient
    profile: dict  # key -> (share, group, description)
    figure2: dict  # (age, "all"|"low_income"|"high_income") -> share
    labels: dict = field(default_factory=dict)


_PROFILE = {
    # key: (variable, level, group, statistic, Norwegian description)
    "no_work_lneet": ("no_work_experience", None, "lneet", "share", "Uten arbeidserfaring, blant langtids-NEET"),
    "no_work_others": ("no_work_experience", None, "others", "share", "Uten arbeidserfaring, blant andre"),
    "low_income_lneet": ("low_household_income", "≤ 2 G", "lneet", "share",
                         "Husholdningsinntekt ≤ 2 G, blant langtids-NEET som bor med en forelder"),
    "sosbakgr3_lneet": ("social_background", "3", "lneet", "share", "Foreldre med grunnskole, blant langtids-NEET"),
    "sosbakgr1_lneet": ("social_background", "1", "lneet", "share",
                        "Foreldre med høyere utdanning, blant langtids-NEET"),
    "dropout_lneet": ("dropout", None, "lneet", "share", "Dropout, blant langtids-NEET"),
    "not_dropout_others": ("not_dropout", None, "others", "share", "Ikke dropout, blant andre"),
    "health_lneet": ("health_benefits", None, "lneet", "one_in_n", "Mottar helseytelse, blant langtids-NEET"),
    "health_others": ("health_benefits", None, "others", "share", "Mottar helseytelse, blant andre"),
    "cw_lneet": ("child_welfare", None, "lneet", "share", "Barnevernstiltak, blant langtids-NEET"),
    "cw_others": ("child_welfare", None, "others", "share", "Barnevernstiltak, blant andre"),
    "lneet_dropouts": ("lneet", None, "dropouts", "share", "Langtids-NEET, blant dropouts"),
}

_TERM_OF = {("dropout", "1"): "dropout", ("tidlarb", "1"): "tidlarb", ("allhelse", "1"): "allhelse",
            ("sosbakgr", "2"): "sosbakgr[2]", ("sosbakgr", "3"): "sosbakgr[3]",
            ("grunnbeløp", "2"): "grunnbelop[2]", ("grunnbeløp", "3"): "grunnbelop[3]",
            ("grunnbelop", "2"): "grunnbelop[2]", ("grunnbelop", "3"): "grunnbelop[3]",
            ("innvandrerb", "1"): "innvandrerb"}


def targets() -> Targets:
    """The published figures the cohort is calibrated to (shares as fractions), read
    through :mod:`neethelpers.series.published` from ``data/published/seed000_figures.csv``."""
    from neethelpers.series import published

    table3 = {}
    for row in published.table3().itertuples():
        for grp, col in (("all", "lneet"), ("women", "lneet_women"), ("men", "lneet_men")):
            table3[(row.region_code, grp)] = float(getattr(row, col)) / 100
    table4 = {}
    for row in published.table4().itertuples():
        table4[(row.region_code, "rest")] = float(row.lneet_rest) / 100
        table4[(row.region_code, "immigrants")] = float(row.lneet_immigrants) / 100
    coef = {}
    for row in published.table2().itertuples():
        term = _TERM_OF.get((str(row.variable), str(row.level)))
        if term:
            coef[term] = float(row.coef)
    rp = published.risk_profile().copy()
    for col in ("variable", "level", "group", "statistic", "qualifier"):
        rp[col] = rp[col].astype(str).where(rp[col].notna(), "")
    profile = {}
    for key, (var, level, grp, stat, text) in _PROFILE.items():
        m = (rp["variable"] == var) & (rp["group"] == grp) & (rp["statistic"] == stat)
        if level is not None:
            m &= rp["level"] == level
        v = _pick(rp[m])
        if v is None:
            continue
        share = 1.0 / v if stat == "one_in_n" else v / 100
        qual = "exact" if "exact" in set(rp.loc[m, "qualifier"]) else sorted(set(rp.loc[m, "qualifier"]))[0]
        if key == "not_dropout_others":
            key, share, text = "dropout_others", 1 - share, "Dropout, blant andre"
            qual = {"over": "under"}.get(qual, qual)
        profile[key] = (share, text, qual)
    figure2 = {(int(r.age), str(r.income_group)): float(r.share) / 100
               for r in published.figure2_points().itertuples()}
    missing = [t for t in _M1_TERMS if t not in coef]
    if missing or ("0", "all") not in table3:
        raise DataError(PUBLISHED_DATASET, "published targets incomplete", value=missing or "table3 national",
                        expected="Table 2 coefficients and Table 3's national row")
    return Targets(table3, table4, coef, profile, figure2)


# --- the data-generating model --------------------------------------------------------------

# Covariate combination axes: o (sosbakgr 1–3), g (grunnbelop: 0 = not living with a parent,
# 1–3), t (tidlarb), d (dropout), b (barnevern), h (allhelse).
_O, _G, _T, _D, _B, _H = np.meshgrid(np.arange(1, 4), np.arange(0, 4), [0, 1], [0, 1], [0, 1], [0, 1],
                                     indexing="ij")
_O, _G, _T, _D, _B, _H = (v.ravel() for v in (_O, _G, _T, _D, _B, _H))
NX = _O.size  # 192 covariate combinations
_M1_TERMS = ("dropout", "tidlarb", "allhelse", "sosbakgr[2]", "sosbakgr[3]", "grunnbelop[2]", "grunnbelop[3]",
             "innvandrerb")


def _expit(v):
    return 1.0 / (1.0 + np.exp(-v))


def _logit(p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def _initial_params(n_counties: int, tg: Targets) -> dict:
    return {
        "alpha": np.full((n_counties, 2), -3.0),
        "gamma": 0.05, "gamma_low": 0.0,
        "beta": {t: tg.coef[t] for t in _M1_TERMS},
        "beta_b": 1.0,
        "eta": {"o2": 0.0, "o3": -0.5, "g1": -0.5, "t": 0.0, "d": -2.0, "b": -3.5, "h": -3.5},
        "lam": {"t": 1.0, "d": 1.0, "h": 1.0},
        "psi_B": 0.5, "psi_c": np.zeros(n_counties),
    }


def _psi(p: dict) -> np.ndarray:
    """Immigrants' extra disadvantage per county and category (c, k): none for others,
    ``psi`` for immigrants (B), half of it for Norwegian-born to immigrant parents (C)."""
    b = p["psi_B"] + p["psi_c"]
    return np.column_stack([np.zeros_like(b), b, b / 2])


def _model_inputs(p: dict) -> tuple[np.ndarray, np.ndarray]:
    """F[c, k, a, z, x] = P(covariates x | county, category, age, z) and the outcome's
    covariate part L[a, x]."""
    A = ASSUMPTIONS
    load = A["loadings"]["value"]
    slopes = A["age_slopes"]["value"]
    eta, lam = p["eta"], p["lam"]
    ages = AGES.astype(float)
    a = (ages - 22.0)[None, None, :, None, None]  # (1, 1, a, 1, 1)
    z = np.array([0.0, 1.0])[None, None, None, :, None]  # (1, 1, 1, z, 1)
    psi = _psi(p)[:, :, None, None, None]  # (c, k, 1, 1, 1)
    zz = np.array([0.0, 1.0])
    # sosbakgr: softmax over levels 1, 2, 3 (z makes compulsory-school parents likelier)
    lo = np.stack([np.zeros(2), np.full(2, eta["o2"]), eta["o3"] + load["sosbakgr"] * zz])  # (level, z)
    po = np.exp(lo) / np.exp(lo).sum(axis=0)
    base = po[_O - 1].T[None, None, None, :, :]  # (1, 1, 1, z, x)
    pb = _expit(eta["b"] + load["barnevern"] * zz)[:, None]  # (z, 1)
    base = base * np.where(_B[None, :] == 1, pb, 1 - pb)[None, None, None]
    ph = _expit(eta["h"] + slopes["allhelse"] * a + lam["h"] * z)  # (1, 1, a, z, 1)
    base = base * np.where(_H == 1, ph, 1 - ph)  # (1, 1, a, z, x)
    # grunnbelop: not living with a parent (by age), else household income 1/2/3, where z and
    # the immigrant disadvantage make low income likelier
    c0, c1 = A["away_from_parents"]["value"]
    away = _expit(c0 + c1 * (ages - 15.0))[None, None, :, None, None]
    l1 = eta["g1"] + load["grunnbelop"] * z + psi  # (c, k, 1, z, 1)
    l3 = A["income_middle_vs_high"]["value"] - load["grunnbelop"] * z + 0 * psi
    denom = np.exp(l1) + 1.0 + np.exp(l3)
    pg = np.where(_G == 1, np.exp(l1), np.where(_G == 2, 1.0, np.exp(l3))) / denom  # (c, k, 1, z, x)
    P_g = np.where(_G == 0, away, (1 - away) * pg)
    # tidlarb: work experience, more with age, less with z and immigrant disadvantage
    pt = _expit(eta["t"] + slopes["tidlarb"] * a - lam["t"] * z - psi)  # (c, k, a, z, 1)
    P_t = np.where(_T == 1, pt, 1 - pt)
    pd_ = _expit(eta["d"] + lam["d"] * z + psi) * (ages >= 18)[None, None, :, None, None]
    P_d = np.where(_D == 1, pd_, 1 - pd_)
    F = base * P_g * P_t * P_d  # (c, k, a, z, x)
    beta = p["beta"]
    bg0 = beta[ASSUMPTIONS["no_income_effect"]["value"]]
    lin = (beta["dropout"] * _D + beta["tidlarb"] * _T + beta["allhelse"] * _H
           + beta["sosbakgr[2]"] * (_O == 2) + beta["sosbakgr[3]"] * (_O == 3)
           + beta["grunnbelop[2]"] * (_G == 2) + beta["grunnbelop[3]"] * (_G == 3) + bg0 * (_G == 0)
           + p["beta_b"] * _B)
    age_c = (ages - 22.0)[:, None]
    L = lin[None, :] + p["gamma"] * age_c + p["gamma_low"] * age_c * (_G == 1)
    return F, L


@dataclass
class _Expected:
    M: np.ndarray  # persons (c, s, k, a, x)
    E: np.ndarray  # expected long-term NEETs (c, s, k, a, x)


def _expected(p: dict, pop: np.ndarray, kshare: np.ndarray) -> _Expected:
    F, L = _model_inputs(p)
    zs = ASSUMPTIONS["z_share"]["value"]
    pz = np.array([zs["A"], zs["B"], zs["C"]])[None, :, None, None]  # P(z=1 | k)
    Q = (1 - pz) * F[:, :, :, 0, :] + pz * F[:, :, :, 1, :]  # (c, k, a, x)
    M = pop[:, :, None, :, None] * kshare[:, None, :, None, None] * Q[:, None, :, :, :]
    imm = np.array([0.0, 1.0, 1.0])
    eta_y = (p["alpha"][:, :, None, None, None] + p["beta"]["innvandrerb"] * imm[None, None, :, None, None]
             + L[None, None, None, :, :])
    return _Expected(M, M * _expit(eta_y))


# Model 1's cells: (immigrant background) × (o, g = 1..3, t, d, h); barnevern is summed out.
_LIVING = _G > 0
_M1_KEY = np.where(_LIVING, (((_O - 1) * 3 + (_G - 1)) * 2 + _T) * 4 + _D * 2 + _H, -1)
_M1_N = 72
_k = np.arange(_M1_N)
_m1_h, _m1_d, _m1_t = _k % 2, (_k // 2) % 2, (_k // 4) % 2
_m1_g, _m1_o = (_k // 8) % 3 + 1, _k // 24 + 1
_X1 = np.column_stack([np.ones(_M1_N), _m1_d, _m1_t, _m1_h, _m1_o == 2, _m1_o == 3, _m1_g == 2, _m1_g == 3])
_M1_X = np.vstack([np.column_stack([_X1, np.zeros(_M1_N)]), np.column_stack([_X1, np.ones(_M1_N)])]).astype(float)
del _k


def _model1_fit(M: np.ndarray, E: np.ndarray, beta0=None) -> np.ndarray:
    Mk, Ek = M.sum(axis=(0, 1, 3)), E.sum(axis=(0, 1, 3))  # (k, x)
    n, y = [], []
    for grid in (Mk, Ek):
        rows = [grid[0], grid[1] + grid[2]]  # without / with immigrant background
        out = [np.bincount(_M1_KEY[_LIVING], weights=r[_LIVING], minlength=_M1_N) for r in rows]
        (n if grid is Mk else y).append(np.concatenate(out))
    from neethelpers.microdata.models import fit_binomial  # the package's one logit engine

    return np.asarray(fit_binomial(_M1_X, n[0], y[0], beta0).params)


def _achieved(ex: _Expected, fit_model: bool = True, beta0=None) -> dict:
    """All calibrated statistics from expected (or realised) counts (c, s, k, a, x)."""
    M, E = ex.M, ex.E
    out: dict = {}
    # Table 3: by county and sex, county total, national by sex and total
    Mcs, Ecs = M.sum(axis=(2, 3, 4)), E.sum(axis=(2, 3, 4))
    out["cs"] = Ecs / Mcs
    out["c"] = Ecs.sum(1) / Mcs.sum(1)
    out["s_nat"] = Ecs.sum(0) / Mcs.sum(0)
    out["nat"] = Ecs.sum() / Mcs.sum()
    # Table 4: immigrants (B) and the rest, per county and nationally
    Mck, Eck = M.sum(axis=(1, 3, 4)), E.sum(axis=(1, 3, 4))
    out["imm_c"] = Eck[:, 1] / Mck[:, 1]
    out["rest_c"] = (Eck[:, 0] + Eck[:, 2]) / (Mck[:, 0] + Mck[:, 2])
    out["imm_nat"] = Eck[:, 1].sum() / Mck[:, 1].sum()
    out["rest_nat"] = (Eck[:, 0] + Eck[:, 2]).sum() / (Mck[:, 0] + Mck[:, 2]).sum()
    # Risk profile: shares among long-term NEETs (E) and others (M - E)
    Ea, Ma = E.sum(axis=(0, 1, 2)), M.sum(axis=(0, 1, 2))  # (a, x)
    Ex, Mx = Ea.sum(axis=0), Ma.sum(axis=0)
    Ox = Mx - Ex

    def share(w, mask, within=None):
        base = w if within is None else w * within
        return float((base * mask).sum() / base.sum())

    out["profile"] = {
        "no_work_lneet": share(Ex, _T == 0), "no_work_others": share(Ox, _T == 0),
        "low_income_lneet": share(Ex, _G == 1, _LIVING),
        "sosbakgr3_lneet": share(Ex, _O == 3), "sosbakgr1_lneet": share(Ex, _O == 1),
        "sosbakgr2_lneet": share(Ex, _O == 2),
        "dropout_lneet": share(Ex, _D == 1), "dropout_others": share(Ox, _D == 1),
        "health_lneet": share(Ex, _H == 1), "health_others": share(Ox, _H == 1),
        "cw_lneet": share(Ex, _B == 1), "cw_others": share(Ox, _B == 1),
        "lneet_dropouts": float((Ex * (_D == 1)).sum() / (Mx * (_D == 1)).sum()),
    }
    # Figure 2: by age and income among those living with a parent
    fig2 = {}
    for age in (16, 29):
        i = age - 15
        fig2[(age, "all")] = float(Ea[i, _LIVING].sum() / Ma[i, _LIVING].sum())
        fig2[(age, "low_income")] = float(Ea[i, _G == 1].sum() / Ma[i, _G == 1].sum())
        fig2[(age, "high_income")] = float(Ea[i, _G == 3].sum() / Ma[i, _G == 3].sum())
    out["figure2"] = fig2
    if fit_model:
        b = _model1_fit(M, E, beta0)
        out["beta_fit"] = b
        out["coef"] = dict(zip(_M1_TERMS, b[1:]))
    return out


def _county_targets(tg: Targets, cs, pop: np.ndarray, neet_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Target L-NEET share per county and sex, and whether it was published (c, s)."""
    target = np.full((len(cs), 2), np.nan)
    published = np.zeros((len(cs), 2), dtype=bool)
    grp = {1: "men", 2: "women"}
    for i, county in enumerate(cs):
        for j, s in enumerate(SEXES):
            v = tg.table3.get((county.code, grp[s]))
            if v is not None:
                target[i, j], published[i, j] = v, True
    persons = pop.sum(axis=2)
    for j, s in enumerate(SEXES):
        nat = tg.table3.get(("0", grp[s]), tg.table3[("0", "all")])
        fixed = np.nansum(np.where(published[:, j], target[:, j] * persons[:, j], 0.0))
        free = ~published[:, j]
        # Unpublished counties: proportional to their register NEET share, scaled so that the
        # national share by sex equals Table 3's national figure.
        factor = (nat * persons[:, j].sum() - fixed) / (neet_share[free, j] * persons[free, j]).sum()
        target[free, j] = factor * neet_share[free, j]
    return target, published


# The immigrant disadvantage moves the immigrant/rest log-odds ratio by less than one-for-one.
PSI_STEP = 1.5


def _calibrate(tg: Targets, cs, pop, neet_share, kshare, max_iter: int = 200, tol: float = 1e-3):
    target_cs, _ = _county_targets(tg, cs, pop, neet_share)
    p = _initial_params(len(cs), tg)
    code_idx = {c.code: i for i, c in enumerate(cs)}
    t4_counties = sorted((code_idx[code], tg.table4[(code, "immigrants")], tg.table4[(code, "rest")])
                         for code in {k[0] for k in tg.table4} if code in code_idx
                         and (code, "immigrants") in tg.table4 and (code, "rest") in tg.table4)
    t4_nat = (tg.table4.get(("0", "immigrants")), tg.table4.get(("0", "rest")))
    pr, f2 = tg.profile, tg.figure2
    lo = _logit
    beta_fit = None
    worst = np.inf
    for it in range(max_iter):  # noqa: B007 - the count is read after the loop
        ex = _expected(p, pop, kshare)
        ach = _achieved(ex, beta0=beta_fit)
        beta_fit = ach["beta_fit"]
        gaps = []

        def gap(target, achieved, gaps=gaps):  # this iteration's list
            g = target - achieved
            gaps.append(float(np.max(np.abs(g))))
            return g

        p["alpha"] = p["alpha"] + gap(lo(target_cs), lo(ach["cs"]))
        for t in _M1_TERMS:
            p["beta"][t] += gap(tg.coef[t], ach["coef"][t])
        a = ach["profile"]
        if "cw_lneet" in pr and "cw_others" in pr:
            p["eta"]["b"] += gap(lo(pr["cw_others"][0]), lo(a["cw_others"]))
            p["beta_b"] += 0.8 * gap(lo(pr["cw_lneet"][0]) - lo(pr["cw_others"][0]),
                                     lo(a["cw_lneet"]) - lo(a["cw_others"]))
        for key, ek in (("no_work", "t"), ("dropout", "d"), ("health", "h")):
            tl, to = pr.get(f"{key}_lneet"), pr.get(f"{key}_others")
            sign = -1.0 if ek == "t" else 1.0  # eta_t is the log-odds of *having* work experience
            if to is not None:
                p["eta"][ek] += sign * gap(lo(to[0]), lo(a[f"{key}_others"]))
            elif tl is not None:
                p["eta"][ek] += sign * gap(lo(tl[0]), lo(a[f"{key}_lneet"]))
            if tl is not None and to is not None:
                achieved = lo(a[f"{key}_lneet"]) - lo(a[f"{key}_others"])
                g = gap(lo(tl[0]) - lo(to[0]), achieved)
                p["lam"][ek] = float(np.clip(p["lam"][ek] + 0.7 * g, -6, 8))
        if "low_income_lneet" in pr:
            p["eta"]["g1"] += gap(lo(pr["low_income_lneet"][0]), lo(a["low_income_lneet"]))
        if "sosbakgr3_lneet" in pr and "sosbakgr1_lneet" in pr:
            t3, t1 = pr["sosbakgr3_lneet"][0], pr["sosbakgr1_lneet"][0]
            t2 = 1 - t3 - t1
            base = np.log(t1) - np.log(a["sosbakgr1_lneet"])
            p["eta"]["o3"] += gap(np.log(t3) - np.log(a["sosbakgr3_lneet"]), base)
            if t2 > 0:
                p["eta"]["o2"] += gap(np.log(t2) - np.log(a["sosbakgr2_lneet"]), base)
        if t4_nat[0] is not None and t4_nat[1] is not None:
            achieved = lo(ach["imm_nat"]) - lo(ach["rest_nat"])
            g = gap(lo(t4_nat[0]) - lo(t4_nat[1]), achieved)
            p["psi_B"] = float(np.clip(p["psi_B"] + PSI_STEP * g, -3, 6))
        for i, t_imm, t_rest in t4_counties:
            achieved = lo(ach["imm_c"][i]) - lo(ach["rest_c"][i])
            g = gap(lo(t_imm) - lo(t_rest), achieved)
            p["psi_c"][i] = float(np.clip(p["psi_B"] + p["psi_c"][i] + PSI_STEP * g, -3, 6)) - p["psi_B"]
        if (16, "all") in f2 and (29, "all") in f2:
            achieved = lo(ach["figure2"][(29, "all")]) - lo(ach["figure2"][(16, "all")])
            p["gamma"] += 0.8 * gap(lo(f2[(29, "all")]) - lo(f2[(16, "all")]), achieved) / 13.0
        if (29, "low_income") in f2 and (29, "high_income") in f2:
            achieved = lo(ach["figure2"][(29, "low_income")]) - lo(ach["figure2"][(29, "high_income")])
            g = gap(lo(f2[(29, "low_income")]) - lo(f2[(29, "high_income")]), achieved)
            p["gamma_low"] = float(np.clip(p["gamma_low"] + 0.8 * g / 7.0, -1, 1))
        worst = max(gaps)
        if worst < tol:
            break
    return p, {"iterations": it + 1, "max_gap": worst, "target_cs": target_cs}


# --- sampling -------------------------------------------------------------------------------


def _systematic_round(values: np.ndarray, start: float) -> np.ndarray:
    """Integers whose running sum stays within one of the running sum of ``values``."""
    cum = np.floor(np.cumsum(values) + start)
    return np.diff(np.concatenate([[np.floor(start)], cum])).astype(np.int64)


def _draw(p: dict, pop: np.ndarray, kshare: np.ndarray, cs, seed: int) -> pd.DataFrame:
    ex = _expected(p, pop, kshare)
    rng = np.random.default_rng(seed)
    nc, ns, nk, na, nx = ex.M.shape
    # Systematic rounding with seeded random starts, in the order county, sex, category, age,
    # covariates — separately for the long-term NEETs and for everyone else. Every contiguous
    # block (a county, a county and sex, ...) then gets its expected number of long-term NEETs
    # and of other persons to within one, so the published margins are not blurred by
    # sampling noise, while the seed still decides how each cell is rounded.
    expected_neet = ex.E.ravel()
    expected_other = np.clip(ex.M.ravel() - expected_neet, 0.0, None)
    y = _systematic_round(expected_neet, rng.random())
    n = y + _systematic_round(expected_other, rng.random())
    ci, si, ki, ai, xi = np.unravel_index(np.arange(n.size), ex.M.shape)
    keep = n > 0
    n, y = n[keep], y[keep]
    ci, si, ai, ki, xi = ci[keep], si[keep], ai[keep], ki[keep], xi[keep]
    g = _G[xi]
    codes = np.array([c.code for c in cs])
    frame = pd.DataFrame({
        "dropout": _D[xi].astype("int8"), "tidlarb": _T[xi].astype("int8"), "barnevern": _B[xi].astype("int8"),
        "allhelse": _H[xi].astype("int8"), "innvandrerb": (ki > 0).astype("int8"),
        "innvandrer": ki.astype("int8"),  # A→0, B→1, C→2
        "sosbakgr": _O[xi].astype("int8"),
        "grunnbelop": pd.array(np.where(g == 0, np.nan, g), dtype="Int8"),
        "kjonn": np.asarray(SEXES)[si].astype("int8"), "alder": AGES[ai].astype("int8"),
        "fylke": pd.array(codes[ci], dtype="str"),
        "n": n.astype("int64"), "neet": y.astype("int64"),
    })
    return frame


# --- calibration table ----------------------------------------------------------------------


def _realised(cells: pd.DataFrame, cs) -> _Expected:
    """Cell counts back on the (c, s, k, a, x) grid, to measure achieved statistics."""
    idx_c = {c.code: i for i, c in enumerate(cs)}
    c = cells["fylke"].map(idx_c).to_numpy()
    s = cells["kjonn"].to_numpy() - 1
    k = cells["innvandrer"].to_numpy()
    a = cells["alder"].to_numpy().astype(int) - 15
    g = cells["grunnbelop"].fillna(0).to_numpy().astype(int)
    o = cells["sosbakgr"].to_numpy().astype(int) - 1
    x = (((((o * 4 + g) * 2 + cells["tidlarb"].to_numpy()) * 2 + cells["dropout"].to_numpy()) * 2
          + cells["barnevern"].to_numpy()) * 2 + cells["allhelse"].to_numpy())
    shape = (len(cs), 2, 3, len(AGES), NX)
    flat = np.ravel_multi_index((c, s, k, a, x), shape)
    size = int(np.prod(shape))
    M = np.bincount(flat, weights=cells["n"].to_numpy(), minlength=size).reshape(shape)
    E = np.bincount(flat, weights=cells["neet"].to_numpy(), minlength=size).reshape(shape)
    return _Expected(M, E)


def _calibration_frame(cells: pd.DataFrame, tg: Targets, cs, target_cs, pop) -> pd.DataFrame:
    from neethelpers.microdata.models import TERMS

    # Achieved statistics on the cohort itself (the model-1 fit is the same binomial
    # likelihood as models.fit, with the same engine, models.fit_binomial).
    ach = _achieved(_realised(cells, cs), fit_model=True)
    rows = []
    src3, src4 = "Analysenotatet, tabell 3", "Analysenotatet, tabell 4"
    derived = ("Avledet: fylkets NEET-andel 2024 (SSB 13556) skalert slik at landet treffer tabell 3")
    sexname = {1: "menn", 2: "kvinner"}
    grp = {1: "men", 2: "women"}

    def add(group, measure, region, target, achieved, source, unit="prosent"):
        scale = 100.0 if unit == "prosent" else 1.0
        rows.append({"group": group, "measure": measure, "region": region, "target": target * scale,
                     "achieved": achieved * scale, "difference": (achieved - target) * scale,
                     "unit": unit, "source": source})

    for i, county in enumerate(cs):
        for j, s in enumerate(SEXES):
            published = (county.code, grp[s]) in tg.table3
            add("Langtids-NEET etter fylke og kjønn", f"Andel langtids-NEET, {sexname[s]}", county.name,
                target_cs[i, j], ach["cs"][i, j], src3 if published else derived)
    for s_i, s in enumerate(SEXES):
        add("Langtids-NEET etter fylke og kjønn", f"Andel langtids-NEET, {sexname[s]}", counties.NATIONAL_NAME,
            tg.table3.get(("0", grp[s]), np.nan), ach["s_nat"][s_i], src3)
    add("Langtids-NEET etter fylke og kjønn", "Andel langtids-NEET, i alt", counties.NATIONAL_NAME,
        tg.table3[("0", "all")], ach["nat"], src3)
    for i, county in enumerate(cs):
        if (county.code, "all") in tg.table3:
            add("Langtids-NEET etter fylke og kjønn", "Andel langtids-NEET, i alt", county.name,
                tg.table3[(county.code, "all")], ach["c"][i], src3)
    code_idx = {c.code: i for i, c in enumerate(cs)}
    for (code, g), v in sorted(tg.table4.items()):
        if code == "0":
            val, region = ach["imm_nat"] if g == "immigrants" else ach["rest_nat"], counties.NATIONAL_NAME
        elif code in code_idx:
            i = code_idx[code]
            val, region = (ach["imm_c"][i] if g == "immigrants" else ach["rest_c"][i]), cs[i].name
        else:
            continue
        add("Langtids-NEET etter innvandringsstatus",
            "Andel langtids-NEET, innvandrere" if g == "immigrants" else "Andel langtids-NEET, øvrig befolkning",
            region, v, val, src4)
    for key, (share, text, qual) in tg.profile.items():
        if key in ach["profile"]:
            note = "" if qual == "exact" else {"about": " (om lag)", "over": " (over)", "under": " (under)"}.get(qual, "")
            add("Risikoprofil, hele landet", text + note, counties.NATIONAL_NAME, share, ach["profile"][key],
                "Analysenotatet, kapittel 3")
    labels = {"all": "alle som bor med en forelder", "low_income": "husholdning ≤ 2 G",
              "high_income": "husholdning over 4 G"}
    for (age, g), v in sorted(tg.figure2.items()):
        if (age, g) in ach["figure2"]:
            add("Langtids-NEET etter alder og inntekt", f"{age} år, {labels.get(g, g)}", counties.NATIONAL_NAME,
                v, ach["figure2"][(age, g)], "Analysenotatet, figur 2")
    for term, v in tg.coef.items():
        add("Modell 1, koeffisienter (log-odds)", TERMS[term].label, counties.NATIONAL_NAME, v,
            float(ach["coef"][term]), "Analysenotatet, tabell 2", unit="log-odds")
    out = pd.DataFrame(rows)
    out.attrs["synthetic"] = True
    return out


# --- public API -----------------------------------------------------------------------------


@dataclass
class SyntheticCohort:
    """The cohort as cell counts, its calibration table and the parameters used."""

    cells: pd.DataFrame
    calibration: pd.DataFrame
    seed: int
    info: dict

    def input_data(self) -> schema.InputData:
        return schema.InputData("cells", self.cells, None)

    @property
    def n_persons(self) -> int:
        return int(self.cells["n"].sum())


def _cache_key(seed: int) -> str:
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in ("synthetic.py", "schema.py", "models.py"):  # models.py holds the term labels
        h.update((here / name).read_bytes())
    h.update(json.dumps(_input_hashes(), sort_keys=True).encode())
    h.update(json.dumps(ASSUMPTIONS, sort_keys=True, default=str).encode())
    h.update(str(int(seed)).encode())
    return h.hexdigest()[:20]


def _cache_paths(seed: int, key: str) -> tuple[Path, Path]:
    return (CACHE_DIR / f"cells-s{int(seed)}-{key}.parquet", CACHE_DIR / f"calibration-s{int(seed)}-{key}.parquet")


def _mark(df: pd.DataFrame) -> pd.DataFrame:
    df.attrs["synthetic"] = True
    return df


def generate(seed: int = 2023, *, use_cache: bool = True) -> SyntheticCohort:
    """The calibrated synthetic cohort for ``seed`` (deterministic), from the disk cache when
    the generator, its inputs and the seed are unchanged."""
    key = _cache_key(seed) if use_cache else None
    if key is not None:
        cpath, kpath = _cache_paths(seed, key)
        if cpath.exists() and kpath.exists():
            try:
                cells = pd.read_parquet(cpath)
                cells["fylke"] = cells["fylke"].astype("str")
                cells["grunnbelop"] = cells["grunnbelop"].astype("Int8")
                return SyntheticCohort(_mark(cells), _mark(pd.read_parquet(kpath)), seed, {"cache": str(cpath)})
            except Exception:  # a damaged cache file is rebuilt, never trusted
                pass
    tg = targets()
    cs, pop, neet_share = _population()
    b_share = _immigrant_shares(cs)
    c_share = ASSUMPTIONS["c_per_b"]["value"] * b_share
    kshare = np.column_stack([1 - b_share - c_share, b_share, c_share])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        params, info = _calibrate(tg, cs, pop, neet_share, kshare)
    cells = _mark(_draw(params, pop, kshare, cs, seed))
    calibration = _calibration_frame(cells, tg, cs, info["target_cs"], pop)
    info = {"iterations": info["iterations"], "max_gap": info["max_gap"]}
    if key is not None:
        try:
            cpath, kpath = _cache_paths(seed, key)
            # Atomic: notebooks running in parallel never read half a file.
            files.write_with_atomic(cpath, lambda tmp: cells.to_parquet(tmp, index=False))
            files.write_with_atomic(kpath, lambda tmp: calibration.to_parquet(tmp, index=False))
            # Older versions for this seed (another generator source or input) are obsolete.
            for old in CACHE_DIR.glob(f"*-s{int(seed)}-*.parquet"):
                if old not in (cpath, kpath):
                    old.unlink(missing_ok=True)
        except OSError:  # a read-only checkout still works, just without the cache
            pass
    return SyntheticCohort(cells, calibration, seed, info)


def cohort(seed: int = 2023) -> schema.InputData:
    """The synthetic cohort as validated-shape cell-count input (``kind="cells"``)."""
    return generate(seed).input_data()


def calibration_table(seed: int = 2023) -> pd.DataFrame:
    """Target, achieved value, difference and source of every calibrated figure."""
    return generate(seed).calibration


def to_persons(cells: pd.DataFrame) -> pd.DataFrame:
    """Expand cell counts to one row per person (for tests and the benchmark)."""
    return schema.to_persons(cells)
