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
weight         optional frequency weight: the number of persons the row stands for   1, 2, 3 …
=============  ===================================================================  ==========

**Cell counts** — what microdata.no can export without person-level data: the covariate
columns above (every column except ``neet2023`` and ``weight``) plus

============  ==============================================  ===================================
n             number of persons with this combination          whole number ≥ 0
neet          number of them who are long-term NEET            whole number, 0 ≤ neet ≤ n
persons       optional: number of person records (rows)        whole number, 0 ≤ persons ≤ n
neet_persons  optional: records with ``neet2023`` = 1          whole number ≤ neet and ≤ persons
============  ==============================================  ===================================

One row per combination of covariates (a combination may not appear twice). ``persons``
and ``neet_persons`` differ from ``n`` and ``neet`` only for weighted person data;
disclosure control counts records. ``neet microdata cells`` writes all four.

The kind of file is detected from its columns: ``neet2023`` means person-level,
``n`` and ``neet`` mean cell counts. The column ``grunnbeløp`` (with ø) and ``kjønn`` are
accepted as spellings of ``grunnbelop`` and ``kjonn``; column names are not case sensitive.

Files of any size are read once, streamed, validated and reduced to cell counts by
:mod:`.cells` (DuckDB); the book only ever sees the cells.

Everything else is refused with a :class:`~neethelpers.errors.DataError` in one line that
names the file, the column, at most a few offending values and the first row holding one
(the file's line number for CSV, header = 1; the 1-based row for Parquet), and what would
be valid:

* a missing column, an unknown column, or the same column twice;
* a code outside the valid values above (for instance ``kjonn`` = 0 or ``alder`` = 31),
  an empty cell in any column except ``grunnbelop``, or a county code that is not one of
  today's counties (Viken, Vestfold og Telemark and Troms og Finnmark are refused with an
  explanation: recode to the 2024 counties);
* inconsistent definitions: ``innvandrer`` 1 or 2 with ``innvandrerb`` 0, or
  ``dropout`` = 1 below age 18;
* decimal commas (``0,5``) and semicolon-separated files (typical of spreadsheet and
  StatBank exports) — save as comma-separated with a decimal point;
* numbers that are not finite (``inf``, ``1e400``, ``nan`` in a count) or larger than
  10⁹ in a count or weight;
* a ``weight`` that is not a positive whole number (it is a frequency weight);
* an empty file, a header without data rows, a file with no persons (every ``n`` = 0),
  a directory, or a file that is not CSV/Parquet at all (refused after its first bytes
  or rows, with bounded memory);
* in cell counts: ``neet`` greater than ``n`` (or ``persons`` than ``n``), negative or
  fractional counts, or the same combination twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from neethelpers.errors import DataError

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
OPTIONAL_CELL_COLUMNS = ("persons", "neet_persons")

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


@dataclass(frozen=True)
class InputData:
    """Validated input as cell counts: ``kind`` is what the user gave (``"persons"`` or
    ``"cells"``), ``frame`` the cells (columns of :data:`.cells.OUTPUT_COLUMNS`),
    ``source`` the file read (``None`` for generated data), ``name`` and ``sha256`` the
    original file's name and content hash (kept when the build passes its cached cells)."""

    kind: Literal["persons", "cells"]
    frame: pd.DataFrame
    source: Path | None = None
    name: str | None = None
    sha256: str | None = None
    records: int | None = None

    @property
    def synthetic(self) -> bool:
        return bool(self.frame.attrs.get("synthetic", False))

    def cells(self) -> pd.DataFrame:
        """The data as cell counts."""
        return self.frame

    @property
    def n_persons(self) -> int:
        return int(self.frame["n"].sum())


def _codes_text(allowed) -> str:
    allowed = tuple(allowed)
    if len(allowed) > 4 and allowed == tuple(range(allowed[0], allowed[-1] + 1)):
        return f"{allowed[0]}–{allowed[-1]}"
    return ", ".join(map(str, allowed))


def detect_kind(columns, file=None) -> Literal["persons", "cells"]:
    """``"persons"`` if there is a ``neet2023`` column, ``"cells"`` if there are ``n`` and
    ``neet``; anything else is a :class:`DataError`."""
    from neethelpers.microdata.cells import shown

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
    names = [str(c) for c in columns]
    listed = str(shown(names, len(names))).replace("'", "") if names else None
    raise DataError(
        file, "cannot tell whether this is person-level data or cell counts",
        column=listed,
        expected="a column neet2023 (person-level: " + ", ".join(PERSON_COLUMNS)
        + ") or columns n and neet (cell counts: " + ", ".join(CELL_COLUMNS) + ")",
    )


def _input(result) -> InputData:
    return InputData(result.kind, result.frame, result.source, result.name, result.sha256, result.records)


def read_input(path: str | Path, kind: Literal["persons", "cells"] | None = None, *,
               memory_limit: str | None = None) -> InputData:
    """Read, validate and aggregate a person-level or cell-count file (CSV or Parquet)
    with :func:`.cells.aggregate`; the result holds cell counts whatever the input was.

    The kind is detected from the columns unless given. Raises :class:`DataError` on any
    of the problems listed in this module's docstring.
    """
    from neethelpers.microdata import cells

    return _input(cells.aggregate(path, kind=kind, memory_limit=memory_limit))


def validate(raw: pd.DataFrame, kind: Literal["persons", "cells"] | None = None, file=None) -> pd.DataFrame:
    """Check columns, codes and consistency of a frame in memory with the engine of
    :func:`read_input` (:func:`.cells.from_frame`). Returns typed cell counts for cells,
    and for person-level rows the rows themselves, typed (:func:`.cells.typed_persons`).
    Attributes (``attrs``) are kept."""
    from neethelpers.microdata import cells

    result = cells.from_frame(raw, kind, file=file)
    return result.frame if result.kind == "cells" else cells.typed_persons(raw)


def to_cells(persons: pd.DataFrame) -> pd.DataFrame:
    """Aggregate person-level rows to cell counts (:func:`.cells.from_frame`): one row per
    observed combination of :data:`COVARIATES` with ``n`` persons (the sum of the
    frequency weights), ``neet`` long-term NEETs and the record counts ``persons`` and
    ``neet_persons``."""
    from neethelpers.microdata import cells

    return cells.from_frame(persons, "persons").frame


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
