"""JSON-stat 2.0 datasets (SSB PxWebApi v2, Eurostat) as tidy DataFrames.

Values and dimensions are decoded by the maintained ``pyjstat`` library. pyjstat does
not return the per-cell ``status`` (Eurostat's ``b``/``u``/``p`` flags, SSB's ``..``/``:``)
nor codes and labels together, so this adapter adds them: pyjstat's rows follow the
dataset's row-major order, which is the flat index that ``status`` refers to.
"""

from __future__ import annotations

import json
import math
import warnings

import pandas as pd
from pyjstat import pyjstat


class JsonStatError(ValueError):
    """The document is not a JSON-stat 2.0 dataset this adapter understands."""


def _check(doc: dict) -> None:
    if not isinstance(doc, dict):
        raise JsonStatError("not a JSON object")
    if doc.get("class") != "dataset":
        raise JsonStatError(f"expected class 'dataset', got {doc.get('class')!r}")
    for key in ("id", "size", "dimension", "value"):
        if key not in doc:
            raise JsonStatError(f"missing {key!r}")
    if len(doc["id"]) != len(doc["size"]):
        raise JsonStatError("'id' and 'size' differ in length")
    for dim, size in zip(doc["id"], doc["size"]):
        cat = doc["dimension"].get(dim, {}).get("category", {})
        index = cat.get("index")
        count = len(index) if index is not None else len(cat.get("label", {}))
        if count != size:
            raise JsonStatError(f"dimension {dim!r} has {count} categories, 'size' says {size}")
    n = math.prod(doc["size"])
    values = doc["value"]
    if isinstance(values, list) and len(values) != n:
        raise JsonStatError(f"'value' has {len(values)} cells, 'size' implies {n}")


def _codes(cat: dict) -> list[str]:
    """Category codes in index order (``index`` may be a list, a mapping, or absent)."""
    index = cat.get("index")
    if index is None:
        return list(cat.get("label", {}))
    if isinstance(index, list):
        return [str(c) for c in index]
    return [str(c) for c, _ in sorted(index.items(), key=lambda kv: kv[1])]


def _status_list(doc: dict, n: int) -> list[str]:
    status = doc.get("status")
    if status is None:
        return [""] * n
    if isinstance(status, str):
        return [status] * n
    if isinstance(status, list):
        if len(status) == 1:
            return [status[0] or ""] * n
        return [s or "" for s in status]
    out = [""] * n
    for key, flag in status.items():
        out[int(key)] = flag or ""
    return out


def to_frame(doc: dict | str | bytes) -> pd.DataFrame:
    """A JSON-stat 2.0 dataset as one row per cell.

    Columns: one per dimension id holding the category *code*, ``<id>_label`` holding the
    category label, ``value`` (float, NaN where missing) and ``status`` (flag or ``""``).
    """
    if isinstance(doc, (str, bytes)):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise JsonStatError(f"not JSON ({exc})") from None
    _check(doc)
    n = math.prod(doc["size"])
    text = json.dumps(doc)
    with warnings.catch_warnings():
        # pyjstat 2.4 calls one of its own deprecated helpers internally.
        warnings.simplefilter("ignore", DeprecationWarning)
        by_id = pyjstat.Dataset.read(text).write("dataframe", naming="id")
    if len(by_id) != n:
        raise JsonStatError(f"decoded {len(by_id)} rows, expected {n}")
    out = pd.DataFrame(index=range(n))
    for dim in doc["id"]:
        cat = doc["dimension"][dim].get("category", {})
        codes = by_id[dim].astype(str).to_numpy()
        expected = _codes(cat)
        if set(codes) - set(expected):  # pragma: no cover - would be a pyjstat bug
            raise JsonStatError(f"dimension {dim!r}: decoded codes not in the category index")
        labels = cat.get("label", {})
        out[dim] = codes
        out[f"{dim}_label"] = [str(labels.get(c, c)) for c in codes]
    out["value"] = pd.to_numeric(by_id["value"], errors="coerce").astype("float64").to_numpy()
    out["status"] = _status_list(doc, n)
    return out
