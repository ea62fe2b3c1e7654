"""考评 reads: rounds, forms in a user's scope, the ranking rolled up level by level, and the inbox hook."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid import periods
from gisgrid.auth.capabilities import can
from gisgrid.auth.service import sees_all
from gisgrid.clock import today_in_china
from gisgrid.errors import Forbidden, InvalidInput, NotFound
from gisgrid.evaluation import access
from gisgrid.evaluation.models import EvaluationForm, EvaluationRound
from gisgrid.grids.models import Grid
from gisgrid.incidents.deadlines import add_working_days
from gisgrid.reports import service as reports
from gisgrid.sqlfiles import statement

_PKG = "gisgrid.evaluation"
REVIEW_WORKING_DAYS = 10  # product default: reviews due ten working days after the self-evaluations
SOON_DAYS = 5  # an item due within this many days is more urgent than one due later


def top_codes(session: Session, version_id: int | None) -> set[str]:
    """Codes of the depth-1 grids of a version (the grids that run the evaluation)."""
    return set(session.scalars(select(Grid.code).where(Grid.version_id == version_id, Grid.level == 1)))


def round_grids(session: Session, version_id: int, lowest_depth: int) -> list[dict]:
    """Grids of depth 2..lowest_depth with their chains (sql/round_grids.sql)."""
    rows = session.execute(statement(_PKG, "round_grids.sql"), {"version_id": version_id, "lowest_depth": lowest_depth})
    return [dict(r._mapping) for r in rows]


def scoped(user, query):
    """``query`` of forms narrowed to the user's scope (their grids and below)."""
    # the chain holds the grid and everything above it: a user sees forms of their grids and below
    return query if sees_all(user) else query.where(EvaluationForm.chain.overlap(sorted(user.grid_codes)))


def rounds(session: Session, user) -> list[dict]:
    """Every round with the number of forms the user sees and how many of them are reviewed."""
    out = []
    for rnd in session.scalars(select(EvaluationRound).order_by(EvaluationRound.starts_on.desc())):
        forms = list(session.scalars(scoped(user, select(EvaluationForm).where(EvaluationForm.round_id == rnd.id))))
        reviewed = sum(1 for f in forms if f.state == "reviewed")
        out.append({"round": rnd, "forms": len(forms), "reviewed": reviewed})
    return out


def get_round(session: Session, round_id: int) -> EvaluationRound:
    """A round by id or 404."""
    rnd = session.get(EvaluationRound, round_id)
    if rnd is None:
        raise NotFound(f"考评 {round_id} 不存在 (no such round)")
    return rnd


def visible_form(session: Session, user, form_id: int) -> EvaluationForm:
    """A form the user may see: 404 for an unknown id, 403 for a form of a foreign grid."""
    form = session.get(EvaluationForm, form_id)
    if form is None:
        raise NotFound(f"考评表 {form_id} 不存在 (no such form)")
    if not access.visible(user, form):
        raise Forbidden("该网格不在您的管辖范围内 (grid outside your scope)")
    return form


def ranking(session: Session, user, round_id: int) -> dict:
    """The round's forms in the user's scope ranked per level by the reviewed score, each with its children's mean.

    The mean of the reviewed scores of a grid's direct lower grids is its roll-up (评价结果逐级上报);
    forms not reviewed yet are listed after the ranked ones without a rank.
    """
    rnd = get_round(session, round_id)
    forms = list(session.scalars(scoped(user, select(EvaluationForm).where(EvaluationForm.round_id == round_id))))
    children: dict[str, list[float]] = {}
    for f in forms:
        if f.review_total is not None and f.state == "reviewed":
            children.setdefault(f.parent_code, []).append(f.review_total)
    levels = []
    for depth in sorted({f.level for f in forms}):
        rows = sorted(
            (f for f in forms if f.level == depth),
            key=lambda f: (f.state != "reviewed", -(f.review_total or 0), f.grid_code),
        )
        levels.append({"depth": depth, "rows": [_row(f, i, children) for i, f in enumerate(rows, 1)]})
    return {"round": rnd, "levels": levels}


def _row(form: EvaluationForm, position: int, children: dict) -> dict:
    below = children.get(form.grid_code, [])
    return {
        "form": form,
        "rank": position if form.state == "reviewed" else None,
        "children_mean": round(sum(below) / len(below), 1) if below else None,
        "children_reviewed": len(below),
    }


def waiting_for(session: Session, user, today: date | None = None) -> list[dict]:
    """Inbox hook: evaluation forms to fill or review and work reports due, as {kind, title, url, due, overdue, urgency}."""
    from flask import url_for  # the inbox renders inside a request; only URLs are built here

    if not getattr(user, "is_authenticated", False):
        return []
    today = today or today_in_china()
    query = select(EvaluationForm).join(EvaluationRound).where(EvaluationRound.state == "open")
    items = []
    for form in session.scalars(scoped(user, query).order_by(EvaluationForm.id)):
        kind = _task(user, form)
        if kind is None:
            continue
        due = form.round.due_on if kind == "evaluation_self" else _review_due(form.round.due_on)
        what = "填写自评" if kind == "evaluation_self" else "评审下级自评"
        items.append(_item(kind, f"{form.round.label}：{what}（{form.grid_name}）", url_for(
            "evaluation.form_page", form_id=form.id), due, today))  # fmt: skip
    items += _reports_due(session, user, today, url_for)
    return sorted(items, key=lambda i: (i["urgency"], i["due"] or date.max))


def _reports_due(session: Session, user, today: date, url_for) -> list[dict]:
    # the last complete month, quarter and year of each of the user's grids, until submitted
    if not can(user, "file_reports"):
        return []
    return [
        _item(
            "report_due",
            f"{periods.label(kind, year, number)}{reports.NAMES[kind]}（{code}）待上报",
            url_for("reports.index", grid=code, period=kind, year=year, number=number),
            due,
            today,
        )  # fmt: skip
        for code, kind, year, number, due in reports.due_reports(session, user, today)
    ]


def _task(user, form: EvaluationForm) -> str | None:
    if form.state in ("draft", "returned") and access.may_fill(user, form) and form.grid_code in user.grid_codes:
        return "evaluation_self"
    if form.state == "submitted" and access.may_review(user, form):
        return "evaluation_review"
    return None


def _review_due(self_due: date) -> date | None:
    try:
        return add_working_days(self_due, REVIEW_WORKING_DAYS)
    except InvalidInput:  # the holiday calendar does not know that year yet: no due day rather than a guess
        return None


def _item(kind: str, title: str, url: str, due: date | None, today: date) -> dict:
    overdue = due is not None and due < today
    soon = due is not None and (due - today).days <= SOON_DAYS
    return {
        "kind": kind,
        "title": title,
        "url": url,
        "due": due,
        "overdue": overdue,
        "urgency": 0 if overdue else 1 if soon else 2,
    }
