"""考评 trend: each grid's reviewed score and rank across the rounds of one period kind (a leader's view)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid import periods
from gisgrid.errors import InvalidInput
from gisgrid.evaluation import templates
from gisgrid.evaluation.models import EvaluationForm, EvaluationRound
from gisgrid.evaluation.queries import scoped

MAX_ROUNDS = 12  # the latest rounds shown: a trend over three years of quarters fits on one chart


def trend(session: Session, user, depth: int | None = None, period: str | None = None) -> dict:
    """Rounds of ``period`` (default: the latest round's kind), oldest first, and per grid of ``depth`` its scores.

    ``depth`` defaults to the highest level with forms in the user's scope. Ranks are counted among the
    reviewed forms of that level the user sees, as on the ranking page; a grid not reviewed in a round has
    no score and no rank there (never a zero).
    """
    if period is not None and period not in periods.KINDS:
        raise InvalidInput(f"period: 未知周期 {period!r} (one of {', '.join(periods.KINDS)})")
    period = period or session.scalar(select(EvaluationRound.period).order_by(EvaluationRound.starts_on.desc()))
    rounds = list(
        session.scalars(
            select(EvaluationRound)
            .where(EvaluationRound.period == period)
            .order_by(EvaluationRound.starts_on.desc())
            .limit(MAX_ROUNDS)
        )
    )[::-1]
    forms = _forms(session, user, [r.id for r in rounds])
    depths = sorted({f.level for f in forms})
    if depth is None:
        depth = depths[0] if depths else None
    at_depth = [f for f in forms if f.level == depth]
    return {
        "period": period,
        "depth": depth,
        "depths": depths,
        "rounds": rounds,
        "max_totals": [templates.max_total(r.template) for r in rounds],
        "grids": _series(rounds, at_depth),
    }


def _forms(session: Session, user, round_ids: list[int]) -> list[EvaluationForm]:
    if not round_ids:
        return []
    query = select(EvaluationForm).where(EvaluationForm.round_id.in_(round_ids))
    return list(session.scalars(scoped(user, query)))


def _series(rounds: list[EvaluationRound], forms: list[EvaluationForm]) -> list[dict]:
    # one row per grid, one cell per round: (score, rank), None where the grid was not reviewed
    position = {r.id: i for i, r in enumerate(rounds)}
    ranks: dict[int, int] = {}
    for rnd in rounds:
        reviewed = [f for f in forms if f.round_id == rnd.id and f.state == "reviewed" and f.review_total is not None]
        reviewed.sort(key=lambda f: (-f.review_total, f.grid_code))
        ranks.update({f.id: i for i, f in enumerate(reviewed, 1)})
    grids: dict[str, dict] = {}
    for f in sorted(forms, key=lambda f: f.grid_code):
        row = grids.setdefault(f.grid_code, {"grid_code": f.grid_code, "grid_name": f.grid_name,
                                             "scores": [None] * len(rounds), "ranks": [None] * len(rounds)})  # fmt: skip
        if f.id in ranks:
            row["scores"][position[f.round_id]] = f.review_total
            row["ranks"][position[f.round_id]] = ranks[f.id]
    return list(grids.values())
