"""Charts for the national and county chapters (matplotlib, house style from ``report.setup``).

Each function returns a matplotlib figure; the notebook hands it to ``report.figure``
together with exactly the data plotted. Axis numbers are written the Norwegian way
(decimal comma) through :mod:`neethelpers.presentation.fmt`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from neethelpers.presentation import fmt, report

GREY = "#777777"
HIGHLIGHT = report.PALETTE[0]
NATIONAL_COLOUR = "#000000"
# Charts are drawn for a phone's column (``report.FIGURE_WIDTH_IN``, 5 inches, shown about
# 350 CSS px wide on a 390-px phone): every text is at least ``report.MIN_FONT_PT`` points,
# which is at least 11 CSS px there. Legends sit outside the plotting area (below it), so
# they never cover data.
W = report.FIGURE_WIDTH_IN
VALUE_FONTSIZE = report.MIN_FONT_PT
SMALL = report.MIN_FONT_PT


def tick_decimals(values, at_least: int = 0, at_most: int = 4) -> int:
    """The fewest decimals, from ``at_least``, that write every value in ``values`` exactly
    (up to ``at_most``): ticks 0; 2.5; 5; 7.5 need one, or 7.5 would read «8»."""
    values = [float(v) for v in values if np.isfinite(v)]
    for decimals in range(at_least, at_most):
        if all(abs(round(v, decimals) - v) <= 1e-9 * max(1.0, abs(v)) for v in values):
            return decimals
    return at_most


class TickFormatter(Formatter):
    """Norwegian tick labels with as many decimals as the ticks need, at least ``decimals``.

    ``render(value, decimals)`` writes one label (:func:`fmt.percent`, :func:`fmt.number`).
    A fixed number of decimals mislabels ticks the locator puts between whole numbers
    (matplotlib picks steps of 2.5 for some ranges), so the decimals follow the ticks, as
    matplotlib's own ScalarFormatter does, but with a decimal comma."""

    def __init__(self, render, decimals: int = 0):
        self.render = render
        self.at_least = decimals
        self.decimals = decimals

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        self.decimals = tick_decimals(locs, self.at_least)

    def __call__(self, x, pos=None) -> str:
        return self.render(x, self.decimals)


def _value_axis(ax, axis: str, formatter: TickFormatter, integer: bool) -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(formatter)
    if axis == "x" or integer:
        # Side by side on a phone-wide axis, labels such as «12,5 %» fit about five to a row
        # (matplotlib's own estimate assumes three characters), and steps of 1, 2 or 5 (not
        # 2,5) keep them to the decimals the range needs. Whole numbers only, if asked, where
        # the range holds at least two.
        target.set_major_locator(MaxNLocator(nbins=5 if axis == "x" else "auto", steps=[1, 2, 5, 10],
                                             integer=integer))


def percent_axis(ax, axis: str = "y", decimals: int = 0, *, integer: bool = False) -> None:
    """Label a percent axis with Norwegian numbers ("9,5 %"), at least ``decimals`` decimals."""
    _value_axis(ax, axis, TickFormatter(fmt.percent, decimals), integer)


def number_axis(ax, axis: str = "y", decimals: int = 0, *, integer: bool = False) -> None:
    """Label an axis with Norwegian numbers ("1,25"), at least ``decimals`` decimals."""
    _value_axis(ax, axis, TickFormatter(fmt.number, decimals), integer)


def year_axis(ax) -> None:
    # at most about five years on the axis: four-digit years at 12 pt fill a phone-width axis
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: str(int(v))))


def mark_break(ax, first_year_after: int, text: str) -> None:
    """A dashed vertical line between ``first_year_after - 1`` and ``first_year_after``."""
    x = first_year_after - 0.5
    ax.axvline(x, color=GREY, linestyle="--", linewidth=1)
    # above the plotting area, so the label never covers a line
    ax.text(x, 1.01, text, transform=ax.get_xaxis_transform(), va="bottom", ha="center", fontsize=SMALL, color=GREY)


def lines(
    data: pd.DataFrame,
    *,
    x: str = "year",
    y: str = "share",
    hue: str,
    ylabel: str,
    title: str = "",
    breaks: tuple[tuple[int, str], ...] = (),
    preliminary: str | None = "release",
    order: list[str] | None = None,
    colours: dict[str, str] | None = None,
    styles: dict[str, str] | None = None,
    decimals: int = 0,
    ylim_zero: bool = True,
    figsize=(W, 4.2),
):
    """One line per ``hue`` value; points of preliminary releases are drawn hollow."""
    fig, ax = plt.subplots(layout="constrained", figsize=figsize)
    keys = order or list(dict.fromkeys(data[hue]))
    for i, key in enumerate(keys):
        d = data[data[hue] == key].sort_values(x)
        if not len(d):
            continue
        colour = (colours or {}).get(key, report.PALETTE[i % len(report.PALETTE)])
        style = (styles or {}).get(key, "-")
        ax.plot(d[x], d[y], style, color=colour, linewidth=2, label=key)
        if preliminary and preliminary in d:
            pre = d[d[preliminary] == "foreløpig"]
            fin = d[d[preliminary] != "foreløpig"]
            ax.plot(fin[x], fin[y], "o", color=colour, markersize=3.5)
            ax.plot(pre[x], pre[y], "o", markerfacecolor="white", markeredgecolor=colour, markersize=6)
        else:
            ax.plot(d[x], d[y], "o", color=colour, markersize=3.5)
    for year, text in breaks:
        mark_break(ax, year, text)
    if ylim_zero:
        ax.set_ylim(bottom=0)
    percent_axis(ax, decimals=decimals)
    year_axis(ax)
    ax.set_xlabel("")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    handles, labels = ax.get_legend_handles_labels()
    if preliminary and preliminary in data and (data[preliminary] == "foreløpig").any():
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor=GREY))
        labels.append("foreløpige tall")
    legend_under_figure(fig, handles, labels)
    # room for the legend under the plot: one line per entry (or per two entries)
    rows = len(labels) if max((len(str(t)) for t in labels), default=0) > 22 else (len(labels) + 1) // 2
    fig.set_figheight(figsize[1] + 0.25 * rows)
    return fig


def legend_under_figure(fig, handles, labels, ncol: int | None = None) -> None:
    """The legend under the plot (constrained layout makes room for it): never over data."""
    if not handles:
        return
    longest = max(len(str(t)) for t in labels)
    ncol = ncol or (1 if longest > 22 else 2)
    fig.legend(handles, labels, frameon=False, fontsize=SMALL, loc="outside lower center", ncol=ncol)


def heat_table(table: pd.DataFrame, *, reforms: tuple[int, ...] = (2018, 2020, 2024), preliminary_years=()):
    """County × year heat map: the colour scale gives the share (Norwegian format on the
    colour bar). The cells carry no numbers: 15 × 17 numbers cannot be read at page width;
    the exact values are in the figure's CSV download."""
    import seaborn as sns

    fig, ax = plt.subplots(layout="constrained", figsize=(W, 0.36 * len(table) + 1.8))
    sns.heatmap(table, annot=False, cmap="Blues", linewidths=0.4, linecolor="white", ax=ax,
                cbar_kws={"label": "Andel av bosatte 15–29 år", "shrink": 0.8,
                          "format": TickFormatter(fmt.percent)})
    cbar = ax.collections[0].colorbar
    cbar.ax.tick_params(labelsize=VALUE_FONTSIZE)
    cbar.ax.yaxis.label.set_size(VALUE_FONTSIZE)
    cols = list(table.columns)
    for r in reforms:
        if r in cols:
            ax.axvline(cols.index(r), color="#D55E00", linewidth=2)
    # A column is narrower than a line of text on a phone-wide map: label every step-th year,
    # counted back from the newest so that the newest (often preliminary) is always labelled.
    step = int(np.ceil(len(cols) / 5))
    shown = [i for i in range(len(cols)) if (len(cols) - 1 - i) % step == 0]
    ax.set_xticks(np.array(shown) + 0.5)
    ax.set_xticklabels([f"{cols[i]}*" if cols[i] in preliminary_years else str(cols[i]) for i in shown],
                       rotation=90, fontsize=VALUE_FONTSIZE)
    ax.tick_params(axis="y", labelsize=VALUE_FONTSIZE + 0.5)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return fig


def small_multiples(series: pd.DataFrame, national: pd.DataFrame, order: list[str], *, ncols: int = 2,
                    break_year: int | None = None):
    """One small panel per county (share 2008–2024) with the national line in grey.

    Every panel has the same axes and the same three year ticks (first, middle and last
    year), written on every panel, so any two panels compare at a glance."""
    nrows = int(np.ceil(len(order) / ncols))
    fig, axes = plt.subplots(nrows, ncols, layout="constrained", figsize=(W, 1.9 * nrows + 0.7), sharex=True,
                             sharey=True)
    first, last = int(series["year"].min()), int(series["year"].max())
    ticks = [first, (first + last) // 2, last]
    for ax, name in zip(axes.flat, order):
        d = series[series["county_name"] == name].sort_values("year")
        ax.plot(national["year"], national["share"], color=GREY, linewidth=1.3)
        ax.plot(d["year"], d["share"], color=HIGHLIGHT, linewidth=2.2)
        if break_year:
            ax.axvline(break_year - 0.5, color=GREY, linestyle=":", linewidth=1)
        ax.set_title(name, fontsize=12.5)
        percent_axis(ax)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        ax.set_xticks(ticks)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: str(int(v))))
        ax.tick_params(labelsize=VALUE_FONTSIZE, labelbottom=True)
        ax.set_xlim(first - 0.8, last + 0.8)
    for ax in list(axes.flat)[len(order):]:
        ax.set_visible(False)
    fig.legend([Line2D([], [], color=HIGHLIGHT, linewidth=2.2), Line2D([], [], color=GREY, linewidth=1.3)],
               ["Fylket", "Hele landet"], loc="outside upper center", ncol=2, frameon=False, fontsize=12)
    return fig


def paired_bars(data: pd.DataFrame, *, category: str, left: str, right: str, left_label: str, right_label: str,
                xlabel: str = "Andel (%)", left_text: str | None = None, right_text: str | None = None):
    """Two bars per category (e.g. long-term NEET vs others); missing values are not
    drawn and are marked "ikke oppgitt" so a gap is visible, not shown as zero. Bar labels
    come from ``left_text``/``right_text`` columns when given (values as printed)."""
    fig, ax = plt.subplots(layout="constrained", figsize=(W, 0.75 * len(data) + 1.8))
    yv = np.arange(len(data))
    h = 0.38
    for offset, col, text_col, lab, colour in ((-h / 2, left, left_text, left_label, report.PALETTE[3]),
                                               (h / 2, right, right_text, right_label, report.PALETTE[0])):
        vals = data[col].astype(float)
        texts = data[text_col] if text_col else [fmt.percent(v) for v in vals]
        ax.barh(yv + offset, vals.fillna(0), height=h, color=colour, label=lab)
        for y0, v, t in zip(yv + offset, vals, texts):
            ax.text((0 if pd.isna(v) else v) + 0.8, y0, "ikke oppgitt" if pd.isna(v) else t,
                    va="center", fontsize=VALUE_FONTSIZE, color=GREY if pd.isna(v) else "black")
    ax.set_yticks(yv)
    ax.set_yticklabels(data[category])
    ax.invert_yaxis()
    percent_axis(ax, axis="x")
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, np.nanmax(np.r_[data[left].astype(float), data[right].astype(float), 1]) * 1.35)
    handles, labels = ax.get_legend_handles_labels()
    legend_under_figure(fig, handles, labels)
    return fig


def share_and_count(data: pd.DataFrame, *, break_year: int | None = None, break_text: str = ""):
    """Two panels: the share (line) above the number of persons (bars), same years."""
    fig, (top, bottom) = plt.subplots(2, 1, layout="constrained", figsize=(W, 5.6), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 2]})
    fin = data[data["release"] != "foreløpig"]
    pre = data[data["release"] == "foreløpig"]
    top.plot(data["year"], data["share"], color=HIGHLIGHT, linewidth=2)
    top.plot(fin["year"], fin["share"], "o", color=HIGHLIGHT, markersize=3.5)
    top.plot(pre["year"], pre["share"], "o", markerfacecolor="white", markeredgecolor=HIGHLIGHT, markersize=6,
             label="foreløpige tall")
    top.set_ylim(bottom=0)
    percent_axis(top)
    top.set_ylabel("Andel av bosatte 15–29 år")
    bottom.bar(fin["year"], fin["neet"], color=HIGHLIGHT)
    bottom.bar(pre["year"], pre["neet"], color="white", edgecolor=HIGHLIGHT, hatch="///")
    number_axis(bottom)
    bottom.set_ylabel("Antall personer")
    year_axis(bottom)
    if break_year:
        for ax in (top, bottom):
            ax.axvline(break_year - 0.5, color=GREY, linestyle="--", linewidth=1)
        top.text(break_year - 0.5, 1.01, break_text, transform=top.get_xaxis_transform(), va="bottom",
                 ha="center", fontsize=SMALL, color=GREY)
    if len(pre):
        handles, labels = top.get_legend_handles_labels()
        legend_under_figure(fig, handles, labels)
    return fig


def flagged_lines(data: pd.DataFrame, *, hue: str = "country", ylabel: str, flag_col: str = "flag",
                  flag_words: dict[str, str] | None = None, order: list[str] | None = None, focus: str | None = None):
    """Lines per country with Eurostat flags written next to the flagged points."""
    fig, ax = plt.subplots(layout="constrained", figsize=(W, 4.2))
    keys = order or list(dict.fromkeys(data[hue]))
    for i, key in enumerate(keys):
        d = data[data[hue] == key].sort_values("year")
        colour = report.PALETTE[i % len(report.PALETTE)]
        width = 2.6 if key == focus else 1.6
        ax.plot(d["year"], d["share"], "-o", color=colour, linewidth=width, markersize=3, label=key)
        if flag_col in d:
            for x, yv, f in zip(d["year"], d["share"], d[flag_col]):
                if f:
                    ax.annotate(f, (x, yv), textcoords="offset points", xytext=(0, 5), ha="center", fontsize=SMALL,
                                color=colour, fontweight="bold")
    ax.set_ylim(bottom=0)
    percent_axis(ax)
    year_axis(ax)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("")
    handles, labels = ax.get_legend_handles_labels()
    for code, words in (flag_words or {}).items():
        if flag_col in data and (data[flag_col] == code).any():
            handles.append(Line2D([], [], linestyle=""))
            labels.append(f"{code} = {words}")
    legend_under_figure(fig, handles, labels)
    return fig


def bars(data: pd.DataFrame, *, label: str, value: str, text: str | None = None, xlabel: str = "Andel (%)",
         colours: list[str] | None = None):
    """Simple horizontal bars with the value written at the end of each bar."""
    fig, ax = plt.subplots(layout="constrained", figsize=(W, 0.6 * len(data) + 1.2))
    ax.barh(data[label], data[value], color=colours or HIGHLIGHT)
    texts = data[text] if text else [fmt.percent(v) for v in data[value]]
    for yv, (v, t) in enumerate(zip(data[value], texts)):
        ax.text(v + 0.4, yv, t, va="center", fontsize=VALUE_FONTSIZE)
    ax.set_xlim(0, float(np.nanmax(np.r_[data[value].astype(float), 1])) * 1.3)
    ax.invert_yaxis()
    percent_axis(ax, axis="x")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.grid(axis="y", visible=False)
    return fig
