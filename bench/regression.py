"""Benchmark: model 1 on one million synthetic persons, person-level vs cell counts.

Run ``python bench/regression.py``. Prints the time of a person-level statsmodels formula
logit on the expanded synthetic cohort, the time of the binomial GLM on its cell counts,
their ratio and the largest absolute difference between the two sets of coefficients.
Goal: the cell-count fit at least 20× faster with the same coefficients.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import statsmodels.formula.api as smf  # noqa: E402

from neethelpers.microdata import models, synthetic  # noqa: E402

FORMULA = ("neet2023 ~ dropout + tidlarb + allhelse + C(sosbakgr, Treatment(1)) "
           "+ C(grunnbelop, Treatment(1)) + innvandrerb")
# Formula terms in the order of models.MODELS["m1"].terms
ORDER = ["Intercept", "dropout", "tidlarb", "allhelse", "C(sosbakgr, Treatment(1))[T.2]",
         "C(sosbakgr, Treatment(1))[T.3]", "C(grunnbelop, Treatment(1))[T.2.0]",
         "C(grunnbelop, Treatment(1))[T.3.0]", "innvandrerb"]


def main() -> None:
    cohort = synthetic.generate(2023)
    cells = cohort.cells
    persons = synthetic.to_persons(cells)
    print(f"synthetic cohort: {len(persons):,} persons, {len(cells):,} cells")
    sample = persons[persons["grunnbelop"].notna()].copy()
    sample["grunnbelop"] = sample["grunnbelop"].astype("float64")
    sample["sosbakgr"] = sample["sosbakgr"].astype("int64")

    t0 = time.perf_counter()
    person_fit = smf.logit(FORMULA, data=sample).fit(disp=0)
    t_person = time.perf_counter() - t0

    t0 = time.perf_counter()
    cell_fit = models.fit(cells, "m1")
    t_cells = time.perf_counter() - t0

    person_params = person_fit.params[ORDER].to_numpy()
    diff = np.max(np.abs(person_params - cell_fit.params.to_numpy()))
    diff_se = np.max(np.abs(person_fit.bse[ORDER].to_numpy() - cell_fit.bse.to_numpy()))
    print(f"person-level formula logit ({len(sample):,} persons): {t_person:8.3f} s")
    print(f"cell-count binomial GLM, statsmodels ({cell_fit.extra['cells']} cells): {t_cells:8.3f} s")
    print(f"speed-up (person / cell): {t_person / t_cells:8.1f}x")
    print(f"largest coefficient difference: {diff:.2e}; largest standard-error difference: {diff_se:.2e}")


if __name__ == "__main__":
    main()
