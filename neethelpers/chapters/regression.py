"""What the regression chapter (``notebooks/05_regression.ipynb``) shows, as ready frames,
figures and sentences, so the notebook only calls and displays.

Everything that depends on the data source is produced here, never typed in a Markdown
cell: with the synthetic cohort the texts say so; with real data they name the file and
never use the word for synthetic, and every table passes disclosure control
(:mod:`.disclosure`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from neethelpers.microdata import disclosure, models, schema
from neethelpers.presentation import fmt
from neethelpers.registry import counties

__all__ = [
    "ChapterData", "load", "source_sentence", "model_definitions", "model_table", "coefficient_frame",
    "coefficient_figure", "ame_table", "odds_table", "profile_table", "lpm_table", "calibration_display",
    "published_comparison", "glue_values", "setup",
]

_MODEL_SAMPLE = {
    "with_income": "Bor med minst én forelder (grunnbeløp oppgitt)",
    "with_income_no_health": "Bor med minst én forelder og mottar ikke helserelaterte ytelser",
    "all": "Alle 15–29 år",
}


@dataclass
class ChapterData:
    """The chapter's input: cell counts, whether they are synthetic, where they came from."""

    cells: pd.DataFrame
    synthetic: bool
    source: str
    kind: str
    threshold: int
    round_to: int = disclosure.DEFAULT_ROUND_TO
    calibration: pd.DataFrame | None = None
    seed: int | None = None
    record: bool = False  # write the output-check record (set by load() for a book page)

    @property
    def n_persons(self) -> float:
        return float(self.cells["n"].sum())

    @property
    def person_records(self) -> float:
        """Person records behind the data (``persons`` of a weighted cell file, else ``n``)."""
        col = "persons" if "persons" in self.cells.columns else "n"
        return float(self.cells[col].sum())

    def count_text(self, value: float, persons: float | None = None) -> str:
        """A count for prose: exact for the synthetic cohort; for real data rounded by the
        disclosure engine, or the marker when fewer than ``threshold`` persons are behind it."""
        if self.synthetic:
            return fmt.count(value)
        return disclosure.count_text(value, self.threshold, self.round_to, persons)

    def check(self, output: str, kind: str, values: int, suppressed: int, passed: bool, note: str = "") -> None:
        """Check an output (real data only; a failed check raises, so nothing is published) and,
        when ``record`` is set, add it to the page's output-check record."""
        if self.synthetic:
            return
        from neethelpers.presentation import report

        log = disclosure.CheckLog(report.current_page(), self.threshold, self.round_to)
        log.add(output, kind, values, suppressed, passed, note)
        if self.record:
            log.write(report.asset_dir())


def load(data_source: str = "synthetic", *, seed: int = 2023, threshold: int = disclosure.DEFAULT_THRESHOLD) -> ChapterData:
    """Load the synthetic cohort (``"synthetic"``) or a person-level / cell-count file."""
    if str(data_source).strip().lower() == "synthetic":
        from neethelpers.microdata import synthetic

        cohort = synthetic.generate(seed)
        return ChapterData(cohort.cells, True, "synthetic", "cells", threshold, calibration=cohort.calibration,
                           seed=seed)
    inp = schema.read_input(Path(data_source).expanduser())
    return ChapterData(inp.cells(), False, inp.name or str(inp.source), inp.kind, threshold, record=True)


class Setup(NamedTuple):
    """The chapter's data and its models for the country and for one county."""

    data: ChapterData
    national: dict
    regional: dict
    county: counties.County


def setup(county: str, data_source: str = "synthetic", *, seed: int = 2023,
          threshold: int = disclosure.DEFAULT_THRESHOLD) -> Setup:
    """Load the data, fit every model for the country and for ``county``, set up the page's
    labels and glue every value of the chapter's prose."""
    from neethelpers.presentation import report

    report.setup(page="regresjon")
    selected = counties.resolve(county)
    d = load(data_source, seed=seed, threshold=threshold)
    national = models.fit_all(d.cells)
    regional = models.fit_all(d.cells, county=selected.code)
    glue_all(national, regional, d, selected.name)
    glue_edition(d)
    return Setup(d, national, regional, selected)


def source_sentence(d: ChapterData) -> str:
    """One Norwegian sentence saying which data the chapter uses."""
    if d.synthetic:
        return (f"Modellene i dette kapittelet er estimert på en syntetisk befolkning på "
                f"{d.count_text(d.n_persons)} personer i alderen 15–29 år i de 15 fylkene (laget med "
                f"tilfeldighetsfrø {d.seed}, så den blir den samme hver gang boka bygges). "
                "Befolkningen er laget for å gjenskape publiserte tall fra analysenotatet og SSB, "
                "og resultatene sier ingenting nytt om virkelige personer.")
    kind = "data på personnivå" if d.kind == "persons" else "celletall (antall personer og langtids-NEET per kombinasjon)"
    return (f"Modellene i dette kapittelet er estimert på {kind} fra filen **{fmt.escape_user_text(Path(d.source).name)}**, "
            f"{_about(d, d.n_persons, d.person_records)} personer i alderen 15–29 år. Koeffisienter som "
            f"bygger på færre enn {d.threshold} personer (med eller uten kjennetegnet, langtids-NEET eller ikke) er "
            f"prikket, sammen med alt som er regnet ut av dem, og antall er avrundet til nærmeste {d.round_to}.")


def _about(d: ChapterData, value: float, persons: float) -> str:
    """«om lag 1 230» for prose, or «færre enn 5» when the persons behind it are too few."""
    text = d.count_text(value, persons)
    return f"færre enn {d.threshold}" if text == disclosure.marker(d.threshold) else f"om lag {text}"


def model_definitions() -> pd.DataFrame:
    """Models 1–4 and the linear probability model: variables and estimation sample."""
    rows = []
    for spec in models.MODELS.values():
        rows.append({
            "Modell": spec.label,
            "Forklaringsvariabler": ", ".join(dict.fromkeys(
                models.TERMS[t].variable.replace("grunnbelop", "grunnbeløp").replace("kjonn", "kjønn")
                for t in spec.terms)),
            "Utvalg": _MODEL_SAMPLE[spec.sample],
            "Metode": "Logit" if spec.kind == "logit" else "Lineær (minste kvadrater)",
            "Beskrivelse": spec.description,
        })
    return pd.DataFrame(rows)


def _p_text(p: float) -> str:
    return "<0,001" if p < 0.001 else fmt.number(p, 3)


_WITH = ["persons_with", "neet_persons_with", "other_persons_with"]
_WITHOUT = ["persons_without", "neet_persons_without", "other_persons_without"]


def _disclosed(table: pd.DataFrame, d: ChapterData) -> pd.DataFrame:
    """Suppress coefficients (and everything in their row: errors, intervals, odds ratios,
    marginal effects) whose persons with or without the characteristic, long-term NEET or
    not, are fewer than ``threshold`` — persons, never weights (real data only)."""
    if d.synthetic:
        return table
    t = table.copy()
    # The constant concerns everyone in the sample: its "without" group is empty by
    # construction, so its denominator is the sample itself.
    const = t["term"] == "const"
    for w, wo in zip(_WITH, _WITHOUT):
        t.loc[const, wo] = t.loc[const, w]
    value_cols = [c for c in t.columns if c not in ("term", "label")]
    return disclosure.suppress(t, _WITH, d.threshold, d.round_to, denominator_cols=_WITHOUT, value_cols=value_cols)


def _record_model(res: models.ModelResult, d: ChapterData, output: str) -> None:
    """The output check of one model table: the shown rows rest on enough persons."""
    if d.synthetic:
        return
    t = _disclosed(res.table, d)
    mark = disclosure.marker(d.threshold)
    shown = t["coef"].map(lambda v: not (isinstance(v, str) and v == mark)).to_numpy()
    raw = res.table.copy()
    raw.loc[raw["term"] == "const", _WITHOUT] = raw.loc[raw["term"] == "const", _WITH].to_numpy()
    ok = bool((raw.loc[shown, _WITH + _WITHOUT] >= d.threshold).all(axis=None))
    d.check(output, "modell", len(t), int((~shown).sum()), ok)


def model_table(result: models.ModelResult, d: ChapterData) -> pd.DataFrame:
    """One model's coefficients for display (Norwegian headings). For the linear
    probability model the standard errors are robust (HC1), with the conventional ones the
    note used beside them, labelled."""
    t = _disclosed(result.table, d)
    mark = disclosure.marker(d.threshold)
    is_lpm = result.spec.kind == "lpm"
    columns = {
        "Variabel": t["label"],
        "Koeffisient": t["coef"],
        "Standardfeil (HC1)" if is_lpm else "Standardfeil": t["se"],
    }
    if is_lpm:
        columns["Standardfeil (konvensjonell)"] = t["se_conventional"]
    columns.update({
        "t" if is_lpm else "z": t["z"],
        "p": [v if v == mark else _p_text(float(v)) for v in t["p"]],
        "95 % KI, nedre": t["ci_low"],
        "95 % KI, øvre": t["ci_high"],
    })
    return pd.DataFrame(columns)


def odds_table(results: dict, d: ChapterData) -> pd.DataFrame:
    """Odds ratios with 95 % intervals for the four logit models (terms × models)."""
    mark = disclosure.marker(d.threshold)

    def cells(t: pd.DataFrame) -> list:
        return [v_or if v_or == mark else f"{fmt.number(v_or, 2)} ({fmt.number(lo, 2)}–{fmt.number(hi, 2)})"
                for v_or, lo, hi in zip(t["odds_ratio"], t["or_low"], t["or_high"])]

    return _logit_columns(results, d, cells, "oddsforhold")


def ame_table(results: dict, d: ChapterData) -> pd.DataFrame:
    """Average marginal effects (average discrete changes from the variable's base level)
    in percentage points with 95 % intervals, for the four logit models."""
    mark = disclosure.marker(d.threshold)

    def cells(t: pd.DataFrame) -> list:
        return [v if isinstance(v, str) and v == mark else
                f"{fmt.number(float(v) * 100, 2)} ({fmt.number(float(lo) * 100, 2)} til {fmt.number(float(hi) * 100, 2)})"
                for v, lo, hi in zip(t["ame"], t["ame_low"], t["ame_high"])]

    return _logit_columns(results, d, cells, "marginaleffekter")


def _raw_safe(res: models.ModelResult, d: ChapterData) -> set[str]:
    """Terms whose persons (with and without, long-term NEET or not) all reach the
    threshold, read from the raw table — the independent side of the output check."""
    out = set()
    for _, row in res.table.iterrows():
        counts = [row[c] for c in _WITH] + ([row[c] for c in _WITH] if row["term"] == "const"
                                            else [row[c] for c in _WITHOUT])
        if min(counts) >= d.threshold:
            out.add(row["term"])
    return out


def _logit_columns(results: dict, d: ChapterData, cells, output: str) -> pd.DataFrame:
    """One column per fitted logit model, ``cells(table)`` giving its values from the
    disclosed coefficient table without the constant; rows in the order of the terms.
    Adds the table to the page's output-check record (real data)."""
    out = None
    mark = disclosure.marker(d.threshold)
    values = hidden = 0
    passed = True
    for key in models.LOGIT_MODELS:
        res = results.get(key)
        if not isinstance(res, models.ModelResult):
            continue
        t = _disclosed(res.table, d)
        t = t[t["term"] != "const"]
        shown = cells(t)
        col = pd.DataFrame({"Variabel": t["label"].to_numpy(), res.spec.label: shown})
        out = col if out is None else out.merge(col, on="Variabel", how="outer", sort=False)
        safe = _raw_safe(res, d)
        values += len(shown)
        hidden += sum(v == mark for v in shown)
        passed &= all(v == mark or term in safe for v, term in zip(shown, t["term"]))
    d.check(output, "tabell", values, hidden, passed)
    return _order_rows(out)


def _order_rows(df: pd.DataFrame | None) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame({"Variabel": []})
    order = {models.TERMS[t].label: i for i, t in enumerate(models.TERMS)}
    df = df.assign(_o=df["Variabel"].map(order)).sort_values("_o").drop(columns="_o").reset_index(drop=True)
    return df.astype(object).where(df.notna(), "")


def _published_coefficients() -> pd.DataFrame:
    """Published coefficients per model and term (Table 2 and the note's prose)."""
    from neethelpers.series import published

    pc = published.model_coefficients()
    pc = pc[pc["statistic"] == "coef"].copy()
    inverse = {}
    for term in models.TERMS:
        key = models.published_term_key(term)
        if key:
            inverse[key] = term
    pc["term"] = [inverse.get((str(v).replace("ø", "o"), str(lv))) for v, lv in zip(pc["variable"], pc["level"])]
    pc = pc[pc["term"].notna()]
    pc["model"] = pc["model"].astype(str).map(lambda m: f"m{m}" if m in "1234" and m else m)
    return pc[["model", "term", "value", "source"]].drop_duplicates(["model", "term"])


def _safe_terms(res: models.ModelResult, d: ChapterData) -> set[str]:
    """Terms whose coefficient may be published (all for synthetic data)."""
    t = _disclosed(res.table, d)
    mark = disclosure.marker(d.threshold)
    return {term for term, c in zip(t["term"], t["coef"]) if not (isinstance(c, str) and c == mark)}


def coefficient_frame(results: dict, d: ChapterData | None = None) -> pd.DataFrame:
    """Estimated coefficients of models 1–4 with intervals, next to published values
    (with real data, only coefficients that pass disclosure control)."""
    est = models.coefficient_frame({k: v for k, v in results.items() if k in models.LOGIT_MODELS})
    if d is not None and not d.synthetic:
        keep = np.array([term in _safe_terms(results[m], d) for m, term in zip(est["model"], est["term"])], dtype=bool)
        est = est.loc[keep]
    pub = _published_coefficients()
    pub = pub[pub["model"].isin(models.LOGIT_MODELS)].rename(columns={"value": "published"})
    out = est.merge(pub[["model", "term", "published"]], on=["model", "term"], how="left")
    return out[["model", "model_label", "term", "label", "coef", "ci_low", "ci_high", "published"]]


def coefficient_figure(frame: pd.DataFrame, synthetic: bool):
    """Dot-and-interval plot of the four models' coefficients, published values as crosses.

    Returns ``(fig, data)`` where ``data`` is exactly what is plotted (Norwegian columns).
    """
    import matplotlib.pyplot as plt

    from neethelpers.presentation import charts
    from neethelpers.presentation.report import PALETTE

    terms = [t for t in models.TERMS if t in set(frame["term"])]
    labels = [models.TERMS[t].label for t in terms]
    model_keys = [k for k in models.LOGIT_MODELS if k in set(frame["model"])]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(terms) + 1.6))
    offsets = np.linspace(-0.27, 0.27, max(len(model_keys), 1))
    for off, key, colour in zip(offsets, model_keys, PALETTE):
        sub = frame[frame["model"] == key].set_index("term")
        ys, xs, los, his, pubs = [], [], [], [], []
        for i, t in enumerate(terms):
            if t in sub.index:
                ys.append(i + off)
                xs.append(sub.at[t, "coef"])
                los.append(sub.at[t, "coef"] - sub.at[t, "ci_low"])
                his.append(sub.at[t, "ci_high"] - sub.at[t, "coef"])
                pubs.append(sub.at[t, "published"])
        label = sub["model_label"].iloc[0] if len(sub) else key
        ax.errorbar(xs, ys, xerr=[los, his], fmt="o", color=colour, label=label, markersize=5, capsize=2)
        pub_y = [y for y, p in zip(ys, pubs) if pd.notna(p)]
        pub_x = [p for p in pubs if pd.notna(p)]
        if pub_x:
            ax.scatter(pub_x, pub_y, marker="x", s=60, color="black", zorder=5,
                       label="Publisert i notatet" if key == model_keys[0] else None)
    if not any(h.get_label() == "Publisert i notatet" for h in ax.collections):
        ax.scatter([], [], marker="x", color="black", label="Publisert i notatet")
    if not model_keys:
        ax.text(0.5, 0.5, "Ingen koeffisienter kan vises: modellene kunne ikke estimeres.", ha="center",
                va="center", transform=ax.transAxes)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(range(len(terms)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("Koeffisient (log-odds) med 95 % konfidensintervall")
    charts.legend_under_figure(fig, *ax.get_legend_handles_labels())  # in the plot it hid the last rows' points
    charts.number_axis(ax, axis="x")
    data = frame.rename(columns={"model_label": "Modell", "label": "Variabel", "coef": "Koeffisient",
                                 "ci_low": "KI nedre", "ci_high": "KI øvre", "published": "Publisert"})
    data = data[["Modell", "Variabel", "Koeffisient", "KI nedre", "KI øvre", "Publisert"]]
    return fig, data


def profile_table(results: dict, d: ChapterData, county_results: dict | None = None,
                  county_name: str | None = None) -> pd.DataFrame:
    """Predicted probability (percent, 95 % interval) of long-term NEET for the example
    profiles, from models 1 and 2 nationally and model 2 in the county."""
    profiles = models.example_profiles()
    out = pd.DataFrame({"Eksempelperson": profiles["profil"]})
    cols = [("m1", results, "Modell 1, hele landet"), ("m2", results, "Modell 2, hele landet")]
    if county_results is not None and county_name:
        cols.append(("m2", county_results, f"Modell 2, {county_name}"))
    mark = disclosure.marker(d.threshold)
    values = hidden = 0
    passed = True
    for key, res_dict, title in cols:
        res = res_dict.get(key)
        if not isinstance(res, models.ModelResult):
            continue
        pr = models.predict(res, profiles)
        safe = _safe_terms(res, d)
        out[title] = [f"{fmt.percent(p * 100)} ({fmt.number(lo * 100, 1)}–{fmt.number(hi * 100, 1)})"
                      if _prediction_safe(uses, safe) else mark
                      for p, lo, hi, uses in zip(pr["prob"], pr["prob_low"], pr["prob_high"], pr["uses"])]
        raw = _raw_safe(res, d)
        values += len(out)
        hidden += int((out[title] == mark).sum())
        passed &= all(v == mark or _prediction_safe(uses, raw) for v, uses in zip(out[title], pr["uses"]))
    d.check("eksempelpersoner", "tabell", values, hidden, passed, "prediksjoner følger koeffisientene de bruker")
    return out


def _prediction_safe(uses, safe: set[str]) -> bool:
    """A prediction may be shown when the constant and every coefficient it uses may be
    (the difference of two predictions would otherwise reveal a hidden coefficient)."""
    return "const" in safe and all(t in safe for t in uses)


def lpm_table(result: models.ModelResult, d: ChapterData) -> pd.DataFrame:
    """The linear probability model with the published coefficients beside it."""
    t = model_table(result, d)
    pub = _published_coefficients()
    pub = pub[pub["model"] == "lpm"].set_index("term")["value"]
    t.insert(2, "Publisert", [pub.get(term, np.nan) for term in result.table["term"]])
    t["Publisert"] = t["Publisert"].astype(object).where(t["Publisert"].notna(), "ikke publisert")
    return t


def calibration_display(calibration: pd.DataFrame) -> pd.DataFrame:
    """The calibration table with Norwegian headings."""
    return calibration.rename(columns={"group": "Gruppe", "measure": "Mål", "region": "Område",
                                       "target": "Mål (publisert)", "achieved": "Oppnådd",
                                       "difference": "Differanse", "unit": "Enhet", "source": "Kilde"})[
        ["Gruppe", "Mål", "Område", "Mål (publisert)", "Oppnådd", "Differanse", "Enhet", "Kilde"]]


def published_comparison(results: dict, d: ChapterData) -> pd.DataFrame:
    """Model 1 estimated on the chapter's data next to the note's Table 2."""
    res = results.get("m1")
    pub = _published_coefficients()
    pub = pub[pub["model"] == "m1"].set_index("term")["value"]
    if not isinstance(res, models.ModelResult):
        # the note's figures are still shown; the estimate column says why it is empty
        terms = [term for term in pub.index if term in models.TERMS]
        return pd.DataFrame({"Variabel": [models.TERMS[term].label for term in terms],
                             "Publisert (tabell 2)": [pub[term] for term in terms],
                             "Estimert": "kan ikke estimeres", "Differanse": ""})
    t = _disclosed(res.table, d)
    t = t[t["term"] != "const"]
    est = list(t["coef"])
    published_vals = [pub.get(term, np.nan) for term in t["term"]]
    diff = [e - p if not isinstance(e, str) and pd.notna(p) else "" for e, p in zip(est, published_vals)]
    return pd.DataFrame({"Variabel": t["label"].to_numpy(), "Publisert (tabell 2)": published_vals,
                         "Estimert": est, "Differanse": diff})


GLUE_KEYS = ("county_name", "n_persons", "threshold", "m1_n", "m1_dropout_coef", "m1_dropout_or",
             "m1_dropout_ame", "m1_tidlarb_or", "m1_allhelse_or", "profile1_m1", "profile2_m1", "county_m2_n",
             "profile1_county_m2")


def glue_values(results: dict, county_results: dict, d: ChapterData, county_name: str) -> dict[str, str]:
    """Formatted numbers for the chapter's prose (national and county model 1 and 2).

    Every key of :data:`GLUE_KEYS` is present: a value that cannot be computed (a model
    that could not be estimated) or that disclosure control hides is a dash or the marker.
    """
    out: dict[str, str] = {k: fmt.MISSING for k in GLUE_KEYS}
    out.update({"county_name": county_name, "n_persons": d.count_text(d.n_persons, d.person_records),
                "threshold": str(d.threshold)})
    mark = disclosure.marker(d.threshold)
    m1 = results.get("m1")
    if isinstance(m1, models.ModelResult):
        t = m1.table.set_index("term")
        safe = _safe_terms(m1, d)

        def val(term, text):
            return text if term in safe else mark

        out["m1_n"] = d.count_text(m1.nobs, m1.extra["persons"])
        out["m1_dropout_coef"] = val("dropout", fmt.signed(t.at["dropout", "coef"], 2))
        out["m1_dropout_or"] = val("dropout", fmt.number(t.at["dropout", "odds_ratio"], 2))
        out["m1_dropout_ame"] = val("dropout", fmt.points(t.at["dropout", "ame"] * 100, 1))
        out["m1_tidlarb_or"] = val("tidlarb", fmt.number(t.at["tidlarb", "odds_ratio"], 2))
        out["m1_allhelse_or"] = val("allhelse", fmt.number(t.at["allhelse", "odds_ratio"], 1))
        pr = models.predict(m1, models.example_profiles())
        for i, key in ((0, "profile1_m1"), (1, "profile2_m1")):
            out[key] = fmt.percent(pr["prob"].iloc[i] * 100) if _prediction_safe(pr["uses"].iloc[i], safe) else mark
    m2c = county_results.get("m2")
    if isinstance(m2c, models.ModelResult):
        out["county_m2_n"] = d.count_text(m2c.nobs, m2c.extra["persons"])
        pr = models.predict(m2c, models.example_profiles())
        out["profile1_county_m2"] = (fmt.percent(pr["prob"].iloc[0] * 100)
                                     if _prediction_safe(pr["uses"].iloc[0], _safe_terms(m2c, d)) else mark)
    return out


# --- display helpers (call report.*; the notebook stays free of logic) -----------------------


def glue_all(results: dict, county_results: dict, d: ChapterData, county_name: str) -> None:
    """Glue every value of :func:`glue_values` under its key for ``{glue:md}`` in prose."""
    from neethelpers.presentation import report

    for name, text in glue_values(results, county_results, d, county_name).items():
        report.glue_text(name, text)


def show_lpm(results: dict, d: ChapterData) -> None:
    """The linear probability model next to the coefficients the note published."""
    from neethelpers.presentation import report

    res = results.get("lpm")
    if not isinstance(res, models.ModelResult):
        report.missing(str(res) if isinstance(res, models.ModelFitError) else
                       f"Den lineære sannsynlighetsmodellen {disclosure.NOT_ESTIMABLE}.")
        return
    _record_model(res, d, "lpm-landet")
    report.table(lpm_table(res, d), name="lpm-landet",
                 caption="Lineær sannsynlighetsmodell for hele landet (endring i sannsynligheten for å være "
                 "langtids-NEET) ved siden av koeffisientene i analysenotatet. Standardfeilene er robuste (HC1), "
                 "fordi feilleddet i en lineær sannsynlighetsmodell alltid er heteroskedastisk; de konvensjonelle "
                 "standardfeilene notatet brukte, står ved siden av til sammenligning. Antall personer: "
                 f"{d.count_text(res.nobs, res.extra['persons'])}. {outside_text(res, d)}",
                 synthetic=d.synthetic, decimals=3)


def outside_text(res: models.ModelResult, d: ChapterData) -> str:
    """How many persons get a predicted probability outside 0–1 in the linear model."""
    n, persons = res.extra.get("outside_01", 0.0), res.extra.get("outside_01_persons", 0.0)
    if n <= 0:
        return "Ingen personer har en predikert sannsynlighet utenfor intervallet 0–1."
    share = fmt.percent(100 * n / res.nobs)
    if not d.synthetic and persons < d.threshold:
        return f"Færre enn {d.threshold} personer har en predikert sannsynlighet utenfor intervallet 0–1."
    if not d.synthetic:
        share = fmt.percent(disclosure.share(n, res.nobs, d.round_to))
    return (f"{'Om lag ' if not d.synthetic else ''}{d.count_text(n, persons)} personer ({share}) har en predikert "
            "sannsynlighet utenfor intervallet 0–1.")


def show_source(d: ChapterData) -> None:
    """The data-source statement, with the synthetic warning box when it applies."""
    from neethelpers.presentation import report

    if d.record or d.synthetic:  # the record describes this run only (none for synthetic data)
        disclosure.reset_record(report.asset_dir(), report.current_page())
    if d.synthetic:
        report.synthetic_banner()
    report.markdown(source_sentence(d))


def show_coefficients(results: dict, d: ChapterData) -> None:
    """The four models' coefficients in one figure, next to the published ones; where no
    coefficient can be shown (data too small, or every one held back by disclosure control),
    a note says so instead of an empty figure, and the text does not point to a figure."""
    from neethelpers.presentation import report

    frame = coefficient_frame(results, d)
    if frame.empty:
        report.missing("Ingen koeffisienter fra modell 1–4 kan vises: modellene kunne ikke estimeres av hensyn til "
                       "datagrunnlaget eller personvernet. Figuren med koeffisientene er derfor utelatt.")
        return
    report.markdown(f"{{numref}}`{report.label('fig', 'koeffisienter')}` viser koeffisientene i de fire modellene med "
                    "95 prosent konfidensintervall. Kryssene er koeffisientene analysenotatet publiserte: hele tabell 2 "
                    "for modell 1 og de enkeltverdiene notatet nevner i teksten for modell 2–4.")
    fig, data = coefficient_figure(frame, d.synthetic)
    report.figure(fig, name="koeffisienter",
                  caption=("Koeffisienter (log-odds) i modell 1–4 for hele landet, med publiserte verdier fra "
                           "analysenotatet som kryss"),
                  alt=("Punktdiagram med én rad per forklaringsvariabel og ett punkt med konfidensintervall per "
                       "modell; publiserte koeffisienter er markert med kryss."),
                  data=data, synthetic=d.synthetic)


def show_model(results: dict, key: str, d: ChapterData, *, name: str, where: str) -> None:
    """One model's coefficient table, or a note saying why it could not be estimated."""
    from neethelpers.presentation import report

    res = results.get(key)
    spec = models.MODELS[key]
    if not isinstance(res, models.ModelResult):
        report.missing(str(res) if isinstance(res, models.ModelFitError) else
                       f"{spec.label} for {where} {disclosure.NOT_ESTIMABLE}.")
        return
    _record_model(res, d, name)
    caption = (f"{spec.label}, {where}: koeffisienter (log-odds) for sannsynligheten for å være langtids-NEET"
               if spec.kind == "logit" else
               f"{spec.label}, {where}: koeffisienter (endring i sannsynlighet for å være langtids-NEET)")
    caption += f". Antall personer i utvalget: {d.count_text(res.nobs, res.extra['persons'])}."
    report.table(model_table(res, d), name=name, caption=caption, synthetic=d.synthetic, decimals=3)


def show_comparison(results: dict, d: ChapterData) -> None:
    """Model 1 next to Table 2 and, for the synthetic cohort, the calibration table and the
    assumptions behind it."""
    from neethelpers.microdata import synthetic
    from neethelpers.presentation import report

    report.table(published_comparison(results, d), name="tabell2-sammenligning",
                 caption="Modell 1 for hele landet sammenlignet med analysenotatets tabell 2 (log-odds)",
                 synthetic=d.synthetic, decimals=2)
    if not d.synthetic:
        return
    report.table(calibration_display(d.calibration), name="kalibrering",
                 caption="Kalibrering: publiserte tall befolkningen er tilpasset, verdien som er oppnådd og "
                 "differansen (prosent eller log-odds)", synthetic=True, interactive=True, decimals=2)
    report.markdown("Antakelser bak befolkningen der ingen publiserte tall finnes:\n\n"
                    + "\n".join(f"- {a['text']}" for a in synthetic.ASSUMPTIONS.values()))


# --- the chapter's framing: a demonstration on the synthetic cohort, or results from a file -------


def edition_texts(d: ChapterData) -> dict[str, str]:
    """The sentences whose wording depends on the data: ``edition_intro`` (what the chapter is),
    ``in_data`` (the subject of every result sentence: the synthetic population or the file) and
    ``comparison_intro`` (the comparison with the note: a calibration check for the synthetic
    cohort, never a replication)."""
    if d.synthetic:
        return {
            "edition_intro": (
                "I denne utgaven er modellene estimert på en **syntetisk befolkning** (Syntetiske data), fordi "
                "registerdataene ikke er offentlige. Kapittelet er en demonstrasjon: det viser hvilke tabeller og "
                "figurer en utgave med registerdata får, men ingen av tallene er funn om virkelige unge. "
                "Befolkningen er kalibrert slik at koeffisientene i modell 1 treffer notatets tabell 2; at de "
                "stemmer, er derfor bygget inn og bekrefter ingenting."),
            "in_data": "I den syntetiske befolkningen",
            "comparison_intro": (
                "Sammenligningen er en kontroll av kalibreringen, ikke en gjenskaping av notatets resultater. "
                "Koeffisientene i modell 1 er brukt i kalibreringen og stemmer derfor med tabell 2 per konstruksjon. "
                "Notatets andre koeffisienter (modell 2–4 og den lineære modellen) er ikke brukt; tabellen over dem "
                "viser hvor langt den syntetiske befolkningen bommer, med de største avvikene først."),
        }
    return {
        # The file's name is user input: only through fmt.escape_user_text (a code span would let a
        # backtick in the name end it and its markup through).
        "edition_intro": (f"Her er modellene estimert på datafilen **{fmt.escape_user_text(Path(d.source).name)}** "
                          "og sammenlignet med "
                          "tallene notatet publiserte."),
        "in_data": "I datafilen",
        "comparison_intro": ("Forskjellene mot notatet kan skyldes andre årganger, andre definisjoner i datafilen "
                             "eller tilfeldig variasjon."),
    }


def glue_edition(d: ChapterData) -> None:
    from neethelpers.presentation import report

    for name, text in edition_texts(d).items():
        report.glue_text(name, text)


def unfitted_misses(results: dict, d: ChapterData) -> pd.DataFrame:
    """Published coefficients the synthetic cohort was *not* calibrated to (every model but
    model 1) next to the synthetic estimate, the largest absolute miss first."""
    from neethelpers.series import analysis_note, published

    pub = _published_coefficients()
    pub = pub[pub["model"] != "m1"]
    sections = published.model_coefficients().groupby("source")["section"].first()
    rows = []
    for rec in pub.itertuples(index=False):
        res = results.get(rec.model)
        if not isinstance(res, models.ModelResult):
            continue
        t = res.table.set_index("term")
        if rec.term not in t.index:
            continue
        est = float(t.at[rec.term, "coef"])
        rows.append({"Modell": models.MODELS[rec.model].label, "Variabel": models.TERMS[rec.term].label,
                     "Publisert": float(rec.value), "Syntetisk": est, "Avvik": est - float(rec.value),
                     "Kilde i notatet": analysis_note.cite(sections.get(rec.source, rec.source))})
    out = pd.DataFrame(rows, columns=["Modell", "Variabel", "Publisert", "Syntetisk", "Avvik", "Kilde i notatet"])
    return out.reindex(out["Avvik"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def show_calibration_check(results: dict, d: ChapterData) -> None:
    """For the synthetic cohort: the unfitted published coefficients, largest misses first."""
    from neethelpers.presentation import report

    if not d.synthetic:
        return
    misses = unfitted_misses(results, d)
    if misses.empty:
        return
    report.table(misses, name="kalibrering-ikke-tilpasset",
                 caption=("Kontroll av kalibreringen: publiserte koeffisienter som den syntetiske befolkningen ikke "
                          "er tilpasset, ved siden av estimatet i den syntetiske befolkningen; største avvik først"),
                 synthetic=True, decimals=3)
