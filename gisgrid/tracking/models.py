"""Tracked items, their progress notes, attachments and escalations (migration 0015_supervise)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisgrid.auth.models import User
from gisgrid.models import Base

# 全程督办 (important matters, followed throughout) / 迅速督办 (urgent) / 定期督办 (general, periodic)
PRIORITIES = ("full", "rapid", "regular")
STATES = ("open", "in_progress", "reported_done", "accepted", "sent_back")
ACTIVE_STATES = ("open", "in_progress", "sent_back")  # the owner still has to act: these can be overdue


class TrackedItem(Base):
    """Something an owner (grid or department, optionally a person) must do by ``due``, watched from above."""

    __tablename__ = "tracked_item"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(Text, nullable=False)  # duban, decision, rectification, … (service.KINDS)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="open")
    owner_grid_code: Mapped[str | None] = mapped_column(Text)
    owner_department_code: Mapped[str | None] = mapped_column(Text)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    # the owner's grid chain, top first: who sees it (owner and the leaders above) and the escalation path
    chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    watcher_grid_code: Mapped[str | None] = mapped_column(Text)
    watcher_label: Mapped[str] = mapped_column(Text, nullable=False)
    watcher_chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default="{}")
    about_kind: Mapped[str | None] = mapped_column(Text)
    about_id: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[date] = mapped_column(Date, nullable=False)
    due: Mapped[date] = mapped_column(Date, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalation_level: Mapped[int] = mapped_column(SmallInteger, nullable=False, server_default="0")
    escalated_to: Mapped[str | None] = mapped_column(Text)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # loaded on access (lists and the escalation run never need them; the item page loads them in one go)
    notes: Mapped[list[TrackedNote]] = relationship(order_by="TrackedNote.id")
    attachments: Mapped[list[TrackedAttachment]] = relationship(order_by="TrackedAttachment.id")
    escalations: Mapped[list[TrackedEscalation]] = relationship(order_by="TrackedEscalation.id")
    owner_user: Mapped[User | None] = relationship(foreign_keys=[owner_user_id], lazy="joined")

    __table_args__ = (
        CheckConstraint(f"priority IN {PRIORITIES}", name="ck_tracked_item_priority"),
        CheckConstraint(f"state IN {STATES}", name="ck_tracked_item_state"),
        CheckConstraint(
            "owner_grid_code IS NOT NULL OR owner_department_code IS NOT NULL", name="ck_tracked_item_owner"
        ),
        CheckConstraint("cardinality(chain) >= 1", name="ck_tracked_item_chain"),
        CheckConstraint("due >= opened_on", name="ck_tracked_item_due"),
        Index("ix_tracked_item_chain", "chain", postgresql_using="gin"),
        Index("ix_tracked_item_watcher_chain", "watcher_chain", postgresql_using="gin"),
        Index("ix_tracked_item_about", "about_kind", "about_id"),
        Index("ix_tracked_item_state_due", "state", "due"),
    )


class TrackedNote(Base):
    """One step on an item: a progress note or a state change, with who and when."""

    __tablename__ = "tracked_note"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("tracked_item.id", ondelete="CASCADE"), nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(Text, nullable=False)
    action: Mapped[str] = mapped_column(Text, nullable=False)
    from_state: Mapped[str] = mapped_column(Text, nullable=False)
    to_state: Mapped[str] = mapped_column(Text, nullable=False)
    text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_tracked_note_item", "item_id"),)


class TrackedAttachment(Base):
    """A file sent with a note (stored through gisgrid.media like case photos)."""

    __tablename__ = "tracked_attachment"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("tracked_item.id", ondelete="CASCADE"), nullable=False)
    note_id: Mapped[int | None] = mapped_column(ForeignKey("tracked_note.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(Text, nullable=False)
    path: Mapped[str] = mapped_column(Text, nullable=False)
    mime: Mapped[str] = mapped_column(Text, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (Index("ix_tracked_attachment_item", "item_id"),)


class TrackedEscalation(Base):
    """One escalation of an overdue item one level up the grid tree (never silent: a row and its audit)."""

    __tablename__ = "tracked_escalation"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("tracked_item.id", ondelete="CASCADE"), nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    to_grid_code: Mapped[str] = mapped_column(Text, nullable=False)
    deadline: Mapped[date] = mapped_column(Date, nullable=False)  # the deadline whose passing caused it
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reason: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (
        CheckConstraint("level >= 1", name="ck_tracked_escalation_level"),
        Index("uq_tracked_escalation_item_level", "item_id", "level", unique=True),
    )
