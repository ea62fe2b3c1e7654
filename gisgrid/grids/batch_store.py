"""The prepared batch index on disk: built once per version and content, then loaded by every process.

Building a ``PartIndex`` reads every lookup part's geometry from PostgreSQL (~230 MB of WKB at 100,000
grids, 14.5 million vertices) and paints its cells; loading the file instead skips both, which is what lets ``gisgrid grids
assign`` and each worker start in seconds. A file is named by the database, the version and a
fingerprint of the version's parts (``sql/part_fingerprint.sql``), so a file made from other parts is
never found; a file that cannot be read whole, or whose arrays do not match their recorded CRC32s and
shapes, is rebuilt and replaced, never trusted.
"""

from __future__ import annotations

import logging
import os
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy.orm import Session

from gisgrid.grids import batch, cells
from gisgrid.grids import versions as grid_versions
from gisgrid.sqlfiles import statement

FORMAT = 2  # bump when the file's layout or the cells' meaning changes: older files are then not found
_PKG = "gisgrid.grids"
# the parts as shapely's ragged arrays (coordinates + offsets): read back 5x faster than WKB
_ARRAYS = (
    "grid_ids",
    "levels",
    "code_rank",
    "geom_type",
    "coords",
    "offsets0",
    "offsets1",
    "offsets2",
    "cells",
    "frame",
)
log = logging.getLogger(__name__)
_NPY_HEADERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}


def fingerprint(session: Session, version_id: int) -> str:
    """A text that changes whenever any lookup part of the version is added, removed or updated."""
    row = session.execute(statement(_PKG, "part_fingerprint.sql"), {"version_id": version_id}).one()
    return f"{row.parts}-{abs(int(row.total)):x}-{int(row.mixed) & (2**64 - 1):x}"


def path_for(cache_dir: str, key: grid_versions.VersionKey, digest: str) -> Path:
    """Where the prepared index of this database, version and content lives."""
    name = f"f{FORMAT}-db{key.database}-v{key.version_id}-{digest}.npz"
    return Path(cache_dir).resolve() / "batch-index" / name


def load_or_build(session: Session, version: grid_versions.Version, cache_dir: str) -> batch.PartIndex:
    """The version's index from its file when the file is sound; otherwise built now and written."""
    path = path_for(cache_dir, version.key, fingerprint(session, version.id))
    index = load(session, version.id, path)
    if index is None:
        index = batch.build_index(session, version.id)
        try:
            save(index, path)
        except (OSError, ValueError) as err:  # a read-only or full disk, odd geometries: speed lost, not answers
            log.warning("batch index not written to %s: %s", path, err)
    return index


def save(index: batch.PartIndex, path: Path) -> None:
    """Write the index atomically (a reader sees the old file or the whole new one), dropping stale files."""
    geoms = np.empty(len(index.grid_ids), dtype=object)
    for tree, numbers in index.trees:
        geoms[numbers] = tree.geometries
    geom_type, coords, offsets = shapely.to_ragged_array(geoms)  # raises for a geometry collection: not kept
    offsets = (*offsets, *([np.empty(0, dtype=np.int64)] * (3 - len(offsets))))
    grid = index.cells
    arrays = {
        "grid_ids": index.grid_ids,
        "levels": index.levels,
        "code_rank": index.code_rank,
        "geom_type": np.asarray([int(geom_type), len(geoms)], dtype=np.int64),
        "coords": coords,
        **{f"offsets{i}": np.asarray(o, dtype=np.int64) for i, o in enumerate(offsets)},
        "cells": grid.cells if grid is not None else np.empty((0, 0), dtype=np.int32),
        "frame": np.asarray([grid.x0, grid.y0, grid.dx, grid.dy] if grid is not None else [], dtype=float),
    }
    arrays["crc"] = np.asarray([_crc(arrays[name]) for name in _ARRAYS], dtype=np.int64)
    arrays["name"] = np.asarray(path.name)  # a sound file copied under another name is still not trusted
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as out:
        np.savez(out, **arrays)
    os.replace(tmp, path)
    _prune(path, index.version_id)


def _prune(path: Path, version_id: int) -> None:
    """Drop the same version's older content and all but the newest file of other versions (~300 MB each)."""
    database = path.name.split("-v")[0]
    others = []
    for old in path.parent.glob(database + "-v*.npz"):
        if old == path:
            continue
        if old.name.startswith(f"{database}-v{version_id}-"):
            old.unlink(missing_ok=True)
        else:
            others.append(old)
    # the newest other version is kept: workers may still serve it while the new one is taken up
    for old in sorted(others, key=lambda p: p.stat().st_mtime)[:-1]:
        old.unlink(missing_ok=True)


def load(session: Session, version_id: int, path: Path) -> batch.PartIndex | None:
    """The index stored at ``path``, or None when it is missing, unreadable or fails its checks."""
    arrays = _read(path)
    return None if arrays is None else _index(session, version_id, arrays)


def prepare(session: Session, version: grid_versions.Version, cache_dir: str, progress) -> dict:
    """Write the version's file unless a sound one is there (the job started at publication); → what was done.

    ``progress(done, total, message)`` reports the steps: checking the file, building, writing.
    """
    path = path_for(cache_dir, version.key, fingerprint(session, version.id))
    progress(0, 3, "正在检查批量索引文件 (checking the prepared file)")
    if _read(path) is not None:
        return {"version_id": version.id, "file": path.name, "built": False}
    progress(1, 3, "正在构建批量索引 (building the batch index)")
    index = batch.build_index(session, version.id)
    progress(2, 3, "正在写入批量索引文件 (writing the prepared file)")
    save(index, path)
    return {"version_id": version.id, "file": path.name, "built": True}


def _read(path: Path) -> dict | None:
    """The arrays stored at ``path`` when the file is whole, named as it is and passes its checks; else None."""
    try:
        arrays = _mapped(path)
    except FileNotFoundError:
        return None
    except Exception as err:  # truncated, not a zip, a missing array: whatever it is, rebuild
        log.warning("batch index %s unreadable, rebuilding: %s", path, err)
        return None
    if str(arrays["name"]) != path.name or not _sound(arrays):
        log.warning("batch index %s fails its checks, rebuilding", path)
        return None
    return arrays


def _mapped(path: Path) -> dict[str, np.ndarray]:
    """The file's arrays, memory-mapped (read-only) where np.savez stored them uncompressed: nothing is copied.

    The file is only ever replaced whole (``os.replace``), never rewritten in place, so a mapping an index
    keeps stays valid; a stored array that cannot be mapped is read as ``np.load`` reads it.
    """
    arrays = {}
    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        for name in (*_ARRAYS, "crc", "name"):
            info = archive.getinfo(f"{name}.npy")
            arrays[name] = _mapped_member(path, raw, info) if info.compress_type == zipfile.ZIP_STORED else None
            if arrays[name] is None:
                with archive.open(info) as member:
                    arrays[name] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays


def _mapped_member(path: Path, raw, info: zipfile.ZipInfo) -> np.ndarray | None:
    """One stored ``.npy`` member mapped at its offset in the zip; None for an empty or odd one."""
    raw.seek(info.header_offset)
    local = raw.read(30)  # the local file header: its name and extra field lengths end it
    if len(local) != 30 or local[:4] != b"PK\x03\x04":
        raise ValueError(f"{info.filename}: no local header")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    raw.seek(info.header_offset + 30 + name_len + extra_len)
    header = _NPY_HEADERS.get(np.lib.format.read_magic(raw))
    if header is None:
        return None  # a newer .npy header: np.load reads it
    shape, fortran, dtype = header(raw)
    if dtype.hasobject:
        raise ValueError(f"{info.filename}: object arrays are never loaded")
    if not shape or 0 in shape:
        return None  # a scalar or an empty array: np.load reads it (mmap cannot map zero bytes)
    mapped = np.memmap(path, dtype=dtype, mode="r", offset=raw.tell(), shape=shape, order="F" if fortran else "C")
    return mapped.view(np.ndarray)  # a plain array over the mapping: results of arithmetic are plain too


def _sound(arrays: dict) -> bool:
    crc = arrays["crc"]
    if len(crc) != len(_ARRAYS) or any(_crc(arrays[name]) != int(c) for name, c in zip(_ARRAYS, crc)):
        return False
    n = len(arrays["grid_ids"])
    return (
        len(arrays["levels"]) == n == len(arrays["code_rank"])
        and len(arrays["geom_type"]) == 2
        and int(arrays["geom_type"][1]) == n
        and arrays["coords"].ndim == 2
        and arrays["cells"].ndim == 2
        and len(arrays["frame"]) in (0, 4)
        and (arrays["cells"].size == 0 or int(arrays["cells"].max()) < n)
    )


def _index(session: Session, version_id: int, arrays: dict) -> batch.PartIndex | None:
    offsets = tuple(arrays[f"offsets{i}"] for i in range(3) if len(arrays[f"offsets{i}"]))
    try:
        geoms = shapely.from_ragged_array(shapely.GeometryType(int(arrays["geom_type"][0])), arrays["coords"], offsets)
    except (ValueError, IndexError, shapely.errors.GEOSException):
        return None  # offsets that do not fit the coordinates
    if len(geoms) != len(arrays["grid_ids"]):
        return None
    index = batch.index_from_parts(
        session, version_id, arrays["grid_ids"], arrays["levels"], arrays["code_rank"], np.asarray(geoms, dtype=object)
    )
    if len(arrays["frame"]) == 4:
        x0, y0, dx, dy = arrays["frame"].tolist()
        index.cells = cells.CellGrid(x0, y0, dx, dy, arrays["cells"])
    return index


def _crc(array: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(array).view(np.uint8).reshape(-1)) ^ (array.size << 32)
