"""One ``neet build`` at a time per project.

The lock is an ``flock`` on ``.neet-cache/build.lock``, taken without waiting: a second
build is refused with a message naming the running one's process id. The descriptor is
opened close-on-exec and the build's worker processes are *spawned* (not forked), so no
child — worker, kernel, Sphinx — ever holds the lock: it is released the moment the build
process ends, however it ends (a crash or ``kill -9`` included), and nothing left behind
can block the next build.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from neethelpers.build import BuildError, state as hashing


def lock_path(root: Path) -> Path:
    return hashing.state_dir(root) / "build.lock"


@contextmanager
def build_lock(root: Path):
    """Hold the project's build lock for the ``with`` block; :class:`BuildError` if another
    build holds it."""
    path = lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            raise BuildError(f"another `neet build` is running in {root}{who}; wait for it to finish") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_locked(root: Path) -> bool:
    """True while some process holds the build lock of ``root`` (for tests and tools)."""
    path = lock_path(root)
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
