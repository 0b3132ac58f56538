"""Disclosure control, the one engine: small cells and denominators are suppressed, counts
rounded half-up to 10 everywhere (also by ``fmt.count``), shares from rounded counts at one
decimal, persons counted rather than weights, and an output-check record."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from neethelpers.errors import NeetError
from neethelpers.microdata import disclosure
from neethelpers.presentation import fmt


def _table():
    rng = np.random.default_rng(5)
    n = rng.integers(0, 40, 30)
    n[[2, 7, 11]] = [1, 4, 3]  # deliberately tiny cells
    neet = np.minimum(n, rng.integers(0, 12, 30))
    return pd.DataFrame({"fylke": [f"F{i % 3}" for i in range(30)], "alder": list(range(30)),
                         "n": n, "neet": neet, "andel": np.where(n > 0, neet / np.maximum(n, 1) * 100, np.nan)})


def test_marker_names_threshold():
    assert disclosure.marker(5) == "prikket (<5)"
    assert disclosure.marker(10) == "prikket (<10)"


@pytest.mark.parametrize("threshold", [3, 5, 10])
def test_small_cells_and_denominators_are_hidden(threshold):
    t = _table()
    out = disclosure.suppress(t, ["neet"], threshold=threshold, denominator_cols=["n"], label_cols=["alder"])
    mark = disclosure.marker(threshold)
    hidden = (t["neet"] < threshold) | (t["n"] < threshold)
    assert out.attrs["suppressed_rows"] == hidden.sum()
    for col in ("n", "neet", "andel"):
        assert (out.loc[hidden, col] == mark).all()
        shown = out.loc[~hidden, col]
        assert not (shown == mark).any()
    # Every value still shown rests on at least `threshold` persons in its cell and denominator
    shown_rows = out["andel"] != mark
    assert (t.loc[shown_rows, "n"] >= threshold).all() and (t.loc[shown_rows, "neet"] >= threshold).all()
    # Labels are kept
    assert out["fylke"].tolist() == t["fylke"].tolist()
    assert out["alder"].tolist() == t["alder"].tolist()


def test_numeric_columns_are_values_unless_labelled():
    t = _table()
    out = disclosure.suppress(t, ["neet"], denominator_cols=["n"])
    hidden = (t["neet"] < 5) | (t["n"] < 5)
    assert (out.loc[hidden, "alder"] == disclosure.marker()).all()  # conservative default


def _half_up(value: int, base: int = 10) -> int:
    """Independent expectation: decimal arithmetic with ROUND_HALF_UP."""
    return int((Decimal(int(value)) / base).quantize(Decimal(1), rounding=ROUND_HALF_UP) * base)


EDGES = [4, 5, 14, 15, 25, 1785]


@pytest.mark.parametrize("value", EDGES)
def test_one_rounding_rule_at_its_edges(value):
    expected = _half_up(value)
    assert disclosure.round_count(value) == expected
    assert disclosure.round_counts([value])[0] == expected
    # fmt.count is the same rule, not Python's round-half-even (5 -> 0, 25 -> 20)
    assert fmt.count(value, 10) == fmt.number(expected, 0)
    assert fmt.count(float(value), 10) == fmt.number(expected, 0)


def test_rounding_edges_have_the_values_half_up_gives():
    # the edges are where the old rules disagreed: half-even gave 0, 20 and 20 for 5, 15 and 25
    assert [_half_up(v) for v in EDGES] == [0, 10, 10, 20, 30, 1790]


def test_rounding_matches_decimal_half_up_on_many_values():
    values = np.arange(0, 5000)
    for base in (3, 5, 10, 100):
        np.testing.assert_array_equal(disclosure.round_counts(values, base), [_half_up(v, base) for v in values])
    assert np.isnan(disclosure.round_counts([np.nan])[0])
    assert disclosure.round_count(None) is None


def test_shares_are_computed_from_rounded_counts_at_one_decimal():
    rng = np.random.default_rng(3)
    for k, n in zip(rng.integers(5, 400, 500), rng.integers(400, 3000, 500)):
        got = disclosure.share(k, n)
        exact = Fraction(100 * _half_up(int(k)), _half_up(int(n)))
        assert got == float((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)), (k, n)
    assert disclosure.share(7, 233) == 4.3  # 10 of 230, not 3.0 (7 of 233)
    assert np.isnan(disclosure.share(np.nan, 10)) and np.isnan(disclosure.share(1, 2))  # rounded denominator 0
    assert disclosure.round_share(12.25) == 12.3 and disclosure.round_share(0.05) == 0.1


def test_prose_counts_never_say_about_zero():
    assert disclosure.count_text(3, 5, 10) == disclosure.marker(5)
    assert disclosure.count_text(5, 5, 10) == "10"
    # weighted: 40 by weights but only 3 person records behind it
    assert disclosure.count_text(40, 5, 10, persons=3) == disclosure.marker(5)


def test_person_counts_use_persons_not_weights():
    cells = pd.DataFrame({"n": [40, 12, 7], "neet": [30, 2, 7], "persons": [4, 12, 3]})
    k, o = disclosure.person_counts(cells)
    # each person record has a whole weight of at least 1: at most persons - 1 records can
    # be NEET when someone is not, and so on; never more than the records there are
    assert (k + o <= cells["persons"]).all()
    assert k.tolist() == [1, 2, 3] and o.tolist() == [1, 10, 0]
    # a declared split of the records is used as it is ...
    k2, o2 = disclosure.person_counts(cells.assign(neet_persons=[2, 2, 3]))
    assert k2.tolist() == [2, 2, 3] and o2.tolist() == [2, 10, 0]
    # ... but the cells module's fill for a missing split, min(neet, persons), is not a count
    k3, o3 = disclosure.person_counts(cells.assign(neet_persons=np.minimum(cells["neet"], cells["persons"])))
    assert k3.tolist() == k.tolist() and o3.tolist() == o.tolist()
    plain = cells.drop(columns="persons")
    k, o = disclosure.person_counts(plain)
    assert k.tolist() == [30, 2, 7] and o.tolist() == [10, 10, 0]


def test_output_check_record_is_written_and_collected(tmp_path):
    log = disclosure.CheckLog("testside", 5, 10)
    log.add("tabell A", "tabell", 12, 3, True)
    log.add("modell 1", "modell", 9, 1, True)
    path = log.write(tmp_path / "side" / "_assets")
    payload = json.loads(path.read_text(encoding="utf-8"))
    assert payload["threshold"] == 5 and len(payload["checks"]) == 2
    assert payload["checks"][0]["rule"] == disclosure.rule_text(5, 10)
    # writing again replaces the same outputs rather than adding duplicates
    disclosure.CheckLog("testside", 5, 10).add("tabell A", "tabell", 12, 4, True)
    log2 = disclosure.CheckLog("testside", 5, 10)
    log2.add("tabell A", "tabell", 12, 4, True)
    log2.write(tmp_path / "side" / "_assets")
    frame = disclosure.collect_checks(tmp_path)
    assert list(frame.columns) == disclosure.CHECK_COLUMNS
    assert len(frame) == 2 and set(frame["kontroll"]) == {"bestått"}
    assert frame.set_index("utdata").at["tabell A", "prikket"] == 4
    with pytest.raises(NeetError):
        log.add("tabell B", "tabell", 1, 0, False)


def test_counts_are_rounded_shares_kept():
    t = _table()
    out = disclosure.suppress(t, ["neet"], denominator_cols=["n"], round_to=10)
    keep = out["n"] != disclosure.marker()
    assert all(int(v) % 10 == 0 for v in out.loc[keep, "n"])
    assert all(abs(int(r) - int(v)) <= 5 for r, v in zip(out.loc[keep, "n"], t.loc[keep, "n"]))
    np.testing.assert_allclose(out.loc[keep, "andel"].astype(float), t.loc[keep, "andel"])


def test_missing_counts_are_unsafe():
    t = pd.DataFrame({"n": [10, np.nan], "v": [1.0, 2.0]})
    out = disclosure.suppress(t, "n")
    assert out.loc[1, "v"] == disclosure.marker()
    assert out.loc[0, "v"] == 1.0


def test_does_not_modify_input_and_checks_arguments():
    t = _table()
    before = t.copy()
    disclosure.suppress(t, ["neet"], denominator_cols=["n"])
    pd.testing.assert_frame_equal(t, before)
    with pytest.raises(KeyError):
        disclosure.suppress(t, ["persons"])
    with pytest.raises(ValueError):
        disclosure.suppress(t, ["n"], threshold=0)
    assert disclosure.is_safe(5) and not disclosure.is_safe(4) and not disclosure.is_safe(None)
