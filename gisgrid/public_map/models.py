"""GCJ-02 companion geometry of published grids, for overlays on GCJ-02 (AMap-style) base maps."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import ForeignKey, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from gisgrid.models import Base


class GridGcj02(Base):
    """A grid's geometry shifted vertex by vertex with the GCJ-02 offset (built once per version).

    The SRID says 4326 because GCJ-02 is "lon/lat with an offset": tiles treat it exactly
    as AMap does, as lon/lat projected to web mercator.
    """

    __tablename__ = "grid_gcj02"
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    code: Mapped[str] = mapped_column(Text, nullable=False)
    geom = mapped_column(Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False)

    __table_args__ = (
        Index("ix_grid_gcj02_geom", "geom", postgresql_using="gist"),
        Index("ix_grid_gcj02_version", "version_id"),
    )


class GridGeneralised(Base):
    """A grid's geometry simplified once for a band of low zooms (``zoom`` = the finest zoom it serves).

    Low-zoom tiles cover many large grids; simplifying thousands of vertices per tile request
    is what made them slow, so it is done once per version (``gisgrid tiles prepare``).
    """

    __tablename__ = "grid_generalised"
    grid_id: Mapped[int] = mapped_column(ForeignKey("grid.id", ondelete="CASCADE"), primary_key=True)
    variant: Mapped[str] = mapped_column(Text, primary_key=True)
    zoom: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("boundary_version.id", ondelete="CASCADE"), nullable=False)
    level: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    geom = mapped_column(Geometry("GEOMETRY", srid=4326, spatial_index=False), nullable=False)

    __table_args__ = (
        Index("ix_grid_generalised_geom", "geom", postgresql_using="gist"),
        Index("ix_grid_generalised_version", "version_id", "variant", "zoom", "level"),
    )
