"""Load the project's data files: hash-checked, typed and validated.

Every chapter reads data through :func:`load`::

    from neethelpers import data
    df = data.load("ssb_13556_municipality")
    caption_source = data.source_of("ssb_13556_municipality")

``load`` finds the file in ``data/catalog.yml``, checks its sha256 against the catalog,
parses it with explicit dtypes (codes stay strings with leading zeros, ``year`` is a
nullable ``Int64``, ``value`` a float), runs the file's checks (region codes, duplicate
rows, numbers) and its pandera schema, and raises :class:`~neethelpers.errors.DataError`
naming the file, row (= line number in the file, header = line 1), column, value and
what was expected. Parsed frames are cached in-process while the file is unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from neethelpers import paths
from neethelpers.data import catalog
from neethelpers.data.schemas import FLOAT, INT, REGION_RULES, GeoSpec, TableSpec, region_code_problem, spec_for
from neethelpers.errors import DataError
from neethelpers.presentation import fmt

__all__ = [
    "load", "datasets", "catalog_entry", "source_of", "path_of", "verify", "verify_all",
    "parse_bytes", "clear_cache",
]

# dataset id -> (cache key, frame)
_frames: dict[str, tuple[tuple, pd.DataFrame]] = {}
# (spec, sha256 of the bytes) -> validated frame: the same bytes under the same spec always
# give the same frame, so `verify`, a reload after `clear_cache` or a test's copy of the data
# folder validates each content once per process (validation is most of a file's cost). Never
# stale, since the key is the content; bounded, since content that was edited away is garbage.
_parsed: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_PARSED_MAX = 64

_DECIMAL_COMMA = re.compile(r"^\s*[-−+]?\d{1,3}(?:[ \u00a0.]\d{3})*,\d+\s*$|^\s*[-−+]?\d+,\d+\s*$")
_THOUSANDS_SPACE = re.compile(r"^\s*[-+]?\d{1,3}(?:[ \u00a0]\d{3})+\s*$")

# Publisher abbreviations used in the source line of captions.
_SHORT_PUBLISHER = {
    "Statistisk sentralbyrå": "SSB", "Statistics Norway": "SSB", "Eurostat": "Eurostat",
    "Arbeids- og velferdsetaten": "NAV", "NAV": "NAV",
}


def clear_cache() -> None:
    """Forget parsed frames (tests that edit files call this; normal use never needs it)."""
    _frames.clear()
    catalog.clear_cache()


def datasets() -> list[str]:
    """All dataset ids in the catalog, in catalog order."""
    return list(catalog.load_catalog())


def catalog_entry(dataset_id: str) -> dict:
    """A copy of the catalog entry of ``dataset_id`` (title, source, dates, caveats, ...)."""
    entry = catalog.entry(dataset_id)
    return {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
            for k, v in entry.items()}


def path_of(dataset_id: str) -> Path:
    return catalog.file_of(catalog.entry(dataset_id))


def source_of(dataset_id: str) -> str:
    """A short Norwegian source line for captions, e.g.
    ``"Kilde: SSB, tabell 13556 (hentet 4. november 2025)"``.

    A catalog entry may give ``source_line`` to override the generated text.
    """
    entry = catalog.entry(dataset_id)
    if entry.get("source_line"):
        return str(entry["source_line"])
    publisher = str(entry["publisher"])
    short = _SHORT_PUBLISHER.get(publisher, publisher)
    parts = [short]
    table = entry.get("table_id")
    if table:
        parts.append(f"tabell {table}")
    text = "Kilde: " + ", ".join(parts)
    if entry.get("retrieved"):
        text += f" (hentet {fmt.date(entry['retrieved'])})"
    elif entry.get("published"):
        text += f" (publisert {fmt.date(entry['published'])})"
    return text


# --- parsing -----------------------------------------------------------------------------


def _looks_like_ssb_semicolon(header_line: str) -> bool:
    return header_line.count(";") >= 1 and header_line.count(";") >= header_line.count(",")


def _semicolon_error(file, header_line: str) -> DataError:
    return DataError(
        file,
        "looks like a semicolon-separated SSB export with decimal commas; convert it to the "
        "comma-separated long format with a decimal point (use `neet data refresh TABLE` to fetch "
        "the table from SSB's API instead of a StatBank download)",
        row=1, value=header_line[:80],
        expected="a comma-separated header",
    )


def _split_header(file, text_head: str, spec: TableSpec) -> list[str]:
    first = text_head.splitlines()[0] if text_head else ""
    if not first.strip():
        raise DataError(file, "file is empty", row=1, expected="a header line: " + ",".join(spec.columns))
    header = next(csv.reader([first]))
    missing = [c for c in spec.columns if c not in header]
    if missing and _looks_like_ssb_semicolon(first):
        raise _semicolon_error(file, first)
    if missing:
        raise DataError(file, "missing column(s)", column=", ".join(missing), row=1,
                        expected="columns " + ", ".join(spec.columns))
    extra = [c for c in header if c not in spec.columns]
    if extra:
        raise DataError(file, "unexpected column(s)", column=", ".join(extra), row=1,
                        expected="only columns " + ", ".join(spec.columns))
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        raise DataError(file, "column appears more than once", column=", ".join(dupes), row=1)
    return header


def _line(index) -> int:
    """File line number of a frame row (header is line 1)."""
    return int(index) + 2


def _to_float(file, col: str, s: pd.Series) -> pd.Series:
    stripped = s.str.strip()
    num = pd.to_numeric(stripped.where(stripped != "", None), errors="coerce")
    bad = num.isna() & (stripped != "")
    if bad.any():
        idx = bad.idxmax()
        val = s.loc[idx]
        if _DECIMAL_COMMA.match(val):
            raise DataError(
                file, "decimal comma in a number; this looks like an SSB export with decimal commas — "
                "convert numbers to a decimal point (9,9 -> 9.9)",
                column=col, row=_line(idx), value=val, expected="a number with a decimal point, e.g. 9.9",
            )
        if _THOUSANDS_SPACE.match(val):
            raise DataError(file, "thousands separator inside a number", column=col, row=_line(idx),
                            value=val, expected="digits without spaces, e.g. 15180")
        raise DataError(file, "not a number", column=col, row=_line(idx), value=val,
                        expected="a number with a decimal point, or an empty cell")
    return num.astype("float64")


def _to_int(file, col: str, s: pd.Series) -> pd.Series:
    stripped = s.str.strip()
    ok = stripped.str.fullmatch(r"-?\d+") | (stripped == "")
    if not ok.all():
        idx = (~ok).idxmax()
        raise DataError(file, "not a whole number", column=col, row=_line(idx), value=s.loc[idx],
                        expected="digits such as 2024, or an empty cell")
    return pd.array(pd.to_numeric(stripped.where(stripped != "", None)), dtype="Int64")


def _typed(file, raw: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    out = {}
    for col, kind in spec.columns.items():
        s = raw[col]
        if kind == FLOAT:
            out[col] = _to_float(file, col, s)
        elif kind == INT:
            out[col] = _to_int(file, col, s)
        else:
            out[col] = s
    return pd.DataFrame(out, index=raw.index)


def _check_regions(file, df: pd.DataFrame, spec: TableSpec) -> None:
    rule = spec.region_rule
    if not rule or rule == "any" or "region_code" not in df.columns:
        return
    years = df["year"] if "year" in df.columns else pd.Series([None] * len(df), index=df.index)
    # Check each distinct (code, year) once: fast on the 13 822-row municipality file.
    pairs = pd.DataFrame({"code": df["region_code"], "year": years}).drop_duplicates()
    for idx, code, year in zip(pairs.index, pairs["code"], pairs["year"]):
        if code == "" and rule == "county_any":
            continue  # a row about no particular region (e.g. a total that SSB labels without a code)
        if region_code_problem(rule, code, year):
            where = f" in {int(year)}" if year is not None and not pd.isna(year) else ""
            raise DataError(file, f"unknown region code{where}", column="region_code", row=_line(idx),
                            value=code, expected=REGION_RULES[rule].expected)


def _short(value, width: int = 60):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _check_duplicates(file, df: pd.DataFrame, spec: TableSpec) -> None:
    keys = [k for k in spec.keys if k in df.columns]
    if not keys:
        return
    dup = df.duplicated(keys, keep="first")
    if dup.any():
        idx = dup.idxmax()
        key_vals = df.loc[idx, keys]
        first = df.index[(df[keys] == key_vals).all(axis=1)][0]
        shown = {k: _short(v) for k, v in key_vals.items() if not (isinstance(v, str) and v == "")}
        raise DataError(
            file, f"duplicate row: same key as row {_line(first)}", row=_line(idx), column=", ".join(keys),
            value=shown, expected="one row per key (" + ", ".join(keys) + ")",
        )


def _pandera(file, df: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    try:
        return spec.pandera_schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        row = fc.iloc[0]
        idx = row.get("index")
        raise DataError(
            file, f"fails schema {spec.name!r} ({len(fc)} problem(s))",
            column=None if pd.isna(row.get("column")) else str(row.get("column")),
            row=None if idx is None or pd.isna(idx) else _line(idx),
            value=row.get("failure_case"), expected=str(row.get("check")),
        ) from None
    except pa.errors.SchemaError as exc:  # pragma: no cover - lazy=True normally aggregates
        raise DataError(file, f"fails schema {spec.name!r}: {exc}") from None


def parse_bytes(data: bytes, spec: TableSpec | GeoSpec, file: str | Path) -> pd.DataFrame:
    """Parse and validate file content (no hash check). Used by :func:`load`, by ``verify``
    and by ``refresh`` to validate a new snapshot *before* it is written. Content validated
    before under the same spec is not validated again (a problem is always reported: only
    frames that passed are remembered)."""
    key = (spec, hashlib.sha256(data).digest())
    frame = _parsed.get(key)
    if frame is None:
        frame = _parse(data, spec, file)
        _parsed[key] = frame
        if len(_parsed) > _PARSED_MAX:
            _parsed.popitem(last=False)
    else:
        _parsed.move_to_end(key)
    return frame.copy(deep=False)


def _parse(data: bytes, spec: TableSpec | GeoSpec, file: str | Path) -> pd.DataFrame:
    if isinstance(spec, GeoSpec):
        from neethelpers.data.geojson import parse_geojson

        return parse_geojson(data, spec, file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[:200].decode("latin-1")
        if _looks_like_ssb_semicolon(head.splitlines()[0] if head else ""):
            raise _semicolon_error(file, head.splitlines()[0]) from None
        raise DataError(file, f"not UTF-8 text (byte {exc.start})", expected="UTF-8 encoded CSV") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    _split_header(file, text[:4096], spec)
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                          engine="c")
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise DataError(file, f"malformed CSV ({exc})", row=int(m.group(1)) if m else None,
                        expected=f"{len(spec.columns)} comma-separated fields per line") from None
    raw = raw[list(spec.columns)]
    df = _pandera(file, _typed(file, raw, spec), spec)
    _check_regions(file, df, spec)
    _check_duplicates(file, df, spec)
    return df


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


def _read_checked(dataset_id: str, check_hash: bool = True) -> tuple[tuple, pd.DataFrame]:
    entry = catalog.entry(dataset_id)
    path = catalog.file_of(entry)
    shown = _display_path(path)
    if not path.exists():
        raise DataError(shown, "data file listed in the catalog does not exist",
                        expected=f"the file named in catalog entry {dataset_id!r}")
    st = path.stat()
    key = (st.st_mtime_ns, st.st_size, entry["sha256"], entry["schema"])
    data = path.read_bytes()
    if check_hash and entry["sha256"] == catalog.PENDING:
        raise DataError(shown, "no sha256 recorded in data/catalog.yml yet",
                        expected=f"a hash: run `neet data rehash {dataset_id}` after checking the file")
    if check_hash:
        actual = catalog.sha256_bytes(data)
        if actual != entry["sha256"]:
            hint = ("raw snapshots are immutable: restore the file from git, or add a new snapshot "
                    "with `neet data refresh`" if catalog.is_raw(entry)
                    else f"if the edit is intended, run `neet data rehash {dataset_id}`")
            raise DataError(
                shown, f"sha256 differs from data/catalog.yml — the file was changed or corrupted; {hint}",
                value=actual, expected=entry["sha256"],
            )
    try:
        spec = spec_for(dataset_id, entry)
    except ValueError as exc:
        raise DataError(_display_path(catalog.catalog_path()), str(exc)) from None
    return key, parse_bytes(data, spec, shown)


def _record_read(path: Path) -> None:
    """Tell the incremental build which files a notebook run read (no-op outside a build)."""
    try:
        from neethelpers.data import readlog
    except ImportError:  # pragma: no cover - readlog belongs to the build machinery
        return
    readlog.record(path)
    readlog.record(catalog.catalog_path())


def load(dataset_id: str) -> pd.DataFrame:
    """The validated DataFrame of one catalog dataset.

    Raises :class:`DataError` if the id is unknown, the file is missing, its sha256 differs
    from the catalog, or any row breaks the file's schema. The returned frame is a cheap
    copy (pandas copy-on-write): modifying it never changes the cached frame.
    """
    entry = catalog.entry(dataset_id)
    path = catalog.file_of(entry)
    _record_read(path)
    hit = _frames.get(dataset_id)
    if hit is not None and path.exists():
        st = path.stat()
        if hit[0] == (st.st_mtime_ns, st.st_size, entry["sha256"], entry["schema"]):
            return hit[1].copy(deep=False)
    key, df = _read_checked(dataset_id)
    _frames[dataset_id] = (key, df)
    return df.copy(deep=False)


def verify(dataset_id: str) -> None:
    """Check one dataset's hash and schema from disk (ignores the cache); raises DataError."""
    key, df = _read_checked(dataset_id)
    _frames[dataset_id] = (key, df)


def verify_all() -> dict[str, DataError | None]:
    """``{id: None}`` for every valid dataset, ``{id: DataError}`` for each failure."""
    results: dict[str, DataError | None] = {}
    for dataset_id in datasets():
        try:
            verify(dataset_id)
            results[dataset_id] = None
        except DataError as exc:
            results[dataset_id] = exc
    return results
