"""Shared fixtures: one full build of the book in a temporary copy of the project.

The session fixture :func:`built_book` copies the project (without ``.venv``, ``_build``,
``.git`` and caches) to a temporary folder and runs ``neet build`` there from scratch,
so the tests never touch the developer's ``_build``. The copy's own ``neethelpers`` is
put first on ``PYTHONPATH``, so the build, the kernels and the data paths all belong to
the copy. Tests that build again (unchanged rebuild, one county, a failing notebook)
reuse this one book.

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

import pytest

from neethelpers import data, paths
from neethelpers.build import execute as build

FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"


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
    book build is ``book`` and ``slow``; one that executes a notebook itself is ``notebook``."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "built_book" in fixtures:
            item.add_marker(pytest.mark.book)
            item.add_marker(pytest.mark.slow)
        source = getattr(getattr(item, "function", None), "__code__", None)
        if source is not None and ("execute_notebook" in source.co_names or "_run" in source.co_names):
            item.add_marker(pytest.mark.notebook)
