"""Messy coverages for the repair tests, drawn in metres around 盘锦 and stored in lon/lat.

Each grid is digitised "separately": shared edges are drawn with their own vertices and a few
metres off, the way real files are. Coordinates are metres east and north of 122°E / 41°N, mapped
linearly to lon/lat (so an edge straight in the drawing is straight in the stored lon/lat, as in a
file digitised in lon/lat).
"""

from __future__ import annotations

import geopandas as gpd
import shapely
from shapely.geometry import Polygon

ORIGIN = (0.0, 0.0)
_METRES_PER_DEGREE = (84_146.0, 111_052.0)  # at 41°N on GRS80 (longitude, latitude)


def poly(points, holes=()):
    """A polygon from (x, y) metres relative to ORIGIN."""
    shift = lambda ring: [(ORIGIN[0] + x, ORIGIN[1] + y) for x, y in ring]  # noqa: E731
    return Polygon(shift(points), [shift(h) for h in holes])


def lonlat(geom):
    """Metres (plane) → lon/lat."""
    return shapely.transform(geom, lambda xy: xy / _METRES_PER_DEGREE + (122.0, 41.0))


def frame(rows):
    """A normalised grid frame from (code, name, level, parent_code, geometry in metres) rows."""
    records = [
        {"code": c, "name": n, "level": lv, "parent_code": p, "source_index": i}
        for i, (c, n, lv, p, _) in enumerate(rows)
    ]
    geoms = [shapely.multipolygons(shapely.get_parts(lonlat(g))) for *_, g in rows]
    gdf = gpd.GeoDataFrame(records, geometry=geoms, crs="EPSG:4326")
    gdf.attrs["source_crs"] = "EPSG:4326"
    return gdf


def messy_county():
    """A county of two towns whose shared edge zig-zags ±2 m (gap and overlap), one town 3 m outside
    the county, an exclave of 甲镇 inside 乙镇 with a 2 m ring gap, and a lake (another top-level grid)
    in a hole of the county that 乙镇 traces 2 m off."""
    lake = [(1400, 300), (1700, 300), (1700, 600), (1400, 600)]
    lake_traced = [(1398, 298), (1702, 298), (1702, 602), (1398, 602)]
    island = [(1200, 700), (1300, 700), (1300, 800), (1200, 800)]
    island_hole = [(1198, 698), (1302, 698), (1302, 802), (1198, 802)]
    county = poly([(0, 0), (2000, 0), (2000, 1000), (0, 1000)], [lake])
    # 甲镇: its east edge runs from 2 m into 乙镇 (south) to 2 m short of it (north); its west edge 3 m outside
    west = poly([(-3, 0), (1002, 0), (1001, 250), (999, 750), (998, 1000), (-3, 1000)])
    east = poly(
        [(1000, 0), (2000, 0), (2000, 1000), (1000, 1000), (1000, 500)],
        [lake_traced, island_hole],
    )
    return frame(
        [
            ("210000", "县", 1, None, county),
            ("219999", "湖", 1, None, poly(lake)),
            ("210001", "甲镇", 2, "210000", shapely.union(west, poly(island))),
            ("210002", "乙镇", 2, "210000", east),
        ]
    )


def wide_gap_county():
    """Two towns 20 m apart (a real gap, wider than the default limit) and a town 30 m outside its county."""
    return frame(
        [
            ("220000", "县", 1, None, poly([(0, 0), (2000, 0), (2000, 1000), (0, 1000)])),
            ("220001", "甲镇", 2, "220000", poly([(-30, 0), (990, 0), (990, 1000), (-30, 1000)])),
            ("220002", "乙镇", 2, "220000", poly([(1010, 0), (2000, 0), (2000, 1000), (1010, 1000)])),
        ]
    )


def write_geojson(gdf, path):
    """A test frame as a GeoJSON file the importer reads."""
    gdf.drop(columns=["source_index"]).to_file(path, driver="GeoJSON", engine="pyogrio")
    return str(path)


def lonlat_point(x, y):
    """(lon, lat) of a point given in metres."""
    point = lonlat(shapely.Point(ORIGIN[0] + x, ORIGIN[1] + y))
    return point.x, point.y
