"""Jobs a user starts and watches (imports with repair, open-data builds): a ``job_run`` row plus an RQ message.

The row is the truth, RQ only the doorbell. ``submit`` commits the row and enqueues ``jobs.tracked``
with its id; the worker claims the row with one UPDATE (queued, or running with its lease run out),
renews the lease from a heartbeat thread while the job runs, and records progress, the result or the
error. A worker killed mid-job stops renewing: the periodic ``jobs.recover`` queues the run again and
the next worker runs it from the start (every kind is idempotent). An unexpected failure is retried up to
``max_attempts`` (a refusal, ``errors.DomainError``, is not); a message run twice finds the row claimed or done and does nothing.
"""

from __future__ import annotations

import json
import logging
import threading
from contextlib import contextmanager

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from gisgrid.auth.service import sees_all
from gisgrid.db import unit_of_work
from gisgrid.errors import DomainError, Forbidden, NotFound
from gisgrid.jobs import queue, registry
from gisgrid.jobs.models import JobRun

log = logging.getLogger(__name__)
RUN = "jobs.tracked"
DEFAULT_LEASE_S = 60.0

_CLAIM = text(
    "UPDATE job_run SET state = 'running', attempts = attempts + 1, error = NULL, started_at = now(),"
    " lease_until = now() + make_interval(secs => :lease)"
    " WHERE id = :id AND (state = 'queued' OR (state = 'running' AND lease_until < now()))"
    " RETURNING kind, args, attempts, max_attempts"
)
_RENEW = text(
    "UPDATE job_run SET lease_until = now() + make_interval(secs => :lease) WHERE id = :id AND state = 'running'"
)
_PROGRESS = text("UPDATE job_run SET done = :done, total = :total, message = :message WHERE id = :id")
# runs whose worker died (lease over) or whose message was lost go back to the queue
_LOST = text(
    "UPDATE job_run SET state = 'queued', lease_until = now() + make_interval(secs => :lease)"
    " WHERE state IN ('queued', 'running') AND lease_until < now() RETURNING id"
)


def lease_seconds(cfg) -> float:
    """How long a claimed run stays a worker's without a heartbeat (``GISGRID_JOBS_LEASE_SECONDS``)."""
    return float(cfg.get("JOBS_LEASE_SECONDS") or DEFAULT_LEASE_S)


def submit(session: Session, cfg, kind: str, args: dict, user, dedupe_key: str | None = None) -> JobRun:
    """Record a run of ``kind`` for ``user`` and enqueue it; an open run with the same key is returned instead."""
    registry.find_kind(kind)  # an unknown kind is a programming error, raised here, not in the worker
    with unit_of_work(session):
        if dedupe_key is not None:
            open_run = session.scalar(
                select(JobRun).where(JobRun.dedupe_key == dedupe_key, JobRun.state.in_(("queued", "running")))
            )
            if open_run is not None:
                return open_run
        run = JobRun(kind=kind, args=args, dedupe_key=dedupe_key, user_id=getattr(user, "id", None))
        session.add(run)
        session.flush()
        session.execute(
            text("UPDATE job_run SET lease_until = now() + make_interval(secs => :s) WHERE id = :i"),
            {"s": lease_seconds(cfg), "i": run.id},
        )
    enqueue_run(cfg, run.id)  # after the commit: the worker must find the row
    return run


def enqueue_run(cfg, run_id: int) -> None:
    """Send a committed run's message to the queue; Redis away leaves it to ``jobs.recover``."""
    try:
        queue.enqueue(cfg, RUN, run_id, result_ttl=600, failure_ttl=86400)
    except Exception:  # Redis away: the run is recorded, jobs.recover enqueues it once Redis is back
        log.exception("could not enqueue job run %s", run_id)


def visible(session: Session, user, run_id: int) -> JobRun:
    """The run, for the user who started it (or an admin); 404 when it does not exist, 403 for others."""
    run = session.get(JobRun, run_id)
    if run is None:
        raise NotFound(f"后台任务 {run_id} 不存在 (no such job)")
    if run.user_id != user.id and not sees_all(user):  # the system administrator runs the jobs
        raise Forbidden("只能查看自己发起的后台任务 (only the user who started a job sees it)")
    return run


def mine(session: Session, user, limit: int = 50) -> list[JobRun]:
    """The user's runs, newest first."""
    query = select(JobRun).where(JobRun.user_id == user.id).order_by(JobRun.created_at.desc(), JobRun.id.desc())
    return list(session.scalars(query.limit(limit)))


def as_json(run: JobRun) -> dict:
    """What the starter sees of a run."""
    fields = ("id", "kind", "state", "done", "total", "message", "result", "error", "attempts", "max_attempts")
    out = {name: getattr(run, name) for name in fields}
    for name in ("created_at", "started_at", "finished_at"):
        moment = getattr(run, name)
        out[name] = moment.isoformat() if moment else None
    return out


@registry.job(RUN)
def execute(session: Session, cfg, run_id: int):
    """Claim run ``run_id`` and run its kind; → its state afterwards (None when another worker has it)."""
    lease = lease_seconds(cfg)
    with unit_of_work(session):
        claimed = session.execute(_CLAIM, {"id": run_id, "lease": lease}).one_or_none()
    if claimed is None:
        return None  # done already, or running under a live lease elsewhere
    kind, args, attempts, max_attempts = claimed
    engine = session.get_bind()
    with _heartbeat(engine, run_id, lease):
        try:
            result = registry.find_kind(kind)(session, cfg, args, _progress(engine, session, run_id))
        except Exception as exc:  # the run's record says why; the worker goes on
            session.rollback()
            log.exception("job run %s (%s) failed, attempt %s of %s", run_id, kind, attempts, max_attempts)
            # a refusal (bad file, validation errors, a changed draft) is the same on every attempt: not retried
            return _failed(
                session, cfg, run_id, exc, retry=attempts < max_attempts and not isinstance(exc, DomainError)
            )
    with unit_of_work(session):
        session.execute(
            text(
                "UPDATE job_run SET state = 'done', result = CAST(:r AS jsonb), finished_at = now(),"
                " done = greatest(done, total), lease_until = NULL WHERE id = :id"
            ),
            {"r": _json(result), "id": run_id},
        )
    return "done"


def _failed(session: Session, cfg, run_id: int, exc: Exception, retry: bool) -> str:
    state = "queued" if retry else "failed"
    with unit_of_work(session):
        session.execute(
            text(
                "UPDATE job_run SET state = :state, error = :error, lease_until = now() + make_interval(secs => :s),"
                " finished_at = CASE WHEN :state = 'failed' THEN now() END WHERE id = :id"
            ),
            {"state": state, "error": f"{type(exc).__name__}: {exc}"[:2000], "s": lease_seconds(cfg), "id": run_id},
        )
    if retry:
        enqueue_run(cfg, run_id)
    return state


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _side(engine, session: Session):
    """Where progress and leases are written: their own committed transactions, seen while the job runs.

    In tests the session is bound to one connection (no engine): they are written there.
    """
    if isinstance(engine, Engine):
        return engine.begin()
    return _same_connection(session)


@contextmanager
def _same_connection(session: Session):
    yield session.connection()


def _progress(engine, session: Session, run_id: int):
    def progress(done: int, total: int, message: str = "") -> None:
        with _side(engine, session) as conn:
            conn.execute(_PROGRESS, {"done": int(done), "total": int(total), "message": message[:500], "id": run_id})

    return progress


@contextmanager
def _heartbeat(engine, run_id: int, lease: float):
    """Renew the run's lease every third of it while the block runs (a killed worker stops renewing)."""
    if not isinstance(engine, Engine):
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(lease / 3):
            try:
                with engine.begin() as conn:
                    conn.execute(_RENEW, {"id": run_id, "lease": lease})
            except Exception:  # the database away for a moment: the next beat tries again
                log.exception("could not renew the lease of job run %s", run_id)

    thread = threading.Thread(target=beat, name=f"gisgrid-lease-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(lease)


@registry.periodic("jobs.recover", every=5)
def recover(session: Session, cfg) -> list[int]:
    """Queue again the runs whose worker died (lease over) or whose message Redis lost; → their ids."""
    with unit_of_work(session):
        lost = [row[0] for row in session.execute(_LOST, {"lease": lease_seconds(cfg)})]
    for run_id in lost:
        log.warning("job run %s lost its worker or its message: queued again", run_id)
        enqueue_run(cfg, run_id)
    return lost
