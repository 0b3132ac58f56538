"""The microdata.no script generator and its CLI command."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from neethelpers.cli.microdata import microdata_script_command
from neethelpers.errors import DataError
from neethelpers.microdata import schema, script
from neethelpers.microdata.testing import random_persons
from neethelpers.registry import counties, crosswalk

# Commands the reference attests ([O]/[M]); anything else must not be emitted.
ATTESTED = {"require", "create-dataset", "import", "import-event", "generate", "replace", "keep", "drop",
            "destring", "merge", "use", "collapse", "clone-variables", "tabulate", "logit", "regress"}
# Register variables the reference lists with [O] or [M] evidence.
KNOWN_VARIABLES = {"BEFOLKNING_FOEDSELS_AAR_MND", "BEFOLKNING_STATUSKODE", "BEFOLKNING_KOMMNR_FAKTISK",
                   "BEFOLKNING_KJOENN", "BEFOLKNING_INVKAT", "NUDB_SOSBAK", "INNTEKT_WLONN",
                   "BARNEVERN_OMSORG12", "BARNEVERN_HJELPETIL12", "INNTEKT_SUM_ARBAVKL", "INNTEKT_KODE218",
                   "ARBEIDSSOKER_TILTAK", "NUDB_KURS_NUS", "NUDB_KURS_FNR", "NUDB_BU", "BEFOLKNING_MOR_FNR",
                   "BEFOLKNING_FAR_FNR", "BEFOLKNING_REGSTAT_FAMNR", "INNTEKT_HUSH_IES"}


def _commands(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("//")]


@pytest.mark.parametrize("county,year", [("Akershus", 2023), ("Oslo", 2024), ("56", 2022)])
def test_only_attested_commands_and_variables(county, year):
    text = script.microdata_script(county, year)
    for line in _commands(text):
        assert line.split()[0] in ATTESTED, line
        assert "/*" not in line and not line.rstrip().endswith("\\")
    used = set(re.findall(r"db/([A-Z0-9_]+)", text))
    assert used <= KNOWN_VARIABLES
    assert "ARBSTATUS_PERS_NEET" not in text and "BEFOLKNING_BOSTEDSKOMMUNE" not in text
    assert f"neet{year}" in text


def test_header_outcome_and_models():
    text = script.microdata_script("Akershus", 2023, datastore_version=43)
    cmds = _commands(text)
    assert cmds[0] == "require no.ssb.fdb:43 as db"
    assert cmds[1] == "create-dataset neet"
    assert sum(c.startswith("logit neet2023") for c in cmds) == 5
    assert any(c.startswith("regress neet2023 tidlarb dropout barnevern") for c in cmds)
    assert any(c.startswith("tabulate celle neet2023") and c.endswith("flatten") for c in cmds)
    assert "<VERSJON>" in script.microdata_script("Akershus", 2023)


def test_thresholds_come_from_the_grunnbelop_file():
    g = script.grunnbelop_by_year()
    text = script.microdata_script("Oslo", 2023)
    quarter = f"{g[2023] / 4:.2f}".rstrip("0").rstrip(".")
    assert f"lonn2023 < {quarter}" in text
    half = f"{g[2015] / 2:.2f}".rstrip("0").rstrip(".")
    assert f"replace tidlarb = 1 if lonn2015 > {half}" in text


def test_county_filter_uses_the_crosswalk_before_2024():
    text = script.microdata_script("Akershus", 2023)
    cw = crosswalk.crosswalk()
    expected = sorted(cw.loc[(cw["year"] == 2023) & (cw["county_code"] == "32"), "municipality_code"])
    line = next(c for c in _commands(text) if c.startswith("generate ifylke"))
    assert sorted(re.findall(r"'(\d{4})'", line)) == expected
    text24 = script.microdata_script("Akershus", 2024)
    assert "keep if fylkenr == '32'" in text24


def test_bad_county_and_year_raise():
    with pytest.raises(DataError, match="Viken"):
        script.microdata_script("Viken", 2023)
    g = script.grunnbelop_by_year()
    with pytest.raises(DataError, match="year"):
        script.microdata_script("Oslo", max(g) + 1)


def test_cell_key_roundtrip():
    cells = schema.to_cells(random_persons(3000, seed=2, fylker=("03",)))
    gb = cells["grunnbelop"].fillna(0).astype(int)
    key = 0
    for name, width in script.CELL_KEY_DIGITS:
        key = key * 10 ** width + (gb if name == "grunnbelop" else cells[name].astype("int64"))
    exported = pd.DataFrame({"celle": key, "n": cells["n"], "neet": cells["neet"]})
    decoded = script.decode_cell_key(exported, county="Oslo")
    checked = schema.validate(decoded, "cells")
    for col in schema.COVARIATES:
        assert checked[col].astype("float").fillna(0).tolist() == cells[col].astype("float").fillna(0).tolist()


def test_cli_command(tmp_path):
    app = typer.Typer()
    app.command("microdata-script")(microdata_script_command)
    app.command("noop")(lambda: None)
    runner = CliRunner()
    out = tmp_path / "script.txt"
    res = runner.invoke(app, ["microdata-script", "--county", "Oslo", "--year", "2023", "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8") == script.microdata_script("Oslo", 2023)
    res = runner.invoke(app, ["microdata-script", "--county", "Oslo", "--year", "2023"])
    assert res.exit_code == 0 and res.output.startswith("// Langtids-NEET i Oslo")
    res = runner.invoke(app, ["microdata-script", "--county", "Atlantis", "--year", "2023"])
    assert res.exit_code == 2
    assert counties.resolve("Oslo").name in script.microdata_script("03", 2023)
