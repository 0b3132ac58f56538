"""Online refresh: fetch current figures from SSB and Eurostat as new raw snapshots.

``neet data refresh [TABLE ...]`` calls :func:`refresh`. For each selected
:class:`~neethelpers.data.refresh.sources.Target` it

1. fetches the JSON-stat 2.0 response through an HTTP cache (requests-cache, stored in the
   git-ignored ``.http-cache/`` folder of the project),
2. decodes it (:mod:`neethelpers.data.refresh.jsonstat`) and converts it to the raw long format,
3. validates the new CSV with the same loader and schema that ``data.load`` uses.

Only when *every* selected table has been fetched and validated does it write: each new
snapshot file and then the extended catalog, each atomically (temporary file +
``os.replace``). Existing snapshots are never replaced — a changed table gets a new
file ``data/raw/<target>_<YYYYMMDD>.csv`` and a new catalog entry; an unchanged table
writes nothing. Any failure (no network, HTTP error, malformed response, invalid data)
raises :class:`RefreshError` before anything under ``data/`` is touched.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from neethelpers import paths
from neethelpers.data import catalog
from neethelpers.data.loader import parse_bytes
from neethelpers.data.refresh import jsonstat
from neethelpers.data.refresh.sources import (
    EUROSTAT_LICENCE,
    SSB_LICENCE,
    TARGETS,
    Target,
    eurostat_to_raw,
    ssb_to_raw,
    targets_for,
)
from neethelpers.data.schemas import SPECS, region_code_problem
from neethelpers.errors import DataError, NeetError

__all__ = ["refresh", "RefreshError", "RefreshResult", "make_session", "TARGETS", "targets_for", "fetch"]

CACHE_DIR_NAME = ".http-cache"
TIMEOUT_SECONDS = 60


class RefreshError(NeetError):
    """A refresh that could not be completed; nothing was written."""

    def __init__(self, message: str, *, network: bool = False) -> None:
        self.network = network
        super().__init__(message)


@dataclass
class RefreshResult:
    target: str
    table: str
    status: str                  # "new" or "unchanged"
    dataset_id: str | None
    file: str | None
    rows: int
    from_cache: bool
    url: str


def make_session(cache_dir: Path | None = None, expire_hours: float = 12.0):
    """A requests-cache session whose cache lives in ``<project>/.http-cache/``."""
    import requests_cache

    cache_dir = Path(cache_dir) if cache_dir is not None else paths.PROJECT_ROOT / CACHE_DIR_NAME
    cache_dir.mkdir(parents=True, exist_ok=True)
    return requests_cache.CachedSession(
        str(cache_dir / "neet-refresh"), backend="sqlite",
        expire_after=_dt.timedelta(hours=expire_hours), allowable_codes=(200,),
    )


def fetch(session, target: Target) -> tuple[dict, str, bool]:
    """GET one target; returns ``(json document, final url, from_cache)``."""
    import requests

    host = urlsplit(target.url).netloc
    try:
        resp = session.get(target.url, params=target.request_params(), timeout=TIMEOUT_SECONDS)
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        raise RefreshError(
            f"no network: could not reach {host} ({type(exc).__name__}); nothing under data/ was changed",
            network=True,
        ) from None
    except requests.exceptions.RequestException as exc:
        raise RefreshError(f"request to {host} failed ({type(exc).__name__}: {exc}); "
                           "nothing under data/ was changed") from None
    url = getattr(resp, "url", target.url) or target.url
    if resp.status_code != 200:
        body = (resp.text or "")[:160].replace("\n", " ")
        raise RefreshError(f"{host} answered HTTP {resp.status_code} for {target.table} ({body}); "
                           "nothing under data/ was changed")
    try:
        doc = json.loads(resp.content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RefreshError(f"{host} returned something that is not JSON for {target.table} ({exc}); "
                           "nothing under data/ was changed") from None
    return doc, url, bool(getattr(resp, "from_cache", False))


def convert(doc: dict, target: Target, url: str) -> tuple[pd.DataFrame, list[str]]:
    """JSON-stat document → raw long frame (all text), plus caveats about left-out rows."""
    try:
        frame = jsonstat.to_frame(doc)
    except jsonstat.JsonStatError as exc:
        raise RefreshError(f"{target.table}: response is not a usable JSON-stat 2.0 dataset ({exc}); "
                           "nothing under data/ was changed") from None
    notes: list[str] = []
    if target.provider == "ssb":
        raw = ssb_to_raw(frame, doc, target, url)
        bad = raw["region_code"].map(lambda c: region_code_problem("ssb_region", c, None))
        if bad.any():
            codes = sorted(raw.loc[bad, "region_code"].unique())
            notes.append(f"{int(bad.sum())} rows with region codes outside the county and municipality code "
                         f"lists were left out: {', '.join(codes[:12])}{' …' if len(codes) > 12 else ''}.")
            raw = raw[~bad]
    else:
        raw = eurostat_to_raw(frame, doc, target, url)
        empty = (raw["value"] == "") & (raw["status"] == "")
        if empty.any():
            notes.append(f"{int(empty.sum())} combinations without any observation in Eurostat's response "
                         "were left out.")
            raw = raw[~empty]
    if raw.empty:
        raise RefreshError(f"{target.table}: the response holds no data rows; nothing under data/ was changed")
    return raw.reset_index(drop=True), notes


def _csv_bytes(raw: pd.DataFrame) -> bytes:
    return raw.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _unique_id(base: str, taken: set[str], raw_dir: Path) -> str:
    candidate, n = base, 1
    while candidate in taken or (raw_dir / f"{candidate}.csv").exists():
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _entry(target: Target, dataset_id: str, doc: dict, url: str, raw: pd.DataFrame, notes: list[str],
           sha: str, today: _dt.date) -> dict:
    years = pd.to_numeric(raw["year"], errors="coerce").dropna()
    span = f"{int(years.min())}–{int(years.max())}" if len(years) else "no single years"
    updated = str(doc.get("updated") or "")[:10] or None
    ssb = target.provider == "ssb"
    return {
        "id": dataset_id,
        "file": f"raw/{dataset_id}.csv",
        "title": target.title,
        "title_en": target.title_en,
        "publisher": "SSB" if ssb else "Eurostat",
        "publisher_full": "Statistisk sentralbyrå" if ssb else "Eurostat (European Commission)",
        "table_id": target.table,
        "source_urls": [url],
        "published": updated,
        "retrieved": today.isoformat(),
        "snapshot_created": today.isoformat(),
        "licence": SSB_LICENCE if ssb else EUROSTAT_LICENCE,
        "coverage": f"{target.coverage_hint}; years {span}; {raw['region_code'].nunique()} regions; "
                    f"{len(raw)} rows",
        "caveats": [*target.caveats, *notes],
        "schema": "raw_ssb_api" if ssb else "raw_eurostat",
        "sha256": sha,
        "refresh_target": target.name,
        "made_by": "neet data refresh (neethelpers.data.refresh)",
    }


def refresh(names: list[str] | tuple[str, ...] | None = None, *, session=None,
            today: _dt.date | None = None, dry_run: bool = False) -> list[RefreshResult]:
    """Fetch, validate and (unless ``dry_run``) write new snapshots for the selected tables.

    Raises :class:`RefreshError` (nothing written) on any failure, ``KeyError`` for an
    unknown table name.
    """
    targets = targets_for(names)
    today = today or _dt.date.today()
    session = session if session is not None else make_session()
    cat_path = paths.CATALOG_PATH
    cat_text = cat_path.read_text(encoding="utf-8")
    entries = catalog.parse_catalog_text(cat_text, file=cat_path)
    taken = set(entries)

    planned: list[tuple[Path, bytes, dict]] = []
    results: list[RefreshResult] = []
    for target in targets:
        doc, url, cached = fetch(session, target)
        raw, notes = convert(doc, target, url)
        data_bytes = _csv_bytes(raw)
        sha = catalog.sha256_bytes(data_bytes)
        previous = [e for e in entries.values() if e.get("refresh_target") == target.name]
        if previous and previous[-1]["sha256"] == sha:
            results.append(RefreshResult(target.name, target.table, "unchanged", previous[-1]["id"],
                                         previous[-1]["file"], len(raw), cached, url))
            continue
        dataset_id = _unique_id(f"{target.name}_{today:%Y%m%d}", taken, paths.RAW_DIR)
        taken.add(dataset_id)
        entry = _entry(target, dataset_id, doc, url, raw, notes, sha, today)
        shown = f"data/{entry['file']}"
        try:
            parse_bytes(data_bytes, SPECS[entry["schema"]], shown)
        except DataError as exc:
            raise RefreshError(f"{target.table}: the converted data fail validation, nothing was written: {exc}") \
                from None
        planned.append((paths.DATA_DIR / entry["file"], data_bytes, entry))
        results.append(RefreshResult(target.name, target.table, "new", dataset_id, entry["file"], len(raw),
                                     cached, url))

    if dry_run or not planned:
        return results

    new_text = cat_text
    for _, _, entry in planned:
        new_text = catalog.with_new_entry(new_text, entry)
    try:
        catalog.parse_catalog_text(new_text, file=cat_path)
    except DataError as exc:  # pragma: no cover - would be a bug in entry generation
        raise RefreshError(f"the new catalog entries are invalid, nothing was written: {exc}") from None

    written: list[Path] = []
    try:
        for path, data_bytes, _ in planned:
            if path.exists():
                raise RefreshError(f"{path.name} already exists; raw snapshots are never replaced")
            catalog.write_bytes_atomic(path, data_bytes)
            written.append(path)
        catalog.write_text_atomic(cat_path, new_text)
    except BaseException:
        # The catalog was not replaced: remove the new, unreferenced snapshot files again.
        for path in written:
            path.unlink(missing_ok=True)
        raise
    catalog.clear_cache()
    return results
