"""Coordinate systems used in China: WGS84, CGCS2000, GCJ-02, BD-09 and any EPSG code.

GCJ-02 (AMap, Tencent) is WGS84 with a deliberate, non-invertible-in-closed-form
offset; BD-09 (Baidu) is GCJ-02 with a further rotation. The forward formulas are
public; the inverses here are found by fixed-point iteration on the forward
formula, which converges to far below a millimetre in a handful of steps. The
commonly copied one-step inverse (``2*p - forward(p)``) is off by up to ~1-2 m.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from gisgrid.errors import InvalidInput

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_INVERSE_TOLERANCE_DEG = 1e-10  # ~0.01 mm
_MAX_ITERATIONS = 30

NAMED_CRS = {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490", "gcj02": "gcj02", "bd09": "bd09"}


class CoordinateError(InvalidInput, ValueError):
    """Raised for a coordinate or CRS that cannot be used; the message says why."""


def out_of_china(lon, lat):
    """True where the point lies outside the box in which GCJ-02 applies an offset."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon, lat):
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """Forward GCJ-02 offset; points outside China are returned unchanged."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    outside = out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def wgs84_to_gcj02_xy(xy: np.ndarray) -> np.ndarray:
    """The GCJ-02 offset on an (n, 2) array of lon/lat, as ``shapely.transform`` wants it."""
    return np.column_stack(wgs84_to_gcj02(xy[:, 0], xy[:, 1]))


def gcj02_to_bd09(lon, lat):
    """Forward BD-09 transform of GCJ-02 coordinates."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def wgs84_to_bd09(lon, lat):
    """Forward WGS84 → BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def _invert(forward, lon, lat):
    """Solve forward(w) == (lon, lat) for w by fixed-point iteration."""
    target_lon, target_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = target_lon.copy(), target_lat.copy()
    for _ in range(_MAX_ITERATIONS):
        f_lon, f_lat = forward(w_lon, w_lat)
        d_lon, d_lat = f_lon - target_lon, f_lat - target_lat
        w_lon, w_lat = w_lon - d_lon, w_lat - d_lat
        if np.all(np.abs(d_lon) < _INVERSE_TOLERANCE_DEG) and np.all(np.abs(d_lat) < _INVERSE_TOLERANCE_DEG):
            break
    return w_lon, w_lat


def gcj02_to_wgs84(lon, lat):
    """Exact (sub-millimetre) inverse of the GCJ-02 offset."""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon, lat):
    """Exact inverse of the BD-09 rotation."""
    return _invert(gcj02_to_bd09, lon, lat)


def bd09_to_wgs84(lon, lat):
    """Exact inverse of WGS84 → BD-09."""
    return _invert(wgs84_to_bd09, lon, lat)


def parse_crs(name: str | None) -> str | CRS:
    """Return 'gcj02', 'bd09' or a pyproj CRS for a user-supplied CRS name; default WGS84."""
    # a JSON client may send a number or a list: refuse it here (a list is not even hashable for the cache)
    if name is not None and not isinstance(name, str):
        raise CoordinateError(f"crs must be a name such as wgs84 or EPSG:<code>, not {name!r}")
    return _parse_crs(name)


@lru_cache(maxsize=64)
def _parse_crs(name: str | None) -> str | CRS:
    key = (name or "wgs84").strip()
    alias = NAMED_CRS.get(key.lower())
    if alias in ("gcj02", "bd09"):
        return alias
    try:
        crs = CRS.from_user_input(alias or key)
    except CRSError:
        raise CoordinateError(f"unknown crs {key!r}: use wgs84, cgcs2000, gcj02, bd09 or EPSG:<code>") from None
    if crs.is_geocentric or crs.is_vertical:
        raise CoordinateError(f"crs {key!r} is not a horizontal 2-D CRS")
    return crs


def is_geographic(crs: str | CRS) -> bool:
    """True for lon/lat systems (including the Chinese offset datums)."""
    return isinstance(crs, str) or crs.is_geographic


_transformers: dict[str, Transformer | None] = {}


def _transformer(crs: CRS) -> Transformer | None:
    """The transformer to WGS84 lon/lat; None when PROJ's is a no-op (WGS84, CGCS2000 at this precision)."""
    # keyed by the CRS's WKT computed once: hashing or comparing pyproj CRS objects is slow
    key = crs.srs or crs.to_wkt()
    if key not in _transformers:
        transformer = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
        # PROJ returns a no-op's input unchanged: skipping the call gives the same numbers (a tenth of a lookup)
        _transformers[key] = None if transformer.definition.split(" ")[0] == "proj=noop" else transformer
    return _transformers[key]


def to_wgs84(x, y, crs: str | CRS):
    """Convert arrays of x/y (lon/lat for geographic CRSs) in ``crs`` to WGS84 lon/lat."""
    # isinstance first: comparing a pyproj CRS with a str parses the str as a CRS (~0.1 s)
    if isinstance(crs, str):
        return gcj02_to_wgs84(x, y) if crs == "gcj02" else bd09_to_wgs84(x, y)
    transformer = _transformer(crs)
    if transformer is None:
        return np.array(x, dtype=float), np.array(y, dtype=float)  # copies, as PROJ gives new arrays
    lon, lat = transformer.transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def point_to_wgs84(x: float, y: float, crs_name: str | None) -> tuple[float, float]:
    """Validate one input point and return it as WGS84 (lon, lat), or raise CoordinateError."""
    crs = parse_crs(crs_name)
    for label, value in (("x/lon", x), ("y/lat", y)):
        if not math.isfinite(value):
            raise CoordinateError(f"{label} must be a finite number")
    if is_geographic(crs) and not (-180 <= x <= 180 and -90 <= y <= 90):
        raise CoordinateError("lon must be within [-180, 180] and lat within [-90, 90]")
    lon, lat = (float(v) for v in to_wgs84(x, y, crs))
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise CoordinateError(f"point ({x}, {y}) is outside the area where {crs_name} is defined")
    return lon, lat


NOT_A_NUMBER = "须为数字 (must be a number)"
NOT_FINITE = "须为有限数字 (must be finite)"


def finite_number(value) -> float:
    """The one finite-number rule of request input: a number or numeric text → float, else ValueError saying why.

    ``true``/``false`` are refused (float(True) is 1.0: a checkbox sent by mistake is not a number), as are
    nan and ±inf. Schema fields (``contract.fields.FiniteNumber``) and the code that still reads raw JSON call it.
    """
    if isinstance(value, bool):
        raise ValueError(NOT_A_NUMBER)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(NOT_A_NUMBER) from None
    if not math.isfinite(number):
        raise ValueError(NOT_FINITE)
    return number


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    """``w,s,e,n`` (or the 3-D ``w,s,low,e,n,high`` of OGC, heights dropped) in WGS84 degrees → (w, s, e, n).

    ValueError naming the problem: not four (or six) numbers, or out of range.
    """
    try:
        values = [finite_number(v) for v in raw.split(",")]
    except ValueError:
        raise ValueError("应为 w,s,e,n 四个数字 (must be w,s,e,n)") from None
    if len(values) == 6:
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise ValueError("应为 w,s,e,n 四个数字 (must be w,s,e,n)")
    w, s, e, n = values
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise ValueError("超出范围 (out of range: -180 <= w <= e <= 180, -90 <= s <= n <= 90)")
    return w, s, e, n
