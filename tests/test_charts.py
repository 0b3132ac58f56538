"""Axis labels say the value at their tick: a label rounded to fewer decimals than the tick
needs reads a wrong number (a tick at 7,5 % labelled «8 %» — the demonstration page's figure of
long-term NEET by age and income had that)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
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
