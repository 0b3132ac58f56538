"""The section "Langtids-NEET beregnet fra mikrodata": the note's descriptive tables,
recomputed from microdata, for a chapter notebook.

One call renders the whole section through :mod:`neethelpers.presentation.report` (the notebook holds
the Markdown heading; the section's sub-headings are one level below it):

* a Norwegian sentence saying which data the numbers come from — the synthetic cohort
  (with :func:`report.synthetic_banner` and every table and figure labelled synthetic) or
  the named file (then the word "syntetisk" never appears, and disclosure control is
  applied: suppressed values show :func:`.disclosure.marker`, counts are rounded);
* for the whole country or one county: the risk profile, the long-term NEET share by age
  and household income (a figure), the shares by sex and age group and by immigrant
  category, the dropout and no-work-experience shares among long-term NEETs (a county
  next to the whole country);
* for ``county="alle"`` (the county overview page): one row per county;
* the comparison with the analysis note's published figures, framed as "how well does the
  calibration reproduce them" (synthetic) or "how do the new figures differ" (real data).

Every CSV download holds the numbers shown, including the counts behind each share, with
the marker in suppressed places.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from neethelpers.microdata import descriptive as d, disclosure
from neethelpers.presentation import charts, fmt, report
from neethelpers.registry import counties


def _in_text(name: str) -> str:
    """A region name as it reads inside a sentence: «hele landet» is lower case there, counties keep their name."""
    return name[0].lower() + name[1:] if name == counties.NATIONAL_NAME else name

__all__ = ["show_section", "show_microdata_part", "show_note_figures", "SECTION_TITLE", "NO_MICRODATA"]

SECTION_TITLE = "Langtids-NEET beregnet fra mikrodata"
OVERVIEW = "alle"
#: ``data_source`` of the default edition: no microdata, only the analysis note's published figures.
NO_MICRODATA = "none"
#: The outcome year of the analysis note (``neet2023``), used for the microdata.no script offered to readers.
SCRIPT_YEAR = 2023


# --- formatting helpers -------------------------------------------------------------------


class _Ctx:
    """What every rendering step needs to know."""

    def __init__(self, synthetic: bool, protected: bool, threshold: int, round_to: int, level: int, seed: int = 2023):
        self.seed = seed
        self.synthetic = synthetic
        self.protected = protected
        self.threshold = threshold
        self.round_to = round_to
        self.h = "#" * level
        self.mark = disclosure.marker(threshold)

    def cell(self, frame: pd.DataFrame, i: int, col: str, kind: str) -> str:
        """One value as a reader sees it: the suppression marker, a dash for a figure that
        does not exist (no persons), or the Norwegian number."""
        value = frame[col].iloc[i]
        if "suppressed" in frame.columns and col in _cols(frame["suppressed"].iloc[i]):
            return self.mark
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return fmt.MISSING
        if kind == "percent":
            return fmt.number(float(value), 1)
        if kind == "ratio":
            return fmt.number(float(value), 1)
        if kind == "count":
            return fmt.number(float(value), 0)
        return str(value)

    def raw(self, frame: pd.DataFrame, i: int, col: str, kind: str):
        """One value for the CSV download: the number (counts as whole numbers), the marker
        where it is suppressed, empty where it does not exist."""
        value = frame[col].iloc[i]
        if "suppressed" in frame.columns and col in _cols(frame["suppressed"].iloc[i]):
            return self.mark
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return None
        if kind == "count":
            return int(round(float(value)))
        if kind in ("percent", "ratio"):
            return disclosure.round_share(float(value))  # display precision, also in the CSV
        return value


def _cols(text) -> set[str]:
    return {c.strip() for c in str(text or "").split(",") if c.strip()}


def _frames(ctx: _Ctx, frame: pd.DataFrame, columns: list[tuple[str, str, str, str | None]]):
    """A display frame (strings) and a CSV frame from ``columns`` = [(source column,
    displayed header, kind, CSV header or None to leave it out of the CSV)]."""
    shown, data = {}, {}
    for col, header, kind, csv_header in columns:
        if header:
            shown[header] = [ctx.cell(frame, i, col, kind) for i in range(len(frame))]
        if csv_header:
            data[csv_header] = [ctx.raw(frame, i, col, kind) for i in range(len(frame))]
    return pd.DataFrame(shown), pd.DataFrame(data)


def _with_region(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    out = frame.copy()
    out.insert(0, "område", name)
    return out


def _suppression_note(ctx: _Ctx) -> str:
    if not ctx.protected:
        return ""
    return (f" «{ctx.mark}»: prikket fordi tallet bygger på færre enn {ctx.threshold} personer. "
            f"Antall er avrundet til nærmeste {ctx.round_to}, og andelene er beregnet fra de avrundede antallene.")


# --- the parts of the section -------------------------------------------------------------


def _intro(ctx: _Ctx, data, result: d.DescriptiveResult | None, overview: bool) -> None:
    n_text = (disclosure.count_text(data.n_persons, ctx.threshold, ctx.round_to) if ctx.protected
              else fmt.number(data.n_persons, 0))
    if overview:
        where = "Tallene vises for hvert av de 15 fylkene og for hele landet."
    elif result.is_national:
        where = "Tallene gjelder hele landet."
    else:
        where = f"Tallene gjelder {_in_text(result.region_name)}, med hele landet til sammenligning."
    if ctx.synthetic:
        report.synthetic_banner()
        report.markdown(
            "Tabellene og figurene i denne delen er beregnet fra **syntetiske data**: en kunstig befolkning på "
            f"{n_text} personer i alderen 15–29 år, laget slik at den gjenskaper tall som analysenotatet har "
            "publisert. Tallene sier derfor ingenting nytt om virkelige personer. Når et analysemiljø med tilgang "
            "til registerdata kjører boka med sin egen datafil, beregnes de samme tabellene fra den. "
            f"{where} Sammenligningen til slutt viser hvor godt kalibreringen gjenskaper de publiserte tallene."
        )
        return
    source = Path(data.source) if data.source is not None else None
    kind = "data på personnivå" if data.kind == "persons" else "celletall"
    # The file's name is user input: it reaches the page only through fmt.escape_user_text.
    shown_name = getattr(data, "name", None) or (source.name if source is not None else None)
    name = f"**{fmt.escape_user_text(shown_name)}**" if shown_name else "den oppgitte datafilen"
    digest = ""
    sha = getattr(data, "sha256", None)
    if not sha and source is not None and source.is_file():
        from neethelpers.files import sha256_file

        sha = sha256_file(source)
    if sha:
        digest = f", SHA-256 {sha[:12]}"
    report.markdown(
        f"Tabellene og figurene i denne delen er beregnet fra datafilen {name} ({kind}, om lag {n_text} "
        f"personer i alderen 15–29 år{digest}). {where} Av personvernhensyn bygger alle andeler og antall på minst "
        f"{ctx.threshold} personer, både i cellen og i nevneren; mindre celler er prikket og vist som "
        f"«{ctx.mark}», alle antall er avrundet til nærmeste {ctx.round_to}, og andelene er beregnet fra de "
        "avrundede antallene (se metodevedlegget)."
    )


def _risk_profile(ctx: _Ctx, r: d.DescriptiveResult) -> None:
    rp = r.tables["risk_profile"]
    report.markdown(
        f"{ctx.h} Risikoprofil: langtids-NEET og andre\n\n"
        "Tabellen viser hvor stor andel av de langtids-NEET og av alle andre unge i alderen 15–29 år som har hver "
        "risikofaktor, og forholdet mellom de to andelene (hvor mange ganger vanligere faktoren er blant de "
        "langtids-NEET). Husholdningsinntekt gjelder bare dem som bor med minst én forelder."
    )
    cols = [
        ("label", "Risikofaktor", "text", "risikofaktor"),
        ("lneet_share", "Blant langtids-NEET (%)", "percent", "andel_blant_langtids_neet_prosent"),
        ("others_share", "Blant andre (%)", "percent", "andel_blant_andre_prosent"),
        ("ratio", "Forhold", "ratio", "forhold"),
        ("lneet_with", "", "count", "langtids_neet_med_faktoren"),
        ("lneet_total", "", "count", "langtids_neet_i_alt"),
        ("others_with", "", "count", "andre_med_faktoren"),
        ("others_total", "", "count", "andre_i_alt"),
        ("lneet_share_among_with", "", "percent", "andel_langtids_neet_blant_dem_med_faktoren_prosent"),
    ]
    shown, data = _frames(ctx, rp, cols)
    total = rp.set_index("factor")
    n_l = ctx.cell(rp, int(np.flatnonzero(rp["factor"] == "dropout")[0]), "lneet_total", "count")
    n_o = ctx.cell(rp, int(np.flatnonzero(rp["factor"] == "dropout")[0]), "others_total", "count")
    del total
    report.table(
        shown, name="mikro-risikoprofil", synthetic=ctx.synthetic, data=_with_region(data, r.region_name),
        caption=(f"Risikoprofil for langtids-NEET og andre 15–29 år, {_in_text(r.region_name)}. Andel med hver risikofaktor "
                 f"i prosent; forhold = andelen blant langtids-NEET delt på andelen blant andre. Bygger på {n_l} "
                 f"langtids-NEET og {n_o} andre.{_suppression_note(ctx)}"),
    )


def _age_income_figure(ctx: _Ctx, r: d.DescriptiveResult, published_points: pd.DataFrame | None) -> None:
    import matplotlib.pyplot as plt

    t = r.tables["by_age_income"]
    groups = [("low", "≤ 2 G"), ("middle", "2–4 G"), ("high", "over 4 G"),
              ("with_parent", "alle som bor med en forelder")]
    report.markdown(
        f"{ctx.h} Langtids-NEET etter alder og husholdningsinntekt\n\n"
        "Figuren viser andelen langtids-NEET på hvert alderstrinn fra 15 til 29 år blant dem som bor med minst én "
        "forelder, etter husholdningens inntekt målt i grunnbeløp (G), slik figur 2 i analysenotatet gjør."
    )
    fig, ax = plt.subplots()
    rows = []
    styles = {"with_parent": {"color": "#000000", "linestyle": "--", "linewidth": 1.5}}
    for key, label in groups:
        sub = t[t["income_group"] == key].reset_index(drop=True)
        values = sub["share"].astype("float64")
        if "suppressed" in sub.columns:
            values = values.where(~sub["suppressed"].map(lambda s: "share" in _cols(s)))
        ax.plot(sub["alder"], values, marker="o", markersize=3, label=label.capitalize() if key == "with_parent"
                else f"Husholdningsinntekt {label}", **styles.get(key, {}))
        for i in range(len(sub)):
            rows.append({"område": r.region_name, "alder": int(sub["alder"].iloc[i]),
                         "gruppe": sub["label"].iloc[i], "kilde": "beregnet",
                         "andel_langtids_neet_prosent": ctx.raw(sub, i, "share", "percent"),
                         "personer": ctx.raw(sub, i, "n", "count"),
                         "langtids_neet": ctx.raw(sub, i, "neet", "count")})
    if published_points is not None and len(published_points):
        ax.scatter(published_points["age"], published_points["share"], marker="X", s=70, color="#D55E00",
                   zorder=5, label="Publisert i analysenotatet (hele landet)")
        names = {"all": "Alle som bor med en forelder", "low_income": "Husholdningsinntekt ≤ 2 G",
                 "high_income": "Husholdningsinntekt over 4 G"}
        for p in published_points.itertuples():
            rows.append({"område": counties.NATIONAL_NAME, "alder": int(p.age),
                         "gruppe": names.get(p.income_group, p.income_group), "kilde": "analysenotatet, figur 2",
                         "andel_langtids_neet_prosent": float(p.share), "personer": None, "langtids_neet": None})
    ax.set_xlabel("Alder (år)")
    ax.set_ylabel("Andel langtids-NEET")
    ax.set_xticks(list(d.AGES)[::2])  # every other age: fifteen labels do not fit side by side on a phone
    charts.percent_axis(ax)
    ax.set_ylim(bottom=0)
    charts.legend_under_figure(fig, *ax.get_legend_handles_labels())  # in the plot it covered lines
    data = pd.DataFrame(rows)
    low = t[(t["income_group"] == "low")]["share"]
    high = t[(t["income_group"] == "high")]["share"]
    if low.notna().any() and high.notna().any():
        shape = ("Linjen for husholdninger med inntekt ≤ 2 G ligger " +
                 ("over" if float(np.nanmean(low)) > float(np.nanmean(high)) else "under") +
                 " linjen for husholdninger over 4 G.")
    else:
        shape = "Flere punkter er prikket."
    report.figure(
        fig, name="mikro-alder-inntekt", synthetic=ctx.synthetic, data=data,
        caption=(f"Andel langtids-NEET etter alder og husholdningsinntekt, {_in_text(r.region_name)}, blant dem som bor med "
                 "minst én forelder." + (" Kryss: punktene analysenotatet oppgir i teksten til figur 2."
                                         if published_points is not None and len(published_points) else "")
                 + (" Prikkede punkter mangler i linjene." if ctx.protected else "")),
        alt=(f"Linjediagram over andelen langtids-NEET fra 15 til 29 år i {_in_text(r.region_name)} for tre inntektsgrupper og "
             f"for alle som bor med en forelder. {shape}"),
    )


_NATIONAL_SHARE_COLUMN = ("national_share", "Hele landet (%)", "percent", "andel_langtids_neet_hele_landet_prosent")
_SHARE_OF_LNEET_COLUMN = ("share_of_lneet", "Andel av alle langtids-NEET (%)", "percent",
                          "andel_av_alle_langtids_neet_prosent")


def _with_national_share(frame: pd.DataFrame, nat: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the country's share of the same rows (``nat``, in the same order) as
    ``national_share``; where the country's share is suppressed, so is the column in that row."""
    out = frame.assign(national_share=nat["share"].to_numpy())
    if "suppressed" in nat.columns:
        out["suppressed"] = [", ".join(sorted(_cols(a) | ({"national_share"} if "share" in _cols(b) else set())))
                             for a, b in zip(out["suppressed"], nat["suppressed"].fillna(""))]
    return out


def _sex_age_table(ctx: _Ctx, r: d.DescriptiveResult, national: d.DescriptiveResult | None) -> None:
    sex = r.tables["by_sex"]
    age = r.tables["by_age_group"]
    age = age[age["age_group"] != "15-29"].reset_index(drop=True)
    frame = pd.concat([
        sex.assign(dimension="Kjønn"),
        age.assign(dimension="Alder", group=age["age_group"]),
    ], ignore_index=True)
    if "suppressed" in frame.columns:
        frame["suppressed"] = frame["suppressed"].fillna("")
    cols = [("dimension", "Etter", "text", "etter"), ("label", "Gruppe", "text", "gruppe"),
            ("n", "Personer", "count", "personer"), ("neet", "Langtids-NEET", "count", "langtids_neet"),
            ("share", "Andel langtids-NEET (%)", "percent", "andel_langtids_neet_prosent")]
    if national is not None:
        nat = pd.concat([national.tables["by_sex"],
                         national.tables["by_age_group"].query("age_group != '15-29'")], ignore_index=True)
        frame = _with_national_share(frame, nat)
        cols.append(_NATIONAL_SHARE_COLUMN)
    cols.append(_SHARE_OF_LNEET_COLUMN)
    shown, data = _frames(ctx, frame, cols)
    report.markdown(
        f"{ctx.h} Langtids-NEET etter kjønn og alder\n\n"
        "Andelen langtids-NEET av alle 15–29-åringer i hver gruppe, og hvor stor del av alle langtids-NEET gruppen "
        "utgjør (tilsvarer tabell 3 i analysenotatet)."
    )
    report.table(shown, name="mikro-kjonn-alder", synthetic=ctx.synthetic, data=_with_region(data, r.region_name),
                 caption=f"Andel langtids-NEET etter kjønn og aldersgruppe, {_in_text(r.region_name)}.{_suppression_note(ctx)}")


def _immigrant_table(ctx: _Ctx, r: d.DescriptiveResult, national: d.DescriptiveResult | None) -> None:
    frame = r.tables["by_immigrant"].copy()
    cols = [("label", "Gruppe", "text", "gruppe"), ("n", "Personer", "count", "personer"),
            ("neet", "Langtids-NEET", "count", "langtids_neet"),
            ("share", "Andel langtids-NEET (%)", "percent", "andel_langtids_neet_prosent")]
    if national is not None:
        frame = _with_national_share(frame, national.tables["by_immigrant"])
        cols.append(_NATIONAL_SHARE_COLUMN)
    cols.append(_SHARE_OF_LNEET_COLUMN)
    shown, data = _frames(ctx, frame, cols)
    report.markdown(
        f"{ctx.h} Langtids-NEET etter innvandringskategori\n\n"
        "Innvandrere er personer født i utlandet av to utenlandsfødte foreldre (kategori B); «alle unntatt "
        "innvandrere» er sammenligningsgruppen i tabell 4 i analysenotatet. Innvandrerbakgrunn omfatter i tillegg "
        "norskfødte med innvandrerforeldre og utenlandsfødte med én norskfødt forelder."
    )
    report.table(shown, name="mikro-innvandring", synthetic=ctx.synthetic, data=_with_region(data, r.region_name),
                 caption=f"Andel langtids-NEET etter innvandringskategori, {_in_text(r.region_name)}.{_suppression_note(ctx)}")


def _figure1_table(ctx: _Ctx, r: d.DescriptiveResult, national: d.DescriptiveResult | None) -> None:
    regions = [r] + ([national] if national is not None else [])
    rows_shown, rows_data = [], []
    for reg in regions:
        rp = reg.tables["risk_profile"].reset_index(drop=True)
        idx = {f: int(np.flatnonzero(rp["factor"] == f)[0]) for f in ("dropout", "no_work")}
        rows_shown.append({"Område": reg.region_name,
                           "Droppet ut av videregående (%)": ctx.cell(rp, idx["dropout"], "lneet_share", "percent"),
                           "Uten arbeidserfaring (%)": ctx.cell(rp, idx["no_work"], "lneet_share", "percent"),
                           "Langtids-NEET i alt": ctx.cell(rp, idx["dropout"], "lneet_total", "count")})
        rows_data.append({"område": reg.region_name,
                          "droppet_ut_prosent": ctx.raw(rp, idx["dropout"], "lneet_share", "percent"),
                          "droppet_ut_antall": ctx.raw(rp, idx["dropout"], "lneet_with", "count"),
                          "uten_arbeidserfaring_prosent": ctx.raw(rp, idx["no_work"], "lneet_share", "percent"),
                          "uten_arbeidserfaring_antall": ctx.raw(rp, idx["no_work"], "lneet_with", "count"),
                          "langtids_neet_i_alt": ctx.raw(rp, idx["dropout"], "lneet_total", "count")})
    report.markdown(
        f"{ctx.h} Dropout og arbeidserfaring blant langtids-NEET\n\n"
        "Andelen av de langtids-NEET som har påbegynt, men ikke fullført videregående opplæring, og andelen som "
        "aldri har hatt arbeidsinntekt over en halv G (tilsvarer figur 1 i analysenotatet)."
    )
    report.table(pd.DataFrame(rows_shown), name="mikro-dropout-arbeid", synthetic=ctx.synthetic,
                 data=pd.DataFrame(rows_data),
                 caption=("Andel av de langtids-NEET som droppet ut av videregående og som er uten arbeidserfaring, "
                          + " og ".join([_in_text(regions[0].region_name)] + ["hele landet" for _ in regions[1:]]) + "."
                          + _suppression_note(ctx)))


def _overview(ctx: _Ctx, results: dict[str, d.DescriptiveResult]) -> None:
    import matplotlib.pyplot as plt

    ov = d.county_overview(results)
    # Carry each value's suppression from its source table.
    sup = []
    for code in ov["region_code"]:
        r = results[code]
        flags = set()
        if r.protected:
            sex = r.tables["by_sex"].set_index("group")["suppressed"]
            imm = r.tables["by_immigrant"].set_index("group")["suppressed"]
            rp = r.tables["risk_profile"].set_index("factor")["suppressed"]
            for col, text, src in (("n", sex["all"], "n"), ("neet", sex["all"], "neet"), ("share", sex["all"], "share"),
                                   ("share_women", sex["women"], "share"), ("share_men", sex["men"], "share"),
                                   ("share_immigrants", imm["innvandrer_1"], "share"),
                                   ("share_rest", imm["rest"], "share"),
                                   ("dropout_among_lneet", rp["dropout"], "lneet_share"),
                                   ("no_work_among_lneet", rp["no_work"], "lneet_share")):
                if src in _cols(text):
                    flags.add(col)
        sup.append(", ".join(sorted(flags)))
    ov["suppressed"] = sup
    cols = [("region_name", "Område", "text", "område"), ("n", "Personer", "count", "personer"),
            ("neet", "Langtids-NEET", "count", "langtids_neet"),
            ("share", "Andel (%)", "percent", "andel_langtids_neet_prosent"),
            ("share_women", "Kvinner (%)", "percent", "andel_kvinner_prosent"),
            ("share_men", "Menn (%)", "percent", "andel_menn_prosent"),
            ("share_immigrants", "Innvandrere (%)", "percent", "andel_innvandrere_prosent"),
            ("share_rest", "Alle unntatt innvandrere (%)", "percent", "andel_alle_unntatt_innvandrere_prosent")]
    shown, data = _frames(ctx, ov, cols)
    report.markdown(
        f"{ctx.h} Langtids-NEET i fylkene\n\n"
        "Andelen langtids-NEET av alle 15–29-åringer i hvert fylke, totalt, etter kjønn (som tabell 3 i "
        "analysenotatet) og for innvandrere og resten av befolkningen (som tabell 4)."
    )
    report.table(shown, name="mikro-fylker", synthetic=ctx.synthetic, data=data,
                 caption=f"Andel langtids-NEET per fylke og for hele landet.{_suppression_note(ctx)}")

    fig_cols = [("region_name", "", "text", "område"),
                ("dropout_among_lneet", "", "percent", "droppet_ut_prosent"),
                ("no_work_among_lneet", "", "percent", "uten_arbeidserfaring_prosent")]
    _, fdata = _frames(ctx, ov, fig_cols)
    plot = ov.copy()
    for col in ("dropout_among_lneet", "no_work_among_lneet"):
        plot[col] = [np.nan if col in _cols(s) else v for v, s in zip(plot[col], plot["suppressed"])]
    fig, ax = plt.subplots(figsize=(8, 6))
    y = np.arange(len(plot))
    ax.barh(y - 0.2, plot["dropout_among_lneet"], height=0.4, label="Droppet ut av videregående")
    ax.barh(y + 0.2, plot["no_work_among_lneet"], height=0.4, label="Uten arbeidserfaring")
    ax.set_yticks(y, plot["region_name"])
    ax.invert_yaxis()
    charts.percent_axis(ax, axis="x")
    ax.set_xlabel("Andel av de langtids-NEET")
    ax.legend(frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    report.markdown(
        f"{ctx.h} Dropout og arbeidserfaring blant langtids-NEET i fylkene\n\n"
        "Som figur 1 i analysenotatet: andelen av de langtids-NEET i hvert fylke som droppet ut av videregående, "
        "og andelen uten arbeidserfaring."
    )
    report.figure(fig, name="mikro-fylker-dropout-arbeid", synthetic=ctx.synthetic, data=fdata,
                  caption=("Andel av de langtids-NEET som droppet ut av videregående og som er uten arbeidserfaring, "
                           "per fylke og for hele landet." + (" Prikkede verdier mangler." if ctx.protected else "")),
                  alt=("Liggende stolpediagram med to stolper per fylke og for hele landet: andelen av de "
                       "langtids-NEET som droppet ut av videregående og andelen uten arbeidserfaring."))


def _value_text(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt.MISSING
    if unit == "ratio":
        return f"{fmt.number(value, 1)} ganger"
    if unit == "persons":
        return f"{fmt.number(value, 0)} personer"
    return fmt.percent(value, 1)


def _difference_text(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return fmt.MISSING
    decimals = 0 if unit == "persons" else 1
    value = round(float(value), decimals) + 0.0  # no "−0,0": a difference that rounds to zero is zero
    if unit == "ratio":
        return fmt.signed(value, 1) if value else fmt.number(0, 1)
    if unit == "persons":
        return f"{fmt.signed(value, 0) if value else fmt.number(0, 0)} personer"
    return fmt.points(value, 1, signed=True)


def _csv_number(value: float, unit: str):
    """A recomputed value or difference for the CSV, at the precision the page shows it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if unit == "persons":
        return int(round(float(value)))
    return disclosure.round_share(float(value))


def _calibration_groups(seed: int) -> list[str]:
    """The groups of published figures the synthetic cohort is calibrated to, as its own
    calibration table names them (so this text follows the generator)."""
    from neethelpers.microdata import synthetic

    table = synthetic.calibration_table(seed)
    groups = [str(g) for g in table["group"].dropna().unique()] if "group" in table.columns else []
    return [g[:1].lower() + g[1:] for g in groups]


def _fitted(comp: pd.DataFrame, seed: int) -> list[bool]:
    """For each published figure of ``comp``: whether the synthetic cohort was calibrated to it
    (the same region and the same published value among the calibration targets, percent only)."""
    from neethelpers.microdata import synthetic

    cal = synthetic.calibration_table(seed)
    targets = {(str(r), round(float(t), 6)) for r, t, u in zip(cal["region"], cal["target"], cal["unit"])
               if str(u) == "prosent"}
    return [u == "percent" and (str(r), round(float(p), 6)) in targets
            for r, p, u in zip(comp["region_name"], comp["published"], comp["unit"])]


def _calibration_summary(comp: pd.DataFrame) -> str:
    """The calibration check in words: fitted figures agree by construction; the unfitted ones,
    largest misses first."""
    ok = comp[~comp["suppressed"] & comp["difference"].notna() & (comp["unit"] == "percent")]
    fitted, free = ok[ok["fitted"]], ok[~ok["fitted"]]
    text = ""
    if len(fitted):
        worst = fitted["difference"].abs().max()
        text += (f" {len(fitted)} av de publiserte andelene er brukt i kalibreringen og stemmer derfor nesten per "
                 f"konstruksjon (største avvik {fmt.points(float(worst), 1)}); de bekrefter bare at kalibreringen "
                 "virker, og sier ingenting om virkelige unge.")
    if len(free):
        top = free.reindex(free["difference"].abs().sort_values(ascending=False).index).head(3)
        misses = "; ".join(
            f"«{m}»{(' (' + r + ')') if r else ''}: publisert {p}, syntetisk {_value_text(float(v), 'percent')}"
            for m, r, p, v in zip(top["measure"], top["region_name"], top["published_text"], top["recomputed"]))
        text += (f" {len(free)} andeler er ikke brukt i kalibreringen. De viser hvor langt den syntetiske "
                 f"befolkningen bommer der den ikke er tilpasset; størst er avvikene for {misses}.")
    return text


def _comparison(ctx: _Ctx, results: list[d.DescriptiveResult], published: pd.DataFrame) -> None:
    frames = [d.compare_with_published(r, published) for r in results]
    comp = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else frames[0]
    heading = f"{ctx.h} Sammenligning med analysenotatet\n\n"
    names = " og ".join(_in_text(r.region_name) for r in results) if len(results) <= 2 else "fylkene og hele landet"
    if ctx.synthetic:
        heading = f"{ctx.h} Kontroll av kalibreringen mot analysenotatet\n\n"
        intro = ("Den syntetiske befolkningen er kalibrert mot en del av tallene analysenotatet har publisert. "
                 "Tabellen er en kontroll av kalibreringen, ikke et resultat: for hvert publisert tall viser den om "
                 "befolkningen er tilpasset tallet, tallet i den syntetiske befolkningen og forskjellen, med de "
                 "største avvikene først. Store forskjeller betyr at kalibreringen ikke treffer, ikke at notatet tar "
                 "feil.")
        groups = _calibration_groups(ctx.seed)
        if groups:
            intro += " Kalibreringen bruker disse gruppene av publiserte tall: " + "; ".join(groups) + "."
    else:
        intro = ("Tabellen viser hvordan de nye tallene, beregnet fra datafilen, skiller seg fra tallene "
                 "analysenotatet publiserte (registerdata fra microdata.no). Forskjellene kan skyldes andre årganger, "
                 "andre definisjoner i datafilen eller tilfeldig variasjon i små grupper.")
    intro += (" Der notatet skriver «over» eller «under» et tall, viser siste kolonne om det beregnede tallet ligger "
              "på riktig side. NEET-andelene for alle varigheter i tabell 3 og 4 kan ikke beregnes fra mikrodataene, "
              "som bare skiller ut langtids-NEET.")
    if comp.empty:
        report.markdown(heading + intro)
        report.missing(f"Analysenotatet publiserte ingen tall om langtids-NEET for {names} som kan beregnes på nytt "
                       "fra mikrodataene; det er derfor ingenting å sammenligne med.")
        return
    if ctx.synthetic:
        comp = comp.assign(fitted=_fitted(comp, ctx.seed), _other_unit=comp["unit"] != "percent",
                           _miss=comp["difference"].abs().fillna(-1))
        comp = comp.sort_values(["fitted", "_other_unit", "_miss"], ascending=[True, True, False],
                                kind="stable").reset_index(drop=True)
    shown = pd.DataFrame({
        "Område": comp["region_name"],
        "Kilde i notatet": comp["source"],
        "Mål": comp["measure"],
        "Publisert": comp["published_text"],
        ("Syntetisk" if ctx.synthetic else "Beregnet"): [
            ctx.mark if s else _value_text(v, u) for v, u, s in zip(comp["recomputed"], comp["unit"], comp["suppressed"])],
        "Forskjell": [ctx.mark if s else _difference_text(v, u) for v, u, s in
                      zip(comp["difference"], comp["unit"], comp["suppressed"])],
        "Samsvar med «over» / «under»": ["" if c is None or (isinstance(c, float) and math.isnan(c)) else
                                       ("ja" if c else "nei") for c in comp["consistent"]],
    })
    if ctx.synthetic:
        shown.insert(3, "Brukt i kalibreringen", ["ja" if f else "nei" for f in comp["fitted"]])
    if len(results) == 1:
        shown = shown.drop(columns="Område")
    data = pd.DataFrame({
        "område": comp["region_name"], "kilde": comp["source"], "mål": comp["measure"],
        "publisert": comp["published"].round(4), "publisert_formulering": comp["published_text"],
        "beregnet": [ctx.mark if s else _csv_number(v, u)
                     for v, u, s in zip(comp["recomputed"], comp["unit"], comp["suppressed"])],
        "forskjell": [ctx.mark if s else _csv_number(v, u)
                      for v, u, s in zip(comp["difference"], comp["unit"], comp["suppressed"])],
        "enhet_for_forskjell": comp["difference_unit"],
    })
    if ctx.synthetic:
        data.insert(3, "brukt_i_kalibreringen", comp["fitted"].to_numpy())
        summary = _calibration_summary(comp)
    else:
        summary = ""
        ok = comp[~comp["suppressed"] & comp["difference"].notna() & (comp["unit"] == "percent")]
        if len(ok):
            worst = ok.loc[ok["difference"].abs().idxmax()]
            where = f" ({worst['region_name']})" if len(results) > 1 else ""
            summary = (f" Størst er forskjellen for «{worst['measure']}»{where}: publisert "
                       f"{worst['published_text']}, beregnet {_value_text(float(worst['recomputed']), 'percent')}.")
    report.markdown(heading + intro + summary)
    caption = (("Kontroll av kalibreringen: publiserte tall fra analysenotatet, om den syntetiske befolkningen er "
                "tilpasset dem, og tallet i den syntetiske befolkningen; ikke-tilpassede tall først, største avvik "
                "først. ") if ctx.synthetic else
               ("Publiserte tall fra analysenotatet og de samme tallene beregnet fra datafilen, med forskjellen. "))
    caption += ("Forskjell = beregnet minus publisert, i prosentpoeng for andeler." + _suppression_note(ctx))
    report.table(shown, name="mikro-sammenligning", synthetic=ctx.synthetic, data=data, caption=caption)


# --- the output-check record ---------------------------------------------------------------


def _record_checks(raw: dict[str, d.DescriptiveResult], protected: dict[str, d.DescriptiveResult],
                   threshold: int, round_to: int) -> None:
    """Check every protected table independently against the persons behind it and write
    the page's output-check record (:class:`.disclosure.CheckLog`); a failed check stops
    the page."""
    log = disclosure.CheckLog(report.current_page(), threshold, round_to)
    for code, result in protected.items():
        persons = raw[code].person_tables or raw[code].tables
        for name, spec in d.SPECS.items():
            out, p = result.tables[name], persons[name]
            ok = all(disclosure.verify_shares(out[share], p[num], p[den], threshold) for share, num, den in spec.shares)
            ok &= all(disclosure.verify_counts(out[col], p[col], threshold, round_to) for col in spec.counts)
            cols = [s for s, _, _ in spec.shares] + [x for x, _ in spec.derived] + list(spec.counts)
            hidden = sum(len(_cols(t)) for t in out["suppressed"]) if "suppressed" in out else 0
            log.add(f"{result.region_name}: {name}", "tabell", len(out) * len(cols), hidden, ok)
    log.write(report.asset_dir())


# --- the section --------------------------------------------------------------------------


def show_section(data_source: str = d.SYNTHETIC, county: str | None = None, threshold: int = 5,
                 page: str | None = None, *, seed: int = 2023, round_to: int = disclosure.DEFAULT_ROUND_TO,
                 level: int = 3) -> None:
    """Render the section "Langtids-NEET beregnet fra mikrodata" in a chapter notebook.

    ``data_source``: ``"synthetic"`` (the calibrated synthetic cohort, seed ``seed``) or the
    path of a person-level or cell-count file (see :mod:`.schema`). ``county``: ``None`` for
    the whole country, a county name or code, or ``"alle"`` for one row per county.
    ``threshold`` and ``round_to``: disclosure control for real data (persons per cell and
    rounding of counts). ``page``: the label prefix for tables and figures (default: the
    one set by :func:`report.setup`). ``level``: heading level of the sub-sections (the
    notebook's own heading for the section is one level above).
    """
    if page:
        report.setup(page=page)
    data = d.load_source(data_source, seed=seed)
    synthetic = bool(data.synthetic)
    overview = county is not None and counties.fold(str(county)) == OVERVIEW
    if overview:
        regions = None
    else:
        code, _ = d.region_of(county)
        regions = [None] if code == counties.NATIONAL_CODE else [code, None]
    results = d.compute_all(data, regions)
    disclosure.reset_record(report.asset_dir(), report.current_page())
    persons_in = {k: r.n_persons for k, r in results.items()}  # before rounding
    if not synthetic:
        raw_results = results
        results = {k: d.protect(v, threshold, round_to) for k, v in results.items()}
        _record_checks(raw_results, results, int(threshold), int(round_to))
    ctx = _Ctx(synthetic, not synthetic, int(threshold), int(round_to), level, seed)
    from neethelpers.series import published as published_module

    published = published_module.figures()

    if overview:
        _intro(ctx, data, None, overview=True)
        _overview(ctx, results)
        with_published = [results[c] for c in [*published["region_code"].astype(str).unique()] if c in results]
        order = [c.code for c in counties.current_counties()] + [counties.NATIONAL_CODE]
        with_published.sort(key=lambda r: order.index(r.region_code))
        _comparison(ctx, with_published or [results[counties.NATIONAL_CODE]], published)
        return

    national = results[counties.NATIONAL_CODE]
    main = results[regions[0]] if regions[0] is not None else national
    other = None if main.is_national else national
    _intro(ctx, data, main, overview=False)
    n_main = persons_in[main.region_code]
    if not synthetic and n_main < threshold:  # also an empty county: saying so would describe it
        report.missing(f"Datafilen har færre enn {int(threshold)} personer i {_in_text(main.region_name)}. Av personvernhensyn "
                       "vises ingen tall herfra.")
    elif n_main == 0:
        report.missing(f"Datafilen har ingen personer i {_in_text(main.region_name)}; tabellene kan ikke lages.")
    else:
        _risk_profile(ctx, main)
        points = None
        if main.is_national:
            points = published_module.figure2_points()
        _age_income_figure(ctx, main, points)
        _sex_age_table(ctx, main, other)
        _immigrant_table(ctx, main, other)
        _figure1_table(ctx, main, other)
    _comparison(ctx, [main], published)


# --- the default edition: published figures and how to get register figures ------------------


def has_microdata(data_source: str | None) -> bool:
    """Whether ``data_source`` names microdata (a file or the synthetic cohort) rather than
    the default edition without any (``"none"``, empty)."""
    return str(data_source or "").strip().lower() not in ("", NO_MICRODATA)


def show_note_figures(county: str | None) -> None:
    """The analysis note's published long-term NEET figures for a county page (``county`` a
    code or name) or the overview (``"alle"``): Tables 3 and 4 (with the county marked ◀),
    the note's other figures about the county, and every contradiction in the note that
    concerns a figure shown. For a county the note does not cover, one sentence says so."""
    from neethelpers.series import analysis_note

    overview = county is not None and counties.fold(str(county)) == OVERVIEW
    code = None if overview else counties.resolve(str(county)).code
    if code is not None and code not in analysis_note.NOTE_COUNTIES:
        covered = [counties.by_code(c).name for c in analysis_note.NOTE_COUNTIES]
        report.markdown(
            f"Analysenotatet om langtids-NEET har egne tall bare for {', '.join(covered[:-1])} og {covered[-1]}, "
            f"ikke for {counties.by_code(code).name}. Notatets tall for hele landet står i kapitlet "
            "«Nasjonale trender», og tabellene med de fire fylkene står på oversiktssiden «Fylkene»."
        )
        return
    where = "" if code is None else f", med {counties.by_code(code).name} markert med ◀"
    report.markdown(
        "Analysenotatet om langtids-NEET i Akershus, Buskerud, Østfold og Oslo bygger på registerdata fra "
        "microdata.no, som ikke er offentlig tilgjengelige. Langtids-NEET betyr her unge uten registrert arbeid, "
        f"utdanning eller tiltak i to år eller mer. Tabellene gjengir notatets tall slik de er trykt{where}, og "
        "landsraden med notatets egen betegnelse. Notatets NEET-andeler er beregnet på mikrodata og kan avvike fra "
        "SSBs tall lenger opp på siden."
    )
    report.table(analysis_note.table3(highlight=code), name="notat-tabell-3",
                 caption=("Andel NEET og langtids-NEET av alle 15–29 år, og langtids-NEET etter kjønn, i prosent. "
                          "Kilde: analysenotatet, kapittel 5, tabell 3."))
    report.table(analysis_note.table4(highlight=code), name="notat-tabell-4",
                 caption=("NEET og langtids-NEET blant innvandrere og befolkningen ellers, i prosent. "
                          "Kilde: analysenotatet, kapittel 5, tabell 4."))
    if code is not None:
        details = analysis_note.county_details(code)
        if len(details):
            report.table(details, name="notat-detaljer",
                         caption=(f"Andre tall om {counties.by_code(code).name} i analysenotatets tekst, slik de er "
                                  "skrevet («over» og «om lag» som i notatet). Kilde: analysenotatet, kapittel 1 og 5."))
    for sentence in analysis_note.contradiction_notes(code if code is not None else OVERVIEW):
        report.note(sentence, kind="warning", title="Motstridende tall i analysenotatet")


def script_command(county_name: str) -> str:
    return f'neet microdata-script --county "{county_name}" --year {SCRIPT_YEAR} --output langtids-neet.txt'


def show_register_data_box(county: str | None) -> None:
    """The box on a page of the default edition: what register data would add to the page
    and how to get it — the county's microdata.no script (a download, for a county page) and
    the ``neet build --data`` command. Shows no number computed from any microdata."""
    overview = county is not None and counties.fold(str(county)) == OVERVIEW
    national = county is None or str(county) == counties.NATIONAL_CODE
    adds = ("risikoprofilen til de langtids-NEET, andelen etter alder og husholdningsinntekt, kjønn, aldersgruppe "
            "og innvandringskategori, andelen som droppet ut av videregående og andelen uten arbeidserfaring, "
            "sammenlignet med analysenotatets publiserte tall")
    if overview:
        where, script = ("én rad per fylke med andelen langtids-NEET", "Hvert fylkes side har et ferdig skript "
                         "for microdata.no til nedlasting.")
    elif national:
        where, script = (adds + ", for hele landet", "Skriptet for microdata.no lages per fylke med "
                         f"`neet microdata-script --county FYLKE --year {SCRIPT_YEAR}`, og hvert fylkes side har sitt "
                         "skript til nedlasting.")
    else:
        c = counties.resolve(str(county))
        from neethelpers.microdata.script import microdata_script

        path = report.asset_dir() / f"{report.label('skript', 'microdata-no')}.txt"
        path.write_text(microdata_script(c.code, SCRIPT_YEAR), encoding="utf-8")
        where = adds + f", for {c.name} med hele landet til sammenligning"
        script = (f"{{download}}`Last ned skriptet for {c.name} (microdata.no) <{report.ASSET_DIR_NAME}/{path.name}>` "
                  f"— det samme som `{script_command(c.name)}` lager.")
    report.note(
        "Denne utgaven av boka er laget uten registerdata, og ingen tall om langtids-NEET er beregnet her. "
        f"Med registerdata fra microdata.no viser denne delen {where}, med prikking av små grupper. "
        f"{script} Kjør skriptet i microdata.no, last ned resultatet som CSV og bygg boka med "
        "`neet build --data FIL.csv` (se README). Kapitlet «Demonstrasjon på syntetiske data» viser hvordan "
        "sidene ser ut med slike tall.",
        kind="tip", title="Det registerdata ville vist her")


def show_microdata_part(data_source: str | None, county: str | None, threshold: int = 5, **kwargs) -> None:
    """The long-term NEET part computed from microdata (:func:`show_section`) — or, in the
    default edition without microdata, :func:`show_register_data_box`."""
    if has_microdata(data_source):
        show_section(data_source, county, threshold=threshold, **kwargs)
    else:
        show_register_data_box(county)
