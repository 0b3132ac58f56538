"""Maps of the counties and municipalities: the front page map and the two maps of a county page.

* :func:`front_page_map` — the 15 counties coloured by the newest *final* NEET share on
  today's borders (the same figure as each county page's headline), Fisher–Jenks classes,
  each county a link to its page, plus the plain list «Finn ditt fylke». Written by the
  build as an HTML fragment that ``book/index.md`` includes (the front page is Markdown
  and is not executed).
* :func:`locator_map` — a small map of Norway with the county marked.
* :func:`municipality_map` — the county's municipalities coloured by their share over the
  last three years (:func:`municipality_averages`), in classes common to the whole country
  (quantiles of all municipalities), so colours mean the same on every county page.
  Municipalities with few young residents are hatched and marked «usikker», not hidden.

The county maps are :class:`MapFigure` objects for :func:`neethelpers.presentation.report.figure`
(``show(county)`` shows both), each with caption, alt text and the data drawn.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass

import pandas as pd

from neethelpers import data
from neethelpers.presentation import fmt, maps
from neethelpers.registry import counties
from neethelpers.series import county as county_series, small_areas

COUNTY_BOUNDARIES = "kartverket_fylker_2024"
MUNICIPALITY_BOUNDARIES = "kartverket_kommuner_2024"
#: Years pooled for the municipality map (noise in small municipalities), as on the page.
AVERAGE_YEARS = small_areas.N_YEARS
COUNTY_CLASSES = 5
MUNICIPALITY_CLASSES = 5
#: Simplification tolerance in pixels of the drawing (sub-pixel: invisible, but small files).
TOLERANCE_PX = 0.6


@dataclass(frozen=True)
class MapFigure:
    """A map ready for ``report.figure(m.svg, name=m.name, caption=m.caption, alt=m.alt, data=m.data)``."""

    svg: str
    name: str
    caption: str
    alt: str
    data: pd.DataFrame

    def show(self) -> None:
        from neethelpers.presentation import report

        report.figure(self.svg, name=self.name, caption=self.caption, alt=self.alt, data=self.data)


# --- geometry (projected once per process) ----------------------------------------------

@functools.lru_cache(maxsize=2)
def _projected(dataset_id: str) -> tuple[tuple[str, ...], tuple]:
    frame = data.load(dataset_id)
    return tuple(frame["region_code"]), tuple(maps.project(frame["geometry"]))


def county_geometries() -> dict[str, object]:
    codes, geoms = _projected(COUNTY_BOUNDARIES)
    return dict(zip(codes, geoms))


def municipality_geometries() -> dict[str, object]:
    codes, geoms = _projected(MUNICIPALITY_BOUNDARIES)
    return dict(zip(codes, geoms))


def _simplified(geoms: dict[str, object], width: float) -> dict[str, object]:
    import shapely

    minx, miny, maxx, maxy = shapely.total_bounds(list(geoms.values()))
    metres_per_px = (maxx - minx) / width
    tol = TOLERANCE_PX * metres_per_px
    simple = maps.simplify(list(geoms.values()), tol, min_part_area=(1.2 * metres_per_px) ** 2)
    return dict(zip(geoms, simple))


# --- values ---------------------------------------------------------------------------------

def county_values(year: int | None = None) -> pd.DataFrame:
    """The newest final share of every county on today's borders (``year``: another year):
    county_code, county_name, slug, year, residents, neet, share, release, rank."""
    rank = county_series.ranking(year)
    slug = {c.code: c.slug for c in counties.current_counties()}
    out = rank.assign(slug=rank["county_code"].map(slug))
    cols = ["county_code", "county_name", "slug", "year", "residents", "neet", "share", "release", "rank"]
    order = {c.code: i for i, c in enumerate(counties.current_counties())}
    return out[cols].sort_values("county_code", key=lambda s: s.map(order)).reset_index(drop=True)


@functools.lru_cache(maxsize=2)
def _municipality_averages(last_year: int | None) -> pd.DataFrame:
    frames = []
    for county in counties.current_counties():
        m = small_areas.three_year(county.code, last_year)
        used = [u.split(", ") for u in m["years_used"]]
        n_years = pd.Series([len(u) for u in used], index=m.index)
        frames.append(pd.DataFrame({
            "municipality_code": m["municipality_code"],
            "municipality_name": m["municipality_name"],
            "county_code": county.code,
            "years": [fmt.year_range(int(u[0]), int(u[-1])) if len(u) > 1 else u[0] for u in used],
            "n_years": n_years,
            "residents_total": m["residents"],
            "neet_total": m["neet"],
            "residents_per_year": m["residents"] / n_years,
            "share": m["share"],
            "preliminary_year_included": [any(int(y) in m.attrs["preliminary"] for y in u) for u in used],
        }))
    df = pd.concat(frames, ignore_index=True)
    df["small"] = df["residents_per_year"] < county_series.SMALL_MUNICIPALITY_RESIDENTS
    return df.sort_values("municipality_code").reset_index(drop=True)


def municipality_averages(county_code: str | None = None, last_year: int | None = None) -> pd.DataFrame:
    """Every municipality of today (2024 numbers) with its NEET share pooled over the last
    three years, as the county page's municipality section computes it
    (:func:`neethelpers.series.small_areas.three_year`: the NEET persons of those years
    divided by the residents of those years; a year in which a predecessor was later split
    is left out, never divided). ``n_years`` says how many years are behind a value.

    Columns: municipality_code, municipality_name, county_code, years, n_years,
    residents_total, neet_total, residents_per_year, share, preliminary_year_included,
    small (fewer than :data:`~neethelpers.series.county.SMALL_MUNICIPALITY_RESIDENTS`
    residents 15–29 per year: uncertain).
    """
    df = _municipality_averages(last_year)
    if county_code is not None:
        code = counties.by_code(county_code).code
        df = df[df["county_code"] == code].reset_index(drop=True)
    return df.copy()


def municipality_classes() -> maps.Classes:
    """Quantile classes of all municipalities' pooled shares (the same on every county page)."""
    return maps.classify(municipality_averages()["share"], k=MUNICIPALITY_CLASSES, scheme="Quantiles")


# --- the front page -------------------------------------------------------------------------

FRONT_WIDTH = 400


def _county_title(rec) -> str:
    return f"{rec.county_name}: {fmt.percent(rec.share)} i {rec.year}"


def front_page_svg(link_base: str = "generated/fylker/", year: int | None = None) -> tuple[str, pd.DataFrame, maps.Classes]:
    """The county map (inline SVG with links ``{link_base}{slug}.html``), its values and classes."""
    values = county_values(year)
    classes = maps.classify(values["share"], k=COUNTY_CLASSES, scheme="FisherJenks")
    geoms = _simplified(county_geometries(), FRONT_WIDTH)
    areas = [
        maps.Area(code=rec.county_code, geometry=geoms[rec.county_code], fill=classes.colour(rec.share),
                  title=_county_title(rec), href=f"{link_base}{rec.slug}.html")
        for rec in values.itertuples(index=False)
    ]
    year_shown = int(values["year"].iloc[0])
    legend = maps.legend_for(classes, f"Andel {year_shown}", position="inside")
    svg = maps.svg_map(
        areas, width=FRONT_WIDTH, legend=legend, prefix="fylkeskart", element_id="fylkeskart",
        title=f"Kart: andel unge 15–29 år utenfor arbeid, utdanning og tiltak per fylke, {year_shown}",
        description=(f"Norgeskart med de {len(values)} fylkene farget etter andelen unge utenfor i {year_shown}, "
                     f"i {classes.k} klasser fra lys (lav andel) til mørk (høy andel). Hvert fylke er en lenke til "
                     "fylkets side; tallene står også i lista «Finn ditt fylke»."),
    )
    return svg, values, classes


def front_page_map(link_base: str = "generated/fylker/", year: int | None = None) -> str:
    """HTML fragment for the front page: the linked county map with caption, and the list
    «Finn ditt fylke» linking every county page (with its share), for readers who do not
    use the map."""
    svg, values, classes = front_page_svg(link_base, year)
    year_shown = int(values["year"].iloc[0])
    esc = html.escape
    items = "\n".join(
        f'<li><a href="{esc(link_base)}{esc(rec.slug)}.html">{esc(rec.county_name)}</a> '
        f"<span class=\"neet-share\">{esc(fmt.percent(rec.share))}</span></li>"
        for rec in values.sort_values("county_name", key=lambda s: s.map(counties.fold)).itertuples(index=False)
    )
    caption = (
        f"Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak per fylke i {year_shown} "
        f"(SSBs endelige tall, dagens fylkesgrenser), {classes.describe()}. Velg et fylke i kartet eller i lista "
        f"for å gå til fylkets side. {data.source_of(county_series.MUNICIPALITY)}, kommunetall summert per fylke. "
        f"{maps.ATTRIBUTION}."
    )
    return (
        '<div class="neet-front-map">\n'
        f'<figure class="neet-map" aria-labelledby="fylkeskart-caption">\n{svg}\n'
        f'<figcaption id="fylkeskart-caption">{esc(caption)}</figcaption>\n</figure>\n'
        '<nav class="neet-county-list" aria-labelledby="finn-ditt-fylke">\n'
        '<h2 id="finn-ditt-fylke">Finn ditt fylke</h2>\n'
        f'<ul style="columns: 11rem;">\n{items}\n</ul>\n</nav>\n</div>\n'
    )


# --- a county page ----------------------------------------------------------------------------

LOCATOR_WIDTH = 160
MUNICIPALITY_WIDTH = 400


def locator_map(county: str) -> MapFigure:
    """A small map of Norway with ``county`` filled and outlined, the others light grey."""
    c = counties.resolve(county)
    geoms = _simplified(county_geometries(), LOCATOR_WIDTH)
    areas = [maps.Area(code=code, geometry=g, fill=maps.HIGHLIGHT_COLOUR if code == c.code else maps.CONTEXT_COLOUR,
                       emphasis=code == c.code) for code, g in geoms.items()]
    svg = maps.svg_map(areas, width=LOCATOR_WIDTH, title=f"{c.name} på Norgeskartet",
                       description=f"Norgeskart der {c.name} er markert med blått.", attribution="",
                       prefix="lokator", border_width=0.4)
    values = county_values()
    return MapFigure(
        svg=svg, name="lokatorkart",
        caption=(f"{c.name} (blått) blant de {len(geoms)} fylkene fra 2024. {maps.ATTRIBUTION}."),
        alt=f"Lite norgeskart der {c.name} er markert med blått og de andre fylkene er grå.",
        data=values.loc[values["county_code"] == c.code, ["county_code", "county_name", "year", "share"]],
    )


def municipality_map(county: str) -> MapFigure:
    """The county's municipalities coloured by their pooled share of the last three years
    (national quantile classes); small municipalities hatched and marked «usikker»."""
    c = counties.resolve(county)
    avg = municipality_averages(c.code)
    classes = municipality_classes()
    all_geoms = municipality_geometries()
    codes = sorted(code for code in all_geoms if code[:2] == c.code)
    geoms = _simplified({code: all_geoms[code] for code in codes}, MUNICIPALITY_WIDTH)
    by_code = avg.set_index("municipality_code")
    areas = []
    for code in codes:
        if code in by_code.index:
            rec = by_code.loc[code]
            flag = " (usikker: få unge innbyggere)" if rec["small"] else ""
            areas.append(maps.Area(code=code, geometry=geoms[code], fill=classes.colour(rec["share"]),
                                   hatched=bool(rec["small"]),
                                   title=f"{rec['municipality_name']}: {fmt.percent(rec['share'])} ({rec['years']}){flag}"))
        else:
            areas.append(maps.Area(code=code, geometry=geoms[code], fill=maps.NO_DATA_COLOUR,
                                   title=f"{code}: ingen tall"))
    missing = [a.code for a in areas if a.fill == maps.NO_DATA_COLOUR]
    years = _years_text(avg)
    limit = fmt.number(county_series.SMALL_MUNICIPALITY_RESIDENTS)
    legend = maps.legend_for(classes, f"Andel {years}, alle kommuner i landet",
                             hatched_label=f"usikker (under {limit} unge)" if avg["small"].any() else None,
                             no_data=bool(missing))
    svg = maps.svg_map(areas, width=MUNICIPALITY_WIDTH, legend=legend, prefix="kommunekart",
                       title=f"Kart over kommunene i {c.name}: andel unge utenfor, {years}",
                       description=(f"Kommunene i {c.name} farget etter andelen unge 15–29 år utenfor arbeid, "
                                    f"utdanning og tiltak i {years}."))
    n_small = int(avg["small"].sum())
    partial = avg[avg["n_years"] < AVERAGE_YEARS]
    caption = (
        f"Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak i kommunene i {c.name}, "
        f"{years} samlet (alle utenfor delt på alle bosatte i de {AVERAGE_YEARS} årene). Fargeklassene er "
        f"{classes.describe().replace(' (mapclassify)', '')} for alle landets kommuner, så fargene betyr det samme "
        "på alle fylkessidene."
    )
    if n_small:
        caption += (f" Skravert: usikre tall, kommuner med færre enn {limit} unge innbyggere i snitt per år "
                    f"({n_small} av {len(avg)}); de er vist, ikke skjult.")
    if len(partial):
        caption += (" Der en kommune ble delt i perioden, bygger tallet bare på årene etter delingen: "
                    + ", ".join(f"{r.municipality_name} ({r.years})" for r in partial.itertuples(index=False)) + ".")
    if missing:
        caption += " Grå: ingen tall."
    if avg["preliminary_year_included"].any():
        caption += " Det siste året er SSBs foreløpige tall."
    caption += f" {data.source_of(county_series.MUNICIPALITY)}. {maps.ATTRIBUTION}."
    if len(avg) == 1:
        spread = f" Andelen er {fmt.percent(avg['share'].iloc[0])}."
    elif len(avg):
        hi = avg.loc[avg["share"].idxmax()]
        lo = avg.loc[avg["share"].idxmin()]
        spread = (f" Andelen varierer fra {fmt.percent(lo['share'])} i {lo['municipality_name']} til "
                  f"{fmt.percent(hi['share'])} i {hi['municipality_name']}.")
    else:  # pragma: no cover - every county has municipalities
        spread = ""
    what = (f"{c.name}, som er én kommune" if len(codes) == 1 else f"de {len(codes)} kommunene i {c.name}")
    alt = (f"Kart over {what}, farget fra lys (lav andel unge utenfor) til mørk "
           f"(høy andel).{spread} Tallene for hver kommune står i tabellen og i CSV-fila.")
    shown = avg[["municipality_code", "municipality_name", "years", "n_years", "residents_total", "neet_total",
                 "share", "small"]]
    return MapFigure(svg=svg, name="kommunekart", caption=caption, alt=alt, data=shown)


def _years_text(avg: pd.DataFrame) -> str:
    full = avg.loc[avg["n_years"] == avg["n_years"].max(), "years"]
    return str(full.iloc[0]) if len(full) else ""


def show(county: str) -> None:
    """Show the locator map and the municipality map of ``county`` as numbered figures."""
    locator_map(county).show()
    municipality_map(county).show()
