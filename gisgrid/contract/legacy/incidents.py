"""Incident (case) APIs and the Open311 GeoReport v2 endpoints."""

from __future__ import annotations

from gisgrid.contract.legacy.common import date, errors, integer, json_body, ok, op, query, ref

_REPORT = {
    "category": {"type": "string"},
    "description": {"type": "string"},
    "lon": {"type": "number"},
    "lat": {"type": "number"},
    "address": {"type": "string"},
    "contact": {"type": "string"},
    "channel": {"type": "string"},
}


def operations() -> dict:
    """Incident and Open311 operations, keyed by (Flask rule, method)."""
    tags = ("incidents",)
    report = {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "properties": _REPORT}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        **_REPORT,
                        "photos": {"type": "array", "items": {"type": "string", "format": "binary"}},
                    },
                }
            },
        },
    }
    period = [date("from"), date("to"), integer("level", minimum=1)]
    return {
        ("/api/v1/incidents", "POST"): op(
            "上报事件 (report an incident)", {**ok(status=201), **ok()}, body=report, auth="csrf", tags=tags
        ),
        ("/api/v1/incidents", "GET"): op(
            "我的案件 (cases I may see)",
            ok(),
            [query("state"), query("escalated", {"type": "string", "enum": ["0", "1"]})],
            auth="session",
            tags=tags,
        ),
        ("/api/v1/incidents/<int:incident_id>", "GET"): op("案件详情 (case detail)", ok(), auth="session", tags=tags),
        ("/api/v1/incidents/<int:incident_id>/actions/<action>", "POST"): op(
            "案件流转 (workflow action)", ok(), body=json_body(required=False), auth="csrf", tags=tags
        ),
        ("/api/v1/incidents/photos/<int:photo_id>/publish", "POST"): op(
            "公开照片 (publish a photo)", ok(), body=json_body(required=False), auth="csrf", tags=tags
        ),
        ("/api/v1/incidents/categories", "GET"): op("事件类别 (categories)", ok(), tags=tags),
        ("/api/v1/incidents/grids", "GET"): op(
            "网格形状 (grid shapes)", ok(ref("FeatureCollection")), [integer("level", minimum=1)], tags=tags
        ),
        ("/api/v1/incidents/kpi", "GET"): op(
            "考核指标 (KPI)",
            ok(extra={"text/csv": {"schema": {"type": "string"}}}),
            [
                *period,
                query("by", {"type": "string", "enum": ["grid", "department"]}),
                query("format", {"type": "string", "enum": ["json", "csv"]}),
            ],
            auth="session",
            tags=tags,
        ),
        ("/api/v1/incidents/kpi/map", "GET"): op(
            "考核地图 (KPI choropleth)", ok(ref("FeatureCollection")), period, auth="session", tags=tags
        ),
        **_open311(),
    }


def _open311() -> dict:
    tags = ("open311",)
    rows = {"type": "array", "items": {"type": "object"}}

    def reply(status: int = 200) -> dict:
        failed = errors(schema="Open311Errors")
        for response in failed.values():  # errors come in the format of the request
            response["content"]["text/xml"] = {"schema": {"type": "string"}}
        return {
            str(status): {
                "description": "OK",
                "content": {"application/json": {"schema": rows}, "text/xml": {"schema": {"type": "string"}}},
            },
            **failed,
        }

    listing = [
        query("service_request_id"),
        query("service_code"),
        query("status"),
        date("start_date"),
        date("end_date"),
        query("jurisdiction_id"),
    ]
    form = {
        "service_code": {"type": "string"},
        "lat": {"type": "number"},
        "long": {"type": "number"},
        "description": {"type": "string"},
        "address_string": {"type": "string"},
        "api_key": {"type": "string"},
        "jurisdiction_id": {"type": "string"},
    }
    body = {
        "required": True,
        "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": form}}},
    }
    return {
        ("/open311/v2/services.<fmt>", "GET"): op(
            "服务列表 (services)", reply(), [query("jurisdiction_id")], tags=tags
        ),
        ("/open311/v2/services/<code>.<fmt>", "GET"): op(
            "服务定义 (service definition)", reply(), [query("jurisdiction_id")], tags=tags
        ),
        ("/open311/v2/requests.<fmt>", "GET"): op("请求列表 (requests)", reply(), listing, tags=tags),
        ("/open311/v2/requests.<fmt>", "POST"): op(
            "提交请求 (create a request)", {**reply(201), **reply()}, body=body, auth="open311", tags=tags
        ),
        ("/open311/v2/requests/<int:request_id>.<fmt>", "GET"): op(
            "单个请求 (one request)", reply(), [query("jurisdiction_id")], tags=tags
        ),
    }
