"""The ``neet`` command: build the book, write the table of contents, manage data.

``neet build`` executes the chapter notebooks and renders the book (see
:mod:`neethelpers.build.execute`); ``neet toc`` writes ``_toc.yml``; ``neet data`` (refresh,
verify, …) and ``neet microdata-script`` come from their own modules. Bad input gives
one clear line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from neethelpers import paths
from neethelpers.errors import NeetError

app = typer.Typer(
    name="neet",
    help="Build and maintain the NEET report book (Unge utenfor arbeid og utdanning).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"neet: error: {message}", err=True)
    raise typer.Exit(code)


def _resolve_county(name: str):
    from neethelpers.registry import counties

    try:
        return counties.resolve(name)
    except NeetError as exc:
        _fail(str(exc))


def _resolve_data(value: str) -> str:
    """Validate and aggregate a --data file once, before anything runs, and return the cached
    cell file that every notebook gets as ``data_source`` (notebooks never read person rows).
    A bad file gives one line naming the file, the column and the values (never one failure per
    notebook), a non-zero exit, and nothing is executed or published."""
    if value == "synthetic":
        return value
    path = Path(value).expanduser()
    if path.is_dir():
        _fail(f"--data {value!r}: is a directory (give a person-level or cell-count CSV/Parquet file, "
              "or 'synthetic')")
    if not path.is_file():
        _fail(f"--data {value!r}: no such file (give a person-level or cell-count CSV/Parquet file, "
              "or 'synthetic')")
    from neethelpers.build.state import STATE_DIR_NAME
    from neethelpers.microdata import cells

    try:
        return str(cells.cache(path.resolve(), paths.PROJECT_ROOT / STATE_DIR_NAME / "cells"))
    except NeetError as exc:
        _fail(f"--data: {exc}")


def _check_year(year: int) -> int:
    """``--year`` must lie in the register series, after SSB's 2014/2015 break (the national
    chapter shows the years on both sides of it); refuse it here rather than fail in a cell."""
    from neethelpers.series import national

    years = national.register_total()["year"]
    first, last = national.REGISTER_BREAK_YEAR, int(years.max())
    if not first <= year <= last:
        _fail(f"--year {year}: choose a year from {first} to {last} (the register series cover "
              f"{int(years.min())}–{last}, and the national chapter needs the years on both sides of the "
              f"{first - 1}/{first} break)")
    return year


@app.command()
def build(
    county: str | None = typer.Option(
        None, "--county", "-c", metavar="NAME",
        help="Re-run only this county's page (name or code, e.g. 'Østfold', 'ostfold', '31'), "
             "plus pages never executed, then rebuild the book. Historical counties (Viken, …) are "
             "rejected with an explanation."),
    force: bool = typer.Option(False, "--force", "-f",
                               help="Re-execute every notebook even if its inputs are unchanged."),
    jobs: int | None = typer.Option(None, "--jobs", "-j", min=1, metavar="N",
                                       help="Notebooks executed in parallel (default: number of CPU cores)."),
    data: str | None = typer.Option(
        None, "--data", metavar="PATH",
        help="Your own register data: a person-level or cell-count CSV/Parquet file (schemas: "
             "neethelpers/microdata/schema.py). Person files are validated and aggregated to cell counts "
             "once (cached by content hash); every county page, the overview and the national chapter then "
             "show long-term NEET from it (with disclosure control), the regression chapter runs on it and "
             "the synthetic demonstration part is left out. Without --data (or with 'synthetic') the default "
             "edition is built: published figures only, the synthetic cohort in the demonstration part."),
    year: int | None = typer.Option(None, "--year", metavar="YEAR", min=2000, max=2100,
                                       help="Statistics year for the chapters that take a year parameter: from 2015 "
                                            "(after SSB's 2014/2015 break) to the last year in the data "
                                            "(default: each notebook's own default)."),
    dry_run: bool = typer.Option(False, "--dry-run", "-n",
                                 help="List the runs with their parameters and whether each would execute; "
                                      "execute nothing."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    fresh_kernels: bool = typer.Option(
        False, "--fresh-kernels",
        help="Start a new kernel for every notebook run. By default the county pages share a kernel per worker "
             "(reset between runs), which saves start-up time."),
) -> None:
    """Execute the chapter notebooks that are out of date and render the book to _build/html.

    Strict: a failing cell or a Sphinx warning fails the build, and the last good book stays in place.
    """
    from neethelpers.build import BuildInterrupted, execute as builder

    county_obj = _resolve_county(county) if county is not None else None
    data_source = _resolve_data(data) if data is not None else None
    if year is not None:
        _check_year(year)
    try:
        extra = {"echo": typer.echo} if dry_run else {}  # the dry-run listing is the command's output
        report = builder.build(paths.PROJECT_ROOT, force=force, county=county_obj, jobs=jobs,
                               data_source=data_source, year=year, dry_run=dry_run, progress=not quiet,
                               reuse_kernels=not fresh_kernels, **extra)
    except BuildInterrupted as exc:
        typer.echo(f"neet: build stopped: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except NeetError as exc:
        typer.echo(f"neet: build failed: {exc}", err=True)
        raise typer.Exit(1) from None
    for warning in report.warnings:
        typer.echo(f"neet: warning: {warning}", err=True)
    if not dry_run:
        executed = report.executed
        typer.echo(f"{len(executed)} notebook(s) executed, "
                   f"{sum(1 for o in report.outcomes if o.status == 'skipped')} up to date; "
                   f"book {report.book} ({report.seconds:.1f} s).")


@app.command("toc")
def toc_command(
    check: bool = typer.Option(False, "--check", help="Only check that _toc.yml is up to date (exit 1 if not)."),
) -> None:
    """Write _toc.yml from the county registry and the run plan (never edit it by hand)."""
    from neethelpers.build import plan as runs, toc

    path = toc.toc_path(paths.PROJECT_ROOT)
    if check:
        expected = toc.render(runs.plan(paths.PROJECT_ROOT))
        if not path.exists() or path.read_text(encoding="utf-8") != expected:
            _fail("_toc.yml is out of date; run `neet toc`", code=1)
        typer.echo("_toc.yml is up to date")
        return
    changed = toc.write(paths.PROJECT_ROOT)
    typer.echo(f"{'wrote' if changed else 'unchanged:'} {path.relative_to(paths.PROJECT_ROOT)}")


def _mount_subcommands() -> None:
    """Mount ``neet data``, ``neet microdata`` and ``neet microdata-script`` from their modules."""
    from neethelpers.cli import data as data_cli, microdata as microdata_cli

    app.add_typer(data_cli.data_app, name="data")
    app.command("microdata-script")(microdata_cli.microdata_script_command)
    app.add_typer(microdata_cli.microdata_app, name="microdata")


_mount_subcommands()


def main(argv: list[str] | None = None) -> None:
    """The ``neet`` console script: run the app (on ``argv``, default the command line), and turn
    any :class:`NeetError` that escapes a command (a corrupted data file met while checking
    ``--year``, …) into one line on stderr and exit status 2; Ctrl-C ends with status 130 and
    one line, never a traceback."""
    try:
        app(args=argv, standalone_mode=True)
    except NeetError as exc:
        typer.echo(f"neet: error: {_one_line(exc)}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("neet: interrupted", err=True)
        sys.exit(130)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 2000 else text[:1997] + "…"


if __name__ == "__main__":
    main()
