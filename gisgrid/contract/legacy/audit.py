"""The admin audit trail API."""

from __future__ import annotations

from gisgrid.audit import service
from gisgrid.contract.legacy.common import integer, ok, op, query

_TEXT = {"type": ["string", "null"]}
_ENTRY = {
    "type": "object",
    "required": ["id", "at", "txid", "actor", "entity", "entity_id", "key", "action", "changes"],
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "txid": {"type": "integer"},
        "actor": {
            "type": "object",
            "required": ["id", "name", "source", "ip"],
            "properties": {
                "id": {"type": ["integer", "null"]},
                "name": {"type": "string"},
                "source": {"type": "string"},
                "ip": _TEXT,
            },
        },
        "entity": {"type": "string"},
        "entity_label": {"type": "string"},
        "entity_id": _TEXT,
        "key": _TEXT,
        "action": {"type": "string", "enum": ["insert", "update", "delete"]},
        "changes": {"type": "object"},
    },
}
_PAGE = {
    "type": "object",
    "required": ["items", "page", "per_page", "total", "per_day"],
    "properties": {
        "items": {"type": "array", "items": _ENTRY},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "per_day": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "day": {"type": "string", "format": "date"},
                    "entity": {"type": "string"},
                    "count": {"type": "integer"},
                },
            },
        },
    },
}


def operations() -> dict:
    """The audit operation, keyed by (Flask rule, method)."""
    entities = sorted(set(service.ENTITIES) | service.TABLES)
    params = [
        query("entity", {"type": "string", "enum": entities}),
        query("entity_id", {"type": "string", "maxLength": 200}),
        query("key", {"type": "string", "maxLength": 200}),
        query("actor", {"type": "string", "maxLength": 200}),
        query("source", {"type": "string", "enum": list(service.SOURCES)}),
        query("action", {"type": "string", "enum": ["insert", "update", "delete"]}),
        integer("txid", minimum=1),
        query("since", {"type": "string"}, description="ISO date or date-time"),
        query("until", {"type": "string"}, description="ISO date (inclusive) or date-time"),
        integer("page", minimum=1, maximum=100_000),
        integer("per_page", minimum=1, maximum=service.MAX_PER_PAGE),
    ]
    return {
        ("/api/v1/audit", "GET"): op(
            "审计日志 (audit trail, admins only)", ok(_PAGE), params, auth="session", tags=("audit",)
        )
    }
