"""The pages' forms turned into the API's bodies (the service judges the values, naming each field)."""

from __future__ import annotations

import re

from gisgrid.deployment.model import Profile
from gisgrid.errors import InvalidInput
from gisgrid.supervision.checks import TEMPLATE

_SPLIT = re.compile(r"\s*[|｜]\s*")
_TOPIC = re.compile(r"^\s*(\S{2})\s*[:：]\s*(.+)$")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def duban(form) -> dict:
    """The case page's 督办 form: owner ``grid:CODE`` or ``dept:CODE`` (empty: the subject's default)."""
    body = {k: form.get(k) or None for k in ("about_kind", "about_id", "priority", "due", "title", "detail")}
    kind, _, code = (form.get("owner") or "").partition(":")
    if code:
        body["owner_grid" if kind == "grid" else "owner_department"] = code
    return {k: v for k, v in body.items() if v is not None}


def check(form) -> dict:
    """The check form: verdict and note per template item, one rectification per line (``标题｜YYYY-MM-DD``)."""
    verdicts = {}
    for key in TEMPLATE:
        given = form.get(f"passed_{key}") or ""
        verdicts[key] = {"passed": {"yes": True, "no": False}.get(given), "note": form.get(f"note_{key}") or None}
    rects = []
    for line in _lines(form.get("rectifications")):
        title, *rest = _SPLIT.split(line)
        rects.append({"title": title, "due": rest[0] if rest and rest[0] else None})
    body = {k: form.get(k) or None for k in ("grid_code", "checked_on", "checkers", "findings", "bulletin_title",
                                             "bulletin_body")}  # fmt: skip
    return {**body, "verdicts": verdicts, "rectifications": rects, "public": bool(form.get("public"))}


def meeting(form, profile: Profile) -> dict:
    """The meeting form: 议题 lines ``类型：标题``; decision lines ``标题｜责任网格或部门代码｜期限``."""
    agenda = []
    for i, line in enumerate(_lines(form.get("agenda"))):
        match = _TOPIC.match(line)
        if not match:
            raise InvalidInput(f"agenda[{i}]: 议题每行写作「类型：标题」 (one topic per line: type：title)")
        agenda.append({"type": match.group(1), "title": match.group(2)})
    departments = {d.code for d in profile.departments}
    decisions = [_decision(line, departments) for line in _lines(form.get("decisions"))]
    body = {k: form.get(k) or None for k in ("title", "held_on", "grid_code", "convenor", "minutes")}
    return {**body, "attendees": form.getlist("attendees"), "agenda": agenda, "decisions": decisions}


def _decision(line: str, departments: set[str]) -> dict:
    title, *rest = _SPLIT.split(line)
    owner = rest[0] if rest else ""
    row = {"title": title, "due": rest[1] if len(rest) > 1 and rest[1] else None}
    row["owner_department" if owner in departments else "owner_grid"] = owner or None
    return row
