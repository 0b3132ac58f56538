"""``neet microdata-script``: write the microdata.no script for a county and year.

The lead's ``neethelpers.cli.main`` mounts :func:`microdata_script_command` as
``neet microdata-script --county NAME --year YEAR [--output FILE]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from neethelpers.errors import NeetError


def microdata_script_command(
    county: str = typer.Option(..., "--county", metavar="NAME",
                               help="County name or code (one of today's 15 counties, e.g. Akershus or 32)."),
    year: int = typer.Option(..., "--year", metavar="YEAR",
                             help="Outcome year: long-term NEET in YEAR-1 and YEAR (the note uses 2023)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="Write the script to FILE instead of standard output."),
    datastore_version: Optional[int] = typer.Option(
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
