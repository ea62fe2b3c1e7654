"""The audit_log table; rows are written only by the database triggers of migration 0009."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base

CHANGES = ("insert", "update", "delete")
# security events (gisgrid.audit.security.record), in the same trail the auditor reads and exports
SECURITY_KINDS = ("login", "logout", "login_failed", "permission", "export", "prune")
# reveal / anonymise (and export): access to reporters' personal data (gisgrid/privacy/record.py)
PERSONAL_DATA = ("reveal", "anonymise")
ACTIONS = (*CHANGES, *SECURITY_KINDS, *PERSONAL_DATA)


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
    # the hash chain (migration 0016_sec_audit, audit/sql/audit_chain.sql): filled at commit, never changed
    seq: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(Text)
    row_hash: Mapped[str | None] = mapped_column(Text)
    hash_algo: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(f"action IN {ACTIONS}", name="ck_audit_log_action"),
        Index("ux_audit_log_seq", "seq", unique=True),
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_actor", "actor_name"),
        # "this transaction's entries" for the set-wise trigger's fold (0015_scale)
        Index("ix_audit_log_txid", "txid", "entity", "entity_id"),
    )


class AuditChain(Base):
    """The chain's one head row: its last seq and hash, and the anchor where pruning left its start."""

    __tablename__ = "audit_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    hash: Mapped[str | None] = mapped_column(Text)
    anchor_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    anchor_hash: Mapped[str] = mapped_column(Text, nullable=False, server_default="0" * 64)

    __table_args__ = (CheckConstraint("id = 1", name="ck_audit_chain_one_row"),)
