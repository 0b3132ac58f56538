"""Charts for the county profile (barometer, ranking with intervals, similar counties,
expected against observed, municipalities with three-year intervals).

House style as :mod:`neethelpers.presentation.charts`: Norwegian numbers on the axes, the
Okabe–Ito palette, and verdicts shown by colour *and* marker shape (▲ better, ● not
different, ▼ worse), so no reading depends on colour alone.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from neethelpers.presentation import fmt
from neethelpers.presentation.charts import (
    GREY,
    HIGHLIGHT,
    NATIONAL_COLOUR,
    VALUE_FONTSIZE,
    legend_under_figure,
    number_axis,
    percent_axis,
)
from neethelpers.series import intervals, small_areas

_STYLE = intervals.VERDICTS
_MUNI_STYLE = {
    small_areas.HIGHER: {"colour": intervals.VERDICTS[intervals.WORSE]["colour"], "marker": "v"},
    small_areas.NOT_DIFFERENT: {"colour": intervals.VERDICTS[intervals.SAME]["colour"], "marker": "o"},
    small_areas.LOWER: {"colour": intervals.VERDICTS[intervals.BETTER]["colour"], "marker": "^"},
}


def _verdict_legend(ax, verdicts=None) -> None:
    """The key below the figure, where it never covers a point nor a label."""
    verdicts = verdicts or list(_STYLE)
    handles = [Line2D([], [], linestyle="", marker=_STYLE[v]["marker"], color=_STYLE[v]["colour"], markersize=8,
                      label=v) for v in verdicts]
    legend_under_figure(ax.figure, handles, verdicts)


def _dots(ax, y, value, lower, upper, styles) -> None:
    for yi, v, lo, hi, st in zip(y, value, lower, upper, styles):
        ax.plot([lo, hi], [yi, yi], color=st["colour"], linewidth=2, solid_capstyle="butt")
        ax.plot([v], [yi], linestyle="", marker=st["marker"], color=st["colour"], markersize=8,
                markeredgecolor="black", markeredgewidth=0.5)


def barometer(rows: pd.DataFrame, short_labels: list[str]):
    """Spine-style chart: each indicator as the county's value in percent of the national
    value (100 = the country), with its 95 % interval; colour and marker by verdict."""
    d = rows.assign(rel=rows["value"] / rows["national"] * 100, rel_lo=rows["lower"] / rows["national"] * 100,
                    rel_hi=rows["upper"] / rows["national"] * 100, short=short_labels).iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(d) + 1.4))
    y = range(len(d))
    _dots(ax, y, d["rel"], d["rel_lo"], d["rel_hi"], [_STYLE[v] for v in d["verdict"]])
    ax.axvline(100, color=NATIONAL_COLOUR, linestyle="--", linewidth=1.1)
    ax.set_yticks(list(y), d["short"])
    number_axis(ax, axis="x")
    ax.set_xlabel("Fylkets verdi i prosent av landets (100 = landet; lavere er bedre)")
    ax.grid(axis="y", visible=False)
    _verdict_legend(ax, [v for v in _STYLE if v in set(d["verdict"])] or None)
    return fig


def _county_shares(ax, d: pd.DataFrame, labels: list[str], national_share: float) -> None:
    """One row per county of ``d``: its share with the 95 % interval, marked by its verdict
    against the rest of the country, and the national share as a dashed line."""
    y = range(len(d))
    _dots(ax, y, d["share"], d["lower"], d["upper"], [_STYLE[v] for v in d["verdict"]])
    ax.set_yticks(list(y), labels)
    ax.axvline(national_share, color=NATIONAL_COLOUR, linestyle="--", linewidth=1.1)
    percent_axis(ax, axis="x", decimals=1)
    ax.set_xlabel("Andel av bosatte 15–29 år (95 % konfidensintervall)")
    ax.grid(axis="y", visible=False)
    _verdict_legend(ax, [v for v in _STYLE if v in set(d["verdict"])] or None)


def ranking(rank: pd.DataFrame, national_share: float, highlight: str | None = None):
    """Counties sorted by share, each with its 95 % interval, marker by verdict against the
    rest of the country and the trend symbol after the name."""
    d = rank.sort_values("share", ascending=False)
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(d) + 1.4))
    _county_shares(ax, d, [f"{n} {s}" for n, s in zip(d["county_name"], d["trend_symbol"])], national_share)
    if highlight:
        for t in ax.get_yticklabels():
            if t.get_text().startswith(highlight + " "):
                t.set_fontweight("bold")
    ax.text(national_share, len(d) - 0.4, f" Hele landet {fmt.percent(national_share)}", fontsize=VALUE_FONTSIZE,
            va="bottom")
    return fig


def similar(sim: pd.DataFrame, national_share: float):
    """The county (first row) and its similar counties: NEET share with 95 % interval."""
    d = sim.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(d) + 1.3))
    _county_shares(ax, d, list(d["county_name"]), national_share)
    ax.get_yticklabels()[-1].set_fontweight("bold")
    return fig


def standardised(all_counties: pd.DataFrame, highlight: str):
    """Observed/expected per county with its exact Poisson interval; 1 = as expected from
    the national rates. The county of the page in the highlight colour."""
    d = all_counties.sort_values("ratio")
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(d) + 1.4))
    y = range(len(d))
    styles = [{"colour": HIGHLIGHT if n == highlight else GREY, "marker": "o"} for n in d["county_name"]]
    _dots(ax, y, d["ratio"], d["lower"], d["upper"], styles)
    ax.set_yticks(list(y), d["county_name"])
    for t in ax.get_yticklabels():
        if t.get_text() == highlight:
            t.set_fontweight("bold")
    ax.axvline(1, color=NATIONAL_COLOUR, linestyle="--", linewidth=1.1)
    number_axis(ax, axis="x", decimals=1)
    ax.set_xlabel("Observert / forventet antall (1 = som ventet ut fra landets andeler)")
    ax.grid(axis="y", visible=False)
    return fig


def municipalities(munis: pd.DataFrame, county_share: float, county_name: str):
    """Municipalities with three-year shares and 95 % intervals; marker by comparison
    with the county's own three-year share."""
    d = munis.iloc[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(d) + 1.5))
    y = range(len(d))
    _dots(ax, y, d["share"], d["lower"], d["upper"], [_MUNI_STYLE[c] for c in d["comparison"]])
    ax.set_yticks(list(y), d["municipality_name"])
    ax.tick_params(axis="y", labelsize=9.5)
    ax.axvline(county_share, color=NATIONAL_COLOUR, linestyle="--", linewidth=1.1)
    percent_axis(ax, axis="x", integer=True)  # whole percents where the range holds them
    ax.set_xlabel("Andel av bosatte 15–29 år, tre år samlet (95 % konfidensintervall)")
    ax.grid(axis="y", visible=False)
    handles = [Line2D([], [], linestyle="", marker=s["marker"], color=s["colour"], markersize=8, label=k)
               for k, s in _MUNI_STYLE.items() if k in set(d["comparison"])]
    handles.append(Line2D([], [], color=NATIONAL_COLOUR, linestyle="--", label=county_name))
    legend_under_figure(fig, handles, [h.get_label() for h in handles])
    return fig
