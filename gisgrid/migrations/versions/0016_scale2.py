"""Patrol tracks partitioned by month of ``started_at`` (issue 25, "big tables"), keeping every row.

A province's ~20,000 grid staff upload a track per patrol: tens of millions of rows a year, each with
its points. ``patrol_track`` becomes a declaratively partitioned table (RANGE on ``started_at``, one
partition per China month, named ``patrol_track_yYYYYmMM``), so old months are dropped whole by the
retention job (``GISGRID_PATROL_RETENTION_MONTHS``, gisgrid/patrols/partitions.py) instead of by a
DELETE that rewrites the table and its indexes, and a month's queries only read their partitions.

- The primary key becomes (id, started_at) and the phone's idempotency key (user_id, client_id,
  started_at): PostgreSQL requires the partition key in every unique constraint. A retried upload has
  the same points, so the same ``started_at``: a retry is still found and still refused twice.
- Partitions are created for every month the existing rows need, and on demand afterwards
  (``partitions.ensure`` before an insert; the periodic job creates this and next month ahead).
- The row audit trigger of 0015_field becomes the set-wise statement triggers of 0015_scale
  (``gisgrid_audit_set``) on the partitioned table: a row trigger on a partitioned table fires on the
  partition and would log the partition's name as the entity; a statement trigger fires on the table
  named in the statement and sees the rows of every partition in its transition tables.
- The ids keep their sequence (``patrol_track_id_seq``), so ids stay unique and keep growing.

``job_run`` (gisgrid/jobs/models.py): background jobs a user started (imports with repair, open-data
builds), with state, progress and a lease, so a job survives a worker restart and its starter sees it.
Not audited (the worker's bookkeeping; what a job changes is audited by its own tables).

Downgrade copies the rows back into a plain table with the old constraints and row trigger.

Revision ID: 0016_scale2
Revises: 0016_disclose
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0016_scale2"
down_revision = "0016_disclose"
branch_labels = None
depends_on = None

AUDIT_ARGS = "'geom,points', '', 'patroller', 'id'"  # as 0015_field's row trigger
EVENTS = {
    "insert": "NEW TABLE AS new_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
}
COLUMNS = (
    "id, user_id, patroller, origin, started_at, ended_at, geom, points, cleaning, length_m, uploaded_at, client_id"
)
# the columns as 0007 and 0015_field made them; the id's default is the kept sequence
COLUMN_DDL = """
    id integer NOT NULL DEFAULT nextval('patrol_track_id_seq'),
    user_id integer REFERENCES app_user (id) ON DELETE SET NULL,
    patroller text NOT NULL,
    origin text NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz NOT NULL,
    geom geometry(LINESTRING, 4326) NOT NULL,
    points jsonb NOT NULL,
    cleaning jsonb NOT NULL,
    length_m double precision NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    client_id text
"""
# one partition per month that existing rows need (China time, as gisgrid.clock), from the old table
MONTH_PARTITIONS = """
DO $$
DECLARE m timestamp;
BEGIN
  FOR m IN SELECT DISTINCT date_trunc('month', started_at AT TIME ZONE 'Asia/Shanghai') FROM patrol_track_plain LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF patrol_track FOR VALUES FROM (%L) TO (%L)',
                   'patrol_track_' || to_char(m, '"y"YYYY"m"MM'),
                   (m AT TIME ZONE 'Asia/Shanghai'), ((m + interval '1 month') AT TIME ZONE 'Asia/Shanghai'));
  END LOOP;
END $$
"""


def _set_aside_old() -> None:
    op.execute("DROP TRIGGER IF EXISTS audit_patrol_track ON patrol_track")
    op.execute("ALTER SEQUENCE patrol_track_id_seq OWNED BY NONE")  # survives the old table's drop
    op.execute("ALTER TABLE patrol_track RENAME TO patrol_track_plain")
    for name in ("patrol_track_pkey", "ix_patrol_track_geom", "ix_patrol_track_time", "uq_patrol_track_client"):
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_plain")


def _job_run() -> None:
    op.create_table(
        "job_run",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("args", JSONB, nullable=False),
        sa.Column("dedupe_key", sa.Text),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("state", sa.Text, nullable=False, server_default="queued"),
        sa.Column("done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("result", JSONB),
        sa.Column("error", sa.Text),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("max_attempts", sa.Integer, nullable=False, server_default="3"),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="ck_job_run_state"),
    )
    op.create_index("ix_job_run_user", "job_run", ["user_id", "created_at"])
    op.create_index(
        "ix_job_run_open",
        "job_run",
        ["state", "lease_until"],
        postgresql_where=sa.text("state IN ('queued', 'running')"),
    )
    op.create_index(
        "uq_job_run_open_key",
        "job_run",
        ["dedupe_key"],
        unique=True,
        postgresql_where=sa.text("state IN ('queued', 'running') AND dedupe_key IS NOT NULL"),
    )


def upgrade() -> None:
    _job_run()
    _set_aside_old()
    op.execute(f"CREATE TABLE patrol_track ({COLUMN_DDL}) PARTITION BY RANGE (started_at)")
    op.execute("ALTER TABLE patrol_track ADD CONSTRAINT patrol_track_pkey PRIMARY KEY (id, started_at)")
    op.execute("ALTER TABLE patrol_track ADD CONSTRAINT uq_patrol_track_client UNIQUE (user_id, client_id, started_at)")
    op.execute("CREATE INDEX ix_patrol_track_geom ON patrol_track USING gist (geom)")
    op.execute("CREATE INDEX ix_patrol_track_time ON patrol_track (started_at, ended_at)")
    op.execute(MONTH_PARTITIONS)
    # copied before the audit triggers exist: moving rows is not a change anybody made
    op.execute(f"INSERT INTO patrol_track ({COLUMNS}) SELECT {COLUMNS} FROM patrol_track_plain")
    op.execute("DROP TABLE patrol_track_plain")
    op.execute("ALTER SEQUENCE patrol_track_id_seq OWNED BY patrol_track.id")
    for event, referencing in EVENTS.items():
        op.execute(
            f"CREATE TRIGGER audit_patrol_track_{event} AFTER {event.upper()} ON patrol_track "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION gisgrid_audit_set({AUDIT_ARGS})"
        )


def downgrade() -> None:
    op.drop_table("job_run")
    for event in EVENTS:
        op.execute(f"DROP TRIGGER IF EXISTS audit_patrol_track_{event} ON patrol_track")
    op.execute("ALTER SEQUENCE patrol_track_id_seq OWNED BY NONE")
    op.execute("ALTER TABLE patrol_track RENAME TO patrol_track_parted")
    for name in ("patrol_track_pkey", "ix_patrol_track_geom", "ix_patrol_track_time", "uq_patrol_track_client"):
        op.execute(f"ALTER INDEX {name} RENAME TO {name}_parted")
    op.execute(f"CREATE TABLE patrol_track ({COLUMN_DDL}, CONSTRAINT patrol_track_pkey PRIMARY KEY (id))")
    op.execute("CREATE INDEX ix_patrol_track_geom ON patrol_track USING gist (geom)")
    op.execute("CREATE INDEX ix_patrol_track_time ON patrol_track (started_at, ended_at)")
    # a client id used in two months (possible only after the upgrade) stays on its first track; the
    # later tracks keep every point but lose the id (the old constraint allows it once per user)
    kept = COLUMNS.replace("client_id", "CASE WHEN k = 1 THEN client_id END")
    op.execute(
        f"INSERT INTO patrol_track ({COLUMNS}) SELECT {kept} FROM ("
        f" SELECT *, row_number() OVER (PARTITION BY user_id, client_id ORDER BY id) AS k FROM patrol_track_parted"
        f") AS t"
    )
    op.execute("ALTER TABLE patrol_track ADD CONSTRAINT uq_patrol_track_client UNIQUE (user_id, client_id)")
    op.execute("DROP TABLE patrol_track_parted")  # and its partitions
    op.execute("ALTER SEQUENCE patrol_track_id_seq OWNED BY patrol_track.id")
    op.execute(
        "CREATE TRIGGER audit_patrol_track AFTER INSERT OR UPDATE OR DELETE ON patrol_track "
        f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({AUDIT_ARGS})"
    )
