"""The charts as a reader sees them on a phone.

* Axis labels say the value at their tick: a label rounded to fewer decimals than the tick
  needs reads a wrong number (a tick at 7,5 % labelled «8 %» — the demonstration page's figure
  of long-term NEET by age and income had that).
* Nothing is drawn over anything else at the phone width the figures are saved at (tick labels,
  axis labels, legends), found with ``report.overlapping_texts``.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from babel.numbers import parse_decimal

from neethelpers.presentation import charts


def _value(label: str) -> float:
    """A Norwegian tick label («7,5 %», «−0,25», «1 000») as a number, read with Babel."""
    text = label.replace("\N{NO-BREAK SPACE}%", "").replace("%", "").strip().replace("\N{MINUS SIGN}", "-")
    return float(parse_decimal(text, locale="nb_NO", strict=True))


@pytest.mark.parametrize(("ticks", "at_least", "expected"), [
    ([0, 5, 10, 15], 0, 0),
    ([0, 2.5, 5, 7.5, 10], 0, 1),
    ([0.8, 0.9, 1.0, 1.1], 0, 1),
    ([0.875, 1.0, 1.125], 1, 3),
    ([0, 100, 200], 1, 1),  # the minimum holds
    ([1 / 3], 0, 4),  # no exact writing: at most four decimals
])
def test_tick_decimals_are_the_fewest_that_write_every_tick_exactly(ticks, at_least, expected):
    assert charts.tick_decimals(ticks, at_least) == expected


@pytest.mark.parametrize("limits", [(0, 17.3), (0, 3.1), (95, 180), (-1.3, 2.4), (0.85, 1.2), (0, 0.7)])
@pytest.mark.parametrize("axis_helper", [charts.percent_axis, charts.number_axis])
def test_every_tick_label_reads_the_value_at_its_tick(limits, axis_helper):
    fig, ax = plt.subplots(figsize=(4.7, 3))
    ax.plot(limits, limits)
    ax.set_ylim(*limits)
    axis_helper(ax)
    fig.canvas.draw()
    ticks = [(t.get_loc(), t.label1.get_text()) for t in ax.yaxis.get_major_ticks()
             if limits[0] <= t.get_loc() <= limits[1]]
    plt.close(fig)
    assert len(ticks) >= 2
    for loc, label in ticks:
        assert _value(label) == pytest.approx(loc, abs=1e-9), (loc, label)
    if axis_helper is charts.percent_axis:
        assert all(label.endswith("\N{NO-BREAK SPACE}%") for _, label in ticks)


def test_a_range_with_ticks_between_whole_percents_gets_a_decimal():
    """The case that was wrong: shares of 0–17 % give ticks every 2,5 percent."""
    fig, ax = plt.subplots(figsize=(4.7, 3))
    ax.set_ylim(0, 17.3)
    charts.percent_axis(ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    assert "7,5\N{NO-BREAK SPACE}%" in labels and "8\N{NO-BREAK SPACE}%" not in labels


# --- nothing drawn over anything else, at the phone width the figures are saved at ----------------

def _overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of texts drawn over each other in the figure as ``report.figure`` saves it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from neethelpers.presentation import report

    report._fit_for_phone(fig)
    FigureCanvasAgg(fig).draw()
    found = report.overlapping_texts(fig)
    plt.close(fig)
    return found


@pytest.mark.parametrize("limits", [(9.76, 9.92), (0, 17.3), (4.2, 31.8), (0.81, 1.27), (95, 180)])
@pytest.mark.parametrize("axis_helper", [charts.percent_axis, charts.number_axis])
def test_tick_labels_on_an_x_axis_do_not_run_into_each_other(limits, axis_helper):
    """Oslo's municipality figure (one municipality, an interval 0,2 points wide) had nine
    ticks on a phone-wide axis, each labelled «10 %», drawn over each other."""
    fig, ax = plt.subplots(figsize=(8, 2))
    ax.plot(limits, [0, 1])
    ax.set_xlim(*limits)
    ax.set_yticks([0, 1], ["Forklaringsvariabel", "Nordre Follo"])
    axis_helper(ax, axis="x")
    assert _overlaps(fig) == []


def _municipalities(n: int) -> pd.DataFrame:
    from neethelpers.series import small_areas

    shares = [9.8 + i for i in range(n)]
    kinds = [small_areas.HIGHER, small_areas.NOT_DIFFERENT, small_areas.LOWER]
    return pd.DataFrame({"municipality_name": [f"Kommune {i}" for i in range(n)], "share": shares,
                         "lower": [s - 0.08 for s in shares], "upper": [s + 0.08 for s in shares],
                         "comparison": [kinds[i % 3] for i in range(n)]})


def _counties(n: int) -> pd.DataFrame:
    from neethelpers.series import intervals

    verdicts = [intervals.BETTER, intervals.SAME, intervals.WORSE]
    shares = [8.0 + 0.7 * i for i in range(n)]
    return pd.DataFrame({"county_name": [f"Fylke {i}" for i in range(n)], "trend_symbol": ["↗"] * n,
                         "share": shares, "lower": [s - 0.3 for s in shares], "upper": [s + 0.3 for s in shares],
                         "verdict": [verdicts[i % 3] for i in range(n)]})


@pytest.mark.parametrize("chart", ["municipalities-1", "municipalities-12", "ranking-15", "similar-3"])
def test_legends_and_labels_of_the_county_charts_overlap_nothing(chart):
    """A legend placed a fixed fraction of the plot's height below it sat on the tick labels
    of a short plot (Oslo's municipality figure, one row)."""
    from neethelpers.presentation import profile_charts

    kind, n = chart.rsplit("-", 1)
    if kind == "municipalities":
        munis = _municipalities(int(n))
        fig = profile_charts.municipalities(munis, county_share=float(munis["share"].iloc[0]), county_name="Oslo")
    elif kind == "ranking":
        fig = profile_charts.ranking(_counties(int(n)), national_share=10.0, highlight="Fylke 2")
    else:
        fig = profile_charts.similar(_counties(int(n)), national_share=10.0)
    assert _overlaps(fig) == []


def test_the_line_chart_with_its_legend_overlaps_nothing():
    """The trend figure of every county page (two lines, preliminary points, a break)."""
    rows = [{"year": y, "share": s, "area": a, "release": "foreløpig" if y == 2024 else "endelig"}
            for a, base in (("Østfold", 12.1), ("Hele landet", 10.4)) for y, s in
            zip(range(2008, 2025), [base + 0.3 * (i % 4) for i in range(17)])]
    fig = charts.lines(pd.DataFrame(rows), hue="area", ylabel="Andel av bosatte 15–29 år",
                       breaks=((2015, "brudd 2014/2015"),))
    assert _overlaps(fig) == []


def _county_years(n_counties: int = 15, years=range(2008, 2025)) -> pd.DataFrame:
    return pd.DataFrame({"county_name": [f"Fylke {i}" for i in range(n_counties) for _ in years],
                         "year": [y for _ in range(n_counties) for y in years],
                         "share": [6 + (i % 7) + 0.2 * (y % 5) for i in range(n_counties) for y in years]})


def test_the_county_by_year_heat_map_labels_its_years_without_overlap():
    """Seventeen year labels side by side on a phone-wide heat map ran into each other."""
    long = _county_years()
    table = long.pivot(index="county_name", columns="year", values="share")
    fig = charts.heat_table(table, preliminary_years=(2024,))
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels[0] == "2008" and labels[-1] == "2024*"  # the first year and the newest, marked
    assert _overlaps(fig) == []


def test_the_small_multiples_overlap_nothing():
    long = _county_years()
    national = long.groupby("year", as_index=False)["share"].mean()
    fig = charts.small_multiples(long, national, [f"Fylke {i}" for i in range(15)], break_year=2015)
    assert _overlaps(fig) == []


@pytest.mark.parametrize("by", ["factor_category", "factor"])
def test_the_literature_overview_labels_its_outcomes_without_overlap(by):
    """The outcome labels under the literature chapter's grids, turned 30°, ran into each other."""
    from neethelpers.chapters import literature as chapter
    from neethelpers.series import literature

    cells = literature.overview_cells(literature.load_evidence(), by=by, min_findings=3)
    fig, _data = chapter.plot_overview(cells, by=by)
    assert _overlaps(fig) == []
