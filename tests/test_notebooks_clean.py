"""Notebooks are stored as text a reviewer can read: no outputs, no execution counts, no
run metadata (what ``nbstripout`` would remove), so a diff shows only what someone wrote.

The executed copies live in ``book/generated/`` (git-ignored); the sources never hold results.
To clean one: in Jupyter, Edit → Clear Outputs of All Cells, then save; or
``python -c "import nbformat as n, sys; p = sys.argv[1]; nb = n.read(p, 4); [c.update(outputs=[],
execution_count=None) for c in nb.cells if c.cell_type == 'code']; n.write(nb, p)" NOTEBOOK``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from neethelpers import paths

SOURCES = sorted([*paths.NOTEBOOKS_DIR.rglob("*.ipynb"), *(paths.PROJECT_ROOT / "tests" / "fixtures").rglob("*.ipynb")])
SOURCES = [p for p in SOURCES if ".ipynb_checkpoints" not in p.parts]

#: Metadata that running or viewing a notebook adds (nbstripout's defaults, and papermill's).
RUN_CELL_METADATA = {"collapsed", "scrolled", "ExecuteTime", "execution", "heading_collapsed", "hidden", "papermill"}
RUN_NOTEBOOK_METADATA = {"signature", "widgets", "papermill"}


def test_there_are_notebooks_to_check():
    assert len([p for p in SOURCES if p.is_relative_to(paths.NOTEBOOKS_DIR)]) >= 4


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(paths.PROJECT_ROOT)))
def test_notebook_is_stored_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            if cell.get("outputs"):
                problems.append(f"cell {index}: has outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"cell {index}: has execution_count {cell.execution_count}")
        if stray := sorted(RUN_CELL_METADATA & set(cell.get("metadata", {}))):
            problems.append(f"cell {index}: has run metadata {stray}")
    if stray := sorted(RUN_NOTEBOOK_METADATA & set(notebook.metadata)):
        problems.append(f"notebook metadata: {stray}")
    where = path.relative_to(paths.PROJECT_ROOT)
    assert not problems, f"{where} is not clean (see this test's docstring):\n" + "\n".join(problems)
