"""The audit_log table; rows are written only by the database triggers of migration 0009."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, LargeBinary, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
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
    # the per-row hash chain (migration 0016_sec_audit, audit/sql/audit_chain.sql): rows sealed before 0017;
    # later rows are sealed per transaction in audit_seal and leave these empty
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


class AuditSeal(Base):
    """One committed transaction's place in the hash chain: its rows' ids and digests, linked to the one before."""

    __tablename__ = "audit_seal"
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    txid: Mapped[int] = mapped_column(BigInteger, nullable=False)
    ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False)
    # H(canonical text) of each row, 32 bytes each, in the order of ids (audit/sql/audit_seal.sql)
    digests: Mapped[bytes | None] = mapped_column(LargeBinary)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    hash_algo: Mapped[str] = mapped_column(Text, nullable=False)
    prev_hash: Mapped[str | None] = mapped_column(Text)
    hash: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("hash_algo IN ('sha256', 'sm3')", name="ck_audit_seal_algo"),
        Index("ix_audit_seal_txid", "txid"),
    )


class AuditChain(Base):
    """The chains' one head row: the per-row chain's end and anchor, the transaction chain's (tx_*)."""

    __tablename__ = "audit_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    hash: Mapped[str | None] = mapped_column(Text)
    anchor_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    anchor_hash: Mapped[str] = mapped_column(Text, nullable=False, server_default="0" * 64)
    tx_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    tx_hash: Mapped[str | None] = mapped_column(Text)
    tx_anchor_seq: Mapped[int] = mapped_column(BigInteger, nullable=False, server_default="0")
    tx_anchor_hash: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (CheckConstraint("id = 1", name="ck_audit_chain_one_row"),)
