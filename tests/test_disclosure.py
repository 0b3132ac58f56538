"""Disclosure control: small cells and denominators are suppressed, counts rounded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from neethelpers.microdata import disclosure


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


def test_counts_are_rounded_shares_kept():
    t = _table()
    out = disclosure.suppress(t, ["neet"], denominator_cols=["n"], round_to=10)
    keep = out["n"] != disclosure.marker()
    assert all(int(v) % 10 == 0 for v in out.loc[keep, "n"])
    assert all(abs(int(r) - int(v)) <= 5 for r, v in zip(out.loc[keep, "n"], t.loc[keep, "n"]))
    np.testing.assert_allclose(out.loc[keep, "andel"].astype(float), t.loc[keep, "andel"])


def test_round_count():
    assert disclosure.round_count(1775) == 1780
    assert disclosure.round_count(1774) == 1770
    assert disclosure.round_count(14, round_to=1) == 14
    assert disclosure.round_count(np.nan) is not None and np.isnan(disclosure.round_count(np.nan))


def test_missing_counts_are_unsafe():
    t = pd.DataFrame({"n": [10, np.nan], "v": [1.0, 2.0]})
    out = disclosure.suppress(t, "n")
    assert out.loc[1, "v"] == disclosure.marker()
    assert out.loc[0, "v"] == 1.0


def test_complementary_suppression_protects_totals():
    t = pd.DataFrame({"g": ["a"] * 3 + ["b"] * 3, "n": [2, 50, 30, 40, 60, 70]})
    out = disclosure.suppress(t, "n", complement_by="g")
    mark = disclosure.marker()
    assert (out["n"] == mark).tolist() == [True, False, True, False, False, False]


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
