"""One-off import of the transcribed public statistics into ``data/raw/``.

This script documents how the immutable snapshots in ``data/raw/`` were made from the
transcriptions in ``../shared/reference/public-data/`` (which is not part of this
repository). It is kept for provenance; the book never runs it. Re-running it
overwrites snapshots, so it refuses to do so unless ``--overwrite`` is given.

Each source file becomes one long-format CSV with the columns listed in
``RAW_COLUMNS``; the source table and address stay on every row because some files
(SSB articles) combine several sources.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "reference" / "public-data"

RAW_COLUMNS = [
    "year", "period", "region_code", "region_name", "sex", "age_group", "group",
    "indicator", "unit", "value", "value_text", "status", "note", "source_table", "source_url",
]

# dataset id -> source file under shared/reference/public-data
SOURCES = {
    "ssb_13556_national_sex_age": "series-2008-2024/ssb_13556_neet_national_2008_2024_by_sex_age.csv",
    "ssb_13563_national_immigrant": "series-2008-2024/ssb_13563_neet_national_2008_2024_by_immigrant.csv",
    "ssb_13556_municipality": "series-2008-2024/ssb_13556_neet_municipality_2008_2024.csv",
    "ssb_13556_county_sex_age_own_borders": "series-2008-2024/ssb_13556_neet_county_2008_2024_by_sex_age_derived.csv",
    "ssb_13563_county_immigrant_own_borders": "series-2008-2024/ssb_13563_neet_county_2008_2024_by_immigrant_derived.csv",
    "eurostat_edat_lfse_20_15_29": "series-2008-2024/eurostat_neet_15_29_edat_lfse_20.csv",
    "other_sources_neet_figures": "series-2008-2024/other_sources_neet_figures.csv",
    "ssb_13563_county_2021": "ssb_13563_neet_county_2021.csv",
    "ssb_13563_county_2022_immigrant": "ssb_13563_neet_county_2022_by_immigrant.csv",
    "ssb_13563_county_2024_shares": "ssb_neet_county_2024.csv",
    "ssb_13563_status_15plus_county": "ssb_13563_status_15plus_county_2020_2021.csv",
    "ssb_arbstatus_15plus_national": "ssb_arbstatus_15plus_national.csv",
    "ssb_09858_aku_neet": "ssb_aku_09858_neet.csv",
    "ssb_article_figures": "ssb_neet_article_figures.csv",
    "eurostat_edat_lfse_20_15_24": "eurostat_neet_15_24_eige.csv",
    "nav_grunnbelop": "grunnbelop_2008_2024.csv",
    "county_codes": "county_codes.csv",
    "county_correspondence": "county_correspondence.csv",
    "nav_health_benefits_county": "nav_health_benefits_county.csv",
    "vgo_completion_county": "vgo_completion_county.csv",
}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def convert_row(row: dict[str, str]) -> dict[str, str]:
    period = row["year"].strip()
    value = row["value"].strip()
    out = {
        "year": period if period.isdigit() and len(period) == 4 else "",
        "period": period,
        "region_code": row["region_code"].strip(),
        "region_name": row["region_name"].strip(),
        "sex": row["sex"].strip(),
        "age_group": row["age_group"].strip(),
        "group": row["group"].strip(),
        "indicator": row["indicator"].strip(),
        "unit": row["unit"].strip(),
        "value": value if _is_number(value) else "",
        "value_text": "" if _is_number(value) else value,
        "status": row["flag"].strip(),
        "note": row["note"].strip(),
        "source_table": row["source_table"].strip(),
        "source_url": row["source_url"].strip(),
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--overwrite", action="store_true", help="replace existing snapshots")
    args = parser.parse_args(argv)
    raw_dir = ROOT / "data" / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    for dataset, rel in SOURCES.items():
        target = raw_dir / f"{dataset}.csv"
        if target.exists() and not args.overwrite:
            print(f"skip {target.name}: exists (raw snapshots are immutable)")
            continue
        with open(SHARED / rel, newline="", encoding="utf-8") as fh:
            rows = [convert_row(r) for r in csv.DictReader(fh)]
        with open(target, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=RAW_COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {target.relative_to(ROOT)} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
