"""Turn headings that notebooks print from code into real sections of the page.

Chapter notebooks generate much of their prose with ``report.markdown(...)`` because its
content depends on parameters (a county page and the overview page differ). myst-nb renders a
heading inside a cell *output* as a rubric: it looks like a heading but is not a section,
so it is missing from the page's table of contents and later headings nest wrongly.

After papermill has executed a notebook, :func:`promote_markdown_outputs` moves every
Markdown output that contains a heading into a Markdown cell of its own, at the same place;
the outputs before and after it stay in (input-less) code cells. What the reader sees is
unchanged except that those headings become sections.
"""

from __future__ import annotations

import re

import nbformat

_HEADING = re.compile(r"^#{1,6} \S")
_FENCE = re.compile(r"^(`{3,}|:{3,})")


def has_heading(markdown: str) -> bool:
    """Whether ``markdown`` has a heading line outside fenced blocks (directives, code)."""
    fence: str | None = None
    for line in markdown.splitlines():
        match = _FENCE.match(line.strip())
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker
            elif marker.startswith(fence[0]) and len(marker) >= len(fence) and line.strip() == marker:
                fence = None
            continue
        if fence is None and _HEADING.match(line):
            return True
    return False


def _markdown_text(output) -> str | None:
    if output.get("output_type") not in ("display_data", "execute_result"):
        return None
    if output.get("metadata", {}).get("scrapbook"):
        return None  # a glued value, not something displayed
    text = output.get("data", {}).get("text/markdown")
    if text is None:
        return None
    return "".join(text) if isinstance(text, list) else text


# myst-nb skips code cells whose source is empty, outputs and all, so the cells that carry
# the outputs after a promoted heading get a comment as source (hidden from readers).
CONTINUATION_SOURCE = "# outputs continued from the cell above (split by neethelpers.build.sections)"


def _hidden_code_cell(outputs: list) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source=CONTINUATION_SOURCE, outputs=outputs)
    cell.metadata["tags"] = ["remove-input"]
    return cell


def promote_markdown_outputs(nb) -> int:
    """Split code cells so that Markdown outputs with headings become Markdown cells.

    Returns the number of outputs promoted. The notebook is changed in place.
    """
    promoted = 0
    new_cells = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not any(
            (text := _markdown_text(o)) is not None and has_heading(text) for o in cell.get("outputs", [])
        ):
            new_cells.append(cell)
            continue
        pending: list = []
        first = True
        for output in cell.outputs:
            text = _markdown_text(output)
            if text is not None and has_heading(text):
                if first:
                    cell.outputs = pending
                    new_cells.append(cell)
                    first = False
                elif pending:
                    new_cells.append(_hidden_code_cell(pending))
                new_cells.append(nbformat.v4.new_markdown_cell(text))
                promoted += 1
                pending = []
            else:
                pending.append(output)
        if pending:
            new_cells.append(_hidden_code_cell(pending))
    nb.cells = new_cells
    return promoted
