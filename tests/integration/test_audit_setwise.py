"""The set-wise audit triggers of grid, grid_staff and unit_grid (0015_scale) log what the row trigger did.

One statement that touches many rows still leaves one entry per changed row with its own changes;
a cascade delete logs every row; the geometry fingerprint is the md5 of the stored value. Own
committed database (the fixtures of test_audit.py), because entries are grouped by transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, text, update

from gisgrid.audit.models import AuditLog
from gisgrid.grids.models import BoundaryVersion, Grid, GridStaff
from tests.integration.test_audit import _entries, as_planner, audit_app, session  # noqa: F401


def _grids(session, version_id):
    return session.scalars(select(Grid).where(Grid.version_id == version_id).order_by(Grid.code)).all()


def test_one_statement_over_many_rows_logs_each_changed_row(session, world_ab, as_planner):
    grids = _grids(session, world_ab.version_id)
    before = {g.id: len(_entries(session, "grid", entity_id=str(g.id))) for g in grids}
    renamed = {g.code for g in grids if g.level == 2}
    # one UPDATE over the whole version; level-1 rows get their own value back: nothing audited changes
    session.execute(
        update(Grid)
        .where(Grid.version_id == world_ab.version_id)
        .values(duties=func.coalesce(Grid.duties, "") + text("CASE WHEN level = 2 THEN '（已更新）' ELSE '' END"))
    )
    session.commit()
    assert renamed and len(renamed) < len(grids)
    for grid in grids:
        entries = _entries(session, "grid", entity_id=str(grid.id))
        if grid.code in renamed:
            (entry,) = entries[before[grid.id] :]
            old, new = entry.changes["duties"]
            assert entry.action == "update" and new == (old or "") + "（已更新）" and set(entry.changes) == {"duties"}
            assert (entry.actor_name, entry.actor_source, entry.entity_key) == ("planner_wang", "cli", grid.code)
        else:
            assert len(entries) == before[grid.id]  # nothing audited changed: no entry


def test_a_cascade_delete_logs_every_grid_and_staff_row(session, world_ab, as_planner):
    ids = {str(g.id): g.code for g in _grids(session, world_ab.version_id)}
    staff = session.scalars(select(GridStaff).where(GridStaff.grid_id.in_([int(i) for i in ids]))).all()
    session.execute(update(BoundaryVersion).where(BoundaryVersion.status == "published").values(status="superseded"))
    session.execute(delete(BoundaryVersion).where(BoundaryVersion.id == world_ab.version_id))
    session.commit()
    deleted = {e.entity_id: e for e in _entries(session, "grid", action="delete") if e.entity_id in ids}
    assert set(deleted) == set(ids)
    assert all(e.entity_key == ids[i] and e.changes["code"] == ids[i] for i, e in deleted.items())
    assert all(len(e.changes["geom"]) == 32 for e in deleted.values())
    staff_deleted = {e.entity_id for e in _entries(session, "grid_staff", action="delete")}
    assert {str(s.id) for s in staff} <= staff_deleted


def test_the_geometry_fingerprint_is_the_md5_of_the_stored_value(session, world_ab):
    grid = _grids(session, world_ab.version_id)[0]
    (entry,) = _entries(session, "grid", action="insert", entity_id=str(grid.id))
    stored = session.scalar(select(func.md5(text("geom::text"))).select_from(Grid).where(Grid.id == grid.id))
    assert entry.changes["geom"] == stored


def test_the_import_is_one_insert_entry_per_row_with_its_final_values(session, world_ab):
    entries = session.scalars(
        select(AuditLog).where(AuditLog.entity == "grid", AuditLog.txid == _txid(session, world_ab))
    ).all()
    grids = {str(g.id): g for g in _grids(session, world_ab.version_id)}
    assert sorted(e.entity_id for e in entries) == sorted(grids) and {e.action for e in entries} == {"insert"}
    for entry in entries:
        grid = grids[entry.entity_id]
        assert entry.changes["parent_id"] == grid.parent_id and abs(entry.changes["area_m2"] - grid.area_m2) < 1e-6


def _txid(session, world_ab):
    (entry,) = _entries(session, "boundary_version", action="insert", entity_id=str(world_ab.version_id))
    return entry.txid
