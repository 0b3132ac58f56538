"""Compare the numbers of two built editions of the book: every glued value and every
downloadable CSV.

Used to prove that a refactoring changed no number::

    python tools/compare_editions.py OLD_PROJECT NEW_PROJECT

Each argument is a project folder after ``neet build`` (its ``book/generated/``). Pages
are matched by their path; glued values by page and name; CSVs by their file name below
``_assets/``. Prints one line per difference and a summary; exit code 1 when anything
differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RECORD_PREFIX = "application/papermill.record/"


def glued_values(generated: Path) -> dict[tuple[str, str], str]:
    """``{(page, glue name): value}`` — the Markdown (or plain) text of every glued value."""
    values = {}
    for nb_path in sorted(generated.rglob("*.ipynb")):
        if nb_path.name.endswith((".failed.ipynb", ".partial.ipynb")):
            continue
        page = nb_path.relative_to(generated).with_suffix("").as_posix()
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                name = output.get("metadata", {}).get("scrapbook", {}).get("name")
                if name is None:
                    continue
                data = output.get("data", {})
                text = data.get(RECORD_PREFIX + "text/markdown", data.get(RECORD_PREFIX + "text/plain", ""))
                values[(page, name)] = "".join(text) if isinstance(text, list) else str(text)
    return values


def csv_files(generated: Path) -> dict[str, bytes]:
    return {p.relative_to(generated).as_posix(): p.read_bytes() for p in sorted(generated.rglob("*.csv"))}


def compare(old: Path, new: Path) -> list[str]:
    differences = []
    old_gen, new_gen = old / "book" / "generated", new / "book" / "generated"
    for kind, a, b in (("glue", glued_values(old_gen), glued_values(new_gen)),
                       ("csv", csv_files(old_gen), csv_files(new_gen))):
        for key in sorted(set(a) | set(b), key=str):
            if key not in a:
                differences.append(f"{kind} only in new: {key}")
            elif key not in b:
                differences.append(f"{kind} only in old: {key}")
            elif a[key] != b[key]:
                shown = (a[key], b[key]) if kind == "glue" else ("…", "…")
                differences.append(f"{kind} differs: {key}: {shown[0]!r} → {shown[1]!r}")
    return differences


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    old, new = (Path(a) for a in argv)
    differences = compare(old, new)
    glue_count = len(glued_values(new / "book" / "generated"))
    csv_count = len(csv_files(new / "book" / "generated"))
    for line in differences:
        print(line)
    print(f"{len(differences)} differences in {glue_count} glued values and {csv_count} CSV files")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
