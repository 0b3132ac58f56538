"""What a chapter notebook shows a reader: glued numbers, numbered figures and tables.

Notebooks call these functions instead of displaying objects themselves, so every page
follows one house style:

* numbers in prose are glued (``glue_text`` + ``{glue:md}`name``` in Markdown);
* every figure is a numbered MyST figure with a caption, alt text and a link to
  download exactly the data plotted as CSV;
* every table is a numbered table with a caption and a CSV download;
* anything computed from the synthetic cohort carries a visible label.

Figures and data files are written to ``_assets/`` next to the executed notebook
(papermill runs each notebook with its output folder as working directory), so the
rendered page can link to them.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the build has no screen; choose the backend before pyplot loads

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from IPython.display import HTML, Markdown, display  # noqa: E402

from neethelpers.presentation import fmt  # noqa: E402

ASSET_DIR_NAME = "_assets"
SYNTHETIC_LABEL = "Syntetiske data"
SYNTHETIC_EXPLANATION = (
    "Tallene i denne delen er beregnet fra en **syntetisk befolkning** som er laget for å "
    "gjenskape publiserte tall. De er ikke registerdata om virkelige personer og viser bare "
    "hvordan analysen fungerer."
)
# Okabe–Ito: distinguishable for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

_state = {"page": "side"}


def _slug(text: str) -> str:
    text = text.lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def setup(page: str) -> None:
    """Apply the house style and set the page prefix for figure and table labels."""
    _state["page"] = _slug(page) or "side"
    sns.set_theme(style="whitegrid", palette=PALETTE, font_scale=1.0)
    plt.rcParams.update(
        {
            "figure.figsize": (8, 4.5),
            "figure.dpi": 100,
            "savefig.dpi": 110,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.formatter.use_locale": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )


def label(kind: str, name: str) -> str:
    """The reference label of a figure (``kind="fig"``) or table (``"tab"``) on this page."""
    return f"{kind}-{_state['page']}-{_slug(name)}"


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


def _write_csv(data: pd.DataFrame, stem: str, synthetic: bool = False) -> str:
    rel = f"{ASSET_DIR_NAME}/{stem}.csv"
    asset_dir()
    if synthetic:
        data = data.copy()
        data.insert(0, SYNTHETIC_COLUMN, SYNTHETIC_LABEL)
    # utf-8-sig so Excel opens Norwegian letters correctly; ';' is not used because the
    # file is also meant for programs, and decimal points keep values machine-readable.
    data.to_csv(Path.cwd() / rel, index=False, encoding="utf-8-sig")
    return rel


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
) -> None:
    """Save ``fig``, show it as a numbered figure with caption and alt text, and offer
    ``data`` (exactly what is plotted) as a CSV download. Closes the figure.

    ``fig`` is a matplotlib figure (saved as PNG) or a ready SVG document as text, e.g. a
    map from :mod:`neethelpers.presentation.maps` (saved as SVG and shown at its own width,
    scaled down on narrow screens).
    """
    stem = _asset_name(name)
    asset_dir()
    width = "100%"
    if isinstance(fig, str):
        if synthetic:
            raise ValueError("an SVG figure cannot be labelled as synthetic; draw the label into it")
        png = f"{ASSET_DIR_NAME}/{stem}.svg"
        (Path.cwd() / png).write_text(fig, encoding="utf-8")
        m = re.search(r'<svg[^>]*\swidth="([0-9.]+)"', fig)
        width = f"{m.group(1)}px" if m else width
    else:
        png = f"{ASSET_DIR_NAME}/{stem}.png"
        if synthetic:
            fig.text(0.99, 0.01, SYNTHETIC_LABEL, ha="right", va="bottom", fontsize=10,
                     color="#D55E00", fontweight="bold")
        fig.savefig(Path.cwd() / png, metadata={SYNTHETIC_PNG_KEY: SYNTHETIC_LABEL} if synthetic else None)
        plt.close(fig)
    csv = _write_csv(data, stem, synthetic)
    display(
        Markdown(
            f":::{{figure}} {png}\n:name: {label('fig', name)}\n:alt: {_escape(alt)}\n:width: {width}\n\n"
            f"{_caption(caption, synthetic)} {{download}}`Last ned tallene (CSV) <{csv}>`\n:::\n"
        )
    )


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


# Every text DataTables shows a reader, in Norwegian (its defaults are English, e.g. "entries per page").
DATATABLES_LANGUAGE = {
    "search": "Søk:",
    "lengthMenu": "_MENU_ rader per side",
    "info": "Viser _START_–_END_ av _TOTAL_ rader",
    "infoEmpty": "Ingen rader",
    "infoFiltered": "(filtrert fra _MAX_ rader)",
    "zeroRecords": "Ingen rader passer med søket",
    "emptyTable": "Tabellen er tom",
    "loadingRecords": "Laster …",
    "processing": "Behandler …",
    "paginate": {"first": "Første", "last": "Siste", "next": "Neste", "previous": "Forrige"},
    "aria": {"sortAscending": ": sorter stigende", "sortDescending": ": sorter synkende",
             "paginate": {"first": "Første side", "last": "Siste side", "next": "Neste side",
                          "previous": "Forrige side"}},
}


def table(
    df: pd.DataFrame,
    *,
    name: str,
    caption: str,
    synthetic: bool = False,
    interactive: bool = False,
    data: pd.DataFrame | None = None,
    decimals: int | dict[str, int] = 1,
) -> None:
    """Show ``df`` as a numbered table with caption and a CSV download of ``data``
    (default: ``df`` itself). Numeric columns are formatted the Norwegian way."""
    stem = _asset_name(name)
    csv = _write_csv(df if data is None else data, stem, synthetic)
    shown = format_frame(df, decimals)
    cap = _caption(caption, synthetic)
    download = f"{{download}}`Last ned tabellen (CSV) <{csv}>`"
    if interactive:
        from itables import init_notebook_mode, to_html_datatable

        if not _state.get("itables_ready"):
            # Embeds the DataTables library in the page once, so the table works offline.
            init_notebook_mode(all_interactive=False, connected=False)
            _state["itables_ready"] = True
        display(Markdown(f"({label('tab', name)})=\n**Tabell:** {cap} {download}"))
        display(HTML(to_html_datatable(shown, connected=False, classes="display compact",
                                       lengthMenu=[10, 25, 100], pageLength=10,
                                       language=DATATABLES_LANGUAGE)))
        return
    display(
        Markdown(
            f":::{{list-table}} {cap}\n:header-rows: 1\n:name: {label('tab', name)}\n\n"
            f"{_list_table(shown)}\n:::\n\n{download}\n"
        )
    )
