"""责任状 writes and reads: record one (with its signed scan), list those of a user's grids, fetch the scan.

An agreement is issued by an upper grid to a grid below it or to a department for one year; it is
listed on both parties' pages and visible to their grids and every grid above them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gisgrid import media
from gisgrid.agreements.models import Agreement
from gisgrid.auth.capabilities import require
from gisgrid.auth.models import Department
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput, NotFound, TooLarge
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid

MAX_SCAN_BYTES = 20 * 1024 * 1024  # as a dossier document
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def _grid(session: Session, code: str, field: str) -> tuple[Grid, list[str]]:
    """The published grid ``code`` and its chain, or 400 naming the field."""
    version = grid_versions.find_published(session)
    grid = version and session.scalar(select(Grid).where(Grid.version_id == version.id, Grid.code == code))
    if not grid:
        raise InvalidInput(f"{field}: 网格 {code!r} 不存在 (unknown grid)", {field: ["unknown grid"]})
    chain = list(session.scalars(select(Grid.code).where(Grid.id.in_(grid.ancestor_ids)).order_by(Grid.level)))
    return grid, [*chain, grid.code]


def _party(session: Session, body: dict, upper_code: str) -> tuple[str, str, list[str]]:
    """(code, name, chain) of the responsible party: a grid below the issuer, or a department."""
    code = (body.get("party_code") or "").strip()
    if body.get("party_kind") == "department":
        dept = session.scalar(select(Department).where(Department.code == code))
        if dept is None:
            raise InvalidInput(f"party_code: 部门 {code!r} 不存在 (unknown department)", {"party_code": ["unknown"]})
        return dept.code, dept.name, []
    grid, chain = _grid(session, code, "party_code")
    if upper_code not in chain[:-1]:
        raise InvalidInput("party_code: 责任方须是签发网格的下级网格 (party must lie below the issuing grid)")
    return grid.code, grid.name, chain


def create(session: Session, user, body: dict, scan: tuple[str, bytes] | None, media_dir: str) -> Agreement:
    """Record a 责任状 issued by a grid in the user's scope; the signed scan is optional until signed."""
    with unit_of_work(session):
        require(user, "manage_agreements")
        upper, upper_chain = _grid(session, (body.get("upper_code") or "").strip(), "upper_code")
        if not in_scope(user, upper_chain):
            raise Forbidden("签发网格不在您的管辖范围内 (issuing grid outside your scope)")
        code, name, chain = _party(session, body, upper.code)
        agreement = Agreement(
            year=body["year"], title=body["title"].strip(), upper_code=upper.code, upper_name=upper.name,
            upper_chain=upper_chain, party_kind=body.get("party_kind", "grid"), party_code=code, party_name=name,
            party_chain=chain, tasks=body["tasks"].strip(), rewards_penalties=body["rewards_penalties"].strip(),
            signed_on=body.get("signed_on"), created_by=user.username,
        )  # fmt: skip
        if scan:
            _attach(session, agreement, scan, media_dir)
        session.add(agreement)
    return agreement


def _attach(session: Session, agreement: Agreement, scan: tuple[str, bytes], media_dir: str) -> None:
    filename, data = scan
    if len(data) > MAX_SCAN_BYTES:
        raise TooLarge.upload("scan", MAX_SCAN_BYTES, "责任状扫描件")
    if data:
        media.sniff_document(data)
        safe = _SAFE_NAME.sub("_", Path(filename or "scan").name).strip("._")[:100] or "scan"
        agreement.scan_path = media.save(session, media_dir, "agreements", data, "_" + safe)
        agreement.scan_filename, agreement.scan_size = safe, len(data)


def visible(user, agreement: Agreement) -> bool:
    """Both parties and the grids above them; a department's handlers see their department's agreements."""
    if in_scope(user, agreement.upper_chain) or (agreement.party_chain and in_scope(user, agreement.party_chain)):
        return True
    return agreement.party_kind == "department" and getattr(user, "department_code", None) == agreement.party_code


def listing(session: Session, user, year: int | None = None, grid: str | None = None) -> list[Agreement]:
    """Agreements the user sees, newest year first; ``grid``: those where that grid is a party (either side)."""
    query = select(Agreement).order_by(Agreement.year.desc(), Agreement.upper_code, Agreement.party_code)
    if year:
        query = query.where(Agreement.year == year)
    if grid:
        query = query.where(or_(Agreement.upper_code == grid, Agreement.party_code == grid))
    rows = session.scalars(query)
    return [a for a in rows if sees_all(user) or visible(user, a)]


def get(session: Session, user, agreement_id: int) -> Agreement:
    """One agreement the user sees (404 unknown, 403 foreign)."""
    agreement = session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(f"责任状 {agreement_id} 不存在 (no such agreement)")
    if not visible(user, agreement):
        raise Forbidden("该责任状不在您的管辖范围内 (agreement outside your scope)")
    return agreement


def for_grid_year(session: Session, code: str, year: int) -> list[Agreement]:
    """The agreements a grid received in a year (the evaluation's and the 五定 奖惩 field's link)."""
    return list(session.scalars(select(Agreement).where(Agreement.party_code == code, Agreement.year == year)))


def this_year(today: date) -> int:
    """The year an agreement form defaults to."""
    return today.year
