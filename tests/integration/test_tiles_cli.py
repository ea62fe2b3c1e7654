"""Publication builds the GCJ-02 companion and generalised geometry of a version; `gisgrid tiles prepare`
builds them for a version published before that rule; a tile request only reads."""

import shapely
from sqlalchemy import func, select

from gisgrid.cli import main
from gisgrid.grids import versions as grid_versions
from gisgrid.public_map import tiles
from gisgrid.public_map.models import GridGcj02
from tests import public_worlds, worlds
from tests.routes.test_tiles import enclosing_tile


def test_tiles_prepare_command(app, session, tmp_path, monkeypatch):
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["tiles", "prepare"]).exit_code != 0  # nothing published yet
    world = public_worlds.load(session, tmp_path)
    monkeypatch.setattr(tiles, "PREPARED_ZOOMS", (5, 12))  # this world's ~1 km grids show from zoom ~9
    result = runner.invoke(main, ["tiles", "prepare"])
    assert result.exit_code == 0, result.output
    assert f"prepared map tiles of version {world.version_id}" in result.output
    assert (
        session.scalar(select(func.count()).select_from(GridGcj02).where(GridGcj02.version_id == world.version_id)) == 8
    )
    assert tiles.generalised_ready(session, grid_versions.by_id(session, world.version_id), "gcj02")


def test_publication_prepares_the_version_and_tile_requests_only_read(tmp_path, monkeypatch):
    import threading

    from sqlalchemy import create_engine, text
    from sqlalchemy.orm import Session

    from tests.conftest import fresh_database

    monkeypatch.setattr(tiles, "PREPARED_ZOOMS", (5, 12))
    with fresh_database("gisgrid_test_tiles_pub") as url:
        engine = create_engine(url)
        try:
            with Session(engine) as session:
                world = public_worlds.load(session, tmp_path)  # imports and publishes (committed)
                version = grid_versions.by_id(session, world.version_id)
                assert tiles.generalised_ready(session, version, "wgs84")
                assert tiles.generalised_ready(session, version, "gcj02")
                session.rollback()
                tiles.TILE_CACHE.clear()
                session.execute(text("SET TRANSACTION READ ONLY"))  # any write in a GET would fail here
                z, x, y = enclosing_tile(shapely.box(*worlds.wgs84(0, 0), *worlds.wgs84(4000, 1000)), max_zoom=12)
                for variant in ("wgs84", "gcj02"):
                    for zoom in (z, 5, 14):  # prepared band, generalised band, deep on-the-fly zoom
                        scale = 1 << max(zoom - z, 0) if zoom >= z else 1
                        tx, ty = (x * scale, y * scale) if zoom >= z else (x >> (z - zoom), y >> (z - zoom))
                        assert isinstance(tiles.get_tile(session, zoom, tx, ty, None, variant)[0], bytes)
                    assert tiles.get_tile(session, z, x, y, 1, variant)[0]  # real grids, not an empty tile
                assert not [t for t in threading.enumerate() if t.name.startswith("tiles-prepare")]
        finally:
            engine.dispose()
