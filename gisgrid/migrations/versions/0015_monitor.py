"""Online monitoring (HJ 212-2017): stations, limits, values partitioned by month, alerts; channel ``monitoring``.

- ``monitor_station`` (监控点 of a pollution source, known by its MN; PW stored as sent, see the model)
  and ``monitor_limit`` (pollutant, unit, 排放限值 per averaging period) are audited by the 0009 trigger
  (the password hashed). When a station was last heard from is in ``monitor_station_state``, not
  audited: the receiver updates it on every batch (an audited column cost 0.85 s per 500 stations).
- ``monitor_value`` is partitioned by month of ``data_time`` (a province's thousands of stations send
  tens of millions of values a day); the receiver creates a month's partition when it first needs it.
  It has no audit trigger (a trigger row per value would multiply the cost of every insert and the
  audit log's size; values are measurements the station signed with its PW, never edited) and no
  foreign key (a check per row in bulk inserts; a station is deactivated, not deleted).
- ``monitor_alert``: exceedance episodes and silences; a case opened by an episode is linked.

Revision ID: 0015_monitor
Revises: 0014u
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0015_monitor"
down_revision = "0015_field"
branch_labels = None
depends_on = None

OLD_CHANNELS = ("web", "hotline", "patrol", "open311", "inspection")
CHANNELS = (*OLD_CHANNELS, "monitoring")
# the audit trigger function of migration 0009: (hashed columns, ignored columns, key column, id column)
AUDIT = {
    "monitor_station": ("location,password", "", "mn", "id"),
    "monitor_limit": ("", "", "pollutant", "id"),
}


def upgrade() -> None:
    _stations()
    _values()
    _alerts()
    for table, args in AUDIT.items():
        quoted = ", ".join(f"'{a}'" for a in args)
        op.execute(
            f"CREATE TRIGGER audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION gisgrid_audit({quoted})"
        )
    op.drop_constraint("ck_incident_channel", "incident", type_="check")
    op.create_check_constraint("ck_incident_channel", "incident", f"channel IN {CHANNELS}")


def _stations() -> None:
    op.create_table(
        "monitor_station",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("pollution_source.id", ondelete="CASCADE"), nullable=False),
        sa.Column("mn", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("password", sa.Text, nullable=False),
        sa.Column("medium", sa.Text, nullable=False),
        sa.Column("location", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
        sa.Column("interval_s", sa.Integer, nullable=False, server_default="600"),
        sa.Column("case_category", sa.Text),
        sa.Column("public", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("active", sa.Boolean, nullable=False, server_default="true"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("medium IN ('gas', 'water')", name="ck_monitor_station_medium"),
        sa.CheckConstraint("interval_s BETWEEN 10 AND 604800", name="ck_monitor_station_interval"),
    )
    op.create_index("ix_monitor_station_source", "monitor_station", ["source_id"])
    op.create_table(
        "monitor_station_state",
        sa.Column(
            "station_id",
            sa.Integer,
            sa.ForeignKey("monitor_station.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "monitor_limit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("station_id", sa.Integer, sa.ForeignKey("monitor_station.id", ondelete="CASCADE"), nullable=False),
        sa.Column("pollutant", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("unit", sa.Text),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("limit_value", sa.Float),
        sa.UniqueConstraint("station_id", "pollutant", "period", name="uq_monitor_limit"),
        sa.CheckConstraint("period IN ('rtd', 'minute', 'hour', 'day')", name="ck_monitor_limit_period"),
    )


def _values() -> None:
    op.create_table(
        "monitor_value",
        sa.Column("station_id", sa.Integer, nullable=False),
        sa.Column("pollutant", sa.Text, nullable=False),
        sa.Column("cn", sa.SmallInteger, nullable=False),
        sa.Column("data_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rtd", sa.Float),
        sa.Column("avg", sa.Float),
        sa.Column("min", sa.Float),
        sa.Column("max", sa.Float),
        sa.Column("cou", sa.Float),
        sa.Column("flag", sa.Text),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("clock_timestamp()")),
        # the primary key makes a re-sent packet (补传 after an outage) a no-op, not a second value
        sa.PrimaryKeyConstraint("station_id", "pollutant", "cn", "data_time", name="pk_monitor_value"),
        postgresql_partition_by="RANGE (data_time)",
    )


def _alerts() -> None:
    op.create_table(
        "monitor_alert",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("station_id", sa.Integer, sa.ForeignKey("monitor_station.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("pollutant", sa.Text, nullable=False, server_default=""),
        sa.Column("period", sa.Text, nullable=False, server_default=""),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("max_value", sa.Float),
        sa.Column("limit_value", sa.Float),
        sa.Column("incident_id", sa.BigInteger, sa.ForeignKey("incident.id", ondelete="SET NULL")),
        sa.CheckConstraint("kind IN ('exceedance', 'offline')", name="ck_monitor_alert_kind"),
    )
    op.create_index(
        "uq_monitor_alert_open",
        "monitor_alert",
        ["station_id", "kind", "pollutant", "period"],
        unique=True,
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index("ix_monitor_alert_started", "monitor_alert", ["started_at"])


def downgrade() -> None:
    op.drop_constraint("ck_incident_channel", "incident", type_="check")
    # NOT VALID: cases the receiver opened keep their channel rather than being deleted by a downgrade
    op.execute(f"ALTER TABLE incident ADD CONSTRAINT ck_incident_channel CHECK (channel IN {OLD_CHANNELS}) NOT VALID")
    op.drop_table("monitor_alert")
    op.drop_table("monitor_value")  # drops its partitions
    op.drop_table("monitor_limit")
    op.drop_table("monitor_station_state")
    op.drop_table("monitor_station")
