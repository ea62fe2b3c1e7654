"""The OpenAPI 3.0 document of /ogc (service-desc), generated from the same flask-smorest declarations.

The project's /api/openapi.json is OpenAPI 3.1; OGC API – Features asks for 3.0 (conformance class oas30).
The /ogc blueprint is registered once more on a private Flask app whose flask-smorest Api speaks 3.0, so
the parameters, bodies and responses are declared once (ogc/schemas.py) and both documents follow them.
"""

from __future__ import annotations

import copy
import threading

from flask import Flask

from gisgrid.contract import schemas as contract_schemas
from gisgrid.contract.setup import Api, security_schemes

OPENAPI_VERSION = "3.0.3"
_LOCK = threading.Lock()
_CACHE: dict[str, dict] = {}
_PREFIX = "/ogc"


def _generated() -> dict:
    """The 3.0 spec of the /ogc blueprint alone (built once per process)."""
    with _LOCK:
        if "doc" not in _CACHE:
            from gisgrid.ogc.routes import bp

            app = Flask("gisgrid_ogc_openapi")
            app.config.update(API_TITLE="gisgrid OGC API", API_VERSION="1.0", OPENAPI_VERSION=OPENAPI_VERSION)
            api = Api(app, spec_kwargs={"components": {"securitySchemes": security_schemes(app)}})
            api.register_blueprint(bp)
            doc = api.spec.to_dict()
            contract_schemas.add_error_responses(doc)
            _CACHE["doc"] = _to_30(doc)
        return _CACHE["doc"]


def _to_30(node):
    """Rewrite the few 3.1 forms the shared schemas use: ``type: [x, "null"]`` → nullable, type lists → any."""
    if isinstance(node, list):
        return [_to_30(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_30(v) for k, v in node.items()}
    kinds = out.get("type")
    if isinstance(kinds, list):
        rest = [k for k in kinds if k != "null"]
        if len(rest) == 1:
            out["type"] = rest[0]
        else:
            del out["type"]
        if "null" in kinds:
            out["nullable"] = True
    return out


# Part 1's own OpenAPI fragments for its query parameters (the wire format our schemas parse is the same:
# comma-separated numbers, one integer, one string); form style, not exploded
_PART1_PARAMETERS = {
    "bbox": {
        "schema": {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
        "style": "form",
        "explode": False,
    },
    "limit": {
        "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100},
        "style": "form",
        "explode": False,
    },
    "datetime": {"schema": {"type": "string"}, "style": "form", "explode": False},
}


def _part1_parameters(paths: dict) -> None:
    """Describe bbox, limit and datetime of the items operations with Part 1's fragments."""
    for path, item in paths.items():
        if not path.endswith("/items"):
            continue
        for param in item.get("get", {}).get("parameters", []):
            if param.get("in") == "query" and param.get("name") in _PART1_PARAMETERS:
                param.update(copy.deepcopy(_PART1_PARAMETERS[param["name"]]))


WRITES = ("post", "put", "patch", "delete")


def _per_collection(paths: dict, drafts: tuple[str, ...]) -> dict:
    """The collection paths once more per collection id, as OGC servers commonly publish them: clients such as
    GDAL read ``/collections/{id}/items`` of the collection they open to learn its parameters (filter-lang).
    Only the caller's draft collections (Part 4) carry the write operations."""
    from gisgrid.ogc.collections import PUBLISHED

    out = {}
    for path, item in paths.items():
        if not path.startswith("/collections/{collection_id}"):
            continue
        for coll_id in [c.id for c in PUBLISHED] + list(drafts):
            concrete = copy.deepcopy(item)
            if coll_id not in drafts:
                concrete = {k: v for k, v in concrete.items() if k not in WRITES}
            for op in concrete.values():
                if isinstance(op, dict):
                    op["parameters"] = [p for p in op.get("parameters", []) if p.get("name") != "collection_id"]
                    if "operationId" in op:
                        op["operationId"] += f"_{coll_id.replace('-', '_')}"
            if isinstance(concrete.get("parameters"), list):
                concrete["parameters"] = [p for p in concrete["parameters"] if p.get("name") != "collection_id"]
            out[path.replace("{collection_id}", coll_id)] = concrete
    return out


def document(base: str, drafts: tuple[str, ...] = ()) -> dict:
    """The document for a client that reached /ogc at ``base``: paths relative to it, the server is ``base``;
    ``drafts``: the draft collections this caller may write (their paths list POST/PUT/PATCH/DELETE)."""
    doc = copy.deepcopy(_generated())
    paths = {}
    for path, item in doc.get("paths", {}).items():
        relative = path[len(_PREFIX) :] if path.startswith(_PREFIX) else path
        if relative:  # "/ogc" and "/ogc/" are one landing page: "/"
            paths[relative] = item
    _part1_parameters(paths)
    doc["paths"] = {**paths, **_per_collection(paths, drafts)}
    doc["servers"] = [{"url": base, "description": "本服务 (this service)"}]
    doc["info"] = {
        "title": "gisgrid 环境监管网格 OGC API",
        "version": "1.0",
        "description": "OGC API – Features (Parts 1–4) 与 OGC API – Tiles：已发布的环境监管网格、公开污染源与环境安全隐患 "
        "(public fields only)；"
        "规划人员以 API 令牌编辑草稿网格 draft-{id}-grids 与草稿重点监管单元网格 draft-{id}-unit-grids "
        "(Part 4: POST/PUT/PATCH/DELETE)",
    }
    doc.pop("tags", None)
    return doc
