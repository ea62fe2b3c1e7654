"""Tracked jobs started by a change inside the change's own transaction (a publication starts tile fills).

``tracked.submit`` commits its row at once; a ``grid_versions.on_publish`` preparer runs inside the
publisher's unit of work instead, so its run must vanish if the publication rolls back, and the worker
must not look for the row before it is committed. Here the row is written in the caller's transaction
and the RQ message is sent by an ``after_commit`` hook. A message never sent (Redis away) is sent by
``jobs.recover`` once the row's lease runs out, as for any lost message.
"""

from __future__ import annotations

import json

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from gisgrid.jobs import registry, tracked

_PENDING = "gisgrid_jobs_after_commit"
# one open run per dedupe key (uq_job_run_open_key): a second start within the key's life returns nothing
_INSERT = text(
    "INSERT INTO job_run (kind, args, dedupe_key, user_id, lease_until)"
    " VALUES (:kind, CAST(:args AS jsonb), :key, :user_id, now() + make_interval(secs => :lease))"
    " ON CONFLICT (dedupe_key) WHERE state IN ('queued', 'running') AND dedupe_key IS NOT NULL DO NOTHING"
    " RETURNING id"
)
_OPEN = text("SELECT id FROM job_run WHERE dedupe_key = :key AND state IN ('queued', 'running')")


def submit_in(session: Session, cfg, kind: str, args: dict, user_id: int | None, dedupe_key: str | None = None) -> int:
    """Record a run of ``kind`` in the caller's transaction, enqueued once it commits; → its id.

    An open run with the same ``dedupe_key`` is returned instead. ``cfg`` (the app's config) says where
    to enqueue; None (no app) leaves the message to ``jobs.recover``.
    """
    registry.find_kind(kind)  # an unknown kind is a programming error, raised here, not in the worker
    params = {"kind": kind, "args": json.dumps(args), "key": dedupe_key, "user_id": user_id}
    run_id = session.execute(_INSERT, {**params, "lease": tracked.lease_seconds(cfg or {})}).scalar()
    if run_id is None:
        return session.execute(_OPEN, {"key": dedupe_key}).scalar_one()
    if _rings(cfg):
        session.info.setdefault(_PENDING, []).append((cfg, run_id))
    return run_id


def _rings(cfg) -> bool:
    # a test app with no Redis of its own never rings the development server's queue
    return cfg is not None and not (cfg.get("TESTING") and not cfg.get("REDIS_URL"))


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session) -> None:
    for cfg, run_id in session.info.pop(_PENDING, ()):
        tracked.enqueue_run(cfg, run_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


def app_config():
    """Where a job recorded now is enqueued: the current app's settings; None (a script) leaves it to jobs.recover."""
    from flask import current_app, has_app_context

    return current_app.config if has_app_context() else None
