"""The run plan: which notebook is executed with which parameters, and where it goes.

The plan is generated from the county registry (:mod:`neethelpers.registry.counties`), never
written by hand: one run for the literature chapter, one for the national chapter, one
for the county overview, one of the county template per current county and one for the
regression chapter. Output paths are short, stable and guessable::

    notebooks/01_literature.ipynb       -> book/generated/risikofaktorer.ipynb
    notebooks/02_national.ipynb         -> book/generated/nasjonale-trender.ipynb
    notebooks/03_counties_overview.ipynb -> book/generated/fylker/index.ipynb
    notebooks/04_county.ipynb           -> book/generated/fylker/<slug>.ipynb      (county=<name>)
    notebooks/05_regression.ipynb       -> book/generated/regresjonsanalyse.ipynb
    notebooks/06_note_contradictions.ipynb -> book/generated/motstridende-tall.ipynb   (appendix)

so the rendered pages are ``book/generated/fylker/akershus.html`` and so on.

**Two editions.** Without register data (the default, and ``--data synthetic``) the
chapters show only public statistics and published figures (``data_source="none"``), and
the synthetic cohort is used in one place, the demonstration part (``part="demo"``): the
regression chapter and one example county page (:data:`DEMO_COUNTY`, output
``book/generated/demonstrasjon/<slug>``), both with ``data_source="synthetic"``. With
``--data FILE`` every page gets the file, the regression chapter becomes an ordinary
chapter and the demonstration part is left out.

Parameters are only injected when the notebook declares them in its ``parameters``
cell (``year`` and ``data_source`` are passed to the notebooks that take them), and
:func:`check_parameters` rejects a value the notebook does not declare or whose type
does not match the declaration — the dry run uses it to catch bad parameters cheaply.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path

from neethelpers import paths
from neethelpers.registry import counties

GENERATED = "book/generated"

LITERATURE_NOTEBOOK = "notebooks/01_literature.ipynb"
NATIONAL_NOTEBOOK = "notebooks/02_national.ipynb"
OVERVIEW_NOTEBOOK = "notebooks/03_counties_overview.ipynb"
COUNTY_NOTEBOOK = "notebooks/04_county.ipynb"
REGRESSION_NOTEBOOK = "notebooks/05_regression.ipynb"
CONTRADICTIONS_NOTEBOOK = "notebooks/06_note_contradictions.ipynb"

CHAPTERS = "chapters"
DEMO = "demo"
APPENDIX = "appendix"
SYNTHETIC = "synthetic"
#: The county whose page is shown computed on the synthetic cohort in the demonstration part
#: (one of the analysis note's counties, so the calibration check has published figures).
DEMO_COUNTY = "Østfold"
DEMO_FOLDER = "demonstrasjon"


@dataclass(frozen=True)
class Run:
    """One papermill execution.

    ``id`` is also the output path below ``book/generated/`` (without ``.ipynb``);
    ``title``, when set, replaces the first Markdown heading of the executed notebook
    (county pages are titled with the county's canonical name); ``namespace`` is the
    name under which the page's glued values are offered to hand-written pages as MyST
    substitutions (``{{ nasjonalt.neet_share_latest }}``); ``county_code`` marks the
    run of one county page (for ``neet build --county``); ``part`` is the part of the book
    (``"chapters"`` or ``"demo"``, the demonstration on synthetic data).
    """

    id: str
    notebook: str
    parameters: dict = field(default_factory=dict, hash=False, compare=True)
    title: str | None = None
    namespace: str = ""
    county_code: str | None = None
    part: str = CHAPTERS

    @property
    def output(self) -> str:
        """The executed notebook, relative to the project root."""
        return f"{GENERATED}/{self.id}.ipynb"

    @property
    def failed_output(self) -> str:
        """Where a failed execution is kept for inspection (next to the good one)."""
        return f"{GENERATED}/{self.id}.failed.ipynb"

    @property
    def docname(self) -> str:
        """The Sphinx document name (used in ``_toc.yml``)."""
        return f"{GENERATED}/{self.id}"

    def describe(self) -> str:
        """``notebooks/04_county.ipynb (county='Østfold')``: for progress and errors."""
        return f"{self.notebook} ({format_parameters(self.parameters)})"


def format_parameters(parameters: dict) -> str:
    if not parameters:
        return "default parameters"
    return ", ".join(f"{k}={v!r}" for k, v in parameters.items())


# --- parameters cells -------------------------------------------------------------------

@dataclass(frozen=True)
class Parameter:
    """One declared parameter: name, annotation (``"str"``), default value and comment."""

    name: str
    annotation: str | None
    default: object
    comment: str


def read_notebook_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def declared_parameters(notebook: Path) -> dict[str, Parameter]:
    """The parameters declared in the cell tagged ``parameters`` (empty if none).

    Only literal defaults are allowed there (house style); anything else is reported
    with ``default=None``.
    """
    nb = read_notebook_json(notebook)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return _parse_parameters(_cell_source(cell))
    return {}


def _parse_parameters(source: str) -> dict[str, Parameter]:
    lines = source.splitlines()
    tree = ast.parse(source)
    found: dict[str, Parameter] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name, ann, value = node.target.id, ast.unparse(node.annotation), node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, ann, value = node.targets[0].id, None, node.value
        else:
            continue
        try:
            default = ast.literal_eval(value) if value is not None else None
        except ValueError:
            default = None
        tail = lines[node.end_lineno - 1][node.end_col_offset:]
        comment = tail.split("#", 1)[1].strip() if "#" in tail else ""
        found[name] = Parameter(name, ann, default, comment)
    return found


_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool}


def check_parameters(root: Path, run: Run) -> list[str]:
    """Problems with ``run``'s parameters (empty list = fine): an undeclared name, or a
    value whose type does not match the declared annotation."""
    nb_path = root / run.notebook
    if not nb_path.exists():
        return [f"{run.notebook} does not exist"]
    declared = declared_parameters(nb_path)
    problems = []
    for name, value in run.parameters.items():
        if name not in declared:
            valid = ", ".join(declared) or "none"
            problems.append(f"{run.notebook} has no parameter {name!r} (declared: {valid})")
            continue
        expected = _TYPES.get(declared[name].annotation or "")
        if expected is not None and (not isinstance(value, expected) or
                                     (expected is int and isinstance(value, bool))):
            problems.append(f"{run.notebook}: parameter {name}={value!r} is not of type {declared[name].annotation}")
    return problems


def effective_parameters(root: Path, run: Run) -> dict:
    """The values the notebook actually runs with: its defaults, overridden by the run's."""
    nb_path = root / run.notebook
    defaults = {p.name: p.default for p in declared_parameters(nb_path).values()} if nb_path.exists() else {}
    return {**defaults, **run.parameters}


# --- the plan ------------------------------------------------------------------------------

def _optional(root: Path, notebook: str, **candidates) -> dict:
    """Those of ``candidates`` (not None) that ``notebook`` declares as parameters, except
    values equal to the notebook's own default (``--data synthetic`` changes nothing)."""
    wanted = {k: v for k, v in candidates.items() if v is not None}
    if not wanted:
        return {}
    path = root / notebook
    declared = declared_parameters(path) if path.exists() else {}
    return {k: v for k, v in wanted.items() if k in declared and declared[k].default != v}


def has_real_data(data_source: str | None) -> bool:
    """Whether ``data_source`` is a microdata file (not the default edition or ``"synthetic"``)."""
    return data_source not in (None, "", "none", SYNTHETIC)


def plan(root: Path | None = None, *, year: int | None = None, data_source: str | None = None) -> list[Run]:
    """All runs of the book, in reading order.

    ``year`` and ``data_source`` (an absolute path, or ``"synthetic"``) are passed only
    to the notebooks that declare those parameters; ``None`` keeps each notebook's default.
    ``"synthetic"`` builds the default edition (the synthetic cohort only in the
    demonstration part).
    """
    root = Path(root or paths.PROJECT_ROOT)
    real = has_real_data(data_source)
    extra = {"year": year, "data_source": data_source if real else None}
    runs = [
        Run("risikofaktorer", LITERATURE_NOTEBOOK, _optional(root, LITERATURE_NOTEBOOK, **extra),
            namespace="litteratur"),
        Run("nasjonale-trender", NATIONAL_NOTEBOOK, _optional(root, NATIONAL_NOTEBOOK, **extra),
            namespace="nasjonalt"),
        Run("fylker/index", OVERVIEW_NOTEBOOK, _optional(root, OVERVIEW_NOTEBOOK, **extra),
            namespace="fylkene"),
    ]
    county_extra = _optional(root, COUNTY_NOTEBOOK, **extra)
    for county in counties.current_counties():
        runs.append(Run(f"fylker/{county.slug}", COUNTY_NOTEBOOK, {"county": county.name, **county_extra},
                        title=county.name, namespace="fylke_" + county.slug.replace("-", "_"),
                        county_code=county.code))
    appendix = Run("motstridende-tall", CONTRADICTIONS_NOTEBOOK, namespace="motstridende", part=APPENDIX)
    if real:
        runs.append(Run("regresjonsanalyse", REGRESSION_NOTEBOOK, _optional(root, REGRESSION_NOTEBOOK, **extra),
                        namespace="regresjon"))
        return runs + [appendix]
    demo_extra = {"year": year, "data_source": SYNTHETIC}
    runs.append(Run("regresjonsanalyse", REGRESSION_NOTEBOOK, _optional(root, REGRESSION_NOTEBOOK, **demo_extra),
                    namespace="regresjon", part=DEMO))
    demo = counties.resolve(DEMO_COUNTY)
    runs.append(Run(f"{DEMO_FOLDER}/{demo.slug}", COUNTY_NOTEBOOK,
                    {"county": demo.name, **_optional(root, COUNTY_NOTEBOOK, **demo_extra)},
                    title=f"Eksempel: {demo.name} beregnet på syntetiske data", namespace="demo_fylke", part=DEMO))
    return runs + [appendix]


def demo_runs(runs: list[Run]) -> list[Run]:
    return [r for r in runs if r.part == DEMO]


def appendix_runs(runs: list[Run]) -> list[Run]:
    return [r for r in runs if r.part == APPENDIX]


def county_runs(runs: list[Run]) -> list[Run]:
    return [r for r in runs if r.county_code is not None]


def run_for_county(runs: list[Run], county: counties.County) -> Run:
    for run in runs:
        if run.county_code == county.code:
            return run
    raise KeyError(county.name)  # pragma: no cover - every current county has a run
