"""The one reader, validator and person→cell aggregator for user microdata (CSV or Parquet).

Everything the book computes from microdata needs only cell counts (every covariate is
categorical), so a person-level file is read exactly once, streamed through DuckDB, and
reduced to one row per combination of covariates:

* **one pass** over the file groups the rows by the *raw* values of the coded columns
  (``count(*)``, the sum of the frequency weights) and counts, per numeric column, the
  rows that are not valid. The result has at most a few hundred thousand rows whatever
  the size of the file;
* **validation** then runs on the distinct raw values only (the rules and messages of
  :mod:`.schema`); only when something is wrong is the file scanned again to find the
  first offending row (a CSV line number, header = 1, or a 1-based Parquet row), and
  that scan stops at the first hit;
* before the full pass the same checks run on the first :data:`SAMPLE_ROWS` rows, so a
  file that clearly is not the expected format is refused after reading a few kilobytes.

Peak memory is bounded by DuckDB's ``memory_limit`` (the ``memory_limit`` argument, else the
environment variable ``NEET_MEMORY_LIMIT``, else :data:`DEFAULT_MEMORY_LIMIT`; DuckDB spills
to a temporary directory beyond it), not by the size of the input.

The output (:class:`Cells`) has the columns :data:`OUTPUT_COLUMNS`: the covariates, ``n``
(persons, the sum of the frequency weights), ``neet`` (long-term NEETs among them),
``persons`` (person records) and ``neet_persons`` (records with ``neet2023`` = 1).
Without weights ``persons == n`` and ``neet_persons == neet``; disclosure control counts
records. A cell-count file goes through the same engine (validated, normalised, sorted),
so the book's numbers are identical whether it was given persons or the equivalent cells.

:func:`sql` prints the same aggregation as one portable SQL query, for running where the
person data live (see the README).
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from neethelpers import paths
from neethelpers.errors import DataError, UnknownCountyError

__all__ = [
    "DEFAULT_MEMORY_LIMIT", "SAMPLE_ROWS", "MAX_COUNT", "OUTPUT_COLUMNS", "Cells", "aggregate", "from_frame",
    "write", "cache", "sql", "origin", "typed_persons", "CACHE_DIR",
]

DEFAULT_MEMORY_LIMIT = "1GB"
#: Rows checked before the full pass, so junk is refused early.
SAMPLE_ROWS = 10_000
#: Largest count or frequency weight accepted (larger values are typing or export errors).
MAX_COUNT = 10**9
#: How many offending values an error message quotes, and how long each may be.
MAX_SHOWN = 8
MAX_VALUE_CHARS = 40
#: More distinct raw combinations than a valid file can have (15 ages × 15 counties × the
#: other codes give about a million): beyond this the file is refused, unread into Python.
MAX_GROUPS = 1_500_000
#: Where the build keeps the cells of a --data file (by the file's sha256; git-ignored).
CACHE_DIR = paths.PROJECT_ROOT / ".neet-cache" / "cells"
#: The header of a CSV file must end within this many bytes.
MAX_HEADER_BYTES = 64 * 1024

_COUNT_COLUMNS = ("n", "neet", "persons", "neet_persons")
_EMPTY_TEXT = frozenset({"", "nan", "NaN", "NA", "<NA>", "None", "."})
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_META_PREFIX = b"neethelpers."


def _schema():
    from neethelpers.microdata import schema

    return schema


OUTPUT_COLUMNS = (
    "dropout", "tidlarb", "barnevern", "allhelse", "innvandrerb", "innvandrer",
    "sosbakgr", "grunnbelop", "kjonn", "alder", "fylke", "n", "neet", "persons", "neet_persons",
)


@dataclass(frozen=True)
class Cells:
    """Validated cell counts. ``kind`` is what the input was (``"persons"`` or
    ``"cells"``), ``records`` its number of rows, ``name``/``sha256`` the original file's
    name and content hash (kept through the cache), ``source`` the file read."""

    frame: pd.DataFrame
    kind: Literal["persons", "cells"]
    records: int
    source: Path | None = None
    name: str | None = None
    sha256: str | None = None
    weighted: bool = False
    extra: dict = field(default_factory=dict)


# --- values: display and classification ---------------------------------------------------------


class _Shown(str):
    """Values already quoted for display: DataError shows them as they are."""

    def __repr__(self) -> str:
        return str(self)


def _short(value) -> str:
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def shown(values, total: int | None = None) -> _Shown:
    """At most :data:`MAX_SHOWN` values, each at most :data:`MAX_VALUE_CHARS` long."""
    values = list(values)
    total = len(values) if total is None else total
    text = ", ".join(_short(v) for v in values[:MAX_SHOWN])
    if total > MAX_SHOWN:
        text += f" … ({total} distinct values)"
    return _Shown(text)


def _is_missing(v) -> bool:
    if v is None or v is pd.NA:
        return True
    if isinstance(v, (float, np.floating)) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() in _EMPTY_TEXT


def _number(v):
    """``(kind, float)`` of a raw value: kind is ok, empty, comma, nan (not a number),
    inf (not finite) or frac (not whole)."""
    if _is_missing(v):
        return "empty", None
    if isinstance(v, (bool, np.bool_)):
        return "ok", float(v)
    if isinstance(v, str):
        text = v.strip()
        if _DECIMAL_COMMA.match(text):
            return "comma", None
        try:
            x = float(text)
        except ValueError:
            return "nan", None
    elif isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
    else:
        return "nan", None
    if not math.isfinite(x):
        return "inf", x
    if x != math.floor(x):
        return "frac", x
    return "ok", x


_PROBLEM = {
    "comma": ("decimal comma in a number", "a decimal point (0.5, not 0,5); save the file as comma-separated CSV"),
    "nan": ("not a number", "whole numbers"),
    "inf": ("not a finite number", "whole numbers"),
    "frac": ("not a whole number", "whole numbers"),
}


# --- the source: one DuckDB relation over the file or frame -------------------------------------


def _quote_ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


class _Source:
    """The input as DuckDB SQL: ``relation`` (columns ``c0, c1, …``) and ``numbered``
    (the same plus ``_row``, the CSV line or 1-based row number)."""

    def __init__(self, con, file, kind: str, names: list[str], types: list[str], relation: str, numbered: str,
                 lines: str | None = None):
        self.con, self.file, self.format = con, file, kind
        self.names, self.types = names, types
        self.relation, self.numbered, self.lines = relation, numbered, lines

    def col(self, name: str) -> str:
        return f"c{self.names.index(name)}"

    def is_text(self, name: str) -> bool:
        return self.types[self.names.index(name)].upper() == "VARCHAR"


def _duck_error(file, exc: Exception, what: str) -> DataError:
    text = str(exc)
    m = re.search(r"CSV Error on Line: (\d+)", text)
    row = int(m.group(1)) if m else None
    if "not utf-8" in text.lower() or "unicode" in text.lower():
        return DataError(file, "not UTF-8 text", row=row, expected="a UTF-8 encoded CSV file")
    if "Expected Number of Columns" in text:
        found = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", text)
        detail = f"{found.group(2)} fields where the header has {found.group(1)}" if found else "wrong number of fields"
        return DataError(file, f"malformed CSV ({detail}); an unquoted decimal comma (0,5) splits a number into "
                         "two fields", row=row,
                         expected="the same number of comma-separated fields on every line, decimal point")
    if "Maximum line size" in text or "maximum_line_size" in text or "max_line_size" in text:
        return DataError(file, "a line is too long for a CSV file of this kind", row=row,
                         expected="one short line per person or cell")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if len(first) > 160:
        first = first[:159] + "…"
    return DataError(file, f"{what} ({first})", row=row)


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        head = fh.read(MAX_HEADER_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if not head.strip():
        raise DataError(path, "file is empty", expected="a header line and one row per person or cell")
    end = head.find(b"\n")
    if end < 0 and len(head) >= MAX_HEADER_BYTES - 3:
        raise DataError(path, f"no line break in the first {MAX_HEADER_BYTES // 1024} KB: not a CSV file",
                        row=1, expected="a header line and one row per person or cell")
    line = head if end < 0 else head[:end]
    try:
        text = line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 text (byte {exc.start})", row=1,
                        expected="a UTF-8 encoded CSV file") from None
    if "\x00" in text:
        raise DataError(path, "binary data in the header: not a CSV file", row=1,
                        expected="a UTF-8 encoded CSV file with a header line")
    if text.count(";") and text.count(";") >= text.count(","):
        raise DataError(
            path, "semicolon-separated file (typical of spreadsheet exports with decimal commas)",
            row=1, value=_Shown(_short(text[:100])),
            expected="comma-separated columns and a decimal point: save as 'CSV (comma-separated)'",
        )
    return next(csv.reader(io.StringIO(text)))


# Small jobs share one in-memory DuckDB database per (memory limit, threads) for the life of the
# process, each with its own connection to it (``cursor()``): opening a database costs about
# 20 ms, a connection well under 1 ms, which is most of a small job (the engine runs hundreds of
# them on cell counts and test frames). A connection's registered frames and temporary views
# are its own and go when it is closed; the limits are the database's. A large input gets a
# database of its own, closed with the job: DuckDB keeps freed buffers for its database, and a
# kernel that aggregated millions of rows should not hold them for the rest of its life.
SHARED_DATABASE_ROWS = 1_000_000
SHARED_DATABASE_BYTES = 32 * 2**20
_DATABASES: dict[tuple[str, int | None], object] = {}


def _new_database(limit: str, threads: int | None, from_environment: bool):
    import duckdb

    config = {"memory_limit": limit}
    if threads:
        config["threads"] = int(threads)
    try:
        return duckdb.connect(":memory:", config=config)
    except duckdb.Error as exc:
        where = " (from NEET_MEMORY_LIMIT)" if from_environment else ""
        raise DataError(None, f"invalid memory limit {_short(limit)}{where} ({str(exc).splitlines()[0][:120]})",
                        expected="a size such as 500MB, 1GB or 4GB") from None


def _connect(memory_limit: str | None, threads: int | None, *, small: bool = True):
    """A connection for one job: to the shared database of its limits if the job is ``small``,
    else to a database of its own (which closes with the connection)."""
    import duckdb

    limit = memory_limit or os.environ.get("NEET_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    threads = int(threads) if threads else None
    if small:
        key = (limit, threads)
        if key not in _DATABASES:
            _DATABASES[key] = _new_database(limit, threads, not memory_limit)
        con = _DATABASES[key].cursor()
    else:
        con = _new_database(limit, threads, not memory_limit)
    try:  # no progress bar on the terminal (a connection's own setting); in a Jupyter kernel DuckDB refuses it
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        pass
    return con


def _open(con, path: Path) -> _Source:
    import duckdb

    suffix = path.suffix.lower()
    lit = _quote_literal(str(path))
    if suffix in {".csv", ".txt"}:
        header = _csv_header(path)
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header))) + "}"
        scan = (f"read_csv({lit}, header=true, delim=',', quote='\"', escape='\"', columns={columns}, "
                "auto_detect=false, max_line_size=1048576)")
        relation = f"SELECT * FROM {scan}"
        numbered = f"SELECT row_number() OVER () + 1 AS _row, * FROM {scan}"
        # The fast pass reads each line as one value: grouping by one string is several times
        # faster than parsing and grouping twelve; the few distinct lines are split in Python.
        lines = (f"SELECT line FROM read_csv({lit}, header=true, delim='\\x01', quote='', escape='', "
                 "columns={'line': 'VARCHAR'}, auto_detect=false, max_line_size=1048576)")
        return _Source(con, path, "csv", header, ["VARCHAR"] * len(header), relation, numbered, lines)
    if suffix in {".parquet", ".pq"}:
        if path.stat().st_size == 0:
            raise DataError(path, "file is empty", expected="a Parquet file with data")
        try:
            desc = con.sql(f"DESCRIBE SELECT * FROM read_parquet({lit})").fetchall()
        except duckdb.Error as exc:
            raise DataError(path, f"cannot read Parquet file ({str(exc).splitlines()[0][:160]})",
                            expected="a Parquet file written by pandas, pyarrow or R arrow") from None
        names = [d[0] for d in desc]
        types = [str(d[1]) for d in desc]
        cols = ", ".join(f"{_quote_ident(n)} AS c{i}" for i, n in enumerate(names))
        relation = f"SELECT {cols} FROM read_parquet({lit})"
        numbered = f"SELECT file_row_number + 1 AS _row, {cols} FROM read_parquet({lit}, file_row_number=true)"
        return _Source(con, path, "parquet", names, types, relation, numbered)
    raise DataError(path, "unknown file type", value=path.suffix or "(none)", expected="a .csv or .parquet file")


def _frame_source(con, frame: pd.DataFrame, file) -> _Source:
    data = pd.DataFrame({f"c{i}": frame.iloc[:, i].reset_index(drop=True) for i in range(frame.shape[1])},
                        index=range(len(frame)))
    for c in data.columns:  # pandas extension types DuckDB cannot scan become objects
        if isinstance(data[c].dtype, pd.CategoricalDtype):
            data[c] = data[c].astype(object)
    con.register("_input_frame", data)
    desc = con.sql("DESCRIBE SELECT * FROM _input_frame").fetchall()
    types = [str(d[1]) for d in desc]
    return _Source(con, file, "frame", [str(c) for c in frame.columns], types, "SELECT * FROM _input_frame",
                   "SELECT row_number() OVER () AS _row, * FROM _input_frame")


# --- the engine ----------------------------------------------------------------------------------


def _normalise_names(file, names: list[str]) -> list[str]:
    sch = _schema()
    out = []
    for col in names:
        name = str(col).strip().lower()
        out.append(sch._ALIASES.get(name, name))
    dupes = sorted({n for n in out if out.count(n) > 1})
    if dupes:
        raise DataError(file, "column appears more than once", column=shown(dupes[:MAX_SHOWN], len(dupes)), row=1)
    return out


def _check_columns(file, names: list[str], kind) -> Literal["persons", "cells"]:
    sch = _schema()
    detected = sch.detect_kind(names, file)
    if kind is not None and kind != detected:
        raise DataError(file, f"expected {kind} data but the columns are those of {detected} data")
    required = sch.PERSON_COLUMNS if detected == "persons" else sch.CELL_COLUMNS
    optional = sch.OPTIONAL_PERSON_COLUMNS if detected == "persons" else sch.OPTIONAL_CELL_COLUMNS
    missing = [c for c in required if c not in names]
    if missing:
        raise DataError(file, "missing column(s)", column=", ".join(missing), row=1,
                        expected=f"{detected} columns " + ", ".join(required))
    extra = [c for c in names if c not in required and c not in optional]
    if extra:
        raise DataError(file, "unknown column(s)", column=str(shown(extra, len(extra))).replace("'", ""), row=1,
                        expected="only " + ", ".join((*required, *optional)))
    return detected


class _Engine:
    def __init__(self, src: _Source, kind: str):
        sch = _schema()
        self.src, self.kind, self.file = src, kind, src.file
        self.keys = list(sch.PERSON_COLUMNS if kind == "persons" else sch.COVARIATES)
        if kind == "persons":
            self.counts = ["weight"] if "weight" in src.names else []
        else:
            self.counts = [c for c in _COUNT_COLUMNS if c in src.names]

    # SQL pieces
    def _value(self, name: str) -> str:
        c = self.src.col(name)
        return f"TRY_CAST(trim({c}) AS DOUBLE)" if self.src.is_text(name) else f"TRY_CAST({c} AS DOUBLE)"

    def _valid(self, name: str) -> str:
        v = self._value(name)
        low = 1 if name == "weight" else 0
        return (f"({v} IS NOT NULL AND isfinite({v}) AND {v} = floor({v}) AND {v} >= {low} "
                f"AND {v} <= {MAX_COUNT})")

    def _count(self, name: str) -> str:
        return f"CASE WHEN {self._valid(name)} THEN CAST({self._value(name)} AS BIGINT) ELSE 0 END"

    def grouped(self, limit: int | None) -> pd.DataFrame:
        # Whole lines are grouped only when every column is a code: a weight or count in the
        # line would multiply the distinct lines.
        if self.src.lines is not None and not self.counts:
            return self._grouped_lines(limit)
        src = self.src.relation if limit is None else f"{self.src.relation} LIMIT {int(limit)}"
        keys = [f"{self.src.col(k)} AS {_quote_ident(k)}" for k in self.keys]
        aggs = ["count(*) AS _records"]
        for c in self.counts:
            aggs.append(f"CAST(sum({self._count(c)}) AS BIGINT) AS {_quote_ident('_sum_' + c)}")
            aggs.append(f"count(*) FILTER (WHERE NOT {self._valid(c)}) AS {_quote_ident('_bad_' + c)}")
        for small, big in self._orders():
            aggs.append(f"count(*) FILTER (WHERE {self._value(small)} > {self._value(big)}) AS _over_{small}_{big}")
        query = f"SELECT {', '.join(keys)}, {', '.join(aggs)} FROM ({src}) GROUP BY ALL LIMIT {MAX_GROUPS + 1}"
        g = self._run(query).df()
        self._check_groups(len(g))
        return g

    def _check_groups(self, count: int) -> None:
        if count > MAX_GROUPS:
            raise DataError(self.file, f"more than {MAX_GROUPS:,} distinct combinations of values, more than a "
                            "file of this schema can have".replace(",", " "),
                            expected="coded columns with the few valid codes of neethelpers/microdata/schema.py")

    def _grouped_lines(self, limit: int | None) -> pd.DataFrame:
        src = self.src.lines if limit is None else f"{self.src.lines} LIMIT {int(limit)}"
        res = self._run(f"SELECT line, count(*) AS n FROM ({src}) WHERE trim(line) <> '' GROUP BY line "
                        f"LIMIT {MAX_GROUPS + 1}").fetchnumpy()
        self._check_groups(len(res["line"]))
        if len(res["line"]) == 0:
            raise DataError(self.file, "no data rows (only a header)", expected="one row per person or cell")
        width = len(self.src.names)
        names = [f"c{i}" for i in range(width)]
        try:
            import pyarrow as pa
            import pyarrow.csv as pacsv

            table = pacsv.read_csv(
                io.BytesIO("\n".join(res["line"].tolist()).encode("utf-8")),
                read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=",", quote_char='"', double_quote=True,
                                                  ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
        except Exception:  # noqa: BLE001 - pyarrow raises several types; DuckDB names the line below
            self._run(f"SELECT count(*) FROM ({self.src.relation})").fetchall()
            raise DataError(self.file, "malformed CSV (wrong number of fields); an unquoted decimal comma (0,5) "
                            "splits a number into two fields",
                            expected="the same number of comma-separated fields on every line, decimal point"
                            ) from None
        records = np.asarray(res["n"], dtype="int64")
        if table.num_rows != len(records):  # a value with a line break inside quotes
            raise DataError(self.file, "a quoted value spans several lines",
                            expected="one line per person or cell")
        g = pd.DataFrame(index=range(len(records)))
        for name, c in zip(self.src.names, names):
            col = table.column(c).to_pandas().str.strip()
            g[name] = col.where(col != "", None)
        g["_records"] = records
        values = {}
        for c in self.counts:
            idx, uniq = _factorize(g[c])
            low = 1 if c == "weight" else 0
            val = np.full(len(uniq), np.nan)
            for j, v in enumerate(uniq):
                k, x = _number(v)
                if k == "ok" and low <= x <= MAX_COUNT:
                    val[j] = x
            v = val[idx] if len(idx) else np.zeros(0)
            values[c] = v
            g[f"_sum_{c}"] = (records * np.nan_to_num(v)).astype("int64")
            g[f"_bad_{c}"] = records * np.isnan(v)
        for small, big in self._orders():
            g[f"_over_{small}_{big}"] = records * (values[small] > values[big])
        return g

    def _orders(self):
        have = set(self.counts)
        pairs = [("neet", "n"), ("persons", "n"), ("neet_persons", "neet"), ("neet_persons", "persons")]
        return [(a, b) for a, b in pairs if self.kind == "cells" and a in have and b in have]

    def _run(self, query: str, params=None):
        import duckdb

        try:
            return self.src.con.execute(query, params) if params is not None else self.src.con.execute(query)
        except duckdb.Error as exc:
            raise _duck_error(self.file, exc, "cannot read the file") from None

    def first_row(self, predicate: str, params=None, nth: int = 1) -> int | None:
        # ORDER BY for every format, so the first row is the first whatever order a parallel
        # scan delivers matches in. Only error messages ask, so the full scan this costs is paid
        # once, on a file being refused.
        query = f"SELECT _row FROM ({self.src.numbered}) WHERE {predicate} ORDER BY _row LIMIT {int(nth)}"
        rows = self._run(query, params).fetchall()
        return int(rows[-1][0]) if len(rows) >= nth else None

    def raw_in(self, name: str, values) -> tuple[str, list]:
        """A predicate ``column is one of values`` (missing values included as NULL)."""
        c = self.src.col(name)
        present = [v for v in values if not (v is None or (isinstance(v, float) and math.isnan(v)))]
        parts = []
        params: list = []
        if self.src.is_text(name):
            c = f"NULLIF(trim({c}), '')"
        if present:
            parts.append(f"{c} IN (SELECT unnest(?))")
            params.append([v.item() if isinstance(v, np.generic) else v for v in present])
        if len(present) < len(values):
            parts.append(f"{c} IS NULL" + (f" OR isnan(TRY_CAST({c} AS DOUBLE))" if "DOUBLE" in
                                          self.src.types[self.src.names.index(name)].upper() or "FLOAT" in
                                          self.src.types[self.src.names.index(name)].upper() else ""))
        return "(" + " OR ".join(parts or ["false"]) + ")", params

    # validation of one coded column on its distinct raw values
    def coded(self, name: str, values: list) -> dict:
        sch = _schema()
        allowed = sch.CODES[name]
        nullable = name in sch.NULLABLE
        classes: dict[str, list] = {}
        mapping = []
        for v in values:
            k, x = _number(v)
            if k == "ok" and int(x) not in allowed:
                k = "range"
            if k == "empty" and nullable:
                mapping.append(None)
                continue
            if k == "ok":
                mapping.append(int(x))
            else:
                mapping.append(None)
                classes.setdefault(k, []).append(v)
        for k in ("comma", "nan", "inf", "frac", "empty", "range"):
            bad = classes.get(k)
            if not bad:
                continue
            row = self._row_of(name, bad)
            if k == "empty":
                raise DataError(self.file, "empty cell", column=name, row=row,
                                expected=f"one of {sch._codes_text(allowed)} in every row")
            if k == "range":
                ints = sorted({int(_number(v)[1]) for v in bad})
                raise DataError(self.file, "code out of range", column=name, row=row, value=shown(ints),
                                expected=sch._codes_text(allowed)
                                + (" or empty (not living with a parent)" if nullable else ""))
            problem, expected = _PROBLEM[k]
            raise DataError(self.file, problem, column=name, row=row, value=shown(_distinct(bad)),
                            expected=expected if k == "comma" else sch._codes_text(allowed))
        return mapping

    def county(self, values: list) -> dict:
        from neethelpers.registry.counties import current_counties, resolve

        mapping = []
        empty, problems, numeric_bad = [], {}, {}
        for v in values:
            mapping.append(None)
            if _is_missing(v) or (isinstance(v, str) and not v.strip()):
                empty.append(v)
                continue
            if isinstance(v, str):
                text = v.strip()
            else:
                k, x = _number(v)
                if k != "ok":
                    numeric_bad.setdefault(k, []).append(v)
                    continue
                text = str(int(x))
            try:
                mapping[-1] = resolve(text).code
            except UnknownCountyError as exc:
                problems[v] = str(exc)
        for k, bad in numeric_bad.items():
            problem, _ = _PROBLEM[k]
            raise DataError(self.file, problem, column="fylke", row=self._row_of("fylke", bad),
                            value=shown(_distinct(bad)), expected="a county code (e.g. 32 for Akershus)")
        if empty:
            raise DataError(self.file, "empty cell", column="fylke", row=self._row_of("fylke", empty),
                            expected="a county code (e.g. 32 for Akershus) in every row")
        if problems:
            bad = list(problems)
            detail = next(iter(problems.values()))
            if len(detail) > 200:
                detail = detail[:199] + "…"
            raise DataError(
                self.file, f"unknown or historical county ({detail})", column="fylke",
                row=self._row_of("fylke", bad), value=shown(_distinct(bad)),
                expected="codes of today's counties: " + ", ".join(c.code for c in current_counties()),
            )
        return mapping

    def _row_of(self, name: str, values: list) -> int | None:
        """The first row holding one of ``values``. All of them: the values come out of a
        GROUP BY in no particular order, so any cut of the list could leave out the value of
        the first bad row and name a later one."""
        pred, params = self.raw_in(name, values)
        return self.first_row(pred, params)

    def count_column(self, name: str) -> None:
        """Refuse the first invalid value of a count/weight column (called when some are)."""
        c = self.src.col(name)
        bad = f"NOT {self._valid(name)}"
        row = self.first_row(bad)
        raw = self._run(f"SELECT DISTINCT {c} FROM ({self.src.relation}) WHERE {bad} LIMIT {MAX_SHOWN + 1}")
        values = [r[0] for r in raw.fetchall()]
        first = self._run(f"SELECT {c} FROM ({self.src.numbered}) WHERE _row = {int(row)}").fetchall()[0][0] \
            if row is not None else (values[0] if values else None)
        k, x = _number(first)
        weight = name == "weight"
        what = "a positive whole number (a frequency weight)" if weight else "whole numbers ≥ 0"
        if k == "empty":
            problem = "weight missing" if weight else "empty cell"
            expected = f"{what} in every row"
        elif k in _PROBLEM:
            problem = _PROBLEM[k][0] + (" (weights must be positive whole numbers: frequency weights)"
                                        if weight and k in ("frac", "inf") else "")
            expected = _PROBLEM["comma"][1] if k == "comma" else what
        elif x is not None and x > MAX_COUNT:
            problem, expected = "number too large", f"{what} up to {MAX_COUNT:,}".replace(",", " ")
        else:
            problem = "weight not positive" if weight else "negative count"
            expected = what
        values = [v for v in values if not _is_missing(v)] or values
        raise DataError(self.file, problem, column=name, row=row,
                        value=shown(values) if values and k != "empty" else None, expected=expected)


def _distinct(values):
    seen, out = set(), []
    for v in values:
        k = (type(v).__name__, repr(v))
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def _factorize(series: pd.Series) -> tuple[np.ndarray, list]:
    """Positions into the distinct raw values (missing values last, as ``None``)."""
    idx, uniques = pd.factorize(series, use_na_sentinel=True)
    values = [v.item() if isinstance(v, np.generic) else v for v in uniques]
    if (idx < 0).any():
        values.append(None)
        idx = np.where(idx < 0, len(values) - 1, idx)
    return idx, values


def _validate_grouped(eng: _Engine, g: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Validate the grouped raw rows; return them with normalised keys."""
    sch = _schema()
    if len(g) == 0:
        raise DataError(eng.file, "no data rows (only a header)", expected="one row per person or cell")
    out = pd.DataFrame(index=g.index)
    order = list(sch.PERSON_COLUMNS if eng.kind == "persons" else sch.CELL_COLUMNS)
    for col in order:
        if col in eng.keys:
            idx, values = _factorize(g[col])
            mapping = eng.county(values) if col == "fylke" else eng.coded(col, values)
            if col == "fylke":
                out[col] = np.asarray(mapping, dtype=object)[idx]
            else:
                out[col] = np.asarray([np.nan if m is None else m for m in mapping], dtype="float64")[idx]
        elif g[f"_bad_{col}"].sum() > 0:
            eng.count_column(col)
    for col in eng.counts:
        if g[f"_bad_{col}"].sum() > 0:
            eng.count_column(col)
    _check_consistency(eng, g, out)
    for small, big in eng._orders():
        over = int(g[f"_over_{small}_{big}"].sum())
        if over:
            row = eng.first_row(f"{eng._value(small)} > {eng._value(big)}")
            first = eng._run(f"SELECT {eng.src.col(small)}, {eng.src.col(big)} FROM ({eng.src.numbered}) "
                             f"WHERE _row = {int(row)}").fetchall()[0]
            words = {"neet": "long-term NEETs", "n": "persons", "persons": "person records",
                     "neet_persons": "long-term NEET records"}
            raise DataError(eng.file, f"more {words[small]} than {words[big]} in {over} row(s)", column=small,
                            row=row, value=_Shown(f"{small}={_short(first[0])}, {big}={_short(first[1])}"),
                            expected=f"0 ≤ {small} ≤ {big}")
    return out


def _check_consistency(eng: _Engine, g: pd.DataFrame, codes: pd.DataFrame) -> None:
    def raws(col, codeset):
        return [v for v, c in zip(g[col].astype(object), codes[col]) if c in codeset]

    bad = codes["innvandrer"].isin([1, 2]) & (codes["innvandrerb"] == 0)
    if bad.any():
        p1, a = eng.raw_in("innvandrer", _distinct(raws("innvandrer", {1, 2})))
        p2, b = eng.raw_in("innvandrerb", _distinct(raws("innvandrerb", {0})))
        raise DataError(eng.file, "innvandrer says immigrant (1) or Norwegian-born to immigrant parents (2), "
                        "but innvandrerb is 0", column="innvandrerb", row=eng.first_row(f"{p1} AND {p2}", a + b),
                        value=f"{int(g.loc[bad, '_records'].sum())} row(s)",
                        expected="innvandrerb = 1 whenever innvandrer is 1 or 2 (categories B and C)")
    bad = (codes["dropout"] == 1) & (codes["alder"] < 18)
    if bad.any():
        p1, a = eng.raw_in("dropout", _distinct(raws("dropout", {1})))
        p2, b = eng.raw_in("alder", _distinct(raws("alder", set(range(15, 18)))))
        raise DataError(eng.file, "dropout = 1 below age 18", column="dropout",
                        row=eng.first_row(f"{p1} AND {p2}", a + b),
                        value=f"{int(g.loc[bad, '_records'].sum())} row(s)",
                        expected="dropout = 0 for ages 15–17 (the note defines dropouts as aged 18–29)")


def _to_cells(eng: _Engine, g: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    sch = _schema()
    keys = list(sch.COVARIATES)
    frame = codes[keys].copy()
    records = g["_records"].to_numpy(dtype="int64")
    if eng.kind == "persons":
        n = g["_sum_weight"].to_numpy(dtype="int64") if "weight" in eng.counts else records
        is_neet = codes["neet2023"].to_numpy() == 1
        frame["n"] = n
        frame["neet"] = np.where(is_neet, n, 0)
        frame["persons"] = records
        frame["neet_persons"] = np.where(is_neet, records, 0)
    else:
        frame["n"] = g["_sum_n"].to_numpy(dtype="int64")
        frame["neet"] = g["_sum_neet"].to_numpy(dtype="int64")
        frame["persons"] = g["_sum_persons"].to_numpy(dtype="int64") if "persons" in eng.counts else frame["n"]
        frame["neet_persons"] = (g["_sum_neet_persons"].to_numpy(dtype="int64") if "neet_persons" in eng.counts
                                 else np.minimum(frame["neet"], frame["persons"]))
        frame["_records"] = records
    frame["grunnbelop"] = pd.array(frame["grunnbelop"].to_numpy(dtype="float64"), dtype="Int8")
    grouped = frame.groupby(keys, dropna=False, observed=True, sort=True)
    cells = grouped.sum().reset_index()
    if eng.kind == "cells":
        dup = cells["_records"] > 1
        if dup.any():
            _duplicate_error(eng, g, codes, cells.loc[dup].iloc[0])
        cells = cells.drop(columns="_records")
    for c in ("dropout", "tidlarb", "barnevern", "allhelse", "innvandrerb", "innvandrer", "sosbakgr", "kjonn",
              "alder"):
        cells[c] = cells[c].astype("int8")
    cells["grunnbelop"] = cells["grunnbelop"].astype("Int8")
    cells["fylke"] = cells["fylke"].astype(str)
    for c in _COUNT_COLUMNS:
        cells[c] = cells[c].astype("int64")
    return cells[list(OUTPUT_COLUMNS)]


def _duplicate_error(eng: _Engine, g: pd.DataFrame, codes: pd.DataFrame, combo: pd.Series) -> None:
    sch = _schema()
    match = np.ones(len(g), dtype=bool)
    for k in sch.COVARIATES:
        col = codes[k]
        match &= (col.isna() & pd.isna(combo[k])).to_numpy() | (col == combo[k]).fillna(False).to_numpy(dtype=bool)
    preds, params = [], []
    for k in sch.COVARIATES:
        p, a = eng.raw_in(k, _distinct(g.loc[match, k].astype(object).tolist()))
        preds.append(p)
        params += a
    row = eng.first_row(" AND ".join(preds), params, nth=2)
    raise DataError(eng.file, "the same combination of covariates appears more than once",
                    column=", ".join(sch.COVARIATES), row=row, expected="one row per combination (sum the rows first)")


def _run_engine(con, src: _Source, kind) -> Cells:
    names = _normalise_names(src.file, src.names)
    src.names = names
    detected = _check_columns(src.file, names, kind)
    eng = _Engine(src, detected)
    # A quick look at the first rows refuses junk before the whole file is read.
    sample = eng.grouped(SAMPLE_ROWS)
    _validate_grouped(eng, sample)
    g = eng.grouped(None) if int(sample["_records"].sum()) >= SAMPLE_ROWS else sample
    codes = _validate_grouped(eng, g)
    frame = _to_cells(eng, g, codes)
    if int(frame["n"].sum()) == 0:
        raise DataError(src.file, "no persons: every count is 0", column="n",
                        expected="at least one person (n > 0 in some row)")
    return Cells(frame, detected, int(g["_records"].sum()), weighted="weight" in eng.counts)


def aggregate(path: str | Path, *, kind: Literal["persons", "cells"] | None = None,
              memory_limit: str | None = None, threads: int | None = None) -> Cells:
    """Read, validate and aggregate a person-level or cell-count file (CSV or Parquet).

    Raises :class:`DataError` on any problem listed in :mod:`.schema`. ``memory_limit``
    (DuckDB syntax, e.g. ``"500MB"``; default :data:`DEFAULT_MEMORY_LIMIT`) bounds the
    memory of the aggregation. A cell file written by :func:`write` keeps the original
    file's kind, name and hash.
    """
    path = Path(path).expanduser()
    if path.is_dir():
        raise DataError(path, "is a directory", expected="a CSV or Parquet file")
    if not path.exists():
        raise DataError(path, "file does not exist", expected="a CSV or Parquet file")
    con = _connect(memory_limit, threads, small=path.stat().st_size <= SHARED_DATABASE_BYTES)
    try:
        src = _open(con, path)
        result = _run_engine(con, src, kind)
    finally:
        con.close()
    meta = _metadata(path) if path.suffix.lower() in {".parquet", ".pq"} and result.kind == "cells" else {}
    return Cells(result.frame, meta.get("kind", result.kind), int(meta.get("records", result.records)), path,
                 meta.get("name", path.name), meta.get("sha256"), meta.get("weighted", "0") == "1"
                 if meta else result.weighted)


def from_frame(frame: pd.DataFrame, kind: Literal["persons", "cells"] | None = None, *, file=None,
               memory_limit: str | None = None) -> Cells:
    """The same engine on a data frame in memory (person-level rows or cell counts)."""
    con = _connect(memory_limit, None, small=len(frame) <= SHARED_DATABASE_ROWS)
    try:
        src = _frame_source(con, frame, file)
        result = _run_engine(con, src, kind)
    finally:
        con.close()
    result.frame.attrs.update(frame.attrs)
    return result


def typed_persons(frame: pd.DataFrame) -> pd.DataFrame:
    """A person-level frame that :func:`from_frame` has accepted, with typed columns (codes
    ``int8``, ``grunnbelop`` nullable ``Int8``, ``fylke`` the two-digit code, ``weight``
    ``int64``), for tests and tools that need the rows themselves."""
    from neethelpers.registry.counties import resolve

    sch = _schema()
    names = _normalise_names(None, list(frame.columns))
    raw = frame.set_axis(names, axis=1)
    out = {}
    for col in sch.PERSON_COLUMNS + tuple(c for c in sch.OPTIONAL_PERSON_COLUMNS if c in names):
        s = raw[col]
        if col == "fylke":
            text = s.astype(str).str.strip()
            text = text.where(~text.str.fullmatch(r"\d+(\.0+)?"), text.str.replace(r"\.0+$", "", regex=True))
            out[col] = text.map({v: resolve(v).code for v in pd.unique(text)}).astype(str)
            continue
        if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            text = s.astype(object).map(lambda v: None if _is_missing(v) else str(v).strip())
            s = pd.to_numeric(text, errors="coerce")
        num = s.astype("float64")
        if col == "grunnbelop":
            out[col] = pd.array(num.to_numpy(), dtype="Int8")
        else:
            out[col] = num.astype("int64" if col == "weight" else "int8")
    result = pd.DataFrame(out, index=frame.index).reset_index(drop=True)
    result.attrs.update(frame.attrs)
    return result


# --- output ------------------------------------------------------------------------------------


def _metadata(path: Path) -> dict:
    try:
        import pyarrow.parquet as pq

        meta = pq.read_schema(path).metadata or {}
    except Exception:  # noqa: BLE001 - a file DuckDB has read is readable; metadata is optional
        return {}
    return {k[len(_META_PREFIX):].decode(): v.decode("utf-8", "replace")
            for k, v in meta.items() if k.startswith(_META_PREFIX)}


def origin(path: str | Path) -> tuple[str, str] | None:
    """``(name, sha256)`` of the file a cell file written by :func:`write` was made from
    (the build shows these, never the cache path); ``None`` for any other file."""
    path = Path(path)
    if path.suffix.lower() not in {".parquet", ".pq"} or not path.is_file():
        return None
    meta = _metadata(path)
    if meta.get("name") and meta.get("sha256"):
        return meta["name"], meta["sha256"]
    return None


def write(cells: Cells, out: str | Path, *, input_sha256: str | None = None) -> Path:
    """Write the cells to ``out`` (Parquet, or CSV when it ends in ``.csv``) atomically.
    Parquet keeps the input's kind, name, sha256 and record count as file metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from neethelpers.files import write_bytes_atomic

    out = Path(out).expanduser()
    if cells.sha256 is None and cells.source is not None and Path(cells.source).is_file():
        from neethelpers.files import sha256_file

        cells = Cells(cells.frame, cells.kind, cells.records, cells.source, cells.name, sha256_file(cells.source),
                      cells.weighted)
    if out.suffix.lower() == ".csv":
        data = cells.frame.to_csv(index=False).encode("utf-8")
    else:
        table = pa.Table.from_pandas(cells.frame, preserve_index=False)
        extra = {"kind": cells.kind, "name": cells.name or "", "sha256": cells.sha256 or "",
                 "records": str(cells.records), "weighted": "1" if cells.weighted else "0",
                 "input_sha256": input_sha256 or ""}
        meta = dict(table.schema.metadata or {})
        meta.update({_META_PREFIX + k.encode(): v.encode("utf-8") for k, v in extra.items()})
        table = table.replace_schema_metadata(meta)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        data = sink.getvalue().to_pybytes()
    try:
        write_bytes_atomic(out, data)
    except OSError as exc:
        raise DataError(out, f"cannot write ({exc.strerror})", expected="a writable path") from None
    return out


def cache(path: str | Path, directory: Path | None = None, *, memory_limit: str | None = None) -> Path:
    """Aggregate ``path`` once and keep the cells as ``<directory>/<sha256>.parquet``
    (default :data:`CACHE_DIR`), reused while the input's content is unchanged.
    Returns the cell file."""
    from neethelpers.files import sha256_file

    path = Path(path).expanduser()
    if path.is_dir():
        raise DataError(path, "is a directory", expected="a CSV or Parquet file")
    if not path.is_file():
        raise DataError(path, "file does not exist", expected="a CSV or Parquet file")
    digest = sha256_file(path)
    target = Path(directory or CACHE_DIR) / f"{digest}.parquet"
    if target.is_file() and _metadata(target).get("input_sha256") == digest:
        return target
    result = aggregate(path, memory_limit=memory_limit)
    if not result.sha256:  # a cell file made by write() keeps its own origin
        result = Cells(result.frame, result.kind, result.records, path, path.name, digest, result.weighted)
    return write(result, target, input_sha256=digest)


def sql(table: str = "persons", *, weighted: bool = False) -> str:
    """One portable SQL query that turns a person-level table into the book's cell file
    (standard SQL; runs in DuckDB, PostgreSQL, SQL Server, Oracle, SQLite …)."""
    sch = _schema()
    keys = ",\n       ".join(sch.COVARIATES)
    n = "SUM(weight)" if weighted else "COUNT(*)"
    neet = "SUM(weight * neet2023)" if weighted else "SUM(neet2023)"
    return (
        "-- Cell counts for the NEET report book: one row per combination of covariates.\n"
        f"-- Input: a table {table!s} with the person-level columns of neethelpers/microdata/schema.py\n"
        "-- (fylke as the two-digit code of today's counties, grunnbelop NULL when not living with a parent).\n"
        "-- Export the result as CSV or Parquet and check it with: neet microdata cells FILE --out cells.parquet\n"
        f"SELECT {keys},\n"
        f"       {n} AS n,\n"
        f"       {neet} AS neet,\n"
        "       COUNT(*) AS persons,\n"
        "       SUM(neet2023) AS neet_persons\n"
        f"FROM {table}\n"
        f"GROUP BY {', '.join(sch.COVARIATES)}\n"
        f"ORDER BY {', '.join(sch.COVARIATES)};\n"
    )


