"""Content hashes for the incremental build, and the build's state file.

A notebook run is up to date when these are all unchanged since its last successful
execution (:func:`run_inputs`):

* ``notebook`` — the source notebook's bytes;
* ``parameters`` — the injected parameters (JSON, sorted keys);
* ``code`` — every file of ``neethelpers/`` the notebooks can use; the folders of the
  build machinery and the command line (:data:`BUILD_ONLY_FOLDERS`) are left out by their
  folder, because no notebook imports them
  plus ``requirements.txt`` (package versions change outputs too);
* ``data`` — the files the run read last time (from its read log, see
  :mod:`neethelpers.data.readlog`) plus ``data/catalog.yml``; when no read log exists, a hash
  of everything below ``data/``. A ``data_source`` parameter that names a file adds that
  file's content.

State lives in ``.neet-cache/state.json`` (git-ignored) and is written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from neethelpers import paths

# The one hash and atomic writer (neethelpers/files.py), offered here for the build modules.
from neethelpers.files import sha256_bytes, sha256_file, sha256_json, write_if_changed, write_text_atomic  # noqa: F401

#: Package folders that only the build and the command line use (no notebook imports them),
#: so changing them does not change any notebook's output.
BUILD_ONLY_FOLDERS = (("build",), ("cli",), ("data", "refresh"))
STATE_DIR_NAME = ".neet-cache"
STATE_VERSION = 1


def hash_files(root: Path, files) -> str:
    """One hash over ``files`` (paths below ``root``): their relative names and contents."""
    h = hashlib.sha256()
    for path in sorted(Path(f) for f in files):
        rel = path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
        h.update(rel.encode("utf-8") + b"\0")
        h.update(sha256_file(root / rel if not path.is_absolute() else path).encode("ascii") + b"\n")
    return h.hexdigest()


def _walk(folder: Path, skip_dirs=("__pycache__", ".ipynb_checkpoints")):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs and not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _package_files(root: Path, build_only: bool) -> list[Path]:
    pkg = root / "neethelpers"

    def in_build_folder(p: Path) -> bool:
        parts = p.relative_to(pkg).parts
        return any(parts[:len(folder)] == folder for folder in BUILD_ONLY_FOLDERS)

    return [p for p in _walk(pkg) if p.suffix not in (".pyc", ".pyo") and in_build_folder(p) == build_only]


def build_only_files(root: Path) -> list[Path]:
    """The files of the build machinery and the command line (they shape the rendered book)."""
    return _package_files(root, build_only=True)


def code_files(root: Path) -> list[Path]:
    """Every file of the package (modules and any package data) except the build machinery."""
    files = _package_files(root, build_only=False)
    req = root / "requirements.txt"
    return files + ([req] if req.exists() else [])


def code_hash(root: Path) -> str:
    return hash_files(root, code_files(root))


def data_files(root: Path) -> list[Path]:
    return list(_walk(root / "data"))


def all_data_hash(root: Path) -> str:
    return hash_files(root, data_files(root))


def catalog_file(root: Path) -> Path:
    return root / paths.CATALOG_PATH.relative_to(paths.PROJECT_ROOT)


def relative_or_absolute(root: Path, path: str | Path) -> str:
    """``data/raw/x.csv`` for a file in the project, the absolute path otherwise."""
    p = Path(path)
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(p)


def file_hashes(root: Path, files) -> dict[str, str | None]:
    """``{name: sha256}`` for each file (``None`` if it no longer exists)."""
    out: dict[str, str | None] = {}
    for name in files:
        p = Path(name)
        full = p if p.is_absolute() else root / p
        out[name] = sha256_file(full) if full.is_file() else None
    return out


def data_source_file(parameters: dict) -> str | None:
    value = parameters.get("data_source")
    if isinstance(value, str) and value not in ("", "synthetic") and Path(value).is_absolute():
        return value
    return None


def run_inputs(root: Path, notebook: str, parameters: dict, *, code: str | None = None) -> dict:
    """The hashes of everything a run depends on except the data it reads."""
    nb = root / notebook
    inputs = {
        "notebook": sha256_file(nb) if nb.exists() else None,
        "parameters": sha256_json(parameters),
        "code": code if code is not None else code_hash(root),
    }
    source = data_source_file(parameters)
    if source:
        inputs["data_source"] = sha256_file(Path(source)) if Path(source).is_file() else None
    return inputs


# --- state file ----------------------------------------------------------------------------

def state_dir(root: Path) -> Path:
    return root / STATE_DIR_NAME


def state_path(root: Path) -> Path:
    return state_dir(root) / "state.json"


def load_state(root: Path) -> dict:
    path = state_path(root)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"version": STATE_VERSION, "runs": {}, "book": {}}
    if state.get("version") != STATE_VERSION:
        return {"version": STATE_VERSION, "runs": {}, "book": {}}
    state.setdefault("runs", {})
    state.setdefault("book", {})
    return state


def save_state(root: Path, state: dict) -> None:
    write_text_atomic(state_path(root), json.dumps(state, indent=1, sort_keys=True, ensure_ascii=False))
