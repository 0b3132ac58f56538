"""The analysis note's descriptive register tables, recomputed from microdata.

The note's findings rest on descriptive tables as much as on its models: the risk profile
of long-term NEETs against everyone else (Table 1, in prose in chapter 3), the long-term
NEET share by age and household income (Figure 2), long-term NEET shares by sex (Table 3)
and by immigrant status (Table 4), and the shares of long-term NEETs who left upper
secondary or lack work experience (Figure 1). This module recomputes all of them from the
regression chapter's inputs (:mod:`.schema`) for the whole country or any county.

**One code path.** Every computation runs on cell counts (``n`` persons and ``neet``
long-term NEETs per combination of covariates). Person-level data are first aggregated
to cells (:func:`as_cells`), so the two give identical results
(``tests/test_descriptive.py`` proves it on random persons). Every covariate is
categorical, so nothing is lost: every share in these tables is a ratio of sums of cell
counts.

**Counts travel with every share.** Each table holds the numerator and the denominator of
every share it shows (columns listed in :data:`SPECS`), so disclosure control can act on
them (:func:`protect`): with real data every published share and count must rest on at
least ``threshold`` persons (default 5) in its cell *and* in its denominator, and the
complement (denominator − numerator) must reach the threshold too, since a share of
98 % in a group of 100 reveals a cell of 2; smaller cells are suppressed (``NaN`` in the
frame, listed in the column ``suppressed``). Counts are rounded and shares computed from
the rounded counts at one decimal, by the package's one disclosure engine
(:mod:`.disclosure`, whose docstring says why this, and not secondary suppression, is what
protects a suppressed cell against recovery by subtraction).

With a frequency ``weight`` (person-level data) or a ``persons`` column (cell counts),
shares and counts are weighted, and the disclosure checks use the number of persons
behind each figure (:func:`.disclosure.person_counts`).

**Definitions** (the note's, chapter 3 and 4.1; codes as in :mod:`.schema`):

* long-term NEET (L-NEET): ``neet2023`` = 1 (``neet`` in cell counts); "others" are all
  other 15–29-year-olds;
* risk factors (:data:`FACTORS`): dropout (``dropout`` = 1), no work experience
  (``tidlarb`` = 0), child welfare (``barnevern`` = 1), health benefit (``allhelse`` = 1),
  immigrant background (``innvandrerb`` = 1), low social background (``sosbakgr`` = 3),
  household income ≤ 2 G (``grunnbelop`` = 1, *among those living with a parent*, i.e.
  with ``grunnbelop`` not empty); parents with higher education (``sosbakgr`` = 1) is
  added because the note compares with it;
* Table 4's "immigrants" are category B (``innvandrer`` = 1) and its "rest of the
  population" everyone else, including Norwegian-born to immigrant parents — the
  definition the synthetic cohort is calibrated to;
* Figure 2's groups are those living with a parent, by household income.

Results carry ``synthetic`` (from the input's ``attrs``) so the chapter can label them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from neethelpers import paths
from neethelpers.errors import DataError
from neethelpers.microdata import disclosure, schema
from neethelpers.registry import counties

__all__ = [
    "SYNTHETIC", "FACTORS", "INCOME_GROUPS", "AGE_GROUPS", "SEX_GROUPS", "IMMIGRANT_GROUPS", "SPECS",
    "TableSpec", "DescriptiveResult", "load_source", "as_cells", "region_of", "compute", "compute_all",
    "protect", "compare_with_published", "county_overview", "suppressed_cells",
]

SYNTHETIC = "synthetic"
AGES = tuple(range(15, 30))

# key, Norwegian label, variable, value that has the factor, restricted to those living with a parent
FACTORS: tuple[tuple[str, str, str, int, bool], ...] = (
    ("dropout", "Droppet ut av videregående (dropout = 1)", "dropout", 1, False),
    ("no_work", "Ingen arbeidserfaring (tidlarb = 0)", "tidlarb", 0, False),
    ("barnevern", "Barnevernstiltak (barnevern = 1)", "barnevern", 1, False),
    ("allhelse", "Mottar helserelatert ytelse (allhelse = 1)", "allhelse", 1, False),
    ("innvandrerb", "Innvandrerbakgrunn (innvandrerb = 1)", "innvandrerb", 1, False),
    ("low_social", "Foreldre med bare grunnskole (sosbakgr = 3)", "sosbakgr", 3, False),
    ("low_income", "Husholdningsinntekt ≤ 2 G (grunnbeløp = 1), blant dem som bor med en forelder",
     "grunnbelop", 1, True),
    ("high_social", "Foreldre med høyere utdanning (sosbakgr = 1)", "sosbakgr", 1, False),
)
# key, Norwegian label, grunnbelop codes included (0 = not living with a parent)
INCOME_GROUPS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("low", "Husholdningsinntekt ≤ 2 G", (1,)),
    ("middle", "Husholdningsinntekt 2–4 G", (2,)),
    ("high", "Husholdningsinntekt over 4 G", (3,)),
    ("with_parent", "Alle som bor med en forelder", (1, 2, 3)),
    ("not_with_parent", "Bor ikke med en forelder", (0,)),
    ("all", "Alle", (0, 1, 2, 3)),
)
AGE_GROUPS: tuple[tuple[str, str, int, int], ...] = (
    ("15-19", "15–19 år", 15, 19), ("20-24", "20–24 år", 20, 24), ("25-29", "25–29 år", 25, 29),
    ("15-24", "15–24 år", 15, 24), ("15-29", "15–29 år", 15, 29),
)
SEX_GROUPS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("all", "Alle", (1, 2)), ("women", "Kvinner", (2,)), ("men", "Menn", (1,)),
)
# key, Norwegian label, column, codes
IMMIGRANT_GROUPS: tuple[tuple[str, str, str, tuple[int, ...]], ...] = (
    ("innvandrer_1", "Innvandrere (innvandrer = 1)", "innvandrer", (1,)),
    ("innvandrer_2", "Norskfødte med innvandrerforeldre (innvandrer = 2)", "innvandrer", (2,)),
    ("innvandrer_0", "Øvrige (innvandrer = 0)", "innvandrer", (0,)),
    ("rest", "Alle unntatt innvandrere (tabell 4s «øvrig befolkning»)", "innvandrer", (0, 2)),
    ("innvandrerb_1", "Med innvandrerbakgrunn (innvandrerb = 1)", "innvandrerb", (1,)),
    ("innvandrerb_0", "Uten innvandrerbakgrunn (innvandrerb = 0)", "innvandrerb", (0,)),
)


@dataclass(frozen=True)
class TableSpec:
    """Which columns of a result table are shares (with their numerator and denominator
    columns), plain counts, and values derived from shares (a ratio)."""

    keys: tuple[str, ...]
    shares: tuple[tuple[str, str, str], ...]  # (share, numerator, denominator)
    counts: tuple[str, ...]
    derived: tuple[tuple[str, tuple[str, ...]], ...] = ()


SPECS: dict[str, TableSpec] = {
    "risk_profile": TableSpec(
        keys=("factor", "label"),
        shares=(("lneet_share", "lneet_with", "lneet_total"), ("others_share", "others_with", "others_total"),
                ("lneet_share_among_with", "lneet_with", "with_total")),
        counts=("lneet_with", "lneet_total", "others_with", "others_total", "with_total"),
        derived=(("ratio", ("lneet_share", "others_share")),),
    ),
    "by_age_income": TableSpec(keys=("alder", "income_group", "label"), shares=(("share", "neet", "n"),),
                               counts=("n", "neet")),
    "by_age_group": TableSpec(keys=("age_group", "label"),
                              shares=(("share", "neet", "n"), ("share_of_lneet", "neet", "neet_total")),
                              counts=("n", "neet", "neet_total")),
    "by_sex": TableSpec(keys=("group", "label"),
                        shares=(("share", "neet", "n"), ("share_of_lneet", "neet", "neet_total")),
                        counts=("n", "neet", "neet_total")),
    "by_immigrant": TableSpec(keys=("group", "label"),
                              shares=(("share", "neet", "n"), ("share_of_lneet", "neet", "neet_total")),
                              counts=("n", "neet", "neet_total")),
}


@dataclass
class DescriptiveResult:
    """All descriptive tables for one region (``region_code`` ``"0"`` = the whole country).

    ``tables`` maps each name in :data:`SPECS` to its frame (shares in percent, counts
    in persons). After :func:`protect`, ``protected`` is true, suppressed values are NaN,
    counts are rounded and each frame has a ``suppressed`` column naming what was
    suppressed in that row. ``person_tables`` holds the unweighted tables when the input
    had weights (disclosure control counts persons, not weights).
    """

    region_code: str
    region_name: str
    tables: dict[str, pd.DataFrame]
    synthetic: bool
    n_persons: int
    source: str | None = None
    protected: bool = False
    threshold: int | None = None
    round_to: int | None = None
    person_tables: dict[str, pd.DataFrame] | None = field(default=None, repr=False)

    def __getattr__(self, name: str):
        # result.risk_profile etc. as shorthand for result.tables["risk_profile"]
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        raise AttributeError(name)

    @property
    def is_national(self) -> bool:
        return self.region_code == counties.NATIONAL_CODE


# --- input --------------------------------------------------------------------------------


def load_source(data_source: str = SYNTHETIC, *, seed: int = 2023) -> schema.InputData:
    """The chapter's input: the synthetic cohort (``"synthetic"``) or a person-level or
    cell-count file (CSV or Parquet, validated by :func:`.schema.read_input`). A relative
    path is taken relative to the project root, never the working directory."""
    text = str(data_source).strip()
    if text.lower() in ("", SYNTHETIC, "syntetisk"):
        from neethelpers.microdata import synthetic

        return synthetic.cohort(seed)
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = paths.PROJECT_ROOT / path
    return schema.read_input(path)


def as_cells(data) -> pd.DataFrame:
    """Cell counts from :class:`.schema.InputData` (already cells), a person-level frame
    (``neet2023``, aggregated by :func:`.schema.to_cells`, the one conversion) or a
    cell-count frame (``n``, ``neet``). Weighted data keep the record counts in
    ``persons``/``neet_persons``."""
    frame = data.frame if isinstance(data, schema.InputData) else data
    if "neet2023" in frame.columns:
        return schema.to_cells(frame)
    if {"n", "neet"} <= set(frame.columns):
        return frame
    raise DataError(getattr(data, "source", None), "neither person-level data nor cell counts",
                    column=", ".join(map(str, frame.columns)),
                    expected="a column neet2023 (person-level) or columns n and neet (cell counts)")


def region_of(county: str | None) -> tuple[str, str]:
    """``(code, name)`` of a county name/code, or of the whole country for ``None``,
    ``"0"``, ``"landet"``, ``"hele landet"`` or ``"Norge"``."""
    if county is None:
        return counties.NATIONAL_CODE, counties.NATIONAL_NAME
    text = str(county).strip()
    if text in ("0", "00") or counties.fold(text) in ("landet", "hele landet", "norge"):
        return counties.NATIONAL_CODE, counties.NATIONAL_NAME
    c = counties.resolve(text)
    return c.code, c.name


# --- computation --------------------------------------------------------------------------


class _Arrays:
    """The columns of the cell counts as numpy arrays, extracted once."""

    def __init__(self, cells: pd.DataFrame, persons: bool = False):
        if persons:  # numbers of person records, for disclosure control
            self.neet, self.others = disclosure.person_counts(cells)
            self.n = self.neet + self.others
        else:
            self.n = cells["n"].to_numpy(dtype="float64")
            self.neet = cells["neet"].to_numpy(dtype="float64")
            self.others = self.n - self.neet
        self.col = {c: cells[c].to_numpy() for c in ("dropout", "tidlarb", "barnevern", "allhelse", "innvandrerb",
                                                     "innvandrer", "sosbakgr", "kjonn", "alder")}
        # 0 = not living with a parent (grunnbelop empty), 1–3 household income
        self.col["grunnbelop"] = cells["grunnbelop"].astype("float64").fillna(0).to_numpy().astype("int64")
        self.col["alder"] = self.col["alder"].astype("int64")
        self.fylke = cells["fylke"].astype(str).to_numpy()
        self.integral = bool(np.all(self.n == np.round(self.n)) and np.all(self.neet == np.round(self.neet)))

    def subset(self, mask: np.ndarray) -> _Arrays:
        out = object.__new__(_Arrays)
        out.n, out.neet, out.others = self.n[mask], self.neet[mask], self.others[mask]
        out.col = {k: v[mask] for k, v in self.col.items()}
        out.fylke = self.fylke[mask]
        out.integral = self.integral
        return out


def _share(num, den) -> np.ndarray:
    num = np.asarray(num, dtype="float64")
    den = np.asarray(den, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, 100.0 * num / np.where(den > 0, den, 1.0), np.nan)


def _counts(frame: pd.DataFrame, cols, integral: bool) -> pd.DataFrame:
    if integral:
        for c in cols:
            frame[c] = np.round(frame[c].to_numpy()).astype("int64")
    return frame


def _risk_profile(a: _Arrays) -> pd.DataFrame:
    rows = []
    living = a.col["grunnbelop"] > 0
    for key, label, var, value, parent_only in FACTORS:
        pop = living if parent_only else np.ones(len(a.n), dtype=bool)
        has = pop & (a.col[var] == value)
        rows.append({
            "factor": key, "label": label,
            "lneet_with": a.neet[has].sum(), "lneet_total": a.neet[pop].sum(),
            "others_with": a.others[has].sum(), "others_total": a.others[pop].sum(),
            "with_total": a.n[has].sum(),
        })
    df = pd.DataFrame(rows)
    df["lneet_share"] = _share(df["lneet_with"], df["lneet_total"])
    df["others_share"] = _share(df["others_with"], df["others_total"])
    with np.errstate(invalid="ignore", divide="ignore"):
        df["ratio"] = np.where(df["others_share"] > 0, df["lneet_share"] / df["others_share"].where(
            df["others_share"] > 0, 1.0), np.nan)
    df["lneet_share_among_with"] = _share(df["lneet_with"], df["with_total"])
    df = _counts(df, SPECS["risk_profile"].counts, a.integral)
    return df[["factor", "label", "lneet_with", "lneet_total", "lneet_share", "others_with", "others_total",
               "others_share", "ratio", "with_total", "lneet_share_among_with"]]


def _by_age_income(a: _Arrays) -> pd.DataFrame:
    age = a.col["alder"] - AGES[0]
    g = a.col["grunnbelop"]
    size = len(AGES) * 4
    code = age * 4 + g
    ok = (age >= 0) & (age < len(AGES))
    n = np.bincount(code[ok], weights=a.n[ok], minlength=size).reshape(len(AGES), 4)
    y = np.bincount(code[ok], weights=a.neet[ok], minlength=size).reshape(len(AGES), 4)
    rows = []
    for key, label, codes in INCOME_GROUPS:
        idx = list(codes)
        for i, alder in enumerate(AGES):
            rows.append({"alder": alder, "income_group": key, "label": label,
                         "n": n[i, idx].sum(), "neet": y[i, idx].sum()})
    df = pd.DataFrame(rows)
    df["share"] = _share(df["neet"], df["n"])
    return _counts(df, ("n", "neet"), a.integral)


def _by_age_group(a: _Arrays) -> pd.DataFrame:
    total_neet = a.neet.sum()
    rows = []
    for key, label, lo, hi in AGE_GROUPS:
        m = (a.col["alder"] >= lo) & (a.col["alder"] <= hi)
        rows.append({"age_group": key, "label": label, "n": a.n[m].sum(), "neet": a.neet[m].sum(),
                     "neet_total": total_neet})
    df = pd.DataFrame(rows)
    df["share"] = _share(df["neet"], df["n"])
    df["share_of_lneet"] = _share(df["neet"], df["neet_total"])
    df.loc[df["age_group"] == "15-29", "share_of_lneet"] = np.nan  # all of them: trivially 100 %
    df = _counts(df, ("n", "neet", "neet_total"), a.integral)
    return df[["age_group", "label", "n", "neet", "share", "neet_total", "share_of_lneet"]]


def _groups(a: _Arrays, groups) -> pd.DataFrame:
    total_neet = a.neet.sum()
    rows = []
    for key, label, col, codes in groups:
        m = np.isin(a.col[col], codes)
        rows.append({"group": key, "label": label, "n": a.n[m].sum(), "neet": a.neet[m].sum(),
                     "neet_total": total_neet})
    df = pd.DataFrame(rows)
    df["share"] = _share(df["neet"], df["n"])
    df["share_of_lneet"] = _share(df["neet"], df["neet_total"])
    df.loc[df["group"] == "all", "share_of_lneet"] = np.nan  # all of them: trivially 100 %
    df = _counts(df, ("n", "neet", "neet_total"), a.integral)
    return df[["group", "label", "n", "neet", "share", "neet_total", "share_of_lneet"]]


def _tables(a: _Arrays) -> dict[str, pd.DataFrame]:
    return {
        "risk_profile": _risk_profile(a),
        "by_age_income": _by_age_income(a),
        "by_age_group": _by_age_group(a),
        "by_sex": _groups(a, [(k, lab, "kjonn", codes) for k, lab, codes in SEX_GROUPS]),
        "by_immigrant": _groups(a, IMMIGRANT_GROUPS),
    }


def _source_name(data) -> str | None:
    name = getattr(data, "name", None)
    src = getattr(data, "source", None)
    return name or (None if src is None else str(src))


def _is_synthetic(data, cells: pd.DataFrame) -> bool:
    frame = data.frame if isinstance(data, schema.InputData) else data
    return bool(frame.attrs.get("synthetic", False) or cells.attrs.get("synthetic", False))


def compute_all(data, regions=None) -> dict[str, DescriptiveResult]:
    """Results for several regions from one aggregation: ``regions`` is an iterable of
    county names/codes (``None`` or ``"0"`` for the whole country); default the whole
    country and today's 15 counties. Keys are region codes (``"0"`` national)."""
    cells = as_cells(data)
    synthetic = _is_synthetic(data, cells)
    source = _source_name(data)
    weighted = "persons" in cells.columns and bool((cells["persons"] != cells["n"]).any())
    arrays = _Arrays(cells)
    person_arrays = _Arrays(cells, persons=True) if weighted else None
    if regions is None:
        regions = [None, *(c.code for c in counties.current_counties())]
    out: dict[str, DescriptiveResult] = {}
    for region in regions:
        code, name = region_of(region)
        mask = None if code == counties.NATIONAL_CODE else arrays.fylke == code
        a = arrays if mask is None else arrays.subset(mask)
        tables = _tables(a)
        person_tables = None
        n_persons = a.n.sum()
        if person_arrays is not None:
            pa = person_arrays if mask is None else person_arrays.subset(mask)
            person_tables = _tables(pa)
            n_persons = pa.n.sum()
        for t in tables.values():
            t.attrs["synthetic"] = synthetic
        out[code] = DescriptiveResult(code, name, tables, synthetic, int(round(n_persons)), source,
                                      person_tables=person_tables)
    return out


def compute(data, county: str | None = None) -> DescriptiveResult:
    """All descriptive tables for the whole country (``county=None``) or one county, from
    :class:`.schema.InputData`, person-level data or cell counts (same code path)."""
    return next(iter(compute_all(data, [county]).values()))


# --- disclosure control -------------------------------------------------------------------


def _protect_table(frame: pd.DataFrame, persons: pd.DataFrame, spec: TableSpec, threshold: int,
                   round_to: int) -> pd.DataFrame:
    out = frame.copy()
    notes: list[list[str]] = [[] for _ in range(len(out))]

    def mark(mask: np.ndarray, col: str) -> None:
        for i in np.flatnonzero(mask):
            if col not in notes[i]:
                notes[i].append(col)

    precise: dict[str, np.ndarray] = {}
    for share, num, den in spec.shares:
        k = persons[num].to_numpy(dtype="float64")
        n = persons[den].to_numpy(dtype="float64")
        small = (k < threshold) | (n < threshold) | ((n - k) < threshold)
        # Published shares are computed from the rounded counts (see .disclosure, rule 4);
        # a share the table leaves out on purpose (100 % of all) stays empty.
        published = disclosure.shares(frame[num], frame[den], round_to)
        out[share] = pd.Series(published, index=out.index).where(~small & out[share].notna().to_numpy())
        rk, rn = (disclosure.round_counts(frame[c].to_numpy(dtype="float64"), round_to) for c in (num, den))
        with np.errstate(invalid="ignore", divide="ignore"):
            precise[share] = np.where(rn > 0, 100.0 * rk / np.where(rn > 0, rn, 1.0), np.nan)
        # An empty group (no persons in the denominator) is marked like any other small
        # group: a dash would tell the reader that the group has nobody in it.
        mark(small, share)
    for derived, deps in spec.derived:
        bad = np.zeros(len(out), dtype=bool)
        for d in deps:
            bad |= out[d].isna().to_numpy()
        # from the shares of the rounded counts before their rounding to one decimal
        a, b = (precise[d] for d in deps)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
        out[derived] = pd.Series([disclosure.round_share(v) for v in ratio], index=out.index).where(~bad)
        mark(bad, derived)
    for col in spec.counts:
        raw = persons[col].to_numpy(dtype="float64")
        small = raw < threshold
        shown = disclosure.round_counts(out[col].to_numpy(dtype="float64"), round_to)
        shown[small] = np.nan
        out[col] = pd.Series(shown, index=out.index).astype("Int64")
        mark(small, col)
    out["suppressed"] = [", ".join(x) for x in notes]
    out.attrs.update(frame.attrs)
    return out


def protect(result: DescriptiveResult, threshold: int = disclosure.DEFAULT_THRESHOLD,
            round_to: int = disclosure.DEFAULT_ROUND_TO) -> DescriptiveResult:
    """Disclosure control for results from real data: suppress every share whose
    numerator, denominator or complement has fewer than ``threshold`` persons, every
    ratio built on a suppressed share and every count below the threshold; round the
    remaining counts to the nearest ``round_to``. Returns a new result (``protected``).

    The chapter applies it to real data only (the synthetic cohort describes nobody), but
    it works on any result, which is how the tests exercise it.

    The rules are :mod:`.disclosure`'s (persons not weights, threshold on numerator,
    denominator and complement, counts rounded half-up, shares from the rounded counts at
    one decimal); this function applies them value by value rather than row by row
    (:func:`.disclosure.suppress`), because a row of the risk profile holds two shares on
    different persons (long-term NEETs and others).
    """
    if threshold is None or int(threshold) < 1:
        raise ValueError(f"the disclosure threshold must be a whole number ≥ 1, not {threshold!r}")
    threshold = int(threshold)
    if result.protected:
        raise ValueError("this result is already protected (counts are rounded); protect the raw result")
    persons = result.person_tables or result.tables
    tables = {name: _protect_table(result.tables[name], persons[name], SPECS[name], threshold, round_to)
              for name in result.tables}
    return replace(result, tables=tables, protected=True, threshold=threshold, round_to=round_to,
                   person_tables=None, n_persons=int(disclosure.round_counts([result.n_persons], round_to)[0]))


# --- comparison with the published figures ------------------------------------------------

_SOURCE_LABEL = {
    "risk_profile": "Tabell 1 (kapittel 3)", "figure2": "Figur 2", "table3": "Tabell 3", "table4": "Tabell 4",
    "chapter5": "Kapittel 5", "summary": "Sammendrag (figur 1)",
}
_QUALIFIER_WORD = {"over": "over", "under": "under", "about": "om lag", "exact": "", "range": ""}


def _get(result: DescriptiveResult, table: str, key_col: str, key, col: str) -> float:
    df = result.tables[table]
    hit = df.loc[df[key_col] == key, col]
    return float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else math.nan


def _rp(result, factor, col):
    return _get(result, "risk_profile", "factor", factor, col)


def _fig2(result, age: int, group: str) -> float:
    df = result.tables["by_age_income"]
    hit = df.loc[(df["alder"] == age) & (df["income_group"] == group), "share"]
    return float(hit.iloc[0]) if len(hit) and pd.notna(hit.iloc[0]) else math.nan


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else math.nan


def _complement(v: float) -> float:
    return 100.0 - v if not math.isnan(v) else math.nan


# (figure_ids, variable, level, group, statistic) -> (Norwegian measure, function of the result, unit)
_MEASURES: list[tuple[tuple[str, ...], str, str, str, str, str, object, str]] = [
    (("risk_profile", "summary", "chapter5"), "no_work_experience", "", "lneet", "share",
     "Uten arbeidserfaring, blant langtids-NEET", lambda r: _rp(r, "no_work", "lneet_share"), "percent"),
    (("risk_profile",), "no_work_experience", "", "others", "share",
     "Uten arbeidserfaring, blant andre", lambda r: _rp(r, "no_work", "others_share"), "percent"),
    (("risk_profile", "chapter5"), "work_experience", "", "others", "share",
     "Med arbeidserfaring, blant andre", lambda r: _complement(_rp(r, "no_work", "others_share")), "percent"),
    (("risk_profile",), "low_household_income", "≤ 2 G", "lneet", "share",
     "Husholdningsinntekt ≤ 2 G, blant langtids-NEET som bor med en forelder",
     lambda r: _rp(r, "low_income", "lneet_share"), "percent"),
    (("risk_profile",), "social_background", "3", "lneet", "share",
     "Foreldre med bare grunnskole, blant langtids-NEET", lambda r: _rp(r, "low_social", "lneet_share"), "percent"),
    (("risk_profile",), "social_background", "1", "lneet", "share",
     "Foreldre med høyere utdanning, blant langtids-NEET", lambda r: _rp(r, "high_social", "lneet_share"),
     "percent"),
    (("risk_profile",), "social_background", "3 vs 1", "lneet", "ratio",
     "Grunnskole mot høyere utdanning hos foreldrene, blant langtids-NEET (forhold)",
     lambda r: _ratio(_rp(r, "low_social", "lneet_share"), _rp(r, "high_social", "lneet_share")), "ratio"),
    (("risk_profile", "summary", "chapter5"), "dropout", "", "lneet", "share",
     "Droppet ut av videregående, blant langtids-NEET", lambda r: _rp(r, "dropout", "lneet_share"), "percent"),
    (("risk_profile",), "not_dropout", "", "others", "share",
     "Ikke droppet ut, blant andre", lambda r: _complement(_rp(r, "dropout", "others_share")), "percent"),
    (("risk_profile",), "lneet", "", "dropouts", "share",
     "Langtids-NEET, blant alle som droppet ut", lambda r: _rp(r, "dropout", "lneet_share_among_with"), "percent"),
    (("risk_profile",), "health_benefits", "", "lneet", "one_in_n",
     "Mottar helserelatert ytelse, blant langtids-NEET", lambda r: _rp(r, "allhelse", "lneet_share"), "percent"),
    (("risk_profile",), "health_benefits", "", "others", "share",
     "Mottar helserelatert ytelse, blant andre", lambda r: _rp(r, "allhelse", "others_share"), "percent"),
    (("risk_profile",), "child_welfare", "", "lneet", "share",
     "Barnevernstiltak, blant langtids-NEET", lambda r: _rp(r, "barnevern", "lneet_share"), "percent"),
    (("risk_profile",), "child_welfare", "", "others", "share",
     "Barnevernstiltak, blant andre", lambda r: _rp(r, "barnevern", "others_share"), "percent"),
    (("risk_profile",), "child_welfare", "", "lneet vs others", "ratio",
     "Barnevernstiltak, langtids-NEET mot andre (forhold)", lambda r: _rp(r, "barnevern", "ratio"), "ratio"),
    (("risk_profile",), "lneet", "", "immigrants vs rest", "ratio",
     "Andel langtids-NEET, innvandrere mot øvrig befolkning (forhold)",
     lambda r: _ratio(_get(r, "by_immigrant", "group", "innvandrer_1", "share"),
                      _get(r, "by_immigrant", "group", "rest", "share")), "ratio"),
    (("table3",), "lneet", "", "all", "share", "Andel langtids-NEET, alle 15–29 år",
     lambda r: _get(r, "by_sex", "group", "all", "share"), "percent"),
    (("table3",), "lneet", "", "women", "share", "Andel langtids-NEET, kvinner",
     lambda r: _get(r, "by_sex", "group", "women", "share"), "percent"),
    (("table3",), "lneet", "", "men", "share", "Andel langtids-NEET, menn",
     lambda r: _get(r, "by_sex", "group", "men", "share"), "percent"),
    (("table4",), "lneet", "", "immigrants", "share", "Andel langtids-NEET, innvandrere",
     lambda r: _get(r, "by_immigrant", "group", "innvandrer_1", "share"), "percent"),
    (("table4",), "lneet", "", "rest", "share", "Andel langtids-NEET, øvrig befolkning",
     lambda r: _get(r, "by_immigrant", "group", "rest", "share"), "percent"),
    (("chapter5",), "men", "", "lneet", "share", "Andel menn, blant langtids-NEET",
     lambda r: _get(r, "by_sex", "group", "men", "share_of_lneet"), "percent"),
    (("chapter5",), "lneet", "", "age_over_25", "share", "Andel langtids-NEET, 25–29 år («over 25 år»)",
     lambda r: _get(r, "by_age_group", "age_group", "25-29", "share"), "percent"),
    (("chapter5",), "lneet", "", "age_under_25", "share", "Andel langtids-NEET, 15–24 år («under 25 år»)",
     lambda r: _get(r, "by_age_group", "age_group", "15-24", "share"), "percent"),
    (("chapter5",), "lneet", "", "immigrants", "count", "Antall langtids-NEET, innvandrere",
     lambda r: _get(r, "by_immigrant", "group", "innvandrer_1", "neet"), "persons"),
    (("chapter5",), "lneet", "", "rest", "count", "Antall langtids-NEET, øvrig befolkning",
     lambda r: _get(r, "by_immigrant", "group", "rest", "neet"), "persons"),
]
_FIGURE2_LABEL = {"all": "alle som bor med en forelder", "low_income": "husholdning ≤ 2 G",
                  "high_income": "husholdning over 4 G"}
_FIGURE2_GROUP = {"all": "with_parent", "low_income": "low", "high_income": "high"}


def _lookup(row) -> tuple[str, object, str] | None:
    fid, var, level, group, stat = row["figure_id"], row["variable"], row["level"], row["group"], row["statistic"]
    if fid == "figure2" and var == "lneet" and stat == "share" and group in _FIGURE2_GROUP:
        age = int(float(level))
        return (f"Andel langtids-NEET ved {age} år, {_FIGURE2_LABEL[group]}",
                lambda r, age=age, g=_FIGURE2_GROUP[group]: _fig2(r, age, g), "percent")
    for fids, v, lv, g, st, label, fn, unit in _MEASURES:
        if fid in fids and var == v and level == lv and group == g and stat == st:
            return label, fn, unit
    return None


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()


def _published_text(row, unit: str) -> str:
    from neethelpers.presentation import fmt

    value = float(row["value"])
    dec_text = _text(row.get("decimals"))
    decimals = int(float(dec_text)) if dec_text else 1
    word = _QUALIFIER_WORD.get(row["qualifier"], "")
    if row["statistic"] == "one_in_n":
        return f"om lag 1 av {fmt.number(value, 0)} («{_text(row['printed'])}»)"
    if unit == "ratio":
        body = f"{fmt.number(value, decimals)} ganger"
    elif unit == "persons":
        body = f"{fmt.number(value, 0)} personer"
    else:
        body = fmt.percent(value, decimals)
    return f"{word} {body}".strip()


def compare_with_published(result: DescriptiveResult, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every figure the analysis note published for ``result``'s region that the microdata
    can reproduce, next to the recomputed value and the difference.

    ``published`` is :func:`neethelpers.series.published.figures` (loaded when ``None``); only
    rows with status ``published`` are used. Shares are compared in percent and the
    difference is in percentage points; ratios in "times"; counts in persons. "About one
    in three" (``one_in_n``) is compared as the share 100/3 %. Not compared: NEET of all
    durations (Tables 3 and 4, L-NEET as share of NEET — the microdata hold long-term NEET
    only), restatements of Tables 3 and 4 in chapter 5, differences between regions,
    and figures for groups of counties or for "the rest of the country".

    Columns: ``source`` (where in the note), ``measure`` (Norwegian), ``region_code``,
    ``region_name``, ``published`` (the value as a number, in ``unit``), ``published_text``
    (as the note words it: "over 70 %"), ``qualifier``, ``recomputed``, ``difference``
    (recomputed − published), ``unit`` (``percent``/``ratio``/``persons``),
    ``difference_unit`` (``prosentpoeng``/``forhold``/``personer``), ``consistent``
    (for "over"/"under" figures: whether the recomputed value lies on the stated side;
    otherwise empty), ``suppressed`` (the recomputed value was suppressed), ``lines``
    (line numbers in the note's text), ``note``.
    """
    if published is None:
        from neethelpers.series import published as published_module

        published = published_module.figures()
    df = published
    if "status" in df.columns:
        df = df[df["status"] == "published"]
    df = df.copy()
    for col in ("figure_id", "region_code", "variable", "level", "group", "statistic", "qualifier", "note",
                "printed", "lines"):
        if col in df.columns:
            df[col] = df[col].map(_text)
    df = df[df["region_code"] == result.region_code]
    rows = []
    for _, row in df.iterrows():
        if row["figure_id"] == "chapter5" and row["note"].lower().startswith("restates"):
            continue  # the same figure as Table 3 or 4: compared there
        if "rest of the country" in row["note"].lower():
            continue  # "ellers i landet": a different population than the whole country
        hit = _lookup(row)
        if hit is None:
            continue
        measure, fn, unit = hit
        pub = float(row["value"])
        if row["statistic"] == "one_in_n":
            pub = 100.0 / pub
        recomputed = float(fn(result))
        diff = recomputed - pub if not math.isnan(recomputed) else math.nan
        consistent = None
        if row["qualifier"] in ("over", "under") and not math.isnan(recomputed):
            consistent = recomputed > pub if row["qualifier"] == "over" else recomputed < pub
        rows.append({
            "source": _SOURCE_LABEL.get(row["figure_id"], row["figure_id"]),
            "measure": measure, "region_code": result.region_code, "region_name": result.region_name,
            "published": pub, "published_text": _published_text(row, unit), "qualifier": row["qualifier"],
            "recomputed": recomputed, "difference": diff, "unit": unit,
            "difference_unit": {"percent": "prosentpoeng", "ratio": "forhold", "persons": "personer"}[unit],
            "consistent": consistent,
            "suppressed": bool(result.protected and math.isnan(recomputed)),
            "lines": row["lines"], "note": row["note"],
        })
    cols = ["source", "measure", "region_code", "region_name", "published", "published_text", "qualifier",
            "recomputed", "difference", "unit", "difference_unit", "consistent", "suppressed", "lines", "note"]
    out = pd.DataFrame(rows, columns=cols)
    out["consistent"] = out["consistent"].astype("object")
    out.attrs["synthetic"] = result.synthetic
    return out


# --- across counties ----------------------------------------------------------------------


def county_overview(results: dict[str, DescriptiveResult]) -> pd.DataFrame:
    """One row per region (counties in the registry's order, then the whole country):
    L-NEET share overall, for women and men (Table 3), for immigrants and the rest
    (Table 4), and the dropout and no-work-experience shares among L-NEETs (Figure 1),
    with the persons and L-NEETs behind each. Suppressed values stay NaN."""
    order = [c.code for c in counties.current_counties()] + [counties.NATIONAL_CODE]
    rows = []
    for code in order:
        if code not in results:
            continue
        r = results[code]
        sex = r.tables["by_sex"].set_index("group")
        imm = r.tables["by_immigrant"].set_index("group")
        rp = r.tables["risk_profile"].set_index("factor")
        rows.append({
            "region_code": code, "region_name": r.region_name,
            "n": sex.at["all", "n"], "neet": sex.at["all", "neet"], "share": sex.at["all", "share"],
            "share_women": sex.at["women", "share"], "share_men": sex.at["men", "share"],
            "share_immigrants": imm.at["innvandrer_1", "share"], "share_rest": imm.at["rest", "share"],
            "dropout_among_lneet": rp.at["dropout", "lneet_share"],
            "no_work_among_lneet": rp.at["no_work", "lneet_share"],
        })
    out = pd.DataFrame(rows)
    if results:
        out.attrs["synthetic"] = next(iter(results.values())).synthetic
    return out


def suppressed_cells(result: DescriptiveResult) -> list[tuple[str, int, str]]:
    """``(table, row position, column)`` of every suppressed value in a protected result."""
    out = []
    for name, frame in result.tables.items():
        if "suppressed" not in frame.columns:
            continue
        for i, text in enumerate(frame["suppressed"]):
            for col in filter(None, (c.strip() for c in str(text).split(","))):
                out.append((name, i, col))
    return out
