"""Reading and checking GeoJSON boundary files (catalog schemas ``geojson_*``).

The boundary files in ``data/raw/`` (Kartverket's counties and municipalities on the 2024
structure) are snapshots like every other data file: hash-checked by the loader, then
validated here. :func:`parse_geojson` returns one row per feature with ``region_code``,
``region_name`` and ``geometry`` (the GeoJSON geometry dict, WGS84 longitude/latitude)
and raises :class:`~neethelpers.errors.DataError` naming the file, the feature, the
property and what is valid when something is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from neethelpers.data.schemas import GeoSpec
from neethelpers.errors import DataError
from neethelpers.registry import counties

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")


def _current_county_codes() -> list[str]:
    return [c.code for c in counties.current_counties()]


def _code_problem(rule: str, code: str) -> str | None:
    """What is wrong with ``code`` under ``rule`` (``None`` = fine)."""
    current = _current_county_codes()
    if rule == "current_county":
        return None if code in current else "a two-digit code of today's counties (" + ", ".join(current) + ")"
    if rule == "current_municipality":
        ok = len(code) == 4 and code.isdigit() and code[:2] in current
        return None if ok else "a four-digit municipality code whose first two digits are a current county"
    raise ValueError(f"unknown code rule {rule!r}")  # pragma: no cover - specs are fixed in schemas.py


def _check_ring(file, where: str, ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise DataError(file, f"{where}: a polygon ring needs at least 4 positions",
                        value=None if not isinstance(ring, list) else len(ring), expected="[[lon, lat], ...] closed")
    for pos in ring:
        if (not isinstance(pos, list) or len(pos) < 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos[:2])):
            raise DataError(file, f"{where}: position is not [longitude, latitude]", value=pos,
                            expected="two numbers")
        lon, lat = pos[0], pos[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise DataError(file, f"{where}: coordinate outside WGS84 longitude/latitude", value=pos,
                            expected="longitude −180…180, latitude −90…90 (EPSG:4326)")
    if ring[0][:2] != ring[-1][:2]:
        raise DataError(file, f"{where}: polygon ring is not closed", value=[ring[0], ring[-1]],
                        expected="first and last position equal")


def _check_geometry(file, where: str, geometry) -> None:
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
        raise DataError(file, f"{where}: unsupported geometry", column="geometry.type",
                        value=geometry.get("type") if isinstance(geometry, dict) else geometry,
                        expected=" or ".join(GEOMETRY_TYPES))
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise DataError(file, f"{where}: geometry has no coordinates", column="geometry.coordinates",
                        expected="a non-empty list of polygons")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise DataError(file, f"{where}: empty polygon", column="geometry.coordinates",
                            expected="an outer ring and optional holes")
        for ring in polygon:
            _check_ring(file, where, ring)


def parse_geojson(data: bytes, spec: GeoSpec, file: str | Path) -> pd.DataFrame:
    """Validate a GeoJSON FeatureCollection against ``spec``; one row per feature."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(file, f"not UTF-8 text (byte {exc.start})", expected="UTF-8 encoded GeoJSON") from None
    except json.JSONDecodeError as exc:
        raise DataError(file, f"not valid JSON ({exc.msg})", row=exc.lineno, expected="a GeoJSON FeatureCollection") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise DataError(file, "not a GeoJSON FeatureCollection", column="type",
                        value=doc.get("type") if isinstance(doc, dict) else type(doc).__name__,
                        expected='{"type": "FeatureCollection", "features": [...]}')
    rows = []
    seen: dict[str, int] = {}
    for i, feature in enumerate(doc["features"], start=1):
        where = f"feature {i}"
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise DataError(file, f"{where} has no properties", expected=f"properties with {spec.code_property!r} "
                            f"and {spec.name_property!r}")
        code, name = props.get(spec.code_property), props.get(spec.name_property)
        for prop, value in ((spec.code_property, code), (spec.name_property, name)):
            if not isinstance(value, str) or not value.strip():
                raise DataError(file, f"{where}: missing or empty property", column=prop, value=value,
                                expected="a non-empty text")
        problem = _code_problem(spec.code_rule, code)
        if problem:
            raise DataError(file, f"{where}: unknown region code", column=spec.code_property, value=code,
                            expected=problem)
        if code in seen:
            raise DataError(file, f"{where}: same code as feature {seen[code]}", column=spec.code_property,
                            value=code, expected="each region once")
        seen[code] = i
        _check_geometry(file, f"{where} ({code} {name})", feature.get("geometry"))
        rows.append({"region_code": code, "region_name": name,
                     "geometry": feature["geometry"]})
    if spec.code_rule == "current_county":
        missing = [c for c in _current_county_codes() if c not in seen]
        if missing:
            raise DataError(file, "counties missing", column=spec.code_property, value=", ".join(missing),
                            expected="every county of today's structure")
    if not rows:
        raise DataError(file, "no features", expected="at least one feature")
    return pd.DataFrame(rows, columns=["region_code", "region_name", "geometry"])
