"""The audit triggers: every write path leaves who/what/when; rolled-back work leaves nothing.

These run on their own database with real commits: the triggers group changes by transaction,
which the rest of the suite's one-rolled-back-transaction-per-test would blur into one.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from gisgrid.audit import actor
from gisgrid.audit.models import AuditLog
from gisgrid.auth import service as auth_service
from gisgrid.grids import service as grids_service
from gisgrid.grids.models import BoundaryVersion, Grid
from gisgrid.migrate import alembic_config
from tests import worlds
from tests.conftest import committed_app, committed_session


def _entries(session, entity, **where):
    stmt = select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(AuditLog, name) == value)
    return session.scalars(stmt).all()


@pytest.fixture(scope="module")
def audit_app():
    with committed_app("gisgrid_audit") as application:
        yield application


@pytest.fixture()
def session(audit_app):  # overrides the rolled-back one, so tests/conftest.py's world_ab commits here too
    with committed_session(audit_app) as sess:
        yield sess


@pytest.fixture()
def as_planner():
    token = actor.act_as(actor.Actor(name="planner_wang", source="cli"))
    yield
    actor.reset(token)


def test_import_and_publish_are_logged_with_the_actor(session, tmp_path, as_planner):
    path = worlds.write(worlds.world_ab_frame(), tmp_path / "ab.gpkg")
    version = grids_service.import_file(session, path, publish=False)
    grids_service.publish_version(session, version.version_id)
    grids = _entries(session, "grid", action="insert")
    codes = {e.entity_key for e in grids}
    assert {"A", "B", "A1a"} <= codes
    assert {(e.actor_name, e.actor_source) for e in grids} == {("planner_wang", "cli")}
    # the geometry is logged as a fingerprint, never in full
    assert all(len(e.changes["geom"]) == 32 and "coordinates" not in str(e.changes) for e in grids)
    published = _entries(session, "boundary_version", action="update", entity_id=str(version.version_id))
    assert published[-1].changes["status"] == ["draft", "published"]
    assert len({e.txid for e in grids}) == 1  # one import is one transaction
    # the import's own follow-up updates (parent links, areas) are folded into each grid's insert entry
    assert not _entries(session, "grid", action="update")
    child = next(e for e in grids if e.entity_key == "A1a")
    assert child.changes["parent_id"] is not None and child.changes["area_m2"] > 0


def test_geometry_edit_shows_as_a_changed_fingerprint(session, world_ab, as_planner):
    grid = session.scalars(select(Grid).where(Grid.version_id == world_ab.version_id, Grid.code == "A1a")).one()
    session.execute(
        update(Grid)
        .where(Grid.id == grid.id)
        .values(
            geom=text("ST_Multi(ST_Buffer(geom, -0.00001))"), leader_name="李四", lock_version=Grid.lock_version + 1
        )
    )
    session.commit()
    (entry,) = _entries(session, "grid", action="update", entity_id=str(grid.id))
    old, new = entry.changes["geom"]
    assert old != new and len(old) == len(new) == 32
    assert entry.changes["leader_name"][1] == "李四"
    assert "lock_version" not in entry.changes  # noise columns are not audited


def _set_leader(session, grid, name):
    """The same kind of write as a noise-only update, but changing an audited column."""
    values = {"leader_name": name, "lock_version": Grid.lock_version + 1}
    session.execute(update(Grid).where(Grid.id == grid.id).values(**values))


def test_update_that_changes_nothing_audited_is_not_logged(session, world_ab):
    grid = session.scalars(select(Grid).where(Grid.version_id == world_ab.version_id, Grid.code == "B")).one()
    old_leader = grid.leader_name
    before = len(_entries(session, "grid", entity_id=str(grid.id)))
    assert before >= 1  # the import itself was logged
    session.execute(update(Grid).where(Grid.id == grid.id).values(lock_version=Grid.lock_version + 1))
    session.commit()
    assert len(_entries(session, "grid", entity_id=str(grid.id))) == before
    _set_leader(session, grid, "王五")  # an audited change of the same row is logged, and only it
    session.commit()
    *_, entry = _entries(session, "grid", entity_id=str(grid.id))
    assert entry.id and entry.action == "update" and entry.changes == {"leader_name": [old_leader, "王五"]}


def test_the_trigger_is_what_logs(session, world_ab):
    """Negative control: with the update trigger disabled (in a savepoint), the same change logs nothing."""
    grid = session.scalars(select(Grid).where(Grid.version_id == world_ab.version_id, Grid.code == "A2")).one()
    count = session.scalar(select(text("count(*)")).select_from(AuditLog))
    nested = session.begin_nested()
    session.execute(text("ALTER TABLE grid DISABLE TRIGGER audit_grid_update"))
    _set_leader(session, grid, "赵六")
    assert session.scalar(select(text("count(*)")).select_from(AuditLog)) == count
    nested.rollback()  # the DDL is transactional: the trigger is enabled again
    _set_leader(session, grid, "赵六")
    session.commit()
    assert session.scalar(select(text("count(*)")).select_from(AuditLog)) == count + 1


def test_rolled_back_work_leaves_no_audit_row(session, world_ab):
    count = session.scalar(select(text("count(*)")).select_from(AuditLog))
    nested = session.begin_nested()
    session.execute(update(BoundaryVersion).where(BoundaryVersion.id == world_ab.version_id).values(label="临时"))
    assert session.scalar(select(text("count(*)")).select_from(AuditLog)) == count + 1
    nested.rollback()
    assert session.scalar(select(text("count(*)")).select_from(AuditLog)) == count


def test_passwords_are_never_logged_in_clear(session):
    user = auth_service.create_user(session, "auditee", "secret-pass-1", "grid_staff", grid_codes=("A",))
    (created,) = _entries(session, "app_user", entity_id=str(user.id))
    assert created.changes["username"] == "auditee" and "secret-pass-1" not in str(created.changes)
    assert len(created.changes["password_hash"]) == 32
    assert _entries(session, "app_user_grid", entity_id=str(user.id))[0].entity_key == "A"


def test_without_an_actor_the_database_role_is_logged(session, world_ab):
    entry = _entries(session, "boundary_version", entity_id=str(world_ab.version_id))[0]
    assert entry.actor_source == "db" and entry.actor_name == "gisgrid" and entry.actor_id is None


def test_cli_commands_are_audited_as_the_os_user(audit_app, session, tmp_path, monkeypatch):
    from gisgrid.cli import main

    monkeypatch.setenv("GISGRID_ACTOR", "ops_zhang")
    path = worlds.write(worlds.world_ab_frame(), tmp_path / "ab.geojson")
    result = audit_app.test_cli_runner().invoke(main, ["grids", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    listed = audit_app.test_cli_runner().invoke(main, ["audit", "list", "--entity", "boundary", "--actor", "ops_zhang"])
    assert listed.exit_code == 0, listed.output
    assert "ops_zhang (cli)" in listed.output and "边界版本" in listed.output
    bad = audit_app.test_cli_runner().invoke(main, ["audit", "list", "--since", "yesterday"])
    assert bad.exit_code == 1 and "since" in bad.output


def test_migration_0009_downgrades_and_upgrades(database_url):
    from alembic import command
    from sqlalchemy import create_engine

    from tests.conftest import fresh_database

    triggers = text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'audit_%'")
    with fresh_database("gisgrid_audit_mig") as url:
        command.upgrade(alembic_config(url), "heads")
        engine = create_engine(url)
        with engine.connect() as conn:
            # at least the 16 tables of 0009, lottery_draw and lottery_plan (0012_rules1) and unit_grid (0014u); since
            # 0015_scale grid, grid_staff and unit_grid have one set-wise trigger per event: 16 + 3 * 3
            audited = conn.execute(triggers).scalar()
            assert audited >= 25
        command.downgrade(alembic_config(url), "0008")  # below 0009 (and so 0010 too)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('audit_log')")).scalar() is None
            assert conn.execute(triggers).scalar() == 0
        command.upgrade(alembic_config(url), "heads")
        with engine.connect() as conn:
            assert conn.execute(triggers).scalar() == audited  # every later table's trigger is back
        engine.dispose()
