"""The regression chapter: the synthetic default as the session's book build executed it,
and a small person-level fixture treated as real data (executed here, because it is another
edition: no 'syntetisk', small groups hidden)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from neethelpers import paths
from neethelpers.microdata import disclosure, models, schema
from neethelpers.microdata.testing import FIXTURE_PERSONS
from neethelpers.presentation import fmt

NOTEBOOK = paths.NOTEBOOKS_DIR / "05_regression.ipynb"

pytestmark = pytest.mark.slow


def _run(tmp_path: Path, monkeypatch, **parameters) -> tuple[dict, str]:
    papermill = pytest.importorskip("papermill")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(paths.PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]))
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(tmp_path),
                               progress_bar=False, kernel_name="python3")
    return _texts(out, "*.csv")


def _texts(out: Path, assets: str) -> tuple[dict, str]:
    """The executed notebook and all text it shows: outputs and its CSV downloads (``assets``
    is a glob below the notebook's ``_assets/``)."""
    nb = json.loads(out.read_text(encoding="utf-8"))
    texts = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", output
            for value in output.get("data", {}).values():
                texts.append(value if isinstance(value, str) else "".join(value) if isinstance(value, list) else "")
            texts.append("".join(output.get("text", "")))
    assets = "".join(p.read_text(encoding="utf-8-sig") for p in (out.parent / "_assets").glob(assets))
    return nb, "\n".join(texts) + "\n" + assets


def test_source_notebook_has_no_outputs_and_one_parameters_cell():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    src = "".join(tagged[0]["source"])
    for name in ("county: str", "data_source: str", "disclosure_threshold: int", "seed: int"):
        assert name in src
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown").lower()
    assert "syntetisk" not in markdown  # data-source wording is generated, never static


def test_default_run_is_labelled_synthetic(built_book):
    _, text = _texts(built_book.root / "book" / "generated" / "regresjonsanalyse.ipynb", "regresjon-*.csv")
    assert "Syntetiske data" in text
    assert "Kalibrering" in text
    assert "fig-regresjon-koeffisienter" in text


def test_real_data_fixture_never_says_synthetic_and_hides_small_groups(tmp_path, monkeypatch):
    _, text = _run(tmp_path, monkeypatch, data_source=str(FIXTURE_PERSONS), county="Østfold")
    assert "syntetisk" not in text.lower()
    # the name is shown as plain text, escaped for MyST (fmt.escape_user_text)
    assert fmt.escape_user_text(FIXTURE_PERSONS.name) in text or FIXTURE_PERSONS.name in text
    mark = disclosure.marker(5)
    assert mark in text
    # The fixture has a deliberately tiny group: 3 health-benefit recipients in Østfold.
    cells = schema.read_input(FIXTURE_PERSONS).cells()
    fit = models.fit(cells, "m1", county="31").table.set_index("term")
    assert fit.at["allhelse", "n_with"] < 5
    hidden = fmt.number(fit.at["allhelse", "coef"], 3)
    assert hidden not in text  # neither in the page nor in any CSV download
    assert f"{fit.at['allhelse', 'coef']:.4f}"[:-1] not in text
    exact_n = str(int(cells["n"].sum()))
    assert exact_n not in text or int(exact_n) % 10 == 0  # counts are rounded
