"""Vectorised readers and writers of batch assignment: the parsing, not the index, was the bottleneck.

A plain CSV (no quotes, no blank lines, every row as wide as the header, numeric coordinates) is
split into lines once and its coordinate columns parsed by pyarrow's CSV reader; each output row is
its input line byte for byte plus the grid columns, as ``batch.assign_csv`` writes it. Anything else
(quoted fields, ragged rows, bad numbers) goes through ``batch.assign_csv``, row by row, which says
what is wrong with each row. GeoJSON is parsed and written with orjson.
"""

from __future__ import annotations

import csv
import gc
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import orjson
import pyarrow as pa
from pyarrow import csv as pa_csv

from gisgrid import coords
from gisgrid.errors import InvalidInput
from gisgrid.grids import batch

ROWS_PER_CHUNK = 100_000  # output rows per streamed piece
_BOM = b"\xef\xbb\xbf"


@dataclass
class PlainCsv:
    """A CSV that needs no CSV parser: its header, its data lines and their coordinates."""

    header: bytes
    lines: list[bytes]
    xs: np.ndarray
    ys: np.ndarray


def read_plain_csv(data: bytes) -> PlainCsv | None:
    """Split and parse a plain CSV (no index needed: ``gisgrid grids assign`` runs it while the index loads).

    None when the row-by-row reader must answer (quotes, ragged rows, bad numbers, …); InvalidInput when the
    coordinate columns are missing.
    """
    plain = _plain_lines(data)
    if plain is None:
        return None
    header, lines, body = plain
    xi, yi = batch._coordinate_columns(next(csv.reader([header.decode("utf-8", "replace")])))
    xs, ys = _numbers(body, len(lines), header.count(b",") + 1, xi, yi)
    return None if xs is None else PlainCsv(header, lines, xs, ys)


def assign_csv_bytes(index: batch.PartIndex, data: bytes, crs_name: str | None) -> Iterator[bytes]:
    """CSV bytes in → CSV bytes out with the grid columns appended (the same rows as ``batch.assign_csv``)."""
    crs = coords.parse_crs(crs_name)
    yield from assign_read_csv(index, data, read_plain_csv(data), crs_name, crs)


def assign_read_csv(index: batch.PartIndex, data: bytes, plain: PlainCsv | None, crs_name, crs) -> Iterator[bytes]:
    """``assign_csv_bytes`` of a CSV already read by ``read_plain_csv`` (None: row by row)."""
    if plain is None:
        yield from _slow(index, data, crs_name)
        return
    yield plain.header + ("," + ",".join(batch.OUT_FIELDS) + "\n").encode()
    for start in range(0, len(plain.lines), ROWS_PER_CHUNK):
        end = start + ROWS_PER_CHUNK
        ids, errors = batch.assign_ids(index, plain.xs[start:end], plain.ys[start:end], crs)
        pieces = np.empty(2 * len(ids), dtype=object)  # line, tail, line, tail, ...: one join, no per-row concat
        pieces[0::2] = plain.lines[start:end]
        pieces[1::2] = _tails(index, ids, errors)
        yield b"".join(pieces.tolist())


def _tails(index: batch.PartIndex, ids: list[int], errors: list[str | None]) -> np.ndarray:
    """Each row's appended grid columns with the line end: one array gather, Python only for rows without a grid."""
    known, tails = index.tail_table
    ids = np.asarray(ids, dtype=np.int64)
    out = np.empty(len(ids), dtype=object)
    hit = np.zeros(len(ids), dtype=bool)
    if len(known):
        at = np.minimum(np.searchsorted(known, ids), len(known) - 1)
        hit = known[at] == ids  # a row with an error has id -1, never a grid's
        out[hit] = tails[at[hit]]
    written: dict[tuple, bytes] = {}  # a few distinct tails (outside, each error): each made once
    for i in np.flatnonzero(~hit).tolist():
        key = (int(ids[i]), errors[i])
        tail = written.get(key)
        if tail is None:
            tail = written[key] = _error_tail(index, *key)
        out[i] = tail
    return out


def _plain_lines(data: bytes) -> tuple[bytes, list[bytes], bytes] | None:
    """(header, data lines, the data lines as one text) of a CSV that needs no CSV parser; None otherwise."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    if b'"' in data or b"\r" in data.replace(b"\r\n", b"\n"):
        return None
    text = data.replace(b"\r\n", b"\n")
    lines = text.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if len(lines) < 2 or b"" in lines:
        return None  # empty, header only, or blank lines: the row-by-row reader's answers
    return lines[0], lines[1:], text[len(lines[0]) + 1 :]


def _numbers(body: bytes, rows: int, width: int, xi: int, yi: int):
    """(x, y) float arrays of the coordinate columns, or (None, None) when a row is not plain."""
    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(body),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(quote_char=False),
            convert_options=pa_csv.ConvertOptions(
                include_columns=[names[xi], names[yi]],
                column_types={names[xi]: pa.float64(), names[yi]: pa.float64()},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None, None  # a ragged row or a value that is not a number: the row-by-row reader explains it
    x, y = table.column(names[xi]), table.column(names[yi])
    if table.num_rows != rows or x.null_count or y.null_count:
        return None, None
    return x.to_numpy(), y.to_numpy()


def _error_tail(index: batch.PartIndex, gid: int, err: str | None) -> bytes:
    return (batch._csv_suffix(batch._row(index, gid, err)) + "\n").encode()


def _slow(index: batch.PartIndex, data: bytes, crs_name: str | None) -> Iterator[bytes]:
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", errors="replace", newline="")
    for text in batch.assign_csv(index, stream, crs_name):
        yield text.encode()


def parse_geojson(data: bytes):
    """A request body → the parsed JSON value (orjson; the standard parser for what orjson refuses)."""
    with paused_gc():
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        try:
            return json.loads(data)  # e.g. integers beyond 64 bits, which orjson does not read
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("请求体不是有效的 GeoJSON (body is not valid GeoJSON)") from None


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch makes millions of JSON objects.

    Parsed JSON holds no reference cycles (reference counting frees it), but every few hundred new
    containers start a collection that walks them all again: pausing halves the time of a 25 MB parse.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def assign_geojson_body(index: batch.PartIndex, data: bytes, crs_name: str | None) -> Iterator[bytes]:
    """A request body → the answer's bytes (``assign_geojson_bytes``), the GC paused from parse to last byte.

    The parsed features are freed before the collector is back, so it never walks them: re-enabled
    between the parse and the chunks, its first collections walked all ~1.6 M of them again.
    """
    with paused_gc():
        yield from assign_geojson_bytes(index, parse_geojson(data), crs_name)


def assign_geojson_bytes(index: batch.PartIndex, collection, crs_name: str | None) -> Iterator[bytes]:
    """A parsed FeatureCollection of points → the features with grid properties, as orjson-written bytes."""
    crs = coords.parse_crs(crs_name)
    features = collection.get("features") if isinstance(collection, dict) else None
    if (
        not isinstance(collection, dict)
        or collection.get("type") != "FeatureCollection"
        or not isinstance(features, list)
    ):
        raise InvalidInput("需要 GeoJSON FeatureCollection (expected a GeoJSON FeatureCollection)")
    yield b'{"type":"FeatureCollection","features":['
    for start in range(0, len(features), ROWS_PER_CHUNK):
        chunk = features[start : start + ROWS_PER_CHUNK]
        with paused_gc():
            piece = _chunk_bytes(index, chunk, crs)
        yield (b"," if start else b"") + piece
    yield b"]}"


def _chunk_bytes(index: batch.PartIndex, chunk: list, crs) -> bytes:
    """One chunk's features, comma-separated, as the general writer (``batch._with_grid``) writes them."""
    ids, errors = batch.assign_ids(index, *_raw_xy(chunk), crs)
    try:
        return orjson.dumps(_with_grids(index, chunk, ids, errors, index.grid_fragments))[1:-1]
    except TypeError:  # what orjson cannot write (integers beyond 64 bits): the standard writer, no fragments
        features = _with_grids(index, chunk, ids, errors, index.grid_properties)
        return json.dumps(features, ensure_ascii=False)[1:-1].encode()


def _raw_xy(chunk: list) -> tuple[list, list]:
    """Each feature's raw x and y (None, None when it is not a Point), as ``batch._point_xy`` reads them."""
    raw_x, raw_y = [], []
    for feature in chunk:
        geometry = feature.get("geometry") if type(feature) is dict else None  # exact types: the hot path
        xy = geometry.get("coordinates") if type(geometry) is dict and geometry.get("type") == "Point" else None
        if type(xy) is list and len(xy) >= 2:
            raw_x.append(xy[0])
            raw_y.append(xy[1])
        else:
            x, y = batch._point_xy(feature)  # subclasses and odd shapes: the general reader decides
            raw_x.append(x)
            raw_y.append(y)
    return raw_x, raw_y


def _with_grids(index: batch.PartIndex, chunk: list, ids: list[int], errors: list, found: dict) -> list[dict]:
    """The features of ``chunk`` with their grid properties (``batch._with_grid``'s result, without its detours).

    ``found`` maps a grid id to what a point in it gets as its whole ``properties`` when it brings none of
    its own: the grid's properties pre-serialised once per version (``PartIndex.grid_fragments``), or as a dict.
    """
    out = []
    for feature, gid, err in zip(chunk, ids, errors):
        extra = found.get(gid) if err is None else None
        if extra is None:  # outside every grid, or an error: the general writer says which
            out.append(batch._with_grid(feature, batch._row(index, gid, err)))
            continue
        # no error means a Point was found: the feature is a dict with a Point geometry
        props = feature.get("properties")
        if isinstance(props, dict) and props:
            extra = {**props, **index.grid_properties[gid]}  # the feature's keys first, ours overwrite
        out.append({"type": "Feature", "geometry": feature["geometry"], "properties": extra})
    return out
