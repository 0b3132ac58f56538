"""Disclosure control for results computed from real (register) data.

Rules, applied to every table and figure built from real microdata or microdata.no
exports before it is published (the synthetic cohort needs none):

1. **Primary suppression.** A row whose count of persons — in its own cell or in its
   denominator — is below ``threshold`` (default 5) has every value replaced by the marker
   ``"prikket (<5)"``: its counts, and every share, rate or coefficient computed from them.
2. **Secondary suppression** (optional, ``complement_by``): when a group of rows that adds
   up to a published total has exactly one suppressed row, the next smallest row of the
   group is suppressed too, so the hidden count cannot be recovered by subtraction.
3. **Rounding.** Counts that are shown are rounded to the nearest ``round_to`` (default
   10), as the analysis note does ("om lag 1 780"). Shares are computed from the unrounded
   counts before rounding.

:func:`suppress` returns a copy with ``object`` columns (numbers or the marker), so the
marker reaches both the HTML table and the CSV download; ``attrs["suppressed_rows"]``
says how many rows were hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_THRESHOLD", "DEFAULT_ROUND_TO", "marker", "suppress", "round_count", "is_safe",
           "unsafe_rows"]

DEFAULT_THRESHOLD = 5
DEFAULT_ROUND_TO = 10


def marker(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The Norwegian text shown instead of a suppressed value: ``"prikket (<5)"``."""
    return f"prikket (<{threshold})"


def is_safe(count, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Whether a count of persons may be published (``count >= threshold``; missing is unsafe)."""
    try:
        value = float(count)
    except (TypeError, ValueError):
        return False
    return not np.isnan(value) and value >= threshold


def round_count(value, round_to: int = DEFAULT_ROUND_TO):
    """Round a count to the nearest ``round_to`` (halves away from zero); missing stays missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return value
    if round_to <= 1:
        return int(round(float(value)))
    return int(np.floor(float(value) / round_to + 0.5) * round_to)


def _as_list(cols) -> list[str]:
    if cols is None:
        return []
    if isinstance(cols, str):
        return [cols]
    return list(cols)


def unsafe_rows(table: pd.DataFrame, count_cols: Sequence[str] | str, threshold: int = DEFAULT_THRESHOLD,
                denominator_cols: Sequence[str] | str = ()) -> pd.Series:
    """Boolean Series: rows with any count or denominator below ``threshold`` (or missing)."""
    cols = _as_list(count_cols) + _as_list(denominator_cols)
    missing = [c for c in cols if c not in table.columns]
    if missing:
        raise KeyError(f"count column(s) not in the table: {', '.join(missing)}")
    unsafe = pd.Series(False, index=table.index)
    for col in cols:
        values = pd.to_numeric(table[col], errors="coerce")
        unsafe |= values.isna() | (values < threshold)
    return unsafe


def suppress(
    table: pd.DataFrame,
    count_cols: Sequence[str] | str,
    threshold: int = DEFAULT_THRESHOLD,
    round_to: int = DEFAULT_ROUND_TO,
    *,
    denominator_cols: Sequence[str] | str = (),
    value_cols: Iterable[str] | None = None,
    complement_by: Sequence[str] | str | None = None,
    label_cols: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Suppress and round a table computed from real data.

    ``count_cols`` hold numbers of persons in each row's cell, ``denominator_cols`` the
    numbers of persons the row's shares are computed over; a row is suppressed when any of
    them is below ``threshold``. ``value_cols`` (default: every numeric column) are hidden in
    suppressed rows; ``label_cols`` (default: the non-numeric columns) are kept. Counts of the
    remaining rows (``count_cols`` and ``denominator_cols``) are rounded to ``round_to``.
    With ``complement_by`` (grouping columns), a group with exactly one suppressed row gets
    its smallest other row suppressed as well.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    counts = _as_list(count_cols)
    denominators = _as_list(denominator_cols)
    unsafe = unsafe_rows(table, counts, threshold, denominators)
    if complement_by is not None:
        unsafe = _complement(table, unsafe, _as_list(complement_by), counts[0] if counts else None)
    if value_cols is None:
        value_cols = [c for c in table.columns if pd.api.types.is_numeric_dtype(table[c])
                      or c in counts or c in denominators]
    value_cols = list(dict.fromkeys([*value_cols, *counts, *denominators]))
    if label_cols is not None:
        value_cols = [c for c in value_cols if c not in set(label_cols)]
    mark = marker(threshold)
    out = table.copy()
    for col in value_cols:
        values = out[col]
        if col in counts or col in denominators:
            values = values.map(lambda v: round_count(v, round_to) if pd.notna(v) else v)
        out[col] = values.astype(object).where(~unsafe, mark)
    out.attrs = dict(table.attrs)
    out.attrs["suppressed_rows"] = int(unsafe.sum())
    out.attrs["disclosure"] = {"threshold": threshold, "round_to": round_to}
    return out


def _complement(table: pd.DataFrame, unsafe: pd.Series, by: list[str], count_col: str | None) -> pd.Series:
    unsafe = unsafe.copy()
    if count_col is None:
        return unsafe
    for _, group in table.groupby(by, dropna=False, sort=False):
        idx = list(group.index)
        hidden = [i for i in idx if unsafe[i]]
        if len(hidden) == 1 and len(idx) > 1:
            rest = table.loc[[i for i in idx if not unsafe[i]], count_col]
            rest = pd.to_numeric(rest, errors="coerce")
            if not rest.empty:
                unsafe[rest.idxmin()] = True
    return unsafe
