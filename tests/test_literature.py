"""Tests for neethelpers.series.literature and the files in data/literature/."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from neethelpers import paths
from neethelpers.chapters import literature as chapter
from neethelpers.errors import DataError
from neethelpers.series import literature

LIT = paths.LITERATURE_DIR
SEEDS = paths.PROJECT_ROOT.parent / "shared" / "seeds"


def _rows(name: str) -> list[dict[str, str]]:
    """The file read with the csv module only, independent of the loader."""
    with open(LIT / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def evidence() -> pd.DataFrame:
    return literature.load_evidence()


@pytest.fixture(scope="module")
def weaknesses() -> pd.DataFrame:
    return literature.load_system_weaknesses()


@pytest.fixture(scope="module")
def interventions(evidence) -> pd.DataFrame:
    return literature.load_interventions(evidence=evidence)


@pytest.fixture(scope="module")
def strategy(evidence, weaknesses) -> pd.DataFrame:
    return literature.load_strategy_measures(evidence=evidence, weaknesses=weaknesses)


def _write(tmp_path: Path, name: str, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    path = tmp_path / name
    columns = columns or list(rows[0])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


# --- schema of every file ------------------------------------------------------------

def test_evidence_has_at_least_100_findings_each_with_study_and_section(evidence):
    raw = _rows("evidence.csv")
    assert len(evidence) == len(raw) >= 100
    for r in raw:
        assert r["study_author"].strip(), r["finding_id"]
        assert r["source_section"].strip(), r["finding_id"]
        assert r["source_lines"].strip(), r["finding_id"]
        assert r["bibkey"].strip(), r["finding_id"]


def test_evidence_columns_and_types(evidence):
    assert list(evidence.columns) == list(literature.EVIDENCE_COLUMNS)
    assert evidence["effect_size"].dtype == float
    assert str(evidence["study_year"].dtype) == "Int64"
    assert set(evidence.outcome) <= set(literature.OUTCOMES)
    assert set(evidence.direction) <= set(literature.DIRECTIONS)
    assert set(evidence.factor_category) <= set(literature.FACTOR_CATEGORIES)
    assert evidence.finding_id.is_unique
    # values survive parsing unchanged (compare with the csv module)
    raw = {r["finding_id"]: r for r in _rows("evidence.csv")}
    for r in evidence.itertuples(index=False):
        text = raw[r.finding_id]["effect_size"]
        assert (text == "" and math.isnan(r.effect_size)) or float(text) == r.effect_size


def test_every_file_loads_with_its_columns(interventions, weaknesses, strategy):
    assert list(interventions.columns) == list(literature.INTERVENTION_COLUMNS)
    assert list(weaknesses.columns) == list(literature.WEAKNESS_COLUMNS)
    assert list(strategy.columns) == list(literature.STRATEGY_COLUMNS)
    assert len(interventions) == len(_rows("interventions.csv")) > 0
    assert len(weaknesses) == len(_rows("system_weaknesses.csv")) > 0
    assert len(strategy) == len(_rows("strategy_measures.csv")) == 15
    assert set(weaknesses.kind) == set(literature.WEAKNESS_KINDS)


def test_every_source_document_contributes(evidence):
    assert set(evidence.source_document) == set(literature.SOURCE_DOCUMENTS)


@pytest.mark.skipif(not SEEDS.exists(), reason=f"needs the source documents in {SEEDS} (outside the repository; present in CI)")
def test_line_references_point_inside_the_seed_files():
    lengths = {}
    for seed in SEEDS.glob("00*_*.txt"):
        lengths[seed.name[:3]] = len(seed.read_text(encoding="utf-8").splitlines())
    for name in ("evidence.csv", "interventions.csv", "system_weaknesses.csv", "strategy_measures.csv"):
        for r in _rows(name):
            for part in r["source_lines"].split("; "):
                last = int(part.split("-")[-1])
                first = int(part.split("-")[0])
                assert 1 <= first <= last <= lengths[r["source_document"]], (name, r)


# --- bibliography --------------------------------------------------------------------

def test_every_bibkey_exists_in_references_bib():
    assert literature.missing_bibkeys() == set()


def test_source_documents_are_in_the_bibliography():
    keys = literature.bib_keys()
    for key in ("analysenotat_langtidsneet", "fyhn2021", "strand2020", "kalsto2022", "akershus_ungdomshelsestrategi"):
        assert key in keys


def test_missing_bibkeys_reports_an_absent_key(tmp_path):
    text = literature.BIB_PATH.read_text(encoding="utf-8")
    start = text.index("@misc{oecd2018,")
    end = text.index("\n}", start) + 2
    bib = tmp_path / "refs.bib"
    bib.write_text(text[:start] + text[end:], encoding="utf-8")
    assert literature.missing_bibkeys(bib) == {"oecd2018"}


def test_bib_keys_ignores_comments(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("@comment{x, y}\n@misc{abc2020,\n  year = {2020}\n}\n@Article{ Def ,\n}\n", encoding="utf-8")
    assert literature.bib_keys(bib) == {"abc2020", "Def"}


# --- cross-file references -----------------------------------------------------------

def test_factors_in_interventions_and_strategy_are_known_factors(evidence):
    known = {r["factor"] for r in _rows("evidence.csv")}
    named = []
    for r in _rows("interventions.csv"):
        named += [f for f in r["factors_addressed"].split(";") if f]
    for r in _rows("strategy_measures.csv"):
        named += [f for f in (r["factors_stated"] + ";" + r["factors_inferred"]).split(";") if f]
    assert named and set(named) <= known
    weakness_ids = {r["weakness_id"] for r in _rows("system_weaknesses.csv")}
    for r in _rows("strategy_measures.csv"):
        assert {w for w in r["weaknesses_addressed"].split(";") if w} <= weakness_ids


def test_unknown_factor_in_interventions_is_a_data_error(tmp_path, evidence):
    rows = _rows("interventions.csv")
    rows[2]["factors_addressed"] = "Ingen tidligere arbeidserfaring;Månefase"
    path = _write(tmp_path, "interventions.csv", rows)
    with pytest.raises(DataError) as err:
        literature.load_interventions(path, evidence=evidence)
    assert err.value.column == "factors_addressed"
    assert err.value.row == 4
    assert err.value.value == "Månefase"


def test_unknown_weakness_in_strategy_is_a_data_error(tmp_path, evidence, weaknesses):
    rows = _rows("strategy_measures.csv")
    rows[0]["weaknesses_addressed"] = "W99"
    path = _write(tmp_path, "strategy_measures.csv", rows)
    with pytest.raises(DataError, match="weakness id not found"):
        literature.load_strategy_measures(path, evidence=evidence, weaknesses=weaknesses)


# --- bad input -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "column, value, message",
    [
        ("outcome", "arbeidsløs", "fails schema"),
        ("direction", "sterk", "fails schema"),
        ("effect_size", "1,20", "decimal comma"),
        ("study_year", "2019a", "not a whole number"),
        ("source_lines", "ca. 800", "fails schema"),
        ("source_document", "005", "fails schema"),
        ("study_author", "", "fails schema"),
    ],
)
def test_bad_evidence_values_raise_data_error(tmp_path, column, value, message):
    rows = _rows("evidence.csv")
    rows[5][column] = value
    path = _write(tmp_path, "evidence.csv", rows)
    with pytest.raises(DataError, match=message) as err:
        literature.load_evidence(path)
    assert err.value.column == column
    assert err.value.row == 7  # header is line 1, rows[5] is line 7
    assert "evidence.csv" in str(err.value)


def test_effect_size_without_unit_is_rejected(tmp_path):
    rows = _rows("evidence.csv")
    target = next(i for i, r in enumerate(rows) if r["effect_unit"] == "ratio")
    rows[target]["effect_unit"] = ""
    with pytest.raises(DataError, match="given together") as err:
        literature.load_evidence(_write(tmp_path, "evidence.csv", rows))
    assert err.value.row == target + 2


def test_effect_outside_confidence_interval_is_rejected(tmp_path):
    rows = _rows("evidence.csv")
    target = next(i for i, r in enumerate(rows) if r["ci_low"])
    rows[target]["effect_size"] = str(float(rows[target]["ci_high"]) + 1)
    with pytest.raises(DataError, match="outside its confidence interval"):
        literature.load_evidence(_write(tmp_path, "evidence.csv", rows))


def test_duplicate_finding_id_and_missing_column_are_rejected(tmp_path):
    rows = _rows("evidence.csv")
    rows[1]["finding_id"] = rows[0]["finding_id"]
    with pytest.raises(DataError, match="duplicate row"):
        literature.load_evidence(_write(tmp_path, "evidence.csv", rows))
    columns = [c for c in literature.EVIDENCE_COLUMNS if c != "bibkey"]
    with pytest.raises(DataError, match="missing column") as err:
        literature.load_evidence(_write(tmp_path, "evidence2.csv", _rows("evidence.csv"), columns))
    assert err.value.column == "bibkey"


def test_note_factor_needs_its_pole(tmp_path):
    rows = _rows("evidence.csv")
    target = next(i for i, r in enumerate(rows) if r["note_factor"])
    rows[target]["note_factor_pole"] = ""
    with pytest.raises(DataError, match="note_factor_pole"):
        literature.load_evidence(_write(tmp_path, "evidence.csv", rows))


# --- computations --------------------------------------------------------------------

def test_overview_counts_equal_an_independent_count(evidence):
    raw = _rows("evidence.csv")
    expected = Counter((r["factor_category"], r["outcome"], r["direction"]) for r in raw)
    got = literature.overview_counts(evidence)
    assert {(r.factor_category, r.outcome, r.direction): r.n for r in got.itertuples()} == dict(expected)
    expected_f = Counter((r["factor"], r["outcome"], r["direction"]) for r in raw)
    got_f = literature.overview_counts(evidence, by="factor")
    assert {(r.factor, r.outcome, r.direction): r.n for r in got_f.itertuples()} == dict(expected_f)
    assert got.n.sum() == len(raw)


def test_overview_cells_totals_and_dominant_direction(evidence):
    cells = literature.overview_cells(evidence)
    raw = _rows("evidence.csv")
    per_cell = Counter((r["factor_category"], r["outcome"]) for r in raw)
    assert {(r.factor_category, r.outcome): r.n for r in cells.itertuples()} == dict(per_cell)
    small = pd.DataFrame({
        "factor_category": ["Helse"] * 5, "factor": ["A", "A", "A", "B", "B"],
        "outcome": ["neet", "neet", "neet", "neet", "neet"],
        "direction": ["økt risiko", "økt risiko", "blandet", "økt risiko", "ingen sammenheng"],
    })
    by_factor = literature.overview_cells(small, by="factor").set_index("factor")
    assert by_factor.at["A", "dominant_direction"] == "økt risiko"
    assert not by_factor.at["A", "unanimous"]
    assert by_factor.at["B", "dominant_direction"] == "blandet"  # a tie
    assert list(literature.overview_cells(small, by="factor", min_findings=3).factor) == ["A"]


def test_ratio_findings_take_stated_ratios_and_exp_of_logit(evidence):
    raw = _rows("evidence.csv")
    ratios = literature.ratio_findings(evidence).set_index("finding_id")
    stated = {r["finding_id"]: float(r["effect_size"]) for r in raw if r["effect_unit"] == "ratio"}
    logit = {r["finding_id"]: r for r in raw if r["effect_unit"] == "koeffisient" and r["model"] == "logit"}
    assert set(ratios.index) == set(stated) | set(logit)
    for fid, value in stated.items():
        assert ratios.at[fid, "ratio"] == value
    for fid, r in logit.items():
        assert ratios.at[fid, "ratio"] == pytest.approx(math.exp(float(r["effect_size"])))
        if r["ci_low"]:
            assert ratios.at[fid, "ratio_low"] == pytest.approx(math.exp(float(r["ci_low"])))
    assert (ratios.ratio > 0).all()
    no_logit = literature.ratio_findings(evidence, include_logit=False)
    assert set(no_logit.finding_id) == set(stated)


def _frame(rows: list[dict]) -> pd.DataFrame:
    base = {"study_author": "X", "study_year": 2020, "source_document": "001", "outcome": "neet",
            "effect_size": math.nan, "effect_unit": "", "model": "ikke oppgitt", "ci_low": math.nan,
            "ci_high": math.nan, "comparison_group": "c", "factor": "f"}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_risk_profile_verdicts():
    note = literature.NOTE_BIBKEY
    df = _frame([
        {"note_factor": "frafall", "note_factor_pole": "risiko", "direction": "økt risiko", "bibkey": note,
         "model": "logit", "effect_size": 1.2, "effect_unit": "koeffisient", "ci_low": 1.1, "ci_high": 1.3,
         "outcome": "langtids_neet"},
        {"note_factor": "frafall", "note_factor_pole": "risiko", "direction": "økt risiko", "bibkey": "a2020"},
        # a protective-side finding that lowers risk agrees with the note
        {"note_factor": "frafall", "note_factor_pole": "beskyttende", "direction": "redusert risiko", "bibkey": "b2020"},
        {"note_factor": "tidlarb", "note_factor_pole": "risiko", "direction": "økt risiko", "bibkey": "c2020",
         "outcome": "langtids_neet"},
        {"note_factor": "tidlarb", "note_factor_pole": "risiko", "direction": "ingen sammenheng", "bibkey": "d2020"},
        # the strategy is not independent literature
        {"note_factor": "barnevern", "note_factor_pole": "risiko", "direction": "økt risiko", "bibkey": "e2020",
         "source_document": "004"},
    ])
    comp = literature.risk_profile_comparison(df).set_index("note_factor")
    assert list(comp.index) == list(literature.NOTE_FACTORS)
    assert comp.at["frafall", "verdict"] == "samsvarer"
    assert comp.at["frafall", "n_literature"] == 2
    assert comp.at["frafall", "verdict_langtids"] == "ikke studert"
    assert comp.at["frafall", "note_estimate"] == pytest.approx(math.exp(1.2))
    assert comp.at["tidlarb", "verdict"] == "nyanserer"
    assert comp.at["tidlarb", "verdict_langtids"] == "samsvarer"
    assert comp.at["barnevern", "verdict"] == "ikke studert"
    assert comp.at["allhelse", "n_literature"] == 0


def test_risk_profile_counts_on_the_data(evidence):
    comp = literature.risk_profile_comparison(evidence).set_index("note_factor")
    raw = _rows("evidence.csv")
    for key in literature.NOTE_FACTORS:
        lit = [r for r in raw if r["note_factor"] == key and r["bibkey"] != literature.NOTE_BIBKEY
               and r["source_document"] != "004"]
        assert comp.at[key, "n_literature"] == len(lit)
        assert comp.at[key, "n_langtids"] == sum(r["outcome"] == "langtids_neet" for r in lit)
        assert {comp.at[key, "verdict"], comp.at[key, "verdict_langtids"]} <= set(literature.VERDICTS)


def test_normalised_direction():
    assert literature.normalised_direction("redusert risiko", "beskyttende") == "økt risiko"
    assert literature.normalised_direction("økt risiko", "beskyttende") == "redusert risiko"
    assert literature.normalised_direction("blandet", "beskyttende") == "blandet"
    assert literature.normalised_direction("redusert risiko", "risiko") == "redusert risiko"


def test_strategy_mapping_to_note_factors(evidence, strategy):
    mat = literature.strategy_note_matrix(strategy, evidence)
    assert list(mat.columns) == list(literature.NOTE_FACTORS)
    assert list(mat.index) == list(strategy.measure_id)
    label_to_note = {r["factor"]: r["note_factor"] for r in _rows("evidence.csv") if r["note_factor"]}
    for r in _rows("strategy_measures.csv"):
        stated = {label_to_note[f] for f in r["factors_stated"].split(";") if f in label_to_note}
        inferred = {label_to_note[f] for f in r["factors_inferred"].split(";") if f in label_to_note}
        for nf in literature.NOTE_FACTORS:
            expected = "strategien" if nf in stated else "tolkning" if nf in inferred else ""
            assert mat.at[r["measure_id"], nf] == expected, (r["measure_id"], nf)
    uncovered = literature.uncovered_note_factors(strategy, evidence)
    assert uncovered == [nf for nf in literature.NOTE_FACTORS if (mat[nf] == "").all()]


def test_glue_values_are_formatted_counts(evidence, interventions, weaknesses, strategy):
    values = chapter.glue_values(evidence, interventions, weaknesses, strategy)
    assert all(isinstance(v, str) and v for v in values.values())
    raw = _rows("evidence.csv")
    assert values["n_findings"] == str(len(raw))
    assert values["n_studies"] == str(len({r["bibkey"] for r in raw}))
    assert values["n_docs_001"] == str(sum(r["source_document"] == "001" for r in raw))


def test_display_tables_keep_every_row(evidence, interventions, weaknesses, strategy):
    assert len(chapter.findings_display(evidence)) == len(evidence)
    assert len(chapter.interventions_display(interventions)) == len(interventions)
    shown = len(chapter.weaknesses_display(weaknesses)) + len(chapter.weaknesses_display(weaknesses, "kunnskapshull"))
    assert shown == len(weaknesses)
    assert len(chapter.strategy_display(strategy, evidence, weaknesses)) == len(strategy)
    comp = chapter.comparison_display(literature.risk_profile_comparison(evidence))
    assert len(comp) == len(literature.NOTE_FACTORS)


def test_figures_return_the_plotted_data(evidence):
    import matplotlib.pyplot as plt

    cells = literature.overview_cells(evidence)
    fig, data = chapter.plot_overview(cells)
    assert len(data) == len(cells)
    plt.close(fig)
    ratios = literature.ratio_findings(evidence)
    fig, data = chapter.plot_ratios(ratios)
    assert list(data.finding_id) == list(ratios.finding_id)
    plt.close(fig)


# --- the chapter notebook ------------------------------------------------------------

NOTEBOOK = paths.NOTEBOOKS_DIR / "01_literature.ipynb"


def test_notebook_is_stored_without_outputs_and_has_one_parameters_cell():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1
    assert code[0] is params[0]


@pytest.mark.slow
def test_notebook_executed_in_the_book_build_has_its_figures_tables_and_downloads(built_book):
    # The session's book build executed the notebook with papermill on its defaults; the
    # smoke check reads that output instead of executing the chapter a second time.
    generated = built_book.root / "book" / "generated"
    text = (generated / "risikofaktorer.ipynb").read_text(encoding="utf-8")
    for label in ("fig-litteratur-oversikt", "fig-litteratur-faktorer", "fig-litteratur-forholdstall",
                  "tab-litteratur-risikoprofil", "tab-litteratur-strategi"):
        assert label in text
    assert (generated / "_assets" / "litteratur-oversikt.svg").exists()
    assert (generated / "_assets" / "litteratur-funn.csv").exists()


def test_the_catalogued_file_is_read_through_the_hash_checking_loader(monkeypatch):
    from neethelpers import data
    from neethelpers.data import catalog

    real_entry = catalog.entry

    def tampered(dataset_id, path=None):
        found = dict(real_entry(dataset_id, path))
        if dataset_id == "literature_evidence":
            found["sha256"] = "0" * 64  # as if the file had been edited after its hash was recorded
        return found

    data.clear_cache()
    monkeypatch.setattr(catalog, "entry", tampered)
    with pytest.raises(DataError, match="sha256 differs"):
        literature.load_evidence()
    data.clear_cache()




def test_f075_and_f103_are_coded_as_the_source_says():
    from neethelpers import data

    ev = data.load("literature_evidence").set_index("finding_id")
    # F075: weak labour-market attachment, not "no work experience" (the note's tidlarb)
    assert ev.loc["F075", "factor"] == "Svak tilknytning til arbeidslivet"
    assert not isinstance(ev.loc["F075", "note_factor"], str) or ev.loc["F075", "note_factor"] != "tidlarb"
    # F103: the controls belong to the grades-PIAAC relation, not to the NEET model
    assert "ikke NEET-modellen" in ev.loc["F103", "evidence_note"]
