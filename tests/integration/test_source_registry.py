"""Source registry: import all or nothing (CSV, XLSX, GeoPackage), grid assignment, classes, export."""

from __future__ import annotations

import csv

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import Point, box

from gisgrid.errors import InvalidInput, ValidationFailed
from gisgrid.sources import service
from gisgrid.sources.models import PollutionSource
from tests import worlds

HEADER = ["code", "name", "kind", "lon", "lat", "industry", "key_source", "last_violation_on", "class"]


def at(x, y):
    """World metres → (lon, lat) rounded so CSV text round-trips."""
    lon, lat = worlds.wgs84(x, y)
    return round(lon, 9), round(lat, 9)


def good_rows():
    return [
        ["S1", "示例·甲一化工厂", "enterprise", *at(100, 100), "化工", "否", "", "A"],
        ["S2", "示例·甲二建筑工地", "建筑工地", *at(1500, 500), "建筑", "是", "", ""],
        ["S3", "示例·乙县养殖场", "畜禽养殖场", *at(3500, 500), "养殖", "否", "2025-06-01", "A"],
    ]


def write_csv(path, rows, header=HEADER):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def count(session):
    return session.query(PollutionSource).count()


def test_csv_import_assigns_grids_and_classes(session, world_ab, tmp_path):
    assert service.import_file(session, write_csv(tmp_path / "s.csv", good_rows()), by="tester") == 3
    by_code = {s.code: s for s in session.query(PollutionSource)}
    assert by_code["S1"].grid_codes == ["A", "A1", "A1a"] and by_code["S1"].supervision_class == "A"
    assert by_code["S2"].grid_codes == ["A", "A2", "A2a"] and by_code["S2"].supervision_class == "C"
    assert by_code["S2"].kind == "construction_site" and "重点" in by_code["S2"].class_reason
    assert by_code["S3"].grid_codes == ["B"] and by_code["S3"].supervision_class == "C"
    assert by_code["S3"].grid_version_id == world_ab.version_id
    history = by_code["S3"].history
    assert [(h.from_class, h.to_class, h.changed_by) for h in history] == [(None, "C", "tester")]


def test_one_bad_row_refuses_the_whole_csv(session, world_ab, tmp_path):
    rows = good_rows() + [
        ["S4", "示例·坐标错", "enterprise", "abc", "39.9", "", "", "", ""],
        ["S5", "示例·类型错", "spaceport", *at(100, 100), "", "", "", ""],
        ["S1", "示例·重复", "enterprise", *at(100, 100), "", "", "", ""],
        ["S6", "示例·网格外", "enterprise", *at(2500, 500), "", "", "", ""],
        ["S7", "示例·日期错", "enterprise", *at(100, 100), "", "", "2025-13-01", ""],
        ["S8", "示例·类别错", "enterprise", *at(100, 100), "", "也许", "", ""],
    ]
    with pytest.raises(ValidationFailed) as err:
        service.import_file(session, write_csv(tmp_path / "bad.csv", rows), by="tester")
    problems = {(d["row"], d["code"]) for d in err.value.details}
    assert problems == {(5, "S4"), (6, "S5"), (2, "S1"), (7, "S1"), (8, "S6"), (9, "S7"), (10, "S8")}
    assert count(session) == 0


def test_xlsx_import_and_a_bad_row(session, world_ab, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for row in good_rows():
        book.active.append(row)
    book.save(tmp_path / "s.xlsx")
    assert service.import_file(session, str(tmp_path / "s.xlsx"), by="t") == 3
    book.active.append(["S9", "", "enterprise", *at(100, 100)])  # no name
    book.active.cell(row=2, column=1).value = "S10"
    book.save(tmp_path / "bad.xlsx")
    with pytest.raises(ValidationFailed) as err:
        service.import_file(session, str(tmp_path / "bad.xlsx"), by="t")
    assert [d["row"] for d in err.value.details] == [3, 4, 5]  # S2, S3 taken; row 5 has no name
    assert count(session) == 3


def test_geopackage_import_with_site_polygon_in_projected_crs(session, world_ab, tmp_path):
    site = box(worlds.X0 + 1400, worlds.Y0 + 400, worlds.X0 + 1600, worlds.Y0 + 600)
    frame = gpd.GeoDataFrame(
        [
            {"code": "G1", "name": "示例·工地", "kind": "construction_site", "geometry": site},
            {
                "code": "G2",
                "name": "示例·水源地",
                "kind": "drinking_water_source",
                "geometry": Point(worlds.X0 + 3500, worlds.Y0 + 500),
            },
        ],
        crs=worlds.PROJECTED,
    )
    frame.to_file(tmp_path / "s.gpkg", driver="GPKG")
    assert service.import_file(session, str(tmp_path / "s.gpkg"), by="t") == 2
    g1 = session.query(PollutionSource).filter_by(code="G1").one()
    assert g1.grid_codes == ["A", "A2", "A2a"] and g1.site is not None
    frame.loc[1, "kind"] = "unknown"
    frame.loc[0, "code"], frame.loc[1, "code"] = "G3", "G4"
    frame.to_file(tmp_path / "bad.gpkg", driver="GPKG")
    with pytest.raises(ValidationFailed) as err:
        service.import_file(session, str(tmp_path / "bad.gpkg"), by="t")
    assert [(d["row"], d["code"]) for d in err.value.details] == [(2, "G4")]
    assert count(session) == 2


def snapshot(session):
    from sqlalchemy import func

    rows = session.query(PollutionSource, func.ST_AsText(PollutionSource.site)).all()
    return {s.code: (s.name, s.kind, s.supervision_class, s.grid_codes, site) for s, site in rows}


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".gpkg"])
def test_export_reimports_unchanged(session, world_ab, tmp_path, suffix):
    rows = good_rows()
    lon, lat = at(1500, 500)
    site = (
        "POLYGON(("
        + ", ".join(f"{x} {y}" for x, y in (at(1400, 400), at(1600, 400), at(1600, 600), at(1400, 600), at(1400, 400)))
        + "))"
    )
    header = HEADER + ["site_wkt"]
    service.import_file(
        session,
        write_csv(
            tmp_path / "s.csv",
            [r + [""] for r in rows[:2]]
            + [rows[2] + [""]]
            + [["S4", "示例·有场地", "enterprise", lon, lat, "", "", "", "B", site]],
            header,
        ),
        by="t",
    )
    before = snapshot(session)
    assert before["S4"][4].startswith("MULTIPOLYGON")
    out = str(tmp_path / f"out{suffix}")
    assert service.export_file(session, out) == 4
    session.query(PollutionSource).delete()
    session.commit()
    assert service.import_file(session, out, by="t") == 4
    assert snapshot(session) == before


def test_change_class_keeps_history_and_rules_win(session, world_ab, tmp_path, make_user):
    service.import_file(session, write_csv(tmp_path / "s.csv", good_rows()), by="t")
    admin = make_user("admin", username="admin")
    s1 = session.query(PollutionSource).filter_by(code="S1").one()
    service.change_class(session, admin, s1.id, "B", "扩大生产规模")
    assert s1.supervision_class == "B"
    assert [(h.from_class, h.to_class, h.reason) for h in s1.history][-1] == ("A", "B", "扩大生产规模")
    s2 = session.query(PollutionSource).filter_by(code="S2").one()
    with pytest.raises(InvalidInput):
        service.change_class(session, admin, s2.id, "A", "想放松")
    with pytest.raises(InvalidInput):
        service.change_class(session, admin, s1.id, "A", "  ")


def test_no_published_boundaries_is_a_clear_error(session, tmp_path):
    with pytest.raises(InvalidInput):
        service.import_file(session, write_csv(tmp_path / "s.csv", good_rows()), by="t")


def test_gbk_csv_from_excel_is_read(session, world_ab, tmp_path):
    lon, lat = at(100, 100)
    (tmp_path / "gbk.csv").write_bytes(f"code,name,kind,lon,lat\nK1,示例·印刷厂,工业企业,{lon},{lat}\n".encode("gbk"))
    assert service.import_file(session, str(tmp_path / "gbk.csv"), by="t") == 1
    assert session.query(PollutionSource).one().name == "示例·印刷厂"
