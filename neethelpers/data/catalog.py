"""The data catalog (``data/catalog.yml``): one entry per data file.

The catalog is hand-written YAML (with comments), so code that changes it — the
``rehash`` maintenance command and the online ``refresh`` — edits the text and never
re-dumps the whole file. Every write goes through :func:`write_text_atomic` after the
new text has been parsed and checked.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

import yaml

from neethelpers import paths
from neethelpers.errors import DataError

# The project's one hash and atomic writer (re-exported: callers use ``catalog.write_text_atomic``).
from neethelpers.files import sha256_bytes, sha256_file, write_bytes_atomic, write_text_atomic  # noqa: F401

#: Fields every catalog entry must have.
REQUIRED_FIELDS = (
    "id", "file", "title", "title_en", "publisher", "source_urls", "licence", "coverage",
    "caveats", "schema", "sha256", "snapshot_created",
)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
#: Placeholder hash of a newly added curated file until ``neet data rehash ID`` records it.
PENDING = "pending"

_cache: dict[str, tuple[tuple, dict[str, dict]]] = {}


def catalog_path() -> Path:
    return paths.CATALOG_PATH


def _stat_key(path: Path) -> tuple:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


def _normalise(value):
    """YAML dates become ISO strings so entries are plain JSON-like data."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    return value


def parse_catalog_text(text: str, file: str | Path = "data/catalog.yml") -> dict[str, dict]:
    """Parse and check catalog text; returns ``{id: entry}`` in file order."""
    try:
        # The C loader (when PyYAML has it) parses the catalog ~10x faster.
        doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise DataError(file, f"not valid YAML ({exc})", expected="the catalog format described in data/README.md") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("datasets"), list):
        raise DataError(file, "no 'datasets' list at the top level", expected="datasets: [ {id: ..., file: ...}, ... ]")
    entries: dict[str, dict] = {}
    for i, raw in enumerate(doc["datasets"], start=1):
        if not isinstance(raw, dict):
            raise DataError(file, f"dataset entry {i} is not a mapping", value=raw)
        entry = _normalise(raw)
        ident = entry.get("id")
        missing = [f for f in REQUIRED_FIELDS if entry.get(f) in (None, "", [])
                   and not (f == "caveats" and entry.get(f) == [])]
        if missing:
            raise DataError(file, f"entry {ident or i!r} lacks required fields", column=", ".join(missing),
                            expected="fields " + ", ".join(REQUIRED_FIELDS))
        if not _ID_RE.match(str(ident)):
            raise DataError(file, "invalid dataset id", value=ident, expected="lower-case letters, digits, '_' or '-'")
        if ident in entries:
            raise DataError(file, "duplicate dataset id", value=ident, expected="each id once")
        if not (_SHA_RE.match(str(entry["sha256"])) or entry["sha256"] == PENDING):
            raise DataError(file, f"entry {ident!r}: malformed sha256", value=entry["sha256"],
                            expected=f"64 lower-case hex digits, or '{PENDING}' for a new curated file")
        if isinstance(entry["source_urls"], str):
            entry["source_urls"] = [entry["source_urls"]]
        if not isinstance(entry["caveats"], list):
            raise DataError(file, f"entry {ident!r}: caveats must be a list", value=entry["caveats"])
        entries[ident] = entry
    return entries


def load_catalog(path: Path | None = None) -> dict[str, dict]:
    """All catalog entries (cached while the file is unchanged). Do not mutate the result."""
    path = Path(path) if path is not None else catalog_path()
    if not path.exists():
        raise DataError(path, "catalog file not found", expected="data/catalog.yml (see data/README.md)")
    key = _stat_key(path)
    hit = _cache.get(str(path))
    if hit and hit[0] == key:
        return hit[1]
    entries = parse_catalog_text(path.read_text(encoding="utf-8"), file=path)
    _cache[str(path)] = (key, entries)
    return entries


def clear_cache() -> None:
    _cache.clear()


def entry(dataset_id: str, path: Path | None = None) -> dict:
    entries = load_catalog(path)
    try:
        return entries[dataset_id]
    except KeyError:
        raise DataError(
            path or catalog_path(), "unknown dataset id", value=dataset_id,
            expected="one of: " + ", ".join(entries),
        ) from None


def file_of(entry_: dict) -> Path:
    """The data file of an entry; ``file`` is relative to the ``data/`` directory."""
    rel = Path(entry_["file"])
    if rel.is_absolute() or ".." in rel.parts:
        raise DataError(catalog_path(), f"entry {entry_['id']!r}: file must be a path inside data/",
                        value=entry_["file"], expected="e.g. raw/ssb_13556_municipality.csv")
    return paths.DATA_DIR / rel


def is_raw(entry_: dict) -> bool:
    return Path(entry_["file"]).parts[0] == "raw"


def _entry_span(text: str, dataset_id: str) -> tuple[int, int]:
    """Character span of the YAML block of one entry (from ``- id: X`` to the next ``- id:``)."""
    m = re.search(rf"^(\s*)- id:\s*['\"]?{re.escape(dataset_id)}['\"]?\s*$", text, flags=re.M)
    if not m:
        raise DataError(catalog_path(), "dataset id not found in catalog text", value=dataset_id)
    nxt = re.compile(r"^\s*- id:\s*\S", flags=re.M).search(text, m.end())
    return m.start(), (nxt.start() if nxt else len(text))


def with_sha256(text: str, dataset_id: str, sha: str) -> str:
    """Catalog text with the ``sha256`` of one entry replaced (comments preserved)."""
    start, end = _entry_span(text, dataset_id)
    block = text[start:end]
    # An all-digit hash would be read back by YAML as an integer: quote it.
    shown = f'"{sha}"' if sha.isdigit() else sha
    new_block, n = re.subn(r"^(\s*sha256:\s*).*$", lambda m: m.group(1) + shown, block, count=1, flags=re.M)
    if n != 1:
        raise DataError(catalog_path(), f"entry {dataset_id!r} has no sha256 line", expected="sha256: <hex>")
    return text[:start] + new_block + text[end:]


def entry_yaml(entry_: dict) -> str:
    """One entry as a YAML list item, indented like the hand-written catalog."""
    dumped = yaml.safe_dump([entry_], sort_keys=False, allow_unicode=True, width=100)
    return "".join("  " + line if line.strip() else line for line in dumped.splitlines(keepends=True))


def with_new_entry(text: str, entry_: dict) -> str:
    """Catalog text with one entry appended at the end of the ``datasets`` list."""
    if not text.endswith("\n"):
        text += "\n"
    return text + "\n" + entry_yaml(entry_)
