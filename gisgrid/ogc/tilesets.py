"""OGC API – Tiles documents for the grid MVT tiles: WebMercatorQuad, tile set lists, tile sets and TileJSON 3.0.

The tiles themselves are the public map's (public_map/tiles.py): cached per version key, generalised at
publication, one layer ``grids`` (code, name, level) at the level that suits the zoom. These documents only
let clients find them: QGIS ("Vector Tiles" → OGC API / TileJSON) and MapLibre read the TileJSON.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from gisgrid.errors import NotFound
from gisgrid.grids import versions as grid_versions
from gisgrid.ogc import collections as colls
from gisgrid.ogc import queries
from gisgrid.ogc.service import JSON, link
from gisgrid.public_map.tiles import MAX_ZOOM

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MVT = "application/vnd.mapbox-vector-tile"
TILEJSON = "application/vnd.mapbox.tile+json"
_ORIGIN = 20037508.3427892
_SCALE0, _CELL0 = 559082264.0287178, 156543.03392804097  # zoom 0 of WebMercatorQuad (OGC TMS 2.0 annex)
_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
LAYER_FIELDS = {"code": "String", "name": "String", "level": "Number"}


def tile_matrix_sets(base: str) -> dict:
    """The one tile matrix set offered."""
    path = f"/tileMatrixSets/{TMS_ID}"
    return {
        "links": [link(base, "/tileMatrixSets", "self", JSON, "瓦片矩阵集")],
        "tileMatrixSets": [
            {
                "id": TMS_ID,
                "title": "Google Maps Compatible (Web Mercator)",
                "uri": TMS_URI,
                "links": [link(base, path, "self", JSON, TMS_ID)],
            }
        ],
    }


def tile_matrix_set(tms_id: str) -> dict:
    """WebMercatorQuad as an OGC Two-Dimensional Tile Matrix Set 2.0 document (zooms 0 to MAX_ZOOM)."""
    check_tms(tms_id)
    matrices = [
        {
            "id": str(z),
            "scaleDenominator": _SCALE0 / (1 << z),
            "cellSize": _CELL0 / (1 << z),
            "cornerOfOrigin": "topLeft",
            "pointOfOrigin": [-_ORIGIN, _ORIGIN],
            "tileWidth": 256,
            "tileHeight": 256,
            "matrixWidth": 1 << z,
            "matrixHeight": 1 << z,
        }
        for z in range(MAX_ZOOM + 1)
    ]
    crs = "http://www.opengis.net/def/crs/EPSG/0/3857"
    return {
        "id": TMS_ID,
        "title": "Google Maps Compatible (Web Mercator)",
        "uri": TMS_URI,
        "crs": crs,
        "orderedAxes": ["X", "Y"],
        "tileMatrices": matrices,
    }


def check_tms(tms_id: str) -> None:
    """404 for any tile matrix set but WebMercatorQuad."""
    if tms_id != TMS_ID:
        raise NotFound(f"没有瓦片矩阵集 {tms_id[:40]} (only {TMS_ID})")


def tilesets(base: str, prefix: str) -> dict:
    """The tile set list of /tiles or /collections/grids/tiles: one vector tile set in WebMercatorQuad."""
    return {"links": [link(base, f"{prefix}/tiles", "self", JSON, "瓦片集")], "tilesets": [_summary(base, prefix)]}


def _summary(base: str, prefix: str) -> dict:
    path = f"{prefix}/tiles/{TMS_ID}"
    return {
        "title": "环境监管网格矢量瓦片",
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "tileMatrixSetURI": TMS_URI,
        "links": [
            link(base, path, "self", JSON, "瓦片集"),
            link(base, f"/tileMatrixSets/{TMS_ID}", _REL + "tiling-scheme", JSON, TMS_ID),
            link(base, path, "alternate", TILEJSON, "TileJSON", {"f": "tilejson"}),
        ],
    }


def tileset(session: Session, base: str, prefix: str, tms_id: str, day: date | None) -> dict:
    """One tile set: the tile URL template, the layer and its fields, the extent."""
    check_tms(tms_id)
    bbox = _extent(session, day)
    template = f"{base}{prefix}/tiles/{TMS_ID}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}" + (f"?at={day}" if day else "")
    doc = _summary(base, prefix)
    doc["links"].append({"href": template, "rel": "item", "type": MVT, "title": "瓦片 (MVT)", "templated": True})
    doc["layers"] = [
        {
            "id": "grids",
            "dataType": "vector",
            "geometryType": "polygons",
            "minTileMatrix": "0",
            "maxTileMatrix": str(MAX_ZOOM),
        }
    ]
    if bbox:
        doc["boundingBox"] = {
            "lowerLeft": bbox[:2],
            "upperRight": bbox[2:],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        }
    return doc


def tilejson(session: Session, base: str, prefix: str, tms_id: str, day: date | None) -> dict:
    """The TileJSON 3.0.0 document of a tile set (MapLibre, QGIS)."""
    check_tms(tms_id)
    bbox = _extent(session, day) or [-180.0, -85.0511, 180.0, 85.0511]
    suffix = f"?at={day}" if day else ""
    return {
        "tilejson": "3.0.0",
        "name": "gisgrid grids",
        "description": "环境监管网格 (public grids; layer 'grids': code, name, level)",
        "scheme": "xyz",
        "tiles": [f"{base}{prefix}/tiles/{TMS_ID}/{{z}}/{{y}}/{{x}}{suffix}"],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": bbox,
        "center": [(bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2, 10],
        "vector_layers": [{"id": "grids", "fields": LAYER_FIELDS, "minzoom": 0, "maxzoom": MAX_ZOOM}],
    }


def _extent(session: Session, day: date | None) -> list[float] | None:
    version = grid_versions.resolve(session, day)
    return queries.extent(session, colls.GRIDS, version.id)
