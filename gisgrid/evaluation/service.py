"""考评 writes: open a round (forms pre-filled from the data), fill, submit, review, attach evidence, finish.

Services take values and a session; each write is one unit of work; audit rows come from the triggers.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid import media, periods
from gisgrid.db import unit_of_work
from gisgrid.deployment.model import Profile
from gisgrid.errors import Conflict, InvalidInput, NotFound, TooLarge
from gisgrid.evaluation import access, indicators, queries, scoring, templates
from gisgrid.evaluation.models import EvaluationEvidence, EvaluationForm, EvaluationRound
from gisgrid.grids import versions as grid_versions
from gisgrid.incidents.deadlines import add_working_days

SELF_DUE_WORKING_DAYS = 10  # product default: self-evaluations due ten working days after the period
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024  # as a dossier document
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def _now() -> datetime:
    return datetime.now(UTC)


def default_kind(profile: Profile) -> str:
    """The profile's self-evaluation period, or a year when the plan fixes none."""
    return profile.self_evaluation_period if profile.self_evaluation_period in periods.KINDS else "year"


def open_round(session: Session, user, profile: Profile, params: dict, today: date) -> EvaluationRound:
    """Open a round for a period (default: the profile's period just ended) with a pre-filled form per grid."""
    kind = params.get("period") or default_kind(profile)
    year, number = periods.previous(kind, today) if kind in periods.KINDS else (0, 0)
    year, number = params.get("year") or year, params.get("number") or number
    start, end = periods.bounds(kind, year, number)
    lowest = params.get("lowest_depth") or 2
    if not 2 <= lowest <= max(len(profile.levels), 2):
        raise InvalidInput(f"lowest_depth: 应在 2–{len(profile.levels)} 之间", {"lowest_depth": ["out of range"]})
    label = periods.label(kind, year, number) + "网格化环境监管考评"
    with unit_of_work(session, conflict=f"{label} 已经发起 (round exists)"):
        version = grid_versions.find_published(session)
        if version is None:
            raise NotFound("尚未发布网格边界 (no published boundary version)")
        access.require_top(user, queries.top_codes(session, version.id))
        if session.scalar(select(EvaluationRound.id).where(EvaluationRound.label == label)):
            raise Conflict(f"{label} 已经发起 (round exists)")
        due = params.get("due_on") or add_working_days(end, SELF_DUE_WORKING_DAYS)
        template = templates.load(profile.evaluation.template)
        rnd = EvaluationRound(
            label=label, period=kind, starts_on=start, ends_on=end, due_on=due, template=template,
            lowest_depth=lowest, version_id=version.id, created_by=user.username,
        )  # fmt: skip
        session.add(rnd)
        grids = [g for g in queries.round_grids(session, version.id, lowest) if access.in_scope(user, g["chain"])]
        if not grids:
            raise InvalidInput("您的管辖范围内没有下级网格可参评 (no lower grid in your scope)")
        rnd.forms = _forms(session, grids, template, indicators.Period(start, end))
    return rnd


def _forms(session: Session, grids: list[dict], template: dict, period) -> list[EvaluationForm]:
    names = sorted({n for item in templates.items(template) for n in item["indicators"]})
    forms = []
    for g in grids:
        values = indicators.compute(session, g["code"], period, names)
        prefilled = {
            item["key"]: {"score": score, "note": "由数据预填", "prefilled": True}
            for item in templates.items(template)
            if (score := templates.prefilled_score(item, values)) is not None
        }
        forms.append(
            EvaluationForm(
                grid_code=g["code"],
                grid_name=g["name"],
                level=g["level"],
                parent_code=g["parent_code"],
                chain=list(g["chain"]),
                indicators=values,
                self_scores=prefilled,
            )  # fmt: skip
        )
    return forms


def _open_form(session: Session, form_id: int) -> EvaluationForm:
    form = session.get(EvaluationForm, form_id, with_for_update=True)
    if form is None:
        raise NotFound(f"考评表 {form_id} 不存在 (no such form)")
    if form.round.state != "open":
        raise Conflict("本轮考评已结束 (the round is finished)")
    return form


def save_self(session: Session, user, form_id: int, body: dict) -> EvaluationForm:
    """The grid saves its self-evaluation scores; with ``submit`` every item needs a score and it goes upward."""
    with unit_of_work(session):
        form = _open_form(session, form_id)
        access.require_fill(user, form)
        if form.state not in ("draft", "returned"):
            raise Conflict("自评已提交，等待上级评审 (already submitted)")
        form.self_scores = scoring.merge(form.round.template, form.self_scores, body.get("scores", {}))
        if body.get("note") is not None:
            form.self_note = body["note"].strip()[: scoring.MAX_NOTE]
        if body.get("submit"):
            form.self_total = scoring.require_complete(form.round.template, form.self_scores)
            form.state, form.submitted_by, form.submitted_at = "submitted", user.username, _now()
    return form


def review(session: Session, user, form_id: int, body: dict) -> EvaluationForm:
    """The upper grid scores a submitted form (accept) or sends it back with a reason (return)."""
    with unit_of_work(session):
        form = _open_form(session, form_id)
        access.require_review(user, form)
        if form.state != "submitted":
            raise Conflict("只有已提交的自评可以评审 (only submitted forms are reviewed)")
        form.review_scores = scoring.merge(form.round.template, form.review_scores, body.get("scores", {}))
        form.review_note = (body.get("note") or "").strip()[: scoring.MAX_NOTE] or None
        if body.get("decision") == "return":
            if not form.review_note:
                raise InvalidInput("note: 退回须说明理由 (a return needs a reason)", {"note": ["required"]})
            form.state = "returned"
        else:
            form.review_total = scoring.require_complete(form.round.template, form.review_scores)
            form.state = "reviewed"
        form.reviewed_by, form.reviewed_at = user.username, _now()
    return form


def add_evidence(session: Session, user, form_id: int, item_key: str, upload: tuple, media_dir: str):
    """Attach a file to one item of a self-evaluation (PDF, image, Office, text); the file goes if the row does."""
    filename, data = upload
    with unit_of_work(session):
        form = _open_form(session, form_id)
        access.require_fill(user, form)
        if item_key not in {i["key"] for i in templates.items(form.round.template)}:
            raise InvalidInput(f"item: 模板中没有项目 {item_key!r} (unknown item)", {"item": ["unknown item"]})
        if not data:
            raise InvalidInput("file: 文件为空 (empty file)", {"file": ["empty"]})
        if len(data) > MAX_EVIDENCE_BYTES:
            raise TooLarge.upload("file", MAX_EVIDENCE_BYTES, "佐证材料")
        media.sniff_document(data)
        safe = _SAFE_NAME.sub("_", Path(filename or "file").name).strip("._")[:100] or "file"
        stored = media.save(session, media_dir, f"evaluation/{form.id}", data, "_" + safe)
        evidence = EvaluationEvidence(
            form_id=form.id, item_key=item_key, title=safe, filename=safe, stored_path=stored,
            size=len(data), uploaded_by=user.username,
        )  # fmt: skip
        session.add(evidence)
    return evidence


def finish_round(session: Session, user, round_id: int) -> EvaluationRound:
    """Close a round once every form is reviewed; its ranking is then final."""
    with unit_of_work(session):
        rnd = session.get(EvaluationRound, round_id, with_for_update=True)
        if rnd is None:
            raise NotFound(f"考评 {round_id} 不存在 (no such round)")
        access.require_top(user, queries.top_codes(session, rnd.version_id))
        waiting = [f.grid_name for f in rnd.forms if f.state != "reviewed"]
        if waiting:
            raise Conflict(f"还有 {len(waiting)} 个网格未完成评审：{'、'.join(waiting[:5])} (forms not reviewed)")
        rnd.state, rnd.finished_at = "finished", _now()
    return rnd
