"""``gisgrid worker``: an RQ worker (with RQ's scheduler) plus a ticker that enqueues the periodic tick."""

from __future__ import annotations

import logging
import threading

from flask import Flask
from rq import SimpleWorker

from gisgrid.jobs import queue, runner

log = logging.getLogger(__name__)


def _ticker(app: Flask, stop: threading.Event) -> None:
    # the tick is a job like any other, so it runs in the worker (one at a time) and shows in RQ's registries
    jobs = queue.queue(app.config)
    while not stop.wait(app.config["JOBS_TICK_SECONDS"]):
        try:
            jobs.enqueue(queue.TICK, result_ttl=60, failure_ttl=3600)
        except Exception:  # Redis away for a moment: try again at the next tick
            log.exception("could not enqueue the tick")


def work(app: Flask, burst: bool = False) -> bool:
    """Run the worker: forever (ticking), or with ``burst`` one forced tick and every queued job, then return.

    A SimpleWorker runs jobs in its own process (no fork per job): the app, its engines and its
    prepared statements are made once, and a job's database work is a few short transactions.
    """
    runner.use_app(app)
    redis = queue.connection(app.config)
    jobs = queue.queue(app.config, redis)
    worker = SimpleWorker([jobs], connection=redis)
    if burst:
        jobs.enqueue(queue.TICK, True, result_ttl=60)
        return worker.work(burst=True, logging_level="WARNING")
    stop = threading.Event()
    thread = threading.Thread(target=_ticker, args=(app, stop), name="gisgrid-ticker", daemon=True)
    thread.start()
    try:
        return worker.work(with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()
