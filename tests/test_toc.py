"""The generated table of contents."""

from __future__ import annotations

import yaml
from sphinx_external_toc.parsing import parse_toc_yaml

from neethelpers import paths
from neethelpers.build import plan as runs, toc
from neethelpers.registry import counties


def test_committed_toc_equals_the_generated_one():
    committed = (paths.PROJECT_ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert committed == toc.render(runs.plan()), "run `neet toc` and commit _toc.yml"


def test_toc_is_marked_generated():
    assert toc.render().startswith("# generated — do not edit")


def test_toc_structure_follows_the_registry():
    doc = yaml.safe_load(toc.render())
    assert doc["format"] == "jb-book" and doc["root"] == "book/index"
    chapters, demo, appendix = doc["parts"]
    assert chapters["caption"] == "Kapitler" and appendix["caption"] == "Vedlegg"
    assert "syntetiske data" in demo["caption"].lower() and "demonstrasjon" in demo["caption"].lower()
    files = [c["file"] for c in chapters["chapters"]]
    assert files == ["book/generated/risikofaktorer", "book/generated/nasjonale-trender",
                     "book/generated/fylker/index"]
    assert [c["file"] for c in demo["chapters"]] == ["book/generated/regresjonsanalyse",
                                                     "book/generated/demonstrasjon/ostfold"]
    overview = chapters["chapters"][2]
    assert [s["file"] for s in overview["sections"]] == [
        f"book/generated/fylker/{c.slug}" for c in counties.current_counties()]
    assert len(overview["sections"]) == 15
    assert [c["file"] for c in appendix["chapters"]] == [
        "book/appendix/data", "book/appendix/metode", "book/generated/motstridende-tall", "book/appendix/om-utgaven",
        "book/appendix/tilgjengelighet", "book/references"]


def test_with_real_data_the_regression_chapter_is_a_chapter_and_there_is_no_demonstration():
    doc = yaml.safe_load(toc.render(runs.plan(data_source="/data/x.csv")))
    chapters, appendix = doc["parts"]
    assert [c["file"] for c in chapters["chapters"]][-1] == "book/generated/regresjonsanalyse"
    assert "demonstrasjon" not in toc.render(runs.plan(data_source="/data/x.csv"))


def test_toc_parses_and_hand_written_pages_exist():
    site_map = parse_toc_yaml(paths.PROJECT_ROOT / "_toc.yml")
    assert len(site_map) == len(toc.docnames())
    for doc in [toc.FRONT_PAGE, *toc.APPENDIX]:
        assert (paths.PROJECT_ROOT / f"{doc}.md").is_file(), doc


def test_docnames_are_in_reading_order_and_unique():
    names = toc.docnames()
    assert names[0] == "book/index" and names[-1] == "book/references"
    assert len(set(names)) == len(names)
    assert sum(1 for n in names if n.startswith("book/generated/fylker/") and not n.endswith("/index")) == 15


def test_write_only_touches_the_file_when_it_changes(tmp_path):
    (tmp_path / "notebooks").mkdir()
    assert toc.write(tmp_path) is True
    mtime = (tmp_path / "_toc.yml").stat().st_mtime_ns
    assert toc.write(tmp_path) is False
    assert (tmp_path / "_toc.yml").stat().st_mtime_ns == mtime
