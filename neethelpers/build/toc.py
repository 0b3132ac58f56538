"""The book's table of contents (``_toc.yml``), generated from the run plan.

The county entries come from the county registry through :func:`neethelpers.build.plan.plan`;
nobody edits ``_toc.yml`` by hand. ``neet toc`` writes it, ``neet build`` regenerates it,
and a test checks that the committed file equals :func:`render`'s output.
"""

from __future__ import annotations

from pathlib import Path

from neethelpers import paths
from neethelpers.build import plan as runs
from neethelpers.build.state import write_if_changed

HEADER = (
    "# generated — do not edit. Written by `neet toc` (neethelpers/build/toc.py) from the county\n"
    "# registry (neethelpers/registry/counties.py) and the run plan (neethelpers/build/plan.py).\n"
)

FRONT_PAGE = "book/index"
APPENDIX = ("book/appendix/data", "book/appendix/metode", "book/appendix/om-utgaven", "book/references")


def render(plan: list[runs.Run] | None = None) -> str:
    """The text of ``_toc.yml`` for ``plan`` (default: the full plan)."""
    plan = plan if plan is not None else runs.plan()
    by_id = {r.id: r for r in plan}
    lines = [HEADER.rstrip("\n"), "format: jb-book", f"root: {FRONT_PAGE}", "parts:",
             '  - caption: "Kapitler"', "    chapters:"]
    lines.append(f"      - file: {by_id['risikofaktorer'].docname}")
    lines.append(f"      - file: {by_id['nasjonale-trender'].docname}")
    lines.append(f"      - file: {by_id['fylker/index'].docname}")
    lines.append("        sections:")
    for run in runs.county_runs(plan):
        lines.append(f"          - file: {run.docname}")
    lines.append(f"      - file: {by_id['regresjonsanalyse'].docname}")
    lines += ['  - caption: "Vedlegg"', "    chapters:"]
    lines += [f"      - file: {doc}" for doc in APPENDIX]
    return "\n".join(lines) + "\n"


def toc_path(root: Path | None = None) -> Path:
    return Path(root or paths.PROJECT_ROOT) / "_toc.yml"


def write(root: Path | None = None) -> bool:
    """Write ``_toc.yml`` if its content changed; True if the file was (re)written."""
    root = Path(root or paths.PROJECT_ROOT)
    return write_if_changed(toc_path(root), render(runs.plan(root)))


def docnames(root: Path | None = None) -> list[str]:
    """Every document in the table of contents, in reading order (front page first)."""
    plan = runs.plan(root)
    by_id = {r.id: r for r in plan}
    order = [FRONT_PAGE, by_id["risikofaktorer"].docname, by_id["nasjonale-trender"].docname,
             by_id["fylker/index"].docname, *[r.docname for r in runs.county_runs(plan)],
             by_id["regresjonsanalyse"].docname, *APPENDIX]
    return order
