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
DEMO_CAPTION = "Demonstrasjon på syntetiske data"
APPENDIX = ("book/appendix/data", "book/appendix/metode", "book/appendix/om-utgaven",
            "book/appendix/tilgjengelighet", "book/references")


def _appendix(plan: list[runs.Run]) -> list[str]:
    """The appendix: the hand-written pages, with the generated ones after the method page."""
    generated = [r.docname for r in runs.appendix_runs(plan)]
    docs = list(APPENDIX)
    at = docs.index("book/appendix/metode") + 1
    return docs[:at] + generated + docs[at:]


def _chapters(plan: list[runs.Run]) -> list[runs.Run]:
    return [r for r in plan if r.part == runs.CHAPTERS]


def render(plan: list[runs.Run] | None = None) -> str:
    """The text of ``_toc.yml`` for ``plan`` (default: the full plan): the chapters (the county
    pages as sections of the overview), the demonstration part when the plan has one, the appendix."""
    plan = plan if plan is not None else runs.plan()
    lines = [HEADER.rstrip("\n"), "format: jb-book", f"root: {FRONT_PAGE}", "parts:",
             '  - caption: "Kapitler"', "    chapters:"]
    county_pages = runs.county_runs(plan)
    for run in _chapters(plan):
        if run in county_pages:
            continue
        lines.append(f"      - file: {run.docname}")
        if run.id == "fylker/index":
            lines.append("        sections:")
            lines += [f"          - file: {r.docname}" for r in county_pages]
    demo = runs.demo_runs(plan)
    if demo:
        lines += [f'  - caption: "{DEMO_CAPTION}"', "    chapters:"]
        lines += [f"      - file: {r.docname}" for r in demo]
    lines += ['  - caption: "Vedlegg"', "    chapters:"]
    lines += [f"      - file: {doc}" for doc in _appendix(plan)]
    return "\n".join(lines) + "\n"


def toc_path(root: Path | None = None) -> Path:
    return Path(root or paths.PROJECT_ROOT) / "_toc.yml"


def write(root: Path | None = None, plan: list[runs.Run] | None = None) -> bool:
    """Write ``_toc.yml`` for ``plan`` (default: the default edition's plan) if its content
    changed; True if the file was (re)written."""
    root = Path(root or paths.PROJECT_ROOT)
    return write_if_changed(toc_path(root), render(plan if plan is not None else runs.plan(root)))


def docnames(root: Path | None = None, plan: list[runs.Run] | None = None) -> list[str]:
    """Every document in the table of contents, in reading order (front page first)."""
    plan = plan if plan is not None else runs.plan(root)
    county_pages = runs.county_runs(plan)
    order = [FRONT_PAGE]
    for run in _chapters(plan):
        if run in county_pages:
            continue
        order.append(run.docname)
        if run.id == "fylker/index":
            order += [r.docname for r in county_pages]
    order += [r.docname for r in runs.demo_runs(plan)]
    return order + _appendix(plan)
