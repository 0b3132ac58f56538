"""Error types that explain bad input in words a user can act on."""

from __future__ import annotations

from pathlib import Path


class NeetError(Exception):
    """Base class for every error this project raises on purpose."""


class DataError(NeetError):
    """Bad input data: names the file, the place in it, the value and what was expected."""

    def __init__(
        self,
        file: str | Path | None,
        problem: str,
        *,
        column: str | None = None,
        row: int | None = None,
        value: object = None,
        expected: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.problem = problem
        self.column = column
        self.row = row
        self.value = value
        self.expected = expected
        parts = [f"{self.file}: {problem}" if self.file else problem]
        if column is not None:
            parts.append(f"column {column!r}")
        if row is not None:
            parts.append(f"row {row}")
        if value is not None:
            parts.append(f"value {value!r}")
        if expected:
            parts.append(f"expected {expected}")
        super().__init__("; ".join(parts))


class UnknownCountyError(NeetError, ValueError):
    """A county name or code that the registry cannot resolve."""
