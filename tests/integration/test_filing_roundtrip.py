"""Filing package contents and the GeoPackage round trip (preview, then apply)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import zipfile

import geopandas as gpd
import pytest
from openpyxl import load_workbook
from shapely.geometry import box

from gisgrid.editor import drafts, filing, roundtrip, validate
from gisgrid.errors import Conflict, ValidationFailed
from tests import editor_world


@pytest.fixture()
def world(session, tmp_path):
    return editor_world.load(session, tmp_path).version_id


def test_filing_package_has_every_file_with_the_responsibility_table(session, world, tmp_path):
    data = filing.build_package(session, world)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == sorted(
        [
            "网格划分责任表.csv",
            "网格划分责任表.xlsx",
            "网格划分责任表.pdf",
            "网格边界.gpkg",
            "网格划分总览图.png",
            "网格划分交互地图.html",
        ]
    )
    rows = list(csv.reader(io.StringIO(archive.read("网格划分责任表.csv").decode("utf-8-sig"))))
    assert rows[0] == list(filing.HEADER) and len(rows) == 8
    v11 = next(r for r in rows if r[1] == "V11")
    assert v11[0] == "三级网格" and v11[3] == "丙一镇" and v11[4] == "丙村V11责任主体"
    assert "示例·网格员（网格员 199-0000-0009）" in v11[8]
    sheet = load_workbook(io.BytesIO(archive.read("网格划分责任表.xlsx"))).active
    assert [c.value for c in sheet[2]] == list(filing.HEADER) and sheet.max_row == 9
    assert archive.read("网格划分责任表.pdf").startswith(b"%PDF")
    assert archive.read("网格划分总览图.png").startswith(b"\x89PNG")
    (tmp_path / "grids.gpkg").write_bytes(archive.read("网格边界.gpkg"))
    gpkg = gpd.read_file(tmp_path / "grids.gpkg")
    assert sorted(gpkg["code"]) == ["C", "T1", "T2", "V11", "V12", "V21", "V22"]


def test_filing_html_map_is_self_contained_and_shows_every_grid(session, world):
    data = filing.build_package(session, world)
    page = zipfile.ZipFile(io.BytesIO(data)).read("网格划分交互地图.html").decode("utf-8")
    # no asset fetched from anywhere: no script/link/stylesheet URL, no CDN, Leaflet inlined
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|url\(['\"]?(https?:)?//|@import", page)
    # the only URLs left are inside Leaflet's own source: its attribution link, the SVG namespace, bug links
    hosts = set(re.findall(r"https?://([^/\"'\s)]+)", page))
    assert hosts <= {"leafletjs.com", "www.w3.org", "bugs.chromium.org", "bugzilla.mozilla.org"}, hosts
    assert "window.L=t" in page and "L.geoJson" in page  # the vendored Leaflet is inlined
    for code, name in [("C", "丙县"), ("T1", "丙一镇"), ("V11", "丙村V11")]:
        assert f'"code": "{code}"' in page and json.dumps(name) in page  # folium writes JSON with \u escapes
    assert page.count('"type": "Feature"') == 7  # every grid, each in its level's layer
    assert page.count("L.featureGroup(") == 3 and "L.control.layers(" in page


def test_geopackage_round_trip_previews_then_applies(session, world, tmp_path):
    draft = drafts.open_draft(session, "planner")
    exported = tmp_path / "draft.gpkg"
    exported.write_bytes(roundtrip.export_draft(session, draft))
    frame = gpd.read_file(exported)
    # in QGIS: V21 and V22 swap a strip, V22 gets a new entity, V11 is renamed
    frame.loc[frame.code == "V21", "geometry"] = box(116.02, 39.0, 116.031, 39.02)
    frame.loc[frame.code == "V22", "geometry"] = box(116.031, 39.0, 116.04, 39.02)
    frame.loc[frame.code == "V22", "entity"] = "新的责任主体"
    frame.loc[frame.code == "V11", "name"] = "改名村"
    edited = tmp_path / "edited.gpkg"
    frame.to_file(edited, driver="GPKG", engine="pyogrio", layer="grids")

    preview = roundtrip.import_upload(session, draft, edited, "planner")
    assert not preview["applied"] and preview["errors"] == 0
    changes = {c["code"]: c for c in preview["changes"]}
    assert set(changes) == {"V11", "V21", "V22"}
    assert changes["V11"]["fields"] == ["name"] and changes["V22"]["fields"] == ["entity"]
    assert changes["V21"]["reshaped_m2"] == pytest.approx(
        changes["V21"]["area_after_m2"] - changes["V21"]["area_before_m2"], rel=1e-3
    )
    assert drafts.draft_geojson(session, draft).count("改名村") == 0  # nothing applied yet

    applied = roundtrip.import_upload(session, draft, edited, "planner", stamp=preview["stamp"])
    assert applied["applied"]
    features = {
        f["properties"]["code"]: f["properties"] for f in json.loads(drafts.draft_geojson(session, draft))["features"]
    }
    assert features["V11"]["name"] == "改名村" and features["V22"]["entity"] == "新的责任主体"
    assert features["V11"]["lock"] >= 1  # counters moved on: edits based on the old draft conflict
    assert validate.validate_version(session, draft)["ok"]
    with pytest.raises(Conflict):  # the stamp was for the draft before the import
        roundtrip.import_upload(session, draft, edited, "planner", stamp=preview["stamp"])


def test_round_trip_with_a_gap_is_refused(session, world, tmp_path):
    draft = drafts.open_draft(session, "planner")
    exported = tmp_path / "draft.gpkg"
    exported.write_bytes(roundtrip.export_draft(session, draft))
    frame = gpd.read_file(exported)
    frame.loc[frame.code == "V22", "geometry"] = box(116.032, 39.0, 116.04, 39.02)
    edited = tmp_path / "gap.gpkg"
    frame.to_file(edited, driver="GPKG", engine="pyogrio", layer="grids")
    preview = roundtrip.import_upload(session, draft, edited, "planner")
    assert preview["errors"] == 1 and [p["kind"] for p in preview["problems"] if p["severity"] == "error"] == ["gap"]
    with pytest.raises(ValidationFailed):
        roundtrip.import_upload(session, draft, edited, "planner", stamp=preview["stamp"])


def test_filing_cli_writes_the_zip(app, session, world, tmp_path):
    from gisgrid.cli import main

    out = tmp_path / "filing.zip"
    result = app.test_cli_runner().invoke(main, ["editor", "filing", str(out), "--version", str(world)])
    assert result.exit_code == 0, result.output
    assert len(zipfile.ZipFile(out).namelist()) == 6


def _pdf_text(path, page=None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_filing_pdf_text_has_every_grid_and_person_in_an_embedded_cjk_font(session, world, tmp_path):
    label, rows = filing.responsibility_rows(session, world)
    odd = ("三级网格", "V99", "甲&乙<社区>", "丙一镇", "主体", "示例·某人", "书记", "1", "甲；乙", "2")
    path = tmp_path / "table.pdf"
    path.write_bytes(filing.to_pdf(label, rows * 12 + [odd]))
    text = "".join(_pdf_text(path).split())  # a long name wraps inside its cell
    assert all(row[1] in text and row[2] in text for row in rows)  # every grid's code and name
    assert (
        "示例·某人" in text and "甲&乙<社区>" in text
    )  # '·' has a glyph; markup characters are text and f"共{len(rows) * 12 + 1}个网格" in text
    pages = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
        )[1]
    )
    assert pages > 1 and all(
        "网格编码" in _pdf_text(path, p) and f"第 {p} 页" in _pdf_text(path, p) for p in range(1, pages + 1)
    )  # the header row repeats on every page
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and "STSong" not in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if "WenQuanYi" in line)  # embedded
