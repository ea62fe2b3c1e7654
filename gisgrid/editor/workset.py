"""The grids one edit needs, in memory while it runs: lock checks, parent recomputation, saving.

Planners edit leaf grids; a parent is always its children's union plus whatever part of it
no child covered before the edit (so a reported gap stays a gap instead of vanishing).
Grids are loaded on demand (by code, by parent, by bounding box), never the whole draft:
an edit touches a few grids, their neighbours and their ancestors' children.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import and_
from sqlalchemy.orm import Session

from gisgrid.editor import queries
from gisgrid.errors import Conflict, InvalidInput, NotFound, ValidationFailed
from gisgrid.grids.models import Grid

_GEOD = Geod(ellps="WGS84")
SLIVER_M2 = 1.0  # overlaps/remainders below this are float noise, not planning decisions
TOP_LEVEL = 1  # stored levels are depths in the plan (deployment profile): 1 is its first level
ANY_LOCK = "*"  # a base counter that matches any (HTTP's ``If-Match: *``): the client takes the current grid


class StaleLock(Conflict):
    """A grid the edit changes was changed by someone else since the client read it (409; OGC: 412)."""


class DuplicateCode(Conflict):
    """A new grid's code is already used in the draft."""


def area_m2(geom) -> float:
    """Geodesic area of a lon/lat geometry in m²."""
    return abs(_GEOD.geometry_area_perimeter(geom)[0]) if geom is not None and not geom.is_empty else 0.0


def polygonal(geom) -> MultiPolygon:
    """Only the polygon parts of a geometry (overlay results can carry lines and points)."""
    polys = (
        [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty] if geom is not None else []
    )
    return MultiPolygon(polys)


def _counters(value) -> list[str]:
    """The lock counters a ``base`` entry accepts: one, or several (an HTTP ``If-Match`` list: any may match)."""
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


@dataclass
class Item:
    """One grid of the draft."""

    id: int | None
    code: str
    name: str
    level: int
    parent_code: str | None
    lock: int
    edited_by: str | None
    edited_at: datetime | None
    geom: object
    old_geom: object = None
    old_parent: str | None = None
    dirty: bool = False
    direct: bool = False
    attrs: dict = field(default_factory=dict)
    has_children: bool = False  # in the database, before this edit


class Workset:
    """Load a draft's grids under a row lock, change them, check locks, write them back in one transaction."""

    def __init__(self, session: Session, version_id: int, user: str) -> None:
        self.session, self.version_id, self.user = session, version_id, user
        self.items: dict[str, Item] = {}
        self.deleted: list[Item] = []
        self.staff: dict[str, list[dict]] = {}
        self._fetched: set[str] = set()  # codes read from the database (deleted ones stay deleted)
        self._absent: set[str] = set()  # codes asked for that the draft does not have
        self._families: set[str | None] = set()  # parents whose children are all loaded
        self._new: set[str] = set()

    def _load(self, where) -> None:
        for gid, code, name, level, parent, lock, by, at, wkb, has_children in queries.load_grids(
            self.session, self.version_id, where
        ):
            if code in self._fetched:
                continue
            self._fetched.add(code)
            geom = shapely.from_wkb(bytes(wkb))
            self.items[code] = Item(
                gid,
                code,
                name,
                level,
                parent,
                lock,
                by,
                at,
                geom,
                old_geom=geom,
                old_parent=parent,
                has_children=has_children,
            )

    def find(self, code: str | None) -> Item | None:
        """The grid with this code, or None."""
        if code is not None and code not in self._fetched | self._absent | self._new:
            self._load(queries.by_codes([code]))
            if code not in self._fetched:
                self._absent.add(code)
        return self.items.get(code)

    def get(self, code: str) -> Item:
        """The grid with this code, or NotFound."""
        item = self.find(code)
        if item is None:
            raise NotFound(f"草稿中没有编码为 {code} 的网格 (no grid {code} in this draft)")
        return item

    def children(self, code: str | None) -> list[Item]:
        """Direct children of a grid (None: the top-level grids)."""
        if code not in self._families:
            self._families.add(code)
            self._load(queries.by_parent(self.version_id, code))
        return [i for i in self.items.values() if i.parent_code == code]

    def top_level(self) -> int:
        """The level of the draft's top-level grids (they are siblings); the plan's first, 1, when it has none."""
        levels = [i.level for i in self.children(None) if i.id is not None]
        return min(levels, default=TOP_LEVEL)

    def is_leaf(self, item: Item) -> bool:
        """Whether a grid has no children now (asks the database only when it had some)."""
        if item.has_children:
            return not self.children(item.code)
        return not any(i.parent_code == item.code for i in self.items.values())

    def near(self, geom, parent=...) -> list[Item]:
        """Every grid whose bounding box meets ``geom``'s (optionally: only children of ``parent``), loaded."""
        where = queries.by_bbox(*geom.bounds)
        if parent is not ...:
            where = and_(where, queries.by_parent(self.version_id, parent))
        self._load(where)
        return list(self.items.values())

    def leaf(self, code: str) -> Item:
        """A grid that has no children (planners edit leaves; parents follow)."""
        item = self.get(code)
        if not self.is_leaf(item):
            raise InvalidInput(
                f"网格 {code}（{item.name}）有下级网格：请编辑最底层网格，上级网格随之更新 "
                "(edit leaf grids; parents follow)"
            )
        return item

    def check_locks(self, base: dict) -> None:
        """Conflict when a grid this edit changes was changed since the planner loaded it (``base``: code → counter)."""
        for item in [*self.items.values(), *self.deleted]:
            if item.id is None or not (item.direct or item in self.deleted):
                continue
            if item.code not in base:
                raise InvalidInput(f"缺少网格 {item.code} 的版本号 base (lock counter of {item.code} missing)")
            accepted = _counters(base[item.code])
            if ANY_LOCK not in accepted and str(item.lock) not in accepted:
                who = item.edited_by or "其他用户"
                when = item.edited_at.strftime("%Y-%m-%d %H:%M:%S") if item.edited_at else ""
                raise StaleLock(
                    f"网格 {item.code}（{item.name}）已被 {who} 于 {when} 修改（当前版本号 {item.lock}，"
                    f"您的版本号 {'、'.join(accepted) or '无'}），本次修改未保存，请刷新后重做 "
                    f"(grid {item.code} was changed by {who}; nothing of this edit was saved)",
                    details={"code": item.code, "edited_by": item.edited_by, "lock": item.lock},
                )

    def set_geom(self, item: Item, geom, direct: bool = True) -> None:
        """Give a grid new geometry (it must stay a valid, non-empty polygon)."""
        geom = polygonal(shapely.make_valid(geom)) if not shapely.is_valid(geom) else polygonal(geom)
        if geom.is_empty:
            raise ValidationFailed(f"修改后网格 {item.code}（{item.name}）面积为零 (grid would be empty)")
        item.geom, item.dirty = geom, True
        item.direct = item.direct or direct

    def add(self, code: str, name: str, level: int, parent_code: str | None, geom) -> Item:
        """A new grid in the draft."""
        if self.find(code) is not None:
            raise DuplicateCode(f"编码 {code} 已被网格 {self.items[code].name} 使用 (duplicate code)")
        item = Item(None, code, name, level, parent_code, 0, None, None, None)
        self.items[code] = item
        self._new.add(code)
        self.set_geom(item, geom)
        return item

    def remove(self, item: Item) -> None:
        """Delete a grid from the draft."""
        del self.items[item.code]
        self.deleted.append(item)

    def recompute_parents(self, codes: set[str], skip: set[str] = frozenset()) -> None:
        """Re-derive every ancestor of ``codes``: the children's union plus what they left uncovered before."""
        pending, seen = set(codes), set()
        while pending:
            touched = [self.items[c] for c in pending if c in self.items] + [
                d for d in self.deleted if d.code in pending
            ]
            parents = {p for i in touched for p in (i.parent_code, i.old_parent)} - {None}
            parents = {p for p in parents if p not in seen and p not in skip and self.find(p) is not None}
            for code in sorted(parents, key=lambda c: -self.items[c].level):
                self._recompute(self.items[code])
            seen |= parents
            pending = parents

    def _recompute(self, parent: Item) -> None:
        now = [c.geom for c in self.children(parent.code)]
        before = [
            i.old_geom
            for i in [*self.items.values(), *self.deleted]
            if i.old_parent == parent.code and i.old_geom is not None
        ]
        uncovered = polygonal(shapely.difference(parent.old_geom, shapely.union_all(before)))
        kept = [p for p in uncovered.geoms if area_m2(p) > SLIVER_M2]
        self.set_geom(parent, shapely.union_all(now + kept), direct=False)

    def check_no_overlap(self) -> None:
        """Reject an edit that makes a changed grid overlap a sibling (beyond float noise)."""
        for item in [i for i in self.items.values() if i.dirty]:
            for other in self.near(item.geom, item.parent_code):
                if other is item or other.parent_code != item.parent_code or other.level != item.level:
                    continue
                if not item.geom.intersects(other.geom):
                    continue
                overlap = area_m2(polygonal(shapely.intersection(item.geom, other.geom)))
                if overlap > SLIVER_M2:
                    raise ValidationFailed(
                        f"此修改会使网格 {item.code}（{item.name}）与 {other.code}（{other.name}）重叠 {overlap:.1f} "
                        f"平方米，未保存 (the edit would create an overlap; nothing was saved)",
                        details={"codes": [item.code, other.code], "area_m2": overlap},
                    )

    def check_outline(self, allowed_at=None) -> None:
        """Refuse an edit that changes the outline of a top-level grid, unless it moved a vertex of that outline.

        Parents follow their children, so a gap opened between two towns would otherwise
        shrink the county silently instead of being reported.
        """
        for item in self.items.values():
            if item.parent_code is not None or not item.dirty or item.old_geom is None:
                continue
            if allowed_at is not None and item.old_geom.boundary.distance(allowed_at) < 1e-7:
                continue
            changed = area_m2(polygonal(shapely.symmetric_difference(item.old_geom, item.geom)))
            if changed > SLIVER_M2:
                raise ValidationFailed(
                    f"此修改会使最外层网格 {item.code}（{item.name}）的边界变化 {changed:.1f} 平方米（下级网格之间出现缝隙），"
                    f"未保存 (the edit would change the outline of {item.code}; nothing was saved)",
                    details={"code": item.code, "area_m2": changed},
                )

    def save(self) -> list[str]:
        """Write every change and bump lock counters of directly edited grids (the caller's unit commits); returns changed codes."""
        now = datetime.now(UTC)
        queries.delete_grids(self.session, [d.id for d in self.deleted if d.id is not None])
        for item in self.items.values():
            if item.dirty or item.attrs or item.id is None:
                self._write(item, now)
        for code, people in self.staff.items():
            queries.replace_staff(self.session, self.items[code].id, people)
        items = list(self.items.values())
        # only what this edit changed is re-linked and re-subdivided: the draft stays ready for lookups
        queries.refresh_edited(
            self.session,
            self.version_id,
            relink=[i.id for i in items if i.code in self._new or i.parent_code != i.old_parent],
            reshaped=[i.id for i in items if i.dirty],
        )
        return sorted({i.code for i in items if i.dirty or i.attrs} | {d.code for d in self.deleted} | set(self.staff))

    def _write(self, item: Item, now: datetime) -> None:
        values = {"parent_code": item.parent_code, "name": item.name, **item.attrs}
        if item.direct:
            values.update(lock_version=item.lock + 1, edited_by=self.user, edited_at=now)
        if item.id is None:
            grid = Grid(
                version_id=self.version_id,
                code=item.code,
                name=item.name,
                level=item.level,
                geom=f"SRID=4326;{item.geom.wkt}",
                lock_version=1,
                edited_by=self.user,
                edited_at=now,
            )
            self.session.add(grid)
            self.session.flush()
            item.id = grid.id
        queries.update_grid(self.session, item.id, values, shapely.to_wkb(item.geom) if item.dirty else None)
