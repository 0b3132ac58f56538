"""Confidence intervals and tests for shares computed from register counts.

Register figures count everyone, so there is no sampling error in the usual sense. They
still get intervals, as in the public-health profiles of the Norwegian Institute of
Public Health (FHI): a county's share is read as the outcome of an underlying risk that
varies by chance from year to year and between small populations, and the interval says
how large that random variation is. A share from 35 young residents can move by several
points from one more or one fewer person; a share from 100 000 cannot.

Methods (all from statsmodels, named so the method appendix can cite them):

* :func:`wilson` — Wilson score interval for one proportion
  (``statsmodels.stats.proportion.proportion_confint(method="wilson")``).
* :func:`compare_to_rest` — two-proportion z-test (pooled variance) of the county against
  the rest of the country (national count minus the county), giving the verdict
  *signifikant bedre / ikke signifikant forskjellig / signifikant dårligere* at the 5 % level.
  Testing against the rest of the country rather than against the national value avoids
  comparing the county with a figure that contains the county itself.
* :func:`newcombe_difference` — Newcombe's hybrid score interval (method 10) for the
  difference between two independent proportions
  (``confint_proportions_2indep(method="newcomb", compare="diff")``), used for the change
  since the previous year.
* :func:`poisson_ratio` — exact Poisson (Garwood) interval for an observed count divided by
  an expected count (``statsmodels.stats.rates.confint_poisson(method="exact-c")``), used for
  the ratio of observed to expected in indirect standardisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest
from statsmodels.stats.rates import confint_poisson

from neethelpers.errors import NeetError

ALPHA = 0.05
LEVEL_TEXT = "95 %"

BETTER = "signifikant bedre"
SAME = "ikke signifikant forskjellig"
WORSE = "signifikant dårligere"
#: Verdicts in display order, with the colour-blind-safe colour (Okabe–Ito) and the symbol
#: shown next to the word, so the verdict never rests on colour alone.
VERDICTS = {
    BETTER: {"colour": "#0072B2", "symbol": "▲", "marker": "^"},
    SAME: {"colour": "#999999", "symbol": "●", "marker": "o"},
    WORSE: {"colour": "#D55E00", "symbol": "▼", "marker": "v"},
}
VERDICT_KEY = (
    "▲ signifikant bedre enn resten av landet · ● ikke signifikant forskjellig · "
    "▼ signifikant dårligere enn resten av landet (5 % nivå)"
)


def _check_counts(x, n, what: str = "count") -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(n <= 0) or np.any(x < 0) or np.any(x > n) or np.any(np.isnan(x)) or np.any(np.isnan(n)):
        raise NeetError(f"{what}: need 0 <= count <= total and total > 0, got count={x.tolist()} total={n.tolist()}")
    return x, n


def wilson(x, n, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for ``x`` events out of ``n``, as *percent* (lower, upper).

    Works on scalars and arrays alike."""
    x, n = _check_counts(x, n, "wilson")
    lo, hi = proportion_confint(x, n, alpha=alpha, method="wilson")
    return np.asarray(lo) * 100, np.asarray(hi) * 100


@dataclass(frozen=True)
class Comparison:
    """The county against the rest of the country."""

    share: float  # county, percent
    lower: float  # Wilson interval of the county share, percent
    upper: float
    reference_share: float  # rest of the country, percent
    z: float
    p_value: float
    verdict: str  # one of BETTER, SAME, WORSE

    @property
    def symbol(self) -> str:
        return VERDICTS[self.verdict]["symbol"]


def verdict(diff: float, p_value: float, higher_is_better: bool, alpha: float = ALPHA) -> str:
    """BETTER/SAME/WORSE from a difference (area − reference) and the p-value of its test."""
    if not p_value < alpha or diff == 0:
        return SAME
    return BETTER if (diff > 0) == higher_is_better else WORSE


def compare_to_rest(x: int, n: int, x_total: int, n_total: int, *, higher_is_better: bool = False,
                    alpha: float = ALPHA) -> Comparison:
    """Two-proportion z-test (pooled) of ``x``/``n`` against the rest of a total
    (``x_total - x`` out of ``n_total - n``), e.g. a county against the rest of Norway."""
    _check_counts(x, n, "county")
    _check_counts(x_total, n_total, "national")
    xr, nr = x_total - x, n_total - n
    _check_counts(xr, nr, "rest of the country (national minus county)")
    z, p = proportions_ztest([x, xr], [n, nr], alternative="two-sided")
    lo, hi = wilson(x, n, alpha)
    share, ref = x / n * 100, xr / nr * 100
    return Comparison(share=float(share), lower=float(lo), upper=float(hi), reference_share=float(ref),
                      z=float(z), p_value=float(p), verdict=verdict(share - ref, float(p), higher_is_better, alpha))


def newcombe_difference(x1: int, n1: int, x0: int, n0: int, alpha: float = ALPHA) -> tuple[float, float, float]:
    """Difference ``x1/n1 − x0/n0`` in percentage points with Newcombe's hybrid score
    interval: (difference, lower, upper)."""
    _check_counts(x1, n1)
    _check_counts(x0, n0)
    lo, hi = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff", alpha=alpha)
    return float((x1 / n1 - x0 / n0) * 100), float(lo * 100), float(hi * 100)


def poisson_ratio(observed: float, expected: float, alpha: float = ALPHA) -> tuple[float, float, float]:
    """Observed/expected with the exact Poisson (Garwood) interval: (ratio, lower, upper)."""
    if expected <= 0 or observed < 0:
        raise NeetError(f"poisson_ratio: need observed >= 0 and expected > 0, got {observed}, {expected}")
    lo, hi = confint_poisson(observed, expected, method="exact-c", alpha=alpha)
    return float(observed / expected), float(lo), float(hi)


def interval_text(value: float, lower: float, upper: float, decimals: int = 1) -> str:
    """``"12,3 (11,9–12,7)"`` — a value with its interval, Norwegian style; with a
    negative limit the limits are joined by «til» so a minus sign and a dash never meet:
    ``"−0,4 (−0,9 til 0,1)"``."""
    from neethelpers.presentation import fmt

    def num(v: float) -> str:
        v = round(float(v), decimals) + 0.0  # no "−0,0"
        return fmt.number(v, decimals)  # fmt writes the minus sign

    sep = " til " if min(round(lower, decimals), round(upper, decimals)) < 0 else "\N{EN DASH}"
    return f"{num(value)} ({num(lower)}{sep}{num(upper)})"
