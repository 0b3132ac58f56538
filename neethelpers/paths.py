"""Project paths, anchored to this package's location (never the working directory)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJECT_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PUBLISHED_DIR = DATA_DIR / "published"
LITERATURE_DIR = DATA_DIR / "literature"
CATALOG_PATH = DATA_DIR / "catalog.yml"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
BOOK_DIR = PROJECT_ROOT / "book"
GENERATED_DIR = BOOK_DIR / "generated"
BUILD_DIR = PROJECT_ROOT / "_build"
