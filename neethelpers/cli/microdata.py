"""``neet microdata …``: cell counts from a person file, and the microdata.no script.

``neethelpers.cli.main`` mounts :data:`microdata_app` as ``neet microdata`` (``cells``,
``script``) and :func:`microdata_script_command` as ``neet microdata-script --county NAME
--year YEAR [--output FILE]``.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from neethelpers.errors import NeetError


def microdata_script_command(
    county: str = typer.Option(..., "--county", metavar="NAME",
                               help="County name or code (one of today's 15 counties, e.g. Akershus or 32)."),
    year: int = typer.Option(..., "--year", metavar="YEAR",
                             help="Outcome year: long-term NEET in YEAR-1 and YEAR (the note uses 2023)."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write the script to FILE instead of standard output."),
    datastore_version: int | None = typer.Option(
        None, "--datastore-version", metavar="N",
        help="Version of no.ssb.fdb for the require line (default: a <VERSJON> placeholder to fill in)."),
) -> None:
    """Write a microdata.no script that builds the note's variables, tabulates the cell
    counts for export and runs the logit models."""
    from neethelpers.microdata.script import microdata_script

    try:
        text = microdata_script(county, year, datastore_version=datastore_version)
    except NeetError as exc:
        typer.echo(f"neet: error: {exc}", err=True)
        raise typer.Exit(2) from None
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        typer.echo(f"neet: error: cannot write {output}: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {output}", err=True)


microdata_app = typer.Typer(
    name="microdata", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Own register microdata: cell counts from person files, the microdata.no script.",
)


@microdata_app.command("cells")
def cells_command(
    persons: Path | None = typer.Argument(
        None, metavar="PERSONS",
        help="A person-level or cell-count CSV/Parquet file (schemas: neethelpers/microdata/schema.py)."),
    out: Path | None = typer.Option(None, "--out", "-o", metavar="CELLS.parquet",
                                       help="Where to write the cell counts (Parquet, or CSV if it ends in .csv)."),
    print_sql: bool = typer.Option(False, "--print-sql",
                                   help="Print one SQL query that makes the cell file where the person data live "
                                        "(microdata.no, a database holding the register) and exit."),
    weighted: bool = typer.Option(False, "--weighted", help="With --print-sql: the persons table has a weight column."),
    table: str = typer.Option("persons", "--table", metavar="NAME", help="With --print-sql: the persons table."),
    memory_limit: str = typer.Option("1GB", "--memory-limit", metavar="SIZE",
                                     help="Peak memory of the aggregation (DuckDB syntax: 500MB, 1GB, 4GB); "
                                          "beyond it DuckDB spills to disk."),
    threads: int | None = typer.Option(None, "--threads", min=1, metavar="N",
                                          help="Threads for reading (default: all cores)."),
) -> None:
    """Read, validate and aggregate a person file once (streamed, bounded memory) to the cell
    counts the book needs; `neet build --data FILE` does this itself and caches the result."""
    from neethelpers.microdata import cells

    if print_sql:
        typer.echo(cells.sql(table, weighted=weighted), nl=False)
        return
    if persons is None or out is None:
        typer.echo("neet: error: give PERSONS and --out CELLS.parquet (or --print-sql)", err=True)
        raise typer.Exit(2)
    started = time.perf_counter()
    try:
        result = cells.aggregate(persons, memory_limit=memory_limit, threads=threads)
        cells.write(result, out)
    except NeetError as exc:
        typer.echo(f"neet: error: {exc}", err=True)
        raise typer.Exit(2) from None
    rows = "person" if result.kind == "persons" else "cell"
    typer.echo(f"wrote {out}: {len(result.frame):,} cells from {result.records:,} {rows} rows "
               f"({int(result.frame['n'].sum()):,} persons) in {time.perf_counter() - started:.1f} s"
               .replace(",", " "), err=True)


# The same command under the group (`neet microdata script`), one definition of its options.
microdata_app.command("script")(microdata_script_command)
