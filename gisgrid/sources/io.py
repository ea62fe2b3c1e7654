"""Reading and writing source tables: CSV, XLSX and GeoPackage."""

from __future__ import annotations

import csv
import os
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
from shapely.geometry import Point

from gisgrid.cells import safe_row
from gisgrid.errors import InvalidInput

FORMATS = (".csv", ".xlsx", ".gpkg")


def format_of(path: str) -> str:
    """The file's format from its extension, or InvalidInput."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInput(f"不支持的文件格式 {suffix or '(无扩展名)'}（CSV、XLSX 或 GeoPackage）")
    return suffix


def read_rows(path: str) -> list[tuple[int, dict]]:
    """(row number as a person sees it, raw values) for every data row of a CSV/XLSX/GeoPackage file."""
    kind = format_of(path)
    try:
        if kind == ".csv":
            return _read_csv(path)
        if kind == ".xlsx":
            return _read_xlsx(path)
        return _read_gpkg(path)
    except InvalidInput:
        raise
    except Exception as err:  # a corrupt file: say which and why, never a 500
        raise InvalidInput(f"无法读取文件：{type(err).__name__}: {err}") from None


def _clean_header(names) -> list[str]:
    return [str(n or "").strip().lower() for n in names]


def _read_csv(path: str) -> list[tuple[int, dict]]:
    # Excel in China saves CSV as GBK (GB18030 is its superset) unless told to use UTF-8
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with open(path, encoding=encoding, newline="") as handle:
                reader = csv.reader(handle)
                header = _clean_header(next(reader, []))
                return [
                    (n, dict(zip(header, row))) for n, row in enumerate(reader, start=2) if any(c.strip() for c in row)
                ]
        except UnicodeDecodeError:
            continue
    raise InvalidInput("CSV 编码无法识别（请使用 UTF-8 或 GBK）")


def _read_xlsx(path: str) -> list[tuple[int, dict]]:
    _check_xlsx_size(path)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = _clean_header(next(rows, ()))
        return [
            (n, dict(zip(header, row))) for n, row in enumerate(rows, start=2) if any(c not in (None, "") for c in row)
        ]
    finally:
        book.close()


MAX_XLSX_UNPACKED = 200 * 1024 * 1024


def _check_xlsx_size(path: str) -> None:
    # an .xlsx is a zip: refuse one that would expand past the limit (zip bomb) before openpyxl unpacks it
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        raise InvalidInput("XLSX 文件已损坏或不是 Excel 文件 (not a valid .xlsx)") from None
    if total > MAX_XLSX_UNPACKED:
        raise InvalidInput(
            f"XLSX 文件解压后超过 {MAX_XLSX_UNPACKED // 1024 // 1024} MB，拒绝读取 (xlsx too large unpacked)"
        )


def _read_gpkg(path: str) -> list[tuple[int, dict]]:
    frame = gpd.read_file(path)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geometry = frame.geometry.name
    frame.columns = [c if c == geometry else str(c).strip().lower() for c in frame.columns]
    if geometry != "geometry":
        frame = frame.rename_geometry("geometry")
    records = frame.to_dict("records")
    return [(n, {k: (None if _missing(v) else v) for k, v in rec.items()}) for n, rec in enumerate(records, start=1)]


def _missing(value) -> bool:
    return value is None or (
        not isinstance(value, (list, dict, Point)) and not hasattr(value, "geom_type") and pd.isna(value)
    )


def write_rows(path: str, rows: list[dict], columns: tuple[str, ...]) -> None:
    """Write rows (with 'lon'/'lat') to CSV/XLSX/GeoPackage, atomically (temporary file, then moved)."""
    kind = format_of(path)
    target = Path(path)
    fd, tmp = tempfile.mkstemp(suffix=kind, dir=target.parent or ".")
    os.close(fd)
    try:
        {".csv": _write_csv, ".xlsx": _write_xlsx, ".gpkg": _write_gpkg}[kind](tmp, rows, columns)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_csv(path: str, rows: list[dict], columns) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows([safe_row("" if r.get(c) is None else r.get(c) for c in columns) for r in rows])


def _write_xlsx(path: str, rows: list[dict], columns) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "sources"
    sheet.append(list(columns))
    for r in rows:
        sheet.append(safe_row(r.get(c) for c in columns))
    book.save(path)


def _write_gpkg(path: str, rows: list[dict], columns) -> None:
    os.unlink(path)  # GDAL creates the GeoPackage itself
    # the point is the geometry; a site polygon, when present, travels as WKT in site_wkt
    data = [{c: r.get(c) for c in columns} for r in rows]
    geoms = [Point(r["lon"], r["lat"]) for r in rows]
    frame = (
        gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326")
        if rows
        else gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs="EPSG:4326")
    )
    frame.to_file(path, layer="sources", driver="GPKG")
