"""Drafts: a copy of the published boundaries that planners edit before publishing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.editor import queries
from gisgrid.errors import Conflict, NotFound
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import BoundaryVersion


def open_draft(session: Session, user: str) -> int:
    """The open draft based on the published version, or a new copy of it; returns the draft id."""
    published = grid_versions.find_published(session)
    if published is None:
        raise NotFound("尚无已发布的网格边界，无法创建草稿 (nothing is published to copy)")
    with unit_of_work(session):
        queries.lock_version_row(session, published.id)  # two planners opening at once get one draft
        for draft in queries.drafts(session):
            if draft.based_on_id == published.id:
                return draft.id  # the unit ends (nothing written) and releases the lock
        draft_id = queries.new_version(
            session, f"{published.label} · 草稿", f"draft of version {published.id}", published.id, user
        )
        queries.copy_grids(session, published.id, draft_id)
    return draft_id


def get_draft(session: Session, version_id: int) -> BoundaryVersion:
    """A draft version, or NotFound / Conflict when it is not (or no longer) a draft."""
    version = grid_queries.get_version(session, version_id)
    if version is None:
        raise NotFound(f"边界版本 {version_id} 不存在 (no boundary version {version_id})")
    if version.status != "draft":
        raise Conflict(f"版本 {version_id} 已发布或已停用，不能再编辑 (version is not a draft)")
    return version


def draft_geojson(session: Session, version_id: int) -> str:
    """Every grid of a version with its lock counter, as GeoJSON text."""
    if grid_queries.get_version(session, version_id) is None:
        raise NotFound(f"边界版本 {version_id} 不存在 (no boundary version {version_id})")
    return queries.grids_geojson(session, version_id)
