"""Record which data files a notebook run reads, for the incremental build.

``neet build`` skips a notebook run when, among other things, the data files it read
last time are unchanged. To know them, the build sets the environment variable
``NEET_READ_LOG`` to a log file for each run and starts the kernel with
:func:`start`, which

* makes :func:`record` append to that log (loaders call ``readlog.record(path)``;
  ``neethelpers.data.loader.load`` does), and
* installs an audit hook that records every file opened for reading below the
  project's ``data/`` folder, so files read by other means are not missed.

Outside a build (no ``NEET_READ_LOG``), both are no-ops. A run whose log stays empty
is treated as reading all of ``data/``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from neethelpers import paths

ENV_VAR = "NEET_READ_LOG"

_state: dict = {"log": None, "hooked": False, "seen": set(), "watch": ()}


def _log_path() -> Path | None:
    if _state["log"] is not None:
        return _state["log"]
    value = os.environ.get(ENV_VAR)
    return Path(value) if value else None


def record(path: str | os.PathLike) -> None:
    """Note that ``path`` was read (no-op unless a build is recording)."""
    log = _log_path()
    if log is None:
        return
    resolved = str(Path(path).resolve())
    if resolved in _state["seen"]:
        return
    _state["seen"].add(resolved)
    try:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(resolved + "\n")
    except OSError:
        # Logging must never break a loader; without a log the build falls back to
        # treating the run as reading all of data/.
        pass


def _audit(event: str, args: tuple) -> None:
    if event != "open":
        return
    path, mode = args[0], args[1]
    if not isinstance(path, (str, os.PathLike)) or (mode is not None and isinstance(mode, str)
                                                    and any(c in mode for c in "wax+")):
        return
    text = os.fspath(path)
    if isinstance(text, bytes):
        return
    text = os.path.abspath(text)
    if any(text.startswith(w) for w in _state["watch"]):
        record(text)


def start(log: str | os.PathLike | None = None) -> None:
    """Begin recording to ``log`` (default: ``$NEET_READ_LOG``) and watch ``data/``."""
    if log is not None and Path(log) != _state["log"]:
        # A new run in a reused kernel: its own log, and nothing seen yet.
        _state["log"] = Path(log)
        _state["seen"] = set()
    if _log_path() is None or _state["hooked"]:
        return
    _state["watch"] = (str(paths.DATA_DIR.resolve()) + os.sep,)
    sys.addaudithook(_audit)
    _state["hooked"] = True


def read(log: str | os.PathLike) -> list[str]:
    """The distinct paths in a log file, in first-read order (empty if it does not exist)."""
    path = Path(log)
    if not path.exists():
        return []
    seen: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            seen.setdefault(line.strip(), None)
    return list(seen)
