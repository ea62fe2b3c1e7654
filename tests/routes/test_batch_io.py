"""The vectorised batch readers/writers (grids/batch_io.py) write what the row-by-row ones write."""

import io
import json

import numpy as np
import orjson
import pytest

from gisgrid import coords
from gisgrid.grids import batch, batch_io, versions
from tests import worlds


@pytest.fixture()
def index(session, world_ab):
    return batch.build_index(session, versions.published(session).id)


def _points(n=300, seed=3):
    rng = np.random.default_rng(seed)
    return [worlds.wgs84(x, y) for x, y in zip(rng.uniform(-100, 4100, n), rng.uniform(-100, 1100, n))]


def _row_by_row(index, data: bytes, crs=None) -> bytes:
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline="")
    return "".join(batch.assign_csv(index, stream, crs)).encode()


def _vectorised(index, data: bytes, crs=None) -> bytes:
    return b"".join(batch_io.assign_csv_bytes(index, data, crs))


def _plain_body(points, newline="\n"):
    lines = ["id,lon,lat,备注"] + [f"p{i},{lon!r},{lat!r},第{i}行" for i, (lon, lat) in enumerate(points)]
    return (newline.join(lines) + newline).encode()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_plain_csv_same_bytes_as_row_by_row(index, newline):
    body = _plain_body(_points(), newline)
    out = _vectorised(index, body)
    assert out == _row_by_row(index, body)
    assert out.count(b"\n") == 301 and b"A1a" in out and "不在任何网格内".encode() in out


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbflon,lat\n116.0,39.0\n",  # BOM
        b'name,lon,lat\n"a, quoted",116.0,39.0\n',  # quotes: the CSV parser's job
        b"lon,lat\nabc,1\n116.0,39.0\n500,10\n,\n",  # bad numbers, out of range, empty
        b"lon,lat\n116.0\n116.0,39.0,extra\n",  # ragged rows
        b"lon,lat\n116.0,39.0\n\n116.1,39.1\n",  # a blank line
        b"lon,lat\nnan,inf\n 116.0 , 39.0 \n",  # non-finite and padded numbers
        b"lon,lat\n116.0,39.0",  # no final line end
        b"x,y\n1,2\n",  # x/y columns
    ],
)
def test_unusual_csv_same_bytes_as_row_by_row(index, body):
    assert _vectorised(index, body) == _row_by_row(index, body)


def test_projected_crs_same_bytes(index):
    body = b"x,y\n" + b"".join(f"{worlds.X0 + x!r},{worlds.Y0 + 500!r}\n".encode() for x in range(-50, 4100, 97))
    out = _vectorised(index, body, "EPSG:4528")
    assert out == _row_by_row(index, body, "EPSG:4528") and b"A2a" in out


def test_missing_columns_is_400_like_row_by_row(index):
    from gisgrid.errors import InvalidInput

    with pytest.raises(InvalidInput, match="lon,lat"):
        _vectorised(index, b"a,b\n1,2\n")


def test_geojson_same_features_as_the_standard_writer(index):
    points = _points(200)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"n": i, "名": "点"},
        }
        for i, (lon, lat) in enumerate(points)
    ] + [{"type": "Feature", "geometry": None, "properties": None}, {"type": "Feature", "properties": {"big": 2**70}}]
    collection = {"type": "FeatureCollection", "features": features}
    data = json.dumps(collection).encode()
    fast = json.loads(b"".join(batch_io.assign_geojson_bytes(index, batch_io.parse_geojson(data), None)))
    slow = json.loads("".join(batch.assign_geojson(index, json.loads(data), None)))
    assert fast == slow
    assert fast["features"][-1]["properties"]["big"] == 2**70
    assert {f["properties"]["grid_code"] for f in fast["features"]} >= {"A1a", "B", None}


def _general_writer(index, collection) -> bytes:
    """What the writer wrote before pre-serialised fragments: ``batch._with_grid`` per feature, orjson per chunk."""
    features = collection["features"]
    raw = [batch._point_xy(f) for f in features]
    rows = batch.assign_chunk(index, [x for x, _ in raw], [y for _, y in raw], coords.parse_crs(None))
    written = [batch._with_grid(f, row) for f, row in zip(features, rows)]
    try:
        body = orjson.dumps(written)[1:-1]
    except TypeError:
        body = json.dumps(written, ensure_ascii=False)[1:-1].encode()
    return b'{"type":"FeatureCollection","features":[' + body + b"]}"


def _mixed_features():
    inside, outside = worlds.wgs84(500, 500), worlds.wgs84(9000, 9000)
    point = lambda xy: {"type": "Point", "coordinates": list(xy)}  # noqa: E731
    return [
        {"type": "Feature", "geometry": point(inside), "properties": {}},
        {"type": "Feature", "geometry": point(inside)},  # properties absent
        {"type": "Feature", "geometry": point(inside), "properties": None},
        {"type": "Feature", "id": 7, "geometry": point(inside), "properties": {"名": "点", "n": 1.5}},
        {
            "id": "a",
            "properties": {"grid_code": "mine", "x": [1, {"y": None}]},
            "geometry": point(inside),
            "type": "Feature",
        },
        {"type": "Feature", "geometry": {"coordinates": [*inside, 12.5], "type": "Point", "bbox": [1, 2, 3, 4]}},
        {"type": "Feature", "geometry": point(outside), "properties": {"k": "v"}},
        {"type": "Feature", "geometry": point(outside)},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": ["abc", 39]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [500, 10]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [116.0]}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": None}, "properties": {}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [inside, outside]}, "properties": {}},
        {"type": "Feature", "geometry": None, "properties": {"p": 1}},
        {"type": "Feature", "properties": "not an object"},
        "not a feature",
        None,
        [1, 2],
    ]


def test_geojson_bytes_equal_the_general_writer_on_mixed_features(index):
    points = _points(300)
    bulk = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": list(p)}} for p in points]
    data = json.dumps({"type": "FeatureCollection", "features": _mixed_features() + bulk}).encode()
    out = b"".join(batch_io.assign_geojson_bytes(index, batch_io.parse_geojson(data), None))
    assert out == _general_writer(index, batch_io.parse_geojson(data))
    codes = [f["properties"]["grid_code"] for f in json.loads(out)["features"]]
    assert codes[:6] == [codes[0]] * 6 and codes[0] is not None  # the first six are inside one grid
    assert codes[6:].count(None) >= 12 and len(set(codes)) >= 4


def test_geojson_bytes_equal_the_general_writer_with_integers_beyond_64_bits(index):
    features = _mixed_features() + [{"type": "Feature", "geometry": None, "properties": {"big": 2**70}}]
    # orjson reads such an integer as a float; the standard parser (NaN in the body, say) keeps it whole
    collection = json.loads(json.dumps({"type": "FeatureCollection", "features": features}))
    out = b"".join(batch_io.assign_geojson_bytes(index, collection, None))
    assert out == _general_writer(index, collection) and b'"big": 1180591620717411303424' in out


def test_gc_is_back_on_after_a_geojson_batch_whatever_its_end(index):
    import gc

    from gisgrid.errors import InvalidInput

    data = json.dumps({"type": "FeatureCollection", "features": _mixed_features()}).encode()
    assert gc.isenabled()
    whole = b"".join(batch_io.assign_geojson_body(index, data, None))
    assert gc.isenabled() and whole == b"".join(batch_io.assign_geojson_bytes(index, json.loads(data), None))
    for bad in (b"{not json", b'{"type": "Feature"}'):
        with pytest.raises(InvalidInput):
            next(batch_io.assign_geojson_body(index, bad, None))
        assert gc.isenabled()
    left = batch_io.assign_geojson_body(index, data, None)
    next(left)  # a client that goes away after the first piece: the server closes the stream
    assert not gc.isenabled()
    left.close()
    assert gc.isenabled()


def test_csv_suffixes_quote_as_csv_writer_does():
    grids = {
        1: ("A1", "甲村", 3),
        2: ("B,1", "乙村", 3),
        3: ("C", 'say "hi"', 2),
        4: ("D", "two\nlines", 1),
        5: ("E", " padded", 3),
        6: ("F", "padded ", 3),
        7: ("G", None, 3),
        8: ("H", "", None),
        9: ("I", "cr\rhere", 3),
    }
    assert batch._csv_suffixes(grids) == {gid: batch._csv_suffix((*grid, None)) for gid, grid in grids.items()}


def test_many_rows_outside_and_in_error_share_their_tails(index):
    rows = [f"{lon!r},{lat!r}" for lon, lat in _points(50)] + ["999,0", "abc,1", "116.0,39.0"] * 40
    body = ("lon,lat\n" + "\n".join(rows) + "\n").encode()
    out = _vectorised(index, body)
    assert out == _row_by_row(index, body) and out.count("经纬度超出范围".encode()) == 40
