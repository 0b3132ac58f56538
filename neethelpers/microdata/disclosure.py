"""Disclosure control for results computed from real (register) data: the one engine.

Every table, figure, glued number and CSV download that is computed from real microdata
or microdata.no cell counts passes through this module before it is published (the
synthetic cohort describes nobody and needs none). The rules, as the method appendix
states them in Norwegian (``book/appendix/metode.md``, «Personvern og prikking»):

1. **Persons, never weights.** Every threshold is applied to numbers of *persons*
   (person records), not to weighted counts. Cell files may carry a column ``persons``
   (the number of person records behind a cell when weights were used); without it a
   cell's ``n`` is its number of persons. How many of a weighted cell's records are
   long-term NEET is taken as the smallest number consistent with whole weights of at
   least 1 (:func:`person_counts`), so weights can only make the engine suppress more,
   never less.
2. **Primary suppression.** A value is suppressed when any count of persons it rests on
   is below ``threshold`` (default 5): its numerator, its denominator and the complement
   (denominator − numerator; a share of 98 % in a group of 100 reveals a group of 2). A
   suppressed value shows :func:`marker` («prikket (<5)») in the HTML and in the CSV.
3. **Rounding.** Every count that is shown is rounded to the nearest ``round_to``
   (default 10), halves upwards (:func:`round_count`: 5 → 10, 15 → 20, 25 → 30,
   1 785 → 1 790). Half-up means that a count that passes the threshold of 5 is never
   shown as 0. This is the only rounding rule in the package: one function,
   ``presentation.fmt.round_counts`` (a leaf module every layer may use), which
   ``fmt.count``, this module and every table call.
4. **Shares from rounded counts, at one decimal.** A share (or a ratio of shares) is
   computed from the *rounded* counts and published with one decimal, in the HTML and in
   the CSV files alike (:func:`share`).

   *Why this and not secondary suppression.* The pages publish totals next to their
   parts in many ways a suppression pattern would have to foresee: all = men + women,
   15–24 = 15–19 + 20–24, the rest = all − immigrants, the country = the sum of its
   counties (on other pages), and so on. A share computed from exact counts pins the
   counts down even at one decimal (35,0 % of «om lag 20» can only be 7 of 20), after
   which a suppressed part follows by subtraction. When shares are computed from the
   rounded counts, *everything* published about a group is a function of its rounded
   counts, each uncertain by ±5 persons, so no subtraction between rows, columns,
   tables or pages can recover a suppressed count: a difference of two rounded counts
   is uncertain by up to ±9 persons, more than the threshold. The rule is applied the
   same way everywhere and needs no bookkeeping of which totals sit on which page. The
   price is precision in small groups, which is of the order the counts are rounded to
   anyway. ``tests/test_disclosure_attack.py`` enumerates every (count, persons) pair
   consistent with what a page publishes and shows that no suppressed cell is pinned down.
5. **Models.** A coefficient is suppressed when the persons with or without its
   characteristic, long-term NEET or not, are fewer than ``threshold``
   (:func:`unsafe_rows` on the model's person counts). Every output derived from a model
   follows the decision of the coefficients it uses: a predicted probability is
   suppressed when a coefficient of its profile is (the difference of two predictions
   would otherwise reveal it); a marginal effect follows its own coefficient (it is a
   contrast of the same variable; the other coefficients enter only through an average
   over the unpublished distribution of the data, from which a single coefficient cannot
   be solved).
6. **Messages reveal nothing.** When a model cannot be estimated, the page says so in
   Norwegian without describing the group that caused it (:data:`NOT_ESTIMABLE`); a count
   of a non-empty group under the threshold is never written as «om lag 0».

Every chapter writes an **output-check record** (:class:`CheckLog`): for each table,
figure and model from real data the rule applied, the number of values and of
suppressed values, and whether the independent check (:func:`verify_counts`,
:func:`verify_shares`) passed. A failed check stops the page rather than publishing it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from neethelpers.presentation import fmt

__all__ = [
    "DEFAULT_THRESHOLD", "DEFAULT_ROUND_TO", "SHARE_DECIMALS", "NOT_ESTIMABLE", "marker", "round_count",
    "round_counts", "share", "shares", "round_share", "is_safe", "person_counts", "unsafe_rows", "suppress",
    "count_text", "rule_text", "Check", "CheckLog", "CHECK_SUFFIX", "collect_checks", "reset_record", "verify_counts",
    "verify_shares",
]

DEFAULT_THRESHOLD = 5
DEFAULT_ROUND_TO = 10
SHARE_DECIMALS = 1
#: What a page says when a model cannot be estimated (never why, in terms of a group).
NOT_ESTIMABLE = ("kunne ikke estimeres av hensyn til datagrunnlaget eller personvernet "
                 "(for få personer eller for lite variasjon i utvalget)")
CHECK_SUFFIX = "-utdatakontroll.json"


def marker(threshold: int = DEFAULT_THRESHOLD) -> str:
    """The Norwegian text shown instead of a suppressed value: ``"prikket (<5)"``."""
    return f"prikket (<{threshold})"


def rule_text(threshold: int = DEFAULT_THRESHOLD, round_to: int = DEFAULT_ROUND_TO) -> str:
    """The rule in one Norwegian sentence (for captions and the output-check record)."""
    return (f"prikket under {threshold} personer (teller, nevner og komplement); antall avrundet til nærmeste "
            f"{round_to} (halvveis opp); andeler beregnet fra avrundede antall, én desimal")


def is_safe(count, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """Whether a count of persons may be published (``count >= threshold``; missing is unsafe)."""
    try:
        value = float(count)
    except (TypeError, ValueError):
        return False
    return not np.isnan(value) and value >= threshold


# --- rounding: the one rule -----------------------------------------------------------------


def round_counts(values, round_to: int = DEFAULT_ROUND_TO) -> np.ndarray:
    """The one rounding rule (:func:`neethelpers.presentation.fmt.round_counts`, half-up to
    the nearest ``round_to``) with the disclosure default of 10."""
    return fmt.round_counts(values, round_to)


def round_count(value, round_to: int = DEFAULT_ROUND_TO):
    """One count rounded by :func:`round_counts` (``int``); ``None``/NaN are returned as given."""
    if value is None:
        return None
    try:
        if np.isnan(float(value)):
            return value
    except (TypeError, ValueError):
        return value
    return int(round_counts([value], DEFAULT_ROUND_TO if round_to is None else round_to)[0])


def round_share(value, decimals: int = SHARE_DECIMALS) -> float:
    """A share (percent) rounded half-up to ``decimals`` (exactly, in decimal arithmetic)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan")
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(q, rounding=ROUND_HALF_UP))


def share(num, den, round_to: int = DEFAULT_ROUND_TO, decimals: int = SHARE_DECIMALS) -> float:
    """The published share in percent: ``100 · R(num) / R(den)`` from the counts rounded by
    :func:`round_counts`, half-up to ``decimals``, computed exactly with integers. NaN if
    either count is missing or the rounded denominator is 0."""
    try:
        a, b = float(num), float(den)
    except (TypeError, ValueError):
        return float("nan")
    if np.isnan(a) or np.isnan(b):
        return float("nan")
    ra, rb = int(round_counts([a], round_to)[0]), int(round_counts([b], round_to)[0])
    if rb <= 0:
        return float("nan")
    scale = 100 * 10 ** decimals
    units = (2 * scale * ra + rb) // (2 * rb)  # half-up of scale·ra/rb, exact
    return units / 10 ** decimals


def shares(num, den, round_to: int = DEFAULT_ROUND_TO, decimals: int = SHARE_DECIMALS) -> np.ndarray:
    """:func:`share` for arrays."""
    return np.array([share(a, b, round_to, decimals) for a, b in zip(np.ravel(num), np.ravel(den))], dtype="float64")


def count_text(value, threshold: int = DEFAULT_THRESHOLD, round_to: int = DEFAULT_ROUND_TO, persons=None) -> str:
    """A count for prose from real data: rounded by :func:`round_counts` and written the
    Norwegian way, or the marker when the persons behind it (``persons``, default the
    value itself) are fewer than ``threshold`` — never «om lag 0» for a non-empty group."""
    persons = value if persons is None else persons
    if not is_safe(persons, threshold):
        return marker(threshold)
    return fmt.number(round_count(value, round_to), 0)


# --- persons behind a cell ------------------------------------------------------------------


def person_counts(cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """``(neet_persons, other_persons)`` per cell: how many person records behind each cell
    are certainly long-term NEET and certainly not.

    * No weights (no ``persons`` column, or ``persons == n``): exactly ``neet`` and
      ``n − neet``.
    * ``neet_persons`` known (weighted person-level data aggregated by
      :mod:`.cells`, or a cell file that declares it): ``neet_persons`` and
      ``persons − neet_persons``.
    * Otherwise a weighted cell's ``persons`` records carry whole weights of at least 1
      that add up to ``n``, so at least ``persons − (n − neet)`` of them are long-term NEET
      (and at least one when ``neet > 0``), and likewise for the others: the engine uses
      these smallest numbers, so a threshold is applied to persons who are certainly there.
      :mod:`.cells` fills a missing ``neet_persons`` with ``min(neet, persons)``, which is
      not a safe count; a value equal to that fill in a weighted cell is therefore treated
      as unknown.
    """
    n = cells["n"].to_numpy(dtype="float64")
    neet = cells["neet"].to_numpy(dtype="float64")
    p = cells["persons"].to_numpy(dtype="float64") if "persons" in cells.columns else n
    k_lo = np.minimum(np.maximum(p - (n - neet), (neet > 0).astype("float64")), p)
    o_lo = np.minimum(np.maximum(p - neet, ((n - neet) > 0).astype("float64")), p)
    if "neet_persons" not in cells.columns:
        return k_lo, o_lo
    k = cells["neet_persons"].to_numpy(dtype="float64")
    unknown = (p != n) & (k == np.minimum(neet, p))
    return np.where(unknown, k_lo, k), np.where(unknown, o_lo, p - k)


# --- row-wise suppression (model coefficients) ------------------------------------------------


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
    label_cols: Iterable[str] | None = None,
    unsafe: pd.Series | None = None,
) -> pd.DataFrame:
    """Suppress whole rows of a table computed from real data and round its counts.

    ``count_cols`` and ``denominator_cols`` hold numbers of persons; a row is suppressed
    when any of them is below ``threshold`` (or when ``unsafe`` says so). ``value_cols``
    (default: every numeric column) are hidden in suppressed rows; ``label_cols`` are kept.
    Counts of the remaining rows are rounded by :func:`round_counts`.
    """
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    counts = _as_list(count_cols)
    denominators = _as_list(denominator_cols)
    hidden = unsafe_rows(table, counts, threshold, denominators)
    if unsafe is not None:
        hidden = hidden | unsafe.reindex(table.index, fill_value=False).astype(bool)
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
        out[col] = values.astype(object).where(~hidden, mark)
    out.attrs = dict(table.attrs)
    out.attrs["suppressed_rows"] = int(hidden.sum())
    out.attrs["disclosure"] = {"threshold": threshold, "round_to": round_to}
    return out


# --- independent checks and the output-check record ------------------------------------------


def verify_counts(shown: Iterable, persons: Iterable, threshold: int, round_to: int) -> bool:
    """True when every shown count is the marker or a multiple of ``round_to`` resting on at
    least ``threshold`` persons."""
    mark = marker(threshold)
    for value, p in zip(shown, persons):
        if isinstance(value, str) and value == mark:
            continue
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            continue
        if float(value) % max(int(round_to), 1) != 0 or not is_safe(p, threshold):
            return False
    return True


def verify_shares(shown: Iterable, nums: Iterable, dens: Iterable, threshold: int) -> bool:
    """True when every shown share (not NaN, not the marker) has a numerator, denominator
    and complement of at least ``threshold`` persons and at most ``SHARE_DECIMALS`` decimals."""
    for value, k, n in zip(shown, nums, dens):
        if isinstance(value, str) or value is None or value is pd.NA or np.isnan(float(value)):
            continue
        if min(float(k), float(n), float(n) - float(k)) < threshold:
            return False
        if abs(float(value) * 10 ** SHARE_DECIMALS - round(float(value) * 10 ** SHARE_DECIMALS)) > 1e-6:
            return False
    return True


@dataclass
class Check:
    """One line of the output-check record."""

    page: str
    output: str
    kind: str  # "tabell", "figur", "modell", "tekst"
    rule: str
    values: int
    suppressed: int
    passed: bool
    note: str = ""


@dataclass
class CheckLog:
    """The output-check record of one page: what was checked, with which rule, how much was
    suppressed and whether the independent check passed. :meth:`write` stores it as JSON
    next to the page's other downloads (``_assets/<page>-utdatakontroll.json``)."""

    page: str
    threshold: int = DEFAULT_THRESHOLD
    round_to: int = DEFAULT_ROUND_TO
    checks: list[Check] = field(default_factory=list)

    def add(self, output: str, kind: str, values: int, suppressed: int, passed: bool, note: str = "") -> Check:
        check = Check(self.page, output, kind, rule_text(self.threshold, self.round_to), int(values),
                      int(suppressed), bool(passed), note)
        self.checks.append(check)
        if not passed:
            from neethelpers.errors import NeetError

            raise NeetError(f"output check failed for {self.page}/{output}: a value under the disclosure threshold "
                            "would be published; nothing from this output is shown")
        return check

    def write(self, folder: Path) -> Path:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.page}{CHECK_SUFFIX}"
        existing: list[dict] = []
        if path.is_file():
            try:
                existing = json.loads(path.read_text(encoding="utf-8")).get("checks", [])
            except (OSError, ValueError):
                existing = []
        new = [asdict(c) for c in self.checks]
        keys = {(c["output"], c["kind"]) for c in new}
        merged = [c for c in existing if (c.get("output"), c.get("kind")) not in keys] + new
        payload = {"page": self.page, "threshold": self.threshold, "round_to": self.round_to, "checks": merged}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
        return path


def reset_record(folder: Path, page: str) -> None:
    """Remove a page's output-check record before the page is rendered again, so the record
    always describes the outputs of the latest run (none for synthetic data)."""
    (Path(folder) / f"{page}{CHECK_SUFFIX}").unlink(missing_ok=True)


CHECK_COLUMNS = ["side", "utdata", "type", "regel", "verdier", "prikket", "kontroll", "merknad"]


def collect_checks(root: Path) -> pd.DataFrame:
    """Every output-check record under ``root`` (``**/_assets/*-utdatakontroll.json``) as
    one frame with Norwegian columns (:data:`CHECK_COLUMNS`), for the edition page."""
    rows = []
    for path in sorted(Path(root).glob(f"**/_assets/*{CHECK_SUFFIX}")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for c in payload.get("checks", []):
            rows.append([c.get("page"), c.get("output"), c.get("kind"), c.get("rule"), c.get("values"),
                         c.get("suppressed"), "bestått" if c.get("passed") else "ikke bestått", c.get("note", "")])
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)
