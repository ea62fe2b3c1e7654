"""Set-wise audit of the tables imports write in bulk: statement-level triggers with transition tables.

The row trigger of 0009 looks up this transaction's insert entry in ``audit_log`` on every update
(to fold an import's parent/area updates into the insert entry). It compared the text column
``entity`` with ``TG_TABLE_NAME``, which is of type ``name``: no index applies to that comparison,
so each lookup scanned the whole log. An import of N grids did 2N such scans of a log growing by
N: quadratic (5 s for 2,000 grids, 35 s for 8,000, a 100,000-grid build did not finish in 7
minutes), and every update of any audited row (a case, a source) scanned the whole history too.
``gisgrid_audit()`` is re-created with the cast (audit_trigger.sql) for every table that keeps it. ``grid``, ``grid_staff`` and ``unit_grid`` now have statement-level
triggers ``audit_<table>_insert``, ``_update`` and ``_delete`` (PostgreSQL allows transition tables
only on a single-event trigger), with the row trigger's arguments, whose function
``gisgrid_audit_set`` (gisgrid/audit/sql/audit_set_trigger.sql) writes the same entries set-wise,
and ``ix_audit_log_txid`` makes "this transaction's entries" an index range.

Revision ID: 0015_scale
Revises: 0014u
Create Date: 2026-12-05
"""

from importlib import resources

from alembic import op

revision = "0015_scale"
down_revision = "0015_tokens"
branch_labels = None
depends_on = None

# table: (hashed columns, ignored columns, key column, id column), as the row triggers of 0009 and 0014u had
SET_WISE = {
    "grid": ("geom", "lock_version,edited_at,ancestor_ids", "code", "id"),
    "grid_staff": ("", "", "name", "id"),
    "unit_grid": ("geom", "lock_version,edited_at", "code", "id"),
}


def _args(table: str) -> str:
    return ", ".join(f"'{a}'" for a in SET_WISE[table])


# event → the transition tables its trigger needs (gisgrid_audit_set reads old_rows / new_rows)
EVENTS = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}


def _run_sql_file(name: str) -> None:
    sql = (resources.files("gisgrid.audit") / "sql" / name).read_text(encoding="utf-8")
    # the driver's own cursor without parameters: the functions' format() strings hold % signs
    with op.get_bind().connection.dbapi_connection.cursor() as cursor:
        cursor.execute(sql)


def upgrade() -> None:
    _run_sql_file("audit_trigger.sql")  # the row trigger's lookup with the cast (CREATE OR REPLACE)
    _run_sql_file("audit_set_trigger.sql")
    op.create_index("ix_audit_log_txid", "audit_log", ["txid", "entity", "entity_id"])
    for table in SET_WISE:
        op.execute(f"DROP TRIGGER audit_{table} ON {table}")
        for event, referencing in EVENTS.items():
            op.execute(
                f"CREATE TRIGGER audit_{table}_{event} AFTER {event.upper()} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION gisgrid_audit_set({_args(table)})"
            )


def downgrade() -> None:
    # gisgrid_audit() keeps its cast: the uncast lookup was only slower, never different
    for table in SET_WISE:
        for event in EVENTS:
            op.execute(f"DROP TRIGGER audit_{table}_{event} ON {table}")
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({_args(table)})"
        )
    op.drop_index("ix_audit_log_txid", table_name="audit_log")
    op.execute("DROP FUNCTION gisgrid_audit_set()")
    op.execute("DROP FUNCTION gisgrid_audit_image_sql(oid, text, text[], text[])")
