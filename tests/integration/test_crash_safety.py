"""A ``gisgrid`` import or publish SIGKILLed mid-way leaves the previous state intact, and a re-run succeeds."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import geopandas as gpd
import pytest
import shapely
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from gisgrid.db import db
from tests import worlds
from tests.backup_support import CLI, ROOT, cli_env, run_cli
from tests.conftest import fresh_database

SIDE = 100.0  # metres per small grid
N = 50  # the large file has N×N + 1 grids: writing them takes long enough to be killed at several points


def _frame(n: int, prefix: str):
    """One level-1 grid split into n×n level-2 squares (codes start with ``prefix``)."""
    rows = [
        worlds.grid(
            f"{prefix}{i:02d}{j:02d}",
            f"{prefix}格{i}-{j}",
            2,
            f"{prefix}ROOT",
            worlds.sq(i * SIDE, j * SIDE, (i + 1) * SIDE, (j + 1) * SIDE),
        )
        for i in range(n)
        for j in range(n)
    ]
    # the parent is the union of its children so that it shares their vertices (no gap once reprojected)
    root = shapely.union_all([row["geometry"] for row in rows])
    rows.insert(0, worlds.grid(f"{prefix}ROOT", f"{prefix}区", 1, None, root))
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=worlds.PROJECTED)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A dedicated database with a small published version; a large file to import over it."""
    folder = tmp_path_factory.mktemp("crash")
    with fresh_database("gisgrid_test_crash") as url:
        env = cli_env(url, folder / "media", folder / "cache")
        small = worlds.write(_frame(4, "OLD"), folder / "old.gpkg")
        done = run_cli(env, "grids", "import", small, "--publish")
        assert done.returncode == 0, done.stderr[-2000:]
        big = worlds.write(_frame(N, "NEW"), folder / "new.gpkg")
        yield {"url": url, "env": env, "big": big, "cache": folder / "cache", "media": folder / "media"}


def _points():
    return [
        worlds.wgs84(x, y) for x, y in ((50, 50), (150, 350), (390, 10), (1500, 1500), (N * SIDE - 1, N * SIDE - 1))
    ]


def _observed(deployment):
    """Versions, their grid counts and what the lookup API and the open-data download answer."""
    from gisgrid import create_app

    app = create_app({"DATABASE_URL": deployment["url"], "CACHE_DIR": str(deployment["cache"]), "TESTING": True})
    client = app.test_client()
    lookups = [client.get(f"/api/v1/lookup?lon={x}&lat={y}").get_json() for x, y in _points()]
    download = client.get("/open-data/grids.geojson")
    engine = create_engine(deployment["url"])
    with engine.connect() as conn:
        versions = conn.execute(
            text(
                "SELECT v.id, v.status, count(g.id) FROM boundary_version v "
                "LEFT JOIN grid g ON g.version_id = v.id GROUP BY v.id ORDER BY v.id"
            )
        ).all()
    engine.dispose()
    db.dispose(app)
    return {
        "versions": [tuple(v) for v in versions],
        "lookups": lookups,
        "download": (download.status_code, len(download.get_json()["features"])),
    }


def _writing_backend(url: str, proc: subprocess.Popen, timeout: float = 60) -> int | None:
    """The pid of a backend of ``url`` that has written inside an open transaction, once one appears."""
    name = make_url(url).database
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + timeout
    try:
        with engine.connect() as conn:
            while time.monotonic() < deadline and proc.poll() is None:
                pid = conn.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = :n AND "
                        "backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                ).scalar()
                if pid:
                    return pid
                time.sleep(0.02)
    finally:
        engine.dispose()
    return None


def _wait_gone(url: str, pid: int) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for _ in range(600):
            if not conn.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).scalar():
                break
            time.sleep(0.05)
    engine.dispose()


def _kill_mid_write(deployment, argv: list[str], delay: float) -> bool:
    """Start ``argv``, SIGKILL it ``delay`` s after it first wrote to the database; whether it was killed."""
    proc = subprocess.Popen(argv, cwd=ROOT, env=deployment["env"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid = _writing_backend(deployment["url"], proc)
    time.sleep(delay)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if pid:
        _wait_gone(deployment["url"], pid)
    return killed and pid is not None


@pytest.mark.parametrize("delay", [0.0, 0.15, 0.4])
def test_import_killed_mid_way_leaves_the_published_version(deployment, delay):
    before = _observed(deployment)
    killed = _kill_mid_write(deployment, [*CLI, "grids", "import", deployment["big"], "--publish"], delay)
    assert killed, "the import finished before it could be killed: make the generated file larger"
    assert _observed(deployment) == before


def test_after_the_import_crashes_a_rerun_succeeds(deployment):
    done = run_cli(deployment["env"], "grids", "import", deployment["big"], "--publish")
    assert done.returncode == 0, done.stderr[-2000:]
    after = _observed(deployment)
    assert after["versions"][-1][1:] == ("published", N * N + 1)
    assert after["download"] == (200, N * N + 1)
    assert all(answer["chain"][-1]["code"].startswith("NEW") for answer in after["lookups"]), after["lookups"]
    assert [v[1] for v in after["versions"]].count("published") == 1


def test_editor_publish_killed_mid_way_leaves_one_whole_version(deployment):
    from gisgrid.editor import drafts

    engine = create_engine(deployment["url"])
    with Session(engine) as session:
        draft = drafts.open_draft(session, "planner")  # a copy of the large published version
    engine.dispose()
    before = _observed(deployment)
    script = (
        "from gisgrid import create_app; from gisgrid.db import db; from gisgrid.editor import versions\n"
        f"with create_app().app_context(), db.new_session() as s: versions.publish_draft(s, {draft}, 'planner')"
    )
    for delay in (0.0, 0.3, 1.0):
        _kill_mid_write(deployment, [sys.executable, "-c", script], delay)
        now = _observed(deployment)
        print(
            f"editor publish killed {delay} s after its first write:",
            "published" if dict((v[0], v[1]) for v in now["versions"])[draft] == "published" else "not published",
        )
        if dict((v[0], v[1]) for v in now["versions"])[draft] != "published":
            assert now == before, delay
            continue
        # SIGKILL came after the commit: then the draft is published whole, the rest superseded
        assert [v[1] for v in now["versions"]].count("published") == 1
        assert now["download"] == (200, N * N + 1)
        assert all(answer["version"]["id"] == draft for answer in now["lookups"])
        assert _without_version(now["lookups"]) == _without_version(before["lookups"])
        return
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=deployment["env"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert dict((v[0], v[1]) for v in _observed(deployment)["versions"])[draft] == "published"


def _without_version(lookups):
    return [{k: v for k, v in answer.items() if k != "version"} for answer in lookups]


def test_cli_publish_back_to_the_old_version(deployment):
    old = _observed(deployment)["versions"][0][0]
    back = run_cli(deployment["env"], "grids", "publish", str(old))
    assert back.returncode == 0, back.stderr[-2000:]
    assert _observed(deployment)["lookups"][0]["chain"][-1]["code"].startswith("OLD")
