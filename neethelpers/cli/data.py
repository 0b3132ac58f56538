"""``neet data ...``: check, refresh and maintain the data files.

The lead's CLI mounts :data:`data_app` as ``neet data``; it also runs on its own with
``python -m neethelpers.cli.data``.

* ``verify`` — every catalog file against its sha256 and schema; exit 1 naming each failure.
* ``refresh [TABLE ...]`` — new snapshots from SSB's and Eurostat's APIs (see
  :mod:`neethelpers.data.refresh`); exit 2 with one line if it cannot complete (e.g. no network),
  with nothing under ``data/`` changed.
* ``rehash ID`` — record a new sha256 for a curated (non-raw) file after an intended edit,
  after validating it; refuses for ``data/raw`` snapshots.
* ``list`` — the catalog ids with title and file.
"""

from __future__ import annotations

import typer

from neethelpers import data, paths
from neethelpers.data import catalog
from neethelpers.errors import DataError, NeetError

data_app = typer.Typer(
    name="data",
    help="Check, refresh and maintain the data files listed in data/catalog.yml.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@data_app.command("verify")
def verify_command(
    dataset: list[str] = typer.Argument(None, help="Dataset ids to check (default: every catalog entry)."),
) -> None:
    """Check every data file against its sha256 and schema; exit 1 naming each failure."""
    data.clear_cache()
    try:
        ids = dataset or data.datasets()
    except DataError as exc:
        _fail(str(exc), 1)
    failures = 0
    for dataset_id in ids:
        try:
            data.verify(dataset_id)
        except DataError as exc:
            failures += 1
            typer.echo(f"FAIL {dataset_id}: {exc}", err=True)
        else:
            typer.echo(f"ok   {dataset_id}")
    if not dataset:
        failures += _report_uncatalogued()
    if failures:
        _fail(f"{failures} problem(s) in {len(ids)} catalogued data file(s) and data/ failed verification", 1)
    typer.echo(f"all {len(ids)} data files match the catalog (sha256 and schema)")


def _report_uncatalogued() -> int:
    """Data files (CSV, GeoJSON) under data/ without a catalog entry. In raw/ and published/ that is a
    failure (no provenance); in literature/ a warning while that folder is being curated."""
    listed = {str(catalog.file_of(e).resolve()) for e in catalog.load_catalog().values()}
    failures = 0
    for folder, fatal in (("raw", True), ("published", True), ("literature", False)):
        for path in sorted(p for p in (paths.DATA_DIR / folder).glob("*") if p.suffix in (".csv", ".geojson")):
            if str(path.resolve()) in listed:
                continue
            if fatal:
                failures += 1
                typer.echo(f"FAIL data/{folder}/{path.name}: not in data/catalog.yml (no provenance)", err=True)
            else:
                typer.echo(f"note data/{folder}/{path.name}: not in data/catalog.yml yet "
                           "(add an entry, see data/README.md)", err=True)
    return failures


@data_app.command("refresh")
def refresh_command(
    tables: list[str] = typer.Argument(
        None, help="SSB table ids (13556, 13563, 09858) or Eurostat codes (edat_lfse_20, edat_lfse_22); "
                   "default: all."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Fetch and validate, but write nothing."),
) -> None:
    """Fetch current figures from SSB (PxWebApi v2) and Eurostat as new snapshots."""
    from neethelpers.data import refresh as refresh_mod

    try:
        results = refresh_mod.refresh(tables or None, dry_run=dry_run)
    except KeyError as exc:
        _fail(str(exc.args[0]), 2)
    except (refresh_mod.RefreshError, NeetError) as exc:
        _fail(str(exc), 2)
    for r in results:
        cached = " (from HTTP cache)" if r.from_cache else ""
        if r.status == "unchanged":
            typer.echo(f"unchanged {r.table} ({r.target}): same as {r.dataset_id}{cached}")
        elif dry_run:
            typer.echo(f"would write data/{r.file} ({r.rows} rows){cached}")
        else:
            typer.echo(f"new snapshot data/{r.file} ({r.rows} rows), catalog id {r.dataset_id}{cached}")


@data_app.command("rehash")
def rehash_command(
    dataset_id: str = typer.Argument(..., help="Catalog id of a curated file (data/published, data/literature)."),
) -> None:
    """Record the current sha256 of a curated file after an intended edit (never for data/raw)."""
    data.clear_cache()
    try:
        entry = catalog.entry(dataset_id)
    except DataError as exc:
        _fail(str(exc), 2)
    if catalog.is_raw(entry):
        _fail(f"{entry['file']} is a raw snapshot: raw snapshots are immutable and are never rehashed; "
              "restore the file from git, or add a new snapshot with `neet data refresh`", 2)
    path = catalog.file_of(entry)
    if not path.exists():
        _fail(f"data/{entry['file']} does not exist", 2)
    content = path.read_bytes()
    from neethelpers.data.schemas import spec_for

    try:
        data.parse_bytes(content, spec_for(dataset_id, entry), f"data/{entry['file']}")
    except DataError as exc:
        _fail(f"not rehashed, the file fails its schema: {exc}", 1)
    except ValueError as exc:
        _fail(str(exc), 2)
    sha = catalog.sha256_bytes(content)
    if sha == entry["sha256"]:
        typer.echo(f"unchanged: {dataset_id} already has sha256 {sha}")
        return
    text = paths.CATALOG_PATH.read_text(encoding="utf-8")
    new_text = catalog.with_sha256(text, dataset_id, sha)
    catalog.parse_catalog_text(new_text, file=paths.CATALOG_PATH)
    catalog.write_text_atomic(paths.CATALOG_PATH, new_text)
    data.clear_cache()
    typer.echo(f"rehashed {dataset_id}: {entry['sha256'][:12]}… -> {sha[:12]}…")


@data_app.command("list")
def list_command() -> None:
    """List the catalog: id, file and title."""
    try:
        entries = catalog.load_catalog()
    except DataError as exc:
        _fail(str(exc), 2)
    for dataset_id, entry in entries.items():
        typer.echo(f"{dataset_id}\tdata/{entry['file']}\t{entry['title']}")


if __name__ == "__main__":  # pragma: no cover
    data_app()
