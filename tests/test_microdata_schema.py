"""Input schemas: reading, kind detection and clear errors for bad person/cell files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neethelpers.errors import DataError
from neethelpers.microdata import schema
from neethelpers.microdata.testing import FIXTURE_PERSONS, random_persons, write_fixture


@pytest.fixture
def persons():
    return random_persons(2000, seed=3)


def _write(df: pd.DataFrame, path):
    df.to_csv(path, index=False)
    return path


def test_reads_person_csv_and_detects_kind(tmp_path, persons):
    inp = schema.read_input(_write(persons, tmp_path / "p.csv"))
    assert inp.kind == "persons"
    assert inp.n_persons == len(persons)
    assert inp.frame["grunnbelop"].isna().sum() == persons["grunnbelop"].isna().sum()
    assert inp.frame["fylke"].tolist() == persons["fylke"].tolist()  # leading zero of Oslo kept
    assert not inp.synthetic


def test_reads_cells_parquet_and_aggregation_roundtrip(tmp_path, persons):
    cells = schema.to_cells(persons)
    path = tmp_path / "c.parquet"
    cells.to_parquet(path)
    inp = schema.read_input(path)
    assert inp.kind == "cells"
    assert inp.frame["n"].sum() == len(persons)
    assert inp.frame["neet"].sum() == persons["neet2023"].sum()
    back = schema.to_persons(inp.frame)
    assert len(back) == len(persons)
    assert back["neet2023"].sum() == persons["neet2023"].sum()
    again = schema.to_cells(back)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), schema.to_cells(persons).reset_index(drop=True),
                                  check_dtype=False)


def test_county_names_and_codes_are_normalised(tmp_path, persons):
    p = persons.copy()
    p["fylke"] = p["fylke"].map({"03": "Oslo", "32": "3200", "31": "østfold"})
    inp = schema.read_input(_write(p, tmp_path / "p.csv"))
    assert set(inp.frame["fylke"]) == {"03", "32", "31"}


def test_weight_gives_weighted_cells(tmp_path, persons):
    p = persons.copy()
    p["weight"] = 2.0
    inp = schema.read_input(_write(p, tmp_path / "p.csv"))
    cells = inp.cells()
    assert cells["n"].sum() == pytest.approx(2 * len(p))
    assert cells["n_unweighted"].sum() == len(p)


@pytest.mark.parametrize(
    "mutate, column, fragment",
    [
        (lambda d: d.drop(columns="tidlarb"), "tidlarb", "missing column"),
        (lambda d: d.assign(extra=1), "extra", "unknown column"),
        (lambda d: d.assign(kjonn=d["kjonn"].where(d.index != 5, 3)), "kjonn", "out of range"),
        (lambda d: d.assign(alder=d["alder"].astype(int).where(d.index != 7, 31)), "alder", "out of range"),
        (lambda d: d.assign(fylke=d["fylke"].where(d.index != 2, "30")), "fylke", "historical county"),
        (lambda d: d.assign(innvandrerb=0, innvandrer=1), "innvandrerb", "innvandrer"),
        (lambda d: d.assign(dropout=1, alder=16), "dropout", "below age 18"),
        (lambda d: d.assign(sosbakgr=d["sosbakgr"].astype(float).where(d.index != 4, np.nan)), "sosbakgr",
         "empty cell"),
    ],
)
def test_bad_person_files_name_column_and_value(tmp_path, persons, mutate, column, fragment):
    path = _write(mutate(persons.copy()), tmp_path / "bad.csv")
    with pytest.raises(DataError) as err:
        schema.read_input(path)
    msg = str(err.value)
    assert column in msg and fragment in msg and "bad.csv" in msg
    assert err.value.column is not None and column in err.value.column


def test_out_of_range_error_lists_values_and_valid_codes(tmp_path, persons):
    bad = persons.assign(sosbakgr=persons["sosbakgr"].astype(int).where(persons.index % 50 != 0, 4))
    with pytest.raises(DataError) as err:
        schema.read_input(_write(bad, tmp_path / "bad.csv"))
    assert err.value.value == "4" and err.value.expected == "1, 2, 3"
    assert err.value.row == int(bad.index[bad["sosbakgr"] == 4][0]) + 2  # CSV line (header = 1)


def test_semicolon_separator(tmp_path, persons):
    path = tmp_path / "semi.csv"
    persons.to_csv(path, index=False, sep=";")
    with pytest.raises(DataError, match="semicolon"):
        schema.read_input(path)


def test_decimal_comma(tmp_path, persons):
    p = persons.copy()
    p["weight"] = "1,5"
    path = tmp_path / "comma.csv"
    p.to_csv(path, index=False)  # pandas quotes "1,5"
    with pytest.raises(DataError, match="decimal comma") as err:
        schema.read_input(path)
    assert err.value.column == "weight"


def test_unquoted_decimal_comma_breaks_rows(tmp_path, persons):
    text = _write(persons.head(20), tmp_path / "x.csv").read_text().splitlines()
    text[3] = text[3] + ",0,5"
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match="decimal comma"):
        schema.read_input(path)


def test_empty_and_header_only_files(tmp_path, persons):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        schema.read_input(empty)
    header = tmp_path / "header.csv"
    header.write_text(",".join(persons.columns) + "\n")
    with pytest.raises(DataError, match="no data rows"):
        schema.read_input(header)


def test_cells_more_neet_than_persons(tmp_path, persons):
    cells = schema.to_cells(persons)
    cells.loc[3, "neet"] = cells.loc[3, "n"] + 1
    with pytest.raises(DataError, match="more long-term NEETs than persons") as err:
        schema.read_input(_write(cells, tmp_path / "cells.csv"))
    assert err.value.column == "neet" and err.value.row == 5


def test_cells_duplicate_combination(tmp_path, persons):
    cells = schema.to_cells(persons)
    dup = pd.concat([cells, cells.head(1)], ignore_index=True)
    with pytest.raises(DataError, match="more than once"):
        schema.read_input(_write(dup, tmp_path / "dup.csv"))


def test_unknown_kind_and_file_type(tmp_path, persons):
    with pytest.raises(DataError, match="cannot tell"):
        schema.read_input(_write(persons.drop(columns="neet2023"), tmp_path / "x.csv"))
    other = tmp_path / "x.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(DataError, match="unknown file type"):
        schema.read_input(other)


def test_committed_fixture_is_reproducible(tmp_path):
    """The small 'real data' fixture is generated by a helper, not typed by hand."""
    fresh = write_fixture(tmp_path / "small_persons.csv")
    assert FIXTURE_PERSONS.read_text() == fresh.read_text()
    inp = schema.read_input(FIXTURE_PERSONS)
    assert inp.kind == "persons"
