"""Random person-level data in the input schema, for tests, fixtures and benchmarks.

The values are drawn from a seeded generator with a known logit, so a test can check an
estimator against the coefficients that generated the data without typing any statistic.
``python -m neethelpers.microdata.testing`` rewrites the small real-data-like fixture in
``tests/fixtures/microdata/`` (a test checks that the committed file equals this output).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from neethelpers import paths
from neethelpers.registry import counties

__all__ = ["TRUE_COEFFICIENTS", "random_persons", "FIXTURE_DIR", "FIXTURE_PERSONS", "write_fixture"]

#: Coefficients (log-odds) used to draw the outcome of :func:`random_persons`.
TRUE_COEFFICIENTS = {"const": -3.0, "dropout": 1.2, "tidlarb": -1.0, "allhelse": 2.4, "sosbakgr[3]": 0.5,
                     "innvandrerb": 0.4, "barnevern": 0.5}

FIXTURE_DIR = paths.PROJECT_ROOT / "tests" / "fixtures" / "microdata"
FIXTURE_PERSONS = FIXTURE_DIR / "small_persons.csv"


def random_persons(n: int = 20_000, seed: int = 1, fylker: tuple[str, ...] = ("03", "32", "31"),
                   tiny_group: bool = False) -> pd.DataFrame:
    """``n`` random persons with every schema column (``grunnbelop`` empty for about 30 %).

    With ``tiny_group`` a handful of persons get a rare combination (allhelse = 1 in a
    county where it is otherwise absent), so disclosure control has something to suppress.
    """
    r = np.random.default_rng(seed)
    alder = r.integers(15, 30, n)
    imm = r.choice([0, 1, 2], n, p=[0.8, 0.15, 0.05])
    fylke = r.choice(list(fylker), n)
    allhelse = r.random(n) < 0.06
    if tiny_group:
        # The last county gets almost no health-benefit recipients: 3 persons.
        last = fylke == fylker[-1]
        allhelse &= ~last
        allhelse[np.flatnonzero(last)[:3]] = True
    df = pd.DataFrame({
        "dropout": ((alder >= 18) & (r.random(n) < 0.15)).astype("int8"),
        "tidlarb": (r.random(n) < 0.6).astype("int8"),
        "barnevern": (r.random(n) < 0.05).astype("int8"),
        "allhelse": allhelse.astype("int8"),
        "innvandrerb": ((imm > 0) | (r.random(n) < 0.02)).astype("int8"),
        "innvandrer": imm.astype("int8"),
        "sosbakgr": r.choice([1, 2, 3], n).astype("int8"),
        "grunnbelop": pd.array(np.where(r.random(n) < 0.3, np.nan, r.choice([1, 2, 3], n)), dtype="Int8"),
        "kjonn": r.choice([1, 2], n).astype("int8"),
        "alder": alder.astype("int8"),
        "fylke": pd.array(fylke, dtype="str"),
    })
    c = TRUE_COEFFICIENTS
    xb = (c["const"] + c["dropout"] * df["dropout"] + c["tidlarb"] * df["tidlarb"] + c["allhelse"] * df["allhelse"]
          + c["sosbakgr[3]"] * (df["sosbakgr"] == 3) + c["innvandrerb"] * df["innvandrerb"]
          + c["barnevern"] * df["barnevern"])
    df.insert(0, "neet2023", (r.random(n) < 1 / (1 + np.exp(-xb.to_numpy()))).astype("int8"))
    return df


def write_fixture(path: Path = FIXTURE_PERSONS) -> Path:
    """Write the small person-level fixture (3 000 persons in Oslo, Akershus and Østfold,
    with one deliberately tiny group) used to run the chapter on "real" data in tests."""
    persons = random_persons(3000, seed=7, fylker=("03", "32", "31"), tiny_group=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    persons.to_csv(path, index=False)
    return path


if __name__ == "__main__":  # pragma: no cover
    print(write_fixture())
    assert all(counties.by_code(c) for c in ("03", "32", "31"))
