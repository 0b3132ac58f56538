"""Parts of the national chapter (``notebooks/02_national.ipynb``) that need more than one call."""

from __future__ import annotations

import pandas as pd

from neethelpers.presentation import fmt, report
from neethelpers.registry import counties
from neethelpers.series import analysis_note, county as county_series, national


def show_note_contradictions() -> None:
    """Every contradiction among the analysis note's national figures shown in this chapter
    (risk profile, chapter 5), as a warning box next to them."""
    for sentence in analysis_note.risk_profile_contradiction_notes():
        report.note(sentence, kind="warning", title="Motstridende tall i analysenotatet")


def eurostat_breaks(eu24, eu29) -> tuple[tuple[int, str], ...]:
    """Eurostat's breaks in Norway's series (flag *b* in ``edat_lfse_20``, which the 15–24 series
    carries) within the years of the 15–29 series, whose source has no flags: ``((2006,
    "brudd 2006"), …)`` for the figure's vertical lines."""
    years = eu24.loc[(eu24["geo"] == "NO") & eu24["flag"].fillna("").str.contains("b"), "year"]
    first, last = int(eu29["year"].min()), int(eu29["year"].max())
    return tuple((int(y), f"brudd {int(y)}") for y in sorted(years) if first <= int(y) <= last)


def breaks_text(breaks) -> str:
    """``"2006 og 2021"`` for a caption."""
    return fmt.words(str(y) for y, _ in breaks)


def glue_register(register: pd.DataFrame) -> None:
    """Glue the register series' key numbers (newest final year, range, the 2014/2015 break),
    the newer preliminary year if there is one, and the chapter's headline sentence, which
    the front page also shows."""
    final_year = national.latest_final_year(register)
    by_year = register.set_index("year")
    final = by_year.loc[final_year]
    peak = register.loc[register["share"].idxmax()]
    low = register.loc[register["share"].idxmin()]
    values = {
        "first_year": str(int(register["year"].min())), "last_year": str(int(register["year"].max())),
        "final_year": str(final_year), "final_share": fmt.percent(final["share"]),
        "final_count": fmt.count(final["neet"]), "final_residents": fmt.count(final["residents"]),
        "peak_year": str(int(peak["year"])), "peak_share": fmt.percent(peak["share"]),
        "low_year": str(int(low["year"])), "low_share": fmt.percent(low["share"]),
        "break_before_year": str(national.REGISTER_BREAK_YEAR - 1),
        "break_after_year": str(national.REGISTER_BREAK_YEAR),
        "break_before_share": fmt.percent(by_year.loc[national.REGISTER_BREAK_YEAR - 1, "share"]),
        "break_after_share": fmt.percent(by_year.loc[national.REGISTER_BREAK_YEAR, "share"]),
    }
    newer = register[register["year"] > final_year]
    if len(newer):
        latest = newer.iloc[-1]
        values.update(preliminary_year=str(int(latest["year"])), preliminary_share=fmt.percent(latest["share"]),
                      preliminary_count=fmt.count(latest["neet"]))
    values["headline_sentence"] = headline_sentence(register)
    for name, value in values.items():
        report.glue_text(name, value)


def headline_sentence(register: pd.DataFrame) -> str:
    """The newest year SSB has published, first: where it has only a final share (2024), that
    share as SSB's final figure; then the newest year with final counts. Preliminary counts
    are never put next to a final share."""
    final_year = national.latest_final_year(register)
    final = register.set_index("year").loc[final_year]
    counted = (f"{fmt.count(final['neet'])} unge i alderen 15–29 år utenfor arbeid, utdanning og "
               f"arbeidsmarkedstiltak, {fmt.percent(final['share'])} av de {fmt.count(final['residents'])} unge "
               "som var bosatt i Norge")
    newest = county_series.newest_final_share(counties.NATIONAL_CODE)
    if newest is None:
        return f"I {final_year} var {counted} (SSBs registerstatistikk, siste år med endelige tall)."
    return (f"I {newest.year} var {fmt.percent(newest.share)} av de unge i alderen 15–29 år utenfor arbeid, "
            f"utdanning og arbeidsmarkedstiltak ({newest.source_words}). Med endelige antall for {final_year}, "
            f"det nyeste året med antall, var det {counted}.")


def show_newer_year(register: pd.DataFrame) -> None:
    """A note on the newer preliminary year, if the series has one, and on SSB's final share
    for that year where only the share is published."""
    final_year = national.latest_final_year(register)
    newer = register[register["year"] > final_year]
    if newer.empty:
        return
    text = ("Tallene for {glue:md}`final_year` er SSBs endelige tall. For {glue:md}`preliminary_year` finnes "
            "foreløpige tall: {glue:md}`preliminary_share` ({glue:md}`preliminary_count` personer). Foreløpige tall "
            "henter opplysninger om selvstendig næringsdrivende fra året før, og de endelige tallene har pleid å "
            "ligge litt lavere.")
    newest = county_series.newest_final_share(counties.NATIONAL_CODE)
    if newest is not None and newest.year == int(newer["year"].iloc[-1]):
        text += (f" SSBs endelige andel for {newest.year} er {fmt.percent(newest.share)}; endelige antall for "
                 f"{newest.year} finnes ikke i tabellene boka bygger på, så figuren og tabellene viser de "
                 "foreløpige.")
    report.note(text)
