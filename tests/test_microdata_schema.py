"""Input schemas: the one streaming reader, validator and person→cell aggregator (cells.py).

Expected cell counts are computed independently in the tests with a plain pandas groupby
of the rows that were written; nothing is typed in.
"""

from __future__ import annotations

import math
import time

import duckdb
import numpy as np
import pandas as pd
import pytest

from neethelpers.errors import DataError
from neethelpers.microdata import cells as engine, schema
from neethelpers.microdata.testing import FIXTURE_PERSONS, random_persons, write_fixture

KEYS = list(schema.COVARIATES)


@pytest.fixture
def persons():
    return random_persons(2000, seed=3)


def _write(df: pd.DataFrame, path):
    if str(path).endswith(".parquet"):
        df.to_parquet(path, index=False)
    else:
        df.to_csv(path, index=False)
    return path


def expected_cells(p: pd.DataFrame) -> pd.DataFrame:
    """Independent reference: one row per observed combination, weighted if asked."""
    p = p.copy()
    w = p["weight"].astype("int64") if "weight" in p.columns else pd.Series(1, index=p.index)
    p["n"], p["neet"] = w, w * p["neet2023"].astype("int64")
    p["persons"], p["neet_persons"] = 1, p["neet2023"].astype("int64")
    p["fylke"] = p["fylke"].astype(str)
    out = p.groupby(KEYS, dropna=False, sort=True)[["n", "neet", "persons", "neet_persons"]].sum().reset_index()
    return out


def assert_cells_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)


# --- reading and aggregating -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_person_file_becomes_the_cells_of_an_independent_groupby(tmp_path, persons, suffix):
    inp = schema.read_input(_write(persons, tmp_path / f"p{suffix}"))
    assert inp.kind == "persons" and inp.records == len(persons) and inp.name == f"p{suffix}"
    assert inp.n_persons == len(persons)
    assert_cells_equal(inp.frame, expected_cells(persons))
    assert list(inp.frame.columns) == list(engine.OUTPUT_COLUMNS)
    assert set(inp.frame["fylke"]) == {"03", "32", "31"}  # leading zero of Oslo kept
    assert inp.frame["grunnbelop"].isna().any()
    assert not inp.synthetic


def test_fixture_cells_are_those_of_a_plain_groupby():
    """Identical to the earlier pandas conversion on the committed fixture (the same groupby)."""
    raw = pd.read_csv(FIXTURE_PERSONS, dtype={"fylke": str})
    raw["grunnbelop"] = raw["grunnbelop"].astype("Int8")
    inp = schema.read_input(FIXTURE_PERSONS)
    assert_cells_equal(inp.frame, expected_cells(raw))
    assert inp.frame["n"].dtype == "int64" and inp.frame["alder"].dtype == "int8"


def test_larger_than_the_sample_and_parquet_agree_with_csv(tmp_path):
    p = random_persons(engine.SAMPLE_ROWS * 3 + 17, seed=11, fylker=("03", "11", "46", "56"))
    a = schema.read_input(_write(p, tmp_path / "p.csv")).frame
    b = schema.read_input(_write(p, tmp_path / "p.parquet")).frame
    assert_cells_equal(a, b)
    assert_cells_equal(a, expected_cells(p))


def test_county_names_and_codes_are_normalised(tmp_path, persons):
    p = persons.copy()
    p["fylke"] = p["fylke"].map({"03": "Oslo", "32": "3200", "31": "østfold"})
    inp = schema.read_input(_write(p, tmp_path / "p.csv"))
    assert_cells_equal(inp.frame, expected_cells(persons))


def test_in_memory_frames_use_the_same_engine(persons):
    assert_cells_equal(schema.to_cells(persons), expected_cells(persons))
    cells = schema.to_cells(persons)
    assert_cells_equal(schema.validate(cells[KEYS + ["n", "neet"]], "cells"), cells)


def test_to_persons_inverts_to_cells(persons):
    cells = schema.to_cells(persons)
    back = schema.to_persons(cells)
    assert len(back) == len(persons) and back["neet2023"].sum() == persons["neet2023"].sum()
    assert_cells_equal(schema.to_cells(back), cells)


# --- persons and equivalent cells give identical results -------------------------------------------


def _tiny_groups(seed: int) -> pd.DataFrame:
    p = random_persons(600, seed=seed, fylker=("03", "32", "31", "56", "18"), tiny_group=True)
    return p


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_persons_and_equivalent_cells_give_identical_cells(tmp_path, seed):
    p = _tiny_groups(seed)
    from_persons = schema.read_input(_write(p, tmp_path / "p.csv"))
    # what microdata.no exports: only n and neet (no record counts), in any row order
    exported = expected_cells(p)[KEYS + ["n", "neet"]].sample(frac=1, random_state=seed)
    from_cells = schema.read_input(_write(exported, tmp_path / "c.csv"))
    assert from_cells.kind == "cells"
    assert_cells_equal(from_cells.frame, from_persons.frame)
    # the cell file written by the command reads back identically, remembering its origin
    written = engine.write(engine.aggregate(tmp_path / "p.csv"), tmp_path / "cells.parquet")
    again = schema.read_input(written)
    assert again.kind == "persons" and again.name == "p.csv"
    pd.testing.assert_frame_equal(again.frame, from_persons.frame)


def test_persons_and_equivalent_cells_give_identical_model_and_table_numbers(tmp_path):
    from neethelpers.microdata import descriptive, models

    p = _tiny_groups(4)
    from_persons = schema.read_input(_write(p, tmp_path / "p.parquet"))
    from_cells = schema.read_input(_write(expected_cells(p)[KEYS + ["n", "neet"]], tmp_path / "c.csv"))
    for county in (None, "56"):
        ra, rb = models.fit_all(from_persons.cells(), county=county), models.fit_all(from_cells.cells(), county=county)
        for key in ra:
            if isinstance(ra[key], Exception):
                assert type(ra[key]) is type(rb[key]) and str(ra[key]) == str(rb[key])
            else:
                pd.testing.assert_frame_equal(ra[key].table, rb[key].table)
    da, db = (descriptive.compute_all(x, [None, "03", "56"]) for x in (from_persons, from_cells))
    for code in da:
        assert da[code].n_persons == db[code].n_persons
        for name in da[code].tables:
            pd.testing.assert_frame_equal(da[code].tables[name], db[code].tables[name])


def test_printed_sql_gives_the_same_cells(persons):
    con = duckdb.connect()
    con.register("persons", persons)
    via_sql = con.sql(engine.sql("persons")).df()
    via_sql["fylke"] = via_sql["fylke"].astype(str)
    assert_cells_equal(via_sql, expected_cells(persons))
    weighted = persons.assign(weight=np.arange(len(persons)) % 4 + 1)
    con.register("wp", weighted)
    assert_cells_equal(con.sql(engine.sql("wp", weighted=True)).df(), expected_cells(weighted))


# --- frequency weights ------------------------------------------------------------------------------


def test_integer_weights_count_as_repeated_persons(tmp_path, persons):
    p = persons.assign(weight=np.arange(len(persons)) % 3 + 1)
    inp = schema.read_input(_write(p, tmp_path / "w.csv"))
    repeated = persons.loc[persons.index.repeat(p["weight"])]
    want = expected_cells(repeated)
    got = inp.frame
    assert_cells_equal(got[KEYS + ["n", "neet"]], want[KEYS + ["n", "neet"]])
    assert got["persons"].sum() == len(persons) and got["neet_persons"].sum() == persons["neet2023"].sum()
    assert inp.n_persons == int(p["weight"].sum())


@pytest.mark.parametrize("value, fragment", [(2.5, "not a whole number"), (0, "not positive"),
                                             (-1, "not positive"), ("1,5", "decimal comma"),
                                             ("inf", "not a finite number"), ("", "weight missing")])
def test_weights_must_be_positive_whole_numbers(tmp_path, persons, value, fragment):
    p = persons.assign(weight=1).astype({"weight": object})
    p.loc[1234, "weight"] = value
    with pytest.raises(DataError) as err:
        schema.read_input(_write(p, tmp_path / "w.csv"))
    e = err.value
    assert fragment in str(e) and e.column == "weight" and e.row == 1234 + 2 and "w.csv" in str(e)


# --- bad files: one line naming file, column, values and the row -----------------------------------


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
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_bad_person_files_name_column_and_value(tmp_path, persons, mutate, column, fragment, suffix):
    path = _write(mutate(persons.copy()), tmp_path / f"bad{suffix}")
    with pytest.raises(DataError) as err:
        schema.read_input(path)
    msg = str(err.value)
    assert column in msg and fragment in msg and f"bad{suffix}" in msg
    assert err.value.column is not None and column in err.value.column
    assert "\n" not in msg


@pytest.mark.parametrize("suffix, offset", [(".csv", 2), (".parquet", 1)])
def test_out_of_range_error_lists_values_and_first_row(tmp_path, persons, suffix, offset):
    bad = persons.assign(sosbakgr=persons["sosbakgr"].astype(int).where(persons.index % 50 != 7, 4))
    with pytest.raises(DataError) as err:
        schema.read_input(_write(bad, tmp_path / f"bad{suffix}"))
    assert err.value.value == "4" and err.value.expected == "1, 2, 3"
    assert err.value.row == int(bad.index[bad["sosbakgr"] == 4][0]) + offset  # CSV line (header = 1)


def test_row_number_of_a_value_far_beyond_the_sample(tmp_path):
    p = random_persons(engine.SAMPLE_ROWS * 2, seed=5)
    late = engine.SAMPLE_ROWS + 4321
    p["kjonn"] = p["kjonn"].astype(int)
    p.loc[late, "kjonn"] = 7
    p.loc[late + 10, "kjonn"] = 9
    with pytest.raises(DataError) as err:
        schema.read_input(_write(p, tmp_path / "late.csv"))
    assert err.value.row == late + 2 and err.value.value == "7, 9"


@pytest.mark.parametrize("column, value, fragment", [
    ("alder", "inf", "not a finite number"), ("alder", "1e400", "not a finite number"),
    ("alder", "-inf", "not a finite number"), ("kjonn", "1.5", "not a whole number"),
    ("alder", "abc", "not a number"),
])
def test_non_finite_and_non_numeric_codes(tmp_path, persons, column, value, fragment):
    p = persons.astype({column: object})
    p.loc[17, column] = value
    with pytest.raises(DataError) as err:
        schema.read_input(_write(p, tmp_path / "x.csv"))
    assert fragment in str(err.value) and err.value.column == column and err.value.row == 19


@pytest.mark.parametrize("value, fragment", [("inf", "not a finite number"), ("1e20", "too large"),
                                             ("1e400", "not a finite number"), ("-3", "negative"),
                                             ("2.5", "not a whole number"), ("nan", "empty cell")])
def test_bad_counts_in_cell_files(tmp_path, persons, value, fragment):
    cells = expected_cells(persons)[KEYS + ["n", "neet"]].astype({"n": object})
    cells.loc[3, "n"] = value
    with pytest.raises(DataError) as err:
        schema.read_input(_write(cells, tmp_path / "c.csv"))
    msg = str(err.value)
    assert fragment in msg and err.value.column == "n" and err.value.row == 5
    assert "-9223372036854775808" not in msg and len(msg) < 400


def test_semicolon_separator(tmp_path, persons):
    path = tmp_path / "semi.csv"
    persons.to_csv(path, index=False, sep=";")
    with pytest.raises(DataError, match="semicolon"):
        schema.read_input(path)


def test_unquoted_decimal_comma_breaks_rows(tmp_path, persons):
    text = _write(persons.head(20), tmp_path / "x.csv").read_text().splitlines()
    text[3] = text[3] + ",0,5"
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match="decimal comma") as err:
        schema.read_input(path)
    assert err.value.row == 4


def test_empty_header_only_and_zero_person_files(tmp_path, persons):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match="empty"):
        schema.read_input(empty)
    header = tmp_path / "header.csv"
    header.write_text(",".join(persons.columns) + "\n")
    with pytest.raises(DataError, match="no data rows"):
        schema.read_input(header)
    zero = expected_cells(persons)[KEYS + ["n", "neet"]].assign(n=0, neet=0)
    with pytest.raises(DataError, match="no persons"):
        schema.read_input(_write(zero, tmp_path / "zero.csv"))
    with pytest.raises(DataError, match="no data rows"):
        schema.read_input(_write(persons.head(0), tmp_path / "none.parquet"))


def test_cells_more_neet_than_persons(tmp_path, persons):
    cells = expected_cells(persons)[KEYS + ["n", "neet"]]
    cells.loc[3, "neet"] = cells.loc[3, "n"] + 1
    with pytest.raises(DataError, match="more long-term NEETs than persons") as err:
        schema.read_input(_write(cells, tmp_path / "cells.csv"))
    assert err.value.column == "neet" and err.value.row == 5


def test_cells_duplicate_combination(tmp_path, persons):
    cells = expected_cells(persons)[KEYS + ["n", "neet"]]
    dup = pd.concat([cells, cells.iloc[[6]]], ignore_index=True)
    with pytest.raises(DataError, match="more than once") as err:
        schema.read_input(_write(dup, tmp_path / "dup.csv"))
    assert err.value.row == len(dup) + 1
    renamed = cells.copy().astype({"fylke": object})  # the same county spelled two ways is a duplicate too
    extra = cells.iloc[[0]].assign(fylke={"03": "Oslo", "32": "Akershus", "31": "Østfold"}[cells.iloc[0]["fylke"]])
    with pytest.raises(DataError, match="more than once"):
        schema.read_input(_write(pd.concat([renamed, extra], ignore_index=True), tmp_path / "dup2.csv"))


def test_unknown_kind_file_type_and_directory(tmp_path, persons):
    with pytest.raises(DataError, match="cannot tell"):
        schema.read_input(_write(persons.drop(columns="neet2023"), tmp_path / "x.csv"))
    other = tmp_path / "x.xlsx"
    other.write_bytes(b"PK")
    with pytest.raises(DataError, match="unknown file type"):
        schema.read_input(other)
    with pytest.raises(DataError, match="is a directory"):
        schema.read_input(tmp_path)
    with pytest.raises(DataError, match="does not exist"):
        schema.read_input(tmp_path / "missing.csv")


# --- junk: refused early, bounded messages ----------------------------------------------------------


def test_binary_junk_is_refused_from_its_first_bytes(tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(np.random.default_rng(1).bytes(8 << 20))
    started = time.perf_counter()
    with pytest.raises(DataError) as err:
        schema.read_input(junk)
    assert time.perf_counter() - started < 5
    assert len(str(err.value)) < 400


def test_junk_after_a_valid_header_is_refused_with_few_values(tmp_path, persons):
    rng = np.random.default_rng(2)
    lines = [",".join(persons.columns)]
    lines += [",".join(str(x) for x in rng.integers(0, 10**12, 12)) for _ in range(engine.SAMPLE_ROWS + 5000)]
    path = tmp_path / "junk.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as err:
        schema.read_input(path)
    msg = str(err.value)
    assert "out of range" in msg and msg.count(",") < 40 and len(msg) < 400 and err.value.row == 2


def test_the_row_named_is_the_first_bad_row_with_many_distinct_bad_values(tmp_path, persons):
    """More distinct bad values than any cut of them (every value out of range, 20 000 rows):
    the error names the first data line of the file (line 2; row 1 of a frame), every time,
    on several threads."""
    rng = np.random.default_rng(3)
    junk = pd.DataFrame(rng.integers(2, 10**12, (20_000, len(persons.columns))), columns=persons.columns)
    path = tmp_path / "junk.csv"
    junk.to_csv(path, index=False)
    for _ in range(4):
        with pytest.raises(DataError) as err:
            engine.aggregate(path, threads=4)
        assert (err.value.column, err.value.row) == ("neet2023", 2)
    for _ in range(2):
        with pytest.raises(DataError) as err:
            engine.from_frame(junk.astype(str))
        assert (err.value.column, err.value.row) == ("neet2023", 1)


def test_a_huge_header_or_garbage_parquet_is_refused(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"col{i}" for i in range(20_000)) + "\n1\n")
    with pytest.raises(DataError) as err:
        schema.read_input(wide)
    assert len(str(err.value)) < 600
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1" + b"\x00" * 1000)
    with pytest.raises(DataError, match="cannot read Parquet") as err:
        schema.read_input(bad)
    assert len(str(err.value)) < 400


def test_memory_limit_is_a_setting(tmp_path, persons):
    path = _write(persons, tmp_path / "p.csv")
    small = engine.aggregate(path, memory_limit="64MB")
    assert_cells_equal(small.frame, expected_cells(persons))
    with pytest.raises(DataError, match="memory limit"):
        engine.aggregate(path, memory_limit="a lot")


def test_each_job_has_its_own_connection_under_its_limit(persons):
    """The engine keeps one DuckDB database per limit and gives each job its own connection:
    what one job registers, another never sees, and each connection has the limit asked for."""
    import duckdb

    a, b, other = engine._connect("64MB", None), engine._connect("64MB", None), engine._connect("1GB", None)
    try:
        a.register("_input_frame", persons.head(3))
        assert a.execute("SELECT count(*) FROM _input_frame").fetchone()[0] == 3
        with pytest.raises(duckdb.CatalogException):
            b.execute("SELECT * FROM _input_frame")
        setting = "SELECT current_setting('memory_limit')"
        reference = duckdb.connect(":memory:", config={"memory_limit": "64MB"})
        assert a.execute(setting).fetchone() == b.execute(setting).fetchone() == reference.execute(setting).fetchone()
        assert other.execute(setting).fetchone() != a.execute(setting).fetchone()
        reference.close()
    finally:
        for con in (a, b, other):
            con.close()


def test_a_large_input_gets_a_database_of_its_own(tmp_path, persons, monkeypatch):
    """Its buffers go back when the job ends: nothing of it stays in the shared databases."""
    path = _write(persons, tmp_path / "p.csv")
    monkeypatch.setattr(engine, "SHARED_DATABASE_BYTES", path.stat().st_size - 1)
    assert_cells_equal(engine.aggregate(path, memory_limit="77MB").frame, expected_cells(persons))
    assert ("77MB", None) not in engine._DATABASES
    monkeypatch.setattr(engine, "SHARED_DATABASE_ROWS", len(persons) - 1)
    assert_cells_equal(engine.from_frame(persons, memory_limit="77MB").frame, expected_cells(persons))
    assert ("77MB", None) not in engine._DATABASES
    monkeypatch.setattr(engine, "SHARED_DATABASE_BYTES", path.stat().st_size)
    assert_cells_equal(engine.aggregate(path, memory_limit="77MB").frame, expected_cells(persons))
    assert ("77MB", None) in engine._DATABASES


def test_memory_limit_from_the_environment(tmp_path, persons, monkeypatch):
    path = _write(persons, tmp_path / "p.csv")
    monkeypatch.setenv("NEET_MEMORY_LIMIT", "nonsense")
    with pytest.raises(DataError, match="nonsense"):
        engine.aggregate(path)
    monkeypatch.setenv("NEET_MEMORY_LIMIT", "100MB")
    assert_cells_equal(engine.aggregate(path).frame, expected_cells(persons))


# --- cache and fixture ------------------------------------------------------------------------------


def test_cache_is_keyed_by_content_and_keeps_the_original_name(tmp_path, persons):
    src = _write(persons, tmp_path / "mine.csv")
    first = engine.cache(src, tmp_path / "cache")
    assert first.parent == tmp_path / "cache" and first.suffix == ".parquet"
    mtime = first.stat().st_mtime_ns
    assert engine.cache(src, tmp_path / "cache") == first and first.stat().st_mtime_ns == mtime  # reused
    inp = schema.read_input(first)
    assert inp.kind == "persons" and inp.name == "mine.csv" and inp.records == len(persons)
    from neethelpers.build import provenance
    from neethelpers.files import sha256_file

    assert engine.origin(first) == ("mine.csv", sha256_file(src)) and engine.origin(src) is None
    shown = provenance._params_text({"data_source": str(first)})  # the appendix names the user's file
    assert "mine\\.csv" in shown and sha256_file(src)[:16] in shown and first.stem not in shown
    assert_cells_equal(inp.frame, expected_cells(persons))
    _write(persons.head(100), src)
    assert engine.cache(src, tmp_path / "cache") != first
    # a cell file made by the command keeps the origin of its person file through the cache
    made = engine.write(engine.aggregate(src), tmp_path / "made.parquet")
    again = schema.read_input(engine.cache(made, tmp_path / "cache"))
    assert again.kind == "persons" and again.name == "mine.csv" and again.records == 100


def test_committed_fixture_is_reproducible(tmp_path):
    """The small 'real data' fixture is generated by a helper, not typed by hand."""
    fresh = write_fixture(tmp_path / "small_persons.csv")
    assert FIXTURE_PERSONS.read_text() == fresh.read_text()
    inp = schema.read_input(FIXTURE_PERSONS)
    assert inp.kind == "persons"
    assert not math.isnan(inp.n_persons)
