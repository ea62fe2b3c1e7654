"""patrol_track partitioned by month (migration 0016_scale2): data kept, partitions on demand, retention."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import create_engine, text

from gisgrid.clock import CHINA_TZ
from gisgrid.jobs import registry
from gisgrid.migrate import alembic_config
from gisgrid.patrols import partitions, service
from gisgrid.patrols.models import PatrolTrack

PLAIN_ROW = (
    "INSERT INTO patrol_track (user_id, patroller, origin, started_at, ended_at, geom, points, cleaning, length_m, "
    "client_id) VALUES (NULL, :who, 'api', :start, :start + interval '10 minutes', "
    "'SRID=4326;LINESTRING(116.36 39.91, 116.37 39.91)', CAST(:points AS jsonb), '{}', 850.0, :client) RETURNING id"
)


def _walk(start: datetime, n: int = 20) -> list[tuple]:
    # 0.0002° east every 30 s along 39.91°N: about 17 m per step, a walking pace
    return [(116.36 + 0.0002 * i, 39.91, start + timedelta(seconds=30 * i)) for i in range(n)]


def _kind(conn, name: str):
    return conn.execute(text("SELECT relkind FROM pg_class WHERE oid = to_regclass(:n)"), {"n": name}).scalar()


def _rows(conn) -> list[tuple]:
    sql = "SELECT id, patroller, started_at, points, client_id FROM patrol_track ORDER BY id"
    return [tuple(r) for r in conn.execute(text(sql))]


def test_migration_converts_the_table_keeping_every_track_and_back(database_url):
    from alembic import command

    from tests.conftest import fresh_database

    jan, mar = datetime(2026, 1, 31, 23, 30, tzinfo=CHINA_TZ), datetime(2026, 3, 1, 0, 10, tzinfo=CHINA_TZ)
    with fresh_database("gisgrid_patrol_mig") as url:
        command.downgrade(alembic_config(url), "0016_disclose")
        engine = create_engine(url)
        with engine.begin() as conn:
            assert _kind(conn, "patrol_track") == "r"
            for who, start, client in (("甲", jan, "phone-1"), ("乙", mar, None), ("丙", mar, "phone-2")):
                points = json.dumps([[116.36, 39.91, start.isoformat()]])
                conn.execute(text(PLAIN_ROW), {"who": who, "start": start, "points": points, "client": client})
            before = _rows(conn)
            audit_before = conn.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'patrol_track'")).scalar()
        command.upgrade(alembic_config(url), "heads")
        with engine.begin() as conn:
            assert _kind(conn, "patrol_track") == "p" and _rows(conn) == before
            # 23:30 on 31 January in China is January's, whatever UTC says
            assert _kind(conn, "patrol_track_y2026m01") == "r" and _kind(conn, "patrol_track_y2026m03") == "r"
            assert _kind(conn, "patrol_track_y2026m02") is None  # no track, no partition
            copied = conn.execute(text("SELECT count(*) FROM audit_log WHERE entity = 'patrol_track'")).scalar()
            assert copied == audit_before  # moving rows is not a change anybody made
            # the sequence was kept: a new track's id follows the old ones, and is audited once
            new_id = conn.execute(text(PLAIN_ROW), {"who": "丁", "start": mar, "points": "[]", "client": None}).scalar()
            assert new_id == max(r[0] for r in before) + 1
            logged = conn.execute(text("SELECT action FROM audit_log WHERE entity_id = :i"), {"i": str(new_id)})
            assert [r[0] for r in logged] == ["insert"]
        command.downgrade(alembic_config(url), "0016_disclose")
        with engine.begin() as conn:
            assert _kind(conn, "patrol_track") == "r" and _kind(conn, "patrol_track_y2026m03") is None
            assert [r[0] for r in _rows(conn)] == [r[0] for r in before] + [new_id]
        command.upgrade(alembic_config(url), "heads")
        engine.dispose()


def test_a_track_of_a_month_without_partition_creates_it(session, make_user):
    staff = make_user("grid_staff", username="walker_old")
    start = datetime(2024, 3, 5, 9, 0, tzinfo=CHINA_TZ)  # an offline phone's old track
    assert session.scalar(text("SELECT to_regclass('patrol_track_y2024m03')")) is None
    track = service.save_track(session, staff, _walk(start), "api")
    assert session.scalar(text("SELECT to_regclass('patrol_track_y2024m03')")) is not None
    stored = session.scalar(text("SELECT tableoid::regclass::text FROM patrol_track WHERE id = :i"), {"i": track.id})
    assert stored == "patrol_track_y2024m03"
    # a retried upload of the same phone track is still found, not stored twice
    first, created = service.save_client_track(session, staff, _walk(start), "trip-7")
    again, created_again = service.save_client_track(session, staff, _walk(start), "trip-7")
    assert created and not created_again and again.id == first.id
    assert session.query(PatrolTrack).filter_by(user_id=staff.id).count() == 2


def test_retention_drops_whole_old_months_logged_and_audited(session, make_user, caplog):
    staff = make_user("grid_staff", username="walker_keep")
    now = datetime(2026, 12, 5, 10, 0, tzinfo=CHINA_TZ)
    old = service.save_track(session, staff, _walk(datetime(2025, 11, 20, 8, 0, tzinfo=CHINA_TZ)), "api")
    kept = service.save_track(session, staff, _walk(datetime(2025, 12, 1, 0, 5, tzinfo=CHINA_TZ)), "api")
    assert partitions.maintain(session, now, 0)["dropped"] == {}  # 0: keep every month
    with caplog.at_level(logging.WARNING, logger="gisgrid.patrols.partitions"):
        done = partitions.maintain(session, now, 12)
    assert done["dropped"] == {"patrol_track_y2025m11": 1}  # December 2025 is the 12th month back: kept
    assert "patrol_track_y2025m11" in caplog.text and "1 tracks" in caplog.text
    ids = {r[0] for r in session.execute(text("SELECT id FROM patrol_track WHERE user_id = :u"), {"u": staff.id})}
    assert ids == {kept.id} and old.id not in ids
    audit = session.execute(
        text("SELECT actor_source, action, changes FROM audit_log WHERE entity_key = 'patrol_track_y2025m11'")
    ).one()
    assert audit.actor_source == "job" and audit.action == "delete"
    assert audit.changes == {
        "partition": "patrol_track_y2025m11",
        "month": "2025-11",
        "rows": 1,
        "retention_months": 12,
    }
    # this month and the next exist ahead of the first upload
    names = {name for _, name, _ in partitions.existing(session)}
    assert {"patrol_track_y2026m12", "patrol_track_y2027m01", "patrol_track_y2025m12"} <= names


def test_the_worker_runs_the_retention_with_the_configured_months(session, app):
    task = {p.name: p for p in registry.periodics()}["patrols.partitions"]
    app.config["PATROL_RETENTION_MONTHS"] = 0
    result = task.run(session, app.config)
    assert result["dropped"] == {} and set(result["created"]) <= {n for _, n, _ in partitions.existing(session)}


def test_months_shift_across_years():
    assert partitions.shift((2026, 1), -1) == (2025, 12) and partitions.shift((2026, 12), 1) == (2027, 1)
    assert partitions.shift((2026, 5), -24) == (2024, 5)
    assert partitions.month_of(datetime(2026, 1, 31, 16, 30, tzinfo=CHINA_TZ) - timedelta(hours=8)) == (2026, 1)
