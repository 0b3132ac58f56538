"""The literature chapter's data: structured findings from the source documents.

Four hand-curated files live in :data:`neethelpers.paths.LITERATURE_DIR` (documented in
``data/literature/README.md``):

* ``evidence.csv`` — one row per finding (factor × outcome × study);
* ``interventions.csv`` — measures and what is known of their effect;
* ``system_weaknesses.csv`` — system weaknesses and knowledge gaps named by the scoping review;
* ``strategy_measures.csv`` — Akershus' youth strategy measures mapped to risk factors.

The loaders parse every file with explicit types, run a pandera schema and cross-file checks
(every factor label an intervention or strategy measure names must exist in the evidence,
every weakness id must exist), and raise :class:`~neethelpers.errors.DataError` naming file,
line, column, value and what was expected.

The summaries the chapter shows are computed here: the overview matrix (findings per factor
category × outcome × direction), the quantitative findings on one comparable (ratio) scale,
the analysis note's register risk profile next to the literature, and the mapping of the
strategy measures to the note's risk factors. :func:`missing_bibkeys` checks that every cited
key exists in ``book/references.bib``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from neethelpers import data, paths
from neethelpers.data import catalog, loader, schemas
from neethelpers.errors import DataError

__all__ = [
    "EVIDENCE_FILE", "INTERVENTIONS_FILE", "WEAKNESSES_FILE", "STRATEGY_FILE", "BIB_PATH",
    "FACTOR_CATEGORIES", "OUTCOMES", "OUTCOME_LABELS", "DIRECTIONS", "EFFECT_UNITS", "MODELS",
    "SOURCE_DOCUMENTS", "NOTE_FACTORS", "NOTE_FACTOR_PROSE", "NOTE_BIBKEY", "VERDICTS",
    "load_evidence", "load_interventions", "load_system_weaknesses", "load_strategy_measures",
    "overview_counts", "overview_cells", "ratio_findings", "normalised_direction",
    "risk_profile_comparison", "strategy_factor_links", "strategy_note_matrix",
    "uncovered_note_factors", "used_bibkeys", "bib_keys", "missing_bibkeys", "summary_numbers",
]

EVIDENCE_FILE = "evidence.csv"
INTERVENTIONS_FILE = "interventions.csv"
WEAKNESSES_FILE = "system_weaknesses.csv"
STRATEGY_FILE = "strategy_measures.csv"
BIB_PATH = paths.BOOK_DIR / "references.bib"

FACTOR_CATEGORIES: tuple[str, ...] = (
    "Utdanning", "Helse", "Psykososiale forhold", "Familie og oppvekst", "Sosioøkonomi",
    "Innvandring og minoritet", "Arbeidsmarked", "Kjønn og alder", "System og tjenester",
)
OUTCOMES: tuple[str, ...] = ("frafall_vgo", "arbeidsledighet", "helse_trygd", "sosialhjelp", "neet", "langtids_neet")
OUTCOME_LABELS: dict[str, str] = {
    "frafall_vgo": "Frafall fra videregående",
    "arbeidsledighet": "Arbeidsledighet",
    "helse_trygd": "Helse- og uføreytelser",
    "sosialhjelp": "Sosialhjelp",
    "neet": "NEET",
    "langtids_neet": "Langtids-NEET",
}
DIRECTIONS: tuple[str, ...] = ("økt risiko", "redusert risiko", "ingen sammenheng", "blandet")
EFFECT_UNITS: tuple[str, ...] = ("ratio", "prosent", "prosentpoeng", "koeffisient")
MODELS: tuple[str, ...] = ("logit", "lpm", "deskriptiv", "ikke oppgitt")
SOURCE_DOCUMENTS: tuple[str, ...] = ("000", "001", "002", "003", "004")
POLES: tuple[str, ...] = ("risiko", "beskyttende")
#: The analysis note's register risk factors (its variable names) and their labels in the book.
NOTE_FACTORS: dict[str, str] = {
    "frafall": "Frafall fra videregående (dropout)",
    "tidlarb": "Ingen tidligere arbeidserfaring (tidlarb)",
    "barnevern": "Barnevernstiltak (barnevern)",
    "innvandrerbakgrunn": "Innvandrerbakgrunn (innvandrerb)",
    "sosbakgr": "Lav utdanning hos foreldre (sosbakgr)",
    "husholdningsinntekt": "Lav husholdningsinntekt i G (grunnbeløp)",
    "allhelse": "Helserelaterte ytelser (allhelse)",
}
#: The same factors in running prose (lower case, without variable names).
NOTE_FACTOR_PROSE: dict[str, str] = {
    "frafall": "frafall fra videregående", "tidlarb": "manglende arbeidserfaring", "barnevern": "barnevernstiltak",
    "innvandrerbakgrunn": "innvandrerbakgrunn", "sosbakgr": "foreldrenes utdanning",
    "husholdningsinntekt": "husholdningsinntekt", "allhelse": "helserelaterte ytelser",
}
#: bibkey of the analysis note itself (source document 000): its rows are the register profile.
NOTE_BIBKEY = "analysenotat_langtidsneet"
#: The strategy repeats the note's factors, so it is not independent literature.
NOT_INDEPENDENT_SOURCES: tuple[str, ...] = ("004",)
VERDICTS: tuple[str, ...] = ("samsvarer", "nyanserer", "ikke studert")
INTERVENTION_DIRECTIONS: tuple[str, ...] = ("positiv", "negativ", "ingen effekt", "blandet", "ikke målt")
EVIDENCE_STRENGTHS: tuple[str, ...] = ("sterk", "moderat", "svak", "uklar")
WEAKNESS_KINDS: tuple[str, ...] = ("systemsvakhet", "kunnskapshull")

_LINES = r"^\d+(?:-\d+)?(?:; \d+(?:-\d+)?)*$"
_LINES_WORDS = "line numbers such as '812-815' or '589-595; 1181-1184'"
_KEY = r"^[a-z][a-z0-9_]*$"
_KEYS = r"^[a-z][a-z0-9_]*(?:;[a-z][a-z0-9_]*)*$"

EVIDENCE_COLUMNS: dict[str, str] = {
    "finding_id": "text", "factor_category": "text", "factor": "text", "outcome": "text",
    "direction": "text", "effect_size": "float", "effect_unit": "text", "comparison_group": "text",
    "population": "text", "study_author": "text", "study_year": "int", "bibkey": "text",
    "source_document": "text", "source_section": "text", "source_lines": "text", "evidence_note": "text",
    "note_factor": "text", "note_factor_pole": "text", "model": "text", "ci_low": "float", "ci_high": "float",
}
INTERVENTION_COLUMNS: dict[str, str] = {c: "text" for c in (
    "intervention_id", "measure", "target_group", "factors_addressed", "outcome", "effect_direction",
    "evidence_strength", "design", "study", "bibkey", "source_document", "source_section", "source_lines",
    "evidence_note")}
WEAKNESS_COLUMNS: dict[str, str] = {c: "text" for c in (
    "weakness_id", "kind", "theme", "weakness", "description", "study", "bibkey", "source_document",
    "source_section", "source_lines")}
STRATEGY_COLUMNS: dict[str, str] = {c: "text" for c in (
    "measure_id", "measure", "focus_area", "target_group", "goal", "factors_stated", "factors_inferred",
    "weaknesses_addressed", "source_document", "source_section", "source_lines", "mapping_note")}


# --- schemas ---------------------------------------------------------------------------

def _nonempty(name: str) -> pa.Check:
    return pa.Check(lambda s: s.str.strip() != "", element_wise=False, error="a non-empty value", name=name)


def _text(*checks: pa.Check, required: bool = True) -> pa.Column:
    return pa.Column(str, checks=[*( [_nonempty("nonempty")] if required else []), *checks], nullable=False)


def _isin(values: Iterable[str]) -> pa.Check:
    values = tuple(values)
    return pa.Check.isin(values, error="one of " + ", ".join(repr(v) for v in values))


def _matches(regex: str, words: str) -> pa.Check:
    return pa.Check.str_matches(regex, error=words)


EVIDENCE_SCHEMA = pa.DataFrameSchema(
    {
        "finding_id": _text(_matches(r"^F\d{3,}$", "an id such as 'F001'")),
        "factor_category": _text(_isin(FACTOR_CATEGORIES)),
        "factor": _text(),
        "outcome": _text(_isin(OUTCOMES)),
        "direction": _text(_isin(DIRECTIONS)),
        "effect_size": pa.Column(float, nullable=True),
        "effect_unit": _text(_isin(("",) + EFFECT_UNITS), required=False),
        "comparison_group": _text(),
        "population": _text(),
        "study_author": _text(),
        "study_year": pa.Column("Int64", pa.Check.in_range(1900, 2030, error="a year between 1900 and 2030"),
                                nullable=True),
        "bibkey": _text(_matches(_KEY, "a lower-case BibTeX key such as 'oecd2018'")),
        "source_document": _text(_isin(SOURCE_DOCUMENTS)),
        "source_section": _text(),
        "source_lines": _text(_matches(_LINES, _LINES_WORDS)),
        "evidence_note": _text(),
        "note_factor": _text(_isin(("",) + tuple(NOTE_FACTORS)), required=False),
        "note_factor_pole": _text(_isin(("",) + POLES), required=False),
        "model": _text(_isin(MODELS)),
        "ci_low": pa.Column(float, nullable=True),
        "ci_high": pa.Column(float, nullable=True),
    },
    strict=True, name="literature_evidence",
)

INTERVENTIONS_SCHEMA = pa.DataFrameSchema(
    {
        "intervention_id": _text(_matches(r"^I\d{2,}$", "an id such as 'I01'")),
        "measure": _text(), "target_group": _text(),
        "factors_addressed": _text(),
        "outcome": _text(_isin(("",) + OUTCOMES), required=False),
        "effect_direction": _text(_isin(INTERVENTION_DIRECTIONS)),
        "evidence_strength": _text(_isin(EVIDENCE_STRENGTHS)),
        "design": _text(), "study": _text(),
        "bibkey": _text(_matches(_KEYS, "';'-separated lower-case BibTeX keys")),
        "source_document": _text(_isin(SOURCE_DOCUMENTS)),
        "source_section": _text(),
        "source_lines": _text(_matches(_LINES, _LINES_WORDS)),
        "evidence_note": _text(),
    },
    strict=True, name="literature_interventions",
)

WEAKNESSES_SCHEMA = pa.DataFrameSchema(
    {
        "weakness_id": _text(_matches(r"^W\d{2,}$", "an id such as 'W01'")),
        "kind": _text(_isin(WEAKNESS_KINDS)),
        "theme": _text(), "weakness": _text(), "description": _text(), "study": _text(),
        "bibkey": _text(_matches(_KEYS, "';'-separated lower-case BibTeX keys")),
        "source_document": _text(_isin(("001",))),
        "source_section": _text(),
        "source_lines": _text(_matches(_LINES, _LINES_WORDS)),
    },
    strict=True, name="literature_system_weaknesses",
)

STRATEGY_SCHEMA = pa.DataFrameSchema(
    {
        "measure_id": _text(_matches(r"^T\d{2}$", "an id such as 'T01'")),
        "measure": _text(), "focus_area": _text(), "target_group": _text(), "goal": _text(),
        "factors_stated": _text(required=False), "factors_inferred": _text(required=False),
        "weaknesses_addressed": _text(_matches(r"^$|^W\d{2,}(?:;W\d{2,})*$", "';'-separated ids such as 'W01;W04'"),
                                      required=False),
        "source_document": _text(_isin(("004",))),
        "source_section": _text(),
        "source_lines": _text(_matches(_LINES, _LINES_WORDS)),
        "mapping_note": _text(),
    },
    strict=True, name="literature_strategy_measures",
)


# --- reading ---------------------------------------------------------------------------

def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.PROJECT_ROOT))
    except ValueError:
        return str(path)


#: Catalog ids of the curated files (``data/catalog.yml`` declares their columns).
DATASET_IDS = {EVIDENCE_FILE: "literature_evidence", INTERVENTIONS_FILE: "literature_interventions",
               WEAKNESSES_FILE: "literature_system_weaknesses", STRATEGY_FILE: "literature_strategy_measures"}


def _line(index) -> int:
    """Line number in the file of a data row (the header is line 1)."""
    return int(index) + 2


def _read(path: Path | None, file_name: str) -> pd.DataFrame:
    """The typed table of one curated file, read by the project's one loader.

    Without ``path`` the catalogued file is loaded (hash-checked, read-logged, parsed and
    typed by :func:`neethelpers.data.load`); with ``path`` (a candidate edit, before
    ``neet data rehash``) the same parser and column declaration are applied to that file.
    """
    dataset_id = DATASET_IDS[file_name]
    if path is None:
        return data.load(dataset_id).reset_index(drop=True)
    shown = _shown(path)
    if not path.exists():
        raise DataError(shown, "file does not exist", expected=f"a CSV file in {_shown(paths.LITERATURE_DIR)}")
    spec = schemas.spec_for(dataset_id, catalog.entry(dataset_id))
    return loader.parse_bytes(path.read_bytes(), spec, shown).reset_index(drop=True)


def _validate(df: pd.DataFrame, schema: pa.DataFrameSchema, shown: str) -> pd.DataFrame:
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        column = first.get("column")
        index = first.get("index")
        value = first.get("failure_case")
        check = str(first.get("check"))
        expected = check
        col_schema = schema.columns.get(column) if column is not None else None
        if col_schema is not None:
            for chk in col_schema.checks:
                if chk.error and (chk.name == check or check.startswith(str(chk.name)) or chk.error in check):
                    expected = chk.error
                    break
        row = _line(index) if index is not None and not pd.isna(index) else None
        raise DataError(shown, f"fails schema {schema.name!r} ({len(cases)} problem(s))", column=column,
                        row=row, value=value, expected=expected) from None


def split_labels(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def load_evidence(path: Path | None = None) -> pd.DataFrame:
    """The validated findings table (``evidence.csv``)."""
    path = Path(path) if path is not None else None
    shown = _shown(path if path is not None else paths.LITERATURE_DIR / EVIDENCE_FILE)
    df = _validate(_read(path, EVIDENCE_FILE), EVIDENCE_SCHEMA, shown)
    for idx, r in df.iterrows():
        line = _line(idx)
        has_size = not pd.isna(r.effect_size)
        if has_size != (r.effect_unit != ""):
            raise DataError(shown, "effect_size and effect_unit must be given together", column="effect_unit",
                            row=line, value=r.effect_unit or None,
                            expected="a unit exactly when effect_size has a number")
        if r.effect_unit == "ratio" and has_size and r.effect_size <= 0:
            raise DataError(shown, "a ratio must be positive", column="effect_size", row=line,
                            value=r.effect_size, expected="a number above 0")
        if r.effect_unit == "koeffisient" and r.model not in ("logit", "lpm"):
            raise DataError(shown, "a coefficient needs its model", column="model", row=line, value=r.model,
                            expected="'logit' or 'lpm' when effect_unit is 'koeffisient'")
        has_ci = not pd.isna(r.ci_low) or not pd.isna(r.ci_high)
        if has_ci:
            if pd.isna(r.ci_low) or pd.isna(r.ci_high) or not has_size:
                raise DataError(shown, "a confidence interval needs both ends and an effect size",
                                column="ci_low", row=line, expected="ci_low, ci_high and effect_size all given")
            if not (r.ci_low <= r.effect_size <= r.ci_high):
                raise DataError(shown, "effect_size outside its confidence interval", column="effect_size",
                                row=line, value=r.effect_size, expected=f"between {r.ci_low} and {r.ci_high}")
        if (r.note_factor == "") != (r.note_factor_pole == ""):
            raise DataError(shown, "note_factor and note_factor_pole must be given together",
                            column="note_factor_pole", row=line, value=r.note_factor_pole or None,
                            expected="'risiko' or 'beskyttende' exactly when note_factor is set")
    # a factor label belongs to one category, so the overview never splits a factor
    cats = df.groupby("factor")["factor_category"].nunique()
    split = cats[cats > 1]
    if not split.empty:
        factor = split.index[0]
        idx = df.index[df.factor == factor][0]
        raise DataError(shown, "factor label used in more than one category", column="factor_category",
                        row=_line(idx), value=factor, expected="one factor_category per factor label")
    return df


def _check_factor_refs(df: pd.DataFrame, columns: Iterable[str], known: set[str], shown: str) -> None:
    for col in columns:
        for idx, value in df[col].items():
            for label in split_labels(value):
                if label not in known:
                    raise DataError(shown, "factor label not found in evidence.csv", column=col, row=_line(idx),
                                    value=label, expected="a `factor` label used in data/literature/evidence.csv")


def _known_factors(evidence: pd.DataFrame | None) -> set[str]:
    ev = load_evidence() if evidence is None else evidence
    return set(ev["factor"])


def load_interventions(path: Path | None = None, evidence: pd.DataFrame | None = None) -> pd.DataFrame:
    """The validated measures table; every factor it names must exist in the evidence."""
    path = Path(path) if path is not None else None
    shown = _shown(path if path is not None else paths.LITERATURE_DIR / INTERVENTIONS_FILE)
    df = _validate(_read(path, INTERVENTIONS_FILE), INTERVENTIONS_SCHEMA, shown)
    _check_factor_refs(df, ["factors_addressed"], _known_factors(evidence), shown)
    return df


def load_system_weaknesses(path: Path | None = None) -> pd.DataFrame:
    """The validated table of system weaknesses and knowledge gaps (scoping review, 001)."""
    path = Path(path) if path is not None else None
    shown = _shown(path if path is not None else paths.LITERATURE_DIR / WEAKNESSES_FILE)
    df = _validate(_read(path, WEAKNESSES_FILE), WEAKNESSES_SCHEMA, shown)
    return df


def load_strategy_measures(path: Path | None = None, evidence: pd.DataFrame | None = None,
                           weaknesses: pd.DataFrame | None = None) -> pd.DataFrame:
    """The validated strategy-measure table; factor labels and weakness ids must exist."""
    path = Path(path) if path is not None else None
    shown = _shown(path if path is not None else paths.LITERATURE_DIR / STRATEGY_FILE)
    df = _validate(_read(path, STRATEGY_FILE), STRATEGY_SCHEMA, shown)
    _check_factor_refs(df, ["factors_stated", "factors_inferred"], _known_factors(evidence), shown)
    known_w = set((load_system_weaknesses() if weaknesses is None else weaknesses)["weakness_id"])
    for idx, value in df["weaknesses_addressed"].items():
        for wid in split_labels(value):
            if wid not in known_w:
                raise DataError(shown, "weakness id not found in system_weaknesses.csv", column="weaknesses_addressed",
                                row=_line(idx), value=wid, expected="a weakness_id from data/literature/system_weaknesses.csv")
    return df


# --- computations shown in the chapter ---------------------------------------------------

def overview_counts(evidence: pd.DataFrame, by: str = "factor_category") -> pd.DataFrame:
    """Number of findings per ``by`` (``factor_category`` or ``factor``) × outcome × direction.

    Long format with columns ``by``, ``outcome``, ``direction``, ``n``; only non-empty cells.
    """
    if by not in ("factor_category", "factor"):
        raise ValueError("by must be 'factor_category' or 'factor'")
    keys = ["factor_category", "factor"] if by == "factor" else ["factor_category"]
    out = (evidence.groupby(keys + ["outcome", "direction"], observed=True).size()
           .rename("n").reset_index())
    cat_order = {c: i for i, c in enumerate(FACTOR_CATEGORIES)}
    out = out.assign(_c=out.factor_category.map(cat_order), _o=out.outcome.map(OUTCOMES.index),
                     _d=out.direction.map(DIRECTIONS.index))
    sort = ["_c"] + (["factor"] if by == "factor" else []) + ["_o", "_d"]
    return out.sort_values(sort).drop(columns=["_c", "_o", "_d"]).reset_index(drop=True)


def overview_cells(evidence: pd.DataFrame, by: str = "factor_category", min_findings: int = 1) -> pd.DataFrame:
    """One row per ``by`` × outcome cell: total findings, count per direction and the
    dominant direction (the most frequent; a tie between different directions gives
    ``"blandet"``). Rows whose total across outcomes is below ``min_findings`` are dropped.
    """
    long = overview_counts(evidence, by)
    keys = ["factor_category", "factor"] if by == "factor" else ["factor_category"]
    wide = long.pivot_table(index=keys + ["outcome"], columns="direction", values="n", fill_value=0,
                            aggfunc="sum").reindex(columns=list(DIRECTIONS), fill_value=0)
    wide.columns = [f"n_{d.split()[0]}" for d in DIRECTIONS]  # n_økt, n_redusert, n_ingen, n_blandet
    wide = wide.reset_index()
    counts = wide[[f"n_{d.split()[0]}" for d in DIRECTIONS]]
    wide["n"] = counts.sum(axis=1)

    def dominant(row) -> str:
        values = [row[f"n_{d.split()[0]}"] for d in DIRECTIONS]
        top = max(values)
        winners = [d for d, v in zip(DIRECTIONS, values) if v == top]
        return winners[0] if len(winners) == 1 else "blandet"

    wide["dominant_direction"] = wide.apply(dominant, axis=1)
    wide["unanimous"] = (counts.gt(0).sum(axis=1) == 1)
    label = by
    totals = wide.groupby(label)["n"].transform("sum")
    wide = wide[totals >= min_findings]
    cat_order = {c: i for i, c in enumerate(FACTOR_CATEGORIES)}
    wide = wide.assign(_c=wide.factor_category.map(cat_order), _o=wide.outcome.map(OUTCOMES.index))
    sort = ["_c"] + (["factor"] if by == "factor" else []) + ["_o"]
    return wide.sort_values(sort).drop(columns=["_c", "_o"]).reset_index(drop=True)


def ratio_findings(evidence: pd.DataFrame, include_logit: bool = True) -> pd.DataFrame:
    """Quantitative findings on one comparable scale: ratios (for a log axis).

    Rows the source states as a multiple (``effect_unit == "ratio"``) are taken as they are;
    with ``include_logit`` the logit coefficients are converted to odds ratios, ``exp(coef)``,
    with their confidence interval where one is printed. Columns: ``finding_id``, ``label``
    (study and factor, for the axis), ``study``, ``factor``, ``outcome``, ``ratio``,
    ``ratio_low``, ``ratio_high``, ``kind``, ``comparison_group``, ``population``, ``bibkey``.
    """
    stated = evidence[evidence.effect_unit == "ratio"].copy()
    stated["ratio"] = stated.effect_size
    stated["ratio_low"] = math.nan
    stated["ratio_high"] = math.nan
    stated["kind"] = "forholdstall oppgitt i kilden"
    frames = [stated]
    if include_logit:
        logit = evidence[(evidence.effect_unit == "koeffisient") & (evidence.model == "logit")].copy()
        logit["ratio"] = logit.effect_size.map(math.exp)
        logit["ratio_low"] = logit.ci_low.map(lambda v: math.exp(v) if not pd.isna(v) else math.nan)
        logit["ratio_high"] = logit.ci_high.map(lambda v: math.exp(v) if not pd.isna(v) else math.nan)
        logit["kind"] = "oddsratio beregnet fra logit-koeffisient"
        frames.append(logit)
    out = pd.concat(frames, ignore_index=True)

    out["study"] = [study_label(a, y) for a, y in zip(out.study_author, out.study_year)]
    out["label"] = out.study + ": " + out.factor + " (" + out.comparison_group + ")"
    out = out.sort_values(["ratio"], ascending=False).reset_index(drop=True)
    return out[["finding_id", "label", "study", "factor", "outcome", "ratio", "ratio_low", "ratio_high",
                "kind", "comparison_group", "population", "bibkey"]]


def normalised_direction(direction: str, pole: str) -> str:
    """The direction read for the risk side of a note factor: a finding about the
    protective side (``pole == "beskyttende"``) has «økt» and «redusert» swapped."""
    if pole == "beskyttende":
        return {"økt risiko": "redusert risiko", "redusert risiko": "økt risiko"}.get(direction, direction)
    return direction


def _verdict(directions: list[str]) -> str:
    if not directions:
        return "ikke studert"
    if all(d == "økt risiko" for d in directions):
        return "samsvarer"
    return "nyanserer"


def risk_profile_comparison(evidence: pd.DataFrame) -> pd.DataFrame:
    """The analysis note's register risk profile next to the literature, factor by factor.

    For each of the note's seven risk factors (:data:`NOTE_FACTORS`): the note's own estimate
    (odds ratio from its logit Table 2 when there is one, otherwise its linear probability
    model in percentage points), the number of literature findings on the factor (rows with
    that ``note_factor`` from other studies than the note, the strategy excluded), their
    directions read for the risk side, the studies, and two verdicts:

    * ``verdict`` over all outcomes: ``"samsvarer"`` when every literature finding points to
      higher risk (as the note does), ``"nyanserer"`` when at least one finds no association,
      a mixed or an opposite one, ``"ikke studert"`` when there is none;
    * ``verdict_langtids`` the same, using only findings with long-term NEET as outcome.
    """
    rows = []
    for key, label in NOTE_FACTORS.items():
        rel = evidence[evidence.note_factor == key]
        note = rel[rel.bibkey == NOTE_BIBKEY]
        lit = rel[(rel.bibkey != NOTE_BIBKEY) & (~rel.source_document.isin(NOT_INDEPENDENT_SOURCES))]
        lit_dirs = [normalised_direction(d, p) for d, p in zip(lit.direction, lit.note_factor_pole)]
        lt = lit[lit.outcome == "langtids_neet"]
        lt_dirs = [normalised_direction(d, p) for d, p in zip(lt.direction, lt.note_factor_pole)]
        note_dirs = [normalised_direction(d, p) for d, p in zip(note.direction, note.note_factor_pole)]
        # the note's headline estimate: logit Table 2 (printed CI) first, largest |coef|; else LPM
        table2 = note[(note.model == "logit") & note.ci_low.notna()]
        lpm = note[(note.model == "lpm") & note.effect_size.notna()]
        if not table2.empty:
            best = table2.loc[table2.effect_size.abs().idxmax()]
            est, unit, comp = math.exp(best.effect_size), "oddsratio", best.comparison_group
        elif not lpm.empty:
            best = lpm.loc[lpm.effect_size.abs().idxmax()]
            est, unit, comp = float(best.effect_size), "prosentpoeng", best.comparison_group
        else:
            est, unit, comp = math.nan, "", ""
        studies = sorted({study_label(a, y) for a, y in zip(lit.study_author, lit.study_year)}, key=str.lower)
        rows.append({
            "note_factor": key,
            "label": label,
            "note_estimate": est,
            "note_estimate_unit": unit,
            "note_estimate_comparison": comp,
            "note_findings": len(note),
            "note_findings_increased": sum(d == "økt risiko" for d in note_dirs),
            "n_literature": len(lit),
            "n_okt": sum(d == "økt risiko" for d in lit_dirs),
            "n_redusert": sum(d == "redusert risiko" for d in lit_dirs),
            "n_ingen": sum(d == "ingen sammenheng" for d in lit_dirs),
            "n_blandet": sum(d == "blandet" for d in lit_dirs),
            "n_langtids": len(lt),
            "studies": "; ".join(studies),
            "bibkeys": ";".join(sorted(set(lit.bibkey))),
            "verdict": _verdict(lit_dirs),
            "verdict_langtids": _verdict(lt_dirs),
        })
    return pd.DataFrame(rows)


def study_label(author: str, year) -> str:
    """«Author year», without repeating a year the author label already contains («NOU 2019: 3»)."""
    if pd.isna(year) or year == "" or str(int(year)) in author:
        return author
    return f"{author} {int(year)}"


def factor_note_map(evidence: pd.DataFrame) -> dict[str, set[str]]:
    """factor label -> the note factors its rows speak to (usually none or one)."""
    mapped = evidence[evidence.note_factor != ""]
    out: dict[str, set[str]] = {}
    for factor, nf in zip(mapped.factor, mapped.note_factor):
        out.setdefault(factor, set()).add(nf)
    return out


def strategy_factor_links(strategy: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """Long table: one row per strategy measure × factor it addresses, with ``basis``
    (``"strategien"`` when the strategy states it, ``"tolkning"`` when it is the project's
    reading), the factor's category and the note factors it maps to (``;``-separated)."""
    category = evidence.groupby("factor")["factor_category"].first()
    fmap = factor_note_map(evidence)
    rows = []
    for r in strategy.itertuples(index=False):
        for basis, col in (("strategien", r.factors_stated), ("tolkning", r.factors_inferred)):
            for factor in split_labels(col):
                rows.append({"measure_id": r.measure_id, "measure": r.measure, "focus_area": r.focus_area,
                             "factor": factor, "factor_category": category[factor], "basis": basis,
                             "note_factors": ";".join(sorted(fmap.get(factor, set())))})
    return pd.DataFrame(rows, columns=["measure_id", "measure", "focus_area", "factor", "factor_category",
                                       "basis", "note_factors"])


def strategy_note_matrix(strategy: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """Strategy measures × the note's seven risk factors: ``"strategien"`` where the
    strategy itself ties the measure to the factor, ``"tolkning"`` where the project reads
    it so, ``""`` otherwise. Index ``measure_id``; columns in :data:`NOTE_FACTORS` order."""
    links = strategy_factor_links(strategy, evidence)
    mat = pd.DataFrame("", index=pd.Index(strategy.measure_id, name="measure_id"), columns=list(NOTE_FACTORS))
    for r in links.itertuples(index=False):
        for nf in split_labels(r.note_factors):
            current = mat.at[r.measure_id, nf]
            if current != "strategien":  # a stated link outranks an interpreted one
                mat.at[r.measure_id, nf] = r.basis
    return mat


def uncovered_note_factors(strategy: pd.DataFrame, evidence: pd.DataFrame) -> list[str]:
    """The note's risk factors that no strategy measure addresses (stated or interpreted)."""
    mat = strategy_note_matrix(strategy, evidence)
    return [nf for nf in NOTE_FACTORS if (mat[nf] == "").all()]


def summary_numbers(evidence: pd.DataFrame) -> dict[str, int]:
    """Counts the chapter's prose quotes (all computed from the evidence table)."""
    lit = evidence[evidence.bibkey != NOTE_BIBKEY]
    independent = lit[~lit.source_document.isin(NOT_INDEPENDENT_SOURCES)]
    return {
        "n_findings": len(evidence),
        "n_studies": evidence.bibkey.nunique(),
        "n_factors": evidence.factor.nunique(),
        "n_categories": evidence.factor_category.nunique(),
        "n_note_findings": int((evidence.bibkey == NOTE_BIBKEY).sum()),
        "n_literature_findings": len(lit),
        "n_increased": int((evidence.direction == "økt risiko").sum()),
        "n_reduced": int((evidence.direction == "redusert risiko").sum()),
        "n_none": int((evidence.direction == "ingen sammenheng").sum()),
        "n_mixed": int((evidence.direction == "blandet").sum()),
        "n_quantified": int(evidence.effect_size.notna().sum()),
        "n_stated_ratios": int((evidence.effect_unit == "ratio").sum()),
        "n_langtids": int((evidence.outcome == "langtids_neet").sum()),
        "n_langtids_literature": int((independent.outcome == "langtids_neet").sum()),
        "n_note_factors": len(NOTE_FACTORS),
    }


# --- bibliography ------------------------------------------------------------------------

def used_bibkeys(evidence: pd.DataFrame | None = None, interventions: pd.DataFrame | None = None,
                 weaknesses: pd.DataFrame | None = None) -> set[str]:
    """Every bibkey the literature files cite (loads the files that are not passed)."""
    ev = load_evidence() if evidence is None else evidence
    iv = load_interventions(evidence=ev) if interventions is None else interventions
    wk = load_system_weaknesses() if weaknesses is None else weaknesses
    keys = set(ev.bibkey)
    for frame in (iv, wk):
        for value in frame.bibkey:
            keys.update(split_labels(value))
    return keys


_BIB_ENTRY = re.compile(r"^\s*@\s*(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


def bib_keys(path: Path | None = None) -> set[str]:
    """The entry keys in a BibTeX file (``@comment``/``@string``/``@preamble`` excluded)."""
    path = BIB_PATH if path is None else Path(path)
    if not path.exists():
        raise DataError(_shown(path), "bibliography file does not exist", expected="book/references.bib")
    text = path.read_text(encoding="utf-8")
    return {key for kind, key in _BIB_ENTRY.findall(text) if kind.lower() not in ("comment", "string", "preamble")}


def missing_bibkeys(bib_path: Path | None = None) -> set[str]:
    """Keys cited in data/literature/ that have no entry in ``book/references.bib``."""
    return used_bibkeys() - bib_keys(bib_path)
