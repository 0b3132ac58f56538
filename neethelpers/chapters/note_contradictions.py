"""The appendix page «Motstridende tall i analysenotatet» (``notebooks/06_note_contradictions.ipynb``):
every contradiction recorded in ``data/published`` (``status = contradiction``), citing the note
by section and table."""

from __future__ import annotations

from neethelpers.presentation import report
from neethelpers.series import analysis_note, published


def setup() -> None:
    report.setup(page="motstridende-tall")
    report.glue_text("n_contradictions", str(len(published.contradictions())))


def show_table() -> None:
    report.table(analysis_note.contradiction_table(), name="motstridende-tall",
                 caption=("Motstridende tall i analysenotatet: tallet, området, verdien boka bruker, den "
                          "motstridende verdien og hva den står mot, med kapittel og tabell i notatet. "
                          "Kilde: analysenotatet."))
