"""Downloads a Norwegian reader can open: CSV for Norwegian Excel and an Excel workbook,
with Norwegian column names and units, values rounded as shown, ja/nei and the source."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from neethelpers.presentation import downloads, fmt, report


@pytest.fixture()
def written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(report, "display", lambda obj: None)
    report.setup(page="Østfold")
    data = pd.DataFrame({"year": [2023, 2024], "share": [12.783272818329786, 9.04],
                         "neet": [15180, 9], "small": [True, False], "area": ["Østfold", "Sør-Trøndelag"]})
    report.table(data, name="trend", caption="Andel NEET. Kilde: SSB, tabell 13556 (hentet 4. november 2025).")
    return tmp_path / "_assets" / "ostfold-trend", data


def test_csv_is_utf8_with_bom_semicolons_and_decimal_commas(written):
    stem, _data = written
    raw = stem.with_suffix(".csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the file as UTF-8 (ø, å)
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "Andel NEET. Kilde: SSB, tabell 13556 (hentet 4. november 2025)."
    assert lines[1].split(";") == ["År", "Andel NEET (%)", "NEET (antall personer)", "Få unge innbyggere (ja/nei)",
                                   "Område"]
    # rounded as the page shows a share (one decimal, by the unit in the name), decimal comma
    assert lines[2] == f"2023;{fmt.number(12.783272818329786, 1)};15180;ja;Østfold"
    assert lines[3].startswith("2024;9;9;nei") or lines[3].startswith("2024;9,0;9;nei")


def test_csv_reads_back_to_the_rounded_values(written):
    stem, data = written
    back = downloads.read_csv(stem.with_suffix(".csv"))
    assert list(back["År"]) == [2023, 2024]
    assert list(back["Andel NEET (%)"]) == [round(v, 1) for v in data["share"]]
    assert list(back["Få unge innbyggere (ja/nei)"]) == ["ja", "nei"]


def test_excel_keeps_numbers_as_numbers_with_formats_and_names_the_source(written):
    stem, data = written
    ws = load_workbook(stem.with_suffix(".xlsx")).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0].startswith("Andel NEET.") and "Kilde: SSB, tabell 13556" in rows[0][0]
    header = rows.index(next(r for r in rows if r and r[0] == "År"))
    assert rows[header][:3] == ("År", "Andel NEET (%)", "NEET (antall personer)")
    first = ws[header + 2]
    assert first[0].value == 2023 and first[0].number_format == "0"
    assert first[1].value == pytest.approx(round(data["share"][0], 1)) and isinstance(first[1].value, float)
    assert first[1].number_format == "#,##0.0"
    assert first[2].value == 15180 and first[2].number_format == "#,##0"
    assert first[3].value == "ja"


def test_synthetic_downloads_say_so_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(report, "display", lambda obj: None)
    report.setup(page="Landet")
    report.table(pd.DataFrame({"personer": [10.0]}), name="syn", caption="Modell.", synthetic=True)
    first = downloads.header_line(tmp_path / "_assets" / "landet-syn.csv")
    assert first.startswith(report.SYNTHETIC_LABEL)
    ws = load_workbook(tmp_path / "_assets" / "landet-syn.xlsx").active
    assert ws["A1"].value.startswith(report.SYNTHETIC_LABEL)


def test_one_mapping_names_columns_and_its_inverse_gives_them_back():
    assert downloads.column_name("residents") == "Bosatte 15–29 år (antall personer)"
    assert downloads.column_name("Allerede norsk (%)") == "Allerede norsk (%)"
    assert downloads.internal_name(downloads.column_name("langtids_neet")) == "langtids_neet"
    assert downloads.decimals_for("Andel (%)") == 1 and downloads.decimals_for("personer") == 0
    assert downloads.decimals_for("Koeffisient", 3) == 3


def _write_twice(tmp_path, monkeypatch, name: str):
    """The same figure (a chart and its downloads) written into two fresh folders."""
    import matplotlib.pyplot as plt

    monkeypatch.setattr(report, "display", lambda obj: None)
    data = pd.DataFrame({"year": [2023, 2024], "share": [12.8, 9.0]})
    folders = []
    for i in (1, 2):
        folder = tmp_path / str(i)
        folder.mkdir()
        monkeypatch.chdir(folder)
        report.setup(page="Østfold")
        fig, ax = plt.subplots()
        ax.plot(data["year"], data["share"])
        report.figure(fig, name=name, caption="Andel. Kilde: SSB.", alt="Linje", data=data)
        folders.append(folder / "_assets")
    return folders


def test_the_same_figure_gives_the_same_bytes_in_every_build(tmp_path, monkeypatch):
    """Reproducible output: a rebuild with unchanged inputs writes identical files (SVG ids are
    hashed from their content, not drawn at random; the workbook and its ZIP members carry no
    clock time), so two builds can be compared file by file."""
    import zipfile

    first, second = _write_twice(tmp_path, monkeypatch, "trend")
    for suffix in ("svg", "csv", "xlsx"):
        a, b = (f / f"ostfold-trend.{suffix}" for f in (first, second))
        assert a.read_bytes() == b.read_bytes(), suffix
    svg = (first / "ostfold-trend.svg").read_text(encoding="utf-8")
    assert 'clip-path="url(#' in svg  # (the ids that used to differ are there)
    with zipfile.ZipFile(first / "ostfold-trend.xlsx") as workbook:
        assert {m.date_time for m in workbook.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"1980-01-01T00:00:00Z" in workbook.read("docProps/core.xml")


def test_a_workbook_carries_source_date_epoch_when_it_is_set(tmp_path, monkeypatch):
    import zipfile

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1733961600")  # 2024-12-12 00:00:00 UTC
    first, _ = _write_twice(tmp_path, monkeypatch, "trend")
    with zipfile.ZipFile(first / "ostfold-trend.xlsx") as workbook:
        assert {m.date_time for m in workbook.infolist()} == {(2024, 12, 12, 0, 0, 0)}
        assert b"2024-12-12T00:00:00Z" in workbook.read("docProps/core.xml")
    assert load_workbook(first / "ostfold-trend.xlsx").active["A1"].value == "Andel. Kilde: SSB."
