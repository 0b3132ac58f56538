"""Benchmark: the note's descriptive tables for the whole country and all 15 counties.

Run ``python bench/descriptive.py``. Recomputes every descriptive table (risk profile,
L-NEET share by age and household income, by age group, sex and immigrant category) for
the whole country and each of today's 15 counties, once from the synthetic cohort's cell
counts and once from the same cohort expanded to one row per person (about a million; the
person-level path aggregates to cells first), then applies disclosure control and the
comparison with the published figures to every region, as a build with real data does.
Prints each time, the person/cell ratio and whether the two paths gave identical tables.
Goal: at most a few seconds added to a build.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd  # noqa: E402

from neethelpers.microdata import descriptive, synthetic  # noqa: E402
from neethelpers.series import published  # noqa: E402


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    """Fastest of ``repeat`` runs (the first run also pays for imports and caches)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    cells = synthetic.generate(2023).cells
    persons = synthetic.to_persons(cells)
    print(f"synthetic cohort: {len(persons):,} persons in {len(cells):,} cells")

    t_cells, from_cells = _best(lambda: descriptive.compute_all(cells))
    t_persons, from_persons = _best(lambda: descriptive.compute_all(persons), repeat=2)
    figures = published.figures()
    t_post, _ = _best(lambda: [descriptive.compare_with_published(descriptive.protect(r), figures)
                               for r in from_cells.values()])

    identical = all(
        from_cells[code].tables[name].equals(from_persons[code].tables[name])
        for code in from_cells for name in descriptive.SPECS
    )
    for code in from_cells:  # a readable failure if they differ
        for name in descriptive.SPECS:
            pd.testing.assert_frame_equal(from_cells[code].tables[name], from_persons[code].tables[name])

    print(f"regions: {len(from_cells)} (whole country + {len(from_cells) - 1} counties), "
          f"tables per region: {len(descriptive.SPECS)}")
    print(f"from cell counts:            {t_cells:7.3f} s")
    print(f"from persons (one row each): {t_persons:7.3f} s  (aggregation to cells included)")
    print(f"ratio persons / cells:       {t_persons / t_cells:7.1f}")
    print(f"disclosure control + comparison, all regions: {t_post:.3f} s")
    print(f"identical tables from both paths: {identical}")


if __name__ == "__main__":
    main()
