"""Hostile boundary and source files: zip bombs, traversal, symlinks, huge vertex counts, broken
spreadsheets; refused with a clear message before anything is written, and formulas neutralised on export."""

from __future__ import annotations

import csv
import stat
import zipfile

import openpyxl
import pytest
import shapely

from gisgrid.cells import safe_cell
from gisgrid.errors import InvalidInput
from gisgrid.grids import reader
from gisgrid.grids.reader import read_grids
from gisgrid.sources import io as source_io
from gisgrid.sources import service as source_service
from gisgrid.sources.models import PollutionSource
from tests.unit.test_reader import standard_frame
from tests.worlds import write_shapefile_zip


def test_zip_bomb_is_refused_by_its_ratio(tmp_path):
    archive = write_shapefile_zip(standard_frame(), tmp_path)
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("notes.txt", b"\x00" * (20 * 1024 * 1024))  # 20 MB of zeros in ~20 kB
    assert archive.stat().st_size < 200 * 1024
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(InvalidInput, match="压缩炸弹"):
        read_grids(str(archive))
    assert sorted(tmp_path.rglob("*")) == before  # nothing extracted next to it


def test_symlink_member_is_never_followed(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    archive = write_shapefile_zip(standard_frame(), tmp_path)
    with zipfile.ZipFile(archive, "a") as zf:
        link = zipfile.ZipInfo("grids.cpg")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, str(secret))
    # members are copied to fixed names as plain bytes: the link is text, not a link
    frame = read_grids(str(archive))
    assert len(frame) == len(standard_frame()) and secret.read_text() == "top secret"


def test_huge_vertex_count_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(reader, "MAX_VERTICES", 9)
    archive = write_shapefile_zip(standard_frame(), tmp_path)
    with pytest.raises(InvalidInput, match="顶点"):
        read_grids(str(archive))


def test_bow_tie_is_read_for_validation_to_report(tmp_path):
    frame = standard_frame()
    x0, y0, x1, y1 = frame.geometry.iloc[0].bounds
    frame.loc[0, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    got = read_grids(str(write_shapefile_zip(frame, tmp_path)))
    assert not shapely.is_valid(got.geometry.iloc[0])  # kept as is: validation lists it with its feature


def _xlsx_bomb(path):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (source_io.MAX_XLSX_UNPACKED + 1))
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: _xlsx_bomb(p), "解压后超过"),
        (lambda p: p.write_bytes(b"code,name\n=cmd|' /C calc'!A0,x\n") and p, "不是 Excel"),  # a CSV named .xlsx
    ],
)
def test_hostile_xlsx_is_refused(tmp_path, make, message):
    path = make(tmp_path / "sources.xlsx")
    with pytest.raises(InvalidInput, match=message):
        source_io.read_rows(str(path))


def test_gbk_and_bom_csv_read_the_same(tmp_path):
    text = "code,name\nS1,示例·化工厂\n"
    (tmp_path / "gbk.csv").write_bytes(text.encode("gbk"))
    (tmp_path / "bom.csv").write_bytes(text.encode("utf-8-sig"))
    assert source_io.read_rows(str(tmp_path / "gbk.csv")) == source_io.read_rows(str(tmp_path / "bom.csv"))
    assert source_io.read_rows(str(tmp_path / "gbk.csv"))[0][1]["name"] == "示例·化工厂"


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "＝1"])
def test_safe_cell_neutralises_formulas(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("示例·工厂") == "示例·工厂" and safe_cell(-1.5) == -1.5 and safe_cell(None) is None


def test_source_export_neutralises_formulas(session, world_ab, tmp_path):
    from tests.routes.test_sources_routes import GOOD, csv_bytes

    path = tmp_path / "in.csv"
    path.write_bytes(csv_bytes(GOOD).replace("示例·R1".encode(), b'=HYPERLINK("http://x")'))
    source_service.import_file(session, str(path), by="test")
    name = session.query(PollutionSource).filter_by(code="R1").one().name
    assert name == '=HYPERLINK("http://x")'  # stored verbatim
    source_service.export_file(session, str(tmp_path / "out.csv"))
    with open(tmp_path / "out.csv", encoding="utf-8-sig") as handle:
        names = {r["code"]: r["name"] for r in csv.DictReader(handle)}
    assert names["R1"] == "'" + name
    source_service.export_file(session, str(tmp_path / "out.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "'" + name in cells and name not in cells
