"""A background job someone started (an import with repair, an open-data build): its state and progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

STATES = ("queued", "running", "done", "failed")


class JobRun(Base):
    """One run of a registered job kind (``jobs.registry.kind``), kept in the database, not only in Redis.

    Redis may lose a queued message and a killed worker loses its job; the row does not: a run whose
    lease ran out is queued again (``jobs.tracked.recover``), and the user who started it reads its state.
    Not audited: it is the worker's bookkeeping; what a job changes is audited by its own tables.
    """

    __tablename__ = "job_run"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)
    args: Mapped[dict] = mapped_column(JSONB, nullable=False)
    # one open run per key: submitting the same build twice gives the first run (idempotent start)
    dedupe_key: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="queued")
    done: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    total: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    message: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    result: Mapped[dict | None] = mapped_column(JSONB)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="3")
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint(f"state IN {STATES}", name="ck_job_run_state"),
        Index("ix_job_run_user", "user_id", "created_at"),
        Index("ix_job_run_open", "state", "lease_until", postgresql_where=text("state IN ('queued', 'running')")),
        Index(
            "uq_job_run_open_key",
            "dedupe_key",
            unique=True,
            postgresql_where=text("state IN ('queued', 'running') AND dedupe_key IS NOT NULL"),
        ),
    )
