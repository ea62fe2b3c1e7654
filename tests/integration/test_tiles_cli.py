"""`gisgrid tiles prepare` builds the GCJ-02 companion and generalised geometry of the published version."""

from sqlalchemy import func, select

from gisgrid.cli import main
from gisgrid.public_map import tiles
from gisgrid.public_map.models import GridGcj02
from tests import public_worlds


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
    assert tiles.generalised_ready(session, world.version_id, "gcj02")


def test_first_low_zoom_tile_prepares_the_version_in_the_background(tmp_path, monkeypatch):
    import threading

    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from tests.conftest import fresh_database

    monkeypatch.setattr(tiles, "PREPARED_ZOOMS", (5, 12))
    with fresh_database("gisgrid_test_tiles_bg") as url:
        engine = create_engine(url)
        try:
            with Session(engine) as session:
                world = public_worlds.load(session, tmp_path)
                assert not tiles.generalised_ready(session, world.version_id, "wgs84")
                body = tiles.render_tile(session, world.version_id, 12, 3413, 1548, 1, "wgs84")
                assert body is not None  # served at once, on the fly
                session.rollback()
                worker = next(t for t in threading.enumerate() if t.name == f"tiles-prepare-{world.version_id}")
                worker.join()
                assert tiles.generalised_ready(session, world.version_id, "wgs84")
                assert tiles.generalised_ready(session, world.version_id, "gcj02")
        finally:
            engine.dispose()
