"""Input schemas for the regression chapter: person-level microdata and cell counts.

Two kinds of file are accepted, as CSV (comma-separated, UTF-8, decimal point) or Parquet:

**Person-level microdata** — one row per person aged 15–29:

=============  ===================================================================  ==========
column         meaning (definitions as in the analysis note, chapter 4.1)            valid
=============  ===================================================================  ==========
neet2023       long-term NEET: outside work, education and measures two years or     0, 1
               more (the outcome)
dropout        aged 18–29, started upper secondary, did not complete, not in         0, 1
               education (always 0 below age 18)
tidlarb        wage income above half of G in some year from 2010 (work experience)  0, 1
barnevern      a child-welfare care or support measure at 31 December in 2011–2022   0, 1
allhelse       receives a health-related benefit (AAP, uføretrygd, grunnstønad or    0, 1
               hjelpestønad)
innvandrerb    immigration category B, C or E (immigrant background)                 0, 1
innvandrer     0 others, 1 immigrant (B), 2 Norwegian-born to immigrant parents (C)  0, 1, 2
sosbakgr       parents' highest education: 1 higher, 2 upper secondary,              1, 2, 3
               3 compulsory school
grunnbelop     household income in G for those living with a parent: 1 ≤ 2 G,      1, 2, 3 or
               2 = 2–4 G, 3 > 4 G; **empty** for those not living with a parent      empty
kjonn          1 man, 2 woman                                                        1, 2
alder          age in years                                                          15–29
fylke          county: an SSB county code of today's 15 counties (``03``, ``31``,    see
               ``3200`` …) or a county name; stored as the two-digit code            counties
weight         optional frequency weight (a positive number)                         > 0
=============  ===================================================================  ==========

**Cell counts** — what microdata.no can export without person-level data: the covariate
columns above (every column except ``neet2023`` and ``weight``) plus

=====  =============================================  ==========================
n      number of persons with this combination         whole number ≥ 0
neet   number of them who are long-term NEET           whole number, 0 ≤ neet ≤ n
=====  =============================================  ==========================

One row per combination of covariates (a combination may not appear twice).

The kind of file is detected from its columns: ``neet2023`` means person-level,
``n`` and ``neet`` mean cell counts. The column ``grunnbeløp`` (with ø) and ``kjønn`` are
accepted as spellings of ``grunnbelop`` and ``kjonn``; column names are not case sensitive.

Everything else is refused with a :class:`~neethelpers.errors.DataError` that names the
file, the column, the offending values (and the first row, counted as the file's line
number for CSV) and what would be valid:

* a missing column, an unknown column, or the same column twice;
* a code outside the valid values above (for instance ``kjonn`` = 0 or ``alder`` = 31),
  an empty cell in any column except ``grunnbelop``, or a county code that is not one of
  today's counties (Viken, Vestfold og Telemark and Troms og Finnmark are refused with an
  explanation: recode to the 2024 counties);
* inconsistent definitions: ``innvandrer`` 1 or 2 with ``innvandrerb`` 0, or
  ``dropout`` = 1 below age 18;
* decimal commas (``0,5``) and semicolon-separated files (typical of spreadsheet and
  StatBank exports) — save as comma-separated with a decimal point;
* an empty file, or a header without data rows;
* in cell counts: ``neet`` greater than ``n``, negative or fractional counts, or the same
  combination twice.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from neethelpers.registry import counties
from neethelpers.errors import DataError, UnknownCountyError

__all__ = [
    "BINARY", "COVARIATES", "PERSON_COLUMNS", "CELL_COLUMNS", "CODES", "InputData",
    "read_input", "validate", "to_cells", "to_persons", "detect_kind",
]

BINARY = ("dropout", "tidlarb", "barnevern", "allhelse", "innvandrerb")
#: Covariates in the order used for cell counts.
COVARIATES = (
    "dropout", "tidlarb", "barnevern", "allhelse", "innvandrerb", "innvandrer",
    "sosbakgr", "grunnbelop", "kjonn", "alder", "fylke",
)
PERSON_COLUMNS = ("neet2023", *COVARIATES)
CELL_COLUMNS = (*COVARIATES, "n", "neet")
OPTIONAL_PERSON_COLUMNS = ("weight",)

#: Valid codes per coded column (``grunnbelop`` may also be empty).
CODES: dict[str, tuple[int, ...]] = {
    "neet2023": (0, 1),
    **{c: (0, 1) for c in BINARY},
    "innvandrer": (0, 1, 2),
    "sosbakgr": (1, 2, 3),
    "grunnbelop": (1, 2, 3),
    "kjonn": (1, 2),
    "alder": tuple(range(15, 30)),
}
NULLABLE = frozenset({"grunnbelop"})
_ALIASES = {"grunnbeløp": "grunnbelop", "kjønn": "kjonn"}

_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_MAX_SHOWN = 8


@dataclass(frozen=True)
class InputData:
    """Validated input: ``kind`` is ``"persons"`` or ``"cells"``, ``frame`` the typed data,
    ``source`` the file it came from (``None`` for generated data)."""

    kind: Literal["persons", "cells"]
    frame: pd.DataFrame
    source: Path | None = None

    @property
    def synthetic(self) -> bool:
        return bool(self.frame.attrs.get("synthetic", False))

    def cells(self) -> pd.DataFrame:
        """The data as cell counts (person-level data are aggregated)."""
        return self.frame if self.kind == "cells" else to_cells(self.frame)

    @property
    def n_persons(self) -> int:
        if self.kind == "cells":
            return int(self.frame["n"].sum())
        return len(self.frame)


# --- reading ----------------------------------------------------------------------------


class _Shown(str):
    """A list of values already quoted for display: DataError shows it as it is (no second repr)."""

    def __repr__(self) -> str:
        return str(self)


def _shown(values) -> str:
    values = list(values)
    text = ", ".join(repr(v) for v in values[:_MAX_SHOWN])
    if len(values) > _MAX_SHOWN:
        text += f" … ({len(values)} distinct values)"
    return _Shown(text)


def _read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 text (byte {exc.start})", expected="a UTF-8 encoded CSV file") from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DataError(path, "file is empty", expected="a header line and one row per person or cell")
    header = text.splitlines()[0]
    if header.count(";") and header.count(";") >= header.count(","):
        raise DataError(
            path, "semicolon-separated file (typical of spreadsheet exports with decimal commas)",
            row=1, value=header[:100],
            expected="comma-separated columns and a decimal point: save as 'CSV (comma-separated)'",
        )
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise DataError(
            path, f"malformed CSV ({exc}); an unquoted decimal comma (0,5) splits a number into "
            "two fields", row=int(m.group(1)) if m else None,
            expected="the same number of comma-separated fields on every line, decimal point",
        ) from None
    return raw


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for broken files
        if path.stat().st_size == 0:
            raise DataError(path, "file is empty", expected="a Parquet file with data") from None
        raise DataError(path, f"cannot read Parquet file ({type(exc).__name__}: {exc})",
                        expected="a Parquet file written by pandas, pyarrow or R arrow") from None


def _normalise_columns(file, df: pd.DataFrame) -> pd.DataFrame:
    names = []
    for col in df.columns:
        name = str(col).strip().lower()
        names.append(_ALIASES.get(name, name))
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(file, "column appears more than once", column=", ".join(dupes), row=1)
    out = df.copy(deep=False)
    out.columns = names
    return out


def detect_kind(columns, file=None) -> Literal["persons", "cells"]:
    """``"persons"`` if there is a ``neet2023`` column, ``"cells"`` if there are ``n`` and
    ``neet``; anything else is a :class:`DataError`."""
    cols = set(columns)
    person = "neet2023" in cols
    cell = {"n", "neet"} <= cols
    if person and cell:
        raise DataError(file, "both a person-level outcome (neet2023) and cell counts (n, neet)",
                        column="neet2023, n, neet",
                        expected="either person-level columns " + ", ".join(PERSON_COLUMNS)
                        + " or cell-count columns " + ", ".join(CELL_COLUMNS))
    if person:
        return "persons"
    if cell:
        return "cells"
    raise DataError(
        file, "cannot tell whether this is person-level data or cell counts",
        column=", ".join(map(str, columns)) or None,
        expected="a column neet2023 (person-level: " + ", ".join(PERSON_COLUMNS)
        + ") or columns n and neet (cell counts: " + ", ".join(CELL_COLUMNS) + ")",
    )


def read_input(path: str | Path, kind: Literal["persons", "cells"] | None = None) -> InputData:
    """Read and validate a person-level or cell-count file (CSV or Parquet).

    The kind is detected from the columns unless given. Raises :class:`DataError` on any
    of the problems listed in this module's docstring.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(path, "file does not exist", expected="a CSV or Parquet file")
    if path.is_dir():
        raise DataError(path, "is a directory", expected="a CSV or Parquet file")
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        raw = _read_parquet(path)
    elif suffix in {".csv", ".txt"}:
        raw = _read_csv(path)
    else:
        raise DataError(path, "unknown file type", value=path.suffix or "(none)",
                        expected="a .csv or .parquet file")
    raw = _normalise_columns(path, raw)
    detected = detect_kind(raw.columns, path)
    if kind is not None and kind != detected:
        raise DataError(path, f"expected {kind} data but the columns are those of {detected} data")
    frame = validate(raw, detected, file=path)
    return InputData(detected, frame, path)


# --- validation -------------------------------------------------------------------------


def _row_of(file, index) -> int:
    """Where a problem is: the CSV line number (header = 1) or the 1-based Parquet row."""
    return int(index) + 2 if str(file).lower().endswith((".csv", ".txt")) else int(index) + 1


def _as_number(file, col: str, s: pd.Series, *, integer: bool) -> pd.Series:
    """A float64 series from numeric or text input; NaN for empty cells."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype("float64")
    if pd.api.types.is_numeric_dtype(s):
        num = s.astype("float64")
    else:
        text = s.astype(str).str.strip()
        text = text.where(~s.isna(), "")
        empty = text.isin(["", "nan", "NaN", "NA", "<NA>", "None", "."])
        num = pd.to_numeric(text.where(~empty, None), errors="coerce").astype("float64")
        bad = num.isna() & ~empty
        if bad.any():
            vals = text[bad].unique()
            first = bad.idxmax()
            if any(_DECIMAL_COMMA.match(v) for v in vals):
                raise DataError(file, "decimal comma in a number", column=col, row=_row_of(file, first),
                                value=_shown(vals),
                                expected="a decimal point (0.5, not 0,5); save the file as comma-separated CSV")
            raise DataError(file, "not a number", column=col, row=_row_of(file, first), value=_shown(vals),
                            expected="whole numbers" if integer else "numbers with a decimal point")
    if integer:
        frac = num.notna() & (num != np.floor(num.fillna(0)))
        if frac.any():
            first = frac.idxmax()
            raise DataError(file, "not a whole number", column=col, row=_row_of(file, first),
                            value=_shown(pd.unique(num[frac])), expected="whole numbers")
    return num


def _coded(file, col: str, s: pd.Series) -> pd.Series:
    allowed = CODES[col]
    num = _as_number(file, col, s, integer=True)
    missing = num.isna()
    if missing.any() and col not in NULLABLE:
        raise DataError(file, "empty cell", column=col, row=_row_of(file, missing.idxmax()),
                        expected=f"one of {_codes_text(allowed)} in every row")
    bad = ~missing & ~num.isin(allowed)
    if bad.any():
        vals = sorted(int(v) for v in pd.unique(num[bad]))
        raise DataError(file, "code out of range", column=col, row=_row_of(file, bad.idxmax()),
                        value=_shown(vals),
                        expected=_codes_text(allowed) + (" or empty (not living with a parent)" if col in NULLABLE else ""))
    if col in NULLABLE:
        return pd.array(num, dtype="Int8")
    return num.astype("int8")


def _codes_text(allowed) -> str:
    allowed = tuple(allowed)
    if len(allowed) > 4 and allowed == tuple(range(allowed[0], allowed[-1] + 1)):
        return f"{allowed[0]}–{allowed[-1]}"
    return ", ".join(map(str, allowed))


def _county_codes(file, s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s):
        num = _as_number(file, "fylke", s, integer=True)
        text = num.map(lambda v: "" if pd.isna(v) else str(int(v)))
    else:
        text = s.astype(str).str.strip().where(~s.isna(), "")
    if (text == "").any():
        raise DataError(file, "empty cell", column="fylke", row=_row_of(file, (text == "").idxmax()),
                        expected="a county code (e.g. 32 for Akershus) in every row")
    mapping: dict[str, str] = {}
    problems: dict[str, str] = {}
    for value in pd.unique(text):
        try:
            mapping[value] = counties.resolve(value).code
        except UnknownCountyError as exc:
            problems[value] = str(exc)
    if problems:
        vals = list(problems)
        first = text.isin(vals).idxmax()
        detail = next(iter(problems.values()))
        raise DataError(
            file, f"unknown or historical county ({detail})", column="fylke", row=_row_of(file, first),
            value=_shown(vals),
            expected="codes of today's counties: " + ", ".join(c.code for c in counties.current_counties()),
        )
    return text.map(mapping).astype(str)


def validate(raw: pd.DataFrame, kind: Literal["persons", "cells"], file=None) -> pd.DataFrame:
    """Check columns, codes and consistency of ``raw`` and return a typed frame.

    Codes become ``int8`` (``grunnbelop`` nullable ``Int8``), ``fylke`` the two-digit code,
    ``n`` and ``neet`` ``int64``, ``weight`` ``float64``. Attributes (``attrs``) are kept.
    """
    raw = _normalise_columns(file, raw)
    required = PERSON_COLUMNS if kind == "persons" else CELL_COLUMNS
    allowed = set(required) | (set(OPTIONAL_PERSON_COLUMNS) if kind == "persons" else set())
    missing = [c for c in required if c not in raw.columns]
    if missing:
        raise DataError(file, "missing column(s)", column=", ".join(missing), row=1,
                        expected=f"{kind} columns " + ", ".join(required))
    extra = [c for c in raw.columns if c not in allowed]
    if extra:
        raise DataError(file, "unknown column(s)", column=", ".join(extra), row=1,
                        expected="only " + ", ".join(sorted(allowed, key=list(required + OPTIONAL_PERSON_COLUMNS).index)))
    if len(raw) == 0:
        raise DataError(file, "no data rows (only a header)", expected="one row per person or cell")

    out: dict[str, object] = {}
    for col in required:
        if col == "fylke":
            out[col] = _county_codes(file, raw[col])
        elif col in CODES:
            out[col] = _coded(file, col, raw[col])
        else:  # n, neet
            num = _as_number(file, col, raw[col], integer=True)
            if num.isna().any():
                raise DataError(file, "empty cell", column=col, row=_row_of(file, num.isna().idxmax()),
                                expected="a whole number ≥ 0 in every row")
            if (num < 0).any():
                neg = num < 0
                raise DataError(file, "negative count", column=col, row=_row_of(file, neg.idxmax()),
                                value=_shown(pd.unique(num[neg])), expected="whole numbers ≥ 0")
            out[col] = num.astype("int64")
    if "weight" in raw.columns:
        w = _as_number(file, "weight", raw["weight"], integer=False)
        bad = w.isna() | ~(w > 0) | ~np.isfinite(w.fillna(0))
        if bad.any():
            raise DataError(file, "weight missing or not positive", column="weight",
                            row=_row_of(file, bad.idxmax()), value=_shown(pd.unique(raw["weight"][bad])),
                            expected="a positive number in every row")
        out["weight"] = w
    frame = pd.DataFrame(out, index=raw.index)

    _check_consistency(file, frame)
    if kind == "cells":
        over = frame["neet"] > frame["n"]
        if over.any():
            i = over.idxmax()
            raise DataError(file, f"more long-term NEETs than persons in {int(over.sum())} row(s)",
                            column="neet", row=_row_of(file, i),
                            value=f"neet={int(frame.at[i, 'neet'])}, n={int(frame.at[i, 'n'])}",
                            expected="0 ≤ neet ≤ n")
        dup = frame.duplicated(list(COVARIATES), keep="first")
        if dup.any():
            raise DataError(file, "the same combination of covariates appears more than once",
                            column=", ".join(COVARIATES), row=_row_of(file, dup.idxmax()),
                            expected="one row per combination (sum the rows first)")
    frame = frame.reset_index(drop=True)
    frame.attrs.update(raw.attrs)
    return frame


def _check_consistency(file, frame: pd.DataFrame) -> None:
    bad = frame["innvandrer"].isin([1, 2]) & (frame["innvandrerb"] == 0)
    if bad.any():
        raise DataError(file, "innvandrer says immigrant (1) or Norwegian-born to immigrant parents (2), "
                        "but innvandrerb is 0", column="innvandrerb", row=_row_of(file, bad.idxmax()),
                        value=f"{int(bad.sum())} row(s)",
                        expected="innvandrerb = 1 whenever innvandrer is 1 or 2 (categories B and C)")
    bad = (frame["dropout"] == 1) & (frame["alder"] < 18)
    if bad.any():
        raise DataError(file, "dropout = 1 below age 18", column="dropout", row=_row_of(file, bad.idxmax()),
                        value=f"{int(bad.sum())} row(s)",
                        expected="dropout = 0 for ages 15–17 (the note defines dropouts as aged 18–29)")


# --- conversions ------------------------------------------------------------------------


def to_cells(persons: pd.DataFrame) -> pd.DataFrame:
    """Aggregate validated person-level data to cell counts.

    One row per observed combination of :data:`COVARIATES`, with ``n`` persons and ``neet``
    long-term NEETs. With a ``weight`` column, ``n`` and ``neet`` are weighted sums (float)
    and ``n_unweighted`` keeps the number of persons for disclosure control.
    """
    keys = list(COVARIATES)
    if "weight" in persons.columns:
        tmp = persons[keys].copy()
        tmp["n"] = persons["weight"]
        tmp["neet"] = persons["weight"] * persons["neet2023"]
        tmp["n_unweighted"] = 1
        cells = tmp.groupby(keys, dropna=False, observed=True, sort=True).sum().reset_index()
    else:
        g = persons.groupby(keys, dropna=False, observed=True, sort=True)["neet2023"]
        cells = g.agg(n="size", neet="sum").reset_index()
        cells["n"] = cells["n"].astype("int64")
        cells["neet"] = cells["neet"].astype("int64")
    cells.attrs.update(persons.attrs)
    return cells


def to_persons(cells: pd.DataFrame) -> pd.DataFrame:
    """Expand cell counts to one row per person (``neet2023`` = 1 for the first ``neet``
    persons of each cell). The inverse of :func:`to_cells` up to row order."""
    n = cells["n"].to_numpy().astype("int64")
    neet = cells["neet"].to_numpy().astype("int64")
    idx = np.repeat(np.arange(len(cells)), n)
    persons = cells[list(COVARIATES)].iloc[idx].reset_index(drop=True)
    # Position of each person within its cell: 0, 1, ..., n-1.
    starts = np.repeat(np.cumsum(n) - n, n)
    within = np.arange(len(idx)) - starts
    persons.insert(0, "neet2023", (within < np.repeat(neet, n)).astype("int8"))
    persons.attrs.update(cells.attrs)
    return persons
