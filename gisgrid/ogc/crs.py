"""The coordinate reference systems of /ogc (OGC API – Features Part 2): one declaration for handlers and OpenAPI.

CRS84 (lon, lat) is the default and the storage CRS. EPSG:4326 and EPSG:4490 (CGCS2000, the legal national
datum) are lat, lon as their EPSG definitions say, and so are the CGCS2000 3-degree Gauss–Krüger zones
EPSG:4513–4554 (northing, easting): Part 2 requires the CRS's own axis order, and pyproj tells it, so no
table of axis orders is kept by hand. PostGIS (spatial_ref_sys) does the transforms.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyproj
import shapely

from gisgrid.errors import InvalidInput

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
# CGCS2000 geographic, then the 3-degree Gauss–Krüger zones (4513–4533 with the zone number in the
# easting, 4534–4554 by central meridian); WGS 84 with its EPSG axis order for clients that ask for it
EPSG_CODES = (4326, 4490, *range(4513, 4555))
STORAGE_SRID = 4326


@dataclass(frozen=True)
class Crs:
    """One supported CRS: its URI, PostGIS srid, whether output is (y, x), and decimals worth sending."""

    uri: str
    srid: int
    swap: bool  # the CRS's first axis is north: coordinates go out (and bbox comes in) as lat,lon / N,E
    decimals: int  # 7 for degrees (~1 cm), 3 for metres (1 mm)


@cache
def _from_epsg(code: int) -> Crs:
    definition = pyproj.CRS.from_epsg(code)
    swap = definition.axis_info[0].direction.lower() == "north"
    return Crs(EPSG_URI.format(code), code, swap, 7 if definition.is_geographic else 3)


def supported() -> tuple[Crs, ...]:
    """Every CRS offered, CRS84 first (the default)."""
    return (Crs(CRS84, STORAGE_SRID, False, 7), *(_from_epsg(code) for code in EPSG_CODES))


def uris() -> list[str]:
    """The URIs of every CRS offered (collection ``crs``, OpenAPI enum)."""
    return [c.uri for c in supported()]


def by_uri(uri: str | None, param: str = "crs") -> Crs:
    """The CRS named by ``uri`` (also ``[EPSG:4490]``/``EPSG:4490`` safe-CURIE forms), else 400 naming ``param``."""
    if not uri:
        return supported()[0]
    key = uri.strip().strip("[]")
    if key.upper().startswith("EPSG:"):
        key = EPSG_URI.format(key[5:])
    key = key.replace("https://", "http://")
    for crs in supported():
        if crs.uri == key:
            return crs
    raise InvalidInput(f"{param}: 不支持的坐标系 {uri[:80]} (unsupported CRS; see the collection's crs list)")


def bbox_in_storage(bbox: tuple[float, ...], crs: Crs) -> tuple[float, float, float, float]:
    """A 4-number bbox in ``crs`` axis order → (xmin, ymin, xmax, ymax) in that CRS's x/y (east/north) order."""
    a, b, c, d = (bbox[0], bbox[1], bbox[3], bbox[4]) if len(bbox) == 6 else bbox
    return (b, a, d, c) if crs.swap else (a, b, c, d)


@cache
def _to_wgs84(srid: int) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(srid, STORAGE_SRID, always_xy=True)


def check_extent(crs: Crs, xmin: float, ymin: float, xmax: float, ymax: float, param: str) -> None:
    """400 naming ``param`` unless the x/y box is ordered and inside the domain of ``crs`` (PostGIS would fail)."""
    if xmin > xmax or ymin > ymax:
        raise InvalidInput(f"{param}: 最小值大于最大值 (lower corner above upper corner)")
    corners = [(xmin, ymin), (xmax, ymax), (xmin, ymax), (xmax, ymin)]
    if crs.srid != STORAGE_SRID:
        corners = [_to_wgs84(crs.srid).transform(x, y) for x, y in corners]
    if not all(math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90 for x, y in corners):
        raise InvalidInput(f"{param}: 坐标超出 {crs.uri.rsplit('/', 1)[-1]} 的范围 (outside the CRS's domain)")


def to_storage(geom, crs: Crs):
    """A shapely geometry given in ``crs`` (its own axis order) → CRS84 lon/lat (Part 4 writes, ``Content-Crs``)."""
    if crs.swap:
        geom = shapely.transform(geom, lambda xy: xy[:, ::-1])
    if crs.srid != STORAGE_SRID:
        to_wgs84 = _to_wgs84(crs.srid)
        geom = shapely.transform(geom, lambda xy: np.column_stack(to_wgs84.transform(xy[:, 0], xy[:, 1])))
    return geom
