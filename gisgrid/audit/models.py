"""The audit_log table; rows are written only by the database triggers of migration 0009."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

# reveal / export / anonymise: access to reporters' personal data (gisgrid/privacy/record.py, migration 0016)
ACTIONS = ("insert", "update", "delete", "reveal", "export", "anonymise")


class AuditLog(Base):
    """One changed row: who (actor), where from (web/api/cli/db), which entity, what changed."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    # rows of one transaction (one import, one publish, one case action) share a txid
    txid: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default=text("txid_current()"))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str] = mapped_column(Text, nullable=False)
    actor_source: Mapped[str] = mapped_column(Text, nullable=False)
    actor_ip: Mapped[str | None] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(Text, nullable=False)
    entity_id: Mapped[str | None] = mapped_column(Text)
    entity_key: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text, nullable=False)
    changes: Mapped[dict] = mapped_column(JSONB, nullable=False)

    __table_args__ = (
        CheckConstraint(f"action IN {ACTIONS}", name="ck_audit_log_action"),
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor", "actor_name"),
        # "this transaction's entries" for the set-wise trigger's fold (0015_scale)
        Index("ix_audit_log_txid", "txid", "entity", "entity_id"),
    )
