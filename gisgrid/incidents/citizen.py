"""没有解决: a citizen who was told their case is closed answers that it is not fixed; the case reopens.

The answer needs the signed link sent with the closing notice, or the short reply code sent with it
(typed on /report/status with the case number, for SMS where a long link costs): both are derived from
the case and the closing they answer, so a code or link from an earlier closing, another case's or a
forged one is refused, and it is accepted only within ``REOPEN_DAYS`` of the closing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, Forbidden, InvalidInput
from gisgrid.incidents import access
from gisgrid.incidents.models import Incident
from gisgrid.incidents.workflow import audit, now

_SALT = "gisgrid-reopen"
MAX_WORDS = 2000


def token(secret: str, incident: Incident) -> str:
    """The reply token of the case's current closing."""
    return URLSafeSerializer(secret, salt=_SALT).dumps([incident.id, incident.closed_at.isoformat()])


def code(secret: str, incident: Incident) -> str:
    """The 8-character reply code of the case's current closing (40 bits: not guessable online)."""
    message = f"{_SALT}:{incident.id}:{incident.closed_at.isoformat()}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:8]


def _check(secret: str, incident: Incident, sent: str) -> None:
    typed = (sent or "").strip().upper()
    if len(typed) == 8 and incident.closed_at is not None:
        if not hmac.compare_digest(typed, code(secret, incident)):
            raise Forbidden("反馈码不正确或已失效 (wrong or stale reply code)")
        return
    try:
        case_id, closed = URLSafeSerializer(secret, salt=_SALT).loads(sent or "")
    except (BadSignature, ValueError, TypeError):
        raise Forbidden("链接无效 (invalid reply link)") from None
    if case_id != incident.id or incident.closed_at is None or closed != incident.closed_at.isoformat():
        raise Forbidden("链接已失效：该链接不属于本案件当前的结案 (link does not match this closing)")


def may_reopen(incident: Incident, days: int) -> bool:
    """Closed (or evaluated) and still within the answer period."""
    return (
        incident.state in ("closed", "evaluated")
        and incident.closed_at is not None
        and now() - incident.closed_at <= timedelta(days=days)
    )


def reopen(session: Session, secret: str, days: int, incident_id: int, sent_token: str, words: str) -> Incident:
    """The reporter says 没有解决: back to 处置中 for the handler, with the reporter's words; audited."""
    with unit_of_work(session):
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise access.not_found(incident_id)
        _check(secret, incident, sent_token)
        if not may_reopen(incident, days):
            raise Conflict(f"已超过结案后 {days} 天的反馈期限，或案件未结案 (answer period over or case not closed)")
        words = (words or "").strip()
        if not words or len(words) > MAX_WORDS:
            raise InvalidInput(
                f"words: 请说明哪里没有解决（1–{MAX_WORDS} 字）(words required)", {"words": ["required"]}
            )
        incident.rework_count += 1
        outcome = incident.outcome
        incident.outcome, incident.outcome_reason, incident.closed_at = None, None, None
        audit(session, incident, None, "reopen", "in_progress", f"举报人反馈没有解决（原结案结果：{outcome}）：{words}")
        incident.state = "in_progress"
    return incident
