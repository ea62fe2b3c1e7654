"""Who is acting: handed to the audit triggers as transaction-local settings in every session transaction.

Services never see the actor: a web request's is read off the request (the logged-in user, the
client address), a command's off the process (the OS user); the triggers read it back with
``current_setting('gisgrid.actor_*', true)``.

The settings ride on the transaction's first statement (one query text, ``set_config`` first), not in
a round trip of their own at the session's begin: a read-only request pays nothing for them, and every
statement of the transaction, a write included, runs after them. A raw DBAPI cursor bypasses the
statement events: take it through ``raw_cursor``.
"""

from __future__ import annotations

import getpass
import os
import weakref
from contextvars import ContextVar
from dataclasses import dataclass

from flask import current_app, g, has_app_context, has_request_context, request
from flask import session as web_session
from psycopg2.extensions import encodings
from sqlalchemy import event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from gisgrid import config

_SET_ACTOR = (
    "SELECT set_config('gisgrid.actor_id', %(actor_id)s, true),"
    " set_config('gisgrid.actor_name', %(actor_name)s, true),"
    " set_config('gisgrid.actor_source', %(actor_source)s, true), set_config('gisgrid.actor_ip', %(actor_ip)s, true),"
    " set_config('gisgrid.audit_hash', %(audit_hash)s, true)"
)
# connection → the actor settings its transaction has not sent yet (dropped with the connection)
_pending: weakref.WeakKeyDictionary[Connection, dict] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Actor:
    """An acting user (id when they have an account) and where the change came from."""

    name: str
    source: str
    id: int | None = None
    ip: str | None = None


_process_actor: ContextVar[Actor | None] = ContextVar("gisgrid_process_actor", default=None)


def act_as(actor: Actor | None):
    """Set the actor of work outside requests (commands, scripts); returns a token for ``reset``."""
    return _process_actor.set(actor)


def reset(token) -> None:
    """Undo an ``act_as``."""
    _process_actor.reset(token)


def cli_actor() -> Actor:
    """The actor of a command-line run: ``GISGRID_ACTOR`` if set, else the OS user."""
    return Actor(name=os.environ.get("GISGRID_ACTOR") or f"{getpass.getuser()}", source="cli")


def current_actor() -> Actor | None:
    """The actor of the running request or command, None when nobody said."""
    if has_request_context():
        return _request_actor()
    return _process_actor.get()


def _request_actor() -> Actor:
    source = (
        "open311" if request.path.startswith("/open311/") else ("api" if request.path.startswith("/api/") else "web")
    )
    user = g.get("_login_user")  # Flask-Login's cache: loading the user here would recurse into a session
    # read without attribute loads: an expired user would refresh through the session being begun
    state = inspect(user, raiseerr=False) if user is not None else None  # None: anonymous (not mapped)
    if state is not None and state.identity:
        return Actor(name=state.dict.get("username", ""), source=source, id=state.identity[0], ip=request.remote_addr)
    user_id = str(web_session.get("_user_id") or "").split(":")[0]
    if user_id.isdigit():
        return Actor(name="", source=source, id=int(user_id), ip=request.remote_addr)
    return Actor(name="anonymous", source=source, ip=request.remote_addr)


def _apply(session: Session, _transaction, connection) -> None:
    # read now (who begins the transaction acts in it), sent with the transaction's first statement;
    # always set, also to empty: the triggers then log the database role as the actor ('db')
    actor = current_actor() or Actor(name="", source="")
    _pending[connection] = {
        "actor_id": "" if actor.id is None else str(actor.id),
        "actor_name": actor.name,
        "actor_source": actor.source,
        "actor_ip": actor.ip or "",
        "audit_hash": _audit_hash(),
    }


def _before_execute(conn, cursor, statement, parameters, context, executemany):
    settings = _pending.pop(conn, None)
    if settings is None:
        return statement, parameters
    if executemany or getattr(cursor, "name", None) or not isinstance(parameters, dict | None):
        cursor.connection.cursor().execute(_SET_ACTOR, settings)  # a batch or a server-side cursor: on its own
        return statement, parameters
    prefix = cursor.mogrify(_SET_ACTOR, settings).decode(encodings[cursor.connection.encoding])
    if parameters is not None:  # psycopg2 interpolates the text (also for {}): a % of the values must stay one
        prefix = prefix.replace("%", "%%")
    return f"{prefix};\n{statement}", parameters


def raw_cursor(session: Session):
    """A DBAPI cursor on the session's connection, the actor already sent (events do not see raw cursors)."""
    connection = session.connection()
    settings = _pending.pop(connection, None)
    cursor = connection.connection.cursor()
    if settings is not None:
        cursor.execute(_SET_ACTOR, settings)
    return cursor


def _audit_hash() -> str:
    # the hash of rows sealed by this transaction (audit/sql/audit_chain.sql); sm3 rows wait for audit.seal
    return current_app.config.get("AUDIT_HASH", "sha256") if has_app_context() else config.audit_hash()


def install() -> None:
    """Send the actor with the first statement of every session transaction (idempotent)."""
    if not event.contains(Session, "after_begin", _apply):
        event.listen(Session, "after_begin", _apply)
        event.listen(Engine, "before_cursor_execute", _before_execute, retval=True)
