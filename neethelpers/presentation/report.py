"""What a chapter notebook shows a reader: glued numbers, numbered figures and tables.

Notebooks call these functions instead of displaying objects themselves, so every page
follows one house style:

* numbers in prose are glued (``glue_text`` + ``{glue:md}`name``` in Markdown);
* every figure is a numbered MyST figure (SVG, drawn for a phone-width column) with a
  caption, alt text, its numbers as a collapsed table («Vis tallene») for screen
  readers, and links to download exactly the data plotted as CSV and Excel;
* every table is a numbered table with a caption and CSV and Excel downloads
  (:mod:`neethelpers.presentation.downloads` says how those files are written);
* anything computed from the synthetic cohort carries a visible label.

Figures and data files are written to ``_assets/`` next to the executed notebook
(papermill runs each notebook with its output folder as working directory), so the
rendered page can link to them.

Chart text and phones: figures are saved as SVG with text kept as text, at most
:data:`FIGURE_WIDTH_IN` inches wide, and no text smaller than :data:`MIN_FONT_PT` points
(smaller text is enlarged when the figure is saved). An SVG of width ``W`` points shown
``w`` CSS pixels wide draws a ``s``-point font at ``s * w / W`` CSS pixels; the book's
column on a 390-px phone is about 342 px, so 4,7 inches (338 pt) and 12 points give
about 12 CSS px (at least 11 with room for the bounding box). The browser test measures exactly this on every page.
"""

from __future__ import annotations

import html as _html
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the build has no screen; choose the backend before pyplot loads

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from IPython.display import HTML, Markdown, display  # noqa: E402

from neethelpers.presentation import downloads, fmt  # noqa: E402

ASSET_DIR_NAME = "_assets"
SYNTHETIC_LABEL = "Syntetiske data"
SYNTHETIC_EXPLANATION = (
    "Tallene i denne delen er beregnet fra en **syntetisk befolkning** som er laget for å "
    "gjenskape publiserte tall. De er ikke registerdata om virkelige personer og viser bare "
    "hvordan analysen fungerer."
)
# Okabe–Ito: distinguishable for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

# Figures are drawn for the phone column (see the module docstring); the CSS caps their
# width on wide screens so text is not blown up there either.
FIGURE_WIDTH_IN = 4.7
MIN_FONT_PT = 12.0
SHOW_NUMBERS = "Vis tallene"

_state = {"page": "side", "title": "side"}


def _slug(text: str) -> str:
    text = text.lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def setup(page: str) -> None:
    """Apply the house style and set the page prefix for figure and table labels."""
    _state["page"] = _slug(page) or "side"
    _state["title"] = page
    sns.set_theme(style="whitegrid", palette=PALETTE, font_scale=1.0)
    plt.rcParams.update(
        {
            "figure.figsize": (FIGURE_WIDTH_IN, 3.6),
            "figure.dpi": 100,
            "figure.constrained_layout.use": True,
            "savefig.dpi": 110,
            "savefig.bbox": "tight",
            "savefig.format": "svg",
            # text stays text in the SVG (searchable, scalable, measurable by the tests)
            "svg.fonttype": "none",
            # the SVG's internal ids are hashed from their content with this salt instead of a
            # random one, so the same figure gives the same bytes in every build
            "svg.hashsalt": "neet-report-book",
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"],
            "font.size": 12,
            "axes.titlesize": 13,
            "axes.labelsize": 12,
            "xtick.labelsize": MIN_FONT_PT,
            "ytick.labelsize": MIN_FONT_PT,
            "legend.fontsize": MIN_FONT_PT,
            "legend.title_fontsize": 12,
            "axes.titleweight": "bold",
            "axes.formatter.use_locale": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def label(kind: str, name: str) -> str:
    """The reference label of a figure (``kind="fig"``) or table (``"tab"``) on this page."""
    return f"{kind}-{_state['page']}-{_slug(name)}"


def current_page() -> str:
    """The label prefix of the page being written (set by :func:`setup`)."""
    return _state["page"]


def asset_dir() -> Path:
    path = Path.cwd() / ASSET_DIR_NAME
    path.mkdir(parents=True, exist_ok=True)
    return path


def _asset_name(name: str) -> str:
    return f"{_state['page']}-{_slug(name)}"


#: First column of every CSV computed from the synthetic cohort, so the label travels with the file.
SYNTHETIC_COLUMN = "datagrunnlag"
#: PNG text chunk of every figure drawn from the synthetic cohort (the label is also drawn in the image).
SYNTHETIC_PNG_KEY = "Datagrunnlag"



def _write_downloads(data: pd.DataFrame, stem: str, *, caption: str, synthetic: bool,
                     source: str | None, decimals=None) -> tuple[str, str]:
    """Write ``_assets/<stem>.csv`` and ``.xlsx`` (see :mod:`downloads`); relative paths."""
    asset_dir()
    if synthetic:  # the label travels with the file: first line (downloads) and first column
        data = data.copy()
        data.insert(0, SYNTHETIC_COLUMN, SYNTHETIC_LABEL)
    downloads.write(data, Path.cwd() / ASSET_DIR_NAME / stem, caption=caption, source=source,
                    synthetic=synthetic, page=_state["title"], decimals=decimals)
    return f"{ASSET_DIR_NAME}/{stem}.csv", f"{ASSET_DIR_NAME}/{stem}.xlsx"


def _download_links(csv: str, xlsx: str) -> str:
    return (f"{{download}}`Last ned tallene (CSV) <{csv}>` · "
            f"{{download}}`Last ned tallene (Excel) <{xlsx}>`")


def _legends(fig) -> list:
    """Every legend of ``fig``: the figure's own and those of its plots."""
    return [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]


def _wrap(text: str, width: int) -> str:
    """``textwrap.fill`` that never breaks a number from its unit («95 %»: the no-break space
    is not a break for textwrap, and it is how Norwegian sets it), nor a word in two."""
    import textwrap

    return textwrap.fill(re.sub(r"(\d) %", "\\1\N{NO-BREAK SPACE}%", text), width, break_long_words=False)


def _wrap_long_labels(fig, width: int = 24) -> None:
    """Break long category labels (y axis of bar charts, legend entries) over lines."""
    from matplotlib.category import StrCategoryLocator
    from matplotlib.ticker import FixedLocator

    for ax in fig.axes:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        categorical = isinstance(ax.yaxis.get_major_locator(), (FixedLocator, StrCategoryLocator))
        if categorical and any(len(t) > width for t in labels):
            wrapped = [_wrap(t, width) for t in labels]
            ax.set_yticks(ax.get_yticks(), wrapped)
            # rows of two-line labels need more room, or the labels run into each other
            lines = max(t.count("\n") + 1 for t in wrapped)
            w, h = fig.get_size_inches()
            fig.set_size_inches(w, h + len(labels) * (lines - 1) * MIN_FONT_PT * 1.2 / 72)
    for legend in _legends(fig):
        for text in legend.get_texts():
            if len(text.get_text()) > 34:
                text.set_text(_wrap(text.get_text(), 34))


def _wrap_wide_axis_labels(fig) -> None:
    """An x-axis label wider than its axes sticks out of the figure: break it over lines."""
    for ax in fig.axes:
        label = ax.xaxis.label
        text = label.get_text().replace("\n", " ")
        if not text or not ax.get_visible() or ax.get_window_extent().width < 0.25 * fig.bbox.width:
            continue  # (an axes squeezed to nothing is a layout that has not been fitted yet)
        ratio = ax.get_window_extent().width / max(label.get_window_extent().width, 1)
        if ratio < 1:
            wrapped = _wrap(text, max(8, int(len(text) * ratio) - 1))
            label.set_text(wrapped)
            w, h = fig.get_size_inches()
            fig.set_size_inches(w, h + wrapped.count("\n") * label.get_fontsize() * 1.2 / 72)
            fig.canvas.draw()


def _legend_misplaced(fig, legend) -> bool:
    """A legend with a row wider than the figure, or beside the plot (no room on a phone)."""
    extent = legend.get_window_extent()
    if extent.width > fig.bbox.width * 0.98 and legend._ncols > 1:
        return True
    if legend in fig.legends:
        return False
    anchor = legend.get_bbox_to_anchor().transformed(legend.axes.transAxes.inverted())
    return anchor.x0 >= 1 or extent.x1 > fig.bbox.width + 1


def _one_entry_per_line(fig, legend) -> None:
    """Draw ``legend`` again with one entry per line, at the same place, or under the figure
    if it was under or beside the plot (a legend's layout is fixed when it is made, so its
    number of columns cannot simply be changed)."""
    handles = legend.legend_handles
    labels = [t.get_text() for t in legend.get_texts()]
    size = legend.get_texts()[0].get_fontsize() if labels else MIN_FONT_PT
    title = legend.get_title().get_text() or None
    options = {"ncols": 1, "frameon": legend.get_frame_on(), "fontsize": size, "title": title}
    if legend in fig.legends:
        fig.legends.remove(legend)
        fig.legend(handles, labels, loc="outside lower center", **options)
        return
    ax = legend.axes
    anchor = legend.get_bbox_to_anchor().transformed(ax.transAxes.inverted())
    loc = legend._loc
    legend.remove()
    if anchor.y0 < 0 or anchor.x0 >= 1:  # under or beside the plot: under everything (the layout makes room)
        fig.legend(handles, labels, loc="outside lower center", **options)
        return
    anchor = (anchor.x0, anchor.y0) if anchor.width < 1e-9 else tuple(anchor.bounds)
    ax.legend(handles, labels, loc=loc, bbox_to_anchor=anchor, **options)


def _stamp_synthetic(fig) -> None:
    """Draw :data:`SYNTHETIC_LABEL` into the image: right-aligned under the x-axis label of the
    lowest (then rightmost) plot, as part of that plot, so constrained layout (which
    :func:`_fit_for_phone` turns on) makes room for it under the plot and above a legend below
    the figure. A plain ``fig.text`` in the corner once sat over the last line of an x-axis
    label wrapped for the phone column; the figure's ``supxlabel`` shares its margin with a
    legend below the figure and is drawn over it."""
    style = {"fontsize": MIN_FONT_PT, "color": "#B23A00", "fontweight": "bold"}
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    if not axes:  # nothing drawn that the label could cover
        fig.text(0.99, 0.01, SYNTHETIC_LABEL, ha="right", va="bottom", **style)
        return
    ax = min(axes, key=lambda a: (round(a.get_position().y0, 3), -a.get_position().x1))
    # x: the plot's right edge; y: the bottom of its x-axis label (wherever the layout puts it)
    ax.annotate(SYNTHETIC_LABEL, xy=(1, 0), xycoords=("axes fraction", ax.xaxis.label), xytext=(0, -3),
                textcoords="offset points", ha="right", va="top", annotation_clip=False, **style)


class FigureLayoutWarning(UserWarning):
    """Texts of a figure drawn over each other (a page's executed notebook must carry none)."""


def overlapping_texts(fig, renderer=None) -> list[tuple[str, str]]:
    """Pairs of texts drawn over each other in ``fig`` as it was last drawn: tick labels, axis
    labels, titles and annotations, a legend counting as one box. Tick labels outside the
    view (kept by matplotlib, not drawn) and texts of hidden plots are left out."""
    import matplotlib.text as mtext

    renderer = renderer or fig.canvas.get_renderer()
    legends = _legends(fig)
    skip = {id(t) for legend in legends for t in legend.findobj(mtext.Text)}
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            skip |= {id(label) for tick in axis.get_major_ticks()
                     if not low - 1e-9 <= tick.get_loc() <= high + 1e-9 for label in (tick.label1, tick.label2)}
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(mtext.Text)
             if t.get_visible() and t.get_text().strip() and id(t) not in skip
             and (t.axes is None or t.axes.get_visible())]
    boxes += [("<legend>", legend.get_window_extent(renderer)) for legend in legends]
    return [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]


def legends_over_data(fig, renderer=None) -> list[tuple[str, str]]:
    """(legend, data) pairs where a legend inside a plot covers a line or point of it, as the
    figure was last drawn; the data named by its label (or ``"<line>"``/``"<points>"``)."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D

    renderer = renderer or fig.canvas.get_renderer()
    found = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not ax.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        if not box.overlaps(ax.bbox):
            continue  # a legend outside the plot covers no data
        for artist in [*ax.lines, *ax.collections]:
            if not artist.get_visible():
                continue
            if isinstance(artist, Line2D):  # its segments, or its points (a path of one point crosses nothing)
                name, path = "<line>", artist.get_transform().transform_path(artist.get_path())
                hit = path.intersects_bbox(box, filled=False) or any(box.contains(x, y) for x, y in path.vertices)
            elif isinstance(artist, PathCollection):
                name, xy = "<points>", artist.get_offset_transform().transform(artist.get_offsets())
                hit = any(box.contains(x, y) for x, y in xy)
            else:
                continue
            if hit:
                label = artist.get_label()
                found.append(("<legend>", name if label.startswith("_") else label))
    return found


def _fit_for_phone(fig) -> None:
    """:func:`_fit_for_phone_steps` without matplotlib's notes from the trial layouts: while the
    figure is narrowed step by step, constrained layout may give up on an intermediate size
    ("axes sizes collapsed to zero"), which says nothing about the final figure and must not
    reach the page's output."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*constrained.*", category=UserWarning)
        _fit_for_phone_steps(fig)


def _fit_for_phone_steps(fig) -> None:
    """Make a figure fit the phone column: at most :data:`FIGURE_WIDTH_IN` wide *including*
    everything drawn outside the axes (the SVG is cut to its tight bounding box, and that
    width is what the page scales), no text below :data:`MIN_FONT_PT`, long labels wrapped."""
    import matplotlib.text as mtext

    w, h = fig.get_size_inches()
    if w > FIGURE_WIDTH_IN + 0.01:
        # the height stays: text does not shrink with the width, so the figure needs it
        fig.set_size_inches(FIGURE_WIDTH_IN, h)
    for text in fig.findobj(mtext.Text):
        if text.get_text() and text.get_fontsize() < MIN_FONT_PT:
            text.set_fontsize(MIN_FONT_PT)
    _wrap_long_labels(fig)
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        try:  # constrained layout makes room for legends and labels outside the plot
            fig.set_layout_engine("constrained")
        except RuntimeError:  # (not allowed once a colorbar was laid out by another engine)
            pass
    for _ in range(6):  # labels sticking out widen the saved SVG: narrow the figure instead
        fig.canvas.draw()
        wide = [lg for lg in _legends(fig) if _legend_misplaced(fig, lg)]
        if wide:
            for legend in wide:
                _one_entry_per_line(fig, legend)  # a legend row wider than the figure
            continue
        _wrap_wide_axis_labels(fig)
        bbox = fig.get_tightbbox(fig.canvas.get_renderer())
        excess = bbox.width - FIGURE_WIDTH_IN
        if excess <= 0.04:
            break
        width = fig.get_size_inches()[0] - excess - 0.02
        if width < 2.5:
            break
        fig.set_size_inches(width, fig.get_size_inches()[1])
    else:
        fig.canvas.draw()  # the figure as it ends, for overlapping_texts


def numbers_table(data: pd.DataFrame, caption: str, decimals=None) -> str:
    """The figure's numbers as a collapsed HTML table («Vis tallene») for readers who cannot
    see the chart (screen readers) or want the exact values."""
    frame = downloads.prepare(data, decimals)
    rule = {}
    for original, col in zip(data.columns, frame.columns):
        fallback = decimals.get(original) if isinstance(decimals, dict) else decimals
        d = downloads.decimals_for(original, fallback)
        rule[col] = d if d is not None else downloads.decimals_present(frame[col])
    shown = format_frame(frame, rule)
    head = "".join(f'<th scope="col">{_html.escape(str(c))}</th>' for c in shown.columns)
    rows = []
    for row in shown.itertuples(index=False):
        cells = [_html.escape(str(v)) for v in row]
        rows.append(f'<tr><th scope="row">{cells[0]}</th>' + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>")
    return (f'<details class="neet-numbers"><summary>{SHOW_NUMBERS}</summary>'
            f'<div class="neet-table-scroll" tabindex="0" role="region" aria-label="{_html.escape(SHOW_NUMBERS)}">'
            f'<table class="table neet-numbers-table"><caption>{_html.escape(downloads._plain(caption))}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></details>")


def _escape(text: str) -> str:
    return text.replace("\n", " ").strip()


def glue_text(name: str, text: str) -> None:
    """Glue a ready-formatted Norwegian text (a number, a name) for ``{glue:md}`name```."""
    from myst_nb import glue

    glue(name, Markdown(str(text)), display=False)


def markdown(text: str) -> None:
    """Show a block of MyST Markdown generated from code."""
    display(Markdown(text))


def note(text: str, kind: str = "note", title: str | None = None) -> None:
    """An admonition box (``note``, ``warning``, ``important``, ``tip``)."""
    header = f"```{{admonition}} {title}\n:class: {kind}\n" if title else f"```{{{kind}}}\n"
    display(Markdown(f"{header}{text}\n```"))


def synthetic_banner() -> None:
    """The visible warning that the section below is built on synthetic data."""
    note(SYNTHETIC_EXPLANATION, kind="warning", title=SYNTHETIC_LABEL)


def missing(text: str) -> None:
    """State a gap in the data in words, visibly."""
    note(text, kind="note", title="Tall mangler")


def _caption(caption: str, synthetic: bool) -> str:
    caption = _escape(caption)
    return f"**{SYNTHETIC_LABEL}.** {caption}" if synthetic else caption


def figure(
    fig,
    *,
    name: str,
    caption: str,
    alt: str,
    data: pd.DataFrame,
    synthetic: bool = False,
    source: str | None = None,
    decimals: int | dict[str, int] | None = None,
) -> None:
    """Save ``fig``, show it as a numbered figure with caption and alt text, its numbers as
    a collapsed table («Vis tallene»), and offer ``data`` (exactly what is plotted) as CSV
    and Excel downloads headed by ``source`` (default: the «Kilde: …» of the caption).

    ``fig`` is a matplotlib figure (saved as SVG fitted to a phone's column, see the module
    docstring; closed here) or a ready SVG document as text, e.g. a map from
    :mod:`neethelpers.presentation.maps` (saved as it is and shown at its own width, scaled
    down on narrow screens).
    """
    stem = _asset_name(name)
    svg = f"{ASSET_DIR_NAME}/{stem}.svg"
    asset_dir()
    if isinstance(fig, str):
        if synthetic:
            raise ValueError("an SVG figure cannot be labelled as synthetic; draw the label into it")
        (Path.cwd() / svg).write_text(fig, encoding="utf-8")
        m = re.search(r'<svg[^>]*\swidth="([0-9.]+)"', fig)
        options = (f"\n:width: {m.group(1)}px" if m else "") + "\n:figclass: neet-map"
    else:
        if synthetic:
            _stamp_synthetic(fig)
        _fit_for_phone(fig)
        # as _fit_for_phone last drew it (savefig draws at another dpi)
        overlaps = overlapping_texts(fig) + legends_over_data(fig)
        # the label also travels in the file's metadata (<dc:description>)
        meta = {"Date": None, "Description": SYNTHETIC_LABEL} if synthetic else {"Date": None}
        fig.savefig(Path.cwd() / svg, format="svg", metadata=meta)
        plt.close(fig)
        if overlaps:
            import warnings

            warnings.warn(FigureLayoutWarning(f"figure {name!r}: drawn over each other: "
                                              + "; ".join(f"{a!r} and {b!r}" for a, b in overlaps[:5])),
                          stacklevel=2)
        options = "\n:figclass: neet-figure"
    cap = _caption(caption, synthetic)
    csv, xlsx = _write_downloads(data, stem, caption=cap, synthetic=synthetic, source=source, decimals=decimals)
    display(
        Markdown(
            f":::{{figure}} {svg}\n:name: {label('fig', name)}\n:alt: {_escape(alt)}{options}\n\n"
            f"{cap} {_download_links(csv, xlsx)}\n:::\n"
        )
    )
    display(HTML(numbers_table(data, cap, decimals)))


def _format_cell(value, decimals: int) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return fmt.MISSING
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, int) or (hasattr(value, "is_integer") and decimals == 0):
        return fmt.number(value, 0)
    try:
        return fmt.number(float(value), decimals)
    except (TypeError, ValueError):
        return str(value)


def _is_year_column(name, series: pd.Series) -> bool:
    """Years are written without a thousands separator (2024, not 2 024)."""
    return str(name).strip().lower() in {"år", "year", "årstall", "statistikkår"} and pd.api.types.is_numeric_dtype(series)


def format_frame(df: pd.DataFrame, decimals: int | dict[str, int] = 1) -> pd.DataFrame:
    """A copy of ``df`` with every value as Norwegian display text (integers without
    decimals, floats with ``decimals``, missing values as a dash)."""
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        d = decimals.get(col, 1) if isinstance(decimals, dict) else decimals
        series = df[col]
        if _is_year_column(col, series):
            out[col] = [fmt.MISSING if pd.isna(v) else str(int(v)) for v in series]
        elif pd.api.types.is_integer_dtype(series):
            out[col] = [fmt.MISSING if pd.isna(v) else fmt.number(v, 0) for v in series]
        else:
            out[col] = [_format_cell(v, d) for v in series]
    return out


def _list_table(df: pd.DataFrame) -> str:
    def cell(v) -> str:
        text = str(v).replace("\n", " ").replace("|", "\\|")
        # "1. kvartal 2023" at the start of a cell would be read as a numbered list item
        return re.sub(r"^(\d+)\.(\s)", r"\1\\.\2", text) or " "

    lines = ["* - " + "\n  - ".join(cell(c) for c in df.columns)]
    for row in df.itertuples(index=False):
        lines.append("* - " + "\n  - ".join(cell(v) for v in row))
    return "\n".join(lines)


def table(
    df: pd.DataFrame,
    *,
    name: str,
    caption: str,
    synthetic: bool = False,
    interactive: bool = False,
    data: pd.DataFrame | None = None,
    decimals: int | dict[str, int] = 1,
    source: str | None = None,
) -> None:
    """Show ``df`` as a numbered table with caption and CSV and Excel downloads of
    ``data`` (default: ``df`` itself), headed by ``source`` (default: the caption's
    «Kilde: …»). Numeric columns are formatted the Norwegian way. ``interactive`` marks a
    long table: it scrolls in a box of limited height (no table script is loaded)."""
    stem = _asset_name(name)
    cap = _caption(caption, synthetic)
    csv, xlsx = _write_downloads(df if data is None else data, stem, caption=cap, synthetic=synthetic,
                                 source=source, decimals=decimals)
    shown = format_frame(df, decimals)
    download = _download_links(csv, xlsx)
    # A long table (``interactive=True``, formerly a DataTables widget of 0,7 MB of script)
    # is a plain table in a box of limited height that scrolls, with the header kept in view.
    css_class = "\n:class: neet-long-table" if interactive else ""
    display(
        Markdown(
            f":::{{list-table}} {cap}\n:header-rows: 1\n:name: {label('tab', name)}{css_class}\n\n"
            f"{_list_table(shown)}\n:::\n\n{download}\n"
        )
    )
