"""Hand-drawn test deployments with obvious answers.

World "A/B" is drawn in EPSG:4528 (CGCS2000 3-degree Gauss–Krüger zone 40) in
metres from an origin, so that "0.5 m either side of an edge" is exact:

    y=1000 +---------A1 --------+------- A2 ---------+        +---- B ----+
           |  A1a      |  A1b   |        A2a         |        |           |
           |  +----+   |        |                    |        |           |
           |  |A2b |   |        |                    |        |           |
           |  +----+   |        |                    |        |           |
    y=0    +-----------+--------+--------------------+        +-----------+
          x=0         500     1000                 2000      3000       4000

A2b ([200,400]²) is an exclave of A2 sitting in a hole of A1 (and of A1a).
World "E" is drawn in WGS84 so that a point can lie exactly on an edge.
"""

from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon, box

X0, Y0 = 40_500_000.0, 4_400_000.0
PROJECTED = "EPSG:4528"
_to_wgs84 = Transformer.from_crs(PROJECTED, "EPSG:4326", always_xy=True)


def sq(x1, y1, x2, y2):
    """A box in world metres."""
    return box(X0 + x1, Y0 + y1, X0 + x2, Y0 + y2)


def wgs84(x, y):
    """World metres → WGS84 lon/lat."""
    return _to_wgs84.transform(X0 + x, Y0 + y)


def grid(code, name, level, parent, geom, **extra):
    row = {
        "code": code,
        "name": name,
        "level": level,
        "parent_code": parent,
        "entity": f"{name}责任主体",
        "leader": f"示例·{name}负责人",
        "leader_title": "主任",
        "leader_phone": "199-0000-0000",
        "contact_phone": f"010-5555-{level:04d}",
        "duties": f"{name}环境监管职责",
        "sample_data": True,
        "geometry": geom,
    }
    row.update(extra)
    return row


def world_ab_rows():
    hole = sq(200, 200, 400, 400)
    a1a = Polygon(sq(0, 0, 500, 1000).exterior.coords, [hole.exterior.coords])
    a1b, a2a = sq(500, 0, 1000, 1000), sq(1000, 0, 2000, 1000)
    # parents are the union of their children, so they share every vertex (as real data does);
    # otherwise a straight projected edge bends differently once reprojected
    a1 = shapely.union_all([a1a, a1b])
    a2 = MultiPolygon([a2a, hole])
    staff = (
        '[{"name": "示例·网格员甲", "role": "网格员", "phone": "199-0000-0001", "phone_public": true},'
        ' {"name": "示例·监督员乙", "role": "监督员", "phone": "199-0000-0002", "phone_public": false}]'
    )
    return [
        grid("A", "甲县", 1, None, shapely.union_all([a1a, a1b, a2a, hole])),
        grid("A1", "甲一镇", 2, "A", a1),
        grid("A2", "甲二镇", 2, "A", a2),
        grid("A1a", "甲一镇东村", 3, "A1", a1a, staff=staff),
        grid("A1b", "甲一镇西村", 3, "A1", a1b),
        grid("A2a", "甲二镇本村", 3, "A2", a2a),
        grid("A2b", "甲二镇飞地村", 3, "A2", hole),
        grid("B", "乙县", 1, None, sq(3000, 0, 4000, 1000)),
    ]


def world_ab_frame():
    return gpd.GeoDataFrame(world_ab_rows(), geometry="geometry", crs=PROJECTED)


def world_e_frame():
    rows = [
        grid("E", "戊区", 1, None, box(116.0, 39.0, 116.02, 39.01)),
        grid("E1", "戊一街道", 2, "E", box(116.0, 39.0, 116.01, 39.01)),
        grid("E2", "戊二街道", 2, "E", box(116.01, 39.0, 116.02, 39.01)),
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def write(frame, path):
    """Write a test frame to a file the importer reads (GeoPackage keeps the CRS)."""
    frame.to_file(path, driver="GPKG" if str(path).endswith(".gpkg") else "GeoJSON", engine="pyogrio")
    return str(path)


def write_shapefile_zip(frame, tmp_path, name="grids", arcdir=""):
    """A zipped shapefile of a test frame (its parts under ``arcdir`` in the archive)."""
    folder = tmp_path / f"shp_{name}"
    folder.mkdir()
    frame.to_file(folder / f"{name}.shp", engine="pyogrio")
    archive = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, arcdir + part.name)
    return archive


def write_geojson(tmp_path, features, name="raw.geojson", **top):
    """A FeatureCollection of raw GeoJSON features (``top``: extra top-level members such as crs)."""
    path = tmp_path / name
    path.write_text(
        json.dumps({"type": "FeatureCollection", **top, "features": features}, ensure_ascii=False), encoding="utf-8"
    )
    return str(path)
