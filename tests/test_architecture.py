"""The package's layering (ARCHITECTURE.md): folders depend downwards only, and no code a
notebook can import reaches the build machinery or the command line."""

from __future__ import annotations

import ast

import pytest

from neethelpers import paths
from neethelpers.build import state

PACKAGE = paths.PROJECT_ROOT / "neethelpers"

#: folder → folders it must never import from
FORBIDDEN = {
    "registry": {"series", "microdata", "chapters", "presentation", "build", "cli"},
    "data": {"series", "microdata", "chapters", "presentation", "build", "cli"},
    "series": {"chapters", "build", "cli"},
    "microdata": {"chapters", "build", "cli"},
    "presentation": {"chapters", "build", "cli"},
    "chapters": {"build", "cli"},
}


#: Leaf modules with no project imports of their own, usable from every layer: the Norwegian
#: number and date formatter (the data layer writes Norwegian source lines with it).
LEAVES = {"presentation.fmt"}


def _imported_folders(path) -> set[str]:
    """The ``neethelpers`` sub-folders a module imports (absolute and relative imports),
    leaving out :data:`LEAVES`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel_parts = path.relative_to(PACKAGE).parts[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(rel_parts[: len(rel_parts) - node.level + 1])
                module = ".".join(["neethelpers", *base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names = [f"{module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "neethelpers" and len(parts) > 1 and ".".join(parts[1:3]) not in LEAVES:
                found.add(parts[1])
    return found


def _modules(folder: str):
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_folders_only_import_downwards(folder):
    offending = {}
    for module in _modules(folder):
        bad = _imported_folders(module) & FORBIDDEN[folder]
        if bad:
            offending[str(module.relative_to(PACKAGE))] = sorted(bad)
    assert not offending, f"imports against the layering of ARCHITECTURE.md: {offending}"


def test_notebooks_import_no_build_or_cli_code():
    import json

    for notebook in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert "neethelpers.build" not in source and "neethelpers.cli" not in source, notebook.name


def test_build_only_folders_exist_and_are_excluded_from_the_code_hash():
    files = {p.relative_to(PACKAGE).parts[:2] for p in state.code_files(paths.PROJECT_ROOT)
             if PACKAGE in p.parents}
    for folder in state.BUILD_ONLY_FOLDERS:
        assert (PACKAGE.joinpath(*folder)).is_dir(), folder
        assert not any(parts[: len(folder)] == folder for parts in files), folder


#: The most statements a notebook's code cell may hold: a cell is a call or two into ``chapters/``.
MAX_STATEMENTS_PER_CELL = 4


def _program_in_cell(source: str) -> list[str]:
    """What makes a code cell a program instead of a call into ``chapters/``: control flow,
    definitions, text assembled in the cell, or too many statements."""
    tree = ast.parse(source)
    found = [f"line {n.lineno}: {type(n).__name__.lower()}" for n in ast.walk(tree)
             if isinstance(n, (ast.If, ast.IfExp, ast.For, ast.While, ast.With, ast.Try, ast.FunctionDef,
                               ast.ClassDef, ast.Lambda, ast.ListComp, ast.DictComp, ast.GeneratorExp,
                               ast.JoinedStr))]
    statements = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    if len(statements) > MAX_STATEMENTS_PER_CELL:
        found.append(f"{len(statements)} statements (at most {MAX_STATEMENTS_PER_CELL})")
    return found


@pytest.mark.parametrize("notebook", sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")))
def test_notebook_code_cells_are_short_calls_into_chapters(notebook):
    """Issue 11.2: a notebook reads as the report — prose in Markdown, each code cell a short call;
    what a page shows, and any wording that depends on the data, is decided in ``chapters/``."""
    import json

    cells = json.loads((paths.NOTEBOOKS_DIR / notebook).read_text(encoding="utf-8"))["cells"]
    problems = []
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        problems += [f"cell {number}, {p}" for p in _program_in_cell("".join(cell["source"]))]
    assert not problems, f"{notebook}: " + "; ".join(problems)


def test_the_cell_rule_sees_a_program():
    assert _program_in_cell("chapter.show_trend(page)") == []
    assert _program_in_cell("from x import y\n\npage = chapter.setup(county)\nchapter.show(page)") == []
    assert _program_in_cell("if overview:\n    show()") == ["line 1: if"]
    assert _program_in_cell('report.markdown(f"## {name}")') == ["line 1: joinedstr"]
    assert _program_in_cell("\n".join(f"f{i}()" for i in range(5))) == ["5 statements (at most 4)"]
