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
