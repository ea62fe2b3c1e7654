"""Public grid APIs: lookup, batch, grid search/labels, open data, tiles, OGC API Features."""

from __future__ import annotations

from gisgrid.contract.legacy.common import date, errors, integer, number, ok, op, query, ref

_POINT = [number("lon"), number("lat"), number("x"), number("y"), query("crs"), number("near", minimum=0), date("at")]
_GEO = "application/geo+json"


def operations() -> dict:
    """Operations of the public grid APIs, keyed by (Flask rule, method)."""
    tags = ("grids",)
    return {
        ("/api/v1/grids/levels", "GET"): op("网格层级 (levels)", ok(), [date("at")], tags=tags),
        ("/api/v1/grids/labels", "GET"): op(
            "网格标注 (labels)", ok(), [query("bbox"), integer("level", minimum=1), date("at")], tags=tags
        ),
        ("/api/v1/grids/search", "GET"): op("搜索网格 (search)", ok(), [query("q"), date("at")], tags=tags),
        ("/api/v1/grids/locate", "GET"): op(
            "定位 (locate a point)", ok(), [number("lon"), number("lat"), date("at")], tags=tags
        ),
        ("/api/v1/grids/<code>", "GET"): op("网格详情 (one grid)", ok(), [date("at")], tags=tags),
        ("/open-data/grids.<fmt>", "GET"): op(
            "开放数据下载 (open data export)",
            ok(
                ref("FeatureCollection"),
                _GEO,
                extra={
                    "text/csv": {"schema": {"type": "string"}},
                    "application/geopackage+sqlite3": {"schema": _binary()},
                },
            ),
            [date("at")],
            tags=("open-data",),
        ),
        ("/tiles/<int:z>/<int:x>/<int:y>.pbf", "GET"): op(
            "矢量瓦片 (Mapbox vector tile)",
            {
                "200": {
                    "description": "tile",
                    "content": {"application/vnd.mapbox-vector-tile": {"schema": _binary()}},
                },
                "204": {"description": "empty tile"},
                **errors(),
            },
            [date("at")],
            tags=("tiles",),
        ),
    }


def _binary() -> dict:
    return {"type": "string", "format": "binary"}
