"""考评 forms to fill or review and 信息报告 due, in the 待办 list."""

from __future__ import annotations

from gisgrid.evaluation.queries import waiting_for
from gisgrid.inbox.registry import register

register("evaluation", waiting_for)
