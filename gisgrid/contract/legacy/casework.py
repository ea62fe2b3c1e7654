"""Logged-in APIs: me, jurisdiction, sources/inspections/lottery, patrols, boundary editor."""

from __future__ import annotations

from gisgrid.contract.legacy.common import date, integer, json_body, multipart, number, ok, op, query, ref

_FILE = {"type": "string", "format": "binary"}


def operations() -> dict:
    """Operations of the logged-in domain APIs, keyed by (Flask rule, method)."""
    return {
        **_jurisdiction(),
        **_sources(),
        **_patrols(),
        **_editor(),
    }


def _jurisdiction() -> dict:
    tags, event = ("jurisdiction",), "/api/v1/jurisdiction/events/<event_id>"
    return {
        ("/api/v1/incidents/<int:incident_id>/jurisdiction", "GET"): op(
            "案件管辖 (case jurisdiction)", ok(), auth="session", tags=tags
        ),
        ("/api/v1/incidents/<int:incident_id>/jurisdiction", "PUT"): op(
            "记录管辖事件 (record)", {**ok(status=201), **ok()}, body=json_body(), auth="csrf", tags=tags
        ),
        ("/api/v1/jurisdiction/resolve", "POST"): op(
            "临时推算 (ad-hoc resolve)", ok(), body=json_body(), auth="csrf", tags=tags
        ),
        ("/api/v1/jurisdiction/events", "GET"): op("管辖事件 (events)", ok(), auth="session", tags=tags),
        (event, "GET"): op("管辖事件详情 (event)", ok(), auth="session", tags=tags),
        (event + "/cases", "POST"): op(
            "关联案件 (link a case)", ok(status=201), body=json_body(), auth="csrf", tags=tags
        ),
        (event + "/cases/<incident_id>", "DELETE"): op("解除关联 (unlink)", ok(), auth="csrf", tags=tags),
        (event + "/disputes", "POST"): op(
            "提出异议 (dispute)", ok(status=201), body=json_body(), auth="csrf", tags=tags
        ),
        (event + "/disputes/<dispute_id>/decision", "POST"): op(
            "裁决 (decide)", ok(), body=json_body(), auth="csrf", tags=tags
        ),
        (event + "/route", "POST"): op("分派 (route)", ok(), body=json_body(required=False), auth="csrf", tags=tags),
        ("/api/v1/jurisdiction/rivers", "GET"): op(
            "河网 (river network)", ok(ref("FeatureCollection")), [query("bbox")], auth="session", tags=tags
        ),
    }


def _sources() -> dict:
    tags = ("sources",)
    return {
        ("/api/v1/sources.geojson", "GET"): op(
            "污染源地图 (sources)",
            ok(ref("FeatureCollection")),
            [query("levels", {"type": "string", "enum": ["all"]})],
            auth="session",
            tags=tags,
        ),
        ("/api/v1/inspections/due", "GET"): op("到期检查 (inspections due)", ok(), auth="session", tags=tags),
        ("/api/v1/lottery", "GET"): op(
            "双随机抽查 (draws)", ok({"type": "array", "items": {"type": "object"}}), tags=tags
        ),
        ("/api/v1/lottery/<int:draw_id>", "GET"): op("抽查结果 (one draw)", ok(), tags=tags),
    }


def _patrols() -> dict:
    tags = ("patrols",)
    return {
        ("/api/v1/patrols/csrf", "GET"): op("CSRF 令牌 (token for app clients)", ok(), auth="session", tags=tags),
        ("/api/v1/patrols/tracks", "POST"): op(
            "上传巡查轨迹 (GPX or JSON track)",
            ok(status=201),
            body={
                "required": True,
                "content": {
                    "multipart/form-data": {"schema": {"type": "object", "properties": {"file": _FILE}}},
                    "application/json": {"schema": {"type": "object"}},
                },
            },
            auth="csrf",
            tags=tags,
        ),
        ("/api/v1/patrols/coverage", "GET"): op(
            "巡查覆盖 (coverage)",
            ok(),
            [date("since"), date("until"), number("distance", exclusiveMinimum=0)],
            auth="session",
            tags=tags,
        ),
    }


def _editor() -> dict:
    tags, draft, version = (
        ("editor",),
        "/api/v1/editor/drafts/<int:version_id>",
        "/api/v1/editor/versions/<int:version_id>",
    )
    return {
        ("/api/v1/editor/diff", "GET"): op(
            "版本对比 (diff)", ok(), [integer("a", True), integer("b", True)], auth="session", tags=tags
        ),
        (draft + "/edits", "POST"): op("编辑草稿 (edit)", ok(), body=json_body(), auth="csrf", tags=tags),
        (draft + "/import", "POST"): op(
            "导入 GeoPackage (import)",
            ok(),
            body=multipart(
                {"file": _FILE, "apply": {"type": "string", "enum": ["0", "1"]}, "stamp": {"type": "string"}}, ("file",)
            ),
            auth="csrf",
            tags=tags,
        ),
        (draft + "/publish", "POST"): op("发布 (publish)", ok(), auth="csrf", tags=tags),
        (draft + "/validation", "GET"): op("拓扑检查 (validation)", ok(), auth="session", tags=tags),
        (version + "/grids", "GET"): op(
            "版本网格 (grids of a version)",
            ok(ref("FeatureCollection"), "application/geo+json"),
            auth="session",
            tags=tags,
        ),
        (version + "/moved", "GET"): op("迁移对象 (moved items)", ok(), auth="session", tags=tags),
        (version + "/reassign", "POST"): op("重新分配 (reassign)", ok(), body=json_body(), auth="csrf", tags=tags),
        (version + "/rollback", "POST"): op("回滚 (rollback)", ok(), auth="csrf", tags=tags),
    }
