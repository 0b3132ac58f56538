"""The counties overview page «Fylkene» (``notebooks/03_counties_overview.ipynb``).

:func:`setup` glues every value of the page's prose; each ``show_*`` function draws one
part of the page. The notebook holds the headings and the prose.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neethelpers import data
from neethelpers.chapters import county_profile, longterm
from neethelpers.presentation import charts, fmt, report
from neethelpers.registry import counties
from neethelpers.series import county as county_series, national

PAGE = "fylkene"


@dataclass
class Overview:
    series: pd.DataFrame
    national_series: pd.DataFrame
    final_year: int
    first_year: int
    last_year: int
    rank: pd.DataFrame

    @property
    def national_final(self) -> pd.Series:
        return self.national_series.set_index("year").loc[self.final_year]

    @property
    def preliminary_years(self) -> list[int]:
        s = self.series
        return sorted(int(y) for y in s.loc[s["release"] == national.PRELIMINARY, "year"].unique())


def setup() -> Overview:
    """Set up the page and glue every value of its prose."""
    report.setup(page=PAGE)
    series = county_series.county_series()
    final_year = county_series.latest_final_year()
    ov = Overview(series, county_series.national_series(), final_year, int(series["year"].min()),
                  int(series["year"].max()), county_series.ranking(final_year))
    lowest, highest = ov.rank.iloc[0], ov.rank.iloc[-1]
    nat = ov.national_final
    report.glue_text("final_year", str(final_year))
    report.glue_text("first_year", str(ov.first_year))
    report.glue_text("last_year", str(ov.last_year))
    report.glue_text("national_share", fmt.percent(nat["share"]))
    report.glue_text("national_count", fmt.count(nat["neet"]))
    report.glue_text("lowest_name", lowest["county_name"])
    report.glue_text("lowest_share", fmt.percent(lowest["share"]))
    report.glue_text("highest_name", highest["county_name"])
    report.glue_text("highest_share", fmt.percent(highest["share"]))
    report.glue_text("reaggregation_note", county_series.REAGGREGATION_NOTE)
    report.glue_text("headline_sentence", headline_sentence(ov))
    return ov


def headline_sentence(ov: Overview) -> str:
    """The counties' range in the newest year SSB has published: where that year has only
    final shares (2024), from those shares (ties named together), labelled; otherwise from
    the series' newest final year."""
    newest = {c.code: county_series.newest_final_share(c.code) for c in counties.current_counties()}
    if any(v is None for v in newest.values()):
        lowest, highest = ov.rank.iloc[0], ov.rank.iloc[-1]
        return (f"I {ov.final_year} var andelen unge utenfor arbeid, utdanning og arbeidsmarkedstiltak høyest i "
                f"{highest['county_name']} ({fmt.percent(highest['share'])}) "
                f"og lavest i {lowest['county_name']} ({fmt.percent(lowest['share'])}).")
    shares = {code: round(v.share, 1) for code, v in newest.items()}
    top, bottom = max(shares.values()), min(shares.values())
    names = {s: fmt.words(counties.by_code(c).name for c, v in shares.items() if v == s) for s in (top, bottom)}
    any_value = next(iter(newest.values()))
    third_party = not all(v.by_ssb for v in newest.values())
    source = "SSBs endelige tall" + (f"; fylkesandelene er {county_series.THIRD_PARTY_SHARE}" if third_party else "")
    return (f"I {any_value.year} var andelen unge utenfor arbeid, utdanning og arbeidsmarkedstiltak høyest i "
            f"{names[top]} ({fmt.percent(top)}) og lavest i {names[bottom]} ({fmt.percent(bottom)}); for hele landet "
            f"var den {fmt.percent(any_value.national_share)} ({source}).")


def show_newer_year(ov: Overview) -> None:
    """A note on the newer preliminary year, if the series has one."""
    if not ov.preliminary_years:
        return
    report.note(
        county_series.final_year_sentence(ov.final_year) + " "
        f"For {max(ov.preliminary_years)} finnes foreløpige tall, som vises i tabellene og figurene nedenfor "
        "og er merket som foreløpige.", kind="note")


def show_ranking_with_intervals() -> None:
    """The ranking with 95 % intervals, verdicts and trend markers (the heading is in the notebook)."""
    county_profile.show(county_profile.overview_ranking(), heading_level=0)


def show_county_year(ov: Overview) -> None:
    table = county_series.county_year_table()
    report.figure(
        charts.heat_table(table, preliminary_years=ov.preliminary_years),
        name="fylke-aar",
        caption=(f"Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak, fylke og år "
                 f"{ov.first_year}–{ov.last_year}, alle år på dagens fylkesgrenser. Røde linjer: fylkesreformer. "
                 "Stjerne: foreløpige tall. Brudd i SSBs statistikk mellom 2014 og 2015. Tallene for hver celle står "
                 "i CSV-fila. Kilde: SSB tabell 13556."),
        alt=(f"Varmekart med de {len(table)} fylkene som rader og årene som kolonner; mørkere farge betyr høyere andel "
             "unge utenfor. Tallene for hver celle står i CSV-fila som kan lastes ned under figuren."),
        data=ov.series[["year", "county_code", "county_name", "residents", "neet", "share", "release"]],
    )
    if county_series.gap_note():
        report.note(county_series.gap_note(), kind="note")


def show_small_multiples(ov: Overview) -> None:
    order = [c.name for c in counties.current_counties()]
    s, nat = ov.series, ov.national_series
    report.figure(
        charts.small_multiples(s, nat, order, break_year=national.REGISTER_BREAK_YEAR),
        name="smaa-multipler",
        caption=(f"Andel unge 15–29 år utenfor arbeid, utdanning og arbeidsmarkedstiltak {ov.first_year}–{ov.last_year} "
                 "for hvert fylke (blå) og hele landet (grå), dagens fylkesgrenser. Prikket linje: brudd 2014/2015. "
                 "Den loddrette aksen starter ikke på null, for at forskjellene skal synes. "
                 "Kilde: SSB tabell 13556."),
        alt=(f"{len(order)} små linjediagrammer, ett per fylke, som viser fylkets andel unge utenfor sammen med "
             f"landsnivået fra {ov.first_year} til {ov.last_year}."),
        data=s[["year", "county_name", "share", "release"]].merge(
            nat[["year", "share"]].rename(columns={"share": "national_share"}), on="year"),
    )


def show_note_figures() -> None:
    """The analysis note's published long-term NEET tables (the four regions it covers)."""
    longterm.show_note_figures(longterm.OVERVIEW)


def show_longterm(data_source: str, threshold: int) -> None:
    longterm.show_microdata_part(data_source, longterm.OVERVIEW, threshold=threshold)


def show_sources() -> None:
    report.markdown("\n".join(
        f"- {data.source_of(d)}" for d in (county_series.MUNICIPALITY, county_series.IMMIGRANT_OWN_BORDERS,
                                           county_series.COUNTY_2024_SHARES)))
