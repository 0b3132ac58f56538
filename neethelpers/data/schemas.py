"""Table schemas for every file in the data catalog.

A :class:`TableSpec` says which columns a file has, how each is typed, which columns
identify a row (duplicate check), which region codes are valid, and carries a pandera
schema that the loader runs on the typed frame. The catalog names the spec of each
file in its ``schema`` field; :func:`spec_for` looks it up (or builds a ``generic``
spec from columns declared in the catalog entry, for curated files such as
``data/literature/``).

Column kinds:

``text``  string column; an empty cell is the empty string ``""`` (never NA), so
          ``df[df.sex == "Begge kjønn"]`` needs no NA handling.
``code``  like ``text`` but a code that must keep leading zeros (``"01"``, ``"0301"``).
``Int64`` nullable integer (``year``): empty cell -> ``<NA>``.
``float`` decimal number with a decimal point: empty cell -> ``NaN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import pandera.pandas as pa

from neethelpers.registry import counties

RAW_COLUMNS: tuple[str, ...] = (
    "year", "period", "region_code", "region_name", "sex", "age_group", "group",
    "indicator", "unit", "value", "value_text", "status", "note", "source_table", "source_url",
)

TEXT, CODE, INT, FLOAT = "text", "code", "Int64", "float"
# Aliases accepted in catalog ``columns:`` declarations of generic files.
_KIND_ALIASES = {"text": TEXT, "str": TEXT, "string": TEXT, "code": CODE, "int": INT, "Int64": INT,
                 "integer": INT, "float": FLOAT, "number": FLOAT}

# --- region code rules --------------------------------------------------------------

NATIONAL_CODES = frozenset({counties.NATIONAL_CODE})
#: SSB's "unknown / other" region in county tables (e.g. NAV's "Øvrige områder og ukjent").
UNKNOWN_REGION = "99"
ALL_COUNTY_CODES = frozenset(c.code for c in counties.COUNTIES)
_COUNTY_CODES_BY_YEAR: dict[int, frozenset[str]] = {}


def county_codes_in(year: int) -> frozenset[str]:
    """Codes of the counties that existed in ``year`` (cached)."""
    if year not in _COUNTY_CODES_BY_YEAR:
        _COUNTY_CODES_BY_YEAR[year] = frozenset(c.code for c in counties.counties_in(year))
    return _COUNTY_CODES_BY_YEAR[year]


@dataclass(frozen=True)
class RegionRule:
    """Which values of ``region_code`` a file may contain."""

    name: str
    expected: str  # words for error messages


REGION_RULES = {
    "any": RegionRule("any", "any code"),
    "national": RegionRule("national", "'0' (Hele landet)"),
    "county_any": RegionRule(
        "county_any",
        "'0' (Hele landet), '99' (unknown) or a two-digit SSB county code of any structure "
        f"({', '.join(sorted(ALL_COUNTY_CODES))})",
    ),
    "county_in_year": RegionRule(
        "county_in_year", "'0' or a two-digit SSB county code valid in that row's year"
    ),
    "municipality_in_year": RegionRule(
        "municipality_in_year",
        "a four-digit municipality code whose first two digits are a county valid in that row's year",
    ),
    "geo": RegionRule("geo", "a Eurostat geo code such as 'NO', 'SE', 'EU27_2020' or a NUTS code such as 'NO08'"),
    "ssb_region": RegionRule(
        "ssb_region", "'0' (Hele landet), '99', a two-digit SSB county code known to the registry, "
        "or a four-digit municipality code"),
    "county_code": RegionRule("county_code", "a two-digit SSB county code known to the county registry"),
    "county_pair": RegionRule("county_pair", "'AA->BB' with two county codes known to the registry"),
}

_GEO_RE = re.compile(r"^(?:[A-Z]{2}[0-9A-Z]{0,3}|EU\d{2}_\d{4}|EA\d{2}(?:_\d{4})?)$")
_PAIR_RE = re.compile(r"^(\d{2})->(\d{2})$")


def region_code_problem(rule: str, code: str, year) -> bool:
    """True when ``code`` breaks ``rule`` (``year`` may be ``None``/NA)."""
    if rule == "any":
        return False
    if rule == "national":
        return code not in NATIONAL_CODES
    if rule == "county_any":
        return not (code in NATIONAL_CODES or code == UNKNOWN_REGION or code in ALL_COUNTY_CODES)
    if rule == "county_code":
        return code not in ALL_COUNTY_CODES
    if rule == "county_pair":
        m = _PAIR_RE.match(code)
        return not (m and m.group(1) in ALL_COUNTY_CODES and m.group(2) in ALL_COUNTY_CODES)
    if rule == "geo":
        return not _GEO_RE.match(code)
    if rule == "ssb_region":
        return not (code in NATIONAL_CODES or code == UNKNOWN_REGION or code in ALL_COUNTY_CODES
                    or (len(code) == 4 and code.isdigit()))
    has_year = year is not None and year == year and str(year) not in ("", "<NA>")
    if rule == "county_in_year":
        if code in NATIONAL_CODES:
            return False
        if not has_year:
            return code not in ALL_COUNTY_CODES
        return code not in county_codes_in(int(year))
    if rule == "municipality_in_year":
        if not (len(code) == 4 and code.isdigit()):
            return True
        if not has_year:
            return code[:2] not in ALL_COUNTY_CODES
        return code[:2] not in county_codes_in(int(year))
    raise ValueError(f"unknown region rule {rule!r}")


# --- table specs ----------------------------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    """Everything the loader needs to parse and validate one kind of file."""

    name: str
    columns: dict[str, str]
    keys: tuple[str, ...]
    required: tuple[str, ...] = ()
    region_rule: str | None = None
    #: allowed values per text column (checked by pandera)
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: regex per text column (checked by pandera)
    patterns: dict[str, tuple[str, str]] = field(default_factory=dict)
    description: str = ""

    def __hash__(self) -> int:  # dict fields make the dataclass unhashable otherwise
        return hash(self.name)

    @cached_property
    def pandera_schema(self) -> pa.DataFrameSchema:
        cols = {}
        for name, kind in self.columns.items():
            checks = []
            if name in self.required:
                checks.append(pa.Check(lambda s: s != "", element_wise=False,
                                       error="a non-empty value"))
            if name in self.allowed:
                checks.append(pa.Check.isin(self.allowed[name],
                                            error="one of " + ", ".join(repr(v) for v in self.allowed[name])))
            if name in self.patterns:
                regex, words = self.patterns[name]
                checks.append(pa.Check.str_matches(regex, error=words))
            if name == "year" and kind == INT:
                checks.append(pa.Check.in_range(1990, 2100, error="a year between 1990 and 2100"))
            if kind == FLOAT:
                checks.append(pa.Check(lambda s: ~s.isin([float("inf"), float("-inf")]),
                                       element_wise=False, error="a finite number"))
            dtype = {TEXT: str, CODE: str, INT: "Int64", FLOAT: float}[kind]
            cols[name] = pa.Column(dtype, checks=checks, nullable=kind in (INT, FLOAT),
                                   required=True)
        return pa.DataFrameSchema(cols, strict=True, ordered=False, name=self.name)


RAW_KINDS = {c: TEXT for c in RAW_COLUMNS} | {"year": INT, "region_code": CODE, "value": FLOAT}
# A raw row is identified by what it measures, where, when and from which source table.
RAW_KEYS = ("period", "region_code", "sex", "age_group", "group", "indicator", "unit", "source_table")


def _raw(name: str, region_rule: str, description: str, **kw) -> TableSpec:
    return TableSpec(
        name=name,
        columns=dict(RAW_KINDS),
        keys=kw.pop("keys", RAW_KEYS),
        required=("period", "indicator", "unit", "source_table", "source_url"),
        region_rule=region_rule,
        patterns={"period": (r"^\S.*$", "a period such as '2024', '2011K1' or '2016-06-30'")},
        description=description,
        **kw,
    )


PUBLISHED_COLUMNS: dict[str, str] = {
    "figure_id": TEXT, "model": TEXT, "region_code": CODE, "region_name": TEXT, "variable": TEXT,
    "level": TEXT, "group": TEXT, "statistic": TEXT, "value": FLOAT, "unit": TEXT, "qualifier": TEXT,
    "status": TEXT, "section": TEXT, "lines": TEXT, "note": TEXT, "printed": TEXT, "decimals": INT,
}

QUALIFIERS = ("exact", "over", "about", "under", "at_least", "range")
PUBLISHED_STATUS = ("published", "contradiction")

SPECS: dict[str, TableSpec] = {
    s.name: s
    for s in (
        _raw("raw_long", "any", "raw long format, any region code"),
        _raw("raw_national", "national", "raw long format, national rows only (region_code '0')"),
        _raw("raw_county", "county_any",
             "raw long format; region codes '0', '99' or SSB county codes of any structure"),
        _raw("raw_county_in_year", "county_in_year",
             "raw long format; each row's county code valid in that row's year (own borders)"),
        _raw("raw_municipality", "municipality_in_year",
             "raw long format; four-digit municipality codes valid in that row's year"),
        _raw("raw_eurostat", "geo", "raw long format; Eurostat geo codes"),
        _raw("raw_ssb_api", "ssb_region",
             "raw long format from SSB's API; '0', county codes or four-digit municipality codes"),
        _raw("raw_county_codes", "county_code", "county code list"),
        _raw("raw_county_correspondence", "county_pair", "county correspondence 'AA->BB'"),
        TableSpec(
            name="published_figures",
            columns=dict(PUBLISHED_COLUMNS),
            keys=("figure_id", "model", "region_code", "variable", "level", "group", "statistic",
                  "qualifier", "status", "lines"),
            required=("figure_id", "variable", "statistic", "unit", "qualifier", "status", "section",
                      "lines", "printed"),
            region_rule="county_any",
            allowed={"qualifier": QUALIFIERS, "status": PUBLISHED_STATUS},
            patterns={"lines": (r"^\d+(?:[–-]\d+)?(?:;\s*\d+(?:[–-]\d+)?)*$",
                                "line numbers such as '1388' or '1010–1040; 1273'")},
            description="figures printed in the analysis note (seed 000), long format",
        ),
    )
}


@dataclass(frozen=True)
class GeoSpec:
    """A GeoJSON boundary file (kind ``geojson``): a FeatureCollection of Polygon or
    MultiPolygon features whose properties carry a region code and name.

    The loader returns one row per feature: ``region_code``, ``region_name`` and
    ``geometry`` (the GeoJSON geometry as a dict, WGS84 longitude/latitude).
    ``code_rule`` says which codes are valid: ``current_county`` (exactly the counties of
    today's structure, each once) or ``current_municipality`` (four digits whose first
    two are a current county).
    """

    name: str
    code_property: str
    name_property: str
    code_rule: str
    description: str = ""
    kind: str = "geojson"

    @property
    def columns(self) -> dict[str, str]:
        """The columns of the loaded frame (``geometry`` holds GeoJSON geometry dicts)."""
        return {"region_code": CODE, "region_name": TEXT, "geometry": "geojson"}


GEO_SPECS: dict[str, GeoSpec] = {
    s.name: s
    for s in (
        GeoSpec("geojson_counties", "fylkesnummer", "fylkesnavn", "current_county",
                "county boundaries (GeoJSON), today's counties, each exactly once"),
        GeoSpec("geojson_municipalities", "kommunenummer", "kommunenavn", "current_municipality",
                "municipality boundaries (GeoJSON), four-digit codes in today's counties"),
    )
}


def kind_of(text: str) -> str:
    try:
        return _KIND_ALIASES[str(text)]
    except KeyError:
        raise ValueError(f"unknown column kind {text!r}; use one of {', '.join(sorted(_KIND_ALIASES))}") from None


def generic_spec(dataset_id: str, entry: dict) -> TableSpec:
    """A spec for a curated file that declares its own columns in the catalog::

        schema: generic
        columns: {study: text, year: Int64, share: float}
        keys: [study, year]          # optional; default: all text/code columns
        required: [study]            # optional; columns that may not be empty
        region_rule: county_any      # optional; only if the file has region_code
    """
    declared = entry.get("columns")
    if not isinstance(declared, dict) or not declared:
        raise ValueError(f"catalog entry {dataset_id!r} uses schema 'generic' but declares no 'columns' mapping")
    columns = {str(k): kind_of(v) for k, v in declared.items()}
    keys = tuple(entry.get("keys") or [c for c, k in columns.items() if k in (TEXT, CODE)])
    required = tuple(entry.get("required") or ())
    for col in (*keys, *required):
        if col not in columns:
            raise ValueError(f"catalog entry {dataset_id!r}: key/required column {col!r} is not declared")
    rule = entry.get("region_rule")
    if rule is not None and rule not in REGION_RULES:
        raise ValueError(f"catalog entry {dataset_id!r}: unknown region_rule {rule!r}")
    return TableSpec(name=f"generic:{dataset_id}", columns=columns, keys=keys, required=required,
                     region_rule=rule if "region_code" in columns else None,
                     description=str(entry.get("title_en", "")))


_GENERIC_CACHE: dict[tuple, TableSpec] = {}


def spec_for(dataset_id: str, entry: dict) -> TableSpec | GeoSpec:
    """The spec named by a catalog entry's ``schema`` field (a :class:`GeoSpec` for the
    ``geojson_*`` schemas of boundary files)."""
    name = entry.get("schema")
    if name in GEO_SPECS:
        return GEO_SPECS[name]
    if name == "generic":
        cache_key = (dataset_id, repr(entry.get("columns")), repr(entry.get("keys")),
                     repr(entry.get("required")), entry.get("region_rule"))
        if cache_key not in _GENERIC_CACHE:
            _GENERIC_CACHE[cache_key] = generic_spec(dataset_id, entry)
        return _GENERIC_CACHE[cache_key]
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(
            f"catalog entry {dataset_id!r} names unknown schema {name!r}; "
            f"known: {', '.join(sorted([*SPECS, *GEO_SPECS]))}, generic"
        ) from None
