"""Tiny stand-ins for the chapter notebooks, for tests of the build machinery under faults.

:func:`install` replaces every notebook of the run plan in a working copy with a notebook
that declares exactly the same parameters (its ``parameters`` cell is copied), prints and
tabulates where its data came from (``synthetic`` or ``DATAFILE-<stem>`` for a ``--data``
file), glues every value the hand-written pages substitute, and can be told through the
environment to misbehave:

* ``NEET_TEST_PIDS=DIR`` — write the kernel's process id to ``DIR/<name>.pid`` first (``<name>``:
  the county's slug on a page of a notebook run per county, else the notebook's name);
* ``NEET_TEST_HANG=<name>`` — sleep 10 minutes in that run (``all`` = every run);
* ``NEET_TEST_SLEEP=SECONDS`` — sleep that long in every run.

The kernels inherit the build's environment, so a test sets these on the ``neet`` process.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from neethelpers.build import plan as runs

BODY = '''import os, pathlib, time, uuid
import pandas as pd
from neethelpers.presentation import report
_src = str(globals().get("data_source", "synthetic"))
# "none" and "synthetic" are the default edition; anything else is a --data file. The marker is
# assembled so that the cell's source (published with the page) never contains it, only the outputs.
tag = _src if _src in ("none", "synthetic") else "DATA" + "FILE-" + pathlib.Path(_src).stem
_county = globals().get("county")
# Two runs of one notebook may share parameters' values (a county page and its demonstration):
# a random part keeps figure and table labels unique in the book.
report.setup(page=PAGE + "-" + uuid.uuid4().hex[:8])
name = report._slug(str(_county)) if PER_COUNTY else report._slug(PAGE)  # "ostfold" for a county page
if os.environ.get("NEET_TEST_PIDS"):
    pathlib.Path(os.environ["NEET_TEST_PIDS"], name + ".pid").write_text(str(os.getpid()))
hang = os.environ.get("NEET_TEST_HANG", "")
if hang and hang in ("all", name):
    time.sleep(600)
time.sleep(float(os.environ.get("NEET_TEST_SLEEP") or 0))
print("source:", tag)
report.table(pd.DataFrame({"kilde": [tag]}), name="kilde", caption="Datakilde for denne siden.")
for key in KEYS:
    report.glue_text(key, tag)
'''


def substitution_keys(root: Path) -> list[str]:
    """Every ``{{ namespace.key }}`` key used by the hand-written pages."""
    keys = set()
    for md in (root / "book").rglob("*.md"):
        keys.update(re.findall(r"\{\{\s*\w+\.(\w+)\s*\}\}", md.read_text(encoding="utf-8")))
    return sorted(keys)


def install(root: Path) -> None:
    keys = substitution_keys(root)
    plan = runs.plan(root)
    for notebook in sorted({r.notebook for r in plan}):
        per_county = sum(1 for r in plan if r.notebook == notebook) > 1
        path = root / notebook
        real = nbformat.read(path, as_version=4)
        params = next((c for c in real.cells if "parameters" in c.metadata.get("tags", [])), None)
        cell = new_code_cell(params.source if params is not None else "")
        cell.metadata["tags"] = ["parameters"]
        body = BODY.replace("PAGE", json.dumps(Path(notebook).stem)).replace("KEYS", json.dumps(keys)) \
            .replace("PER_COUNTY", str(per_county))
        nb = new_notebook(cells=[new_markdown_cell(f"# {Path(notebook).stem}\n\nStand-in."), cell,
                                 new_code_cell(body)])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        for i, c in enumerate(nb.cells):
            c["id"] = f"cell-{i}"
        nbformat.write(nb, path)
