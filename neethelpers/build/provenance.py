"""The "Om denne utgaven" appendix: what this edition of the book was built from.

The build writes small MyST Markdown files to ``book/generated/provenance/`` which
``book/appendix/om-utgaven.md`` includes:

* ``katalog.md`` — the data catalog (``data/catalog.yml``): title, publisher, table id,
  address, dates, licence and sha256 of every data file;
* ``kjoringer.md`` — every notebook run with its parameters (the notebook's defaults
  merged with what the build injected), when it was executed and how long it took;
* ``versjoner.md`` — git revision, build time, Python and the pinned package versions;
* ``microdata-skript.md`` — the microdata.no script for the county of the regression
  chapter, when ``neethelpers.microdata.script.microdata_script`` is available;
* ``utdatakontroll.md`` — the output-check records of results from real data, collected
  into ``utdatakontroll.csv`` (downloadable).

The included files hold tables and text only, never headings, so the appendix page keeps
consecutive heading levels.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import inspect
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

import yaml

from neethelpers.build import plan as runs, state as hashing
from neethelpers.errors import NeetError
from neethelpers.presentation import fmt

PROVENANCE_DIR = f"{runs.GENERATED}/provenance"
_OSLO = "Europe/Oslo"
#: The outcome year of the analysis note's models (its outcome variable is ``neet2023``); used for
#: the microdata.no script when the regression chapter has no ``year`` parameter.
NOTE_OUTCOME_YEAR = 2023


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A pipe already escaped (by fmt.escape_user_text) is left alone.
    return re.sub(r"(?<!\\)\|", r"\|", text.replace("\n", " ")).strip() or "–"


def _table(header: list[str], rows: list[list], widths: list[int] | None = None) -> str:
    """A MyST ``list-table`` (column widths keep wide tables readable on a page)."""
    opts = ":header-rows: 1\n" + (f":widths: {' '.join(str(w) for w in widths)}\n" if widths else "")

    def item(values) -> str:
        return "* - " + "\n  - ".join(_cell(v) for v in values)

    body = "\n".join(item(r) for r in [header, *rows])
    return f":::{{list-table}}\n{opts}\n{body}\n:::\n"


# --- data catalog ------------------------------------------------------------------------------

def catalog_entries(root: Path) -> list[dict]:
    path = hashing.catalog_file(root)
    if not path.exists():
        return []
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [e for e in doc.get("datasets", []) if isinstance(e, dict)]


def _date(value) -> str:
    """A catalog date the Norwegian way, «4. november 2025»; partial dates ("2024") as given."""
    return fmt.date(value)


def _link(url: str) -> str:
    """A compact link with the host as its text: ``[www.ssb.no](https://www.ssb.no/...)``."""
    host = re.sub(r"^https?://", "", url).split("/", 1)[0]
    return f"[{host}]({url})"




def catalog_markdown(root: Path, catalog_link: str | None = None) -> str:
    """One block per data file (a definition list reads better than a seven-column table)."""
    entries = catalog_entries(root)
    if not entries:
        return "Datakatalogen (`data/catalog.yml`) finnes ikke i denne utgaven.\n"
    blocks = []
    for e in entries:
        urls = e.get("source_urls") or []
        urls = [urls] if isinstance(urls, str) else urls
        dates = "; ".join(f"{label} {_date(e.get(key))}" for key, label in
                          (("published", "publisert"), ("retrieved", "hentet"), ("snapshot_created", "lagret"))
                          if e.get(key))
        # Readers see the short (Norwegian) publisher and the Norwegian licence and source
        # notes; the English long forms stay in the catalog for analysts.
        publisher = e.get("publisher", "")
        table = f", tabell {e['table_id']}" if e.get("table_id") else ""
        web = [u for u in urls if re.match(r"^https?://", str(u))]
        links = ", ".join(_link(u) for u in web)
        if e.get("source_nb"):
            links = ", ".join(x for x in (_cell(e["source_nb"]), links) if x)
        lines = [_cell(e.get("title", e.get("id", ""))),
                 f": Fil `data/{e.get('file', '')}`, sha256 `{e.get('sha256', '')}`",
                 f": {_cell(publisher + table)}" + (f" – kilde: {links}" if links else "")]
        if dates:
            lines.append(f": {_cell(dates.capitalize())}")
        licence = e.get("licence_nb") or e.get("licence")
        if licence:
            lines.append(f": Lisens: {_cell(licence)}")
        blocks.append("\n".join(lines))
    download = (f" Hele katalogen, med dekning og forbehold for hver fil, kan lastes ned som "
                f"{{download}}`datakatalog (YAML) <{catalog_link}>`." if catalog_link else "")
    intro = (f"Boka bygger på {fmt.number(len(entries))} datafiler. Kontrollsummen (sha256) av hver fil sjekkes "
             f"hver gang filen leses; en endret fil stopper byggingen.{download}\n\n")
    return intro + "\n\n".join(blocks) + "\n"


# --- runs -----------------------------------------------------------------------------------------

def _params_text(params: dict, data_sha256: str | None = None) -> str:
    """The parameters of a run for the appendix. A data file given with ``--data`` is shown by
    its name and sha256, never by its local path; every value goes through
    :func:`neethelpers.presentation.fmt.escape_user_text` (a file name is user input)."""
    if not params:
        return "ingen"
    shown = []
    for k, v in params.items():
        if v is None:
            shown.append(f"`{k}` (ingen verdi)")
        elif k == "data_source" and isinstance(v, str) and hashing.data_source_file({k: v}):
            name = Path(v).name
            # `neet build --data FILE` passes FILE's cached cells: show FILE's name and hash.
            from neethelpers.microdata.cells import origin

            made_from = origin(v)
            if made_from:
                name, data_sha256 = made_from
            digest = f" (sha256 `{data_sha256[:16]}…`)" if data_sha256 else ""
            shown.append(f"`{k}` = filen {fmt.escape_user_text(name)}{digest}")
        else:
            shown.append(f"`{k}` = {fmt.escape_user_text(v if isinstance(v, str) else repr(v))}")
    return ", ".join(shown)


def _local_time(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        moment = _dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    return _format_moment(moment)


def _format_moment(moment: _dt.datetime) -> str:
    try:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo(_OSLO))
    except Exception:  # noqa: BLE001 - no tz database: show UTC
        moment = moment.astimezone(_dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M")


def runs_markdown(plan: list[runs.Run], state: dict) -> str:
    rows = []
    for run in plan:
        rec = state.get("runs", {}).get(run.id, {})
        params = rec.get("effective_parameters", run.parameters)
        injected = set(rec.get("parameters", run.parameters))
        shown = {k: v for k, v in params.items()}
        rows.append([
            f"`{run.id}` ({Path(run.notebook).stem})",
            _params_text(shown, rec.get("inputs", {}).get("data_source"))
            + (f" (satt av byggingen: {', '.join(sorted(injected))})" if injected else ""),
            _local_time(rec.get("executed_at")),
            f"{fmt.number(rec['seconds'], 1)} s" if "seconds" in rec else "",
        ])
    return ("Hver side er en notatbok fra `notebooks/` kjørt med papermill til `book/generated/<side>.ipynb`. "
            "Parameterne er notatbokens standardverdier sammen med verdiene byggingen satte. Tidspunktene er "
            "norsk tid.\n\n"
            + _table(["Side (notatbok)", "Parametere", "Kjørt", "Varighet"], rows))


# --- versions -------------------------------------------------------------------------------------

def pinned_requirements(root: Path) -> list[tuple[str, str]]:
    req = root / "requirements.txt"
    if not req.exists():
        return []
    pins = []
    for line in req.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)==([^\s#;]+)", line)
        if m:
            pins.append((m.group(1), m.group(2)))
    return pins


def installed_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def git_revision(root: Path) -> str:
    """``<sha>`` or ``<sha> (med lokale endringer)``; ``ukjent`` outside a git checkout."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=10)
        if sha.returncode != 0 or not (root / ".git").exists():
            return "ukjent (ikke et git-arkiv)"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return "ukjent (git er ikke tilgjengelig)"
    rev = sha.stdout.strip()
    return rev + (" (med lokale endringer)" if dirty.stdout.strip() else "")


def versions_fingerprint(root: Path) -> dict:
    return {
        "git": git_revision(root),
        "python": platform.python_version(),
        "packages": [(n, p, installed_version(n)) for n, p in pinned_requirements(root)],
    }


def versions_markdown(root: Path, built_at: _dt.datetime | None = None) -> str:
    fp = versions_fingerprint(root)
    built_at = built_at or _dt.datetime.now(_dt.UTC)
    rows = [[f"`{n}`", p, v or "ikke installert", "som låst" if v == p else "avviker"] for n, p, v in fp["packages"]]
    return (
        f"- Git-revisjon: `{fp['git']}`\n"
        f"- Bygget: {_format_moment(built_at)}\n"
        f"- Python: {fp['python']}\n\n"
        + _table(["Pakke", "Låst versjon (requirements.txt)", "Installert", "Merknad"], rows)
    )


# --- microdata.no script --------------------------------------------------------------------------

def chosen_county(root: Path, plan: list[runs.Run], state: dict) -> tuple[str | None, int | None]:
    """The county (and year, if declared) of the regression run: the book's chosen county."""
    reg = next((r for r in plan if r.notebook == runs.REGRESSION_NOTEBOOK), None)
    if reg is None:
        return None, None
    params = state.get("runs", {}).get(reg.id, {}).get("effective_parameters") or runs.effective_parameters(root, reg)
    year = params.get("year")
    return params.get("county"), year if isinstance(year, int) else None


def microdata_markdown(root: Path, plan: list[runs.Run], state: dict) -> str:
    county, year = chosen_county(root, plan, state)
    try:
        module = importlib.import_module("neethelpers.microdata.script")
        func = module.microdata_script
    except (ImportError, AttributeError):
        return "Skriptgeneratoren for microdata.no er ikke med i denne utgaven.\n"
    if not county:
        return "Regresjonskapitlet har ikke valgt noe fylke, så det finnes ikke noe microdata.no-skript.\n"
    kwargs = {}
    sig = inspect.signature(func)
    if "county" in sig.parameters:
        kwargs["county"] = county
    if "year" in sig.parameters:
        kwargs["year"] = year if year is not None else getattr(module, "DEFAULT_YEAR", NOTE_OUTCOME_YEAR)
    try:
        script = func(**kwargs)
    except Exception as exc:  # noqa: BLE001 - reported as a build error naming the call
        raise NeetError(f"neethelpers.microdata.script.microdata_script({', '.join(f'{k}={v!r}' for k, v in kwargs.items())}) "
                        f"failed: {type(exc).__name__}: {exc}") from None
    fence = "````" if "```" in script else "```"
    shown_year = kwargs.get("year")
    for_year = f" med utfallsår {shown_year}" if shown_year else ""
    return (f"Skriptet lager analysenotatets variabler fra registervariabler i microdata.no og "
            f"kjører modellene for {county}{for_year}. Lag det for et annet fylke eller år med "
            f"`neet microdata-script --county NAVN --year ÅR`.\n\n{fence}text\n{script.rstrip()}\n{fence}\n")


# --- writing ------------------------------------------------------------------------------------------

def inputs_fingerprint(root: Path, plan: list[runs.Run], state: dict) -> dict:
    """Everything the provenance page shows except the build time: if this is unchanged,
    so is the page."""
    cat = hashing.catalog_file(root)
    run_facts = {r.id: {k: state.get("runs", {}).get(r.id, {}).get(k)
                        for k in ("effective_parameters", "parameters", "inputs", "executed_at", "seconds")}
                 for r in plan}
    script = root / "neethelpers" / "microdata" / "script.py"
    return {
        "catalog": hashing.sha256_file(cat) if cat.exists() else None,
        "versions": versions_fingerprint(root),
        "runs": run_facts,
        "script": hashing.sha256_file(script) if script.exists() else None,
    }


OUTPUT_CHECK_CSV = "utdatakontroll.csv"


def output_check_markdown(root: Path, folder: Path) -> str:
    """The output-check records the chapters wrote for results from real data
    (``**/_assets/*-utdatakontroll.json``, see :mod:`neethelpers.microdata.disclosure`),
    collected into ``utdatakontroll.csv`` next to this text, with a download link."""
    from neethelpers.microdata import disclosure

    checks = disclosure.collect_checks(root / runs.GENERATED)
    path = folder / OUTPUT_CHECK_CSV
    if checks.empty:
        path.unlink(missing_ok=True)
        return ("Denne utgaven er ikke bygget på ekte registerdata, så ingen tabeller eller modeller "
                "har vært gjennom utdatakontroll.\n")
    hashing.write_if_changed(path, checks.to_csv(index=False))
    failed = int((checks["kontroll"] != "bestått").sum())
    return (f"Tabeller og modeller beregnet fra ekte registerdata er kontrollert etter reglene i "
            f"metodevedlegget: {fmt.number(len(checks), 0)} kontroller på {fmt.number(checks['side'].nunique(), 0)} "
            f"sider, {fmt.number(int(checks['prikket'].sum()), 0)} prikkede verdier, "
            f"{'alle bestått' if not failed else fmt.number(failed, 0) + ' ikke bestått'}. "
            f"{{download}}`Last ned utdatakontrollen (CSV) <../generated/provenance/{OUTPUT_CHECK_CSV}>`\n")


def write_all(root: Path, plan: list[runs.Run], state: dict) -> list[Path]:
    folder = root / PROVENANCE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        # {download} paths in an included file are relative to the including page (book/appendix/).
        "katalog.md": catalog_markdown(root, catalog_link="../../data/catalog.yml"),
        "kjoringer.md": runs_markdown(plan, state),
        "versjoner.md": versions_markdown(root),
        "microdata-skript.md": microdata_markdown(root, plan, state),
        "utdatakontroll.md": output_check_markdown(root, folder),
    }
    written = []
    for name, text in texts.items():
        path = folder / name
        hashing.write_if_changed(path, text)
        written.append(path)
    return written
