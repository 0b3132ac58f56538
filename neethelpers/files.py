"""Content hashes and the one atomic file writer of the project.

Every file the project writes for others to read (the build state, generated includes and
``_toc.yml``, the data catalog and refreshed snapshots, the synthetic cohort's cache) goes
through :func:`write_bytes_atomic`: the bytes are written to a temporary file in the same
folder, flushed to disk, and moved over the target with ``os.replace``. A reader (another
notebook, a parallel build step, the next build after a crash) therefore sees either the
old file or the new one, never half of one; a failure leaves the old file untouched and
no temporary file behind. The writer returns the sha256 of what it wrote, so a caller that
records the hash (the build state, the catalog) never has to read the file again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sha256_json(obj) -> str:
    return sha256_bytes(json.dumps(obj, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def _temporary(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")


def write_bytes_atomic(path: Path | str, data: bytes) -> str:
    """Write ``data`` to ``path`` atomically (temporary file + fsync + ``os.replace``);
    returns the sha256 of ``data``."""
    path = Path(path)
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha256_bytes(data)


def write_text_atomic(path: Path | str, text: str) -> str:
    """:func:`write_bytes_atomic` for UTF-8 text; returns the sha256 of the bytes written."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_with_atomic(path: Path | str, write: Callable[[Path], None]) -> str:
    """Atomically create ``path`` with a writer that needs a file name (``df.to_parquet``):
    ``write(tmp)`` fills a temporary file next to ``path``, which then replaces ``path``.
    Returns the sha256 of the file written."""
    path = Path(path)
    fd, tmp = _temporary(path)
    os.close(fd)
    try:
        write(Path(tmp))
        digest = sha256_file(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def write_if_changed(path: Path | str, text: str) -> bool:
    """Write ``text`` atomically unless the file already holds it (keeps mtimes stable);
    True if written."""
    path = Path(path)
    if path.is_file() and path.read_bytes() == text.encode("utf-8"):
        return False
    write_text_atomic(path, text)
    return True
