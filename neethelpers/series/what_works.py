"""What works: for each theme of the county barometer with a known link to NEET in the
literature chapter's data (``data/literature/evidence.csv`` and ``interventions.csv``), a
short line with the strength of the evidence and the measures known to help.

Strength of the link (:func:`evidence_strength`), counted over findings whose outcome is
NEET or long-term NEET:

* «sterk» — at least :data:`STRONG_FINDINGS` findings from at least :data:`STRONG_STUDIES`
  studies, and at least 80 % of them point the same way;
* «moderat» — at least two findings from at least two studies;
* «svak» — otherwise.

Measures: the interventions in ``interventions.csv`` that address one of the theme's risk
factors, with the evidence strength and effect direction the literature chapter gives them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from neethelpers.series import barometer, intervals, literature

NEET_OUTCOMES = ("neet", "langtids_neet")
STRONG_FINDINGS, STRONG_STUDIES = 5, 3
#: Cross-references into the literature chapter (its page prefix is "litteratur").
#: ``{ref}`` with an explicit title, so the link works for interactive tables too (their
#: label is a plain target, which ``{numref}`` cannot number).
FINDINGS_REF = "{ref}`funnene i litteraturkapitlet <tab-litteratur-funn>`"
MEASURES_REF = "{ref}`tiltakene i litteraturkapitlet <tab-litteratur-tiltak>`"


@dataclass(frozen=True)
class Theme:
    key: str
    title: str  # Norwegian
    barometer_keys: tuple[str, ...]
    categories: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()  # evidence factors (also matched in interventions' factors_addressed)


THEMES: tuple[Theme, ...] = (
    Theme("immigrants", "Innvandrerbakgrunn", ("neet_immigrants",), categories=("Innvandring og minoritet",)),
    Theme("health", "Helse og helserelaterte ytelser", ("nav_aap", "nav_disability"), categories=("Helse",),
          factors=("Psykiske helseplager", "Helserelaterte ytelser")),
    Theme("sex_age", "Kjønn og alder", ("neet_men", "neet_women", "neet_15_19", "neet_20_24", "neet_25_29"),
          categories=("Kjønn og alder",)),
    Theme("dropout", "Frafall fra videregående", (), factors=("Frafall fra videregående",)),
    Theme("work", "Arbeidserfaring", (), factors=("Tidligere arbeidserfaring", "Ingen tidligere arbeidserfaring")),
)


def _findings(evidence: pd.DataFrame, theme: Theme) -> pd.DataFrame:
    mask = evidence["factor_category"].isin(theme.categories) | evidence["factor"].isin(theme.factors)
    return evidence[mask & evidence["outcome"].isin(NEET_OUTCOMES)]


def evidence_strength(findings: pd.DataFrame) -> str:
    """«sterk», «moderat» or «svak» by the rule in the module docstring."""
    n = len(findings)
    studies = findings["bibkey"].nunique()
    if n == 0:
        return "svak"
    share_same = findings["direction"].value_counts().iloc[0] / n
    if n >= STRONG_FINDINGS and studies >= STRONG_STUDIES and share_same >= 0.8:
        return "sterk"
    if n >= 2 and studies >= 2:
        return "moderat"
    return "svak"


def _measures(interventions: pd.DataFrame, theme: Theme, evidence: pd.DataFrame) -> pd.DataFrame:
    factors = set(theme.factors) | set(evidence.loc[evidence["factor_category"].isin(theme.categories), "factor"])
    hit = interventions["factors_addressed"].map(lambda s: bool(set(str(s).split(";")) & factors))
    return interventions[hit]


def table(county_code: str | None = None) -> pd.DataFrame:
    """One row per theme: theme, title, n_findings, n_studies, n_risk (findings of higher
    risk), strength, measures_positive (names with their evidence strength), n_measures,
    county_verdicts (the county's barometer verdicts on the linked rows, if a county is given)."""
    evidence = literature.load_evidence()
    interventions = literature.load_interventions(evidence=evidence)
    baro = barometer.barometer(county_code) if county_code else None
    rows = []
    for t in THEMES:
        f = _findings(evidence, t)
        m = _measures(interventions, t, evidence)
        pos = m[m["effect_direction"] == "positiv"]
        verdicts = ""
        if baro is not None and t.barometer_keys:
            b = baro[baro["indicator"].isin(t.barometer_keys)]
            verdicts = "; ".join(f"{lab}: {sym} {v}" for lab, sym, v in
                                 zip(b["indicator"].map(lambda k: barometer.BY_KEY[k].short), b["symbol"], b["verdict"]))
        rows.append({"theme": t.key, "title": t.title, "n_findings": len(f), "n_studies": f["bibkey"].nunique(),
                     "n_risk": int((f["direction"] == "økt risiko").sum()), "strength": evidence_strength(f),
                     "measures_positive": "; ".join(f"{a} ({s} dokumentasjon)" for a, s in
                                                    zip(pos["measure"], pos["evidence_strength"])),
                     "n_measures": len(m), "in_barometer": bool(t.barometer_keys), "county_verdicts": verdicts})
    return pd.DataFrame(rows)


def lines(county_code: str | None = None) -> list[str]:
    """Norwegian Markdown lines, one per theme, with cross-references to the literature chapter."""
    out = []
    for r in table(county_code).itertuples():
        text = (f"**{r.title}**: {r.n_findings} funn om NEET eller langtids-NEET fra {r.n_studies} studier "
                f"({r.n_risk} om økt risiko); samlet dokumentasjon: {r.strength} (se {FINDINGS_REF}).")
        if r.county_verdicts:
            text += f" I barometeret: {r.county_verdicts}."
        elif not r.in_barometer:
            text += " Ikke i barometeret (ingen sammenlignbare fylkestall)."
        if r.measures_positive:
            text += f" Tiltak med positiv effekt: {r.measures_positive} (se {MEASURES_REF})."
        elif r.n_measures:
            text += f" {r.n_measures} tiltak er prøvd, uten påvist positiv effekt (se {MEASURES_REF})."
        else:
            text += " Litteraturen beskriver ingen tiltak rettet mot dette."
        out.append(text)
    return out


KEY = intervals.VERDICT_KEY
