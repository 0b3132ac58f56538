"""The analysis note's long-term NEET figures, shaped for readers of the book.

The values come from :mod:`neethelpers.series.published` (``data/published/seed000_figures.csv``)
and are shown *as printed in the note*: the printed text ("6,0", "hver tredje") with the
note's qualifier in words ("over", "om lag"). Where the note contradicts itself the
published value is shown and :func:`contradiction_notes` writes the other value as a
Norwegian note with both line references — never a silent choice.
"""

from __future__ import annotations

import pandas as pd

from neethelpers.registry import counties
from neethelpers.series import published

#: The four regions of the analysis note (2024 county codes).
NOTE_COUNTIES: tuple[str, ...] = ("32", "33", "31", "03")

QUALIFIER_WORDS = {"exact": "", "over": "over ", "about": "om lag ", "under": "under ", "range": ""}

_DETAIL_LABELS = {
    ("lneet", "all", "share"): "Langtids-NEET, andel av alle 15–29 år",
    ("men", "lneet", "share"): "Andel menn blant langtids-NEET",
    ("lneet", "immigrants", "share"): "Langtids-NEET blant innvandrere, andel",
    ("lneet", "rest", "share"): "Langtids-NEET i befolkningen ellers, andel",
    ("lneet", "age_over_25", "share"): "Langtids-NEET blant unge over 25 år, andel",
    ("lneet", "age_under_25", "share"): "Langtids-NEET blant unge under 25 år, andel",
    ("lneet", "neet", "share"): "Langtids-NEET som andel av alle NEET",
    ("lneet", "immigrants", "count"): "Antall langtids-NEET blant innvandrere",
    ("lneet", "rest", "count"): "Antall langtids-NEET i befolkningen ellers",
    ("dropout", "lneet", "share"): "Andel som har droppet ut av videregående blant langtids-NEET",
    ("no_work_experience", "lneet", "share"): "Andel uten arbeidserfaring blant langtids-NEET",
    ("work_experience", "others", "share"): "Andel med arbeidserfaring blant dem som ikke er langtids-NEET",
}

_CONTRADICTION_LABELS = {
    ("table3", "lneet", "all"): "andelen langtids-NEET",
    ("table3", "neet", "all"): "NEET-andelen",
    ("table4", "lneet", "rest"): "andelen langtids-NEET i befolkningen ellers",
    ("table4", "lneet", "immigrants"): "andelen langtids-NEET blant innvandrere",
}
_TABLE_NAMES = {"table3": "tabell 3", "table4": "tabell 4"}


def printed_value(printed: str, qualifier: str, statistic: str, unit: str = "percent") -> str:
    """The value as the note printed it, with its qualifier in words: ``"over 70 %"``."""
    words = QUALIFIER_WORDS.get(str(qualifier), "")
    text = str(printed).strip()
    if statistic == "share" and unit == "percent" and any(ch.isdigit() for ch in text):
        text = f"{text}\N{NO-BREAK SPACE}%"
    elif statistic == "difference_pp":
        text = f"{text.lstrip('-')} prosentpoeng"
    return f"{words}{text}".strip()


def _region_label(code: str, name: str) -> str:
    return name if code == "0" else counties.by_code(code).name


def table3(highlight: str | None = None) -> pd.DataFrame:
    """Table 3 with Norwegian column names; ``highlight`` (a county code) gets "◀"."""
    t = published.table3()
    out = pd.DataFrame({
        "Område": [_region_label(c, n) + (" ◀" if c == highlight else "") for c, n in zip(t["region_code"],
                                                                                         t["region_name"])],
        "NEET (%)": t["neet"], "Langtids-NEET (%)": t["lneet"],
        "Langtids-NEET, kvinner (%)": t["lneet_women"], "Langtids-NEET, menn (%)": t["lneet_men"],
    })
    return out


def table4(highlight: str | None = None) -> pd.DataFrame:
    """Table 4 with Norwegian column names."""
    t = published.table4()
    return pd.DataFrame({
        "Område": [_region_label(c, n) + (" ◀" if c == highlight else "") for c, n in zip(t["region_code"],
                                                                                         t["region_name"])],
        "NEET, befolkningen ellers (%)": t["neet_rest"], "NEET, innvandrere (%)": t["neet_immigrants"],
        "Langtids-NEET, befolkningen ellers (%)": t["lneet_rest"],
        "Langtids-NEET, innvandrere (%)": t["lneet_immigrants"],
    })


def county_details(code: str) -> pd.DataFrame:
    """The note's prose figures for one county (and the national value printed in the
    same sentence, where there is one), leaving out restatements of Tables 3 and 4.

    Columns: Opplysning, Område, Verdi (as printed), Linje i notatet.
    """
    d = published.county_details()
    d = d[~d["note"].str.startswith("Restates")]
    keep = d[d["region_code"] == code]
    # the national value printed next to a county value (e.g. men among L-NEETs: Norway 48,7, Østfold 49,3)
    lines = set(keep["lines"])
    national = d[(d["region_code"] == "0") & d["lines"].isin(lines)]
    rows = []
    for rec in pd.concat([keep, national]).itertuples(index=False):
        label = _DETAIL_LABELS.get((rec.variable, rec.group, rec.statistic))
        if label is None:
            continue
        if rec.statistic == "count" and str(rec.note).strip().isdigit():
            label = f"{label} ({rec.note.strip()})"
        area = counties.NATIONAL_NAME if rec.region_code == "0" else counties.by_code(rec.region_code).name
        rows.append({"Opplysning": label, "Område": area,
                     "Verdi": printed_value(rec.printed, rec.qualifier, rec.statistic, rec.unit),
                     "Linje i notatet": str(rec.lines)})
    return pd.DataFrame(rows, columns=["Opplysning", "Område", "Verdi", "Linje i notatet"])


def contradiction_notes(code: str) -> list[str]:
    """Norwegian sentences for the note's contradictions in Tables 3/4 that concern the
    county ``code`` or the national row shown next to it (``code="alle"``: all of them)."""
    c = published.contradictions()
    c = c[c["figure_id"].isin(["table3", "table4"])]
    if code != "alle":
        c = c[c["region_code"].isin([code, "0"])]
    out = []
    for rec in c.itertuples(index=False):
        what = _CONTRADICTION_LABELS.get((rec.figure_id, rec.variable, rec.group), f"{rec.variable}/{rec.group}")
        area = counties.NATIONAL_NAME.lower() if rec.region_code == "0" else counties.by_code(rec.region_code).name
        area_text = "for hele landet" if rec.region_code == "0" else f"for {area}"
        pub = printed_value(f"{rec.published_value:.1f}".replace(".", ","), "exact", "share")
        other = printed_value(f"{rec.other_value:.1f}".replace(".", ","), "exact", "share")
        out.append(
            f"Analysenotatet oppgir {what} {area_text} til {pub} i {_TABLE_NAMES[rec.figure_id]} "
            f"(linje {rec.published_lines}), men til {other} et annet sted i teksten (linje {rec.other_lines}). "
            f"Tabellen her viser tallet fra {_TABLE_NAMES[rec.figure_id]}."
        )
    return out


# --- national risk profile ---------------------------------------------------------------

_PROFILE = (
    # (label, variable for L-NEET, level, variable for others)
    ("Uten arbeidserfaring", "no_work_experience", "", "no_work_experience"),
    ("Lav husholdningsinntekt (≤ 2 G, bor med forelder)", "low_household_income", "≤ 2 G", "low_household_income"),
    ("Droppet ut av videregående", "dropout", "", "dropout"),
    ("Mottar helserelaterte ytelser", "health_benefits", "", "health_benefits"),
    ("Har hatt barnevernstiltak", "child_welfare", "", "child_welfare"),
)


def _pick(rp: pd.DataFrame, variable: str, group: str, level: str = "") -> pd.Series | None:
    d = rp[(rp["variable"] == variable) & (rp["group"] == group) & rp["statistic"].isin(["share", "one_in_n"])]
    if level:
        d = d[d["level"] == level]
    if not len(d):
        return None
    # the most precise statement: an exact figure before "over"/"about" restatements, then the highest bound
    d = d.assign(_exact=d["qualifier"].ne("exact")).sort_values(["_exact", "value"], ascending=[True, False])
    return d.iloc[0]


def risk_profile_pairs() -> pd.DataFrame:
    """The national risk profile as pairs (L-NEET vs others) for a paired bar chart.

    Columns: Kjennetegn, lneet, others (percent, NaN where the note gives no figure),
    lneet_text, others_text (as printed, with qualifiers), lines. "Hver tredje" is drawn
    at 100/3 % and labelled "om lag hver tredje".
    """
    rp = published.risk_profile()
    rows = []
    for label, var, level, var_other in _PROFILE:
        a = _pick(rp, var, "lneet", level)
        b = _pick(rp, var_other, "others", level)

        def value(r):
            if r is None:
                return float("nan"), "ikke oppgitt"
            if r["statistic"] == "one_in_n":
                return 100.0 / float(r["value"]), f"{QUALIFIER_WORDS.get(r['qualifier'], '')}{r['printed']}".strip()
            return float(r["value"]), printed_value(r["printed"], r["qualifier"], "share")

        (av, at), (bv, bt) = value(a), value(b)
        lines = ", ".join(str(r["lines"]) for r in (a, b) if r is not None)
        rows.append({"Kjennetegn": label, "lneet": av, "others": bv, "lneet_text": at, "others_text": bt,
                     "lines": lines})
    return pd.DataFrame(rows)


def risk_profile_statements() -> pd.DataFrame:
    """Profile figures that are not L-NEET-vs-others pairs (social background, ratios,
    dropouts who end as L-NEET, immigrants): Opplysning, Verdi (as printed), Linje i notatet."""
    rp = published.risk_profile()
    labels = {
        ("social_background", "3", "lneet", "share"): "Langtids-NEET med foreldre med bare grunnskole (lav sosial bakgrunn)",
        ("social_background", "1", "lneet", "share"): "Sammenligningstall i notatet for unge med foreldre med høyere utdanning",
        ("not_dropout", "", "others", "share"): "Blant dem som ikke er langtids-NEET: har ikke droppet ut",
        ("lneet", "", "dropouts", "share"): "Blant alle som dropper ut: ender som langtids-NEET",
        ("lneet", "immigrants vs rest", "ratio"): "Langtids-NEET blant innvandrere sammenlignet med befolkningen ellers",
        ("child_welfare", "lneet vs others", "ratio"): "Barnevernstiltak: langtids-NEET sammenlignet med andre",
    }
    rows = []
    for rec in rp.itertuples(index=False):
        key4 = (rec.variable, str(rec.level), rec.group, rec.statistic)
        key3 = (rec.variable, rec.group, rec.statistic)
        label = labels.get(key4) or labels.get(key3)
        if label is None:
            continue
        value = printed_value(rec.printed, rec.qualifier, rec.statistic)
        if rec.statistic == "ratio":
            value = f"{QUALIFIER_WORDS.get(rec.qualifier, '')}{rec.printed} så høy".strip()
        rows.append({"Opplysning": label, "Verdi": value, "Linje i notatet": str(rec.lines)})
    return pd.DataFrame(rows, columns=["Opplysning", "Verdi", "Linje i notatet"])


def figure2_points() -> pd.DataFrame:
    """The printed points of the note's Figure 2 with Norwegian labels:
    Alder, Gruppe, Andel langtids-NEET (%), Linje i notatet."""
    f = published.figure2_points()
    names = {"all": "Alle som bor med forelder", "low_income": "Lav husholdningsinntekt (≤ 2 G)",
             "high_income": "Høy husholdningsinntekt (> 4 G)"}
    return pd.DataFrame({"Alder": f["age"], "Gruppe": f["income_group"].map(names).fillna(f["income_group"]),
                         "Andel langtids-NEET (%)": f["share"], "Linje i notatet": f["lines"].astype(str)})
