"""Reading grid boundary files into the standard schema (no database)."""

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPolygon, Polygon, box

from gisgrid import coords
from gisgrid.errors import InvalidInput
from gisgrid.grids import fields, reader
from gisgrid.grids.reader import read_grids
from tests.worlds import write_geojson, write_shapefile_zip

X0, Y0 = 40_500_000.0, 4_400_000.0  # EPSG:4528 zone 40: x0 is the 120°E central meridian
TO_WGS84 = Transformer.from_crs("EPSG:4528", "EPSG:4326", always_xy=True)
# writing the test data in shapefiles truncates names and, once, omits the CRS on purpose
pytestmark = [
    pytest.mark.filterwarnings("ignore:Column names longer than 10:UserWarning"),
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:'crs' was not provided:UserWarning"),
]
STAFF = [
    {"name": "示例·网格员甲", "role": "网格员", "phone": "13800000001", "phone_public": True},
    {"name": "示例·监督员乙", "role": "监督员", "phone": None, "phone_public": False},
]


def sq(x1, y1, x2, y2):
    return box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def standard_frame(crs="EPSG:4528"):
    """Two grids with every standard field, as a data supplier would write them."""
    common = {"entity": "甲街道办事处", "leader": "张三", "leader_title": "主任", "duties": "大气、水环境巡查"}
    common |= {"tasks": "每周巡查一次", "rewards_penalties": "按责任状考核", "kind": "grid"}  # 五定; kind of grid
    rows = [
        {
            **common,
            "code": "110102003000",
            "name": "甲街道",
            "level": 1,
            "parent_code": None,
            "leader_phone": "13800000000",
            "leader_phone_public": True,
            "contact_phone": "010-66000000",
            "contact_phone_public": False,
            "sample_data": True,
            "staff": json.dumps(STAFF, ensure_ascii=False),
            "geometry": sq(0, 0, 2000, 1000),
        },
        {
            **common,
            "code": "110102003001",
            "name": "甲一社区",
            "level": 2,
            "parent_code": "110102003000",
            "leader_phone": None,
            "leader_phone_public": False,
            "contact_phone": "010-66000001",
            "contact_phone_public": True,
            "sample_data": False,
            "staff": None,
            "geometry": sq(0, 0, 1000, 1000),
        },
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def expected_wgs84(geom):
    return shapely.transform(geom, lambda xy: np.column_stack(TO_WGS84.transform(xy[:, 0], xy[:, 1])))


def same_shape(a, b, tolerance=1e-9):
    return shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=tolerance)


def write(frame, tmp_path, kind):
    if kind == "zip":
        return str(write_shapefile_zip(frame, tmp_path))
    path = tmp_path / f"grids.{kind}"
    frame.to_file(path, engine="pyogrio")
    return str(path)


def feature(geom, **props):
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}


@pytest.mark.parametrize("kind", ["geojson", "gpkg", "shp", "zip"])
def test_standard_schema_round_trips(tmp_path, kind):
    source = standard_frame()
    grids = read_grids(write(source, tmp_path, kind))
    assert list(grids.columns) == list(fields.OUTPUT_COLUMNS)
    assert grids.crs.to_epsg() == 4326
    assert grids.code.tolist() == ["110102003000", "110102003001"]
    assert grids.parent_code.tolist() == [None, "110102003000"]
    assert grids.level.tolist() == [1, 2] and grids.level.dtype == np.int64
    assert grids.leader_name.tolist() == ["张三", "张三"]
    assert grids.leader_phone.tolist() == ["13800000000", None]
    assert grids.leader_phone_public.tolist() == [True, False]
    assert grids.contact_phone_public.tolist() == [False, True]
    assert grids.sample_data.tolist() == [True, False]
    assert grids.duties.tolist() == ["大气、水环境巡查"] * 2
    assert grids.staff.tolist() == [STAFF, []]
    assert grids.source_index.tolist() == [0, 1]
    for got, drawn in zip(grids.geometry, source.geometry):
        assert got.geom_type == "MultiPolygon"
        assert same_shape(got, MultiPolygon([expected_wgs84(drawn)]))
    assert grids.attrs["source_crs"] == "EPSG:4528"


def test_shapefile_truncated_field_names_are_recognised(tmp_path):
    path = write(standard_frame(), tmp_path, "shp")
    written = set(pyogrio.read_info(path)["fields"])
    # the point of the alias table: these are the names GDAL really writes
    assert {
        "parent_cod",
        "leader_tit",
        "leader_pho",
        "leader_p_1",
        "contact_ph",
        "contact__1",
        "sample_dat",
        "rewards_pe",
    } <= written
    mapping, problems = fields.resolve_columns(sorted(written), None)
    assert problems == []
    assert set(mapping) == set(fields.ALIASES)


def test_known_projected_point_matches_pyproj(tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["1"], "name": ["a"], "level": [1]},
        geometry=[Polygon([(X0, Y0), (X0 + 100, Y0), (X0, Y0 + 100)])],
        crs="EPSG:4528",
    )
    lon, lat = shapely.get_coordinates(read_grids(write(frame, tmp_path, "gpkg")).geometry[0])[0]
    want = TO_WGS84.transform(X0, Y0)
    assert abs(lon - want[0]) < 1e-12 and abs(lat - want[1]) < 1e-12
    assert abs(lon - 120.0) < 1e-9  # on the zone's central meridian
    assert 39.7 < lat < 39.8


def test_numeric_codes_and_phones_become_exact_strings(tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "code": np.array([110102003000, 110102003001], dtype=np.int64),
            "name": ["甲", "乙"],
            "level": [1.0, 2.0],
            "parent_code": [np.nan, 110102003000.0],  # a numeric column with a gap reads back as float
            "contact_phone": [13800000000, 13900000000],
        },
        geometry=[sq(0, 0, 10, 10), sq(0, 0, 5, 5)],
        crs="EPSG:4528",
    )
    for kind in ("gpkg", "geojson", "shp"):
        folder = tmp_path / kind
        folder.mkdir()
        grids = read_grids(write(frame, folder, kind))
        assert grids.code.tolist() == ["110102003000", "110102003001"], kind
        assert grids.parent_code.tolist() == [None, "110102003000"], kind
        assert grids.contact_phone.tolist() == ["13800000000", "13900000000"], kind
        assert grids.level.tolist() == [1, 2], kind


def test_field_map_renames_columns(tmp_path):
    frame = gpd.GeoDataFrame(
        {"XZQDM": ["110102"], "XZQMC": ["西城区"], "JB": [1], "SJDM": [None], "FZR": ["李四"], "code": ["ignored"]},
        geometry=[sq(0, 0, 10, 10)],
        crs="EPSG:4528",
    )
    path = write(frame, tmp_path, "gpkg")
    grids = read_grids(
        path, field_map={"code": "XZQDM", "name": "xzqmc", "level": "JB", "parent_code": "SJDM", "leader": "FZR"}
    )
    assert grids.code.tolist() == ["110102"]
    assert grids.name.tolist() == ["西城区"]
    assert grids.leader_name.tolist() == ["李四"]
    with pytest.raises(InvalidInput, match="NOPE"):
        read_grids(path, field_map={"code": "NOPE", "name": "XZQMC", "level": "JB"})
    with pytest.raises(InvalidInput, match="colour"):
        read_grids(path, field_map={"colour": "XZQDM"})


def test_missing_required_columns_are_named(tmp_path):
    frame = gpd.GeoDataFrame({"code": ["1"], "MC": ["x"]}, geometry=[sq(0, 0, 10, 10)], crs="EPSG:4528")
    with pytest.raises(InvalidInput) as err:
        read_grids(write(frame, tmp_path, "gpkg"))
    assert "缺少必需字段 name, level" in err.value.message
    assert "MC" in err.value.message
    assert err.value.details == {"missing": ["name", "level"], "columns": ["code", "MC"]}


def test_missing_geometry_is_a_missing_column(tmp_path):
    path = tmp_path / "table.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"code": ["1"], "name": ["a"], "level": [1]}), path)
    with pytest.raises(InvalidInput) as err:
        read_grids(str(path))
    assert err.value.details["missing"] == ["geometry"]


def test_declared_crs_conflicting_with_crs_argument_is_refused(tmp_path):
    path = write(standard_frame(), tmp_path, "shp")
    with pytest.raises(InvalidInput, match="4528.*4326"):
        read_grids(path, crs="EPSG:4326")
    assert len(read_grids(path, crs="EPSG:4528")) == 2  # the same CRS is no conflict


def test_geojson_declared_crs_conflict(tmp_path):
    path = write(standard_frame(), tmp_path, "geojson")
    with pytest.raises(InvalidInput, match="不一致"):
        read_grids(path, crs="cgcs2000")


def test_geojson_declaring_wgs84_is_not_overridden(tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["1"], "name": ["a"], "level": [1]}, geometry=[box(116.3, 39.9, 116.31, 39.91)], crs="EPSG:4326"
    )
    path = write(frame, tmp_path, "geojson")
    assert '"crs"' in open(path, encoding="utf-8").read()  # GDAL declares CRS84 explicitly
    with pytest.raises(InvalidInput, match="不一致"):
        read_grids(path, crs="EPSG:4528")


def test_file_without_crs_needs_crs_argument(tmp_path):
    frame = standard_frame().set_crs(None, allow_override=True)
    path = write(frame, tmp_path, "shp")
    with pytest.raises(InvalidInput, match="--crs"):
        read_grids(path)
    grids = read_grids(path, crs="EPSG:4528")
    assert same_shape(grids.geometry[0], MultiPolygon([expected_wgs84(frame.geometry[0])]))


def test_a_truncated_prj_is_a_clear_read_error(tmp_path):
    path = write(standard_frame(), tmp_path, "shp")
    Path(path).with_suffix(".prj").write_bytes(b'PROJCS["broken",GEOGCS[')
    with pytest.raises(InvalidInput, match="无法读取文件"):
        read_grids(path)


@pytest.mark.parametrize("prj", [b"this is not WKT at all", b"\x00\xff\x10" * 20])
def test_unreadable_prj_is_no_crs_and_crs_argument_rescues_it(tmp_path, prj):
    frame = standard_frame()
    path = write(frame, tmp_path, "shp")
    Path(path).with_suffix(".prj").write_bytes(prj)
    with pytest.raises(InvalidInput, match="（可识别的）坐标系"):
        read_grids(path)
    grids = read_grids(path, crs="EPSG:4528")
    assert same_shape(grids.geometry[0], MultiPolygon([expected_wgs84(frame.geometry[0])]))


def test_swapped_lat_lon_is_refused_as_a_wrong_crs(tmp_path):
    """China lies at lon 73–135, lat 18–54: swapped, every latitude is beyond 90°."""
    wgs = standard_frame().to_crs("EPSG:4326")
    wgs["geometry"] = shapely.transform(wgs.geometry.values, lambda xy: xy[:, ::-1])
    with pytest.raises(InvalidInput, match="超出经纬度范围") as err:
        read_grids(write(wgs, tmp_path, "geojson"))
    assert err.value.details == {"source_indexes": [0, 1]}


@pytest.mark.parametrize(
    "wrong,message",
    [
        ("EPSG:4527", "适用范围"),  # zone 39, zone-prefixed eastings
        ("EPSG:4549", "超出经纬度范围"),
    ],
)  # 120°E without the prefix
def test_metres_in_the_wrong_zone_are_refused_by_the_crs_area_of_use(tmp_path, wrong, message):
    """Zone-40 metres declared as another zone still give valid lon/lat; the CRS's area of use catches it."""
    frame = standard_frame().set_crs(wrong, allow_override=True)
    with pytest.raises(InvalidInput, match=message) as err:
        read_grids(write(frame, tmp_path, "gpkg"))
    assert err.value.details == {"source_indexes": [0, 1]}
    assert len(read_grids(write(standard_frame(), tmp_path, "gpkg"))) == 2


def test_geojson_without_crs_is_wgs84_and_may_be_given_one(tmp_path):
    wgs = write_geojson(tmp_path, [feature(box(116.3, 39.9, 116.31, 39.91), code="1", name="a", level=1)])
    grids = read_grids(wgs)
    assert same_shape(grids.geometry[0], MultiPolygon([box(116.3, 39.9, 116.31, 39.91)]), 0)
    projected = write_geojson(tmp_path, [feature(sq(0, 0, 100, 100), code="1", name="a", level=1)], "p.geojson")
    grids = read_grids(projected, crs="EPSG:4528")
    assert same_shape(grids.geometry[0], MultiPolygon([expected_wgs84(sq(0, 0, 100, 100))]))


@pytest.mark.parametrize(
    "name,inverse,forward",
    [
        ("gcj02", coords.gcj02_to_wgs84, coords.wgs84_to_gcj02),
        ("bd09", coords.bd09_to_wgs84, coords.wgs84_to_bd09),
    ],
)
def test_offset_datum_input_is_converted(tmp_path, name, inverse, forward):
    true_corners = np.array([(116.39, 39.90), (116.40, 39.90), (116.40, 39.91), (116.39, 39.91)])
    shown = np.column_stack(forward(true_corners[:, 0], true_corners[:, 1]))
    path = write_geojson(tmp_path, [feature(Polygon(shown), code="1", name="a", level=1)])
    got = shapely.get_coordinates(read_grids(path, crs=name).geometry[0])[:4]
    want = np.column_stack(inverse(shown[:, 0], shown[:, 1]))
    assert np.allclose(got, want, rtol=0, atol=1e-12)
    assert np.allclose(got, true_corners, rtol=0, atol=1e-7)  # ~1 cm: the offset was really removed
    assert np.abs(shown - true_corners).max() > 1e-3  # ...and it was hundreds of metres


def test_gcj02_accepted_for_a_file_labelled_wgs84(tmp_path):
    frame = gpd.GeoDataFrame(
        {"code": ["1"], "name": ["a"], "level": [1]}, geometry=[box(116.39, 39.90, 116.40, 39.91)], crs="EPSG:4326"
    )
    path = write(frame, tmp_path, "shp")
    got = shapely.get_coordinates(read_grids(path, crs="gcj02").geometry[0])
    want = np.column_stack(coords.gcj02_to_wgs84(*shapely.get_coordinates(frame.geometry[0]).T))
    assert np.allclose(np.sort(got, axis=0), np.sort(want, axis=0), rtol=0, atol=1e-12)
    with pytest.raises(InvalidInput, match="不一致"):
        read_grids(write(standard_frame(), tmp_path, "gpkg"), crs="gcj02")


def test_coordinates_off_the_globe_mean_a_wrong_crs(tmp_path):
    mislabelled = standard_frame().set_crs("EPSG:4326", allow_override=True)  # metres labelled lon/lat
    with pytest.raises(InvalidInput, match="超出经纬度范围") as err:
        read_grids(write(mislabelled, tmp_path, "shp"))
    assert err.value.details == {"source_indexes": [0, 1]}


def test_unknown_crs_name(tmp_path):
    with pytest.raises(InvalidInput, match="mars"):
        read_grids(write(standard_frame(), tmp_path, "gpkg"), crs="mars")


def test_geopackage_layers(tmp_path):
    path = tmp_path / "two.gpkg"
    standard_frame().to_file(path, layer="towns", engine="pyogrio")
    standard_frame().iloc[:1].to_file(path, layer="counties", engine="pyogrio")
    with pytest.raises(InvalidInput) as err:
        read_grids(str(path))
    assert "towns" in err.value.message and "counties" in err.value.message
    assert len(read_grids(str(path), layer="counties")) == 1
    assert len(read_grids(str(path), layer="towns")) == 2
    with pytest.raises(InvalidInput, match="villages"):
        read_grids(str(path), layer="villages")


def test_zip_with_several_shapefiles_needs_layer(tmp_path):
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, frame in (("towns", standard_frame()), ("counties", standard_frame().iloc[:1])):
            folder = tmp_path / name
            folder.mkdir()
            frame.to_file(folder / f"{name}.shp", engine="pyogrio")
            for part in folder.iterdir():
                zf.write(part, f"data/{part.name}")
    with pytest.raises(InvalidInput, match="towns"):
        read_grids(str(archive))
    assert len(read_grids(str(archive), layer="counties")) == 1


@pytest.mark.parametrize("member", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp", "C:\\evil.shp"])
def test_zip_with_unsafe_paths_is_refused(tmp_path, member):
    archive = write_shapefile_zip(standard_frame(), tmp_path)
    with zipfile.ZipFile(archive, "a") as zf:
        zf.writestr(member, b"x")
    with pytest.raises(InvalidInput, match="不安全"):
        read_grids(str(archive))
    assert not (tmp_path.parent / "evil.shp").exists()


def test_zip_over_size_limit_is_refused(tmp_path, monkeypatch):
    archive = write_shapefile_zip(standard_frame(), tmp_path)
    monkeypatch.setattr(reader, "MAX_ZIP_BYTES", 100)
    with pytest.raises(InvalidInput, match="超过上限"):
        read_grids(str(archive))


def test_corrupt_and_unsupported_files(tmp_path):
    garbage = tmp_path / "bad.zip"
    garbage.write_bytes(b"not a zip at all")
    bad_gpkg = tmp_path / "bad.gpkg"
    bad_gpkg.write_bytes(b"\x00" * 1000)
    csv = tmp_path / "grids.csv"
    csv.write_text("code,name\n")
    empty_zip = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty_zip, "w") as zf:
        zf.writestr("readme.txt", "no shapefile here")
    cases = [
        (garbage, "压缩包损坏"),
        (bad_gpkg, "无法读取"),
        (csv, "不支持"),
        (empty_zip, "没有 .shp"),
        (tmp_path / "missing.gpkg", "不存在"),
        (tmp_path, "目录"),
    ]
    for path, message in cases:
        with pytest.raises(InvalidInput, match=message):
            read_grids(str(path))


def test_zip_member_failing_its_checksum(tmp_path):
    archive = write_shapefile_zip(standard_frame(), tmp_path)
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo("grids.dbf")
    data[info.header_offset + 30 + len(info.filename) + 40] ^= 0xFF  # inside the stored .dbf bytes
    archive.write_bytes(bytes(data))
    with pytest.raises(InvalidInput, match="压缩包损坏"):
        read_grids(str(archive))


def test_values_are_coerced_or_kept_raw_for_validation(tmp_path):
    rows = [
        feature(
            box(0, 0, 1, 1),
            code="1",
            name="a",
            level="2",
            sample_data="是",
            contact_phone_public="否",
            leader_phone_public=1,
            staff=STAFF,
        ),
        feature(
            box(0, 0, 1, 1),
            code="2",
            name="b",
            level="two",
            sample_data="maybe",
            contact_phone_public="false",
            leader_phone_public="TRUE",
            staff="[not json",
        ),
    ]
    grids = read_grids(write_geojson(tmp_path, rows))
    assert grids.level.tolist() == [2, "two"]
    assert grids.sample_data.tolist() == [True, "maybe"]
    assert grids.contact_phone_public.tolist() == [False, False]
    assert grids.leader_phone_public.tolist() == [True, True]
    assert grids.staff.tolist() == [STAFF, "[not json"]


def test_geometries_are_wrapped_not_repaired(tmp_path):
    bowtie = Polygon([(116.0, 39.0), (116.1, 39.1), (116.1, 39.0), (116.0, 39.1)])
    rows = [
        feature(box(116, 39, 116.1, 39.1), code="1", name="a", level=1),
        feature(bowtie, code="2", name="b", level=1),
        feature(LineString([(116, 39), (116.1, 39.1)]), code="3", name="c", level=1),
        {"type": "Feature", "properties": {"code": "4", "name": "d", "level": 1}, "geometry": None},
    ]
    grids = read_grids(write_geojson(tmp_path, rows))
    assert [g.geom_type if g is not None else None for g in grids.geometry] == [
        "MultiPolygon",
        "MultiPolygon",
        "LineString",
        None,
    ]
    assert not grids.geometry[1].is_valid
    assert same_shape(grids.geometry[1].geoms[0], bowtie, 0)


def test_z_coordinates_are_dropped(tmp_path):
    polygon_z = Polygon([(116.0, 39.0, 50), (116.1, 39.0, 50), (116.1, 39.1, 50)])
    grids = read_grids(write_geojson(tmp_path, [feature(polygon_z, code="1", name="a", level=1)]))
    assert not shapely.has_z(grids.geometry[0])


def test_empty_file_gives_empty_standard_frame(tmp_path):
    grids = read_grids(write_geojson(tmp_path, []))
    assert len(grids) == 0 and list(grids.columns) == list(fields.OUTPUT_COLUMNS)


@pytest.mark.parametrize(
    "value,want",
    [
        (110102003000, "110102003000"),
        (110102003000.0, "110102003000"),
        (np.int64(7), "7"),
        (" 110102003000.0 ", "110102003000"),
        ("0012", "0012"),
        (1.5, "1.5"),
        ("", None),
        (np.nan, None),
        (None, None),
        (pd.NA, None),
    ],
)
def test_code_text(value, want):
    assert fields.to_text(value, code=True) == want


@pytest.mark.parametrize(
    "value,want",
    [
        (True, True),
        (0, False),
        (1.0, True),
        ("是", True),
        ("否", False),
        ("False", False),
        ("y", True),
        (None, "default"),
        ("", "default"),
    ],
)
def test_booleans(value, want):
    assert fields.to_bool(value, "default") == want


@pytest.mark.parametrize("bad", ["maybe", 2, "是的"])
def test_bad_booleans(bad):
    with pytest.raises(ValueError):
        fields.to_bool(bad, False)


@pytest.mark.parametrize("value,want", [(3, 3), (3.0, 3), ("3", 3), (" 4.0 ", 4), (None, None), (-1, -1)])
def test_levels(value, want):
    assert fields.to_level(value) == want


@pytest.mark.parametrize("bad", ["three", 1.5, True, "1.5"])
def test_bad_levels(bad):
    with pytest.raises(ValueError):
        fields.to_level(bad)


def test_staff_parsing():
    assert fields.parse_staff('[{"name": "王五", "phone": 13800000000}]') == [
        {"name": "王五", "role": "网格员", "phone": "13800000000", "phone_public": False}
    ]
    assert fields.parse_staff(None) == [] and fields.parse_staff("") == []
    for bad, reason in (
        ("[oops", "JSON"),
        ('{"name": "x"}', "数组"),
        ('[{"role": "x"}]', "姓名"),
        ('["x"]', "对象"),
        ('[{"name": "x", "phone_public": "maybe"}]', "phone_public"),
    ):
        with pytest.raises(ValueError, match=reason):
            fields.parse_staff(bad)
