"""The printable county profile: one self-contained A4 HTML document per county.

In the spirit of the public-health institute's county profiles (four pages that a
municipality can attach to its planning documents): headline and key figures, a locator
map, the trend against the national level, the county barometer, the municipality map and
table, what works according to the research, and the sources with the date the profile
was made. The build prints it to ``_build/html/pdf/<slug>.pdf`` with headless Chromium
(:mod:`neethelpers.build.pdf`); the HTML uses only inline CSS and inline SVG, so it prints
the same anywhere.

Every number comes from the same functions as the county page (the headline share is
formatted by the same call), so the profile and the page always agree.
"""

from __future__ import annotations

import datetime as _dt
import html
import io

import pandas as pd

from neethelpers import data
from neethelpers.chapters import county_maps
from neethelpers.presentation import fmt, maps
from neethelpers.registry import counties
from neethelpers.series import barometer, county as county_series, literature, national

#: Evidence strengths of the measures shown under «Hva virker?».
WHAT_WORKS_STRENGTHS = ("sterk", "moderat")

_CSS = """
@page { size: A4; margin: 13mm 14mm 14mm 14mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "DejaVu Sans", system-ui, Arial, sans-serif; font-size: 9.5pt; line-height: 1.35;
       color: #1a1a1a; margin: 0; }
h1 { font-size: 19pt; margin: 0 0 1mm 0; color: #00466e; }
h2 { font-size: 12pt; margin: 5mm 0 1.5mm 0; color: #00466e; border-bottom: 0.6pt solid #00466e;
     break-after: avoid; }
p { margin: 0 0 2mm 0; }
.sub { font-size: 10.5pt; color: #444; margin-bottom: 3mm; }
.top { display: flex; gap: 6mm; align-items: flex-start; }
.top .text { flex: 1; }
.keys { display: grid; grid-template-columns: repeat(3, 1fr); gap: 2.5mm; margin: 2mm 0 3mm 0; }
.key { border: 0.6pt solid #9bb7cc; border-radius: 2mm; padding: 2mm 2.5mm; background: #f2f7fb; }
.key .v { font-size: 15pt; font-weight: bold; color: #00466e; display: block; }
.key .l { font-size: 8.5pt; color: #333; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin-bottom: 2mm; }
th, td { border-bottom: 0.4pt solid #c8c8c8; padding: 0.8mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #e6eef4; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; }
.cols { column-count: 2; column-gap: 6mm; }
.cols table { break-inside: auto; }
.figure { break-inside: avoid; margin: 1mm 0 2mm 0; }
.figure svg { max-width: 100%; height: auto; }
.caption { font-size: 8pt; color: #444; }
.note { font-size: 8.5pt; background: #fff8e5; border-left: 1.2mm solid #e69f00; padding: 1.5mm 2.5mm; margin: 2mm 0; }
.sources { font-size: 8pt; color: #333; }
.sources li { margin-bottom: 0.8mm; }
.mapflex { display: flex; gap: 5mm; align-items: flex-start; }
.mapflex .figure { flex: 0 0 82mm; }
.mapflex .table { flex: 1; }
"""


def _esc(text) -> str:
    return html.escape(str(text), quote=True)


def _svg_of(fig) -> str:
    """A matplotlib figure as inline SVG text (text kept as text, so it is searchable)."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
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


def headline_sentence(head: county_series.Headline) -> str:
    """The first sentence of the county page, with the same numbers and formatting."""
    comparison = (f"det samme som landsgjennomsnittet på {fmt.percent(head.national_share)}" if head.direction == "lik"
                  else f"{fmt.points(abs(head.diff_shown))} {head.direction} landet som helhet "
                       f"({fmt.percent(head.national_share)})")
    return (f"I {head.year} var {fmt.percent(head.share)} av de unge i alderen 15–29 år i {head.county_name} utenfor "
            f"arbeid, utdanning og arbeidsmarkedstiltak — {fmt.count(head.neet)} av {fmt.count(head.residents)} unge "
            f"bosatte. Det er {comparison}. Blant de {head.n_counties} fylkene hadde {head.county_name} "
            f"{county_series.rank_text(head.rank, head.n_counties)}.")


def _trend_svg(county: counties.County) -> str:
    from neethelpers.presentation import charts

    trend = county_series.county_vs_national(county.code)
    fig = charts.lines(trend, hue="area", ylabel="Andel av bosatte 15–29 år (%)",
                       breaks=((national.REGISTER_BREAK_YEAR, "brudd 2014/2015"),),
                       colours={county.name: charts.HIGHLIGHT, counties.NATIONAL_NAME: "#000000"},
                       styles={counties.NATIONAL_NAME: "--"}, figsize=(7.2, 2.9))
    return _svg_of(fig)


def _municipality_table(county: counties.County) -> str:
    avg = county_maps.municipality_averages(county.code).sort_values("share", ascending=False)
    shown = pd.DataFrame({
        "Kommune": avg["municipality_name"],
        "Andel (%)": [fmt.number(v, 1) for v in avg["share"]],
        "Merknad": ["usikker" if s else ("bare " + y if n < county_maps.AVERAGE_YEARS else "")
                    for s, n, y in zip(avg["small"], avg["n_years"], avg["years"])],
    })
    return _table(shown, numeric=("Andel (%)",))


def _barometer_table(county: counties.County) -> tuple[str, list[str]]:
    baro = barometer.barometer(county.code)
    t = baro.table
    shown = pd.DataFrame({
        "Indikator": t["Indikator"], "År": t["År"], "Område": t["Område"],
        "Fylket": [fmt.number(v, 1) for v in t["Fylket"]], "Landet": [fmt.number(v, 1) for v in t["Landet"]],
        "Forskjell": [fmt.signed(v) for v in t["Differanse"]], "Vurdering": t["Vurdering"],
    })
    return _table(shown, numeric=("Fylket", "Landet", "Forskjell")), list(baro.missing)


def _what_works() -> str:
    iv = literature.load_interventions()
    shown = literature.interventions_display(iv)
    shown = shown[shown["Kunnskapsgrunnlag"].isin(WHAT_WORKS_STRENGTHS)]
    return _table(shown[["Tiltak", "Virkning", "Kunnskapsgrunnlag", "Studie"]])


def profile_html(county: str, *, page_href: str = "", made: _dt.date | None = None) -> str:
    """The complete profile of ``county`` as an HTML document (A4, for print-to-PDF).

    ``page_href`` is the address of the county's page in the book (printed as a link);
    ``made`` the date printed as the profile's date (default: today).
    """
    c = counties.resolve(county)
    made = made or _dt.date.today()
    head = county_series.headline(c.code)
    locator = county_maps.locator_map(c.code)
    muni_map = county_maps.municipality_map(c.code)
    baro_html, baro_missing = _barometer_table(c)
    preliminary = ""
    if head.preliminary_year is not None:
        preliminary = (f"Tallene for {head.year} er SSBs endelige tall. For {head.preliminary_year} finnes foreløpige "
                       f"tall: {fmt.percent(head.preliminary_share)} ({fmt.count(head.preliminary_neet)} personer).")
    keys = [
        (fmt.percent(head.share), f"unge 15–29 år utenfor i {head.year}"),
        (fmt.count(head.neet), f"personer utenfor i {head.year}, av {fmt.count(head.residents)} bosatte"),
        (fmt.percent(head.national_share), f"hele landet i {head.year}"),
        (fmt.signed(head.diff_shown) + " poeng", "forskjell fra landet (prosentpoeng)"),
        (f"{head.rank} av {head.n_counties}", "plass blant fylkene (1 = lavest andel)"),
        (str(len(county_maps.municipality_averages(c.code))), "kommuner i fylket"),
    ]
    key_html = "".join(f'<div class="key"><span class="v">{_esc(v)}</span><span class="l">{_esc(lbl)}</span></div>'
                       for v, lbl in keys)
    sources = [data.source_of(county_series.MUNICIPALITY), data.source_of(county_series.IMMIGRANT_OWN_BORDERS),
               data.source_of(barometer.VGO), data.source_of(barometer.NAV),
               "Tiltak: kunnskapsoppsummeringen om unge utenfor arbeid og utdanning (NORCE), slik boka gjengir den "
               "i kapitlet «Risikofaktorer i forskningen»",
               f"{maps.ATTRIBUTION}"]
    link = (f' Hele fylkessiden med flere tall og nedlastbare data: <a href="{_esc(page_href)}">{_esc(page_href)}</a>.'
            if page_href else "")
    missing_html = "".join(f"<li>{_esc(s)}</li>" for s in baro_missing)
    gap = county_series.gap_note()
    return f"""<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<title>Fylkesprofil {_esc(c.name)}: unge utenfor arbeid og utdanning</title>
<style>{_CSS}</style>
</head>
<body>
<header class="top">
<div class="text">
<h1>Fylkesprofil: {_esc(c.name)}</h1>
<p class="sub">Unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak (NEET) · laget {_esc(fmt.date(made))}</p>
<p class="headline">{_esc(headline_sentence(head))}</p>
{f'<p class="note">{_esc(preliminary)}</p>' if preliminary else ''}
</div>
<div class="figure" style="flex: 0 0 34mm">{locator.svg}</div>
</header>
<section class="keys" aria-label="Nøkkeltall">{key_html}</section>

<h2>Utviklingen {_esc(county_series.county_series()['year'].min())}–{_esc(county_series.county_series()['year'].max())}</h2>
<div class="figure">{_trend_svg(c)}
<p class="caption">Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak i {_esc(c.name)} (dagens
fylkesgrenser, kommunene summert) og hele landet (stiplet). Åpne punkter: foreløpige tall. Brudd i SSBs statistikk
mellom 2014 og 2015. {_esc(gap)}</p></div>

<h2>Fylkesbarometer</h2>
<p>{_esc(c.name)} sammenlignet med hele landet. «Bedre» og «dårligere» leses av tallene med én desimal; det er ikke
beregnet statistisk usikkerhet, så små forskjeller bør ikke tillegges vekt.</p>
{baro_html}
{f'<ul class="caption">{missing_html}</ul>' if missing_html else ''}

<h2>Kommunene</h2>
<div class="mapflex">
<div class="figure">{muni_map.svg}<p class="caption">{_esc(muni_map.caption)}</p></div>
<div class="table">{_municipality_table(c)}</div>
</div>

<h2>Hva virker?</h2>
<p>Tiltak for unge utenfor arbeid og utdanning der norsk forskning har et sterkt eller moderat kunnskapsgrunnlag,
etter kunnskapsoppsummeringen som boka bygger på. «Virkning» sier hva studiene fant — også når tiltaket ikke
virket eller virket mot sin hensikt.</p>
{_what_works()}

<h2>Kilder og om tallene</h2>
<ul class="sources">{''.join(f'<li>{_esc(s)}</li>' for s in sources)}</ul>
<p class="sources">{_esc(county_series.REAGGREGATION_NOTE)} Profilen er laget {_esc(fmt.date(made))} av
NEET-rapportboka fra de samme dataene og funksjonene som fylkessiden.{link}</p>
</body>
</html>
"""
