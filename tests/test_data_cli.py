"""``neet data verify | refresh | rehash | list`` through typer's CliRunner."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest
from conftest import file_hashes
from typer.testing import CliRunner

from neethelpers import data, paths
from neethelpers.cli.data import data_app
from neethelpers.data import refresh as rf

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "jsonstat"))
import replay  # noqa: E402

REAL_DATA = paths.DATA_DIR
runner = CliRunner()


@pytest.fixture
def sandbox(tmp_path, use_data_dir):
    """A full copy of data/ (catalog, raw snapshots, published figures); paths point at it."""
    root = tmp_path / "data"
    shutil.copytree(REAL_DATA, root)
    return use_data_dir(root)


def _use_session(monkeypatch, session) -> None:
    monkeypatch.setattr(rf, "make_session", lambda *a, **k: session)


def test_verify_passes_on_the_shipped_data():
    result = runner.invoke(data_app, ["verify"])
    assert result.exit_code == 0, result.output
    assert f"all {len(data.datasets())} data files match" in result.output


def test_verify_names_each_failure(sandbox):
    raw = sandbox / "raw" / "nav_grunnbelop.csv"
    raw.write_text(raw.read_text(encoding="utf-8").replace("70256", "70265", 1), encoding="utf-8")
    pub = sandbox / "published" / "seed000_figures.csv"
    pub.write_text(pub.read_text(encoding="utf-8") + "broken,row\n", encoding="utf-8")
    result = runner.invoke(data_app, ["verify"])
    assert result.exit_code == 1
    assert "FAIL nav_grunnbelop" in result.output and "raw/nav_grunnbelop.csv" in result.output
    assert "FAIL seed000_figures" in result.output
    assert "2 problem(s)" in result.output and "failed verification" in result.output
    assert "ok   county_codes" in result.output


def test_verify_selected_ids(sandbox):
    result = runner.invoke(data_app, ["verify", "county_codes", "nav_grunnbelop"])
    assert result.exit_code == 0
    assert "all 2 data files" in result.output
    result = runner.invoke(data_app, ["verify", "no_such_id"])
    assert result.exit_code == 1 and "unknown dataset id" in result.output


def test_refresh_without_network_exits_nonzero_and_changes_nothing(sandbox, monkeypatch):
    before = file_hashes(sandbox)
    _use_session(monkeypatch, replay.session_with(replay.OfflineAdapter()))
    result = runner.invoke(data_app, ["refresh"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: no network")
    assert file_hashes(sandbox) == before


def test_refresh_writes_new_snapshots(sandbox, monkeypatch):
    _use_session(monkeypatch, replay.session_with(replay.FixtureAdapter()))
    result = runner.invoke(data_app, ["refresh", "09858", "edat_lfse_20"])
    assert result.exit_code == 0, result.output
    today = dt.date.today().strftime("%Y%m%d")
    assert f"new snapshot data/raw/ssb_09858_aku_{today}.csv" in result.output
    assert (sandbox / "raw" / f"eurostat_edat_lfse_20_{today}.csv").exists()
    again = runner.invoke(data_app, ["refresh", "09858"])
    assert again.exit_code == 0 and "unchanged 09858" in again.output
    assert runner.invoke(data_app, ["verify"]).exit_code == 0


def test_refresh_dry_run_and_unknown_table(sandbox, monkeypatch):
    before = file_hashes(sandbox)
    _use_session(monkeypatch, replay.session_with(replay.FixtureAdapter()))
    result = runner.invoke(data_app, ["refresh", "--dry-run", "09858"])
    assert result.exit_code == 0 and "would write" in result.output
    result = runner.invoke(data_app, ["refresh", "99999"])
    assert result.exit_code == 2 and "unknown table" in result.output
    assert file_hashes(sandbox) == before


def test_rehash_refuses_raw_snapshots(sandbox):
    before = file_hashes(sandbox)
    result = runner.invoke(data_app, ["rehash", "ssb_13556_municipality"])
    assert result.exit_code == 2
    assert "immutable" in result.output
    assert file_hashes(sandbox) == before


def test_rehash_a_curated_file_after_an_edit(sandbox):
    pub = sandbox / "published" / "seed000_figures.csv"
    lines = pub.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].replace("Quote from Rendal", "Quoted from Rendal")
    pub.write_text("".join(lines), encoding="utf-8")
    assert runner.invoke(data_app, ["verify", "seed000_figures"]).exit_code == 1
    result = runner.invoke(data_app, ["rehash", "seed000_figures"])
    assert result.exit_code == 0, result.output
    assert "rehashed seed000_figures" in result.output
    assert runner.invoke(data_app, ["verify", "seed000_figures"]).exit_code == 0
    text = (sandbox / "catalog.yml").read_text(encoding="utf-8")
    assert text.startswith("# Data catalog")                 # comments kept
    assert runner.invoke(data_app, ["rehash", "seed000_figures"]).output.startswith("unchanged")


def test_rehash_refuses_an_invalid_curated_file(sandbox):
    pub = sandbox / "published" / "seed000_figures.csv"
    pub.write_text(pub.read_text(encoding="utf-8").replace(",exact,published,", ",roughly,published,", 1),
                   encoding="utf-8")
    catalog_before = (sandbox / "catalog.yml").read_bytes()
    result = runner.invoke(data_app, ["rehash", "seed000_figures"])
    assert result.exit_code == 1
    assert "fails its schema" in result.output and "qualifier" in result.output
    assert (sandbox / "catalog.yml").read_bytes() == catalog_before


def test_list():
    result = runner.invoke(data_app, ["list"])
    assert result.exit_code == 0
    assert "ssb_13556_municipality\tdata/raw/ssb_13556_municipality.csv" in result.output
    assert len(result.output.strip().splitlines()) == len(data.datasets())


def test_adding_a_literature_file_with_a_pending_hash(sandbox):
    (sandbox / "literature" / "lit.csv").write_text("study,n_studies,share\nFafo 2019,12,4.5\n", encoding="utf-8")
    entry = (
        "\n  - id: lit_test\n    file: literature/lit.csv\n    title: Test\n    title_en: Test\n"
        "    publisher: Fafo\n    source_urls: [seed]\n    retrieved: null\n    snapshot_created: 2026-11-22\n"
        "    licence: quoted\n    coverage: test\n    caveats: []\n    schema: generic\n"
        "    columns: {study: text, n_studies: Int64, share: float}\n    sha256: pending\n"
    )
    with open(sandbox / "catalog.yml", "a", encoding="utf-8") as fh:
        fh.write(entry)
    data.clear_cache()
    with pytest.raises(Exception, match="no sha256 recorded"):
        data.load("lit_test")
    assert len(data.load("nav_grunnbelop")) > 0                # other entries are unaffected
    result = runner.invoke(data_app, ["rehash", "lit_test"])
    assert result.exit_code == 0, result.output
    df = data.load("lit_test")
    assert df["n_studies"].tolist() == [12] and df["share"].tolist() == [4.5]


def test_verify_flags_files_without_catalog_entry(sandbox):
    (sandbox / "raw" / "orphan.csv").write_text("a\n1\n", encoding="utf-8")
    (sandbox / "literature" / "draft.csv").write_text("a\n1\n", encoding="utf-8")
    result = runner.invoke(data_app, ["verify"])
    assert result.exit_code == 1
    assert "FAIL data/raw/orphan.csv: not in data/catalog.yml" in result.output
    assert "note data/literature/draft.csv" in result.output
    (sandbox / "raw" / "orphan.csv").unlink()
    assert runner.invoke(data_app, ["verify"]).exit_code == 0
