"""A deployment far from Beijing: two grids in Ürümqi, Xinjiang (WGS84), for the maps' initial view."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from tests.worlds import grid

XINJIANG = (87.55, 43.78, 87.65, 43.85)  # west, south, east, north


def world_x_frame():
    """One county-level grid and two children covering XINJIANG."""
    west, south, east, north = XINJIANG
    middle = (west + east) / 2
    rows = [
        grid("X", "示例·乌鲁木齐测试区", 1, None, box(west, south, east, north)),
        grid("X1", "示例·西片", 2, "X", box(west, south, middle, north)),
        grid("X2", "示例·东片", 2, "X", box(middle, south, east, north)),
    ]
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
