"""Online refresh, tested offline by replaying JSON-stat responses (tests/fixtures/jsonstat)."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import shutil
import sys
from pathlib import Path

import pytest
import requests
import yaml
from conftest import file_hashes

from neethelpers import data, paths
from neethelpers.data import catalog, refresh as rf
from neethelpers.data.refresh import jsonstat, sources

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "jsonstat"))
import replay  # noqa: E402

REAL_DATA = paths.DATA_DIR
TODAY = dt.date(2026, 11, 23)
OK_TABLES = ["13556", "13563", "09858", "edat_lfse_20"]


@pytest.fixture
def sandbox(tmp_path, use_data_dir):
    """A copy of data/catalog.yml in an otherwise empty data/ folder; paths point at it."""
    root = tmp_path / "data"
    (root / "raw").mkdir(parents=True)
    shutil.copy(REAL_DATA / "catalog.yml", root / "catalog.yml")
    return use_data_dir(root)


def _raw_value(name: str, **match) -> float:
    with open(REAL_DATA / "raw" / f"{name}.csv", encoding="utf-8") as fh:
        hits = [r for r in csv.DictReader(fh) if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, match
    return float(hits[0]["value"])


# --- JSON-stat decoding --------------------------------------------------------------------


def _independent_cells(doc: dict):
    """Decode by hand: row-major strides over the category indices."""
    dims = doc["id"]
    cats = []
    for d in dims:
        index = doc["dimension"][d]["category"]["index"]
        cats.append(sorted(index, key=index.get))
    values = doc["value"]
    status = doc.get("status", {})
    for flat, combo in enumerate(itertools.product(*cats)):
        v = values[flat] if isinstance(values, list) else values.get(str(flat))
        s = status.get(str(flat), "") if isinstance(status, dict) else ""
        yield dict(zip(dims, combo)), v, s


@pytest.mark.parametrize("name", ["ssb_13556_national", "ssb_13556_municipality", "ssb_13563_immigrant",
                                  "ssb_09858_aku", "eurostat_edat_lfse_20"])
def test_to_frame_matches_an_independent_decoding(name):
    doc = replay.fixture(name)
    frame = jsonstat.to_frame(doc)
    expected = list(_independent_cells(doc))
    assert len(frame) == len(expected)
    for (_, row), (codes, value, status) in zip(frame.iterrows(), expected):
        assert {d: row[d] for d in doc["id"]} == codes
        assert (value is None and row["value"] != row["value"]) or row["value"] == value
        assert row["status"] == status


def test_to_frame_keeps_codes_and_labels():
    frame = jsonstat.to_frame(replay.fixture("ssb_13556_municipality"))
    assert "0301" in set(frame["Region"])                     # leading zero kept
    assert set(frame.loc[frame["Region"] == "0301", "Region_label"]) == {"Oslo"}


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update({"class": "collection"}), "class 'dataset'"),
    (lambda d: d["size"].__setitem__(0, 5), "categories"),
    (lambda d: d.update({"value": d["value"][:-1]}), "cells"),
    (lambda d: d.pop("dimension"), "missing 'dimension'"),
])
def test_to_frame_rejects_malformed_documents(mutate, message):
    doc = replay.fixture("ssb_09858_aku")
    mutate(doc)
    with pytest.raises(jsonstat.JsonStatError, match=message):
        jsonstat.to_frame(doc)
    with pytest.raises(jsonstat.JsonStatError, match="not JSON"):
        jsonstat.to_frame("<html>Service unavailable</html>")


# --- requests ------------------------------------------------------------------------------


def test_ssb_request_uses_pxwebapi_v2_json_stat2():
    adapter = replay.FixtureAdapter()
    session = replay.session_with(adapter)
    target = sources.targets_for(["09858"])[0]
    rf.fetch(session, target)
    url = requests.utils.unquote(adapter.calls[0])
    assert url.startswith("https://data.ssb.no/api/pxwebapi/v2/tables/09858/data?")
    assert "lang=no" in url and "outputFormat=json-stat2" in url
    assert "valueCodes[ContentsCode]=*" in url and "valueCodes[Tid]=*" in url


def test_eurostat_request_uses_the_dissemination_api():
    adapter = replay.FixtureAdapter()
    rf.fetch(replay.session_with(adapter), sources.targets_for(["edat_lfse_20"])[0])
    url = requests.utils.unquote(adapter.calls[0])
    assert url.startswith("https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/edat_lfse_20?")
    for part in ("format=JSON", "age=Y15-29", "geo=NO", "geo=EU27_2020", "wstatus=NEMP", "unit=PC"):
        assert part in url


def test_http_cache_answers_the_second_request():
    adapter = replay.FixtureAdapter()
    session = replay.session_with(adapter)
    target = sources.targets_for(["09858"])[0]
    _, _, first = rf.fetch(session, target)
    _, _, second = rf.fetch(session, target)
    assert (first, second) == (False, True)
    assert len(adapter.calls) == 1


def test_make_session_caches_under_the_given_folder(tmp_path):
    session = rf.make_session(tmp_path / ".http-cache")
    import requests_cache

    assert isinstance(session, requests_cache.CachedSession)
    assert (tmp_path / ".http-cache").is_dir()
    assert ".http-cache/" in (paths.PROJECT_ROOT / ".gitignore").read_text(encoding="utf-8")


def test_unknown_table_name():
    with pytest.raises(KeyError, match="unknown table"):
        sources.targets_for(["12345"])
    assert [t.name for t in sources.targets_for(["13556"])] == ["ssb_13556_national", "ssb_13556_municipality"]


# --- end to end -------------------------------------------------------------------------------


def test_refresh_writes_new_validated_snapshots_and_catalog_entries(sandbox):
    before = catalog.load_catalog()
    results = rf.refresh(OK_TABLES, session=replay.session_with(replay.FixtureAdapter()), today=TODAY)
    assert [r.status for r in results] == ["new"] * 5
    after = catalog.load_catalog()
    assert list(after)[: len(before)] == list(before)        # old entries untouched, in order
    new_ids = [r.dataset_id for r in results]
    assert new_ids[0] == "ssb_13556_national_20261123"
    for dataset_id in new_ids:
        entry = after[dataset_id]
        assert entry["retrieved"] == entry["snapshot_created"] == "2026-11-23"
        assert entry["refresh_target"] and entry["sha256"] == catalog.sha256_file(sandbox / entry["file"])
        df = data.load(dataset_id)                             # hash + schema pass
        assert len(df) > 0
    assert after["ssb_13556_national_20261123"]["published"] == "2025-11-04"


def test_refreshed_values_equal_the_shipped_snapshot(sandbox):
    rf.refresh(["13556", "edat_lfse_20"], session=replay.session_with(replay.FixtureAdapter()), today=TODAY)
    nat = data.load("ssb_13556_national_20261123")
    got = nat[(nat["year"] == 2024) & (nat["sex"] == "Kvinner") & (nat["age_group"] == "25-29")
              & nat["indicator"].str.startswith("Utenfor")]["value"]
    assert got.tolist() == [_raw_value("ssb_13556_national_sex_age", year="2024", sex="Kvinner",
                                       age_group="25-29", unit="persons",
                                       indicator="Utenfor arbeid, utdanning og arbeidsmarkedstiltak (register NEET)")]
    mun = data.load("ssb_13556_municipality_20261123")
    oslo = mun[(mun["region_code"] == "0301") & (mun["year"] == 2023) & (mun["indicator"] == "Bosatte i alt")]
    assert oslo["value"].tolist() == [_raw_value("ssb_13556_municipality", year="2023", region_code="0301",
                                                 indicator="Bosatte i alt (residents)")]
    # a code outside its validity period comes back as a missing cell with SSB's symbol
    halden23 = mun[(mun["region_code"] == "3101") & (mun["year"] == 2023)]
    assert halden23["value"].isna().all() and set(halden23["status"]) == {"."}


def test_eurostat_flags_are_kept(sandbox):
    rf.refresh(["edat_lfse_20"], session=replay.session_with(replay.FixtureAdapter()), today=TODAY)
    df = data.load("eurostat_edat_lfse_20_20261123")
    flagged = df[df["status"] == "b"]
    assert len(flagged) > 0 and flagged["note"].str.contains("break in time series").all()
    no21 = df[(df["region_code"] == "NO") & (df["year"] == 2021) & (df["age_group"] == "15-24")]
    assert no21["status"].tolist() == ["b"]
    assert no21["value"].tolist() == [_raw_value("eurostat_edat_lfse_20_15_24", year="2021", region_code="NO")]
    entry = data.catalog_entry("eurostat_edat_lfse_20_20261123")
    assert "CC BY 4.0" in entry["licence"]
    assert any("without any observation" in c for c in entry["caveats"])


def test_second_refresh_of_unchanged_data_writes_nothing(sandbox):
    session = replay.session_with(replay.FixtureAdapter())
    rf.refresh(["09858"], session=session, today=TODAY)
    state = file_hashes(sandbox)
    results = rf.refresh(["09858"], session=session, today=TODAY + dt.timedelta(days=1))
    assert [r.status for r in results] == ["unchanged"]
    assert file_hashes(sandbox) == state


def test_changed_data_gets_a_new_snapshot_and_the_old_one_stays(sandbox):
    rf.refresh(["09858"], session=replay.session_with(replay.FixtureAdapter()), today=TODAY)
    old = (sandbox / "raw" / "ssb_09858_aku_20261123.csv").read_bytes()
    revised = replay.fixture("ssb_09858_aku")
    revised["value"][-1] = revised["value"][-1] + 0.1
    results = rf.refresh(["09858"], session=replay.session_with(replay.FixtureAdapter({"ssb_09858_aku": revised})),
                         today=TODAY)
    assert results[0].dataset_id == "ssb_09858_aku_20261123_2"
    assert (sandbox / "raw" / "ssb_09858_aku_20261123.csv").read_bytes() == old
    data.load("ssb_09858_aku_20261123")
    data.load("ssb_09858_aku_20261123_2")


def test_no_network_changes_nothing(sandbox):
    state = file_hashes(sandbox)
    adapter = replay.OfflineAdapter()
    with pytest.raises(rf.RefreshError) as err:
        rf.refresh(None, session=replay.session_with(adapter), today=TODAY)
    assert err.value.network
    assert str(err.value).startswith("no network: could not reach data.ssb.no")
    assert "\n" not in str(err.value)
    assert file_hashes(sandbox) == state


def test_http_error_changes_nothing(sandbox):
    state = file_hashes(sandbox)
    adapter = replay.FixtureAdapter({"ssb_13563_immigrant": (400, '{"title":"Non-existent variable"}')})
    with pytest.raises(rf.RefreshError, match="HTTP 400.*Non-existent variable"):
        rf.refresh(OK_TABLES, session=replay.session_with(adapter), today=TODAY)
    assert file_hashes(sandbox) == state                      # 13556 was fetched first, but not written


def test_failure_in_a_later_table_writes_none_of_them(sandbox):
    state = file_hashes(sandbox)
    adapter = replay.FixtureAdapter({"eurostat_edat_lfse_20": requests.exceptions.ReadTimeout("slow")})
    with pytest.raises(rf.RefreshError, match="no network"):
        rf.refresh(OK_TABLES, session=replay.session_with(adapter), today=TODAY)
    assert file_hashes(sandbox) == state


def test_invalid_response_is_not_written(sandbox):
    state = file_hashes(sandbox)
    bad = replay.fixture("ssb_09858_aku")
    bad["dimension"]["Tid"]["category"]["index"] = {"1850": 0, "2020": 1, "2021": 2, "2022": 3, "2023": 4}
    bad["dimension"]["Tid"]["category"]["label"] = {k: k for k in bad["dimension"]["Tid"]["category"]["index"]}
    with pytest.raises(rf.RefreshError, match="fail validation.*year"):
        rf.refresh(["09858"], session=replay.session_with(replay.FixtureAdapter({"ssb_09858_aku": bad})),
                   today=TODAY)
    with pytest.raises(rf.RefreshError, match="not JSON"):
        rf.refresh(["09858"], session=replay.session_with(
            replay.FixtureAdapter({"ssb_09858_aku": (200, "<html>maintenance</html>")})), today=TODAY)
    with pytest.raises(rf.RefreshError, match="no data rows"):
        rf.refresh(["edat_lfse_22"], session=replay.session_with(replay.FixtureAdapter()), today=TODAY)
    assert file_hashes(sandbox) == state


def test_failed_catalog_write_removes_the_new_snapshots(sandbox, monkeypatch):
    state = file_hashes(sandbox)

    def broken(path, text):
        raise OSError("disk full")

    monkeypatch.setattr(catalog, "write_text_atomic", broken)
    with pytest.raises(OSError, match="disk full"):
        rf.refresh(["09858", "edat_lfse_20"], session=replay.session_with(replay.FixtureAdapter()), today=TODAY)
    assert file_hashes(sandbox) == state


def test_dry_run_writes_nothing(sandbox):
    state = file_hashes(sandbox)
    results = rf.refresh(["09858"], session=replay.session_with(replay.FixtureAdapter()), today=TODAY,
                         dry_run=True)
    assert results[0].status == "new" and results[0].rows == 10
    assert file_hashes(sandbox) == state


def test_atomic_write_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "x.csv"
    catalog.write_bytes_atomic(target, b"a\n")
    catalog.write_bytes_atomic(target, b"b\n")
    assert target.read_bytes() == b"b\n"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_catalog_text_edits_keep_comments(sandbox):
    text = (sandbox / "catalog.yml").read_text(encoding="utf-8")
    assert text.startswith("# Data catalog")
    entry = dict(catalog.load_catalog()["nav_grunnbelop"])
    entry["id"] = "copy_of_g"
    new = catalog.with_new_entry(text, entry)
    assert new.startswith(text) and "# Data catalog" in new
    parsed = catalog.parse_catalog_text(new)
    assert parsed["copy_of_g"]["caveats"] == entry["caveats"]
    resha = catalog.with_sha256(new, "copy_of_g", "a" * 64)
    assert catalog.parse_catalog_text(resha)["copy_of_g"]["sha256"] == "a" * 64
    assert catalog.parse_catalog_text(resha)["nav_grunnbelop"]["sha256"] == entry["sha256"]
    assert yaml.safe_load(resha)["version"] == 1
    assert json.dumps(parsed["copy_of_g"]["caveats"])
