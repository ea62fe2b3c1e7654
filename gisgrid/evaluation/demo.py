"""Demo 考评 and 责任状: finished rounds of the last two years for the grids below the top, and one agreement.

Every score is sample data (the notes say 示例); the 站前 template's items are scored from the data where
an indicator pre-fills them and otherwise with fixed sample values, submitted and reviewed by the admin
standing in for the grid and the 领导小组办公室.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.agreements import service as agreements
from gisgrid.agreements.models import Agreement
from gisgrid.auth.models import User
from gisgrid.clock import today_in_china
from gisgrid.deployment.model import Profile
from gisgrid.evaluation import service, templates
from gisgrid.evaluation.models import EvaluationRound
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid

SAMPLE_SHARES = (0.92, 0.84, 0.76, 0.88, 0.8)  # of an item's maximum, by grid position: a spread to rank


def load_demo_evaluation(session: Session, profile: Profile, today: date | None = None) -> int:
    """Finished rounds of the last two complete years (if none exists yet); returns the number of forms.

    Two rounds give the trend page (/evaluation/trend) a line to draw; the sample shares shift by one grid
    between the years, so the ranks change.
    """
    admin = session.scalar(select(User).where(User.username == "admin"))
    if admin is None or session.scalar(select(EvaluationRound.id).limit(1)):
        return 0
    today = today or today_in_china()
    return sum(_finished_round(session, admin, profile, today, year, shift) for shift, year in
               enumerate((today.year - 2, today.year - 1)))  # fmt: skip


def _finished_round(session: Session, admin: User, profile: Profile, today: date, year: int, shift: int) -> int:
    rnd = service.open_round(session, admin, profile, {"period": "year", "year": year}, today)
    for i, form in enumerate(rnd.forms):
        share = SAMPLE_SHARES[(i + shift) % len(SAMPLE_SHARES)]
        own = {
            item["key"]: {
                "score": form.self_scores.get(item["key"], {}).get("score", round(item["max_score"] * share, 1))
            }
            for item in templates.items(rnd.template)
        }
        service.save_self(session, admin, form.id, {"scores": own, "note": "示例自评", "submit": True})
        lower = {k: {"score": max(v["score"] - 1, 0)} for k, v in own.items()}  # the reviewer is a little stricter
        service.review(session, admin, form.id, {"scores": lower, "note": "示例评审意见"})
    service.finish_round(session, admin, rnd.id)
    return len(rnd.forms)


def load_demo_agreement(session: Session, top_code: str, year: int) -> int:
    """A 责任状 from the top grid to its first lower grid for ``year`` (if none exists yet)."""
    admin = session.scalar(select(User).where(User.username == "admin"))
    version = grid_versions.find_published(session)
    if admin is None or version is None or session.scalar(select(Agreement.id).limit(1)):
        return 0
    child = session.scalar(
        select(Grid.code).where(Grid.version_id == version.id, Grid.parent_code == top_code).order_by(Grid.code)
    )
    if child is None:
        return 0
    body = {
        "year": year,
        "title": f"{year}年度网格化环境监管目标责任书（示例）",
        "upper_code": top_code,
        "party_kind": "grid",
        "party_code": child,
        "tasks": "落实网格化环境监管职责，网格员按月巡查全覆盖；按时限报送工作总结（示例）",
        "rewards_penalties": "年终考核优秀的予以通报表扬；考核不合格的约谈主要负责人（示例）",
        "signed_on": date(year, 2, 15),
    }
    agreements.create(session, admin, body, None, "")
    return 1
