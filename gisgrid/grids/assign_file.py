"""``gisgrid grids assign``'s work: read a points file, assign its points, write the answer with a progress bar.

Reading needs no index, so the command reads and parses the file in a thread while the index loads (file
reads, pyarrow's CSV parser and GEOS release the GIL).
"""

from __future__ import annotations

from pathlib import Path

from tqdm import tqdm

from gisgrid import coords
from gisgrid.errors import DomainError
from gisgrid.grids import batch_io


def _geojson(src: str) -> bool:
    return Path(src).suffix.lower() in (".geojson", ".json")


def read_input(src: str) -> tuple[bytes, object]:
    """SRC's bytes and, for a CSV, ``batch_io.read_plain_csv``'s reading of them (no index needed)."""
    data = Path(src).read_bytes()
    return data, None if _geojson(src) else batch_io.read_plain_csv(data)


def assign(index, src: str, dst: str, crs: str | None, data: bytes, plain) -> int:
    """Assign the points of SRC (read by ``read_input``) and write DST; → the points written."""
    if _geojson(src):
        try:
            collection = batch_io.parse_geojson(data)
        except DomainError as err:
            raise DomainError(f"GeoJSON 无法解析 (invalid GeoJSON): {err}") from None
        total = len(collection.get("features") or []) if isinstance(collection, dict) else 0
        chunks = batch_io.assign_geojson_bytes(index, collection, crs)
    else:
        total = max(data.count(b"\n") + (not data.endswith(b"\n")) - 1, 0)
        chunks = batch_io.assign_read_csv(index, data, plain, crs, coords.parse_crs(crs))
    return _write_chunks(chunks, dst, total, batch_io.ROWS_PER_CHUNK)


def _write_chunks(chunks, dst: str, total: int, chunk_size: int) -> int:
    written = 0
    with (
        open(dst, "wb") as out,
        tqdm(total=total, unit="pt", unit_scale=True, desc="assigning") as bar,
    ):
        for i, text in enumerate(chunks):
            out.write(text)
            # the first CSV chunk is the header; GeoJSON has an opening and a closing piece
            done = min(chunk_size, total - written) if i > 0 and written < total else 0
            written += done
            bar.update(done)
    return written
