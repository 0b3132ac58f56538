"""The printable county profile: one self-contained A4 HTML document per county.

In the spirit of the public-health institute's county profiles (four pages that a
municipality can attach to its planning documents): headline and key figures, a locator
map, the trend against the national level, the county barometer, the municipality map and
table, what works according to the research, and the sources with the date the profile
was made. The build prints it to ``_build/html/pdf/<slug>.pdf`` with headless Chromium
(:mod:`neethelpers.build.pdf`); the HTML uses only inline CSS and inline SVG, so it prints
the same anywhere.

The sections and their glued values are those of the county page
(:func:`neethelpers.chapters.county_profile.profile`), so the profile and the page always agree.
"""

from __future__ import annotations

import datetime as _dt
import html
import io
import re

import pandas as pd

from neethelpers import data
from neethelpers.chapters import county_maps, county_profile
from neethelpers.presentation import fmt, maps
from neethelpers.registry import counties
from neethelpers.series import barometer, county as county_series, national

_CSS = """
@page { size: A4; margin: 13mm 14mm 14mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", system-ui, Arial, sans-serif; font-size: 9.5pt; line-height: 1.35;
       color: #1a1a1a; margin: 0; }
h1 { font-size: 19pt; margin: 0 0 1mm 0; color: #00466e; }
h2 { font-size: 12pt; margin: 3.5mm 0 1.2mm 0; color: #00466e; border-bottom: 0.6pt solid #00466e;
     break-after: avoid; }
p { margin: 0 0 2mm 0; }
.sub { font-size: 10.5pt; color: #444; margin-bottom: 3mm; }
.top { display: flex; gap: 6mm; align-items: flex-start; }
.top .text { flex: 1; }
.keys { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2.5mm; margin: 2mm 0 3mm 0; }
.key { border: 0.6pt solid #9bb7cc; border-radius: 2mm; padding: 2mm 2.5mm; background: #f2f7fb; }
.key .v { font-size: 15pt; font-weight: bold; color: #00466e; display: block; }
.key .l { font-size: 8.5pt; color: #333; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin-bottom: 2mm; }
th, td { border-bottom: 0.4pt solid #c8c8c8; padding: 0.5mm 1.2mm; text-align: left; vertical-align: top; }
th { background: #e6eef4; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; }
.cols { column-count: 2; column-gap: 6mm; }
.cols table { break-inside: auto; }
.figure { break-inside: avoid; margin: 1mm 0 2mm 0; }
.figure svg { max-width: 100%; height: auto; }
.caption { font-size: 7.5pt; color: #444; margin-bottom: 1mm; }
.note { font-size: 8.5pt; background: #fff8e5; border-left: 1.2mm solid #e69f00; padding: 1.5mm 2.5mm; margin: 2mm 0; }
.sources { font-size: 8pt; color: #333; }
.sources li { margin-bottom: 0.8mm; }
.mapflex { display: flex; gap: 5mm; align-items: flex-start; }
.mapflex .figure { flex: 0 0 80mm; }
.mapflex .figure svg { max-height: 110mm; width: auto; }
.mapflex .table { flex: 1; }
"""


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _svg_of(fig) -> str:
    """A matplotlib figure as inline SVG text (text kept as text, so it is searchable)."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    # a random salt for the SVG's internal ids: the profile puts several SVGs into one HTML
    # document, and ids hashed from equal content with a fixed salt would be duplicated there
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": None}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _table(df: pd.DataFrame, numeric: tuple[str, ...] = ()) -> str:
    head = "".join(f'<th{" class=num" if c in numeric else ""}>{_esc(c)}</th>' for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = "".join(f'<td{" class=num" if c in numeric else ""}>{_esc(v)}</td>' for c, v in zip(df.columns, rec))
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


_GLUE = re.compile(r"\{glue:md\}`([^`]+)`")
_ROLE = re.compile(r"\{[a-z:]+\}`([^`<]+?)\s*(?:<[^>]*>)?`")


def _inline(text: str, glue: dict[str, str]) -> str:
    """One line of the sections' MyST Markdown as HTML: glued values filled in, roles
    (``{ref}`text <target>```) reduced to their text, ``**bold**`` kept."""
    text = _GLUE.sub(lambda m: glue.get(m.group(1), m.group(0)), text)
    text = _ROLE.sub(lambda m: m.group(1), text)
    text = _esc(text)
    return re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)


def _markdown(text: str, glue: dict[str, str]) -> str:
    """Paragraphs and bullet lists of a section's text as HTML."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        if lines and all(ln.startswith("- ") for ln in lines):
            out.append("<ul>" + "".join(f"<li>{_inline(ln[2:], glue)}</li>" for ln in lines) + "</ul>")
        elif block.strip():
            out.append(f"<p>{_inline(' '.join(lines), glue)}</p>")
    return "\n".join(out)


def _section(section: county_profile.Section, *, tables: bool = True, notes: bool = True,
             heading: str | None = None, text: bool = True, columns: list[str] | None = None,
             two_columns: bool = False) -> str:
    """A page section as HTML; ``columns`` keeps only those table columns (those that exist)
    to fit A4, ``two_columns`` sets a long table in two columns."""
    from neethelpers.presentation import report

    parts = []
    title = section.heading if heading is None else heading
    if title:
        parts.append(f"<h2>{_esc(title)}</h2>")
    if text and section.text:
        parts.append(_markdown(section.text, section.glue))
    if tables:
        for t in section.tables:
            frame = t.frame if columns is None else t.frame[[c for c in columns if c in t.frame.columns]]
            table = _table(report.format_frame(frame))
            parts.append(f'<div class="cols">{table}</div>' if two_columns else table)
    if notes:
        parts += [f'<p class="caption">{_inline(n, section.glue)}</p>' for n in section.notes]
        parts += [f'<p class="caption">{_inline(n, section.glue)}</p>' for n in section.missing]
    return "\n".join(parts)


def _trend_svg(county: counties.County) -> str:
    from neethelpers.presentation import charts

    trend = county_series.county_vs_national(county.code)
    fig = charts.lines(trend, hue="area", ylabel="Andel av bosatte 15–29 år (%)",
                       breaks=((national.REGISTER_BREAK_YEAR, "brudd 2014/2015"),),
                       colours={county.name: charts.HIGHLIGHT, counties.NATIONAL_NAME: "#000000"},
                       styles={counties.NATIONAL_NAME: "--"}, figsize=(7.2, 2.3))
    return _svg_of(fig)


#: Tighter type for a profile that would otherwise run over four pages.
_COMPACT_CSS = """
body { font-size: 8.6pt; line-height: 1.28; }
table { font-size: 7.3pt; }
.caption { font-size: 7pt; }
h2 { margin-top: 2.5mm; }
.mapflex .figure svg { max-height: 90mm; }
"""


def page_link(county_name: str, page_href: str) -> str:
    """The closing sentence that sends the reader to the county's page (HTML, with a leading
    space). A web address is printed in full, so a reader of the paper copy can type it.
    Without one (the book's public address is not configured) the sentence names the page
    and links nothing: a relative link means nothing on paper, and Chromium would turn it
    into a ``file://`` link to the builder's own disk."""
    if re.match(r"https?://", page_href):
        return f' Hele fylkessiden med flere tall og nedlastbare data: <a href="{_esc(page_href)}">{_esc(page_href)}</a>.'
    return f" Flere tall og nedlastbare data står på fylkessiden for {_esc(county_name)} i NEET-rapportboka."


def profile_html(county: str, *, page_href: str = "", made: _dt.date | None = None, compact: bool = False) -> str:
    """The complete profile of ``county`` as an HTML document (A4, for print-to-PDF).

    The sections are those of the county page (:func:`neethelpers.chapters.county_profile.profile`),
    with the same glued values, so the headline and key figures read exactly as on the page.
    ``page_href`` is the address of the county's page (see :func:`page_link`); ``made`` the date
    printed as the profile's date (default: today); ``compact`` sets smaller type (the build
    uses it when the normal profile runs over four pages).
    """
    c = counties.resolve(county)
    made = made or _dt.date.today()
    prof = county_profile.profile(c.code)
    head = county_series.headline(c.code)
    kf = prof.key_figures
    locator = county_maps.locator_map(c.code)
    muni_map = county_maps.municipality_map(c.code)
    series = county_series.county_series()
    preliminary = ""
    if head.preliminary_year is not None:
        preliminary = (f"Tallene for {head.year} er SSBs endelige tall. For {head.preliminary_year} finnes foreløpige "
                       f"tall: {fmt.percent(head.preliminary_share)} ({fmt.count(head.preliminary_neet)} personer).")
    sources = [data.source_of(county_series.MUNICIPALITY), data.source_of(county_series.IMMIGRANT_OWN_BORDERS),
               data.source_of(barometer.VGO), data.source_of(barometer.NAV),
               "Hva virker: funnene og tiltakene i bokas kapittel «Risikofaktorer i forskningen»",
               maps.ATTRIBUTION]
    link = page_link(c.name, page_href)
    gap = county_series.gap_note()
    return f"""<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<title>Fylkesprofil {_esc(c.name)}: unge utenfor arbeid og utdanning</title>
<style>{_CSS}{_COMPACT_CSS if compact else ""}</style>
</head>
<body>
<header class="top">
<div class="text">
<h1>Fylkesprofil: {_esc(c.name)}</h1>
<p class="sub">Unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak (NEET) · laget {_esc(fmt.date(made))}</p>
{_markdown(kf.text, kf.glue)}
{f'<p class="note">{_esc(preliminary)}</p>' if preliminary else ''}
</div>
<div class="figure" style="flex: 0 0 34mm">{locator.svg}</div>
</header>
{_section(kf, heading="Nøkkeltall", text=False)}

<h2>Utviklingen {_esc(series['year'].min())}–{_esc(series['year'].max())}</h2>
<div class="figure">{_trend_svg(c)}
<p class="caption">Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak i {_esc(c.name)} (dagens
fylkesgrenser, kommunene summert) og hele landet (stiplet). Åpne punkter: foreløpige tall. Brudd i SSBs statistikk
mellom 2014 og 2015. {_esc(gap)}</p></div>
{_section(prof.trend, tables=False, heading="")}

{_section(prof.barometer, columns=[c for c in prof.barometer.tables[0].frame.columns if "kilde" not in c.lower()])}

<h2>Kommunene</h2>
<div class="mapflex">
<div class="figure">{muni_map.svg}</div>
<div class="table"><p class="caption">{_esc(muni_map.caption)}</p>
{_markdown(prof.municipalities.text, prof.municipalities.glue)}</div>
</div>
{_section(prof.municipalities, heading="", text=False, two_columns=True,
          columns=["Kommune", "Andel (95 % KI)", "Sammenlignet med fylket"])}

{_section(prof.what_works)}

<h2>Kilder og om tallene</h2>
<ul class="sources">{''.join(f'<li>{_esc(s)}</li>' for s in sources)}</ul>
<p class="sources">{_esc(county_series.REAGGREGATION_NOTE)} Profilen er laget {_esc(fmt.date(made))} av
NEET-rapportboka fra de samme dataene og funksjonene som fylkessiden.{link}</p>
</body>
</html>
"""
