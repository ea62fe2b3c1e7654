"""The RQ queue on Redis (``GISGRID_REDIS_URL``, ``GISGRID_JOBS_QUEUE``)."""

from __future__ import annotations

from redis import Redis
from rq import Queue

RUN = "gisgrid.jobs.runner.run"
TICK = "gisgrid.jobs.runner.tick"


DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"  # what scripts/dev starts


def url(cfg: dict) -> str:
    """``GISGRID_REDIS_URL``, or the local Redis when it is not set."""
    return cfg.get("REDIS_URL") or DEFAULT_REDIS_URL


def connection(cfg: dict) -> Redis:
    """A Redis client for the configured URL."""
    return Redis.from_url(url(cfg))


def queue(cfg: dict, redis: Redis | None = None) -> Queue:
    """The jobs queue."""
    return Queue(cfg["JOBS_QUEUE"], connection=redis or connection(cfg))


def enqueue(cfg: dict, name: str, *args, **options):
    """Enqueue the registered job ``name`` with plain arguments; ``options`` go to RQ (job_id, retry, ...)."""
    return queue(cfg).enqueue(RUN, name, *args, **options)
