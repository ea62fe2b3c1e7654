"""Disputes over jurisdiction, designation by the common superior grid, and routing cases to the holder."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.auth.service import sees_all
from gisgrid.clock import china_date
from gisgrid.db import row_id, unit_of_work
from gisgrid.errors import Conflict, InvalidInput, ValidationFailed
from gisgrid.incidents import workflow
from gisgrid.jurisdiction import access, rules
from gisgrid.jurisdiction.models import JurisdictionDispute, PollutionEvent
from gisgrid.jurisdiction.resolve import Resolution

MIN_REASON = 4  # characters: a designation or a dispute must say why
# also the answer to a lost race: the partial unique index allows one open dispute per event
ALREADY_OPEN = "该事件已有待指定的争议 (a dispute is already open)"


def _reason(value, label: str) -> str:
    text = str(value or "").strip()
    if len(text) < MIN_REASON:
        raise InvalidInput(f"请填写{label}（至少 {MIN_REASON} 个字） ({label} is required)")
    return text[:2000]


def _parties(result: Resolution, requested) -> list[str]:
    having = [hit.code for hit in result.jurisdiction]
    if requested in (None, "", []):
        parties = having
    elif isinstance(requested, list) and all(isinstance(code, str) for code in requested):
        parties = list(dict.fromkeys(requested))
    else:
        raise InvalidInput("parties 须为网格代码列表 (parties must be a list of grid codes)")
    strangers = [code for code in parties if code not in having]
    if strangers:
        raise ValidationFailed(
            f"{'、'.join(strangers)} 对该事件没有管辖权，不能作为争议一方 (not a grid with jurisdiction)"
        )
    if len(parties) < 2:
        raise ValidationFailed("争议须有两个以上有管辖权的网格 (a dispute needs two grids with jurisdiction)")
    # the designation replaces the rules' outcome for the whole event: every grid it could take the case from
    # must be a party, else the superior of two other grids (even the raiser's own) would decide over it
    holder = result.outcome.holder
    left_out = ([holder] if holder not in parties else []) if holder else [c for c in having if c not in parties]
    if left_out:
        raise ValidationFailed(
            f"{'、'.join(left_out)} 的管辖权会被指定取代，须列为争议一方 "
            f"(a grid whose jurisdiction the designation would override must be a party)"
        )
    return parties


def open_dispute(event: PollutionEvent) -> JurisdictionDispute | None:
    """The dispute awaiting designation, if any."""
    return next((d for d in event.disputes if d.state == "open"), None)


def decision(event: PollutionEvent) -> rules.Decision | None:
    """The latest designation of a decided dispute (it overrides the rules)."""
    decided = [d for d in event.disputes if d.state == "decided"]
    if not decided:
        return None
    last = decided[-1]
    return rules.Decision(last.id, last.designated_code, last.deciding_code, last.decision_reason)


def _chain_of(result: Resolution, code: str | None) -> tuple[str, ...] | None:
    for hit in result.jurisdiction:
        if code in hit.chain:
            return hit.chain[: hit.chain.index(code) + 1]
    return None


def raise_dispute(session: Session, user, event: PollutionEvent, result: Resolution, payload: dict):
    """争议：parties (default: every grid with jurisdiction) ask their lowest common superior to designate."""
    with unit_of_work(session, conflict=ALREADY_OPEN):
        parties = _parties(result, payload.get("parties"))
        access.require_party(user, result, parties)
        if open_dispute(event) is not None:
            raise Conflict(ALREADY_OPEN)
        if decision(event) is not None:
            raise Conflict("共同上级已指定管辖，不能再提出争议 (jurisdiction was designated)")
        chains = [hit.chain for hit in result.jurisdiction if hit.code in parties]
        dispute = JurisdictionDispute(
            event_id=event.id,
            parties=parties,
            deciding_code=rules.common_superior(chains),
            reason=_reason(payload.get("reason"), "争议理由"),
            raised_by=user.display_name,
        )
        event.disputes.append(dispute)
    return dispute


def decide(session: Session, user, event: PollutionEvent, result: Resolution, dispute_id, payload: dict):
    """指定管辖 by the common superior: one of the parties, with reasons; the cases are routed to it."""
    with unit_of_work(session):
        dispute = next((d for d in event.disputes if d.id == row_id(dispute_id)), None)
        if dispute is None:
            raise access.not_found("争议", dispute_id)
        # two leaders designating at once: the second waits for the first and then finds it decided
        session.refresh(dispute, with_for_update=True)
        if dispute.state != "open":
            raise Conflict(f"争议 {dispute.id} 已于 {china_date(dispute.decided_at)} 指定管辖 (already decided)")
        access.require_designator(user, _chain_of(result, dispute.deciding_code))
        designated = str(payload.get("designated") or "").strip()
        if designated not in dispute.parties:
            raise ValidationFailed(
                f"指定的网格须为争议一方：{'、'.join(dispute.parties)} (designate one of the parties)"
            )
        dispute.designated_code, dispute.decision_reason = designated, _reason(payload.get("reason"), "指定理由")
        dispute.decided_by, dispute.decided_at, dispute.state = user.display_name, workflow.now(), "decided"
        holder_chain = _chain_of(result, designated)
        _route(
            session,
            user,
            event,
            holder_chain,
            f"由 {dispute.deciding_code or '上级政府'} 指定 {designated} 管辖：{dispute.decision_reason}",
        )
    return dispute


def _route(session: Session, user, event: PollutionEvent, chain: tuple[str, ...], reason: str) -> int:
    moved = 0
    for link in event.cases:
        case = link.incident
        if case.state in workflow.OPEN_STATES and list(case.grid_codes) != list(chain):
            workflow.audit(
                session,
                case,
                user,
                "jurisdiction",
                case.state,
                f"跨界管辖：{case.grid_codes[-1]} → {chain[-1]}（{reason}）",
            )
            case.grid_codes, case.version_id = list(chain), event.version_id
            moved += 1
    return moved


def route_cases(session: Session, user, event: PollutionEvent, result: Resolution) -> int:
    """Send the event's open cases to the grid that holds jurisdiction (audited on each case)."""
    with unit_of_work(session):
        holder = result.outcome.holder
        if open_dispute(event) is not None:
            raise Conflict("管辖争议待共同上级指定，暂不能移交 (a dispute awaits designation)")
        if holder is None:
            raise Conflict("管辖尚未确定，须先由共同上级指定 (jurisdiction undetermined: designate first)")
        access.require_party(user, result, [hit.code for hit in result.jurisdiction])
        moved = _route(session, user, event, _chain_of(result, holder), rules.RULE_LABELS[result.outcome.rule])
    return moved


def allowed(session: Session, user, event: PollutionEvent, result: Resolution) -> dict:
    """What the user may do on the event now (the panel shows only these)."""
    pending = open_dispute(event)
    codes = [hit.code for hit in result.jurisdiction]
    settled = decision(event) is not None
    return {
        "record": not pending
        and not settled
        and any(
            access.may(lambda c=link.incident: access.case_access.require_grid_role(user, c, access.RECORDERS))
            for link in event.cases
        ),
        # staff who may see the event may link a case of their own grids to it (a notified grid's report too)
        "link": not pending and not settled and (sees_all(user) or user.role in access.RECORDERS),
        "dispute": not pending
        and not settled
        and len(codes) > 1
        and access.may(lambda: access.require_party(user, result, codes)),
        "decide": bool(pending)
        and access.may(lambda: access.require_designator(user, _chain_of(result, pending.deciding_code))),
        "route": not pending
        and result.outcome.holder is not None
        and access.may(lambda: access.require_party(user, result, codes)),
    }
