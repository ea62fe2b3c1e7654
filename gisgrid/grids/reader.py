"""Read a grid boundary file (GeoJSON, Shapefile, zipped Shapefile, GeoPackage).

The result is always WGS84 (EPSG:4326) with the standard columns of
``gisgrid.grids.fields.OUTPUT_COLUMNS``. Nothing is repaired or dropped here:
invalid geometries and bad cell values are kept as they are so that
``gisgrid.grids.validation`` can report every one of them with its feature.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from gisgrid import coords
from gisgrid.errors import InvalidInput
from gisgrid.grids import fields

FORMATS = {".geojson": "geojson", ".json": "geojson", ".shp": "shp", ".zip": "zip", ".gpkg": "gpkg"}
MAX_ZIP_BYTES = 2 * 1024**3
MAX_ZIP_RATIO = 200  # shapefiles compress ~3-10×; a member expanding 200× its stored size is a zip bomb
MAX_VERTICES = int(os.environ.get("GISGRID_MAX_VERTICES", "5000000"))
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
WGS84 = CRS.from_epsg(4326)
_GEOJSON_HEAD_BYTES = 1 << 20
_POLYGON = 3  # shapely type id


def read_grids(
    path: str, layer: str | None = None, crs: str | None = None, field_map: dict[str, str] | None = None
) -> gpd.GeoDataFrame:
    """Read a boundary file into the standard grid schema in EPSG:4326."""
    requested = parse_requested_crs(crs)
    raw, kind = read_features(path, layer)
    columns, problems = fields.resolve_columns(list(raw.columns.drop("geometry", errors="ignore")), field_map)
    if problems:
        raise InvalidInput("；".join(problems), details={"columns": _found_columns(raw)})
    if len(raw) == 0:
        return _empty_frame()  # the importer, not the reader, decides what an empty file means
    _require_columns(raw, columns)
    geometry, source = geometry_in_wgs84(raw, path, kind, requested)
    _check_vertices(geometry)
    geometry = _to_multipolygons(geometry)
    frame = gpd.GeoDataFrame(_normalise(raw, columns), geometry=geometry, crs="EPSG:4326")
    # validation checks topology in the plane the grids were drawn in (see topology.py)
    frame.attrs["source_crs"] = source if isinstance(source, str) else source.to_string()
    return frame


def read_features(path: str, layer: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """The file's features as stored, in any supported format (a zip is checked before extracting), and its kind."""
    kind = _format_of(path)
    if kind == "zip":
        with tempfile.TemporaryDirectory(prefix="gisgrid-zip-") as tmp:
            return _read_frame(_extract_shapefile(path, layer, tmp), None, Path(path).name), kind
    return _read_frame(path, _pick_layer(path, layer), Path(path).name), kind


def geometry_in_wgs84(raw: gpd.GeoDataFrame, path: str, kind: str, requested) -> tuple[np.ndarray, object]:
    """The features' geometries moved to 2-D WGS84 lon/lat, and the CRS they were in (file or --crs)."""
    source = _resolve_crs(
        _declared_crs(raw, path, kind), requested, Path(path).name, WGS84 if kind == "geojson" else None
    )
    geometry = _geometry_to_wgs84(np.asarray(raw.geometry.array), source)
    _check_lonlat_range(geometry, source)
    return geometry, source


def parse_requested_crs(name: str | None):
    """The CRS given with --crs (None when not given), or InvalidInput."""
    if name is None or not str(name).strip():
        return None
    try:
        return coords.parse_crs(str(name).strip())
    except coords.CoordinateError as exc:
        raise InvalidInput(f"无法识别的坐标系 --crs {name} ({exc})") from None


def _format_of(path: str) -> str:
    if not os.path.exists(path):
        raise InvalidInput(f"文件不存在：{path} (file not found)")
    if os.path.isdir(path):
        raise InvalidInput(f"{path} 是目录，请指定文件 (a directory, not a file)")
    kind = FORMATS.get(Path(path).suffix.lower())
    if kind is None:
        raise InvalidInput(
            f"不支持的文件类型 {Path(path).suffix or '（无扩展名）'}，支持 {', '.join(FORMATS)} (unsupported file type)"
        )
    return kind


def _read_frame(path: str, layer: str | None, label: str):
    try:
        with warnings.catch_warnings():
            # geopandas leaves unparsable JSON-typed columns as text; fields.py parses them itself
            warnings.filterwarnings("ignore", message="Could not parse column", category=UserWarning)
            return gpd.read_file(path, layer=layer, engine="pyogrio")
    except Exception as exc:  # GDAL reports damaged files with many exception types; show its reason
        raise InvalidInput(f"无法读取文件 {label}：{_reason(exc, path)} (cannot read file)") from None


def _reason(exc: Exception, path) -> str:
    """GDAL's message without the server-side path it starts with (an upload's temp directory is private)."""
    text, full = str(exc), str(path)
    return text.replace(full, Path(full).name).replace(str(Path(full).parent) + "/", "")


def _pick_layer(path: str, layer: str | None) -> str | None:
    """The layer to read: the one asked for, or the only spatial layer."""
    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:  # same reason as _read_frame
        raise InvalidInput(f"无法读取文件 {Path(path).name}：{_reason(exc, path)} (cannot read file)") from None
    names = [str(name) for name, _ in listed]
    spatial = [str(name) for name, geometry_type in listed if geometry_type is not None]
    if layer is not None:
        if layer not in names:
            raise InvalidInput(
                f"图层 {layer} 不存在，文件中的图层：{', '.join(names)} (layer {layer} not found)",
                details={"layers": names},
            )
        return layer
    if len(spatial) > 1:
        raise InvalidInput(
            f"文件包含多个图层，请用 --layer 指定其一：{', '.join(spatial)} (several layers, choose one with --layer)",
            details={"layers": spatial},
        )
    return spatial[0] if spatial else None


def _unsafe_member(name: str) -> bool:
    posix = name.replace("\\", "/")
    return posix.startswith("/") or re.match(r"^[A-Za-z]:", posix) is not None or ".." in PurePosixPath(posix).parts


def _open_zip(path: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidInput(f"压缩包损坏或无法打开：{Path(path).name} ({exc})") from None


def _check_zip(archive: zipfile.ZipFile, label: str) -> None:
    """Refuse path traversal and zip bombs before anything is extracted."""
    unsafe = [info.filename for info in archive.infolist() if _unsafe_member(info.filename)]
    if unsafe:
        raise InvalidInput(
            f"压缩包 {label} 含有不安全的路径：{', '.join(unsafe[:5])} (unsafe member paths: absolute or '..')",
            details={"members": unsafe},
        )
    bombs = [
        i.filename
        for i in archive.infolist()
        if i.file_size > 1024 * 1024 and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1)
    ]
    if bombs:
        raise InvalidInput(
            f"压缩包 {label} 的压缩比异常（超过 {MAX_ZIP_RATIO} 倍），疑似压缩炸弹：{', '.join(bombs[:5])} "
            f"(compression ratio too high)"
        )
    total = sum(info.file_size for info in archive.infolist())
    if total > MAX_ZIP_BYTES:
        raise InvalidInput(
            f"压缩包 {label} 解压后共 {total} 字节，超过上限 {MAX_ZIP_BYTES} 字节 (uncompressed size exceeds the limit)"
        )


def _shapefile_members(archive: zipfile.ZipFile, layer: str | None, label: str) -> list[zipfile.ZipInfo]:
    """The members making up the one shapefile to read (chosen by ``layer`` if several)."""
    infos = [
        i
        for i in archive.infolist()
        if not i.is_dir() and "__MACOSX" not in i.filename and not PurePosixPath(i.filename).name.startswith("._")
    ]
    shps = [i for i in infos if i.filename.lower().endswith(".shp")]
    stems = [PurePosixPath(i.filename).stem for i in shps]
    if layer is not None:
        shps = [i for i, stem in zip(shps, stems) if layer in (stem, i.filename)]
        if not shps:
            raise InvalidInput(
                f"压缩包 {label} 中没有图层 {layer}，可用：{', '.join(stems) or '无'} (layer not found)",
                details={"layers": stems},
            )
    if not shps:
        raise InvalidInput(
            f"压缩包 {label} 中没有 .shp 文件 (no .shp file in the zip)",
            details={"members": [i.filename for i in infos][:50]},
        )
    if len(shps) > 1:
        raise InvalidInput(
            f"压缩包 {label} 中有多个 Shapefile，请用 --layer 指定其一：{', '.join(stems)} "
            f"(several shapefiles, choose one with --layer)",
            details={"layers": stems},
        )
    base = shps[0].filename[:-4].lower()
    return [i for i in infos if i.filename.lower()[:-4] == base and i.filename.lower()[-4:] in SHAPEFILE_PARTS]


def _extract_shapefile(path: str, layer: str | None, target_dir: str) -> str:
    """Extract the shapefile's parts under fixed names; return the .shp path."""
    label = Path(path).name
    with _open_zip(path) as archive:
        _check_zip(archive, label)
        # fixed names: member names may be in any encoding and must never become paths
        try:
            for info in _shapefile_members(archive, layer, label):
                target = os.path.join(target_dir, "grids" + info.filename[-4:].lower())
                with archive.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise InvalidInput(f"压缩包损坏，无法解压：{label} ({exc})") from None
    return os.path.join(target_dir, "grids.shp")


def _found_columns(raw) -> list[str]:
    return [str(c) for c in raw.columns if c != "geometry"]


def _require_columns(raw, columns: dict[str, str]) -> None:
    missing = [field for field in fields.REQUIRED if field not in columns]
    if not isinstance(raw, gpd.GeoDataFrame) or raw.geometry.name not in raw.columns:
        missing.append("geometry")
    if missing:
        found = _found_columns(raw)
        raise InvalidInput(
            f"缺少必需字段 {', '.join(missing)} (missing required fields: {', '.join(missing)})；"
            f"文件中的字段：{', '.join(found) or '无'} (columns found)；"
            f"字段名不同时请用 --map 指定，例如 --map code=XZQDM",
            details={"missing": missing, "columns": found},
        )


def _geojson_declares_crs(path: str) -> bool:
    """Whether the top-level GeoJSON object has a ``crs`` member before its features."""
    with open(path, "rb") as handle:
        head = handle.read(_GEOJSON_HEAD_BYTES)
    crs_at, features_at = head.find(b'"crs"'), head.find(b'"features"')
    return crs_at >= 0 and (features_at < 0 or crs_at < features_at)


def _declared_crs(raw, path: str, kind: str) -> CRS | None:
    declared = raw.crs
    # GDAL reports WGS84 for every GeoJSON without a crs member; only a real one counts
    if kind == "geojson" and declared is not None and _same_crs(declared, WGS84) and not _geojson_declares_crs(path):
        return None
    return declared


def _same_crs(a: CRS, b: CRS) -> bool:
    if a.equals(b, ignore_axis_order=True):
        return True
    epsg_a, epsg_b = a.to_epsg(min_confidence=70), b.to_epsg(min_confidence=70)
    return epsg_a is not None and epsg_a == epsg_b


def _crs_label(crs) -> str:
    if isinstance(crs, str):
        return crs.upper()
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg} {crs.name}" if epsg else crs.name


def _lonlat_datum(crs: CRS) -> bool:
    """WGS84 or CGCS2000 lon/lat: the only thing a file can say about GCJ-02/BD-09 data."""
    return crs.is_geographic and any(_same_crs(crs, CRS.from_epsg(code)) for code in (4326, 4490))


def _resolve_crs(declared: CRS | None, requested, label: str, default: CRS | None):
    """The CRS the coordinates are in; an explicit --crs never silently overrides the file."""
    if requested is None:
        if declared is not None or default is not None:
            return declared if declared is not None else default
        raise InvalidInput(
            f"文件 {label} 没有声明（可识别的）坐标系，请用 --crs 指定，例如 --crs EPSG:4528 或 "
            f"--crs cgcs2000 (the file declares no CRS; pass --crs)"
        )
    if declared is None:
        return requested
    if isinstance(requested, str) and _lonlat_datum(declared):
        return requested  # offset datums are stored under a WGS84/CGCS2000 label by every GIS
    if not isinstance(requested, str) and _same_crs(declared, requested):
        return declared
    raise InvalidInput(
        f"文件 {label} 声明的坐标系 {_crs_label(declared)} 与 --crs 指定的 {_crs_label(requested)} 不一致，"
        f"请确认哪个正确后修正文件或去掉 --crs (the file declares a different CRS than --crs)",
        details={"declared": _crs_label(declared), "requested": _crs_label(requested)},
    )


def _geometry_to_wgs84(geoms: np.ndarray, source) -> np.ndarray:
    """Move every vertex to WGS84 lon/lat, dropping Z (the database stores 2-D)."""
    if not isinstance(source, str) and _same_crs(source, WGS84):
        return shapely.force_2d(geoms)

    def convert(xy: np.ndarray) -> np.ndarray:
        return np.column_stack(coords.to_wgs84(xy[:, 0], xy[:, 1], source))

    return shapely.transform(geoms, convert)


def _check_vertices(geoms: np.ndarray) -> None:
    # validation and topology are quadratic-ish in vertices: refuse a huge file before they run
    total = int(shapely.get_num_coordinates(geoms).sum())
    if total > MAX_VERTICES:
        raise InvalidInput(
            f"边界文件共有 {total} 个顶点，超过上限 {MAX_VERTICES}（GISGRID_MAX_VERTICES） (too many vertices)"
        )


def _check_lonlat_range(geoms: np.ndarray, source) -> None:
    """Coordinates off the globe after conversion mean the CRS (declared or given) is wrong."""
    xy, rows = shapely.get_coordinates(geoms, return_index=True)
    off = ~np.isfinite(xy).all(axis=1) | (np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90)
    if off.any():
        bad = np.unique(rows[off]).tolist()
        raise InvalidInput(
            f"{len(bad)} 个要素的坐标按 {_crs_label(source)} 换算后超出经纬度范围（如要素 "
            f"#{', #'.join(map(str, bad[:5]))}），坐标系很可能声明或指定错误 "
            f"(coordinates fall outside lon/lat range: wrong CRS?)",
            details={"source_indexes": bad[:100]},
        )
    _check_area_of_use(xy, rows, source)


AREA_MARGIN_DEG = 1.0  # real boundaries poke a little past a zone's edge; a wrong zone is 3° or more off


def _check_area_of_use(xy: np.ndarray, rows: np.ndarray, source) -> None:
    """A projected CRS with the wrong zone still gives valid lon/lat, but outside where that CRS is used."""
    area = getattr(source, "area_of_use", None) if isinstance(source, CRS) and source.is_projected else None
    if area is None or not len(xy):
        return
    m = AREA_MARGIN_DEG
    off = (
        (xy[:, 0] < area.west - m)
        | (xy[:, 0] > area.east + m)
        | (xy[:, 1] < area.south - m)
        | (xy[:, 1] > area.north + m)
    )
    if off.any():
        bad = np.unique(rows[off]).tolist()
        raise InvalidInput(
            f"{len(bad)} 个要素按 {_crs_label(source)} 换算后落在该坐标系的适用范围（经度 {area.west:g}–{area.east:g}°，"
            f"纬度 {area.south:g}–{area.north:g}°）之外（如要素 #{', #'.join(map(str, bad[:5]))}），"
            f"很可能是投影带号或坐标系错误 (coordinates fall outside the CRS's area of use: wrong zone or CRS?)",
            details={"source_indexes": bad[:100]},
        )


def _to_multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Wrap non-empty Polygons as MultiPolygons; other types are left for validation."""
    result = np.array(geoms, dtype=object)
    polygons = (shapely.get_type_id(result) == _POLYGON) & ~shapely.is_empty(result)
    if polygons.any():
        result[polygons] = shapely.multipolygons(result[polygons], indices=np.arange(polygons.sum()))
    return result


def _keep_raw(convert, value):
    """Converted value, or the raw one for validation to report when it cannot be converted."""
    try:
        return convert(value)
    except ValueError:
        return value


def _column(raw, columns: dict[str, str], field: str) -> list:
    return list(raw[columns[field]]) if field in columns else [None] * len(raw)


def _normalise(raw, columns: dict[str, str]) -> dict[str, pd.Series]:
    """Standard columns (all but geometry) from the file's columns."""
    out = {}
    # object dtype keeps None for empty cells (pandas would otherwise infer str with NaN)
    for field in fields.CODE_FIELDS:
        out[field] = pd.Series([fields.to_text(v, code=True) for v in _column(raw, columns, field)], dtype=object)
    for field in fields.TEXT_FIELDS:
        out[field] = pd.Series([fields.to_text(v) for v in _column(raw, columns, field)], dtype=object)
    out["level"] = _maybe_typed([_keep_raw(fields.to_level, v) for v in _column(raw, columns, "level")], int)
    for field, default in fields.BOOL_DEFAULTS.items():
        values = [_keep_raw(lambda v, d=default: fields.to_bool(v, d), v) for v in _column(raw, columns, field)]
        out[field] = _maybe_typed(values, bool)
    out["staff"] = pd.Series([_keep_raw(fields.parse_staff, v) for v in _column(raw, columns, "staff")], dtype=object)
    out[fields.KIND] = pd.Series(
        [_keep_raw(fields.to_kind, v) for v in _column(raw, columns, fields.KIND)], dtype=object
    )
    out["source_index"] = pd.Series(np.arange(len(raw), dtype=np.int64))
    return {name: out[name] for name in fields.OUTPUT_COLUMNS if name != "geometry"}


def _maybe_typed(values: list, kind: type) -> pd.Series:
    """A typed column when every value converted, else an object column holding the raw ones."""
    if all(type(v) is kind for v in values):
        return pd.Series(values, dtype="int64" if kind is int else "bool")
    return pd.Series(values, dtype=object)


def _empty_frame() -> gpd.GeoDataFrame:
    data = {name: pd.Series([], dtype=object) for name in fields.OUTPUT_COLUMNS if name != "geometry"}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs="EPSG:4326"), crs="EPSG:4326")
