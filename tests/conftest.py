"""Shared fixtures: one full build of the book in a temporary copy of the project.

The session fixture :func:`built_book` copies the project (without ``.venv``, ``_build``,
``.git`` and caches) to a temporary folder and runs ``neet build`` there from scratch,
so the tests never touch the developer's ``_build``. The copy's own ``neethelpers`` is
put first on ``PYTHONPATH``, so the build, the kernels and the data paths all belong to
the copy. Tests that build again (unchanged rebuild, one county, a failing notebook)
reuse this one book.

The session fixture :func:`real_book` builds the whole book once more, with ``--data`` on a
person-level file with tiny groups whose *name* is script injection: the real-data tests
(``test_real_data_book.py``) and the hostile-name tests (``test_hostile_input.py``) read the
same build.

``NEET_TEST_FIXTURE_NOTEBOOKS=1`` replaces the chapter notebooks in the copy with the
small stand-ins in ``tests/fixtures/notebooks/`` (for working on the pipeline itself).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from neethelpers import data, paths
from neethelpers.build import execute as build
from neethelpers.microdata import schema
from neethelpers.microdata.testing import random_persons

FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
# The data file's name: script injection (issue 14.1), so every page that names the file
# shows whether a name from the analyst becomes markup.
DATA_NAME = "<img src=x onerror=alert(1)>`<img src=y onerror=alert(2)>`.csv"
HTML_GENERATED = Path("_build") / "html" / "book" / "generated"


@dataclass
class Project:
    """A working copy of the project and a way to run ``neet`` in it."""

    root: Path

    def env(self) -> dict:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(self.root), *filter(None, [env.get("PYTHONPATH")])])
        env.pop("NEET_READ_LOG", None)
        return env

    def neet(self, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
        """``neet ARGS`` run with the copy's package (``python -m neethelpers.cli.main``)."""
        return subprocess.run([sys.executable, "-m", "neethelpers.cli.main", *args], cwd=self.root, env=self.env(),
                              capture_output=True, text=True, timeout=timeout)

    @property
    def html(self) -> Path:
        return self.root / build.HTML_DIR

    def printed_warnings(self) -> dict[str, list[str]]:
        """What the executed pages wrote to stderr (warnings), by page. The book hides stderr
        from readers (``nb_output_stderr: remove``), so tests look for it here; among it
        ``report.FigureLayoutWarning``, a figure with texts drawn over each other."""
        import nbformat

        generated = self.root / "book" / "generated"
        printed = {}
        for path in sorted(generated.rglob("*.ipynb")):
            if path.name.endswith((".failed.ipynb", ".partial.ipynb")):
                continue
            nb = nbformat.read(path, as_version=4)
            stderr = ["".join(o.get("text", "")) for c in nb.cells for o in c.get("outputs", [])
                      if o.get("output_type") == "stream" and o.get("name") == "stderr"]
            if stderr:
                printed[path.relative_to(generated).as_posix()] = stderr
        return printed


def make_copy(dest: Path, fixture_notebooks: bool = False) -> Project:
    build.copy_project(paths.PROJECT_ROOT, dest)
    if fixture_notebooks:
        for nb in FIXTURE_NOTEBOOKS.glob("0*.ipynb"):
            shutil.copy(nb, dest / "notebooks" / nb.name)
    return Project(dest)


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Project:
    """The whole book built from scratch in a temporary copy (once per test session)."""
    project = make_copy(tmp_path_factory.mktemp("book") / "project",
                        fixture_notebooks=os.environ.get("NEET_TEST_FIXTURE_NOTEBOOKS") == "1")
    result = project.neet("build", "--quiet")
    if result.returncode != 0:
        pytest.fail(f"the full build failed:\n{result.stdout}\n{result.stderr}")
    return project


def tiny_group_persons() -> pd.DataFrame:
    """Person-level data in the input schema with the tiny groups listed in
    ``test_real_data_book.py``'s docstring (Finnmark 3 persons, Rogaland 3 women, Akershus 3
    Norwegian-born to immigrant parents, 4 with a child-welfare measure in the country)."""
    big = random_persons(9000, seed=11, fylker=("03", "32", "31"))
    big["barnevern"] = 0
    big = big[~((big["fylke"] == "32") & (big["innvandrer"] == 2))]
    rogaland = random_persons(700, seed=12, fylker=("11",))
    rogaland["barnevern"] = 0
    rogaland = pd.concat([rogaland[rogaland["kjonn"] == 1].head(300),
                          rogaland[rogaland["kjonn"] == 2].head(3).assign(neet2023=[1, 1, 0])])
    finnmark = random_persons(40, seed=13, fylker=("56",)).head(3).assign(barnevern=0, neet2023=[1, 0, 0])
    extra = random_persons(400, seed=14, fylker=("32",))
    born_here = extra[extra["innvandrer"] == 2].head(3).assign(barnevern=0, neet2023=[1, 1, 0])
    child_welfare = extra[extra["innvandrer"] == 0].tail(4).assign(barnevern=1, neet2023=[1, 1, 0, 0])
    out = pd.concat([big, rogaland, finnmark, born_here, child_welfare], ignore_index=True)
    return schema.validate(out, "persons")


@dataclass
class RealBook:
    """The book built with ``--data`` from :data:`DATA_NAME` in a private folder."""

    project: Project
    data_file: Path

    def page(self, name: str) -> BeautifulSoup:
        path = self.project.root / HTML_GENERATED / f"{name}.html"
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="session")
def real_book(tmp_path_factory) -> RealBook:
    """The whole book built from scratch on the tiny-group file, in a temporary copy. The
    file lies in a folder standing for the analyst's private path, which no published file
    may contain."""
    base = tmp_path_factory.mktemp("real-data-book")
    private = base / "analytikerens-private-mappe-7f3c9e21"
    private.mkdir()
    data_file = private / DATA_NAME
    tiny_group_persons().to_csv(data_file, index=False)
    project = make_copy(base / "project")
    result = project.neet("build", "--data", str(data_file), "--force", "--quiet")
    if result.returncode != 0:
        pytest.fail(f"the build on real data failed:\n{result.stdout}\n{result.stderr}")
    return RealBook(project, data_file)


@pytest.fixture
def use_data_dir(monkeypatch):
    """A function that points every data path of ``neethelpers.paths`` at a folder (a
    stand-in for ``data/``) for the rest of the test and returns it; the loader's cache is
    cleared then and again after the test, so no test sees another's data."""

    def use(root: Path) -> Path:
        monkeypatch.setattr(paths, "DATA_DIR", root)
        monkeypatch.setattr(paths, "RAW_DIR", root / "raw")
        monkeypatch.setattr(paths, "PUBLISHED_DIR", root / "published")
        monkeypatch.setattr(paths, "LITERATURE_DIR", root / "literature")
        monkeypatch.setattr(paths, "CATALOG_PATH", root / "catalog.yml")
        data.clear_cache()
        return root

    yield use
    data.clear_cache()


def file_hashes(root: Path) -> dict[str, str]:
    """``{path relative to root: sha256}`` of every file below ``root``."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def pytest_collection_modifyitems(items):
    """Tiers by what a test needs, so no mark can be forgotten: a test that uses the session's
    book builds is ``book`` and ``slow``; one that executes a notebook itself is ``notebook``."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"built_book", "real_book"}:
            item.add_marker(pytest.mark.book)
            item.add_marker(pytest.mark.slow)
        source = getattr(getattr(item, "function", None), "__code__", None)
        if source is not None and ("execute_notebook" in source.co_names or "_run" in source.co_names):
            item.add_marker(pytest.mark.notebook)
