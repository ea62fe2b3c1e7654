"""gisgrid.wsgi prepares everything a worker reads before gunicorn forks (``--preload``), then freezes it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from gisgrid.grids import service
from tests import worlds
from tests.conftest import fresh_database

CHECKOUT = str(Path(__file__).resolve().parents[2])  # this checkout's gisgrid, not an installed one
# what gunicorn's master holds after importing the entry point, read in that same (fresh) interpreter
PROBE = """
import gc, json
import gisgrid.wsgi as wsgi
state = wsgi.app.extensions["gisgrid_resident"]
parts = state.resident.parts
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "grids": len(state.resident.grid_ids),
    "writers": sorted(name for name in ("tail_table", "grid_properties") if name in vars(parts)),
    "tail_ids": len(parts.tail_table[0]),
    "listener": state.listener is not None,
}))
"""


def test_entry_point_builds_the_lookup_data_and_freezes_it_before_the_fork(tmp_path):
    with fresh_database("gisgrid_prefork") as url:
        engine = create_engine(url)
        with Session(engine) as session:
            service.import_file(session, worlds.write(worlds.world_ab_frame(), tmp_path / "ab.gpkg"), publish=True)
        engine.dispose()
        env = {**os.environ, "GISGRID_DATABASE_URL": url, "PYTHONPATH": CHECKOUT}
        done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    probe = json.loads(done.stdout.splitlines()[-1])
    assert probe["grids"] > 0
    # the batch writers' tables exist before the fork, so workers share them instead of building one each
    assert probe["writers"] == ["grid_properties", "tail_table"] and probe["tail_ids"] == probe["grids"]
    # the objects alive at import sit in the collector's permanent generation: no worker's collection writes to them
    assert probe["frozen"] > 10_000
    assert probe["listener"] is False  # each worker opens its own LISTEN connection after the fork
