"""gisgrid: grid-based environmental supervision (网格化环境监管)."""

from __future__ import annotations


def create_app(config: dict | None = None):
    """Application factory (``gisgrid.app_factory``): settings from GISGRID_* env, overridden by ``config``.

    Imported on call, so importing one module of the package (``gisgrid grids assign``, a worker's job)
    does not import every domain, its blueprints and their schemas first.
    """
    from gisgrid.app_factory import create_app as factory

    return factory(config)
