"""The analysis note's published figures: the file against the seed text, and the accessors."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest

from neethelpers import data, paths
from neethelpers.series import published

FILE = paths.PUBLISHED_DIR / "seed000_figures.csv"
SEED = paths.PROJECT_ROOT.parent / "shared" / "seeds" / "000_7e633335a4f70140.txt"


def _rows() -> list[dict]:
    with open(FILE, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _line_numbers(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(";"):
        first, _, last = part.strip().partition("–")
        out.extend(range(int(first), int(last or first) + 1))
    return out


def _csv_value(**match) -> float:
    hits = [r for r in _rows() if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, (match, len(hits))
    return float(hits[0]["value"])


@pytest.mark.skipif(not SEED.exists(), reason=f"needs the seed text {SEED} (outside the repository; present in CI)")
def test_every_figure_is_printed_at_its_lines_in_the_seed():
    seed = SEED.read_text(encoding="utf-8").splitlines()
    missing = []
    for r in _rows():
        text = " ".join(seed[n - 1] for n in _line_numbers(r["lines"]))
        pattern = rf"(?<![\d,.]){re.escape(r['printed'])}(?![\d]|[,.]\d)"
        if not re.search(pattern, text):
            missing.append((r["figure_id"], r["variable"], r["printed"], r["lines"]))
    assert not missing


def test_value_agrees_with_printed_text():
    for r in _rows():
        printed = r["printed"].replace(" ", "").replace("\u2212", "-")
        if re.fullmatch(r"-?\d+(?:[,.]\d+)?", printed):
            value = float(r["value"])
            # "0,9 prosentpoeng lavere" is stored as -0.9: the words carry the sign
            value = abs(value) if r["statistic"] == "difference_pp" else value
            assert float(printed.replace(",", ".")) == value, r
            decimals = len(re.split(r"[,.]", printed)[1]) if re.search(r"[,.]", printed) else 0
            assert int(r["decimals"]) == decimals, r


def test_file_is_in_the_catalog_and_valid():
    df = data.load("seed000_figures")
    assert len(df) == len(_rows())
    assert set(df["status"]) == {"published", "contradiction"}
    assert set(df["qualifier"]) <= {"exact", "over", "about", "under", "range"}


def test_table3_is_the_note_table_in_order():
    t = published.table3()
    assert list(t["region_code"]) == ["32", "33", "31", "03", "0"]
    assert list(t.columns) == ["region_code", "region_name", "neet", "lneet", "lneet_women", "lneet_men"]
    for _, row in t.iterrows():
        assert row["lneet"] == _csv_value(figure_id="table3", region_code=row["region_code"], variable="lneet",
                                          group="all", status="published")
        assert row["lneet_women"] == _csv_value(figure_id="table3", region_code=row["region_code"],
                                                variable="lneet", group="women", status="published")
    # L-NEET is a subset of NEET in every region
    assert (t["lneet"] < t["neet"]).all()


def test_table4_columns_and_values():
    t = published.table4()
    assert list(t["region_code"]) == ["32", "33", "31", "03", "0"]
    for _, row in t.iterrows():
        assert row["neet_immigrants"] > row["neet_rest"]
        assert row["lneet_immigrants"] == _csv_value(figure_id="table4", region_code=row["region_code"],
                                                     variable="lneet", group="immigrants", status="published")


def test_contradictions_keep_both_values():
    c = published.contradictions()
    ostfold = c[(c["figure_id"] == "table3") & (c["region_code"] == "31") & (c["variable"] == "lneet")]
    assert len(ostfold) == 1
    row = ostfold.iloc[0]
    assert row["published_value"] == _csv_value(figure_id="table3", region_code="31", variable="lneet",
                                                group="all", status="published")
    assert row["other_value"] == _csv_value(figure_id="table3", region_code="31", variable="lneet",
                                            group="all", status="contradiction")
    assert row["published_value"] != row["other_value"]
    national_immigrants = c[(c["figure_id"] == "table4") & (c["region_code"] == "0")
                            & (c["group"] == "immigrants")]
    assert len(national_immigrants) == 1
    assert all(isinstance(n, str) and n for n in c["note"])


def test_published_accessors_exclude_contradictions():
    assert (published.figures()["status"] == "published").all()
    all_rows = published.figures(include_contradictions=True)
    assert (all_rows["status"] == "contradiction").sum() == sum(r["status"] == "contradiction" for r in _rows())


def test_table2_has_eight_coefficients_with_confidence_intervals():
    t = published.table2()
    assert len(t) == 8
    assert (t["ci_low"] <= t["coef"]).all() and (t["coef"] <= t["ci_high"]).all()
    sosbakgr2 = t[(t["variable"] == "sosbakgr") & (t["level"] == "2")].iloc[0]
    assert sosbakgr2["p"] == _csv_value(figure_id="table2", variable="sosbakgr", level="2", statistic="p")


def test_model_coefficients_cover_models_1_to_4_and_lpm():
    m = published.model_coefficients()
    assert set(m["model"]) == {"1", "2", "3", "4", "lpm", ""}
    assert m[m["source"] == "table2"]["std_err"].notna().all()
    assert m[m["source"] != "table2"]["std_err"].isna().all()
    tidlarb4 = m[(m["model"] == "4") & (m["variable"] == "tidlarb")]
    assert tidlarb4["value"].iloc[0] == _csv_value(figure_id="models_prose", model="4", variable="tidlarb")
    lpm = m[m["model"] == "lpm"].set_index("variable")["value"]
    assert set(lpm.index) == {"tidlarb", "dropout", "barnevern"}


def test_risk_profile_keeps_qualifiers():
    rp = published.risk_profile()
    over = rp[(rp["variable"] == "no_work_experience") & (rp["qualifier"] == "over")]
    assert len(over) == 1 and over["printed"].iloc[0] == "70"
    third = rp[rp["statistic"] == "one_in_n"]
    assert third["qualifier"].iloc[0] == "about" and third["printed"].iloc[0] == "hver tredje"


def test_figure2_points():
    f = published.figure2_points()
    assert sorted(f["age"].unique()) == [16, 29]
    assert set(f["income_group"]) == {"all", "low_income", "high_income"}
    at29 = f[f["age"] == 29].set_index("income_group")["share"]
    assert at29["low_income"] > at29["all"] > at29["high_income"]


def test_county_details_by_code_or_name():
    by_code = published.county_details("31")
    by_name = published.county_details("ostfold")
    pd.testing.assert_frame_equal(by_code, by_name)
    assert set(by_code["region_code"]) == {"31"}
    national = published.county_details("Landet")
    assert set(national["region_code"]) == {"0"}
    everything = published.county_details()
    assert {"31", "32", "33", "03", "0"} <= set(everything["region_code"])


def test_unknown_figure_id():
    with pytest.raises(ValueError, match="unknown figure_id"):
        published.figures("table9")


def test_every_contradiction_is_recorded_and_listed_citing_sections_not_lines():
    from neethelpers.series import analysis_note

    raw = [r for r in _rows() if r["status"] == "contradiction"]
    # the summary's "60 % of the others have work experience" contradicts chapter 3.2 and 5.3
    assert any(r["variable"] == "work_experience" and r["group"] == "others" and r["printed"] == "60" for r in raw)
    table = analysis_note.contradiction_table()
    assert len(table) == len(raw) >= 9
    text = " ".join(table.astype(str).to_numpy().ravel())
    assert "linje" not in text.lower() and "se notatet" not in text
    assert all(("kapittel" in v or "sammendraget" in v) for v in table["Motstridende verdi"])
    for frame in (analysis_note.county_details("31"), analysis_note.risk_profile_statements(),
                  analysis_note.figure2_points()):
        assert "Kilde i notatet" in frame.columns and not any("Linje" in c for c in frame.columns)


def test_the_notes_national_value_next_to_a_county_keeps_the_notes_wording():
    from neethelpers.series import analysis_note

    details = analysis_note.county_details("31")
    assert analysis_note.NOTE_REST_OF_COUNTRY in set(details["Område"])
    assert "Hele landet" not in set(details["Område"])


@pytest.mark.parametrize("section,expected", [("5 Tabell 3", "kapittel 5, tabell 3"), ("5.4", "kapittel 5.4"),
                                              ("3 (Tabell 1)", "kapittel 3, tabell 1"),
                                              ("1 Sammendrag (Figur 1)", "sammendraget (figur 1)")])
def test_cite_by_section(section, expected):
    from neethelpers.series import analysis_note

    assert analysis_note.cite(section) == expected
