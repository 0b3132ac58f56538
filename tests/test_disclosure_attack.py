"""An attack on what the microdata section publishes: for data with deliberately tiny groups
(several counties, sexes, ages and immigrant groups), enumerate every (long-term NEETs,
persons) pair consistent with everything a page publishes — all its CSV downloads
together — and show that no suppressed cell is pinned down.

What the attacker uses, for each published row of the sex/age table, the immigrant table,
the age × household-income figure and the county overview: the rounded counts, the share
(read both ways a reader might: as computed from the exact counts, or from the rounded
ones, at the precision printed; a share printed with more than one decimal can only come
from exact counts), and what a suppression marker says (fewer than the
threshold in the count, its denominator or its complement). Then every additive relation
a reader knows: all = women + men, 15–24 = 15–19 + 20–24, all = 15–24 + 25–29, all =
immigrants + the rest, the rest = «øvrige» + Norwegian-born to immigrant parents, all =
with + without immigrant background, those living with a parent = the three income
groups, and the country = the sum of its counties. Candidate sets are propagated through
the relations (subtracting the other members' sets) until nothing changes.

A suppressed value is *pinned down* when all candidates agree on it. The test asserts
that for every suppressed persons count, NEET count and share more than one value stays
possible — and that the truth is always among the candidates, so the enumeration is
sound. On the code before issue 12 (shares to four decimals from exact counts in the
CSVs) the same attack recovers the hidden cells exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.signal import convolve2d
from test_descriptive import _csv_values

from neethelpers.microdata import descriptive as d, schema
from neethelpers.microdata.testing import random_persons
from neethelpers.presentation import report
from neethelpers.registry import counties

THRESHOLD = 5
ROUND_TO = 10
MARK = f"prikket (<{THRESHOLD})"


# --- the data ------------------------------------------------------------------------------


def tiny_groups() -> pd.DataFrame:
    """Oslo and Akershus with about 3 000 persons each, and tiny groups: Finnmark 3 persons;
    Rogaland 300 men and 3 women; Akershus 3 Norwegian-born to immigrant parents; Vestland
    2 persons aged 15–19 (of about 200); Troms 4 immigrants (of about 200)."""
    big = random_persons(6000, seed=11, fylker=("03", "32"))
    big = big[~((big["fylke"] == "32") & (big["innvandrer"] == 2))]
    born_here = random_persons(400, seed=14, fylker=("32",))
    born_here = born_here[born_here["innvandrer"] == 2].head(3).assign(neet2023=[1, 1, 0])
    ro = random_persons(700, seed=12, fylker=("11",))
    ro = pd.concat([ro[ro["kjonn"] == 1].head(300), ro[ro["kjonn"] == 2].head(3).assign(neet2023=[1, 1, 0])])
    fin = random_persons(40, seed=13, fylker=("56",)).head(3).assign(neet2023=[1, 0, 0])
    ve = random_persons(400, seed=15, fylker=("46",))
    ve = pd.concat([ve[ve["alder"] >= 20].head(200), ve[ve["alder"] < 20].head(2).assign(neet2023=[1, 0])])
    tr = random_persons(600, seed=16, fylker=("55",))
    tr = pd.concat([tr[tr["innvandrer"] != 1].head(200), tr[tr["innvandrer"] == 1].head(4).assign(neet2023=[1, 1, 0, 0])])
    out = pd.concat([big, born_here, ro, fin, ve, tr], ignore_index=True)
    return schema.validate(out, "persons")


# --- candidate sets of (k, n) pairs --------------------------------------------------------


@dataclass
class Grid:
    """A set of (k, n) pairs: ``a[i, j]`` says whether (k0 + i, n0 + j) is possible."""

    k0: int
    n0: int
    a: np.ndarray

    def pairs(self) -> set[tuple[int, int]]:
        return {(self.k0 + int(i), self.n0 + int(j)) for i, j in zip(*np.nonzero(self.a))}

    def __add__(self, other: Grid) -> Grid:
        return Grid(self.k0 + other.k0, self.n0 + other.n0, convolve2d(self.a.astype("int64"), other.a.astype("int64")) > 0)

    def __neg__(self) -> Grid:
        return Grid(-(self.k0 + self.a.shape[0] - 1), -(self.n0 + self.a.shape[1] - 1), self.a[::-1, ::-1])

    def __and__(self, other: Grid) -> Grid:
        k0, n0 = max(self.k0, other.k0), max(self.n0, other.n0)
        k1 = min(self.k0 + self.a.shape[0], other.k0 + other.a.shape[0])
        n1 = min(self.n0 + self.a.shape[1], other.n0 + other.a.shape[1])
        if k1 <= k0 or n1 <= n0:
            return Grid(k0, n0, np.zeros((1, 1), dtype=bool))
        a = (self.a[k0 - self.k0:k1 - self.k0, n0 - self.n0:n1 - self.n0]
             & other.a[k0 - other.k0:k1 - other.k0, n0 - other.n0:n1 - other.n0])
        return Grid(k0, n0, a)


def _round(v):
    return np.floor(np.asarray(v, dtype="float64") / ROUND_TO + 0.5) * ROUND_TO


def _range(value: str, upper: int) -> tuple[int, int]:
    """Possible true counts behind a published count (rounded) or a marker."""
    if value == MARK:
        return 0, THRESHOLD - 1
    if value in ("", None):
        return 0, upper
    r = int(float(value))
    return max(r - ROUND_TO // 2, 0), r + ROUND_TO // 2 - 1


def _share_ok(k: np.ndarray, n: np.ndarray, text: str) -> np.ndarray:
    """Pairs consistent with a printed share, read from exact or from rounded counts."""
    v = float(text)
    decimals = len(text.split(".")[1]) if "." in text else 0
    tol = 0.5 * 10.0 ** -decimals + 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = np.abs(100 * k / n - v) <= tol
        rk, rn = _round(k), _round(n)
        from_rounded = np.abs(100 * rk / rn - v) <= tol
    if decimals > 1:  # more precision than display precision: only exact counts give it
        return (n > 0) & exact
    return (n > 0) & (exact | from_rounded)


@dataclass
class Row:
    key: tuple
    persons: str | None
    neet: str | None
    shares: list[str]  # printed shares of neet / persons in this row
    truth: tuple[int, int]
    grid: Grid | None = None

    @property
    def suppressed(self) -> bool:
        return MARK in (self.persons, self.neet, *self.shares)

    def initial(self, upper: int) -> Grid:
        n_lo, n_hi = _range(self.persons, upper)
        k_lo, k_hi = _range(self.neet, n_hi)
        k, n = np.meshgrid(np.arange(k_lo, k_hi + 1), np.arange(n_lo, n_hi + 1), indexing="ij")
        ok = k <= n
        for text in self.shares:
            if text == MARK:
                ok &= (k < THRESHOLD) | (n < THRESHOLD) | (n - k < THRESHOLD)
            elif text not in ("", None):
                ok &= _share_ok(k, n, text)
        return Grid(k_lo, n_lo, ok)


def propagate(rows: dict[tuple, Row], relations: list[tuple[tuple, list[tuple]]], upper: int) -> None:
    for row in rows.values():
        row.grid = row.initial(upper)
    for _ in range(20):
        changed = False
        for total, parts in relations:
            members = [total, *parts]
            if not all(m in rows for m in members):
                continue
            for target in members:
                others = [m for m in members if m != target]
                if target == total:
                    derived = sum((rows[p].grid for p in parts[1:]), rows[parts[0]].grid)
                else:
                    rest = [p for p in parts if p != target]
                    derived = rows[total].grid
                    for p in rest:
                        derived = derived + (-rows[p].grid)
                del others
                new = rows[target].grid & derived
                if new.a.sum() < rows[target].grid.a.sum():
                    rows[target].grid = new
                    changed = True
        if not changed:
            break


# --- reading what a page publishes ---------------------------------------------------------

SEX_AGE = {"Alle": "all", "Kvinner": "women", "Menn": "men", "15–19 år": "15-19", "20–24 år": "20-24",
           "25–29 år": "25-29", "15–24 år": "15-24"}
IMMIGRANT = {label: key for key, label, _, _ in d.IMMIGRANT_GROUPS}


def _csv(folder: Path, suffix: str) -> pd.DataFrame | None:
    hits = sorted(folder.glob(f"*{suffix}.csv"))
    if not hits:
        return None
    return _csv_values(hits[0])  # Norwegian CSV (';', decimal comma) back to internal names and points


def published_rows(folder: Path, raw: dict[str, d.DescriptiveResult]) -> dict[tuple, Row]:
    code_of = {c.name: c.code for c in counties.current_counties()} | {counties.NATIONAL_NAME: counties.NATIONAL_CODE}
    rows: dict[tuple, Row] = {}

    def truth(code: str, table: str, key_col: str, key) -> tuple[int, int]:
        t = raw[code].tables[table]
        hit = t[t[key_col] == key].iloc[0] if not isinstance(key, tuple) else \
            t[(t["alder"] == key[0]) & (t["income_group"] == key[1])].iloc[0]
        return int(hit["neet"]), int(hit["n"])

    sex_age = _csv(folder, "-mikro-kjonn-alder")
    if sex_age is not None:
        for r in sex_age.itertuples(index=False):
            code, group = code_of[r.område], SEX_AGE[r.gruppe]
            table = "by_sex" if r.etter == "Kjønn" else "by_age_group"
            key_col = "group" if table == "by_sex" else "age_group"
            rows[(code, group)] = Row((code, group), r.personer, r.langtids_neet, [r.andel_langtids_neet_prosent],
                                      truth(code, table, key_col, group))
    imm = _csv(folder, "-mikro-innvandring")
    if imm is not None:
        for r in imm.itertuples(index=False):
            code, group = code_of[r.område], IMMIGRANT[r.gruppe]
            rows[(code, group)] = Row((code, group), r.personer, r.langtids_neet, [r.andel_langtids_neet_prosent],
                                      truth(code, "by_immigrant", "group", group))
    fig = _csv(folder, "-mikro-alder-inntekt")
    if fig is not None:
        labels = {label: key for key, label, _ in d.INCOME_GROUPS}
        for r in fig[fig["kilde"] == "beregnet"].itertuples(index=False):
            code, key = code_of[r.område], (int(r.alder), labels[r.gruppe])
            rows[(code, key)] = Row((code, key), r.personer, r.langtids_neet, [r.andel_langtids_neet_prosent],
                                    truth(code, "by_age_income", "alder", key))
    overview = _csv(folder, "-mikro-fylker")
    if overview is not None:
        for r in overview.itertuples(index=False):
            code = code_of[r.område]
            rows[(code, "all")] = Row((code, "all"), r.personer, r.langtids_neet, [r.andel_langtids_neet_prosent],
                                      truth(code, "by_sex", "group", "all"))
    return rows


def relations(codes: list[str]) -> list[tuple[tuple, list[tuple]]]:
    out = []
    for c in codes:
        out += [((c, "all"), [(c, "women"), (c, "men")]),
                ((c, "15-24"), [(c, "15-19"), (c, "20-24")]),
                ((c, "all"), [(c, "15-24"), (c, "25-29")]),
                ((c, "all"), [(c, "15-19"), (c, "20-24"), (c, "25-29")]),
                ((c, "all"), [(c, "innvandrer_1"), (c, "rest")]),
                ((c, "rest"), [(c, "innvandrer_0"), (c, "innvandrer_2")]),
                ((c, "all"), [(c, "innvandrer_0"), (c, "innvandrer_1"), (c, "innvandrer_2")]),
                ((c, "all"), [(c, "innvandrerb_0"), (c, "innvandrerb_1")])]
        for age in d.AGES:
            out.append(((c, (age, "with_parent")), [(c, (age, "low")), (c, (age, "middle")), (c, (age, "high"))]))
    county_codes = [c.code for c in counties.current_counties()]
    out.append(((counties.NATIONAL_CODE, "all"), [(c, "all") for c in county_codes]))
    return out


# --- the pages -----------------------------------------------------------------------------

PAGES = {"rogaland": "Rogaland", "akershus": "Akershus", "vestland": "Vestland", "troms": "Troms",
         "finnmark": "Finnmark", "fylkene": "alle", "nasjonalt": None}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    persons = tiny_groups()
    folder = tmp_path_factory.mktemp("attack")
    path = folder / "registerutdrag.csv"
    persons.to_csv(path, index=False)
    return persons, path, d.compute_all(persons)


def _render(page: str, county, path: Path, out: Path, monkeypatch) -> Path:
    from neethelpers.chapters import longterm as section

    out.mkdir()
    monkeypatch.chdir(out)
    monkeypatch.setattr(report, "display", lambda obj: None)
    report.setup(page=page)
    section.show_section(str(path), county, threshold=THRESHOLD)
    return out / "_assets"


def test_the_data_have_the_tiny_groups(data):
    persons, _, raw = data
    p = persons
    assert (p["fylke"] == "56").sum() == 3
    assert ((p["fylke"] == "11") & (p["kjonn"] == 2)).sum() == 3
    assert ((p["fylke"] == "32") & (p["innvandrer"] == 2)).sum() == 3
    assert ((p["fylke"] == "46") & (p["alder"] < 20)).sum() == 2
    assert ((p["fylke"] == "55") & (p["innvandrer"] == 1)).sum() == 4


@pytest.mark.parametrize("page", sorted(PAGES))
def test_no_suppressed_cell_is_pinned_down(data, tmp_path, monkeypatch, page):
    _, path, raw = data
    assets = _render(page, PAGES[page], path, tmp_path / page, monkeypatch)
    rows = published_rows(assets, raw)
    if page == "finnmark":  # 3 persons: the page publishes no table at all
        assert not rows
        return
    assert rows, f"{page}: nothing published to attack"
    codes = sorted({k[0] for k in rows})
    upper = int(max(r.truth[1] for r in rows.values())) + ROUND_TO
    propagate(rows, relations(codes), upper)
    suppressed = [r for r in rows.values() if r.suppressed]
    assert suppressed, f"{page}: the tiny groups are not suppressed on this page"
    pinned = []
    for r in rows.values():
        pairs = r.grid.pairs()
        assert r.truth in pairs, (page, r.key, r.truth)  # the enumeration is sound
        if not r.suppressed:
            continue
        ks = {k for k, _ in pairs}
        ns = {n for _, n in pairs}
        share_values = {round(k / n, 9) for k, n in pairs if n > 0}
        if len(pairs) <= 1 or (r.persons == MARK and len(ns) <= 1) or (r.neet == MARK and len(ks) <= 1) or \
                (MARK in r.shares and len(share_values) <= 1):
            pinned.append((r.key, sorted(pairs)[:5], r.truth))
    assert not pinned, f"{page}: suppressed cells recovered from what the page publishes: {pinned}"


def test_the_attack_recovers_cells_from_exact_shares():
    """Positive control: shares printed to four decimals from exact counts, next to rounded
    counts (as before issue 12), let the attack pin Rogaland's 3 women down exactly."""
    all_, men = (303, 22), (300, 20)  # (persons, NEETs); women: 3 persons, 2 NEETs
    rows = {
        ("11", "all"): Row(("11", "all"), "300", "20", [f"{100 * all_[1] / all_[0]:.4f}"], (all_[1], all_[0])),
        ("11", "men"): Row(("11", "men"), "300", "20", [f"{100 * men[1] / men[0]:.4f}"], (men[1], men[0])),
        ("11", "women"): Row(("11", "women"), MARK, MARK, [MARK], (2, 3)),
    }
    propagate(rows, relations(["11"]), 400)
    assert rows[("11", "women")].grid.pairs() == {(2, 3)}
    # the same rows published the new way (shares from rounded counts, one decimal): not pinned
    rows = {key: Row(key, r.persons, r.neet, [MARK] if r.shares == [MARK] else [f"{100 * 20 / 300:.1f}"], r.truth)
            for key, r in rows.items()}
    propagate(rows, relations(["11"]), 400)
    assert len(rows[("11", "women")].grid.pairs()) > 1
