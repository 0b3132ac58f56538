"""The `neet` command line: options, help and clear one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from neethelpers import paths
from neethelpers.cli import app

runner = CliRunner()


def _neet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "neethelpers.cli", *args], cwd=paths.PROJECT_ROOT,
                          capture_output=True, text=True, timeout=120)


def test_top_level_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "toc", "data", "microdata-script"):
        assert command in result.output


def test_build_help_documents_every_option():
    result = runner.invoke(app, ["build", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in ("--county", "--force", "--jobs", "--data", "--dry-run", "--year", "--quiet"):
        assert option in result.output


@pytest.mark.parametrize("name", ["Østfold", "ostfold", "ØSTFOLD", "31", "3100"])
def test_county_names_and_codes_resolve_in_a_dry_run(name):
    result = runner.invoke(app, ["build", "--county", name, "--dry-run"])
    assert result.exit_code == 0, result.output
    line = next(ln for ln in result.output.splitlines() if "fylker/ostfold.ipynb" in ln)
    assert line.startswith("would execute") and "requested (--county Østfold)" in line


def test_historical_county_is_explained_in_one_line_without_traceback():
    result = _neet("build", "--county", "Viken", "--dry-run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("neet: error:")
    assert "Viken existed 2020–2023" in lines[0] and "Østfold" in lines[0]


def test_unknown_county_lists_the_valid_ones():
    result = runner.invoke(app, ["build", "--county", "Atlantis", "--dry-run"])
    assert result.exit_code == 2
    assert "unknown county 'Atlantis'" in result.output and "Finnmark" in result.output


def test_missing_data_file_is_a_clear_error(tmp_path):
    result = _neet("build", "--data", str(tmp_path / "nope.csv"), "--dry-run")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no such file" in result.stderr and "nope.csv" in result.stderr


@pytest.mark.parametrize("args", [["--jobs", "0"], ["--year", "1850"], ["--year", "abc"], ["--bogus"]])
def test_bad_option_values_exit_non_zero(args):
    result = _neet("build", *args, "--dry-run")
    assert result.returncode != 0 and "Traceback" not in result.stderr


def test_data_option_reaches_the_notebooks_that_take_it(tmp_path):
    micro = tmp_path / "persons.csv"
    micro.write_text("neet2023\n1\n", encoding="utf-8")
    result = runner.invoke(app, ["build", "--data", str(micro), "--dry-run"])
    assert result.exit_code == 0, result.output
    reg = next(ln for ln in result.output.splitlines() if "regresjonsanalyse.ipynb" in ln)
    assert f"data_source={str(micro)!r}" in reg


def test_toc_check_passes_on_the_committed_toc():
    result = runner.invoke(app, ["toc", "--check"])
    assert result.exit_code == 0, result.output
