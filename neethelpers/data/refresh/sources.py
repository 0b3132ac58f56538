"""What ``neet data refresh`` fetches, and how each response becomes the raw long format.

Each :class:`Target` is one request and one new snapshot file. The queries are
declarative so a changed variable code at SSB or Eurostat is a one-line fix here.

SSB PxWebApi v2: ``GET https://data.ssb.no/api/pxwebapi/v2/tables/{id}/data`` with
``lang=no``, ``outputFormat=json-stat2`` and one ``valueCodes[Variable]=a,b`` parameter per
selected variable (``*`` = all values; eliminable variables that are left out give
SSB's total).

Eurostat dissemination API: ``GET https://ec.europa.eu/eurostat/api/dissemination/
statistics/1.0/data/{dataset}`` with ``format=JSON`` (JSON-stat 2.0) and repeated
dimension filters (``geo=NO&geo=SE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from neethelpers.data.schemas import RAW_COLUMNS

SSB_BASE = "https://data.ssb.no/api/pxwebapi/v2/tables/{table}/data"
EUROSTAT_BASE = "https://ec.europa.eu/eurostat/api/dissemination/statistics/1.0/data/{table}"

EUROSTAT_GEOS = ("EU27_2020", "NO", "SE", "DK", "FI", "IT", "ES", "NL")
#: Norway's NUTS 2 regions (2021 classification) for edat_lfse_22.
NORWAY_NUTS2 = ("NO", "NO02", "NO06", "NO07", "NO08", "NO09", "NO0A")

SSB_LICENCE = "NLOD 2.0 (Norsk lisens for offentlige data)"
EUROSTAT_LICENCE = "CC BY 4.0 (Eurostat)"


@dataclass(frozen=True)
class Target:
    """One request → one snapshot."""

    name: str                 # snapshot/catalog id prefix, e.g. "ssb_13556_municipality"
    provider: str             # "ssb" or "eurostat"
    table: str                # SSB table id or Eurostat dataset code
    params: tuple[tuple[str, str], ...]
    title: str
    title_en: str
    coverage_hint: str
    caveats: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())

    @property
    def url(self) -> str:
        base = SSB_BASE if self.provider == "ssb" else EUROSTAT_BASE
        return base.format(table=self.table)

    def request_params(self) -> list[tuple[str, str]]:
        fixed = [("lang", "no"), ("outputFormat", "json-stat2")] if self.provider == "ssb" \
            else [("format", "JSON"), ("lang", "EN")]
        return fixed + list(self.params)


def _ssb(values: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((f"valueCodes[{var}]", codes) for var, codes in values.items())


def _euro(values: dict[str, tuple[str, ...] | str]) -> tuple[tuple[str, str], ...]:
    out = []
    for dim, codes in values.items():
        for code in ((codes,) if isinstance(codes, str) else codes):
            out.append((dim, code))
    return tuple(out)


_REGISTER_CAVEATS = (
    "Time-series break 2014/2015 (a-ordningen for employees).",
    "The latest year may be SSB's preliminary release; final figures follow later and differ "
    "slightly (preliminary figures take self-employment from the previous year's tax data).",
    "Region codes are those valid in each year: municipalities and counties are NOT on constant borders.",
    "Register NEET is not comparable with AKU/LFS or Eurostat NEET.",
)

TARGETS: tuple[Target, ...] = (
    Target(
        "ssb_13556_national", "ssb", "13556",
        _ssb({"Region": "0", "HovArbStyrkStatus": "TOT3,NEET", "Kjonn": "*", "Alder": "*",
              "ContentsCode": "Bosatte", "Tid": "*"}),
        "Unge utenfor arbeid, utdanning og arbeidsmarkedstiltak, hele landet etter kjønn og alder (SSB API)",
        "Register-based NEET, Norway, by sex and age (SSB table 13556 via PxWebApi v2)",
        "Hele landet; all years; sexes; age groups", _REGISTER_CAVEATS, ("13556",),
    ),
    Target(
        "ssb_13556_municipality", "ssb", "13556",
        _ssb({"Region": "*", "HovArbStyrkStatus": "TOT3,NEET", "Kjonn": "0", "Alder": "15-29",
              "ContentsCode": "Bosatte", "Tid": "*"}),
        "Unge utenfor arbeid, utdanning og arbeidsmarkedstiltak 15–29 år, alle kommuner (SSB API)",
        "Register-based NEET 15–29 by municipality (SSB table 13556 via PxWebApi v2)",
        "All regions of table 13556; all years; 15-29; both sexes", _REGISTER_CAVEATS, ("13556",),
    ),
    Target(
        "ssb_13563_immigrant", "ssb", "13563",
        _ssb({"Region": "*", "HovArbStyrkStatus": "TOT3,NEET2", "Alder": "15-29", "InnvandrKat": "*",
              "ContentsCode": "Bosatte", "Tid": "*"}),
        "Unge utenfor arbeid, utdanning og arbeidsmarkedstiltak 15–29 år etter region og innvandringskategori (SSB API)",
        "Register-based NEET 15–29 by region and immigrant category (SSB table 13563 via PxWebApi v2)",
        "All regions of table 13563; all years; 15-29; immigrant categories", _REGISTER_CAVEATS, ("13563",),
    ),
    Target(
        "ssb_09858_aku", "ssb", "09858",
        _ssb({"ContentsCode": "*", "Tid": "*"}),
        "Personer 15–29 år som verken er sysselsatt eller under utdanning (AKU, SSB API)",
        "Persons 15–29 neither employed nor in education (Labour Force Survey, SSB table 09858 via PxWebApi v2)",
        "Hele landet; all years",
        ("Break in January 2021 (new AKU questionnaire, end of proxy interviews, technical change in the "
         "NEET definition): levels before and after 2021 are not comparable.",
         "Survey-based; not comparable with register-based NEET."),
        ("09858",),
    ),
    Target(
        "eurostat_edat_lfse_20", "eurostat", "edat_lfse_20",
        _euro({"sex": ("T", "F", "M"), "age": ("Y15-24", "Y15-29"), "training": "NO_FE_NO_NFE",
               "wstatus": "NEMP", "unit": "PC", "geo": EUROSTAT_GEOS}),
        "Unge som verken er i arbeid, utdanning eller opplæring (NEET), Norge, EU og utvalgte land (Eurostat API)",
        "NEET rates by sex and age (Eurostat edat_lfse_20 via the dissemination API)",
        "EU27_2020, NO, SE, DK, FI, IT, ES, NL; 15-24 and 15-29; total, women, men",
        ("Eurostat status flags are kept in column status and explained in note (b = break in time series, "
         "u = low reliability, ...).",
         "LFS-based: not comparable with register NEET."),
        ("edat_lfse_20",),
    ),
    Target(
        "eurostat_edat_lfse_22", "eurostat", "edat_lfse_22",
        _euro({"sex": "T", "age": ("Y15-24", "Y15-29"), "training": "NO_FE_NO_NFE", "wstatus": "NEMP",
               "unit": "PC", "geo": NORWAY_NUTS2}),
        "Unge som verken er i arbeid, utdanning eller opplæring (NEET) i norske NUTS 2-regioner (Eurostat API)",
        "NEET rates by NUTS 2 region, Norway (Eurostat edat_lfse_22 via the dissemination API)",
        "Norway and its NUTS 2 regions; 15-24 and 15-29",
        ("NUTS 2 regions are not counties: NO08 'Oslo og Viken' and NO09 'Agder og Sør-Østlandet' span several.",
         "Eurostat status flags are kept in column status (u = low reliability is common for small regions).",
         "LFS-based: not comparable with register NEET."),
        ("edat_lfse_22",),
    ),
)


def targets_for(names: list[str] | tuple[str, ...] | None) -> list[Target]:
    """Targets selected by table id, dataset code or target name (all when empty)."""
    if not names:
        return list(TARGETS)
    chosen: list[Target] = []
    for raw in names:
        key = raw.strip().lower()
        hits = [t for t in TARGETS if key in (t.name, t.table.lower(), *(a.lower() for a in t.aliases))
                or key == f"ssb_{t.table}"]
        if not hits:
            known = sorted({t.table for t in TARGETS} | {t.name for t in TARGETS})
            raise KeyError(f"unknown table {raw!r}; known: {', '.join(known)}")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen


# --- conversion to the raw long format ---------------------------------------------------

EUROSTAT_FLAGS = {
    "b": "break in time series", "c": "confidential", "d": "definition differs", "e": "estimated",
    "f": "forecast", "n": "not significant", "p": "provisional", "r": "revised", "s": "Eurostat estimate",
    "u": "low reliability", "z": "not applicable",
}
SSB_SYMBOLS = {
    ".": "not applicable (.)", "..": "not available (..)", "...": "not yet available (...)",
    ":": "confidential (:)", "-": "nothing to report (-)",
}
_PREFIXED = re.compile(r"^(?:K|F)-(\d+)$")


def _ssb_region(code: str) -> str:
    m = _PREFIXED.match(code)
    return m.group(1) if m else code


def _find(frame: pd.DataFrame, *names: str) -> str | None:
    for n in names:
        if n in frame.columns:
            return n
    return None


def _year(period: str) -> str:
    return period if re.fullmatch(r"\d{4}", period) else ""


def ssb_to_raw(frame: pd.DataFrame, doc: dict, target: Target, url: str) -> pd.DataFrame:
    """SSB JSON-stat frame (from :func:`jsonstat.to_frame`) → raw long format."""
    time = (doc.get("role", {}).get("time") or ["Tid"])[0]
    geo = (doc.get("role", {}).get("geo") or [None])[0] or _find(frame, "Region")
    units = doc["dimension"].get("ContentsCode", {}).get("category", {}).get("unit", {})
    n = len(frame)

    def col(name, default=""):
        return frame[name] if name and name in frame.columns else pd.Series([default] * n, index=frame.index)

    status_dim = _find(frame, "HovArbStyrkStatus")
    contents = col("ContentsCode_label") if "ContentsCode" in frame.columns else pd.Series([""] * n)
    indicator = col(f"{status_dim}_label") if status_dim else contents
    if status_dim:
        # SSB labels the total of the status variable just "I alt"; say what it is a total of.
        is_total = frame[status_dim].str.upper().str.startswith("TOT")
        indicator = indicator.where(~is_total, contents + " i alt")
    if status_dim and "ContentsCode" in frame.columns and frame["ContentsCode"].nunique() > 1:
        indicator = indicator + " — " + contents
    unit = col("ContentsCode").map(lambda c: str(units.get(c, {}).get("base", "")) if units else "")
    unit = unit.where(unit != "", contents)
    periods = col(time)
    label = str(doc.get("label", target.table))
    out = pd.DataFrame({
        "year": periods.map(_year),
        "period": periods,
        "region_code": col(geo, "0").map(_ssb_region) if geo else "0",
        "region_name": col(f"{geo}_label", "Hele landet") if geo else "Hele landet",
        "sex": col("Kjonn_label", "Begge kjønn") if "Kjonn" in frame.columns else "Begge kjønn",
        "age_group": col("Alder") if "Alder" in frame.columns else "15-29",
        "group": col("InnvandrKat_label") if "InnvandrKat" in frame.columns else "I alt",
        "indicator": indicator,
        "unit": unit,
        "value": frame["value"].map(lambda v: "" if pd.isna(v) else repr(float(v))),
        "value_text": "",
        "status": frame["status"],
        "note": frame["status"].map(lambda s: SSB_SYMBOLS.get(s, s)),
        "source_table": f"SSB StatBank {target.table} via PxWebApi v2: {label}",
        "source_url": url,
    })
    return out[list(RAW_COLUMNS)]


def eurostat_to_raw(frame: pd.DataFrame, doc: dict, target: Target, url: str) -> pd.DataFrame:
    """Eurostat JSON-stat frame → raw long format (flags kept in ``status``, explained in ``note``)."""
    labels = doc.get("extension", {}).get("status", {}).get("label", {}) or {}
    n = len(frame)

    def col(name, default=""):
        return frame[name] if name in frame.columns else pd.Series([default] * n, index=frame.index)

    def explain(flags: str) -> str:
        return "; ".join(f"{f} = {labels.get(f) or EUROSTAT_FLAGS.get(f, 'flag')}" for f in flags if f.strip())

    age = col("age").map(lambda a: a[1:] if re.fullmatch(r"Y\d+-\d+", a) else a)
    out = pd.DataFrame({
        "year": col("time").map(_year),
        "period": col("time"),
        "region_code": col("geo"),
        "region_name": col("geo_label"),
        "sex": col("sex_label", "Total"),
        "age_group": age,
        "group": "",
        "indicator": str(doc.get("label", target.table)),
        "unit": col("unit_label", "percent"),
        "value": frame["value"].map(lambda v: "" if pd.isna(v) else repr(float(v))),
        "value_text": "",
        "status": frame["status"],
        "note": frame["status"].map(explain),
        "source_table": f"Eurostat {target.table} via the dissemination API (JSON-stat 2.0)",
        "source_url": url,
    })
    return out[list(RAW_COLUMNS)]
