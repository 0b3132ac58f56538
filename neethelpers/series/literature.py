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


def _split(value: str) -> list[str]:
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
            for label in _split(value):
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
        for wid in _split(value):
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

    out["study"] = [_study_label(a, y) for a, y in zip(out.study_author, out.study_year)]
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
        studies = sorted({_study_label(a, y) for a, y in zip(lit.study_author, lit.study_year)}, key=str.lower)
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


def _study_label(author: str, year) -> str:
    """«Author year», without repeating a year the author label already contains («NOU 2019: 3»)."""
    if pd.isna(year) or year == "" or str(int(year)) in author:
        return author
    return f"{author} {int(year)}"


def _factor_note_map(evidence: pd.DataFrame) -> dict[str, set[str]]:
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
    fmap = _factor_note_map(evidence)
    rows = []
    for r in strategy.itertuples(index=False):
        for basis, col in (("strategien", r.factors_stated), ("tolkning", r.factors_inferred)):
            for factor in _split(col):
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
        for nf in _split(r.note_factors):
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
            keys.update(_split(value))
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


# --- what the chapter shows: tables, figures and glued numbers ---------------------------

#: colour per direction (Okabe–Ito, as the house palette); intensity shows the count
DIRECTION_COLOURS: dict[str, str] = {
    "økt risiko": "#D55E00", "redusert risiko": "#0072B2", "ingen sammenheng": "#999999", "blandet": "#E69F00",
}
SOURCE_LABELS: dict[str, str] = {
    "000": "Analysenotatet", "001": "Kunnskapsoppsummering (NORCE)", "002": "Fafo-evaluering",
    "003": "NAV-artikkel", "004": "Ungdomshelsestrategien",
}


def plot_overview(cells: pd.DataFrame, by: str = "factor_category"):
    """Heatmap of :func:`overview_cells`: rows (category or factor) × outcomes, the number of
    findings written in each cell, the colour giving the dominant direction and its intensity
    the number of findings. A ``*`` marks cells where the findings disagree.

    Returns ``(fig, data)`` where ``data`` is exactly what is drawn (one row per cell).
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    if by == "factor":
        labels = list(dict.fromkeys(cells["factor"]))
        row_of = dict(zip(cells["factor"], cells["factor_category"]))
    else:
        labels = [c for c in FACTOR_CATEGORIES if c in set(cells["factor_category"])]
    key = "factor" if by == "factor" else "factor_category"
    max_n = max(int(cells["n"].max()), 1)
    height = max(3.0, 0.32 * len(labels) + 1.8)
    fig, ax = plt.subplots(figsize=(8.6, height))
    ax.set_xlim(-0.5, len(OUTCOMES) - 0.5)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    for r in cells.itertuples(index=False):
        y = labels.index(getattr(r, key))
        x = OUTCOMES.index(r.outcome)
        colour = to_rgba(DIRECTION_COLOURS[r.dominant_direction], 0.25 + 0.75 * r.n / max_n)
        ax.add_patch(plt.Rectangle((x - 0.48, y - 0.45), 0.96, 0.9, color=colour, linewidth=0))
        ax.text(x, y, f"{r.n}{'' if r.unanimous else '*'}", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(len(OUTCOMES)), [OUTCOME_LABELS[o] for o in OUTCOMES], rotation=30, ha="right")
    if by == "factor":
        ax.set_yticks(range(len(labels)), [f"{lab} ({row_of[lab]})" for lab in labels], fontsize=8)
    else:
        ax.set_yticks(range(len(labels)), labels)
    ax.grid(False)
    ax.tick_params(length=0)
    handles = [Patch(color=c, label=d) for d, c in DIRECTION_COLOURS.items()]
    ax.legend(handles=handles, title="Vanligste retning", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_xlabel("")
    fig.tight_layout()
    data = cells.rename(columns={"n_økt": "n_okt_risiko", "n_redusert": "n_redusert_risiko",
                                 "n_ingen": "n_ingen_sammenheng"})
    return fig, data


def _short_labels(ratios: pd.DataFrame, width: int = 44) -> list[str]:
    """«Study: factor», plus a shortened comparison where the same study reports the same
    factor more than once (the full comparison is in the table under the figure)."""
    base = ratios["study"] + ": " + ratios["factor"]
    dup = base.duplicated(keep=False)

    def short(text: str) -> str:
        return text if len(text) <= width else text[: width - 1].rstrip() + "…"

    return [b + (f" ({short(c)})" if d else "") for b, c, d in zip(base, ratios["comparison_group"], dup)]


def plot_ratios(ratios: pd.DataFrame):
    """Forest-style plot of :func:`ratio_findings` on a logarithmic axis, one row per finding
    labelled with study and factor, with the confidence interval where there is one.
    Stated ratios and odds ratios computed from the note's logit coefficients get different
    markers. Returns ``(fig, data)``."""
    import matplotlib.pyplot as plt

    data = ratios.copy()
    data["plot_label"] = _short_labels(data)
    fig, ax = plt.subplots(figsize=(10, max(3.0, 0.34 * len(data) + 1.8)))
    markers = {"forholdstall oppgitt i kilden": ("o", "#0072B2"),
               "oddsratio beregnet fra logit-koeffisient": ("D", "#D55E00")}
    for kind, (marker, colour) in markers.items():
        part = data[data.kind == kind]
        ys = [data.index.get_loc(i) for i in part.index]
        has_ci = part.ratio_low.notna()
        ax.errorbar(part.ratio[has_ci], [y for y, h in zip(ys, has_ci) if h],
                    xerr=[(part.ratio - part.ratio_low)[has_ci], (part.ratio_high - part.ratio)[has_ci]],
                    fmt="none", ecolor=colour, elinewidth=1.5, capsize=3)
        ax.scatter(part.ratio, ys, marker=marker, color=colour, s=36, label=kind, zorder=3)
    ax.axvline(1, color="#555555", linewidth=1, linestyle="--")
    ax.set_xscale("log")
    ticks = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16]
    lo, hi = data[["ratio", "ratio_low"]].min().min(), data[["ratio", "ratio_high"]].max().max()
    ticks = [t for t in ticks if lo / 1.6 <= t <= hi * 1.6]
    from neethelpers.presentation import fmt
    ax.set_xticks(ticks, [fmt.number(t, {0.125: 3, 0.25: 2, 0.5: 1}.get(t, 0)) for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(range(len(data)), data.plot_label, fontsize=8)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlabel("Forholdstall (logaritmisk akse; 1 = ingen forskjell)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, frameon=False, fontsize=8)
    fig.tight_layout()
    return fig, data


def comparison_display(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`risk_profile_comparison` as the chapter's table, in Norwegian."""
    from neethelpers.presentation import fmt

    def estimate(r) -> str:
        if r.note_estimate_unit == "oddsratio":
            return f"OR {fmt.number(r.note_estimate, 2)}: {r.note_estimate_comparison}"
        if r.note_estimate_unit == "prosentpoeng":
            return f"{fmt.points(r.note_estimate, 1, signed=True)}: {r.note_estimate_comparison}"
        return fmt.MISSING

    def spread(r) -> str:
        parts = [(r.n_okt, "økt risiko"), (r.n_ingen, "ingen sammenheng"), (r.n_blandet, "blandet"),
                 (r.n_redusert, "lavere risiko")]
        return ", ".join(f"{fmt.number(n)} {w}" for n, w in parts if n) or fmt.MISSING

    return pd.DataFrame({
        "Risikofaktor i analysenotatet": comparison.label,
        "Notatets hovedestimat": comparison.apply(estimate, axis=1),
        "Funn i litteraturen": comparison.n_literature,
        "Retning i litteraturen (lest for risikosiden)": comparison.apply(spread, axis=1),
        "Studier": comparison.studies.replace("", fmt.MISSING),
        "Vurdering, alle utfall": comparison.verdict,
        "Funn med langtids-NEET som utfall": comparison.n_langtids,
        "Vurdering, langtids-NEET": comparison.verdict_langtids,
    })


def ratio_display(ratios: pd.DataFrame) -> pd.DataFrame:
    """The plotted ratio findings as a table (numbers rounded for reading)."""
    return pd.DataFrame({
        "Studie": ratios.study, "Faktor": ratios.factor,
        "Utfall": ratios.outcome.map(OUTCOME_LABELS), "Sammenligning": ratios.comparison_group,
        "Forholdstall": ratios.ratio.round(2), "Nedre grense": ratios.ratio_low.round(2),
        "Øvre grense": ratios.ratio_high.round(2), "Type": ratios.kind,
    })


def interventions_display(interventions: pd.DataFrame) -> pd.DataFrame:
    """Measures sorted by strength of evidence, in Norwegian."""
    order = {s: i for i, s in enumerate(EVIDENCE_STRENGTHS)}
    iv = interventions.assign(_s=interventions.evidence_strength.map(order)).sort_values(["_s", "intervention_id"])
    return pd.DataFrame({
        "Tiltak": iv.measure, "Målgruppe": iv.target_group,
        "Risikofaktorer": iv.factors_addressed.str.replace(";", "; "),
        "Virkning": iv.effect_direction, "Kunnskapsgrunnlag": iv.evidence_strength, "Design": iv.design,
        "Hva som er funnet": iv.evidence_note, "Studie": iv.study,
        "Kilde": iv.source_document.map(SOURCE_LABELS) + ", " + iv.source_section,
    }).reset_index(drop=True)


def weaknesses_display(weaknesses: pd.DataFrame, kind: str = "systemsvakhet") -> pd.DataFrame:
    """System weaknesses (or knowledge gaps) as the chapter's table."""
    wk = weaknesses[weaknesses.kind == kind]
    return pd.DataFrame({
        "Tema": wk.theme, "Svakhet": wk.weakness, "Beskrivelse": wk.description, "Studie": wk.study,
        "Avsnitt i oversikten": wk.source_section,
    }).reset_index(drop=True)


def strategy_display(strategy: pd.DataFrame, evidence: pd.DataFrame, weaknesses: pd.DataFrame) -> pd.DataFrame:
    """Strategy measures with the note's risk factors and other factors they address."""
    from neethelpers.presentation import fmt

    mat = strategy_note_matrix(strategy, evidence)
    wnames = dict(zip(weaknesses.weakness_id, weaknesses.weakness))
    short = {k: v.split(" (")[0] for k, v in NOTE_FACTORS.items()}

    def note_cell(mid: str) -> str:
        row = mat.loc[mid]
        items = [f"{short[nf]}{'' if row[nf] == 'strategien' else ' (tolkning)'}" for nf in NOTE_FACTORS if row[nf]]
        return "; ".join(items) or fmt.MISSING

    def other(r) -> str:
        mapped = _factor_note_map(evidence)
        items = [f for f in _split(r.factors_stated) + _split(r.factors_inferred) if f not in mapped]
        return "; ".join(dict.fromkeys(items)) or fmt.MISSING

    return pd.DataFrame({
        "Tiltak": [f"Tiltak {int(m[1:])}: {name}" for m, name in zip(strategy.measure_id, strategy.measure)],
        "Innsatsområde": strategy.focus_area,
        "Notatets risikofaktorer": [note_cell(m) for m in strategy.measure_id],
        "Andre faktorer (tolkning)": strategy.apply(other, axis=1),
        "Systemsvakheter": [("; ".join(wnames[w] for w in _split(v)) or fmt.MISSING) for v in strategy.weaknesses_addressed],
    })


def findings_display(evidence: pd.DataFrame) -> pd.DataFrame:
    """All findings for the filterable table."""
    from neethelpers.presentation import fmt

    def effect(r) -> str:
        if pd.isna(r.effect_size):
            return ""
        unit = {"ratio": "ganger", "prosent": "%", "prosentpoeng": "prosentpoeng", "koeffisient": "(logit-koeffisient)"}
        decimals = 0 if float(r.effect_size).is_integer() else (2 if r.effect_unit == "koeffisient" else 1)
        return f"{fmt.number(r.effect_size, decimals).replace('-', '−')} {unit[r.effect_unit]}"

    return pd.DataFrame({
        "Id": evidence.finding_id, "Kategori": evidence.factor_category, "Faktor": evidence.factor,
        "Utfall": evidence.outcome.map(OUTCOME_LABELS), "Retning": evidence.direction,
        "Effekt": evidence.apply(effect, axis=1), "Sammenligning": evidence.comparison_group,
        "Populasjon": evidence.population,
        "Studie": [_study_label(a, y) for a, y in zip(evidence.study_author, evidence.study_year)],
        "Kilde": evidence.source_document.map(SOURCE_LABELS) + ", " + evidence.source_section
                 + " (linje " + evidence.source_lines + ")",
        "Merknad": evidence.evidence_note,
    })


def glue_values(evidence: pd.DataFrame, interventions: pd.DataFrame, weaknesses: pd.DataFrame,
                strategy: pd.DataFrame) -> dict[str, str]:
    """Every number the chapter's prose quotes, formatted the Norwegian way."""
    from neethelpers.presentation import fmt

    nums = summary_numbers(evidence)
    comp = risk_profile_comparison(evidence)
    ratios = ratio_findings(evidence)
    stated = ratios[ratios.kind == "forholdstall oppgitt i kilden"]
    note_or = ratios[ratios.kind != "forholdstall oppgitt i kilden"]
    docs = evidence.source_document.value_counts()
    out = {k: fmt.number(v) for k, v in nums.items()}
    out["share_increased"] = fmt.percent(100 * nums["n_increased"] / nums["n_findings"], 0)
    out.update({f"n_docs_{d}": fmt.number(int(docs.get(d, 0))) for d in SOURCE_DOCUMENTS})
    out["n_verdict_samsvarer"] = fmt.number(int((comp.verdict == "samsvarer").sum()))
    out["n_verdict_nyanserer"] = fmt.number(int((comp.verdict == "nyanserer").sum()))
    out["n_verdict_ikke_studert"] = fmt.number(int((comp.verdict == "ikke studert").sum()))
    out["n_langtids_ikke_studert"] = fmt.number(int((comp.verdict_langtids == "ikke studert").sum()))
    out["verdict_nyanserer_list"] = _join_words([NOTE_FACTOR_PROSE[k]
                                                 for k in comp.note_factor[comp.verdict == "nyanserer"]])
    out["langtids_studied_list"] = _join_words([NOTE_FACTOR_PROSE[k]
                                                for k in comp.note_factor[comp.verdict_langtids != "ikke studert"]])
    out["n_ratio_rows"] = fmt.number(len(ratios))
    out["n_ratio_stated"] = fmt.number(len(stated))
    out["n_ratio_note"] = fmt.number(len(note_or))
    out["ratio_stated_max"] = fmt.number(stated.ratio.max(), 0)
    top = note_or.loc[note_or.ratio.idxmax()]
    out["note_or_max"] = fmt.number(top.ratio, 1)
    out["note_or_max_factor"] = top.factor.lower()
    out["n_interventions"] = fmt.number(len(interventions))
    out["n_interventions_strong"] = fmt.number(int((interventions.evidence_strength == "sterk").sum()))
    out["n_interventions_unclear_or_unmeasured"] = fmt.number(
        int(((interventions.evidence_strength == "uklar") | (interventions.effect_direction == "ikke målt")).sum()))
    out["n_weaknesses"] = fmt.number(int((weaknesses.kind == "systemsvakhet").sum()))
    out["n_knowledge_gaps"] = fmt.number(int((weaknesses.kind == "kunnskapshull").sum()))
    out["n_weakness_themes"] = fmt.number(weaknesses[weaknesses.kind == "systemsvakhet"].theme.nunique())
    out["n_strategy_measures"] = fmt.number(len(strategy))
    mat = strategy_note_matrix(strategy, evidence)
    out["n_strategy_on_note_factors"] = fmt.number(int((mat != "").any(axis=1).sum()))
    uncovered = uncovered_note_factors(strategy, evidence)
    out["n_uncovered"] = fmt.number(len(uncovered))
    out["uncovered_list"] = _join_words([NOTE_FACTOR_PROSE[k] for k in uncovered])
    return out


def _join_words(items: list[str]) -> str:
    if not items:
        return "ingen"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " og " + items[-1]
