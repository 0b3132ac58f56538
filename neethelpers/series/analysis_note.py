"""The analysis note's long-term NEET figures, shaped for readers of the book.

The values come from :mod:`neethelpers.series.published` (``data/published/seed000_figures.csv``)
and are shown *as printed in the note*: the printed text ("6,0", "hver tredje") with the
note's qualifier in words ("over", "om lag"). Where the note contradicts itself the
published value is shown and :func:`contradiction_notes` writes the other value as a
Norwegian note with both line references — never a silent choice.
"""

from __future__ import annotations

import pandas as pd

from neethelpers.presentation import fmt
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
    if text.isdigit() and len(text) >= 4:  # "1930" → "1 930": the book's thousands space
        text = fmt.number(int(text), 0)
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


#: How the note names the national value it prints next to a county's in the same sentence.
NOTE_REST_OF_COUNTRY = "Ellers i landet"


def county_details(code: str) -> pd.DataFrame:
    """The note's prose figures for one county (and the national value printed in the
    same sentence, where there is one, named the way the note names it: «ellers i landet»),
    leaving out restatements of Tables 3 and 4.

    Columns: Opplysning, Område, Verdi (as printed), Kilde i notatet (section and table).
    """
    d = published.county_details()
    d = d[~d["note"].str.startswith("Restates")]
    keep = d[d["region_code"] == code]
    # the national value printed next to a county value (e.g. over 25: Østfold 10,2, "7,1 prosent ellers i landet")
    lines = set(keep["lines"])
    national = d[(d["region_code"] == "0") & d["lines"].isin(lines)]
    rows = []
    for rec in pd.concat([keep, national]).itertuples(index=False):
        label = _DETAIL_LABELS.get((rec.variable, rec.group, rec.statistic))
        if label is None:
            continue
        if rec.statistic == "count" and str(rec.note).strip().isdigit():
            label = f"{label} ({rec.note.strip()})"
        area = NOTE_REST_OF_COUNTRY if rec.region_code == "0" else counties.by_code(rec.region_code).name
        rows.append({"Opplysning": label, "Område": area,
                     "Verdi": printed_value(rec.printed, rec.qualifier, rec.statistic, rec.unit),
                     "Kilde i notatet": cite(rec.section)})
    return pd.DataFrame(rows, columns=["Opplysning", "Område", "Verdi", "Kilde i notatet"])


#: What each contradiction is about, in Norwegian: (figure_id, variable, group) → the quantity.
_CONTRADICTION_WHAT = {
    **_CONTRADICTION_LABELS,
    ("risk_profile", "work_experience", "others"): "andelen med arbeidserfaring blant dem som ikke er langtids-NEET",
    ("chapter5", "lneet", "women vs men"): "forskjellen mellom kvinner og menn i andelen langtids-NEET",
    ("chapter5", "dropout", "lneet vs Østfold"): "forskjellen fra Østfold i andelen som droppet ut blant langtids-NEET",
    ("chapter5", "dropout", "lneet vs Oslo"): "forskjellen fra Oslo i andelen som droppet ut blant langtids-NEET",
}
def _pub(figure_id: str, code: str, variable: str, group: str, statistic: str = "share") -> tuple[float, str]:
    """One published figure of the note: (value, section cited the reader's way)."""
    f = published.figures(figure_id)
    row = f[(f["region_code"].astype(str) == code) & (f["variable"] == variable) & (f["group"] == group)
            & (f["statistic"] == statistic)].iloc[0]
    return float(row["value"]), cite(row["section"])


def _pct(value: float) -> str:
    return f"{fmt.number(value, 1)}\N{NO-BREAK SPACE}%"


def _against(figure_id: str, variable: str, group: str, value: float) -> str:
    """What a contradiction without a published counterpart of the same key stands against,
    in Norwegian, with every number read from ``data/published`` (the note's own figures)."""
    if (figure_id, variable, group) == ("risk_profile", "work_experience", "others"):
        no_work, sec = _pub("risk_profile", "0", "no_work_experience", "others")
        ak, sec_ak = _pub("chapter5", "32", "work_experience", "others")
        oslo, _ = _pub("chapter5", "03", "work_experience", "others")
        return (f"{sec} sier at om lag {_pct(no_work)} av dem som ikke er langtids-NEET, mangler arbeidserfaring "
                f"(altså om lag {_pct(100 - no_work)} med), og {sec_ak} gir {_pct(ak)} i Akershus og {_pct(oslo)} i Oslo")
    if (figure_id, variable, group) == ("chapter5", "lneet", "women vs men"):
        women, sec = _pub("table3", "0", "lneet", "women")
        men, _ = _pub("table3", "0", "lneet", "men")
        return (f"{sec} gir {_pct(women)} for kvinner og {_pct(men)} for menn i landet, en forskjell på "
                f"{fmt.points(women - men)}")
    if figure_id == "chapter5" and variable == "dropout" and group.startswith("lneet vs "):
        other_name = group.removeprefix("lneet vs ")
        other = counties.resolve(other_name)
        busk, sec = _pub("chapter5", "33", "dropout", "lneet")
        them, _ = _pub("chapter5", other.code, "dropout", "lneet")
        return (f"notatets egne tall i {sec} ({_pct(busk)} i Buskerud og {_pct(them)} i {other.name}) gir en "
                f"forskjell på {fmt.points(abs(busk - them))}")
    return "se notatet"


def cite(section: str) -> str:
    """The note's section as readers cite it: ``"5 Tabell 3"`` → ``"kapittel 5, tabell 3"``,
    ``"3 (Tabell 1)"`` → ``"kapittel 3, tabell 1"``, ``"1 Sammendrag"`` → ``"sammendraget"``."""
    text = str(section).strip()
    if text.startswith("1 Sammendrag"):
        return "sammendraget" + (" (figur 1)" if "Figur 1" in text else "")
    head, _, rest = text.partition(" ")
    rest = rest.strip("() ").lower()
    return f"kapittel {head}" + (f", {rest}" if rest else "")


def _number_text(value: float, statistic: str) -> str:
    if statistic == "difference_pp" and abs(value - round(value)) < 1e-9:
        return fmt.number(round(value), 0)
    return fmt.number(value, 1)


def _area_of(code) -> str:
    code = str(code)
    return counties.NATIONAL_NAME if code in ("0", "nan", "") else counties.by_code(code).name


def contradiction_table() -> pd.DataFrame:
    """Every contradiction in the note (``status = contradiction`` in ``data/published``), in
    Norwegian, citing the note by section and table: what, where, the value the book uses and
    where it stands, the contradicting value and where it stands, and what it contradicts."""
    rows = []
    for rec in published.contradictions().itertuples(index=False):
        what = _CONTRADICTION_WHAT.get((rec.figure_id, rec.variable, rec.group), f"{rec.variable} ({rec.group})")
        unit = " prosentpoeng" if rec.statistic == "difference_pp" else " %"
        other = f"{_number_text(float(rec.other_value), rec.statistic)}{unit}"
        if pd.notna(rec.published_value):
            used = f"{_number_text(float(rec.published_value), rec.statistic)}{unit} ({cite(rec.published_section)})"
            against = f"{used.split(' (')[0]} i {cite(rec.published_section)}"
        else:
            used = "ingen av dem; tallet vises ikke"
            against = _against(rec.figure_id, rec.variable, rec.group, float(rec.other_value))
        rows.append({"Tall": what, "Område": _area_of(rec.region_code), "Verdien boka bruker": used,
                     "Motstridende verdi": f"{other} ({cite(rec.other_section)})", "Står mot": against})
    return pd.DataFrame(rows, columns=["Tall", "Område", "Verdien boka bruker", "Motstridende verdi", "Står mot"])


def contradiction_notes(code: str) -> list[str]:
    """Norwegian sentences for the note's contradictions in Tables 3/4 that concern the
    county ``code`` or the national row shown next to it (``code="alle"``: all of them),
    citing the note by section and table."""
    c = published.contradictions()
    c = c[c["figure_id"].isin(["table3", "table4"])]
    if code != "alle":
        c = c[c["region_code"].isin([code, "0"])]
    out = []
    for rec in c.itertuples(index=False):
        what = _CONTRADICTION_LABELS.get((rec.figure_id, rec.variable, rec.group), f"{rec.variable}/{rec.group}")
        area_text = "for hele landet" if rec.region_code == "0" else f"for {counties.by_code(rec.region_code).name}"
        pub = printed_value(f"{rec.published_value:.1f}".replace(".", ","), "exact", "share")
        other = printed_value(f"{rec.other_value:.1f}".replace(".", ","), "exact", "share")
        out.append(
            f"Analysenotatet oppgir {what} {area_text} til {pub} i {_TABLE_NAMES[rec.figure_id]} "
            f"({cite(rec.published_section)}), men til {other} i {cite(rec.other_section)}. "
            f"Tabellen her viser tallet fra {_TABLE_NAMES[rec.figure_id]}."
        )
    return out


def risk_profile_contradiction_notes() -> list[str]:
    """Norwegian sentences for the contradictions among the note's national risk-profile
    figures (chapter 3 and the summary), for the national chapter."""
    t = contradiction_table()
    c = published.contradictions()
    keep = (c["figure_id"].isin(["risk_profile", "chapter5"])).to_numpy()
    def area(name: str) -> str:
        return name.lower() if name == counties.NATIONAL_NAME else name

    return [f"Analysenotatet oppgir {r['Tall']} ({area(r['Område'])}) "
            f"til {r['Motstridende verdi']}, men {r['Står mot']}. Boka bruker {r['Verdien boka bruker']}."
            for r in t[keep].to_dict("records")]


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
    lneet_text, others_text (as printed, with qualifiers), kilde_i_notatet (sections). "Hver tredje" is drawn
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
        where = ", ".join(dict.fromkeys(cite(r["section"]) for r in (a, b) if r is not None))
        rows.append({"Kjennetegn": label, "lneet": av, "others": bv, "lneet_text": at, "others_text": bt,
                     "kilde_i_notatet": where})
    return pd.DataFrame(rows)


def risk_profile_statements() -> pd.DataFrame:
    """Profile figures that are not L-NEET-vs-others pairs (social background, ratios,
    dropouts who end as L-NEET, immigrants): Opplysning, Verdi (as printed), Kilde i notatet (section)."""
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
        rows.append({"Opplysning": label, "Verdi": value, "Kilde i notatet": cite(rec.section)})
    return pd.DataFrame(rows, columns=["Opplysning", "Verdi", "Kilde i notatet"])


def figure2_points() -> pd.DataFrame:
    """The printed points of the note's Figure 2 with Norwegian labels:
    Alder, Gruppe, Andel langtids-NEET (%), Kilde i notatet (section and figure)."""
    f = published.figure2_points()
    section = published.figures("figure2")["section"].iloc[0]
    names = {"all": "Alle som bor med forelder", "low_income": "Lav husholdningsinntekt (≤ 2 G)",
             "high_income": "Høy husholdningsinntekt (> 4 G)"}
    return pd.DataFrame({"Alder": f["age"], "Gruppe": f["income_group"].map(names).fillna(f["income_group"]),
                         "Andel langtids-NEET (%)": f["share"], "Kilde i notatet": cite(section)})
