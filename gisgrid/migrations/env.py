"""Alembic environment: the URL comes from the caller (gisgrid.migrate) or GISGRID_DATABASE_URL."""

from alembic import context
from sqlalchemy import create_engine, pool

from gisgrid import config as settings
from gisgrid.models import Base, load_all

load_all()

cfg = context.config
url = cfg.attributes.get("url") or settings.from_env()["DATABASE_URL"]


def run() -> None:
    connection = cfg.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
