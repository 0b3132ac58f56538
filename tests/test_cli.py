"""The `neet` command line: options, help and clear one-line errors."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from neethelpers import paths
from neethelpers.cli.main import app, main

runner = CliRunner()


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def neet_cli(capsys, monkeypatch):
    """``neet ARGS`` in-process through the console script's own entry point (``main``, which
    turns errors into one line), with separate stdout and stderr."""
    monkeypatch.chdir(paths.PROJECT_ROOT)

    def run(*args: str) -> Completed:
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return Completed(code, out.out, out.err)

    return run


def test_top_level_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "toc", "data", "microdata-script"):
        assert command in result.output


def test_build_help_documents_every_option():
    # Every option the command really has (read from the command, so a new option cannot be
    # forgotten), each with a help text shown in `neet build --help`.
    command = typer.main.get_command(app).commands["build"]
    options = [p for p in command.params if p.opts and p.opts[0].startswith("--") and p.name != "help"]
    assert {o.opts[0] for o in options} >= {"--county", "--force", "--jobs", "--data", "--dry-run", "--year",
                                           "--quiet", "--fresh-kernels"}
    result = runner.invoke(app, ["build", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in options:
        assert option.help, f"{option.opts[0]} has no help text"
        assert option.opts[0] in result.output
        assert option.help.split()[0] in result.output


@pytest.mark.parametrize("name", ["Østfold", "ostfold", "ØSTFOLD", "31", "3100"])
def test_county_names_and_codes_resolve_in_a_dry_run(name):
    result = runner.invoke(app, ["build", "--county", name, "--dry-run"])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.output.splitlines() if "fylker/ostfold.ipynb" in ln)
    assert line.startswith("would execute") and "requested (--county Østfold)" in line


def test_historical_county_is_explained_in_one_line_without_traceback(neet_cli):
    result = neet_cli("build", "--county", "Viken", "--dry-run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neet: error:")
    assert "Viken existed 2020–2023" in lines[0] and "Østfold" in lines[0]


def test_unknown_county_lists_the_valid_ones():
    result = runner.invoke(app, ["build", "--county", "Atlantis", "--dry-run"])
    assert result.exit_code == 2
    assert "unknown county 'Atlantis'" in result.output and "Finnmark" in result.output


def test_missing_data_file_is_a_clear_error(tmp_path, neet_cli):
    result = neet_cli("build", "--data", str(tmp_path / "nope.csv"), "--dry-run")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no such file" in result.stderr and "nope.csv" in result.stderr


@pytest.mark.parametrize("args", [["--jobs", "0"], ["--year", "1850"], ["--year", "abc"], ["--bogus"]])
def test_bad_option_values_exit_non_zero(args, neet_cli):
    result = neet_cli("build", *args, "--dry-run")
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_data_option_reaches_the_notebooks_that_take_it():
    from neethelpers.microdata.testing import FIXTURE_PERSONS

    micro = FIXTURE_PERSONS  # a valid person-level file (the option is validated before anything runs)
    result = runner.invoke(app, ["build", "--data", str(micro), "--dry-run"])
    assert result.exit_code == 0, result.output
    reg = next(ln for ln in result.output.splitlines() if "regresjonsanalyse.ipynb" in ln)
    # the file is aggregated once; the notebooks get its cached cells, never person rows
    from neethelpers import paths
    from neethelpers.files import sha256_file
    from neethelpers.microdata import schema

    cached = paths.PROJECT_ROOT / ".neet-cache" / "cells" / f"{sha256_file(micro)}.parquet"
    assert f"data_source={str(cached)!r}" in reg
    inp = schema.read_input(cached)
    assert inp.kind == "persons" and inp.name == micro.name
    pd.testing.assert_frame_equal(inp.frame, schema.read_input(micro).frame)


def test_toc_check_passes_on_the_committed_toc():
    result = runner.invoke(app, ["toc", "--check"])
    assert result.exit_code == 0, result.output


def test_year_outside_the_register_series_is_refused_before_anything_runs(neet_cli):
    from neethelpers.series import national

    years = national.register_total()["year"]
    first, last = national.REGISTER_BREAK_YEAR, int(years.max())
    for year in (first - 1, last + 1):
        result = neet_cli("build", "--year", str(year), "--dry-run")
        assert result.returncode == 2 and "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"neet: error: --year {year}:")
        assert f"from {first} to {last}" in lines[0]
    for year in (first, last):
        result = runner.invoke(app, ["build", "--year", str(year), "--dry-run"])
        assert result.exit_code == 0, result.output



# --- --data is validated before anything runs (issues 3 and 6) ---------------------------------


def _bad_inputs(tmp_path):
    """Files with the errors of the issues, made from the valid fixture (nothing typed by hand)."""
    import pandas as pd

    from neethelpers.microdata import schema
    from neethelpers.microdata.testing import FIXTURE_PERSONS

    text = FIXTURE_PERSONS.read_text(encoding="utf-8")
    persons = pd.read_csv(FIXTURE_PERSONS, dtype={"fylke": str})
    cells = schema.read_input(FIXTURE_PERSONS).frame[[*schema.COVARIATES, "n", "neet"]]
    out = {}

    def put(name, content, column=None):
        path = tmp_path / name
        if isinstance(content, pd.DataFrame):
            content.to_csv(path, index=False)
        else:
            path.write_text(content, encoding="utf-8")
        out[name] = (path, column)

    put("semicolons.csv", text.replace(",", ";"))
    weighted = persons.assign(weight="1,5")
    put("decimal_commas.csv", weighted.to_csv(index=False, sep=",", quoting=1), "weight")
    put("empty.csv", "")
    put("header_only.csv", text.splitlines()[0] + "\n")
    put("missing_column.csv", persons.drop(columns="tidlarb"), "tidlarb")
    put("unknown_county.csv", persons.assign(fylke=persons["fylke"].where(persons.index != 3, "30")), "fylke")
    too_many = cells.copy()
    too_many.loc[0, "neet"] = too_many.loc[0, "n"] + 1
    put("neet_above_n.csv", too_many, "neet")
    put("duplicate_cells.csv", pd.concat([cells, cells.head(1)], ignore_index=True))
    return out


def test_bad_data_files_give_one_line_naming_file_and_column_and_run_nothing(tmp_path):
    for name, (path, column) in _bad_inputs(tmp_path).items():
        result = runner.invoke(app, ["build", "--data", str(path), "--dry-run"])
        assert result.exit_code == 2, (name, result.output)
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("neet: error: --data:"), (name, result.output)
        assert name in lines[0], (name, lines[0])
        if column:
            assert f"column '{column}" in lines[0] or f"column {column!r}" in lines[0], (name, lines[0])
        assert "would execute" not in result.output


def test_a_bad_data_file_executes_and_publishes_nothing(tmp_path):
    from conftest import make_copy

    project = make_copy(tmp_path / "copy")
    path, _ = _bad_inputs(tmp_path)["neet_above_n.csv"]
    result = project.neet("build", "--data", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "neet_above_n.csv" in result.stderr
    for produced in ("book/generated", "_build", ".neet-cache"):
        assert not (project.root / produced).exists(), produced


# --- neet microdata cells (issue 17) ---------------------------------------------------------------


def test_microdata_cells_writes_the_cell_file_and_prints_sql(tmp_path):
    from neethelpers.microdata import schema
    from neethelpers.microdata.testing import FIXTURE_PERSONS

    out = tmp_path / "cells.parquet"
    result = runner.invoke(app, ["microdata", "cells", str(FIXTURE_PERSONS), "--out", str(out),
                                 "--memory-limit", "200MB"])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    pd.testing.assert_frame_equal(schema.read_input(out).frame, schema.read_input(FIXTURE_PERSONS).frame)
    sql = runner.invoke(app, ["microdata", "cells", "--print-sql"])
    assert sql.exit_code == 0 and "GROUP BY" in sql.output and "COUNT(*) AS persons" in sql.output


def test_microdata_cells_bad_input_is_one_line(tmp_path, neet_cli):
    bad = tmp_path / "bad.csv"
    bad.write_text("neet2023,dropout\n1,0\n", encoding="utf-8")
    result = neet_cli("microdata", "cells", str(bad), "--out", str(tmp_path / "c.parquet"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.csv" in lines[0] and "missing column" in lines[0]
    result = runner.invoke(app, ["build", "--data", str(tmp_path), "--dry-run"])
    assert result.exit_code == 2 and "is a directory" in result.output
