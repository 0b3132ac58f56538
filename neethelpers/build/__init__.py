"""``neet build``: the run plan, papermill execution, post-processing, the generated table
of contents, provenance, build state and the strict render. No notebook imports this folder
(changing it never re-executes a notebook; see :data:`neethelpers.build.state.BUILD_ONLY_FOLDERS`).

Modules: ``plan`` (which runs), ``execute`` (papermill runs in worker processes and kernels),
``state`` (content hashes, the state file), ``lock`` (one build at a time), ``render``
(Sphinx and the atomic publish), ``toc`` and ``provenance`` (generated pages)."""

import signal as _signal

from neethelpers.errors import NeetError


class BuildError(NeetError):
    """The build failed; the message says why and what was kept for inspection."""


class BuildInterrupted(BuildError):
    """The build was stopped by a signal (SIGINT, SIGTERM); every worker and kernel is gone."""

    def __init__(self, signum: int, message: str = ""):
        self.signum = signum
        try:
            name = _signal.Signals(signum).name
        except ValueError:
            name = str(signum)
        super().__init__(message or f"interrupted by {name}")

    @property
    def exit_code(self) -> int:
        return 128 + self.signum
