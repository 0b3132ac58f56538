"""Headings printed from code become sections; everything else stays where it was."""

from __future__ import annotations

import nbformat

from neethelpers.build.sections import has_heading, promote_markdown_outputs


def _md(text: str):
    return nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": "<md>"})


def _png():
    return nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="})


def _glue(name: str):
    out = nbformat.v4.new_output("display_data", data={"application/papermill.record/text/markdown": "# 9,9 %"})
    out.metadata["scrapbook"] = {"name": name, "mime_prefix": "application/papermill.record/"}
    return out


def test_has_heading_ignores_fenced_blocks():
    assert has_heading("## Om tallene\n\nTekst.")
    assert has_heading("Innledning.\n\n### Del")
    assert not has_heading("Tekst uten overskrift.")
    assert not has_heading("```{note}\n# ikke en overskrift\n```")
    assert not has_heading(":::{figure} a.png\n# heller ikke\n:::")
    assert not has_heading("#hashtag er ikke en overskrift")


def test_outputs_are_split_around_promoted_headings_in_order():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("report.markdown(...)")
    cell.metadata["tags"] = ["remove-input"]
    cell.outputs = [_glue("x"), _png(), _md("## Utviklingen\n\nTekst."), _png(), _md("Bare tekst."),
                    _md("## Kilder"), _png()]
    nb.cells = [nbformat.v4.new_markdown_cell("# Østfold"), cell]

    assert promote_markdown_outputs(nb) == 2

    kinds = [c.cell_type for c in nb.cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown", "code"]
    assert nb.cells[1].source == "report.markdown(...)"  # the original cell keeps its source
    assert len(nb.cells[1].outputs) == 2 and "image/png" in nb.cells[1].outputs[1].data
    assert nb.cells[2].source.startswith("## Utviklingen")
    assert len(nb.cells[3].outputs) == 2 and nb.cells[3].outputs[1].data["text/markdown"] == "Bare tekst."
    assert nb.cells[4].source == "## Kilder"
    for code in nb.cells[3], nb.cells[5]:
        # a non-empty source: myst-nb drops code cells with an empty source, outputs and all
        assert code.source.strip() and "remove-input" in code.metadata["tags"]
    # the glued value stays in the notebook, untouched
    assert nb.cells[1].outputs[0].metadata["scrapbook"]["name"] == "x"
    nbformat.validate(nb)


def test_cells_without_heading_outputs_are_left_alone():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [_md("Tekst."), _png()]
    nb.cells = [cell]
    assert promote_markdown_outputs(nb) == 0
    assert nb.cells == [cell] and len(cell.outputs) == 2
