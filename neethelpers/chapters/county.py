"""One county page (``notebooks/04_county.ipynb``): what the page shows, as glued text,
numbered figures and tables.

The notebook holds the headings and the prose (Markdown cells with ``{glue:md}`` values);
each of its code cells is one call here. :func:`setup` glues every value the prose uses,
including the sentences whose wording depends on the county (whether it has predecessors,
a newer preliminary year, small municipalities, figures in the analysis note), so the
notebook has no ``if``. The ``show_*`` functions draw one part of the page each.

The long-term NEET part depends on the run's ``data_source`` (see :mod:`neethelpers.chapters.longterm`):
without microdata (the default edition) it shows only the analysis note's published figures and
how to get register figures; with a real data file it shows them computed from that file; the
synthetic cohort appears only on the demonstration page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neethelpers import data
from neethelpers.chapters import county_profile, longterm
from neethelpers.presentation import charts, fmt, report
from neethelpers.registry import counties
from neethelpers.series import county as county_series, national


@dataclass
class Page:
    """What the parts of one county page share."""

    county: counties.County
    series: pd.DataFrame
    national_series: pd.DataFrame
    first_year: int
    last_year: int
    head: county_series.Headline
    profile: county_profile.Profile
    data_source: str = longterm.NO_MICRODATA

    @property
    def demonstration(self) -> bool:
        """The example page of the demonstration part (long-term NEET on the synthetic cohort)."""
        return str(self.data_source).strip().lower() == longterm.d.SYNTHETIC


def setup(county: str, data_source: str = longterm.NO_MICRODATA) -> Page:
    """Resolve ``county``, set up the page and glue every value of the page's prose. The
    demonstration page (``data_source="synthetic"``) gets its own label prefix, so its figures
    and tables never share a name with the county's ordinary page."""
    selected = counties.resolve(county)
    series = county_series.county_series()
    nat = county_series.national_series()
    head = county_series.headline(selected.code)
    page = Page(selected, series, nat, int(series["year"].min()), int(series["year"].max()), head,
                county_profile.profile(selected.code), data_source)
    report.setup(page=f"{selected.slug}-syntetisk" if page.demonstration else selected.slug)

    report.glue_text("county_name", selected.name)
    report.glue_text("first_year", str(page.first_year))
    report.glue_text("last_year", str(page.last_year))
    report.glue_text("national_share", fmt.percent(head.national_share))
    report.glue_text("headline_year", str(head.year))
    report.glue_text("headline_share", fmt.percent(head.share))
    report.glue_text("headline_count", fmt.count(head.neet))
    report.glue_text("headline_residents", fmt.count(head.residents))
    report.glue_text("headline_comparison", county_series.comparison_text(head))
    report.glue_text("headline_rank", county_series.rank_text(head.rank, head.n_counties, head.lowest))
    report.glue_text("n_counties", str(head.n_counties))
    report.glue_text("reaggregation_note", county_series.REAGGREGATION_NOTE)
    _glue_municipalities(page)
    _glue_immigrants(page)
    return page


# --- headline ------------------------------------------------------------------------------


def show_edition_note(page: Page) -> None:
    """On the demonstration page: what the page is, before anything else."""
    if not page.demonstration:
        return
    report.note(
        f"Denne siden viser hvordan siden for {page.county.name} ser ut når boka bygges med registerdata. "
        "Delen om langtids-NEET beregnet fra mikrodata er her laget fra en **syntetisk befolkning** og sier "
        "ingenting om virkelige unge; den viser bare hva en utgave med registerdata vil inneholde. Alle andre tall "
        f"på siden er de samme offentlige tallene som på den vanlige siden for {page.county.name}.",
        kind="warning", title="Demonstrasjon: Syntetiske data")


def show_newer_year(page: Page) -> None:
    """A note on the newer preliminary year (and SSB's final share for it), if there is one."""
    head = page.head
    if head.preliminary_year is None:
        return
    text = (county_series.final_year_sentence(head.year) + " "
            f"For {head.preliminary_year} finnes foreløpige tall: {fmt.percent(head.preliminary_share)} "
            f"({fmt.count(head.preliminary_neet)} personer).")
    if head.newer_final_share is not None:
        who = ("publisert av SSB" if head.newer_final_by_ssb else
               "beregnet av en tredjepart fra SSBs tall og avrundet til én desimal")
        text += (f" SSBs endelige tall for {head.preliminary_year} er bare tilgjengelige her som andeler: "
                 f"{fmt.percent(head.newer_final_share)} i {page.county.name} ({who})"
                 + (f" og {fmt.percent(head.newer_final_national)} for hele landet (publisert av SSB)"
                    if head.newer_final_national is not None else "")
                 + ". Uten antall kan de ikke settes inn i tidsserien, som derfor viser de foreløpige tallene "
                   "for dette året.")
    report.note(text, kind="note")


# --- trend -----------------------------------------------------------------------------------


def show_trend(page: Page) -> None:
    """The county and the country, every year on today's borders."""
    name, first, last = page.county.name, page.first_year, page.last_year
    trend = county_series.county_vs_national(page.county.code)
    report.figure(
        charts.lines(trend, hue="area", ylabel="Andel av bosatte 15–29 år",
                            breaks=((national.REGISTER_BREAK_YEAR, "brudd 2014/2015"),),
                            colours={name: charts.HIGHLIGHT, counties.NATIONAL_NAME: "#000000"},
                            styles={counties.NATIONAL_NAME: "--"}),
        name="utvikling",
        caption=(f"Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak i {name} og hele "
                 f"landet, {first}–{last}. Fylket er regnet om til dagens grenser ved å summere kommunene. "
                 "Åpne punkter: foreløpige tall. Stiplet loddrett linje: brudd i SSBs statistikk mellom 2014 og 2015. "
                 "Kilde: SSB tabell 13556."),
        alt=(f"Linjediagram med to linjer, {name} og hele landet, som viser andelen unge utenfor arbeid "
             f"og utdanning hvert år fra {first} til {last}."),
        data=trend,
    )
    if county_series.gap_note():
        report.note(county_series.gap_note(), kind="note")


def same_area(frame: pd.DataFrame, county: counties.County) -> pd.DataFrame:
    """``frame`` (with ``region_code``, ``area``, ``is_predecessor``) where a "predecessor" with
    the county's own code and name (Oslo before 2020: the same borders) is the county itself,
    so its series shows no false break."""
    own = frame["region_code"].astype(str).eq(county.code) & frame["area"].str.startswith(county.name)
    return frame.assign(area=frame["area"].where(~own, county.name),
                        is_predecessor=frame["is_predecessor"] & ~own)


def break_marks(areas: pd.Series) -> list[str]:
    """For a table sorted by year: ``"Brudd: annet område"`` on the first row of each new area, so
    a predecessor's values never continue the county's own column without a visible break."""
    out, previous = [], None
    for area in areas:
        out.append("Brudd: annet område" if previous is not None and area != previous else "")
        previous = area
    return out


def show_own_borders(page: Page) -> None:
    """For counties with predecessors: the figures on the borders of each year, each row
    named after the county it belongs to (a predecessor's value is never divided), with a
    visible break where the area changes."""
    name = page.county.name
    history = same_area(county_series.own_border_history(page.county.code), page.county)
    predecessors = sorted(history.loc[history["is_predecessor"], "area"].unique())
    if not predecessors:
        return
    report.markdown(
        "Tabellen nedenfor viser tallene slik de var på fylkesgrensene som gjaldt det enkelte året. For årene før "
        f"{name} fikk sin nåværende form gjelder tallene forgjengeren — " + ", ".join(predecessors)
        + " — og er merket med forgjengerens navn. Et forgjengerfylkes tall er aldri fordelt på fylkene som tok "
        "over, og de er ikke en fortsettelse av fylkets egen serie: forgjengeren dekker et annet område."
    )
    history = history.sort_values(["year", "area"]).reset_index(drop=True)
    shown = history.assign(Foreløpig=history["release"].eq(national.PRELIMINARY), Brudd=break_marks(history["area"]))[
        ["year", "area", "residents", "neet", "share", "Foreløpig", "Brudd"]].rename(
        columns={"year": "År", "area": "Fylke (grensene det året)", "residents": "Bosatte 15–29 år",
                 "neet": "Utenfor (antall)", "share": "Andel (%)"})
    report.table(
        shown, name="datidens-grenser",
        caption=(f"Unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak på fylkesgrensene som gjaldt "
                 f"hvert år, for {name} og forgjengerne. Kilde: SSB tabell 13556, kommunetall summert."),
        decimals={"Andel (%)": 1},
    )


# --- immigrants ------------------------------------------------------------------------------


def _immigrant_parts(page: Page) -> pd.DataFrame:
    immigrants = same_area(county_series.immigrant_series(page.county.code), page.county)
    parts = immigrants[immigrants["group"] != "I alt"].copy()
    parts["serie"] = parts["group_label"] + " – " + parts["area"]
    return parts


def _glue_immigrants(page: Page) -> None:
    parts = _immigrant_parts(page)
    latest = parts[parts["year"] == parts["year"].max()]
    report.glue_text("imm_year", str(int(latest["year"].iloc[0])))
    report.glue_text("imm_release", " (foreløpige tall)" if latest["release"].iloc[0] == national.PRELIMINARY else "")
    report.glue_text("imm_share", fmt.percent(float(latest.loc[latest["group"] == "Innvandrere", "share"].iloc[0])))
    report.glue_text("rest_share", fmt.percent(float(latest.loc[latest["group"] != "Innvandrere", "share"].iloc[0])))


def show_immigrants(page: Page) -> None:
    name = page.county.name
    parts = _immigrant_parts(page)
    colour_of = {"Innvandrere": report.PALETTE[3], "Befolkningen ellers": report.PALETTE[0]}
    areas = list(dict.fromkeys(parts.sort_values("year")["area"]))
    # today's county solid, predecessors dashed/dotted: separate lines, never one continued line
    styles = {a: "-" for a in areas if a == name}
    styles.update({a: s for a, s in zip([a for a in areas if a != name], ["--", ":", "-."])})
    order = [f"{g} – {a}" for a in areas for g in ("Innvandrere", "Befolkningen ellers")]
    report.figure(
        charts.lines(parts, hue="serie", ylabel="Andel av bosatte 15–29 år i gruppen", order=order,
                            colours={f"{g} – {a}": colour_of[g] for g in colour_of for a in areas},
                            styles={f"{g} – {a}": styles[a] for g in colour_of for a in areas},
                            breaks=((national.REGISTER_BREAK_YEAR, "brudd 2014/2015"),), figsize=(8, 5)),
        name="innvandrere",
        caption=(f"Andel utenfor arbeid, utdanning og arbeidsmarkedstiltak blant innvandrere og befolkningen ellers, "
                 f"15–29 år, {name} og forgjengerfylkene (grensene som gjaldt hvert år; hvert fylke har sin egen "
                 "linje). Åpne punkter: foreløpige tall. Kilde: SSB tabell 13563, kommunetall summert per fylke."),
        alt=(f"Linjediagram der innvandrere og befolkningen ellers i {name} og forgjengerfylkene har hver sin "
             "linje; innvandrerne ligger høyere enn befolkningen ellers i alle år."
             if county_series.immigrants_higher_every_year(parts)
             else f"Linjediagram der innvandrere og befolkningen ellers i {name} og forgjengerfylkene har "
                  "hver sin linje."),
        data=parts[["year", "area", "group_label", "residents", "neet", "share", "release"]],
    )


# --- county profile (barometer, trend, similar counties, expected, what works) -------------------


def show_profile(page: Page, part: str) -> None:
    """One section of the county profile (:mod:`neethelpers.chapters.county_profile`): its text,
    figures and tables; the heading is a Markdown cell of the notebook (``key_figures`` has none)."""
    county_profile.show(getattr(page.profile, part), heading_level=0)


# --- municipalities -------------------------------------------------------------------------


def _release_words(page: Page) -> str:
    row = page.series[(page.series["county_code"] == page.county.code) & (page.series["year"] == page.last_year)]
    return " (foreløpige tall)" if row["release"].iloc[0] == national.PRELIMINARY else ""


def _glue_municipalities(page: Page) -> None:
    munis = county_series.municipalities(page.county.code)
    n_small = int(munis["small"].sum())
    limit = fmt.number(county_series.SMALL_MUNICIPALITY_RESIDENTS)
    report.glue_text("muni_count", fmt.counted(len(munis), "kommune", "kommuner"))
    report.glue_text("muni_year", f"{page.last_year}{_release_words(page)}")
    report.glue_text("change_since", str(county_series.CHANGE_SINCE))
    report.glue_text("muni_small_text", (
        f"{fmt.number(n_small, 0)} av dem hadde færre enn {limit} unge innbyggere (15–29 år). For dem kan andelen "
        "endre seg mye fra år til år fordi noen få personer utgjør mange prosentpoeng; de er markert som usikre og "
        "står nederst, men er ikke skjult." if n_small else
        f"Ingen av kommunene hadde færre enn {limit} unge innbyggere (15–29 år)."))


def show_municipalities(page: Page) -> None:
    name, year = page.county.name, page.last_year
    release_words = _release_words(page)
    munis = county_series.municipalities(page.county.code)
    since = county_series.CHANGE_SINCE
    table = munis.assign(usikker=munis["small"].map({True: "usikker", False: ""}))[
        ["municipality_name", "residents", "neet", "share", "share_since", "change_points", "usikker"]].rename(
        columns={"municipality_name": "Kommune", "residents": "Bosatte 15–29 år", "neet": "Utenfor (antall)",
                 "share": f"Andel {year} (%)", "share_since": f"Andel {since} (%)",
                 "change_points": "Endring (prosentpoeng)", "usikker": "Merknad"})
    table["Endring (prosentpoeng)"] = table["Endring (prosentpoeng)"].map(fmt.signed)
    report.table(table, name="kommuner",
                 caption=(f"Kommunene i {name}: unge 15–29 år utenfor arbeid, utdanning og "
                          f"arbeidsmarkedstiltak i {year}{release_words} og endring siden {since} (samme område). "
                          "Kilde: SSB tabell 13556."),
                 data=munis, decimals=1)


# --- long-term NEET --------------------------------------------------------------------------


def show_note_figures(page: Page) -> None:
    """The analysis note's published long-term NEET figures: the county's own where the note
    has them, otherwise a sentence saying so (the note's national figures are in the
    national chapter)."""
    longterm.show_note_figures(page.county.code)


def show_longterm(page: Page, data_source: str, threshold: int) -> None:
    """Long-term NEET computed from microdata, or (without microdata) how to get it."""
    longterm.show_microdata_part(data_source, page.county.code, threshold=threshold)


def show_sources() -> None:
    report.markdown("\n".join(
        f"- {data.source_of(d)}" for d in (county_series.MUNICIPALITY, county_series.IMMIGRANT_OWN_BORDERS,
                                           county_series.COUNTY_2024_SHARES)))
