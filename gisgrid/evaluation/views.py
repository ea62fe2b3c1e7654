"""Plain-data shapes of rounds, forms, rankings and supervisor rows for the JSON API and the pages' scripts."""

from __future__ import annotations

from datetime import date, timedelta

from flask import url_for

from gisgrid.clock import china_iso, today_in_china
from gisgrid.deployment.model import Profile
from gisgrid.errors import InvalidInput
from gisgrid.evaluation import access, templates
from gisgrid.evaluation.models import EvaluationForm, EvaluationRound


def round_json(rnd: EvaluationRound, forms: int = 0, reviewed: int = 0) -> dict:
    """A round with the counts of forms the caller sees."""
    return {
        "id": rnd.id,
        "label": rnd.label,
        "period": rnd.period,
        "starts_on": rnd.starts_on.isoformat(),
        "ends_on": rnd.ends_on.isoformat(),
        "due_on": rnd.due_on.isoformat(),
        "state": rnd.state,
        "lowest_depth": rnd.lowest_depth,
        "forms": forms,
        "reviewed": reviewed,
        "url": url_for("evaluation.round_page", round_id=rnd.id),
    }


def items_json(template: dict) -> list[dict]:
    """The template's items with the title of their section."""
    return [
        {
            "key": i["key"],
            "section": s["title"],
            "text": i["text"],
            "max_score": i["max_score"],
            "indicators": i["indicators"],
        }
        for s in template["sections"]
        for i in s["items"]
    ]


def form_json(form: EvaluationForm, user) -> dict:
    """A form with its items, indicator values, both sets of scores and what the caller may do."""
    return {
        "id": form.id,
        "round_id": form.round_id,
        "round_label": form.round.label,
        "grid_code": form.grid_code,
        "grid_name": form.grid_name,
        "level": form.level,
        "state": form.state,
        "items": items_json(form.round.template),
        "indicators": form.indicators,
        "self_scores": form.self_scores,
        "self_total": form.self_total,
        "self_note": form.self_note,
        "submitted_by": form.submitted_by,
        "submitted_at": china_iso(form.submitted_at),
        "review_scores": form.review_scores,
        "review_total": form.review_total,
        "review_note": form.review_note,
        "reviewed_by": form.reviewed_by,
        "reviewed_at": china_iso(form.reviewed_at),
        "may_fill": form.round.state == "open" and form.state in ("draft", "returned") and access.may_fill(user, form),
        "may_review": form.round.state == "open" and form.state == "submitted" and access.may_review(user, form),
    }


def ranking_json(ranking: dict, profile: Profile) -> dict:
    """The ranking per level (each level named as the profile names it)."""
    rnd = ranking["round"]
    return {
        "round": round_json(rnd, sum(len(lv["rows"]) for lv in ranking["levels"]), _reviewed(ranking)),
        "max_total": templates.max_total(rnd.template),
        "levels": [
            {
                "depth": lv["depth"],
                "label": profile.level_label(lv["depth"]),
                "rows": [
                    {
                        "rank": r["rank"],
                        "form_id": r["form"].id,
                        "grid_code": r["form"].grid_code,
                        "grid_name": r["form"].grid_name,
                        "state": r["form"].state,
                        "self_total": r["form"].self_total,
                        "review_total": r["form"].review_total,
                        "children_mean": r["children_mean"],
                    }
                    for r in lv["rows"]
                ],
            }
            for lv in ranking["levels"]
        ],
    }


def _reviewed(ranking: dict) -> int:
    return sum(1 for lv in ranking["levels"] for r in lv["rows"] if r["form"].state == "reviewed")


def default_span(since: date | None, until: date | None) -> tuple[date, date]:
    """The supervisor period: ``until`` defaults to today (China), ``since`` to 30 days before it."""
    until = until or today_in_china()
    since = since or until - timedelta(days=29)
    if since > until:
        raise InvalidInput("until: 结束日期不能早于开始日期 (until is before since)", {"until": ["before since"]})
    return since, until


def supervisor_json(row: dict) -> dict:
    """One supervisor's figures."""
    return {
        "username": row["user"].username,
        "name": row["user"].display_name,
        **{k: row[k] for k in ("grids", "reports", "accepted", "acceptance_rate", "verified")},
        **{k: row[k] for k in ("verified_on_time", "verify_on_time_rate", "coverage")},
    }


def trend_json(data: dict, profile: Profile) -> dict:
    """The trend across rounds: the rounds (oldest first) and each grid's reviewed score and rank per round."""
    depth = data["depth"]
    return {
        "period": data["period"],
        "depth": depth,
        "level_label": profile.level_label(depth) if depth is not None else None,
        "depths": [{"depth": d, "label": profile.level_label(d)} for d in data["depths"]],
        "rounds": [{**round_json(r), "max_total": m} for r, m in zip(data["rounds"], data["max_totals"], strict=True)],
        "grids": data["grids"],
    }
