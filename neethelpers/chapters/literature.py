"""What the chapter "Risikofaktorer i forskningen" shows: figures, display tables and glued
numbers built from the literature findings (:mod:`neethelpers.series.literature` reads and
summarises them)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neethelpers.presentation import charts, fmt, report
from neethelpers.series import literature
from neethelpers.series.literature import (
    EVIDENCE_STRENGTHS,
    FACTOR_CATEGORIES,
    NOTE_FACTOR_PROSE,
    NOTE_FACTORS,
    OUTCOME_LABELS,
    OUTCOMES,
    SOURCE_DOCUMENTS,
    factor_note_map,
    ratio_findings,
    risk_profile_comparison,
    split_labels,
    strategy_note_matrix,
    study_label,
    summary_numbers,
    uncovered_note_factors,
)

# --- what the chapter shows: tables, figures and glued numbers ---------------------------

#: colour per direction (Okabe–Ito, as the house palette); intensity shows the count
DIRECTION_COLOURS: dict[str, str] = {
    "økt risiko": "#D55E00", "redusert risiko": "#0072B2", "ingen sammenheng": "#999999", "blandet": "#E69F00",
}
SOURCE_LABELS: dict[str, str] = {
    "000": "Analysenotatet", "001": "Kunnskapsoppsummering (NORCE)", "002": "Fafo-evaluering",
    "003": "NAV-artikkel", "004": "Ungdomshelsestrategien",
}


@dataclass
class Page:
    """The findings the parts of the chapter share."""

    evidence: pd.DataFrame
    weaknesses: pd.DataFrame
    interventions: pd.DataFrame
    strategy: pd.DataFrame
    category_cells: pd.DataFrame
    factor_cells: pd.DataFrame
    ratios: pd.DataFrame
    comparison: pd.DataFrame
    min_findings: int


def setup(page: str = "litteratur", min_findings: int = 3) -> Page:
    """Read the findings, set up the page's labels and glue every number of the chapter's
    prose. ``min_findings``: a factor is shown in the factor-level overview when it has at
    least this many findings."""
    report.setup(page=page)
    evidence = literature.load_evidence()
    weaknesses = literature.load_system_weaknesses()
    interventions = literature.load_interventions(evidence=evidence)
    lit = Page(
        evidence=evidence, weaknesses=weaknesses, interventions=interventions,
        strategy=literature.load_strategy_measures(evidence=evidence, weaknesses=weaknesses),
        category_cells=literature.overview_cells(evidence, by="factor_category"),
        factor_cells=literature.overview_cells(evidence, by="factor", min_findings=min_findings),
        ratios=ratio_findings(evidence), comparison=risk_profile_comparison(evidence), min_findings=min_findings,
    )
    values = glue_values(evidence, interventions, weaknesses, lit.strategy)
    values["min_findings"] = fmt.number(min_findings)
    values["n_factors_shown"] = fmt.number(lit.factor_cells["factor"].nunique())
    for name, value in values.items():
        report.glue_text(name, value)
    return lit


def show_factor_overview(lit: Page) -> None:
    """The overview by single factor (those with at least ``min_findings`` findings)."""
    fig, data = plot_overview(lit.factor_cells, by="factor")
    report.figure(fig, name="faktorer",
                  caption=(f"Antall funn per risikofaktor og utfall, for faktorer med minst "
                           f"{fmt.number(lit.min_findings)} funn. Farge og stjerne som i forrige figur."),
                  alt=("Rutenett med enkeltfaktorer som rader og seks utfall som kolonner; hver rute viser antall funn "
                       "og er farget etter vanligste retning."),
                  data=data)


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
    fig, ax = plt.subplots(layout="constrained", figsize=(8.6, height))
    ax.set_xlim(-0.5, len(OUTCOMES) - 0.5)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    for r in cells.itertuples(index=False):
        y = labels.index(getattr(r, key))
        x = OUTCOMES.index(r.outcome)
        colour = to_rgba(DIRECTION_COLOURS[r.dominant_direction], 0.25 + 0.75 * r.n / max_n)
        ax.add_patch(plt.Rectangle((x - 0.48, y - 0.45), 0.96, 0.9, color=colour, linewidth=0))
        ax.text(x, y, f"{r.n}{'' if r.unanimous else '*'}", ha="center", va="center", fontsize=9)
    # Upright, on one line: a column of the phone-wide grid is narrower than two lines of text
    # or a label turned less (at 30° they ran into each other). The figure grows by their
    # height, so the rows keep theirs.
    ax.set_xticks(range(len(OUTCOMES)), [OUTCOME_LABELS[o] for o in OUTCOMES], rotation=90,
                  fontsize=report.MIN_FONT_PT)
    tallest = max(t.get_window_extent().height for t in ax.get_xticklabels()) / fig.dpi  # (no draw needed)
    fig.set_figheight(height + tallest)
    if by == "factor":
        ax.set_yticks(range(len(labels)), [f"{lab} ({row_of[lab]})" for lab in labels], fontsize=8)
    else:
        ax.set_yticks(range(len(labels)), labels)
    ax.grid(False)
    ax.tick_params(length=0)
    handles = [Patch(color=c, label=d) for d, c in DIRECTION_COLOURS.items()]
    ax.legend(handles=handles, title="Vanligste retning", loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_xlabel("")
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
    fig, ax = plt.subplots(layout="constrained", figsize=(10, max(3.0, 0.34 * len(data) + 1.8)))
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
    ax.set_xticks(ticks, [fmt.number(t, {0.125: 3, 0.25: 2, 0.5: 1}.get(t, 0)) for t in ticks])
    ax.minorticks_off()
    ax.set_yticks(range(len(data)), data.plot_label, fontsize=8)
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.set_xlabel("Forholdstall (logaritmisk akse; 1 = ingen forskjell)")
    charts.legend_under_figure(fig, *ax.get_legend_handles_labels())
    return fig, data


def comparison_display(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`risk_profile_comparison` as the chapter's table, in Norwegian."""

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

    mat = strategy_note_matrix(strategy, evidence)
    wnames = dict(zip(weaknesses.weakness_id, weaknesses.weakness))
    short = {k: v.split(" (")[0] for k, v in NOTE_FACTORS.items()}

    def note_cell(mid: str) -> str:
        row = mat.loc[mid]
        items = [f"{short[nf]}{'' if row[nf] == 'strategien' else ' (tolkning)'}" for nf in NOTE_FACTORS if row[nf]]
        return "; ".join(items) or fmt.MISSING

    def other(r) -> str:
        mapped = factor_note_map(evidence)
        items = [f for f in split_labels(r.factors_stated) + split_labels(r.factors_inferred) if f not in mapped]
        return "; ".join(dict.fromkeys(items)) or fmt.MISSING

    return pd.DataFrame({
        "Tiltak": [f"Tiltak {int(m[1:])}: {name}" for m, name in zip(strategy.measure_id, strategy.measure)],
        "Innsatsområde": strategy.focus_area,
        "Notatets risikofaktorer": [note_cell(m) for m in strategy.measure_id],
        "Andre faktorer (tolkning)": strategy.apply(other, axis=1),
        "Systemsvakheter": [("; ".join(wnames[w] for w in split_labels(v)) or fmt.MISSING)
                            for v in strategy.weaknesses_addressed],
    })


def findings_display(evidence: pd.DataFrame) -> pd.DataFrame:
    """All findings for the filterable table."""

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
        "Studie": [study_label(a, y) for a, y in zip(evidence.study_author, evidence.study_year)],
        "Kilde": evidence.source_document.map(SOURCE_LABELS) + ", " + evidence.source_section
                 + " (linje " + evidence.source_lines + ")",
        "Merknad": evidence.evidence_note,
    })


def glue_values(evidence: pd.DataFrame, interventions: pd.DataFrame, weaknesses: pd.DataFrame,
                strategy: pd.DataFrame) -> dict[str, str]:
    """Every number the chapter's prose quotes, formatted the Norwegian way."""

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
    return fmt.words(items)
