"""Lookup freshness: NOTIFY gisgrid_lookup when the published version or its grids change.

Each web process keeps the published version's lookup answers in memory (``gisgrid/grids/resident.py``)
and LISTENs on ``gisgrid_lookup``. A NOTIFY is delivered at commit (never for a rolled-back
transaction), so a process learns of a publication, a rollback to another version or a restore without
asking the database on every lookup. Statement-level triggers: an import of 100,000 draft grids pays
one check per statement, and notifies nobody, since drafts are not what lookups read.

Payloads: ``version`` (any change to ``boundary_version``: the process re-reads the published key) and
``content`` (a change to the grids, staff or unit grids of the published version: it rebuilds).

Revision ID: 0016_speed
Revises: 0016_scale2
Create Date: 2026-12-05
"""

from alembic import op

revision = "0016_speed"
down_revision = "0016_scale2"
branch_labels = None
depends_on = None

# tables whose rows carry version_id, and grid_staff, which reaches its version through its grid
VERSIONED = ("grid", "unit_grid")

FUNCTIONS = """
CREATE FUNCTION gisgrid_lookup_version_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('gisgrid_lookup', 'version');
    RETURN NULL;
END $$;

CREATE FUNCTION gisgrid_lookup_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- only the published version's rows matter: drafts being imported or edited notify nobody
    IF EXISTS (SELECT 1 FROM changed_rows c JOIN boundary_version v ON v.id = c.version_id
               WHERE v.status = 'published') THEN
        PERFORM pg_notify('gisgrid_lookup', 'content');
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION gisgrid_lookup_staff_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_rows c JOIN grid g ON g.id = c.grid_id
               JOIN boundary_version v ON v.id = g.version_id WHERE v.status = 'published') THEN
        PERFORM pg_notify('gisgrid_lookup', 'content');
    END IF;
    RETURN NULL;
END $$;
"""


def _row_triggers(table: str, function: str) -> list[str]:
    # a transition table serves one event per trigger: the old rows of an update are as telling as the new
    events = (("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD"))
    return [
        f"CREATE TRIGGER lookup_{table}_{name} AFTER {event} ON {table} REFERENCING {which} TABLE AS changed_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        for name, event, which in events
    ]


def upgrade() -> None:
    op.execute(FUNCTIONS)
    op.execute(
        "CREATE TRIGGER lookup_boundary_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON boundary_version "
        "FOR EACH STATEMENT EXECUTE FUNCTION gisgrid_lookup_version_changed()"
    )
    for table in VERSIONED:
        for sql in _row_triggers(table, "gisgrid_lookup_rows_changed"):
            op.execute(sql)
    for sql in _row_triggers("grid_staff", "gisgrid_lookup_staff_changed"):
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS lookup_boundary_version ON boundary_version")
    for table in (*VERSIONED, "grid_staff"):
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS lookup_{table}_{name} ON {table}")
    for function in ("version_changed", "rows_changed", "staff_changed"):
        op.execute(f"DROP FUNCTION IF EXISTS gisgrid_lookup_{function}()")
