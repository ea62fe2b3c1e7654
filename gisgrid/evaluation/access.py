"""Who may see, fill, review and run evaluation forms: the grid-scope rule applied to a form's chain."""

from __future__ import annotations

from gisgrid.auth.capabilities import require
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.errors import Forbidden
from gisgrid.evaluation.models import EvaluationForm

__all__ = ["in_scope", "may_fill", "may_review", "require_fill", "require_review", "require_top", "visible"]


def visible(user, form: EvaluationForm) -> bool:
    """The grid itself and every grid above it (its chain) see its form; foreign grids do not."""
    return in_scope(user, form.chain)


def may_fill(user, form: EvaluationForm) -> bool:
    """The grid's own people fill its self-evaluation (admin too)."""
    return sees_all(user) or form.grid_code in user.grid_codes


def may_review(user, form: EvaluationForm) -> bool:
    """A grid above the form's grid reviews it (评价结果逐级上报); a grid never reviews itself."""
    return sees_all(user) or not user.grid_codes.isdisjoint(form.chain[:-1])


def require_fill(user, form: EvaluationForm) -> None:
    """403 unless ``user`` may fill ``form``."""
    require(user, "evaluate_grids")
    if not may_fill(user, form):
        raise Forbidden("只有本网格可以填写自评 (only the grid itself fills its self-evaluation)")


def require_review(user, form: EvaluationForm) -> None:
    """403 unless ``user`` belongs to a grid above ``form``'s grid."""
    require(user, "evaluate_grids")
    if not may_review(user, form):
        raise Forbidden("只有上级网格可以评审 (only an upper grid reviews)")


def require_top(user, top_codes: set[str]) -> None:
    """Opening or finishing a round: the top grid's people (or admin) only."""
    require(user, "open_evaluation")
    if not sees_all(user) and user.grid_codes.isdisjoint(top_codes):
        raise Forbidden("只有一级网格（领导小组办公室）可以发起或结束考评 (top grid only)")
