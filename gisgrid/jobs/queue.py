"""The RQ queue on Redis (``GISGRID_REDIS_URL``, ``GISGRID_JOBS_QUEUE``)."""

from __future__ import annotations

from redis import Redis
from rq import Queue

RUN = "gisgrid.jobs.runner.run"
TICK = "gisgrid.jobs.runner.tick"


def connection(cfg: dict) -> Redis:
    """A Redis client for the configured URL."""
    return Redis.from_url(cfg["REDIS_URL"])


def queue(cfg: dict, redis: Redis | None = None) -> Queue:
    """The jobs queue."""
    return Queue(cfg["JOBS_QUEUE"], connection=redis or connection(cfg))


def enqueue(cfg: dict, name: str, *args, **options):
    """Enqueue the registered job ``name`` with plain arguments; ``options`` go to RQ (job_id, retry, ...)."""
    return queue(cfg).enqueue(RUN, name, *args, **options)
