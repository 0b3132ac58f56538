"""The data loader and the catalog: hashes, dtypes, validation errors, speed."""

from __future__ import annotations

import csv
import datetime
import hashlib
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from babel.dates import format_date

from neethelpers import data, paths
from neethelpers.data import catalog, schemas
from neethelpers.errors import DataError

REAL_DATA = paths.DATA_DIR
REAL_CATALOG = yaml.safe_load(paths.CATALOG_PATH.read_text(encoding="utf-8"))["datasets"]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def sandbox(tmp_path, use_data_dir):
    """An empty data/ folder with its own catalog; paths point at it while the test runs."""
    root = tmp_path / "data"
    (root / "raw").mkdir(parents=True)
    (root / "published").mkdir()
    (root / "literature").mkdir()
    return use_data_dir(root)


def _entry(dataset_id: str, file: str, schema: str, sha: str, **extra) -> dict:
    base = {
        "id": dataset_id, "file": file, "title": "Testtabell", "title_en": "Test table", "publisher": "SSB",
        "table_id": "13556", "source_urls": ["https://example.org"], "retrieved": "2025-11-04",
        "snapshot_created": "2026-11-22", "licence": "NLOD 2.0", "coverage": "test", "caveats": [],
        "schema": schema, "sha256": sha,
    }
    base.update(extra)
    return base


def _install(root: Path, dataset_id: str, rel: str, content: bytes | str, schema: str, *,
             sha: str | None = None, **extra) -> Path:
    """Write a data file and a catalog entry for it (hash of the content unless ``sha``)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    cat = root / "catalog.yml"
    doc = yaml.safe_load(cat.read_text(encoding="utf-8")) if cat.exists() else {"version": 1, "datasets": []}
    doc["datasets"].append(_entry(dataset_id, rel, schema, sha or _sha(path), **extra))
    cat.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data.clear_cache()
    return path


def _real_lines(name: str, n: int = 6) -> list[str]:
    """Header plus the first ``n`` data lines of a real raw snapshot."""
    with open(REAL_DATA / "raw" / f"{name}.csv", encoding="utf-8") as fh:
        return [next(fh) for _ in range(n + 1)]


def _rows(lines: list[str]) -> list[list[str]]:
    return list(csv.reader(lines))


def _write_rows(rows: list[list[str]], delimiter: str = ",") -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


# --- the shipped catalog ---------------------------------------------------------------------


def test_every_raw_file_has_exactly_one_catalog_entry():
    listed = sorted(e["file"] for e in REAL_CATALOG if e["file"].startswith("raw/"))
    on_disk = sorted(f"raw/{p.name}" for p in (REAL_DATA / "raw").iterdir() if p.suffix in (".csv", ".geojson"))
    assert listed == on_disk
    ids = [e["id"] for e in REAL_CATALOG]
    assert len(ids) == len(set(ids))


def test_catalog_entries_carry_provenance():
    for e in REAL_CATALOG:
        for field in catalog.REQUIRED_FIELDS:
            assert e.get(field) not in (None, ""), (e["id"], field)
        assert "retrieved" in e, e["id"]
        # the first import made every snapshot on 2026-11-22; later ones (boundaries) carry their own date
        assert "2026-11-22" <= str(e["snapshot_created"]) <= datetime.date.today().isoformat(), e["id"]
        # curated files (data/literature) declare their columns instead of a named schema
        assert (e["schema"] in schemas.SPECS or e["schema"] in schemas.GEO_SPECS
                or (e["schema"] == "generic" and e.get("columns"))), e["id"]
        if e["publisher"] == "SSB":
            assert "NLOD" in e["licence"]
        if e["publisher"] == "Eurostat":
            assert "CC BY 4.0" in e["licence"]


def test_catalog_caveats_name_the_known_breaks():
    by_id = {e["id"]: e for e in REAL_CATALOG}
    text = lambda i: " ".join(by_id[i]["caveats"])  # noqa: E731
    assert "2014/2015" in text("ssb_13556_national_sex_age")
    assert "PRELIMINARY" in text("ssb_13556_national_sex_age")
    assert "15-19" in text("ssb_13556_national_sex_age")
    assert "2021" in text("ssb_09858_aku_neet")
    assert "162 residents" in text("ssb_13556_municipality")
    assert "SUMS OF MUNICIPALITY ROWS" in text("ssb_13556_county_sex_age_own_borders")
    assert "MIXED RELEASES" in text("ssb_13563_county_2021")
    assert "flags" in text("eurostat_edat_lfse_20_15_29")


def test_catalog_hashes_match_the_files():
    for e in REAL_CATALOG:
        assert _sha(REAL_DATA / e["file"]) == e["sha256"], e["id"]


@pytest.mark.parametrize("dataset_id", [e["id"] for e in REAL_CATALOG])
def test_every_dataset_loads_with_explicit_dtypes(dataset_id):
    df = data.load(dataset_id)
    assert len(df) > 0
    spec = schemas.spec_for(dataset_id, data.catalog_entry(dataset_id))
    if "region_code" in spec.columns:
        assert df["region_code"].dtype == object or str(df["region_code"].dtype) in ("str", "string")
    if "value" in spec.columns:
        assert str(df["value"].dtype) == "float64"
    if "year" in df.columns:
        assert str(df["year"].dtype) == "Int64"
    for col, kind in schemas.spec_for(dataset_id, data.catalog_entry(dataset_id)).columns.items():
        if kind in (schemas.TEXT, schemas.CODE):
            assert not df[col].isna().any(), (dataset_id, col)


def test_codes_keep_leading_zeros():
    counties = data.load("county_codes")
    assert "01" in set(counties["region_code"])
    municipalities = data.load("ssb_13556_municipality")
    assert "0301" in set(municipalities["region_code"])
    assert municipalities["region_code"].str.len().eq(4).all()


def test_loaded_values_equal_the_csv_text():
    path = REAL_DATA / "raw" / "ssb_13556_national_sex_age.csv"
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    df = data.load("ssb_13556_national_sex_age")
    assert len(df) == len(rows)
    for i in (0, 17, len(rows) - 1):
        assert df["value"].iloc[i] == float(rows[i]["value"])
        assert df["year"].iloc[i] == int(rows[i]["year"])


def test_a_file_is_read_once_and_its_content_validated_once(monkeypatch):
    """(How fast that is, is bench/'s business.) ``load`` keeps the frame; after
    ``clear_cache`` the file is read and hash-checked again, but the same bytes are not
    validated again."""
    from neethelpers.data import loader

    data.clear_cache()
    loader._parsed.clear()
    reads, parses = [], []
    read, parse = loader._read_checked, loader._parse
    monkeypatch.setattr(loader, "_read_checked", lambda *a, **k: reads.append(a) or read(*a, **k))
    monkeypatch.setattr(loader, "_parse", lambda *a, **k: parses.append(a) or parse(*a, **k))
    path = REAL_DATA / "raw" / "ssb_13556_municipality.csv"
    n_rows = sum(1 for _ in open(path, encoding="utf-8")) - 1
    for _ in range(5):
        assert len(data.load("ssb_13556_municipality")) == n_rows
    assert (len(reads), len(parses)) == (1, 1)
    data.clear_cache()
    data.verify("ssb_13556_municipality")
    assert len(data.load("ssb_13556_municipality")) == n_rows
    assert (len(reads), len(parses)) == (2, 1)


def test_only_content_that_passed_is_remembered(monkeypatch):
    from neethelpers.data import loader

    loader._parsed.clear()
    parses = []
    parse = loader._parse
    monkeypatch.setattr(loader, "_parse", lambda *a, **k: parses.append(a) or parse(*a, **k))
    spec = schemas.spec_for("nav_grunnbelop", data.catalog_entry("nav_grunnbelop"))
    good = data.path_of("nav_grunnbelop").read_bytes()
    first = loader.parse_bytes(good, spec, "a.csv")
    first.loc[0, "value"] = -1.0  # a caller's change never reaches the remembered frame
    again = loader.parse_bytes(good, spec, "b.csv")
    assert len(parses) == 1 and again["value"].iloc[0] != -1.0
    header, row = good.splitlines()[:2]
    bad = header + b"\n" + b"tjue" + row[4:] + b"\n"  # the year is not a number
    for name in ("c.csv", "d.csv"):  # refused each time, under the name it was given
        with pytest.raises(DataError, match=name):
            loader.parse_bytes(bad, spec, name)
    assert len(parses) == 3


def test_changing_a_loaded_frame_does_not_change_the_cache():
    df = data.load("nav_grunnbelop")
    original = df["value"].iloc[0]
    df.loc[0, "value"] = -1.0
    df["extra"] = 1
    again = data.load("nav_grunnbelop")
    assert again["value"].iloc[0] == original
    assert "extra" not in again.columns


def test_datasets_and_catalog_entry():
    ids = data.datasets()
    assert ids == [e["id"] for e in REAL_CATALOG]
    entry = data.catalog_entry("ssb_09858_aku_neet")
    assert entry["table_id"] == "09858"
    entry["caveats"].append("mutated")
    assert "mutated" not in data.catalog_entry("ssb_09858_aku_neet")["caveats"]


def test_source_of_is_a_short_norwegian_caption_line():
    line = data.source_of("ssb_13556_national_sex_age")
    retrieved = data.catalog_entry("ssb_13556_national_sex_age")["retrieved"]
    retrieved_text = format_date(date.fromisoformat(str(retrieved)), format="long", locale="nb_NO")
    assert line == f"Kilde: SSB, tabell 13556 (hentet {retrieved_text})"
    assert data.source_of("eurostat_edat_lfse_20_15_29").startswith("Kilde: Eurostat, tabell edat_lfse_20")
    published = data.catalog_entry("ssb_09858_aku_neet")["published"]
    assert data.source_of("ssb_09858_aku_neet") == (
        f"Kilde: SSB, tabell 09858 (publisert {format_date(date.fromisoformat(str(published)), format='long', locale='nb_NO')})")
    for dataset_id in data.datasets():
        assert data.source_of(dataset_id).startswith("Kilde: ")


def test_unknown_dataset_id_names_the_valid_ones():
    with pytest.raises(DataError) as err:
        data.load("ssb_99999")
    assert "ssb_99999" in str(err.value)
    assert "ssb_13556_municipality" in str(err.value)


# --- bad input ---------------------------------------------------------------------------------


def test_edited_snapshot_fails_the_hash_check(sandbox):
    lines = _real_lines("nav_grunnbelop")
    path = _install(sandbox, "g", "raw/g.csv", "".join(lines), "raw_national")
    before = path.read_bytes()
    assert len(data.load("g")) == 6
    rows = _rows(lines)
    rows[1][9] = str(float(rows[1][9]) + 1)          # someone "corrects" a value by hand
    path.write_text(_write_rows(rows), encoding="utf-8")
    with pytest.raises(DataError) as err:
        data.load("g")
    msg = str(err.value)
    assert "raw/g.csv" in msg and "sha256" in msg and "immutable" in msg
    assert err.value.expected == hashlib.sha256(before).hexdigest()
    assert err.value.value == _sha(path)


def test_truncated_snapshot_fails_the_hash_check(sandbox):
    content = "".join(_real_lines("nav_grunnbelop"))
    path = _install(sandbox, "g", "raw/g.csv", content, "raw_national")
    path.write_text(content[: len(content) // 2], encoding="utf-8")
    with pytest.raises(DataError, match="sha256"):
        data.load("g")


def test_missing_file_is_named(sandbox):
    path = _install(sandbox, "g", "raw/g.csv", "".join(_real_lines("nav_grunnbelop")), "raw_national")
    path.unlink()
    with pytest.raises(DataError, match="raw/g.csv.*does not exist"):
        data.load("g")


def test_missing_column(sandbox):
    rows = _rows(_real_lines("nav_grunnbelop"))
    drop = rows[0].index("unit")
    rows = [r[:drop] + r[drop + 1:] for r in rows]
    _install(sandbox, "g", "raw/g.csv", _write_rows(rows), "raw_national")
    with pytest.raises(DataError) as err:
        data.load("g")
    assert err.value.column == "unit"
    assert "missing column" in str(err.value) and "raw/g.csv" in str(err.value)


def test_non_numeric_value_names_row_column_and_value(sandbox):
    rows = _rows(_real_lines("nav_grunnbelop"))
    rows[3][9] = "ca. 72 000"
    _install(sandbox, "g", "raw/g.csv", _write_rows(rows), "raw_national")
    with pytest.raises(DataError) as err:
        data.load("g")
    e = err.value
    assert (e.column, e.row, e.value) == ("value", 4, "ca. 72 000")
    assert "number" in e.expected


def test_decimal_comma_is_explained(sandbox):
    rows = _rows(_real_lines("ssb_09858_aku_neet"))
    rows[2][9] = rows[2][9].replace(".", ",")
    assert "," in rows[2][9]
    _install(sandbox, "aku", "raw/aku.csv", _write_rows(rows), "raw_national")
    with pytest.raises(DataError) as err:
        data.load("aku")
    assert "decimal comma" in str(err.value)
    assert err.value.row == 3 and err.value.column == "value"


def test_semicolon_separated_ssb_export_is_recognised(sandbox):
    # What a StatBank "save as CSV" download looks like: semicolons, decimal commas, latin-1.
    export = ('"region";"år";"statistikkvariabel";"09858: Personer 15-29 år"\n'
              '"0 Hele landet";"2023";"Prosent";"6,4"\n').encode("latin-1")
    _install(sandbox, "aku", "raw/aku.csv", export, "raw_national")
    with pytest.raises(DataError) as err:
        data.load("aku")
    assert "semicolon-separated SSB export with decimal commas" in str(err.value)
    assert "raw/aku.csv" in str(err.value)


def test_semicolon_export_in_utf8_is_recognised_too(sandbox):
    rows = _rows(_real_lines("ssb_09858_aku_neet"))
    _install(sandbox, "aku", "raw/aku.csv", _write_rows(rows, delimiter=";"), "raw_national")
    with pytest.raises(DataError, match="semicolon-separated SSB export"):
        data.load("aku")


def test_unknown_county_code(sandbox):
    rows = _rows(_real_lines("ssb_13563_county_2024_shares"))
    rows[2][2] = "37"
    _install(sandbox, "c", "raw/c.csv", _write_rows(rows), "raw_county_in_year")
    with pytest.raises(DataError) as err:
        data.load("c")
    e = err.value
    assert (e.column, e.row, e.value) == ("region_code", 3, "37")
    assert "county code" in e.expected


def test_county_code_from_another_structure(sandbox):
    # Viken (30) did not exist in 2024: a 2024 row may not use its code.
    rows = _rows(_real_lines("ssb_13563_county_2024_shares"))
    rows[1][2] = "30"
    _install(sandbox, "c", "raw/c.csv", _write_rows(rows), "raw_county_in_year")
    with pytest.raises(DataError, match="unknown region code in 2024"):
        data.load("c")


def test_municipality_code_outside_its_structure(sandbox):
    rows = _rows(_real_lines("ssb_13556_municipality"))
    assert rows[1][0] == "2008"
    rows[1][2] = "3101"                                  # a 2024 code in a 2008 row
    _install(sandbox, "m", "raw/m.csv", _write_rows(rows), "raw_municipality")
    with pytest.raises(DataError) as err:
        data.load("m")
    assert err.value.value == "3101" and err.value.row == 2


def test_duplicate_rows(sandbox):
    lines = _real_lines("nav_grunnbelop")
    _install(sandbox, "g", "raw/g.csv", "".join(lines + [lines[2]]), "raw_national")
    with pytest.raises(DataError) as err:
        data.load("g")
    e = err.value
    assert "duplicate row" in str(e) and "same key as row 3" in str(e)
    assert e.row == len(lines) + 1


def test_bad_year(sandbox):
    rows = _rows(_real_lines("nav_grunnbelop"))
    rows[1][0] = "20O8"
    _install(sandbox, "g", "raw/g.csv", _write_rows(rows), "raw_national")
    with pytest.raises(DataError) as err:
        data.load("g")
    assert (err.value.column, err.value.row, err.value.value) == ("year", 2, "20O8")


def test_malformed_catalog_entry(sandbox):
    (sandbox / "catalog.yml").write_text("datasets:\n  - id: x\n    file: raw/x.csv\n", encoding="utf-8")
    with pytest.raises(DataError, match="lacks required fields"):
        data.datasets()


def test_failing_load_writes_nothing(sandbox):
    rows = _rows(_real_lines("nav_grunnbelop"))
    rows[3][9] = "x"
    path = _install(sandbox, "g", "raw/g.csv", _write_rows(rows), "raw_national")
    before = {p: _sha(p) for p in sandbox.rglob("*") if p.is_file()}
    with pytest.raises(DataError):
        data.load("g")
    assert {p: _sha(p) for p in sandbox.rglob("*") if p.is_file()} == before
    assert path.exists()


def test_verify_all_reports_each_failure(sandbox):
    good = "".join(_real_lines("nav_grunnbelop"))
    _install(sandbox, "good", "raw/good.csv", good, "raw_national")
    bad = _install(sandbox, "bad", "raw/bad.csv", good, "raw_national")
    bad.write_text(good.replace("70256", "70257"), encoding="utf-8")
    results = data.verify_all()
    assert results["good"] is None
    assert isinstance(results["bad"], DataError)


# --- curated files with their own columns (data/literature) -------------------------------


def test_generic_schema_from_catalog_columns(sandbox):
    content = "study,year,share,region_code\nFafo 2019,2018,12.5,03\nNAV 2023,,7,32\n"
    _install(sandbox, "lit", "literature/lit.csv", content, "generic",
             columns={"study": "text", "year": "Int64", "share": "float", "region_code": "code"},
             keys=["study"], required=["study"], region_rule="county_any")
    df = data.load("lit")
    assert list(df["region_code"]) == ["03", "32"]
    assert str(df["year"].dtype) == "Int64" and pd.isna(df["year"].iloc[1])
    assert df["share"].tolist() == [12.5, 7.0]


def test_generic_schema_rejects_bad_rows(sandbox):
    content = "study,share\nFafo 2019,12.5\nFafo 2019,3\n"
    _install(sandbox, "lit", "literature/lit.csv", content, "generic",
             columns={"study": "text", "share": "float"}, keys=["study"])
    with pytest.raises(DataError, match="duplicate row"):
        data.load("lit")


def test_generic_schema_requires_column_declarations(sandbox):
    _install(sandbox, "lit", "literature/lit.csv", "a\n1\n", "generic")
    with pytest.raises(DataError, match="declares no 'columns'"):
        data.load("lit")


def test_region_rule_helper_matches_registry():
    assert not schemas.region_code_problem("county_in_year", "30", 2022)
    assert schemas.region_code_problem("county_in_year", "30", 2024)
    assert not schemas.region_code_problem("municipality_in_year", "0301", 2008)
    assert schemas.region_code_problem("geo", "Norway", None)
    assert not schemas.region_code_problem("geo", "NO08", None)
    assert re.match(r"^[0-9a-f]{64}$", REAL_CATALOG[0]["sha256"])
