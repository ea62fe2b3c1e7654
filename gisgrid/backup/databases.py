"""Whole-database operations for restore: a scratch database from the template, emptiness, the swap."""

from __future__ import annotations

import time
import uuid

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from gisgrid.errors import Conflict
from gisgrid.migrate import alembic_config

# tables that hold no deployment data of their own
_BOOKKEEPING = ("spatial_ref_sys", "alembic_version")


def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def revisions(url: str) -> list[str]:
    """The Alembic revisions a database is at (one per migration branch), sorted."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not conn.execute(text("SELECT to_regclass('public.alembic_version')")).scalar():
                return []
            return sorted(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()


def check_known(revs: list[str]) -> None:
    """Refuse revisions this code does not have: the backup comes from a newer gisgrid."""
    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [rev for rev in revs if rev not in known]
    if unknown:
        raise Conflict(
            f"备份来自更新版本的 gisgrid (迁移 {', '.join(unknown)} 未知)，请先升级程序 "
            f"(the backup has a newer schema than this code)"
        )


def exists(url: str) -> bool:
    """Whether the database of ``url`` exists."""
    name = make_url(url).database
    engine = _admin(url)
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar())
    finally:
        engine.dispose()


def has_data(url: str) -> bool:
    """Whether any table of the database (apart from PostGIS and Alembic bookkeeping) holds a row."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> ALL(:skip)"
                ),
                {"skip": list(_BOOKKEEPING)},
            ).scalars()
            return any(conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM {t})")).scalar() for t in list(tables))
    finally:
        engine.dispose()


def create_scratch(url: str, template: str) -> str:
    """Create an empty database from the PostGIS template next to ``url``'s; returns its URL."""
    base = make_url(url)
    name = f"{base.database}_restore_{uuid.uuid4().hex[:8]}"
    _execute(url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return base.set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    """Drop the database of ``url`` (only ever a scratch or a replaced one)."""
    _execute(url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _execute(url: str, sql: str) -> None:
    engine = _admin(url)
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def swap_in(url: str, scratch_url: str) -> str | None:
    """Put the scratch database in place of ``url``'s in one transaction; returns the replaced one's URL.

    Connections to the old database are closed first (a database cannot be renamed while in use) and new
    ones refused, so the application reconnects to the restored database.
    """
    base, scratch = make_url(url), make_url(scratch_url).database
    if not exists(url):
        _execute(url, f'ALTER DATABASE "{scratch}" RENAME TO "{base.database}"')
        return None
    old = f"{base.database}_replaced_{uuid.uuid4().hex[:8]}"
    _execute(url, f'ALTER DATABASE "{base.database}" ALLOW_CONNECTIONS false')
    try:
        _rename_pair(url, base.database, old, scratch)
    except Exception:
        _execute(url, f'ALTER DATABASE "{base.database}" ALLOW_CONNECTIONS true')
        raise
    return base.set(database=old).render_as_string(hide_password=False)


def _rename_pair(url: str, name: str, old: str, scratch: str, attempts: int = 20) -> None:
    # both renames in one transaction: the name always points at a whole database, old or restored
    engine = create_engine(make_url(url).set(database="postgres"))
    try:
        for attempt in range(attempts):
            with engine.connect() as conn:
                _close_connections(conn, name)
                try:
                    with conn.begin():
                        conn.execute(text(f'ALTER DATABASE "{name}" RENAME TO "{old}"'))
                        conn.execute(text(f'ALTER DATABASE "{scratch}" RENAME TO "{name}"'))
                    return
                except OperationalError:
                    # a terminated backend may take a moment to exit
                    if attempt == attempts - 1:
                        raise
            time.sleep(0.1)
    finally:
        engine.dispose()


def _close_connections(conn, name: str) -> None:
    rows = (
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        .scalars()
        .all()
    )
    conn.commit()
    if not all(rows):
        raise Conflict(f"无法断开数据库 {name} 的连接 (other roles are connected to the database)")
