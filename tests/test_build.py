"""The build pipeline: run plan, hashing, incremental execution, strictness, atomic publish."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from conftest import FIXTURE_NOTEBOOKS, make_copy

from neethelpers import paths
from neethelpers.build import execute as build, plan as runs, provenance, state as hashing, toc
from neethelpers.data import readlog
from neethelpers.registry import counties

# --- the run plan ---------------------------------------------------------------------------------

def test_plan_has_one_run_per_chapter_overview_and_current_county():
    plan = runs.plan()
    current = counties.current_counties()
    assert len(plan) == 6 + len(current)
    assert len({r.output for r in plan}) == len(plan)
    county_runs = runs.county_runs(plan)
    assert [r.parameters["county"] for r in county_runs] == [c.name for c in current]
    assert [r.output for r in county_runs] == [f"book/generated/fylker/{c.slug}.ipynb" for c in current]
    assert all(r.title == c.name and r.notebook == runs.COUNTY_NOTEBOOK for r, c in zip(county_runs, current))
    overview = next(r for r in plan if r.id == "fylker/index")
    assert overview.notebook == runs.OVERVIEW_NOTEBOOK and overview.title is None  # its heading is in the notebook
    # Default edition: no chapter gets microdata; the demonstration part runs on the synthetic cohort.
    assert all("data_source" not in r.parameters for r in plan if r.part == runs.CHAPTERS)
    demo = runs.demo_runs(plan)
    assert [r.id for r in demo] == ["regresjonsanalyse", "demonstrasjon/ostfold"]
    assert demo[1].parameters == {"county": "Østfold", "data_source": "synthetic"}
    assert runs.effective_parameters(paths.PROJECT_ROOT, demo[0])["data_source"] == "synthetic"


def test_with_real_data_every_page_gets_it_and_there_is_no_demonstration():
    plan = runs.plan(data_source="/data/x.csv")
    assert not runs.demo_runs(plan)
    assert [r.id for r in runs.appendix_runs(plan)] == ["motstridende-tall"]
    assert {r.id for r in plan if r.parameters.get("data_source") == "/data/x.csv"} == {
        "nasjonale-trender", "fylker/index", "regresjonsanalyse", *(r.id for r in runs.county_runs(plan))}
    # "synthetic" builds the default edition
    assert runs.plan(data_source="synthetic") == runs.plan()


def test_every_run_notebook_exists_and_declares_its_parameters():
    for run in runs.plan():
        assert runs.check_parameters(paths.PROJECT_ROOT, run) == [], run.id


def test_year_and_data_source_go_only_to_notebooks_that_declare_them(tmp_path):
    (tmp_path / "notebooks").mkdir()
    for nb in FIXTURE_NOTEBOOKS.glob("0*.ipynb"):
        (tmp_path / "notebooks" / nb.name).write_bytes(nb.read_bytes())
    plan = {r.id: r for r in runs.plan(tmp_path, year=2022, data_source="/data/x.csv")}
    assert plan["risikofaktorer"].parameters == {}  # declares neither
    assert plan["nasjonale-trender"].parameters == {"year": 2022, "data_source": "/data/x.csv"}
    assert plan["regresjonsanalyse"].parameters == {"data_source": "/data/x.csv"}
    assert plan["fylker/oslo"].parameters == {"county": "Oslo", "data_source": "/data/x.csv"}
    # A value equal to the notebook's default is not injected (so it re-runs nothing).
    defaults = {r.id: r for r in runs.plan(tmp_path, year=2024, data_source="synthetic")}
    assert defaults["nasjonale-trender"].parameters == {} and defaults["regresjonsanalyse"].parameters == {}


def test_declared_parameters_read_types_defaults_and_comments():
    declared = runs.declared_parameters(FIXTURE_NOTEBOOKS / "05_regression.ipynb")
    assert list(declared) == ["county", "data_source", "disclosure_threshold", "seed"]
    assert declared["county"].annotation == "str" and declared["county"].default == "Akershus"
    assert declared["county"].comment == "county for the county model"
    assert declared["disclosure_threshold"].default == 5


def test_check_parameters_rejects_undeclared_names_and_wrong_types(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "05_regression.ipynb").write_bytes((FIXTURE_NOTEBOOKS / "05_regression.ipynb").read_bytes())
    bad = runs.Run("regresjonsanalyse", runs.REGRESSION_NOTEBOOK, {"colour": "red", "seed": "x"})
    problems = runs.check_parameters(tmp_path, bad)
    assert any("no parameter 'colour'" in p for p in problems)
    assert any("seed='x' is not of type int" in p for p in problems)
    missing = runs.Run("x", "notebooks/99_missing.ipynb", {})
    assert runs.check_parameters(tmp_path, missing) == ["notebooks/99_missing.ipynb does not exist"]


def test_effective_parameters_merge_defaults_and_injected(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "05_regression.ipynb").write_bytes((FIXTURE_NOTEBOOKS / "05_regression.ipynb").read_bytes())
    run = runs.Run("regresjonsanalyse", runs.REGRESSION_NOTEBOOK, {"county": "Oslo"})
    eff = runs.effective_parameters(tmp_path, run)
    assert eff["county"] == "Oslo" and eff["seed"] == 2023 and eff["data_source"] == "synthetic"


# --- hashing and staleness --------------------------------------------------------------------------

def _mini_project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "neethelpers").mkdir(parents=True)
    for folder in ("presentation", "build", "cli", "data/refresh"):
        (root / "neethelpers" / folder).mkdir(parents=True)
    (root / "neethelpers" / "presentation" / "fmt.py").write_text("X = 1\n")
    (root / "neethelpers" / "build" / "execute.py").write_text("Y = 1\n")
    (root / "neethelpers" / "cli" / "main.py").write_text("Z = 1\n")
    (root / "neethelpers" / "data" / "refresh" / "sources.py").write_text("W = 1\n")
    (root / "data" / "raw").mkdir(parents=True)
    (root / "data" / "raw" / "a.csv").write_text("a\n1\n")
    (root / "data" / "raw" / "b.csv").write_text("b\n2\n")
    (root / "notebooks").mkdir()
    (root / "notebooks" / "n.ipynb").write_text("{}")
    (root / "book" / "generated").mkdir(parents=True)
    (root / "book" / "generated" / "n.ipynb").write_text("{}")
    return root


def test_code_hash_follows_package_code_but_not_build_machinery(tmp_path):
    root = _mini_project(tmp_path)
    before = hashing.code_hash(root)
    # Build machinery, command line and online refresh are excluded by their folder ...
    (root / "neethelpers" / "build" / "execute.py").write_text("Y = 2\n")
    (root / "neethelpers" / "cli" / "main.py").write_text("Z = 2\n")
    (root / "neethelpers" / "data" / "refresh" / "sources.py").write_text("W = 2\n")
    (root / "neethelpers" / "build" / "new_step.py").write_text("V = 1\n")
    assert hashing.code_hash(root) == before
    # ... code a notebook can import is not.
    (root / "neethelpers" / "presentation" / "fmt.py").write_text("X = 2\n")
    assert hashing.code_hash(root) != before


def test_stale_reason_tracks_notebook_parameters_code_and_read_files(tmp_path):
    root = _mini_project(tmp_path)
    run = runs.Run("n", "notebooks/n.ipynb", {"county": "Oslo"})
    inputs = hashing.run_inputs(root, run.notebook, run.parameters)
    data_all = lambda: hashing.all_data_hash(root)  # noqa: E731
    assert build.stale_reason(root, run, None, inputs, data_all) == "never executed"
    outputs = hashing.file_hashes(root, [run.output])
    record = {"inputs": inputs, "reads": hashing.file_hashes(root, ["data/raw/a.csv"]), "outputs": outputs}
    assert build.stale_reason(root, run, record, inputs, data_all) is None
    # A file the run did not read may change freely ...
    (root / "data" / "raw" / "b.csv").write_text("b\n3\n")
    assert build.stale_reason(root, run, record, inputs, data_all) is None
    # ... a file it read may not.
    (root / "data" / "raw" / "a.csv").write_text("a\n9\n")
    assert build.stale_reason(root, run, record, inputs, data_all).startswith("data changed: data/raw/a.csv")
    other = hashing.run_inputs(root, run.notebook, {"county": "Agder"})
    assert build.stale_reason(root, run, {"inputs": inputs, "outputs": outputs}, other, data_all) == \
        "parameters changed"
    (root / "notebooks" / "n.ipynb").write_text('{"cells": []}')
    changed = hashing.run_inputs(root, run.notebook, run.parameters)
    assert build.stale_reason(root, run, {"inputs": inputs, "outputs": outputs}, changed, data_all) == \
        "notebook changed"


def test_a_published_page_the_state_does_not_vouch_for_is_executed_again(tmp_path):
    """Issue 14.2: a build killed after publishing a page but before recording it leaves a
    page from other inputs (a --data file) behind; its hash no longer matches the record."""
    root = _mini_project(tmp_path)
    run = runs.Run("n", "notebooks/n.ipynb", {})
    inputs = hashing.run_inputs(root, run.notebook, run.parameters)
    data_all = lambda: hashing.all_data_hash(root)  # noqa: E731
    asset = root / "book" / "generated" / "_assets" / "n-figur.png"
    asset.parent.mkdir()
    asset.write_bytes(b"synthetic figure")
    record = {"inputs": inputs, "data_all": data_all(),
              "outputs": hashing.file_hashes(root, [run.output, "book/generated/_assets/n-figur.png"])}
    assert build.stale_reason(root, run, record, inputs, data_all) is None
    asset.write_bytes(b"figure computed from the --data file")
    assert build.stale_reason(root, run, record, inputs, data_all).startswith(
        "published files differ from the recorded ones: book/generated/_assets/n-figur.png")
    asset.write_bytes(b"synthetic figure")
    (root / run.output).write_text('{"cells": ["from the --data file"]}')
    assert "book/generated/n.ipynb" in build.stale_reason(root, run, record, inputs, data_all)
    # A record without output hashes (an older build, or none recorded) is never trusted.
    assert build.stale_reason(root, run, {"inputs": inputs, "data_all": data_all()}, inputs, data_all) == \
        "published files not recorded"


def test_without_a_read_log_any_data_change_makes_a_run_stale(tmp_path):
    root = _mini_project(tmp_path)
    run = runs.Run("n", "notebooks/n.ipynb", {})
    inputs = hashing.run_inputs(root, run.notebook, run.parameters)
    data_all = lambda: hashing.all_data_hash(root)  # noqa: E731
    record = {"inputs": inputs, "data_all": hashing.all_data_hash(root),
              "outputs": hashing.file_hashes(root, [run.output])}
    assert build.stale_reason(root, run, record, inputs, data_all) is None
    (root / "data" / "raw" / "b.csv").write_text("b\n3\n")
    assert build.stale_reason(root, run, record, inputs, data_all) == "data changed"


def test_a_data_source_file_is_part_of_the_run_inputs(tmp_path):
    root = _mini_project(tmp_path)
    micro = tmp_path / "micro.csv"
    micro.write_text("neet2023\n1\n")
    first = hashing.run_inputs(root, "notebooks/n.ipynb", {"data_source": str(micro)})
    micro.write_text("neet2023\n0\n")
    assert hashing.run_inputs(root, "notebooks/n.ipynb", {"data_source": str(micro)})["data_source"] != first["data_source"]


def test_state_round_trips_and_ignores_garbage(tmp_path):
    assert hashing.load_state(tmp_path)["runs"] == {}
    hashing.save_state(tmp_path, {"version": hashing.STATE_VERSION, "runs": {"a": {"seconds": 1}}, "book": {}})
    assert hashing.load_state(tmp_path)["runs"] == {"a": {"seconds": 1}}
    hashing.state_path(tmp_path).write_text("{not json")
    assert hashing.load_state(tmp_path)["runs"] == {}


# --- the read log ---------------------------------------------------------------------------------

def test_readlog_records_files_opened_below_data_only(tmp_path):
    log = tmp_path / "reads.txt"
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    script = (
        "from neethelpers import paths\nfrom neethelpers.data import readlog\n"
        "readlog.start()\n"
        "open(paths.RAW_DIR / 'county_codes.csv').read()\n"
        f"open({str(outside)!r}).read()\n"
        "readlog.record(paths.RAW_DIR / 'nav_grunnbelop.csv')\n"
        "open(paths.RAW_DIR / 'county_codes.csv').read()\n"
    )
    env = dict(os.environ, NEET_READ_LOG=str(log))
    subprocess.run([sys.executable, "-c", script], check=True, env=env)
    recorded = readlog.read(log)
    assert recorded == [str(paths.RAW_DIR / "county_codes.csv"), str(paths.RAW_DIR / "nav_grunnbelop.csv")]


def test_readlog_is_a_no_op_outside_a_build(tmp_path, monkeypatch):
    monkeypatch.delenv(readlog.ENV_VAR, raising=False)
    readlog.record(tmp_path / "x.csv")  # must not fail or write anything
    assert list(tmp_path.iterdir()) == []


# --- post-processing of executed notebooks ----------------------------------------------------------

def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_postprocess_hides_all_code_and_titles_county_pages():
    params = nbformat.v4.new_code_cell('county = "Akershus"')
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell('county = "Østfold"')
    injected.metadata["tags"] = ["injected-parameters"]
    nb = _nb(nbformat.v4.new_markdown_cell("# Fylke\n\nIntro."), params, injected, nbformat.v4.new_code_cell("1"))
    build.postprocess(nb, "Østfold")
    assert nb.cells[0].source == "# Østfold\n\nIntro."
    for cell in nb.cells[1:]:
        assert "remove-input" in cell.metadata["tags"]
    assert "parameters" in nb.cells[1].metadata["tags"]


def test_set_title_adds_a_heading_when_there_is_none():
    nb = _nb(nbformat.v4.new_code_cell("1"), nbformat.v4.new_markdown_cell("Tekst."))
    build.set_title(nb, "Agder")
    assert nb.cells[1].source.startswith("# Agder\n")
    empty = _nb(nbformat.v4.new_code_cell("1"))
    build.set_title(empty, "Oslo")
    assert empty.cells[0].source == "# Oslo"


def test_glued_values_read_papermill_prefixed_markdown():
    cell = nbformat.v4.new_code_cell("glue")
    prefix = "application/papermill.record/"
    cell.outputs = [nbformat.v4.new_output("display_data", data={prefix + "text/markdown": "9,9 %",
                                                                   prefix + "text/plain": "<Markdown>"},
                                           metadata={"scrapbook": {"name": "share", "mime_prefix": prefix}}),
                    nbformat.v4.new_output("display_data", data={"text/plain": "x"})]
    assert build.glued_values(_nb(cell)) == {"share": "9,9 %"}


# --- provenance and publishing ------------------------------------------------------------------------

def test_provenance_catalog_lists_every_data_file_with_its_hash():
    text = provenance.catalog_markdown(paths.PROJECT_ROOT)
    catalog = yaml.safe_load(hashing.catalog_file(paths.PROJECT_ROOT).read_text(encoding="utf-8"))
    for entry in catalog["datasets"]:
        assert f"data/{entry['file']}" in text and entry["sha256"] in text


def test_provenance_runs_table_shows_every_page_and_its_parameters():
    plan = runs.plan()
    state = {"runs": {"fylker/oslo": {"effective_parameters": {"county": "Oslo", "data_source": "synthetic"},
                                      "parameters": {"county": "Oslo"}, "executed_at": "2025-01-02T03:04:05+00:00",
                                      "seconds": 3.25}}}
    text = provenance.runs_markdown(plan, state)
    for run in plan:
        assert f"`{run.id}` ({Path(run.notebook).stem})" in text
    assert "`county` = Oslo, `data_source` = synthetic" in text
    assert "3,2 s" in text or "3,3 s" in text  # Norwegian decimal comma


def test_provenance_shows_a_data_file_by_name_and_hash_never_its_path(tmp_path):
    """Issue 14.1: the appendix names the --data file and its sha256, escaped, and never
    publishes the analyst's local path."""
    hostile = tmp_path / "hemmelig-mappe" / "<img src=x onerror=alert(1)>`x`.csv"
    plan = runs.plan(data_source=str(hostile))
    reg = next(r for r in plan if r.id == "regresjonsanalyse")
    sha = "ab" * 32
    state = {"runs": {reg.id: {"effective_parameters": runs.effective_parameters(paths.PROJECT_ROOT, reg),
                               "parameters": dict(reg.parameters), "inputs": {"data_source": sha}}}}
    text = provenance.runs_markdown(plan, state)
    assert "hemmelig-mappe" not in text and str(tmp_path) not in text
    assert "<img" not in text and "`x`" not in text
    assert "filen &lt;img src\\=x onerror\\=alert\\(1\\)&gt;\\`x\\`\\.csv (sha256 `abababababababab…`)" in text


def test_provenance_versions_come_from_requirements():
    pins = provenance.pinned_requirements(paths.PROJECT_ROOT)
    assert ("jupyter-book", "1.0.4.post1") in pins
    text = provenance.versions_markdown(paths.PROJECT_ROOT)
    for name, pin in pins:
        assert f"* - `{name}`\n  - {pin}\n" in text


def test_publish_swaps_the_staging_folder_into_place(tmp_path):
    html = tmp_path / build.HTML_DIR
    html.mkdir(parents=True)
    (html / "index.html").write_text("old")
    staging = tmp_path / "_build" / ".sphinx" / "html"
    staging.mkdir(parents=True)
    (staging / "index.html").write_text("new")
    build.publish(tmp_path, staging)
    assert (html / "index.html").read_text() == "new"
    assert not staging.exists() and not (tmp_path / "_build" / ".html-old").exists()


def test_dry_run_lists_every_run_and_executes_nothing(tmp_path):
    project = make_copy(tmp_path / "copy")
    result = project.neet("build", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = [ln for ln in result.stdout.splitlines() if ln.startswith(("would execute", "up to date"))]
    assert len(lines) == len(runs.plan())
    assert "county='Østfold'" in result.stdout
    assert not (project.root / "book" / "generated").exists()
    assert not (project.root / "_build").exists()


# --- the full book (one build per session) ----------------------------------------------------------

def _html_hashes(html: Path) -> dict[str, str]:
    return {p.relative_to(html).as_posix(): hashing.sha256_file(p) for p in sorted(html.rglob("*")) if p.is_file()}


def _notebook_mtimes(root: Path) -> dict[str, int]:
    return {r.id: (root / r.output).stat().st_mtime_ns for r in runs.plan(root)}


@pytest.mark.slow
def test_full_build_renders_every_page_of_the_toc(built_book):
    for doc in toc.docnames(built_book.root):
        assert (built_book.html / f"{doc}.html").is_file(), doc
    assert (built_book.html / "index.html").is_file()
    state = hashing.load_state(built_book.root)
    assert set(state["runs"]) == {r.id for r in runs.plan(built_book.root)}
    # Every executed notebook: code hidden, kernelspec set.
    for run in runs.plan(built_book.root):
        nb = nbformat.read(built_book.root / run.output, as_version=4)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert all("remove-input" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code")


@pytest.mark.slow
def test_unchanged_rebuild_executes_nothing_and_skips_rendering(built_book):
    before = _notebook_mtimes(built_book.root)
    html_before = _html_hashes(built_book.html)
    started = time.perf_counter()
    result = built_book.neet("build", "--quiet")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "0 notebook(s) executed" in result.stdout and "book unchanged" in result.stdout
    assert _notebook_mtimes(built_book.root) == before
    assert _html_hashes(built_book.html) == html_before
    assert elapsed < 30  # generous: the target (5 s) is measured by bench/build.py, not here


@pytest.mark.slow
def test_county_build_reruns_only_that_county(built_book):
    before = _notebook_mtimes(built_book.root)
    result = built_book.neet("build", "--county", "ostfold", "--quiet")
    assert result.returncode == 0, result.stderr
    assert "1 notebook(s) executed" in result.stdout and "book built" in result.stdout
    after = _notebook_mtimes(built_book.root)
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"fylker/ostfold"}
    page = (built_book.html / "book/generated/fylker/ostfold.html").read_text(encoding="utf-8")
    assert "Østfold" in page


@pytest.mark.slow
def test_failing_notebook_fails_the_build_and_keeps_the_last_good_book(built_book, tmp_path):
    bad = tmp_path / "malformed_microdata.csv"
    bad.write_text("this,is,not\nmicrodata,at,all\n", encoding="utf-8")
    html_before = _html_hashes(built_book.html)
    # `neet build --data` refuses such a file before anything runs (tests/test_cli.py); the pipeline
    # itself must still fail cleanly when a cell raises, so the parameter goes in through the build API.
    script = ("import sys\n"
              "from neethelpers.build import execute as build\n"
              "from neethelpers.errors import NeetError\n"
              "try:\n"
              "    build.build(data_source=sys.argv[1], progress=False)\n"
              "except NeetError as exc:\n"
              "    print(f'neet: build failed: {exc}', file=sys.stderr)\n"
              "    sys.exit(1)\n")
    result = subprocess.run([sys.executable, "-c", script, str(bad)], cwd=built_book.root, env=built_book.env(),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stderr
    err = result.stderr
    assert "Traceback" not in err
    assert "the last good book in _build/html/ is unchanged" in err
    # Every failure names the notebook, its parameters (with the bad file) and the failing cell,
    # and says where the failed notebook is kept.
    failures = re.findall(r"(notebooks/0\d_\w+\.ipynb) \((.*?)\) failed in cell (\d+) \(`[^`]*`\):\n"
                          r"    (\w+): .*\n    the executed notebook is kept at (\S+)", err)
    assert failures, err
    for _notebook, params, _cell, ename, kept in failures:
        assert f"data_source={str(bad)!r}" in params
        assert ename == "DataError"
        assert f"DataError: {bad}: " in err  # the error names the file ...
        assert "column 'this, is, not'" in err  # ... and the columns it found
        nb = nbformat.read(built_book.root / kept, as_version=4)
        assert any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))
        run = next(r for r in runs.plan(built_book.root) if r.failed_output == kept)
        # The last good executed notebook of that page is still there.
        assert (built_book.root / run.output).is_file()
    assert _html_hashes(built_book.html) == html_before


# --- kernel reuse -------------------------------------------------------------------------------------

def _outputs(path: Path) -> list:
    nb = nbformat.read(path, as_version=4)
    shown = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            shown.append({k: v for k, v in out.items() if k not in ("execution_count",)})
    return shown


def test_make_batches_shares_kernels_only_between_runs_of_one_notebook():
    plan = runs.plan()
    batches = build.make_batches(plan, 2)
    assert sorted(r.id for b in batches for r in b) == sorted(r.id for r in plan)
    for batch in batches:
        assert len({(r.notebook, Path(r.output).parent) for r in batch}) == 1
    county_batches = [b for b in batches if b[0].id.startswith("fylker/") and b[0].notebook == runs.COUNTY_NOTEBOOK]
    assert len(county_batches) == 2
    assert all(len(b) == 1 for b in build.make_batches(plan, 2, reuse=False))


@pytest.mark.slow
def test_a_page_executed_in_a_reused_kernel_equals_one_from_a_new_kernel(tmp_path):
    project = make_copy(tmp_path / "copy")
    plan = {r.id: r for r in runs.plan(project.root)}
    first, second = plan["fylker/akershus"], plan["fylker/ostfold"]
    root = str(project.root)
    shared = build.execute_batch(root, [build._run_dict(first), build._run_dict(second)])
    assert [r["ok"] for r in shared] == [True, True], shared
    out = project.root / second.output
    reused_outputs = _outputs(out)
    assets = sorted((out.parent / "_assets").glob("ostfold-*"))
    assert assets, "the county page wrote no figures or CSV files"
    reused_assets = {p.name: p.read_bytes() for p in assets if p.suffix == ".csv"}
    reused_reads = set(shared[1]["reads"])
    alone = build.execute_batch(root, [build._run_dict(second)])
    assert alone[0]["ok"], alone
    assert _outputs(out) == reused_outputs
    assert {p.name: p.read_bytes() for p in assets if p.suffix == ".csv"} == reused_assets
    # The read log of a reused kernel sees the same data files as a new kernel.
    assert set(alone[0]["reads"]) == reused_reads and reused_reads


@pytest.mark.slow
def test_a_sphinx_warning_fails_the_build_and_keeps_the_last_good_book(built_book):
    page = built_book.root / "book" / "appendix" / "metode.md"
    original = page.read_text(encoding="utf-8")
    html_before = _html_hashes(built_book.html)
    try:
        page.write_text(original + "\nSe {numref}`fig-finnes-ikke`.\n", encoding="utf-8")
        result = built_book.neet("build", "--quiet")
        assert result.returncode == 1
        assert "Jupyter Book failed (warnings are errors)" in result.stderr
        assert "metode.md" in result.stderr and "fig-finnes-ikke" in result.stderr
        assert "Traceback" not in result.stderr
        assert _html_hashes(built_book.html) == html_before
    finally:
        page.write_text(original, encoding="utf-8")


def test_a_second_build_in_the_same_project_is_refused(tmp_path):
    import fcntl

    project = make_copy(tmp_path / "copy")
    lock = hashing.state_dir(project.root) / "build.lock"
    lock.parent.mkdir(parents=True)
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        with pytest.raises(build.BuildError, match="another `neet build` is running"):
            build.build(project.root, progress=False)
    assert not (project.root / "book" / "generated").exists()


def test_provenance_catalog_speaks_norwegian_and_links_only_web_addresses():
    text = provenance.catalog_markdown(paths.PROJECT_ROOT)
    catalog = yaml.safe_load(hashing.catalog_file(paths.PROJECT_ROOT).read_text(encoding="utf-8"))
    for entry in catalog["datasets"]:
        shown = entry.get("licence_nb") or entry["licence"]
        assert f"Lisens: {shown}" in text, entry["id"]
        if entry.get("licence_nb"):
            assert entry["licence"] not in text, entry["id"]  # the English long form stays in the catalog
    # every Markdown link target is a web address (seed file names are not links)
    for target in re.findall(r"\]\(([^)]*)\)", text):
        assert target.startswith(("http://", "https://")), target


@pytest.mark.slow
def test_every_figure_and_table_of_the_executed_notebooks_reaches_the_html(built_book):
    """A figure or table that an executed notebook displays but the page drops (as happened
    when myst-nb silently skipped code cells with an empty source) fails here."""
    generated = built_book.root / "book" / "generated"
    notebooks = sorted(p for p in generated.rglob("*.ipynb") if not p.name.endswith(".failed.ipynb"))
    assert len(notebooks) == len(runs.plan(built_book.root))
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        labels = set()
        for cell in nb.cells:
            sources = [cell.source] if cell.cell_type == "markdown" else [
                "".join(o.get("data", {}).get("text/markdown", "")) for o in cell.get("outputs", [])]
            for text in sources:
                labels.update(re.findall(r"^:name: ((?:fig|tab)-\S+)$", text, flags=re.M))
        assert labels, path  # every chapter page has numbered figures or tables
        html = (built_book.html / path.relative_to(built_book.root).with_suffix(".html")).read_text(encoding="utf-8")
        missing = sorted(label for label in labels if f'id="{label}"' not in html)
        assert not missing, (path.name, missing)


@pytest.mark.slow
def test_no_page_of_the_book_printed_a_warning(built_book):
    """Among the warnings ``report.FigureLayoutWarning``, for a figure whose texts are drawn
    over each other (the literature grid's outcome labels, the heat map's years and Oslo's
    municipality figure were, unseen, until this test)."""
    assert len(list((built_book.root / "book" / "generated").rglob("*.ipynb"))) >= len(runs.plan(built_book.root))
    assert built_book.printed_warnings() == {}
