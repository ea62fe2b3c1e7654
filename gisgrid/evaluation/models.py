"""Evaluation rounds, one form per grid and round, and the evidence files attached to a form's items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisgrid.models import Base

ROUND_STATES = ("open", "finished")
FORM_STATES = ("draft", "submitted", "returned", "reviewed")


class EvaluationRound(Base):
    """One 考评 round: a period, the template it uses (a frozen copy) and the grids it covers."""

    __tablename__ = "evaluation_round"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(Text, nullable=False)
    period: Mapped[str] = mapped_column(Text, nullable=False)  # year | half_year | quarter | month
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    due_on: Mapped[date] = mapped_column(Date, nullable=False)  # self-evaluations due
    # a copy of the template at opening: later template edits do not change a running round
    template: Mapped[dict] = mapped_column(JSONB, nullable=False)
    lowest_depth: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("boundary_version.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="open")
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    forms: Mapped[list[EvaluationForm]] = relationship(
        back_populates="round", order_by="EvaluationForm.id", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(f"state IN {ROUND_STATES}", name="ck_evaluation_round_state"),
        CheckConstraint("ends_on >= starts_on", name="ck_evaluation_round_period"),
        UniqueConstraint("label", name="uq_evaluation_round_label"),
    )


class EvaluationForm(Base):
    """One grid's self-evaluation in a round and the upper grid's review of it."""

    __tablename__ = "evaluation_form"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("evaluation_round.id", ondelete="CASCADE"), nullable=False)
    grid_code: Mapped[str] = mapped_column(Text, nullable=False)
    grid_name: Mapped[str] = mapped_column(Text, nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    parent_code: Mapped[str | None] = mapped_column(Text)
    chain: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)  # codes from the top down, own last
    state: Mapped[str] = mapped_column(Text, nullable=False, server_default="draft")
    indicators: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    self_scores: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    self_total: Mapped[float | None] = mapped_column(Float)
    self_note: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_scores: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    review_total: Mapped[float | None] = mapped_column(Float)
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    round: Mapped[EvaluationRound] = relationship(back_populates="forms")
    evidence: Mapped[list[EvaluationEvidence]] = relationship(
        order_by="EvaluationEvidence.id", lazy="selectin", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(f"state IN {FORM_STATES}", name="ck_evaluation_form_state"),
        UniqueConstraint("round_id", "grid_code", name="uq_evaluation_form_grid"),
        Index("ix_evaluation_form_chain", "chain", postgresql_using="gin"),
    )


class EvaluationEvidence(Base):
    """A file (scan, photo, document) a grid attaches to one item of its self-evaluation."""

    __tablename__ = "evaluation_evidence"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("evaluation_form.id", ondelete="CASCADE"), nullable=False)
    item_key: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    stored_path: Mapped[str] = mapped_column(Text, nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    uploaded_by: Mapped[str] = mapped_column(Text, nullable=False)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())

    __table_args__ = (Index("ix_evaluation_evidence_form", "form_id"),)
