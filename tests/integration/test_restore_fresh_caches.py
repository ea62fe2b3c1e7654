"""A backup restored under a running server: lookup, batch, tiles and open data answer from the restored data.

Both databases hold version 1 of a world; only the grid names differ. Caches keyed by the version id
alone would keep answering from the replaced database; the ``VersionKey`` (database oid, id,
publication time) changes with the restore, so every answer is fresh.
"""

from __future__ import annotations

import csv
import io

import requests
import shapely
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from gisgrid import create_app
from gisgrid.grids import service
from tests import public_worlds, worlds
from tests.backup_support import cli_env, run_cli
from tests.conftest import fresh_database
from tests.routes.test_tiles import enclosing_tile
from tests.servers import serve

RESTORED = " restored"


def _load(url: str, tmp_path, suffix: str) -> int:
    frame = public_worlds.frame()
    frame["name"] = frame["name"] + suffix
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            path = worlds.write(frame, tmp_path / f"world{suffix.strip() or 'live'}.gpkg")
            return service.import_file(session, path, publish=True).version_id
    finally:
        engine.dispose()


def _answers(base: str, point: tuple[float, float], tile: tuple[int, int, int]) -> dict:
    """Grid names as lookup, batch, a tile and the CSV download give them."""
    lon, lat = point
    lookup = requests.get(f"{base}/api/v1/lookup", params={"lon": lon, "lat": lat}, timeout=30)
    batch = requests.post(
        f"{base}/api/v1/lookup/batch", data=f"lon,lat\n{lon},{lat}\n", headers={"Content-Type": "text/csv"}, timeout=30
    )
    z, x, y = tile
    mvt = requests.get(f"{base}/tiles/{z}/{x}/{y}.pbf", params={"level": 1}, timeout=30)
    download = requests.get(f"{base}/open-data/grids.csv", timeout=30)
    for response in (lookup, batch, mvt, download):
        assert response.status_code == 200, (response.url, response.text[:500])
    return {
        "lookup": lookup.json()["grid"]["name"],
        "batch": next(csv.DictReader(io.StringIO(batch.text)))["grid_name"],
        "tile_restored": RESTORED.encode() in mvt.content,
        "csv_names": sorted(row["name"] for row in csv.DictReader(io.StringIO(download.content.decode("utf-8-sig")))),
    }


def test_restore_under_a_running_server_gives_fresh_answers(tmp_path):
    app_cache, point = tmp_path / "cache", worlds.wgs84(500, 500)
    tile = enclosing_tile(shapely.box(*worlds.wgs84(0, 0), *worlds.wgs84(4000, 1000)), max_zoom=12)
    with fresh_database("gisgrid_test_live") as live, fresh_database("gisgrid_test_other") as other:
        app = create_app({"DATABASE_URL": live, "CACHE_DIR": str(app_cache), "TESTING": True})
        assert _load(live, tmp_path, "") == _load(other, tmp_path, RESTORED) == 1  # the same version id
        archive = tmp_path / "other.tar"
        made = run_cli(cli_env(other, tmp_path / "media-other", tmp_path / "c1"), "backup", str(archive))
        assert made.returncode == 0, made.stderr[-2000:]
        with serve(app) as base:
            before = _answers(base, point, tile)  # warms every cache on the live data
            assert not before["lookup"].endswith(RESTORED) and not before["tile_restored"]
            env = cli_env(live, tmp_path / "media-live", tmp_path / "c2")
            restored = run_cli(env, "restore", "--force", str(archive))
            assert restored.returncode == 0, restored.stderr[-2000:]
            after = _answers(base, point, tile)
        assert after["lookup"] == before["lookup"] + RESTORED
        assert after["batch"] == before["batch"] + RESTORED == after["lookup"]
        assert after["tile_restored"]
        assert after["csv_names"] == sorted(name + RESTORED for name in before["csv_names"])
