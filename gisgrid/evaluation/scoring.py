"""Scores of a form: checking what a grid or its reviewer sends against the round's template, and totals."""

from __future__ import annotations

import math

from gisgrid.errors import InvalidInput
from gisgrid.evaluation import templates

MAX_NOTE = 2000


def merge(template: dict, current: dict, sent: dict) -> dict:
    """``current`` scores updated with ``sent`` ({item: {"score", "note"}}); 400 naming the item on bad input."""
    by_key = {item["key"]: item for item in templates.items(template)}
    out = {k: dict(v) for k, v in current.items()}
    for key, entry in (sent or {}).items():
        if key not in by_key:
            raise InvalidInput(f"scores.{key}: 模板中没有此项目 (unknown item)", {f"scores.{key}": ["unknown item"]})
        score = _score(key, entry.get("score") if isinstance(entry, dict) else entry, by_key[key]["max_score"])
        note = (entry.get("note") or "").strip() if isinstance(entry, dict) else ""
        if len(note) > MAX_NOTE:
            raise InvalidInput(f"scores.{key}.note: 说明过长 (at most {MAX_NOTE} characters)")
        if score is None:
            out.pop(key, None)
        else:
            out[key] = {"score": score, "note": note}
    return out


def _score(key: str, raw, maximum: float) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        why = {f"scores.{key}": ["not a number"]}
        raise InvalidInput(f"scores.{key}: 分数应为数字 (score must be a number)", why) from None
    if not math.isfinite(value) or not 0 <= value <= maximum:
        raise InvalidInput(
            f"scores.{key}: 分数应在 0–{maximum:g} 之间 (score out of range)", {f"scores.{key}": ["out of range"]}
        )
    return round(value, 1)


def missing(template: dict, scores: dict) -> list[str]:
    """The items without a score."""
    return [item["key"] for item in templates.items(template) if item["key"] not in scores]


def require_complete(template: dict, scores: dict) -> float:
    """The total of complete scores, or 400 naming the first item without a score."""
    lacking = missing(template, scores)
    if lacking:
        raise InvalidInput(
            f"scores.{lacking[0]}: 还有 {len(lacking)} 项未评分 (every item needs a score)",
            {f"scores.{k}": ["missing"] for k in lacking},
        )
    return round(sum(v["score"] for v in scores.values()), 1)
