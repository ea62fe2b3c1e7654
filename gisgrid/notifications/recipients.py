"""Who is told about a case step: the same scope rules as acting on the case (incidents/access.py).

Admins see everything but are nobody's addressee: a rule that matches an admin only through
``sees_all`` does not make them a recipient.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.models import User
from gisgrid.auth.service import in_scope
from gisgrid.errors import DomainError
from gisgrid.incidents import access

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")  # a mainland mobile number, the only kind an SMS reaches


def _active(session: Session, *wanted: str) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True), User.role.in_(wanted)).order_by(User.id)))


def handlers(session: Session, incident, departments) -> list[User]:
    """Handlers of ``departments`` whose grids (if any) cover the case."""
    return [u for u in _active(session, roles.HANDLER) if access.in_department(u, incident, list(departments))]


def grid_people(session: Session, incident, wanted: tuple[str, ...], chain=None) -> list[User]:
    """Users of the ``wanted`` roles whose grids cover ``chain`` (default: the case's codes)."""
    codes = access.scope_codes(incident) if chain is None else chain
    return [u for u in _active(session, *wanted) if in_scope(u, codes)]


def escalated_to(session: Session, incident, code: str | None) -> list[User]:
    """督办: the grid leaders and dispatchers of the grid the case was escalated to (or a grid above it)."""
    chain = incident.grid_codes
    upto = chain[: chain.index(code) + 1] if code in chain else chain[:1]
    return grid_people(session, incident, (roles.GRID_LEADER, roles.DISPATCHER), upto)


def verifiers(session: Session, incident) -> list[User]:
    """Whoever may verify the handled case on site (the patrol's reporter, else grid staff/leaders)."""
    found = []
    for user in _active(session, roles.GRID_STAFF, roles.GRID_LEADER):
        try:
            access.require_verifier(user, incident)
        except DomainError:
            continue
        found.append(user)
    return found


def reporter(incident) -> list[User]:
    """The logged-in reporter (citizen account or staff), when there is one and it is active."""
    person = incident.reporter
    return [person] if person is not None and person.active else []


def contact_channel(contact: str | None) -> tuple[str, str] | None:
    """A citizen's contact as (channel, address): an e-mail address or a mainland mobile number, else None."""
    text = re.sub(r"[\s-]", "", contact or "")
    if _EMAIL.match(text):
        return "email", text
    mobile = _MOBILE.match(text)
    return ("sms", mobile.group(1)) if mobile else None
