"""The data behind every table and figure, as files a Norwegian reader can open.

Each table and figure offers two downloads, written next to the executed notebook in
``_assets/`` by :mod:`neethelpers.presentation.report`:

* **CSV** — UTF-8 *with* byte-order mark, semicolon as separator and decimal comma.
  This is what Excel with Norwegian regional settings expects when a ``.csv`` file is
  opened by double-clicking: without the BOM it reads the file as Windows-1252 (``ø``
  becomes ``Ã¸``), with commas as separator it puts every row in one cell, and with
  decimal points it reads ``12.5`` as a date or as text. (SSB's own "semikolonseparert"
  CSV exports follow the same convention.) The first line names the source and, for the
  synthetic cohort, says «Syntetiske data»; the column header is the second line.
  :func:`read_csv` reads such a file back into a data frame.
* **Excel** (``.xlsx``, written with openpyxl) — the same first line(s), then the header
  and the values. Numbers are stored as numbers with a number format (``0.0``, ``#,##0``,
  years as ``0``), so they can be summed and sorted; only cells that are not numbers
  (a suppressed value such as ``<5``, a note) are text.

In both files, column names are Norwegian with their unit (one mapping: :data:`COLUMNS`),
values are rounded as the page shows them (:func:`decimals_for`), logical values are
``ja``/``nei`` and missing values are empty cells.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

CSV_ENCODING = "utf-8-sig"
CSV_SEPARATOR = ";"
CSV_DECIMAL = ","
SHEET_TITLE = "Tall"

# --- the one mapping of column names ---------------------------------------------------------
# internal name → (Norwegian name with unit, decimals to round to; None = not a number to round,
# or "as the table shows it"). Names that are already Norwegian reader text are kept as they are.
COLUMNS: dict[str, tuple[str, int | None]] = {
    # public statistics
    "year": ("År", None),
    "area": ("Område", None),
    "geo": ("Landkode", None),
    "country": ("Land", None),
    "county_code": ("Fylkesnummer", None),
    "county_name": ("Fylke", None),
    "municipality_code": ("Kommunenummer", None),
    "municipality_name": ("Kommune", None),
    "sex": ("Kjønn", None),
    "age_group": ("Aldersgruppe (kode)", None),
    "age_label": ("Aldersgruppe", None),
    "group": ("Gruppe (SSB)", None),
    "group_label": ("Gruppe", None),
    "share": ("Andel NEET (%)", 1),
    "national_share": ("Andel NEET, hele landet (%)", 1),
    "share_since": ("Andel NEET, sammenligningsåret (%)", 1),
    "change_points": ("Endring (prosentpoeng)", 1),
    "neet": ("NEET (antall personer)", 0),
    "residents": ("Bosatte 15–29 år (antall personer)", 0),
    "release": ("Publisering (endelig/foreløpig)", None),
    "derived": ("Beregnet av oss (ja/nei)", None),
    "comparable": ("Sammenlignbar over tid (ja/nei)", None),
    "small": ("Få unge innbyggere (ja/nei)", None),
    "rank": ("Rangering", 0),
    "kilde": ("Kilde", None),
    "flag": ("Eurostat-flagg", None),
    "flag_text": ("Eurostat-flagg forklart", None),
    "lneet": ("Langtids-NEET (%)", 1),
    "others": ("Andre (%)", 1),
    "lneet_text": ("Langtids-NEET, som i notatet", None),
    "others_text": ("Andre, som i notatet", None),
    "lines": ("Linjer i notatet", None),
    # literature
    "factor_category": ("Faktorgruppe", None),
    "factor": ("Faktor", None),
    "outcome": ("Utfall", None),
    "n": ("Funn (antall)", 0),
    "n_okt_risiko": ("Funn om økt risiko (antall)", 0),
    "n_redusert_risiko": ("Funn om redusert risiko (antall)", 0),
    "n_ingen_sammenheng": ("Funn uten sammenheng (antall)", 0),
    "n_blandet": ("Blandede funn (antall)", 0),
    "dominant_direction": ("Vanligste retning", None),
    "unanimous": ("Samstemte funn (ja/nei)", None),
    "finding_id": ("Funn-ID", None),
    "label": ("Etikett", None),
    "plot_label": ("Etikett i figuren", None),
    "study": ("Studie", None),
    "study_author": ("Forfatter", None),
    "study_year": ("Utgivelsesår", 0),
    "ratio": ("Forholdstall", 2),
    "ratio_low": ("Forholdstall, nedre grense", 2),
    "ratio_high": ("Forholdstall, øvre grense", 2),
    "kind": ("Type forholdstall", None),
    "comparison_group": ("Sammenligning", None),
    "population": ("Populasjon", None),
    "bibkey": ("Referansenøkkel", None),
    "bibkeys": ("Referansenøkler", None),
    "direction": ("Retning", None),
    "effect_size": ("Effektstørrelse", 2),
    "effect_unit": ("Enhet for effekt", None),
    "ci_low": ("Konfidensintervall, nedre", 2),
    "ci_high": ("Konfidensintervall, øvre", 2),
    "source_document": ("Kildedokument", None),
    "source_section": ("Avsnitt i kilden", None),
    "source_lines": ("Linjer i kilden", None),
    "evidence_note": ("Merknad", None),
    "note_factor": ("Faktor i notatet", None),
    "note_factor_pole": ("Retning i notatet", None),
    "model": ("Modell", None),
    "note_estimate": ("Estimat i notatet", 2),
    "note_estimate_unit": ("Enhet for estimatet", None),
    "note_estimate_comparison": ("Sammenligning i notatet", None),
    "note_findings": ("Funn i notatet (antall)", 0),
    "note_findings_increased": ("Funn i notatet om økt risiko (antall)", 0),
    "n_literature": ("Funn i litteraturen (antall)", 0),
    "n_okt": ("Funn om økt risiko (antall)", 0),
    "n_redusert": ("Funn om redusert risiko (antall)", 0),
    "n_ingen": ("Funn uten sammenheng (antall)", 0),
    "n_langtids": ("Funn om langtids-NEET (antall)", 0),
    "studies": ("Studier", None),
    "verdict": ("Vurdering", None),
    "verdict_langtids": ("Vurdering, langtids-NEET", None),
    "measure_id": ("Tiltak-ID", None),
    "measure": ("Tiltak", None),
    "focus_area": ("Innsatsområde", None),
    "target_group": ("Målgruppe", None),
    "goal": ("Mål", None),
    "factors_stated": ("Faktorer som nevnes", None),
    "factors_inferred": ("Faktorer som er utledet", None),
    "weaknesses_addressed": ("Svakheter tiltaket svarer på", None),
    "mapping_note": ("Merknad til koblingen", None),
    # microdata (long-term NEET)
    "alder": ("Alder (år)", None),
    "gruppe": ("Gruppe", None),
    "etter": ("Fordelt etter", None),
    "område": ("Område", None),
    "risikofaktor": ("Risikofaktor", None),
    "personer": ("Personer (antall)", 0),
    "langtids_neet": ("Langtids-NEET (antall personer)", 0),
    "langtids_neet_i_alt": ("Langtids-NEET i alt (antall personer)", 0),
    "langtids_neet_med_faktoren": ("Langtids-NEET med faktoren (antall personer)", 0),
    "andre_i_alt": ("Andre i alt (antall personer)", 0),
    "andre_med_faktoren": ("Andre med faktoren (antall personer)", 0),
    "droppet_ut_antall": ("Droppet ut av videregående (antall personer)", 0),
    "uten_arbeidserfaring_antall": ("Uten arbeidserfaring (antall personer)", 0),
    "andel_langtids_neet_prosent": ("Andel langtids-NEET (%)", 1),
    "andel_langtids_neet_hele_landet_prosent": ("Andel langtids-NEET, hele landet (%)", 1),
    "andel_av_alle_langtids_neet_prosent": ("Andel av alle langtids-NEET (%)", 1),
    "andel_blant_langtids_neet_prosent": ("Andel blant langtids-NEET (%)", 1),
    "andel_blant_andre_prosent": ("Andel blant andre (%)", 1),
    "andel_langtids_neet_blant_dem_med_faktoren_prosent": ("Andel langtids-NEET blant dem med faktoren (%)", 1),
    "andel_kvinner_prosent": ("Andel langtids-NEET, kvinner (%)", 1),
    "andel_menn_prosent": ("Andel langtids-NEET, menn (%)", 1),
    "andel_innvandrere_prosent": ("Andel langtids-NEET, innvandrere (%)", 1),
    "andel_alle_unntatt_innvandrere_prosent": ("Andel langtids-NEET, befolkningen ellers (%)", 1),
    "droppet_ut_prosent": ("Droppet ut av videregående (%)", 1),
    "uten_arbeidserfaring_prosent": ("Uten arbeidserfaring (%)", 1),
    "forhold": ("Forholdstall", 1),
    "publisert": ("Publisert verdi", 1),
    "publisert_formulering": ("Publisert, som i notatet", None),
    "beregnet": ("Beregnet verdi", 1),
    "forskjell": ("Forskjell", 1),
    "enhet_for_forskjell": ("Enhet for forskjellen", None),
    "linjer_i_notatet": ("Linjer i notatet", None),
    "mål": ("Mål", None),
    # regression output
    "t": ("t-verdi", 2),
    "z": ("z-verdi", 2),
    "p": ("p-verdi", None),
}


def column_name(name) -> str:
    """The Norwegian column name (with unit) a reader sees for ``name``."""
    key = str(name)
    return COLUMNS[key][0] if key in COLUMNS else key


def internal_name(shown: str) -> str:
    """The inverse of :func:`column_name`. Where two internal names share a reader's name
    (``area``/``område`` → «Område»), the later entry of :data:`COLUMNS` wins."""
    for key, (text, _d) in reversed(COLUMNS.items()):
        if text == shown:
            return key
    return shown


_PERCENT = re.compile(r"\(%\)|prosent\b|prosentpoeng", re.IGNORECASE)
_COUNT = re.compile(r"\(antall\b|\bantall\)|\(1 000 personer\)|^bosatte\b|^utenfor \(antall\)", re.IGNORECASE)
_YEAR = {"år", "year", "årstall", "statistikkår", "utgivelsesår", "study_year"}


def decimals_for(name, fallback: int | None = None) -> int | None:
    """How many decimals column ``name`` is shown with: the mapping first, then the unit in
    the name (percentages 1, counts 0), then ``fallback`` (the table's own rule)."""
    key = str(name)
    if key in COLUMNS and COLUMNS[key][1] is not None:
        return COLUMNS[key][1]
    shown = column_name(key)
    if _PERCENT.search(shown):
        return 1
    if _COUNT.search(shown):
        return 0
    return fallback


def _is_year(name) -> bool:
    return str(name).strip().lower() in _YEAR or column_name(name).strip().lower() in _YEAR


def prepare(data: pd.DataFrame, decimals: int | dict | None = None) -> pd.DataFrame:
    """``data`` as it is written for download: Norwegian column names, values rounded as
    displayed, logical values as ``ja``/``nei``, missing values as ``None``.

    ``decimals`` is the table's display rule (an int for all columns or a dict per column),
    used for columns whose unit does not settle it."""
    out = pd.DataFrame(index=range(len(data)))
    for col in data.columns:
        series = data[col].reset_index(drop=True)
        fallback = decimals.get(col) if isinstance(decimals, dict) else decimals
        d = decimals_for(col, fallback)
        out[column_name(col)] = [_cell(v, d, _is_year(col)) for v in series]
    return out


def _cell(value, decimals: int | None, year: bool):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "ja" if value else "nei"
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if year or (decimals == 0):
            return int(round(v))
        if decimals is None:
            decimals = 3 if abs(v) < 1 and v != 0 else 2
        r = round(v, decimals)
        return r
    return str(value)


@dataclass(frozen=True)
class Header:
    """The lines above the column header: what the data is, where it comes from."""

    title: str
    source: str
    synthetic: bool = False

    def lines(self) -> list[str]:
        from neethelpers.presentation.report import SYNTHETIC_LABEL

        first = self.title
        if self.synthetic:
            first = f"{SYNTHETIC_LABEL} (ikke registerdata om virkelige personer). {first}"
        out = [first]
        if self.source and self.source not in self.title:
            out.append(self.source)
        return out


def _plain(text: str) -> str:
    """Caption Markdown as plain text (no ``**``, roles or links)."""
    text = re.sub(r"\{[a-z:]+\}`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"\s+", " ", text.replace("**", "").replace("*", "")).strip()


def header(caption: str, *, source: str | None, synthetic: bool, page: str) -> Header:
    """The header of a download: the caption as title, and the source named in the caption
    (its «Kilde: …»), or ``source``, or the page it comes from."""
    from neethelpers.presentation.report import SYNTHETIC_LABEL

    title = _plain(caption)
    if title.startswith(SYNTHETIC_LABEL + "."):
        title = title[len(SYNTHETIC_LABEL) + 1:].strip()  # Header.lines() says it once, first
    if source is None:
        m = re.search(r"\b(Kilder?:.*)$", title)
        source = m.group(1) if m else f"Kilde: NEET-rapportboka, siden «{page}» (datagrunnlaget er beskrevet i vedlegget om data)"
    return Header(title=title, source=_plain(source), synthetic=synthetic)


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer():
            return str(int(value))
        text = repr(value) if "e" not in repr(value) else f"{value:.10f}".rstrip("0")
        return text.replace(".", CSV_DECIMAL)
    return str(value)


def write_csv(frame: pd.DataFrame, head: Header, path: Path) -> Path:
    """Write ``frame`` (from :func:`prepare`) as a Norwegian-Excel CSV with ``head`` on top."""
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding=CSV_ENCODING, newline="") as fh:
        w = csv.writer(fh, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
        w.writerow([" ".join(head.lines())])
        w.writerow(list(frame.columns))
        for row in frame.itertuples(index=False):
            w.writerow([_csv_text(v) for v in row])
    return path


def read_csv(path: Path | str, **kwargs) -> pd.DataFrame:
    """Read a download written by :func:`write_csv` (skips the source line)."""
    opts = dict(sep=CSV_SEPARATOR, decimal=CSV_DECIMAL, encoding=CSV_ENCODING, skiprows=1)
    opts.update(kwargs)
    return pd.read_csv(path, **opts)


def header_line(path: Path | str) -> str:
    """The first line of a CSV download (what it is and its source)."""
    with open(path, encoding=CSV_ENCODING) as fh:
        return fh.readline().strip().strip('"')


def decimals_present(values) -> int:
    """The most decimals any (already rounded) float in ``values`` has."""
    return max((len(repr(v).split(".")[1]) for v in values
                if isinstance(v, float) and math.isfinite(v) and not v.is_integer() and "e" not in repr(v)),
               default=0)


def _number_format(values: list, decimals: int | None, year: bool) -> str:
    if year:
        return "0"
    if decimals is None:
        decimals = decimals_present(values)
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def write_xlsx(frame: pd.DataFrame, head: Header, path: Path, decimals: dict[str, int | None] | None = None) -> Path:
    """Write ``frame`` as an Excel workbook: header lines, bold column header, numbers as
    numbers with a number format, the header row frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    lines = head.lines()
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line).font = Font(bold=(i == 1), color="B23A00" if head.synthetic and i == 1
                                                         else None)
    top = len(lines) + 2  # one empty row between the header lines and the table
    for j, col in enumerate(frame.columns, start=1):
        ws.cell(row=top, column=j, value=col).font = Font(bold=True)
    for j, col in enumerate(frame.columns, start=1):
        values = [None if isinstance(v, float) and not math.isfinite(v) else v for v in frame[col]]
        numeric = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        d = (decimals or {}).get(col)
        number_format = _number_format(numeric, d, col.strip().lower() in _YEAR)
        width = len(str(col))
        for i, v in enumerate(values, start=top + 1):
            cell = ws.cell(row=i, column=j, value=v)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cell.number_format = number_format
            width = max(width, len(str(v)) if v is not None else 0)
        ws.column_dimensions[get_column_letter(j)].width = min(60, width + 2)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_reproducibly(wb, path)
    return path


def _save_reproducibly(wb, path: Path) -> None:
    """Save ``wb`` so that the same table gives the same bytes in every build: openpyxl's
    ``save`` stamps the workbook and every member of its ZIP archive with the current time.
    Here both carry the reproducible-builds time instead: ``SOURCE_DATE_EPOCH`` if set,
    otherwise the ZIP format's earliest date, 1980-01-01 (openpyxl cannot leave the
    workbook's dates out)."""
    import datetime as dt
    from zipfile import ZIP_DEFLATED

    from openpyxl.writer.excel import ExcelWriter
    from repro_zipfile import ReproducibleZipFile, date_time

    wb.properties.created = wb.properties.modified = dt.datetime(*date_time())
    with ReproducibleZipFile(path, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()


def write(data: pd.DataFrame, stem: Path, *, caption: str, source: str | None, synthetic: bool, page: str,
          decimals: int | dict | None = None) -> tuple[Path, Path]:
    """Write ``stem``.csv and ``stem``.xlsx for ``data``; returns both paths."""
    frame = prepare(data, decimals)
    head = header(caption, source=source, synthetic=synthetic, page=page)
    per_col = {column_name(c): decimals_for(c, decimals.get(c) if isinstance(decimals, dict) else decimals)
               for c in data.columns}
    csv = write_csv(frame, head, stem.with_suffix(".csv"))
    xlsx = write_xlsx(frame, head, stem.with_suffix(".xlsx"), per_col)
    return csv, xlsx
