"""考评 templates: TOML files under gisgrid/evaluation/templates, named by the profile's [evaluation] template.

A template is sections of items; each item has a key, text, a maximum score and optionally the indicator
that pre-fills it (``prefill``) and the indicators shown beside it. A round stores a copy (``as_json``).
"""

from __future__ import annotations

import tomllib
from importlib import resources

from gisgrid.errors import InvalidInput
from gisgrid.evaluation.indicators import REGISTRY

MEAN = "mean"  # prefill with the mean of the item's indicators that have a value


def load(name: str) -> dict:
    """The template ``name`` as plain data, checked (unknown indicator, duplicate key, bad score)."""
    path = resources.files("gisgrid.evaluation") / "templates" / f"{name}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"考评模板 {name!r} 不存在 (no such evaluation template)") from None
    return check(raw, name)


def check(raw: dict, name: str) -> dict:
    """A template dict with every item checked; InvalidInput names the item and the problem."""
    sections, seen = [], set()
    for section in raw.get("sections", []):
        items = [_item(item, seen, name) for item in section.get("items", [])]
        sections.append({"key": section["key"], "title": section["title"], "items": items})
    if not seen:
        raise InvalidInput(f"考评模板 {name}: 没有考核项目 (template has no items)")
    return {"name": raw.get("name", name), "source": raw.get("source", ""), "file": name, "sections": sections}


def _item(item: dict, seen: set, name: str) -> dict:
    key = item.get("key", "")
    if not key or key in seen:
        raise InvalidInput(f"考评模板 {name}: 项目 {key!r} 缺少或重复 (item key missing or repeated)")
    seen.add(key)
    score = item.get("max_score")
    if not isinstance(score, int | float) or isinstance(score, bool) or score <= 0:
        raise InvalidInput(f"考评模板 {name}: {key}.max_score 应为正数 (must be a positive number)")
    indicators = list(item.get("indicators", []))
    prefill = item.get("prefill", "")
    for ind in indicators + ([prefill] if prefill and prefill != MEAN else []):
        if ind not in REGISTRY:
            raise InvalidInput(f"考评模板 {name}: {key} 的指标 {ind!r} 未登记 (unknown indicator)")
    return {"key": key, "text": item["text"], "max_score": float(score), "prefill": prefill, "indicators": indicators}


def items(template: dict) -> list[dict]:
    """Every item of a (stored) template, in order."""
    return [item for section in template["sections"] for item in section["items"]]


def max_total(template: dict) -> float:
    """The highest total score the template allows."""
    return sum(item["max_score"] for item in items(template))


def prefilled_score(item: dict, values: dict[str, float | None]) -> float | None:
    """The score the data suggests for ``item``: its maximum times the indicator's share (None: no data)."""
    if not item["prefill"]:
        return None
    names = item["indicators"] if item["prefill"] == MEAN else [item["prefill"]]
    known = [values[n] for n in names if values.get(n) is not None]
    if not known:
        return None
    return round(item["max_score"] * sum(known) / len(known), 1)
