"""The reporting API writes what a reader sees: Norwegian numbers, numbered figures with
their data, tables with captions, and visible synthetic labels."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from babel.numbers import format_decimal

from neethelpers.presentation import downloads, report


@pytest.fixture()
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report.setup(page="Møre og Romsdal")
    return tmp_path


@pytest.fixture()
def shown(monkeypatch):
    """Capture what the report functions display instead of sending it to a kernel."""
    captured: list = []
    monkeypatch.setattr(report, "display", lambda obj: captured.append(obj))
    return captured


def _text(obj) -> str:
    return getattr(obj, "data", str(obj))


def test_labels_are_prefixed_with_the_page_slug(in_tmp):
    assert report.label("fig", "Trend over tid") == "fig-more-og-romsdal-trend-over-tid"
    assert report.label("tab", "barometer") == "tab-more-og-romsdal-barometer"


def test_format_frame_writes_norwegian_numbers_and_plain_years():
    df = pd.DataFrame({"år": [2023, 2024], "antall": [15180, 9], "andel": [9.87, None]})
    out = report.format_frame(df, decimals={"andel": 1})
    assert list(out["år"]) == ["2023", "2024"]
    assert out["antall"][0] == format_decimal(15180, format="#,##0", locale="nb_NO")
    assert out["andel"][0] == "9,9"
    assert out["andel"][1] == "–"


def test_figure_writes_svg_and_exactly_the_plotted_data(in_tmp, shown):
    data = pd.DataFrame({"år": [2020, 2021], "andel": [11.0, 9.5]})
    fig, ax = plt.subplots()
    ax.plot(data["år"], data["andel"])
    report.figure(fig, name="trend", caption="Andel over tid.", alt="Linje som faller", data=data)
    svg = in_tmp / "_assets" / "more-og-romsdal-trend.svg"
    csv = in_tmp / "_assets" / "more-og-romsdal-trend.csv"
    assert svg.stat().st_size > 1000
    pd.testing.assert_frame_equal(downloads.read_csv(csv), data)
    md = _text(shown[-2])
    assert ":name: fig-more-og-romsdal-trend" in md
    assert ":alt: Linje som faller" in md
    assert "<_assets/more-og-romsdal-trend.csv>" in md and "<_assets/more-og-romsdal-trend.xlsx>" in md
    assert report.SYNTHETIC_LABEL not in md
    numbers = _text(shown[-1])
    assert numbers.startswith("<details") and "<summary>Vis tallene</summary>" in numbers
    assert '<th scope="row">2020</th><td>11,0</td>' in numbers


def test_figure_text_is_at_least_the_minimum_size_and_the_figure_phone_wide(in_tmp, shown):
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.plot([1, 2], [1, 2])
    ax.text(1, 1, "liten", fontsize=6)
    report.figure(fig, name="liten", caption="C.", alt="a", data=pd.DataFrame({"x": [1]}))
    svg = (in_tmp / "_assets" / "more-og-romsdal-liten.svg").read_text(encoding="utf-8")
    sizes = [float(x) for x in re.findall(r"font-size: ([\d.]+)px", svg)]
    assert sizes and min(sizes) >= report.MIN_FONT_PT
    width_pt = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1))
    assert width_pt <= report.FIGURE_WIDTH_IN * 72 * 1.15  # tight bounding box may add a margin


def test_synthetic_figure_and_table_say_so(in_tmp, shown):
    data = pd.DataFrame({"a": [1.0]})
    fig, _ = plt.subplots()
    report.figure(fig, name="s", caption="Modell.", alt="x", data=data, synthetic=True)
    report.table(data, name="t", caption="Tabell.", synthetic=True)
    assert all(report.SYNTHETIC_LABEL in _text(obj) for obj in shown)


def test_table_is_a_numbered_list_table_with_download(in_tmp, shown):
    df = pd.DataFrame({"fylke": ["Oslo", "Agder"], "andel": [10.1, 9.0]})
    report.table(df, name="rang", caption="Rangering.")
    md = _text(shown[-1])
    assert md.startswith(":::{list-table} Rangering.")
    assert ":name: tab-more-og-romsdal-rang" in md
    assert "* - Oslo\n  - 10,1" in md
    assert (in_tmp / "_assets" / "more-og-romsdal-rang.csv").exists()
    assert (in_tmp / "_assets" / "more-og-romsdal-rang.xlsx").exists()


def test_table_cells_escape_pipes_and_newlines(in_tmp, shown):
    report.table(pd.DataFrame({"x": ["a|b\nc"]}), name="esc", caption="E.")
    assert "a\\|b c" in _text(shown[-1])


def test_synthetic_labels_travel_into_the_image_the_caption_and_the_csv(in_tmp, shown):
    data = pd.DataFrame({"a": [1.0]})
    fig, _ = plt.subplots()
    report.figure(fig, name="s", caption="Modell.", alt="x", data=data, synthetic=True)
    import matplotlib.text as mtext

    assert report.SYNTHETIC_LABEL in [t.get_text() for t in fig.findobj(mtext.Text)]  # drawn inside the image
    svg = (in_tmp / "_assets" / "more-og-romsdal-s.svg").read_text(encoding="utf-8")
    assert f"<dc:description>{report.SYNTHETIC_LABEL}</dc:description>" in svg  # and in its metadata
    report.table(data, name="t", caption="Tabell.", synthetic=True)
    assert f"{{list-table}} **{report.SYNTHETIC_LABEL}.** Tabell." in _text(shown[-1])
    for stem in ("s", "t"):
        path = in_tmp / "_assets" / f"more-og-romsdal-{stem}.csv"
        assert downloads.header_line(path).startswith(report.SYNTHETIC_LABEL)  # first line
        csv = downloads.read_csv(path)
        assert list(csv.columns) == [report.SYNTHETIC_COLUMN, "a"]  # and first column
        assert (csv[report.SYNTHETIC_COLUMN] == report.SYNTHETIC_LABEL).all()
    fig2, _ = plt.subplots()
    report.figure(fig2, name="p", caption="Offentlig.", alt="x", data=data)
    assert downloads.read_csv(in_tmp / "_assets" / "more-og-romsdal-p.csv").columns[0] == "a"
    assert report.SYNTHETIC_LABEL not in (in_tmp / "_assets" / "more-og-romsdal-p.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("xlabel", ["År", "Koeffisient (log-odds) med 95 % konfidensintervall", ""])
@pytest.mark.parametrize("legend", ["in the plot", "below the figure"])
def test_the_synthetic_label_in_the_image_overlaps_nothing_else(in_tmp, shown, xlabel, legend):
    """The label drawn into a synthetic figure must stay readable, and so must the figure: it
    once sat over the last line of an x-axis label wrapped for the phone column (the regression
    chapter's coefficient figure), since the layout did not make room for it."""
    import matplotlib.text as mtext
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    terms = [f"Forklaringsvariabel nummer {i}" for i in range(6)]
    fig, ax = plt.subplots(figsize=(8, 5))
    for model in range(4):  # (labels that fit in the plot, or that make the legend too wide for one row)
        ax.scatter(range(6), terms, label=f"Modell {model}" + (" med en lang forklaring" if legend != "in the plot" else ""))
    ax.set_xlabel(xlabel)
    if legend == "in the plot":
        ax.legend(loc="lower right")
    else:
        fig.legend(loc="outside lower center", ncols=4)
    report.figure(fig, name="k", caption="Modell.", alt="x", data=pd.DataFrame({"a": [1.0]}), synthetic=True)
    FigureCanvasAgg(fig).draw()  # (report.figure closed it) draw it as it was saved
    renderer = fig.canvas.get_renderer()
    texts = [t for t in fig.findobj(mtext.Text) if t.get_visible() and t.get_text()]
    stamp = [t for t in texts if t.get_text() == report.SYNTHETIC_LABEL]
    assert len(stamp) == 1
    box = stamp[0].get_window_extent(renderer)
    assert fig.bbox.contains(box.x0, box.y0) and fig.bbox.contains(box.x1, box.y1)
    others = [t.get_window_extent(renderer) for t in texts if t is not stamp[0]]
    others += [ax.bbox, *(lg.get_window_extent(renderer) for lg in [*fig.legends, ax.get_legend()] if lg)]
    assert not any(box.overlaps(other) for other in others), (box, others)


def test_a_cell_starting_with_an_ordinal_is_not_a_list_item(in_tmp, shown):
    report.table(pd.DataFrame({"Periode": ["1. kvartal 2023"]}), name="ord", caption="O.")
    assert "1\\. kvartal 2023" in _text(shown[-1])


def test_a_wrapped_label_keeps_a_number_with_its_percent_sign(in_tmp, shown):
    """«(95» at the end of one line and «% konfidensintervall)» on the next, in the ranking figure."""
    import matplotlib.text as mtext

    fig, ax = plt.subplots(figsize=(8, 3))
    ax.barh(["Forklaringsvariabel med et langt navn på 95 % av radene"], [1.0])
    ax.set_xlabel("Andel av bosatte 15–29 år (95 % konfidensintervall), tre år samlet for kommunene")
    ax.legend(["Andel som bor med minst én forelder, 95 % av alle"], loc="lower right")
    report.figure(fig, name="w", caption="C.", alt="a", data=pd.DataFrame({"a": [1.0]}))
    wrapped = [t.get_text() for t in fig.findobj(mtext.Text) if "%" in t.get_text()]
    assert len(set(wrapped)) == 3 and all("\n" in t for t in wrapped), wrapped
    for text in wrapped:
        assert not re.search(r"\d\s*\n\s*%", text), text


@pytest.mark.parametrize("width", range(8, 60))
def test_wrapping_never_breaks_between_a_number_and_its_percent_sign(width):
    wrapped = report._wrap("Andel av bosatte 15–29 år (95 % konfidensintervall), 2 % eller 12,5 % av alle", width)
    assert not re.search(r"\d\s*\n\s*%", wrapped), wrapped
    assert wrapped.replace("\n", " ").replace("\N{NO-BREAK SPACE}", " ") == (
        "Andel av bosatte 15–29 år (95 % konfidensintervall), 2 % eller 12,5 % av alle")


def test_overlapping_texts_finds_texts_drawn_over_each_other_and_only_those():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.text(0.1, 0.5, "Første tekst", transform=ax.transAxes)
    ax.text(0.12, 0.51, "Andre tekst", transform=ax.transAxes)
    ax.text(0.1, 0.1, "Langt unna", transform=ax.transAxes)
    ax.set_xlim(0, 10)
    fig.canvas.draw()
    assert report.overlapping_texts(fig) == [("Første tekst", "Andre tekst")]
    plt.close(fig)


def test_a_figure_with_texts_drawn_over_each_other_warns_and_names_them(in_tmp, shown):
    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "Første tekst", transform=ax.transAxes)
    ax.text(0.52, 0.5, "Andre tekst", transform=ax.transAxes)
    with pytest.warns(report.FigureLayoutWarning, match="figure 'tett': drawn over each other: 'Første tekst' and 'Andre tekst'"):
        report.figure(fig, name="tett", caption="C.", alt="a", data=pd.DataFrame({"a": [1.0]}))


def test_legends_over_data_finds_a_legend_inside_the_plot_that_covers_a_line():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 10], [10, 0], label="Synkende")  # through the lower right corner
    ax.plot([0, 10], [10, 10], label="Flat øverst")
    ax.legend(loc="lower right")
    fig.canvas.draw()
    assert report.legends_over_data(fig) == [("<legend>", "Synkende")]
    ax.get_legend().remove()
    fig.legend(loc="outside lower center")  # under the figure: covers nothing
    fig.canvas.draw()
    assert report.legends_over_data(fig) == []
    plt.close(fig)
