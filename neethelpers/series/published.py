"""Figures printed in the analysis note (seed 000), as tidy frames.

All values come from ``data/published/seed000_figures.csv`` (catalog id
``seed000_figures``), which records each figure with its section, line numbers in the
note, the text as printed, a qualifier (``exact``/``over``/``about``/``under``/``range``)
and a status. Where the note contradicts itself both values are in the file; the
accessors return the ``published`` value and :func:`contradictions` lists the others.

Region codes are 2024 county codes: ``"32"`` Akershus, ``"33"`` Buskerud, ``"31"`` Østfold,
``"03"`` Oslo, and ``"0"`` for the national level ("Landet").
"""

from __future__ import annotations

import pandas as pd

from neethelpers import data
from neethelpers.registry import counties

DATASET = "seed000_figures"
#: Row order of the note's Tables 3 and 4.
REGION_ORDER: tuple[str, ...] = ("32", "33", "31", "03", "0")
_KEEP = ["figure_id", "model", "region_code", "region_name", "variable", "level", "group", "statistic",
         "value", "unit", "qualifier", "status", "section", "lines", "note", "printed", "decimals"]


def figures(figure_id: str | None = None, *, include_contradictions: bool = False) -> pd.DataFrame:
    """All published figures (long format), optionally for one ``figure_id``
    (``table2``, ``table3``, ``table4``, ``models_prose``, ``lpm``, ``risk_profile``,
    ``figure2``, ``chapter5``, ``summary``, ``definitions``, ``context``)."""
    df = data.load(DATASET)
    if figure_id is not None:
        known = sorted(df["figure_id"].unique())
        if figure_id not in known:
            raise ValueError(f"unknown figure_id {figure_id!r}; known: {', '.join(known)}")
        df = df[df["figure_id"] == figure_id]
    if not include_contradictions:
        df = df[df["status"] == "published"]
    return df[_KEEP].reset_index(drop=True)


def _region_code(region) -> str:
    """Accept ``"0"``/``"Landet"``/``"Hele landet"`` or anything the county resolver accepts."""
    text = str(region).strip()
    if text in ("0", "00") or counties.fold(text) in ("landet", "hele landet", "norge"):
        return "0"
    return counties.resolve(text).code


def _wide(df: pd.DataFrame, columns: dict[tuple[str, str], str]) -> pd.DataFrame:
    out = []
    for code in REGION_ORDER:
        sub = df[df["region_code"] == code]
        if sub.empty:
            continue
        row = {"region_code": code, "region_name": sub["region_name"].iloc[0]}
        for (variable, group), name in columns.items():
            hit = sub[(sub["variable"] == variable) & (sub["group"] == group)]
            if len(hit) != 1:
                raise ValueError(f"{DATASET}: expected one value for {code}/{variable}/{group}, found {len(hit)}")
            row[name] = hit["value"].iloc[0]
        out.append(row)
    return pd.DataFrame(out)


def table3() -> pd.DataFrame:
    """Table 3: percent NEET and L-NEET of all 15–29, and L-NEET by sex, per region.

    Columns: ``region_code, region_name, neet, lneet, lneet_women, lneet_men``.
    """
    return _wide(figures("table3"), {("neet", "all"): "neet", ("lneet", "all"): "lneet",
                                     ("lneet", "women"): "lneet_women", ("lneet", "men"): "lneet_men"})


def table4() -> pd.DataFrame:
    """Table 4: percent NEET and L-NEET among immigrants and the rest of the population.

    Columns: ``region_code, region_name, neet_rest, neet_immigrants, lneet_rest, lneet_immigrants``.
    """
    return _wide(figures("table4"), {("neet", "rest"): "neet_rest", ("neet", "immigrants"): "neet_immigrants",
                                     ("lneet", "rest"): "lneet_rest",
                                     ("lneet", "immigrants"): "lneet_immigrants"})


def table2() -> pd.DataFrame:
    """Table 2: logit model 1 (outcome neet2023), one row per coefficient.

    Columns: ``variable, level, coef, std_err, z, p, ci_low, ci_high, lines``.
    No intercept is printed; reference levels are sosbakgr 1 and grunnbeløp 1.
    """
    df = figures("table2")
    wide = df.pivot_table(index=["variable", "level", "lines"], columns="statistic", values="value",
                          aggfunc="first", sort=False).reset_index()
    wide.columns.name = None
    return wide[["variable", "level", "coef", "std_err", "z", "p", "ci_low", "ci_high", "lines"]]


def model_coefficients() -> pd.DataFrame:
    """Every published coefficient: Table 2 (model 1), the prose values for models 1–4
    (chapter 4.3, Figure 3), and the linear probability model (chapter 6).

    Long format, one row per printed value. Columns: ``model`` ("1".."4", "lpm", or ""
    for a range across all models), ``variable, level, statistic`` (``coef``,
    ``coef_range_low``, ``coef_range_high``), ``value, qualifier, std_err, ci_low,
    ci_high`` (Table 2 only, otherwise NaN), ``source`` (figure_id), ``section, lines, note``.
    """
    df = figures()
    coef = df[df["figure_id"].isin(["table2", "models_prose", "lpm"])
              & df["statistic"].isin(["coef", "coef_range_low", "coef_range_high"])].copy()
    t2 = table2()[["variable", "level", "std_err", "ci_low", "ci_high"]]
    t2 = t2.assign(model="1", source="table2")
    coef = coef.rename(columns={"figure_id": "source"})
    coef = coef.merge(t2, on=["source", "model", "variable", "level"], how="left")
    cols = ["model", "variable", "level", "statistic", "value", "qualifier", "std_err", "ci_low", "ci_high",
            "source", "section", "lines", "note"]
    return coef[cols].reset_index(drop=True)


def risk_profile() -> pd.DataFrame:
    """Risk profile of L-NEETs vs others, national (chapter 3, Table 1 in prose).

    Long format: ``variable`` (``no_work_experience``, ``low_household_income``, ...),
    ``level``, ``group`` (``lneet``, ``others``, ``dropouts``, or a comparison for ratios),
    ``statistic`` (``share`` in percent, ``ratio``, ``one_in_n``), ``value, qualifier``
    (``over 70 %`` is value 70 with qualifier ``over``), ``printed, lines, note``.
    """
    df = figures("risk_profile")
    return df[["variable", "level", "group", "statistic", "value", "unit", "qualifier", "printed",
               "section", "lines", "note"]]


def figure2_points() -> pd.DataFrame:
    """The only values of Figure 2 printed in the text (L-NEET share by age and household
    income, Norway 2023, those living with a parent).

    Columns: ``age`` (int), ``income_group`` (``all``, ``low_income``, ``high_income``),
    ``share`` (percent), ``lines, note``.
    """
    df = figures("figure2")
    return pd.DataFrame({
        "age": df["level"].astype(int),
        "income_group": df["group"],
        "share": df["value"],
        "lines": df["lines"],
        "note": df["note"],
    })


def county_details(region_code: str | None = None) -> pd.DataFrame:
    """County details printed in chapters 1 and 5 (shares of L-NEETs who are men, age,
    dropouts, counts, work experience, L-NEET as share of NEETs, restatements of Tables 3
    and 4), optionally for one region (a code, ``"0"`` or a county name).

    Long format with ``figure_id, region_code, region_name, variable, level, group,
    statistic, value, unit, qualifier, printed, section, lines, note``.
    """
    df = figures()
    df = df[df["figure_id"].isin(["chapter5", "summary"])]
    if region_code is not None:
        df = df[df["region_code"] == _region_code(region_code)]
    return df[["figure_id", "region_code", "region_name", "variable", "level", "group", "statistic", "value",
               "unit", "qualifier", "printed", "section", "lines", "note"]].reset_index(drop=True)


def contradictions() -> pd.DataFrame:
    """Where the note contradicts itself: each ``contradiction`` row next to the published
    value of the same quantity (if the note has one).

    Columns: ``figure_id, region_code, region_name, variable, level, group, statistic,
    published_value, published_section, published_lines, other_value, other_section,
    other_lines, printed, note``. ``*_section`` is the note's own section and table
    (``"5 Tabell 3"``, ``"5.4"``), the way readers cite it; the line numbers refer to a text
    extraction and are kept only for checking.
    """
    df = figures(include_contradictions=True)
    keys = ["figure_id", "region_code", "variable", "level", "group", "statistic"]
    other = df[df["status"] == "contradiction"]
    pub = df[df["status"] == "published"][keys + ["value", "section", "lines"]] \
        .drop_duplicates(keys).rename(columns={"value": "published_value", "section": "published_section",
                                               "lines": "published_lines"})
    out = other.merge(pub, on=keys, how="left").rename(
        columns={"value": "other_value", "section": "other_section", "lines": "other_lines"})
    return out[keys[:2] + ["region_name"] + keys[2:] + ["published_value", "published_section", "published_lines",
                                                        "other_value", "other_section", "other_lines", "printed",
                                                        "note"]].reset_index(drop=True)
