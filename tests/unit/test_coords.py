"""GCJ-02 / BD-09 conversions and CRS parsing (no database)."""

import numpy as np
import pytest
from pyproj import Geod

from gisgrid import coords

GEOD = Geod(ellps="WGS84")
# (wgs lat, wgs lon, gcj lat, gcj lon): published test vectors of the eviltransform project
VECTORS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


def metres(lon1, lat1, lon2, lat2):
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


@pytest.mark.parametrize("wlat,wlon,glat,glon", VECTORS)
def test_forward_gcj02_matches_published_vectors(wlat, wlon, glat, glon):
    lon, lat = coords.wgs84_to_gcj02(wlon, wlat)
    assert metres(lon, lat, glon, glat) < 0.001


@pytest.mark.parametrize("wlat,wlon,glat,glon", VECTORS)
def test_inverse_gcj02_is_well_under_a_metre(wlat, wlon, glat, glon):
    lon, lat = coords.gcj02_to_wgs84(glon, glat)
    assert metres(lon, lat, wlon, wlat) < 0.01


def test_inverse_beats_the_one_step_approximation_everywhere_in_china():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(73, 135, 20_000), rng.uniform(18, 53, 20_000)
    glon, glat = coords.wgs84_to_gcj02(lon, lat)
    back_lon, back_lat = coords.gcj02_to_wgs84(glon, glat)
    exact = GEOD.inv(back_lon, back_lat, lon, lat)[2]
    naive_lon, naive_lat = (
        2 * glon - coords.wgs84_to_gcj02(glon, glat)[0],
        2 * glat - coords.wgs84_to_gcj02(glon, glat)[1],
    )
    naive = GEOD.inv(naive_lon, naive_lat, lon, lat)[2]
    assert exact.max() < 0.001  # sub-millimetre
    assert naive.max() > 1.0  # the usual one-step inverse is metres off (4.3 m here)


def test_bd09_round_trip():
    lon, lat = 116.3913, 39.9075
    blon, blat = coords.wgs84_to_bd09(lon, lat)
    assert metres(blon, blat, lon, lat) > 500  # BD-09 offset is large in Beijing
    back = coords.bd09_to_wgs84(blon, blat)
    assert metres(*back, lon, lat) < 0.001


def test_outside_china_is_unchanged():
    assert tuple(map(float, coords.wgs84_to_gcj02(2.35, 48.85))) == (2.35, 48.85)
    assert tuple(map(float, coords.gcj02_to_wgs84(2.35, 48.85))) == (2.35, 48.85)


def test_projected_gauss_kruger_point():
    lon, lat = coords.point_to_wgs84(40_500_000, 4_400_000, "EPSG:4528")
    assert lon == pytest.approx(120.0, abs=1e-9)
    assert lat == pytest.approx(39.734, abs=1e-3)


@pytest.mark.parametrize("name", ["mars", "EPSG:999999", "EPSG:4978", ""])
def test_unknown_or_unusable_crs(name):
    with pytest.raises(coords.CoordinateError):
        coords.point_to_wgs84(116, 39, name or "   ")


@pytest.mark.parametrize("x,y", [(181, 0), (0, 91), (float("nan"), 0), (0, float("inf"))])
def test_out_of_range_geographic(x, y):
    with pytest.raises(coords.CoordinateError):
        coords.point_to_wgs84(x, y, "wgs84")
