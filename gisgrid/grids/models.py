"""Boundary versions, grids, their staff, and the subdivided lookup geometry."""

from __future__ import annotations

from datetime import datetime

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gisgrid.models import Base

SRID = 4326
VERSION_STATES = ("draft", "published", "superseded")


class BoundaryVersion(Base):
    """A complete set of grids: loaded as a draft, then published in one step."""

    __tablename__ = "boundary_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(Text, nullable=False, default="draft")
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # editor (migration 0006): the version a draft was copied from, and who made it
    based_on_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(Text)
    # migration 0015_repair: set when the import repaired the coverage (limits and what changed), else NULL
    repair: Mapped[dict | None] = mapped_column(JSONB)
    grids: Mapped[list[Grid]] = relationship(back_populates="version", passive_deletes=True)

    __table_args__ = (
        CheckConstraint(f"status IN {VERSION_STATES}", name="ck_boundary_version_status"),
        # at most one published version: lookups never see two
        Index("uq_boundary_version_published", "status", unique=True, postgresql_where=text("status = 'published'")),
    )


class GridAttributes:
    """The 五定 attribute columns that grid and unit_grid share (the field registry's stored fields)."""

    entity: Mapped[str | None] = mapped_column(Text)
    leader_name: Mapped[str | None] = mapped_column(Text)
    leader_title: Mapped[str | None] = mapped_column(Text)
    leader_phone: Mapped[str | None] = mapped_column(Text)
    leader_phone_public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    contact_phone: Mapped[str | None] = mapped_column(Text)
    contact_phone_public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    duties: Mapped[str | None] = mapped_column(Text)
    sample_data: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    tasks: Mapped[str | None] = mapped_column(Text)  # 定任务 (migration 0013)
    rewards_penalties: Mapped[str | None] = mapped_column(Text)  # 定奖惩: text or a link to the 责任状
    extra: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default="{}")
    # editor (migration 0006): optimistic lock counter of draft edits, and the last editor
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    edited_by: Mapped[str | None] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Grid(GridAttributes, Base):
    """One grid (网格) of one boundary version, with its 五定 responsibility data."""

    __tablename__ = "grid"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"))
    parent_code: Mapped[str | None] = mapped_column(Text)
    ancestor_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False, server_default="{}")
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False)
    area_m2: Mapped[float | None] = mapped_column(Float)

    version: Mapped[BoundaryVersion] = relationship(back_populates="grids")
    staff: Mapped[list[GridStaff]] = relationship(
        back_populates="grid", order_by="GridStaff.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("version_id", "code", name="uq_grid_version_code"),
        CheckConstraint("level >= 1", name="ck_grid_level"),
        Index("ix_grid_geom", "geom", postgresql_using="gist"),
        Index("ix_grid_parent", "parent_id"),
    )


class GridStaff(Base):
    """A grid worker or supervisor (网格员、监督员); the phone is public only when marked so."""

    __tablename__ = "grid_staff"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(Text, nullable=False, default="网格员")
    phone: Mapped[str | None] = mapped_column(Text)
    phone_public: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    grid: Mapped[Grid] = relationship(back_populates="staff")

    __table_args__ = (Index("ix_grid_staff_grid", "grid_id"),)


class GridPart(Base):
    """A piece of a grid's geometry from ST_Subdivide: small polygons keep point tests cheap."""

    __tablename__ = "grid_part"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"), nullable=False)
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    geom = mapped_column(Geometry("POLYGON", srid=SRID, spatial_index=False), nullable=False)

    __table_args__ = (
        Index("ix_grid_part_geom", "geom", postgresql_using="gist"),
        Index("ix_grid_part_grid", "grid_id"),
    )


class UnitGrid(GridAttributes, Base):
    """A 重点监管单元网格: an overlay designated by the grid ``parent_code`` and supervised at its level.

    It lies inside that grid but may cross lower grids, so it is not part of the tiling (no grid_part
    rows, no gap/overlap checks). Same attribute columns as ``grid`` (field registry), no staff.
    """

    __tablename__ = "unit_grid"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    parent_code: Mapped[str] = mapped_column(Text, nullable=False)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=SRID, spatial_index=False), nullable=False)
    area_m2: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("version_id", "code", name="uq_unit_grid_version_code"),
        CheckConstraint("level >= 1", name="ck_unit_grid_level"),
        Index("ix_unit_grid_geom", "geom", postgresql_using="gist"),
        Index("ix_unit_grid_version", "version_id"),
    )
