"""Municipality crosswalk: every municipality code of every year 2008–2024 → one 2024 county.

Why: SSB's register NEET figures exist per municipality for each year on that year's
municipal structure. Summing municipalities by the county they belong to *today*
puts all 17 years on the 2024 county borders exactly — no value is ever divided,
because a municipality (or its successor) lies wholly in one 2024 county.

How a code of year ``y`` is resolved (:func:`resolve_code`):

1. Follow the code forward through the county reforms that came after ``y``
   (1 Jan 2018, 2020 and 2024). At each reform the code either
   * is listed in ``data/raw/county_correspondence.csv`` as ending that year, and
     continues as its listed successor code(s) (merger, new number, or split); or
   * is not listed and still exists in the next structure (``unchanged code``).
2. The 2024 county is the first two digits of the resulting 2024 code(s). If the
   successors lie in more than one 2024 county, :class:`~neethelpers.errors.DataError`
   is raised: a split across counties is never guessed or apportioned.
3. A code that disappeared *between* reforms is not listed in the correspondence
   file. The municipality file shows four such years: 2012 (Mosvik + Inderøy →
   Inderøy 1756; Bjarkøy + Harstad → Harstad 1903), 2017 (Sandefjord, Andebu, Stokke →
   Sandefjord 0710) and 2019 (Rindal 1567, Møre og Romsdal → Rindal 5061, Trøndelag —
   a county move outside the reform years). Such a code continues as the one code that
   appeared in the year it vanished or, if several appeared and each lies in a county
   where a code vanished (changes inside counties only), as the new codes of its own
   county; if these do not identify exactly one 2024 county, it raises.

The whole-municipality county moves of 2020 (:data:`COUNTY_MOVES_2020`: Jevnaker,
Lunner, Rømskog, Svelvik, Hornindal, Halsa, Tjeldsund) appear in the correspondence
file as successions (e.g. "0711 Svelvik -> 3005", Drammen, in Viken; "3005 Drammen ->
3301" in Buskerud from 2024) and are resolved by step 1 like every other succession.

The correspondence file lists every municipality code that ended at a reform, with
its successor ("0101 Halden -> 3001"), in its ``note`` column.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from neethelpers import paths
from neethelpers.errors import DataError
from neethelpers.registry import counties

CORRESPONDENCE_ID = "county_correspondence"
MUNICIPALITY_ID = "ssb_13556_municipality"
#: First year of each new county structure (reforms on 1 January).
REFORMS: tuple[int, ...] = (2018, 2020, 2024)

#: Whole municipalities that changed county on 1 Jan 2020 (code valid 2008–2019 → name).
#: Rømskog (Østfold) joined Aurskog-Høland, which is in Akershus from 2024.
COUNTY_MOVES_2020: dict[str, str] = {
    "0532": "Jevnaker",
    "0533": "Lunner",
    "0121": "Rømskog",
    "0711": "Svelvik",
    "1444": "Hornindal",
    "1571": "Halsa",
    "1852": "Tjeldsund",
}

_PAIR = re.compile(r"(\d{4}) ([^;]+?) -> (\d{4})")
_PERIOD = re.compile(r"^(\d{4})->(\d{4})$")

METHOD_UNCHANGED = "uendret kode"
METHOD_SUCCESSION = "etterfølger i korrespondansefilen"
METHOD_BETWEEN = "endret mellom reformene (ny kode samme år)"


def _load(dataset_id: str) -> pd.DataFrame:
    """The validated raw table (catalog hash and schema checked by :func:`neethelpers.data.loader.load`)."""
    from neethelpers import data

    return data.load(dataset_id)


def _file(dataset_id: str) -> str:
    return str(paths.RAW_DIR / f"{dataset_id}.csv")


@lru_cache(maxsize=1)
def successions() -> pd.DataFrame:
    """Municipality successions parsed from the correspondence file's ``note`` column.

    One row per (reform, old code, new code): ``reform_year`` is the first year of the
    new structure, e.g. ``2020`` for "0101 Halden -> 3001" listed under ``2019->2020``.
    """
    raw = _load(CORRESPONDENCE_ID)
    rows = []
    for i, rec in raw.iterrows():
        if "Municipalities:" not in rec["note"]:
            continue
        m = _PERIOD.match(str(rec["period"]))
        if not m or int(m.group(2)) != int(m.group(1)) + 1 or int(m.group(2)) not in REFORMS:
            raise DataError(_file(CORRESPONDENCE_ID), "unexpected reform period", column="period",
                            row=int(i) + 2, value=rec["period"],
                            expected="'2017->2018', '2019->2020' or '2023->2024'")
        reform = int(m.group(2))
        listed = rec["note"].split("Municipalities:", 1)[1]
        pairs = _PAIR.findall(listed)
        if not pairs:
            raise DataError(_file(CORRESPONDENCE_ID), "no 'NNNN Name -> NNNN' pairs in note",
                            column="note", row=int(i) + 2, value=listed[:80])
        for old, name, new in pairs:
            rows.append({"reform_year": reform, "from_code": old, "from_name": name.strip(), "to_code": new})
    out = pd.DataFrame(rows).drop_duplicates().reset_index(drop=True)
    return out


@lru_cache(maxsize=1)
def municipality_years() -> pd.DataFrame:
    """Every (year, municipality code, name) in the municipality file."""
    m = _load(MUNICIPALITY_ID)
    out = (m[["year", "region_code", "region_name"]].drop_duplicates(["year", "region_code"])
           .rename(columns={"region_code": "municipality_code", "region_name": "municipality_name"}))
    out["year"] = out["year"].astype(int)
    return out.sort_values(["year", "municipality_code"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def _exists() -> dict[int, frozenset[str]]:
    my = municipality_years()
    return {int(y): frozenset(g["municipality_code"]) for y, g in my.groupby("year")}


@lru_cache(maxsize=1)
def _succ_map() -> dict[int, dict[str, frozenset[str]]]:
    out: dict[int, dict[str, set[str]]] = {r: {} for r in REFORMS}
    for rec in successions().itertuples(index=False):
        out[rec.reform_year].setdefault(rec.from_code, set()).add(rec.to_code)
    return {r: {k: frozenset(v) for k, v in d.items()} for r, d in out.items()}


def _forward(code: str, year: int) -> tuple[frozenset[str], str] | None:
    """The 2024 municipality code(s) that ``code`` (valid in ``year``) became, and the
    method; ``None`` if the code vanished between two reforms (merger inside a county)."""
    exists = _exists()
    succ = _succ_map()
    current = frozenset({code})
    method = METHOD_UNCHANGED
    for reform in REFORMS:
        if reform <= year:
            continue
        nxt: set[str] = set()
        for k in current:
            if k in succ[reform]:
                nxt |= succ[reform][k]
                method = METHOD_SUCCESSION
            elif k in exists.get(reform, ()):
                nxt.add(k)
            elif k in exists.get(reform - 1, ()):
                raise DataError(
                    _file(CORRESPONDENCE_ID),
                    f"municipality {k} existed in {reform - 1} but is neither listed as ending at the "
                    f"{reform} reform nor present in {reform}",
                    column="note", value=k, expected=f"a '{k} Name -> NNNN' entry for {reform - 1}->{reform}",
                )
            else:
                return None
        current = frozenset(nxt)
    return current, method


def _county_of_2024_codes(codes: frozenset[str], code: str, year: int) -> str:
    targets = {c[:2] for c in codes}
    if len(targets) != 1:
        raise DataError(
            _file(CORRESPONDENCE_ID),
            f"municipality {code} ({year}) was split across 2024 counties {sorted(targets)}; "
            "a split is never apportioned",
            column="note", value=code, expected="successors in exactly one 2024 county",
        )
    target = targets.pop()
    current = {c.code for c in counties.CURRENT_COUNTIES}
    if target not in current:
        raise DataError(_file(MUNICIPALITY_ID), f"2024 code of municipality {code} ({year}) is not in a current county",
                        column="region_code", value=sorted(codes), expected=f"county prefix in {sorted(current)}")
    return target


def _between_reforms(code: str, year: int) -> tuple[str, str]:
    """Resolve a code that vanished between two reforms, from the codes that appeared
    in the year it vanished (2012 Inderøy, Harstad; 2017 Sandefjord; 2019 Rindal)."""
    exists = _exists()
    last = max(y for y, codes in exists.items() if code in codes and y >= year)
    gone_in = last + 1
    appeared = sorted(exists.get(gone_in, frozenset()) - exists[last])
    vanished_counties = {c[:2] for c in exists[last] - exists.get(gone_in, frozenset())}
    if len(appeared) == 1:
        candidates = appeared
    elif all(c[:2] in vanished_counties for c in appeared):
        # several changes that year, each inside one county: the code continues in its county
        candidates = [c for c in appeared if c[:2] == code[:2]]
    else:
        # a new code in a county where no code vanished is a move across counties; with
        # several new codes it cannot be told which one this code became
        candidates = appeared
    targets = {resolve_code(c, gone_in)[0] for c in candidates}
    if len(targets) != 1:
        raise DataError(
            _file(MUNICIPALITY_ID),
            f"municipality {code} disappeared in {gone_in} (not a reform year) and the codes that "
            f"appeared that year {appeared} do not identify one 2024 county ({sorted(targets)})",
            column="region_code", value=code, expected="one new code, or new codes in one county",
        )
    return targets.pop(), METHOD_BETWEEN


def resolve_code(code: str, year: int) -> tuple[str, str]:
    """The 2024 county code of municipality ``code`` valid in ``year``, and the method used.

    Raises :class:`DataError` for a code not in the municipality file for that year and
    for a municipality whose successors lie in more than one 2024 county.
    """
    code = str(code).zfill(4)
    year = int(year)
    if code not in _exists().get(year, ()):
        raise DataError(_file(MUNICIPALITY_ID), f"municipality code not present in {year}",
                        column="region_code", value=code,
                        expected=f"a municipality code of {year} (see {MUNICIPALITY_ID})")
    fwd = _forward(code, year)
    if fwd is not None:
        return _county_of_2024_codes(fwd[0], code, year), fwd[1]
    return _between_reforms(code, year)


@lru_cache(maxsize=1)
def crosswalk() -> pd.DataFrame:
    """The full crosswalk: one row per (year, municipality code) in the municipality file.

    Columns: ``year``, ``municipality_code``, ``municipality_name``, ``county_code``
    (2024 county), ``county_name`` (canonical), ``method`` (Norwegian: how it was resolved).
    """
    my = municipality_years().copy()
    resolved = [resolve_code(c, y) for y, c in zip(my["year"], my["municipality_code"])]
    my["county_code"] = [r[0] for r in resolved]
    my["method"] = [r[1] for r in resolved]
    names = {c.code: c.name for c in counties.CURRENT_COUNTIES}
    my["county_name"] = my["county_code"].map(names)
    return my[["year", "municipality_code", "municipality_name", "county_code", "county_name", "method"]]


def county_of(code: str, year: int) -> str:
    """Shortcut: the 2024 county code of municipality ``code`` in ``year``."""
    return resolve_code(code, year)[0]
