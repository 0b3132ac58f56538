"""Parts of the national chapter (``notebooks/02_national.ipynb``) that need more than one call."""

from __future__ import annotations

from neethelpers.presentation import report
from neethelpers.series import analysis_note


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
    years = [str(y) for y, _ in breaks]
    return " og ".join([", ".join(years[:-1]), years[-1]]) if len(years) > 1 else "".join(years)
