"""Run Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config


def alembic_config(url: str | None = None, connection=None) -> Config:
    """An Alembic Config pointing at the packaged migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("gisgrid") / "migrations"))
    cfg.attributes["url"] = url
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str | None = None, connection=None, revision: str = "heads") -> None:
    """Migrate the database to ``revision`` (all branch heads by default: domains migrate independently)."""
    command.upgrade(alembic_config(url, connection), revision)
