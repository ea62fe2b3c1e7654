"""ORM models shared across domains (one declarative base, one metadata)."""

from __future__ import annotations

from importlib import import_module

from sqlalchemy.orm import DeclarativeBase

# every domain's models module; Alembic and the schema test import them all through load_all()
DOMAIN_MODELS = (
    "gisgrid.grids.models",
    "gisgrid.auth.models",
    "gisgrid.sources.models",
    "gisgrid.monitoring.models",
    "gisgrid.patrols.models",
    "gisgrid.public_map.models",
    "gisgrid.incidents.models",
    "gisgrid.jurisdiction.models",
    "gisgrid.audit.models",
    "gisgrid.tokens.models",
    "gisgrid.tracking.models",
    "gisgrid.supervision.models",
    "gisgrid.campaigns.models",
    "gisgrid.evaluation.models",
    "gisgrid.agreements.models",
    "gisgrid.reports.models",
    "gisgrid.plans.models",
    "gisgrid.notifications.models",
    "gisgrid.jobs.models",
    "gisgrid.hazards.models",
)


class Base(DeclarativeBase):
    """Declarative base for every gisgrid table."""


def load_all() -> None:
    """Import every domain's models so that ``Base.metadata`` holds every table."""
    for name in DOMAIN_MODELS:
        import_module(name)
