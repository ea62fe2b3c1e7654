"""The request contract: flask-smorest blueprints declare each JSON endpoint's parameters, bodies and responses once.

The same marshmallow schemas validate the request (webargs) and generate the OpenAPI document (apispec), served
at ``/api/openapi.json``. See docs/development.md, "Request contract, OpenAPI and fuzzing", for how to declare an endpoint.
"""

from __future__ import annotations

from gisgrid.contract.blueprint import Blueprint
from gisgrid.contract.setup import api_rules, init_app

__all__ = ["Blueprint", "api_rules", "init_app"]
