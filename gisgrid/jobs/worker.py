"""``gisgrid worker``: an RQ worker (with RQ's scheduler) plus a ticker that enqueues the periodic tick."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import threading

from flask import Flask
from rq import SimpleWorker

from gisgrid.jobs import queue, runner

log = logging.getLogger(__name__)
SCHEDULER_STOP_S = 10  # how long a warm shutdown waits for RQ's scheduler child before killing it
PUBSUB_WAIT_S = 1  # the longest the pub/sub thread waits in one read, hence the longest its stop can take


def _die_with_parent() -> None:
    """In a child the worker forks (RQ's scheduler): be killed when the worker dies, even by SIGKILL.

    Otherwise a worker killed by the OOM killer or SIGKILL leaves its scheduler running as an orphan
    for ever (Linux prctl PR_SET_PDEATHSIG; elsewhere nothing changes).
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


class _Worker(SimpleWorker):
    """RQ's SimpleWorker whose warm shutdown cannot hang on its scheduler child.

    RQ forks the scheduler while this process has threads (the ticker, Redis' pub/sub), and a child
    forked while one of them held a lock can block for ever; RQ's ``stop_scheduler`` joins it without a
    limit. The scheduler holds no job: killing it is a crash RQ recovers from (its lock expires and a
    scheduler takes over). Its command-channel thread is stopped within PUBSUB_WAIT_S (``subscribe``).
    """

    def subscribe(self):
        """RQ's command channel, read by a thread that wakes every PUBSUB_WAIT_S instead of every 60 s.

        At shutdown RQ unsubscribes, then stops the thread; redis-py (≥ 8) joins it with no limit. If the
        thread reads the unsubscribe reply first, it goes on to wait for a new subscription for its whole
        read timeout: RQ's 60 s made a SIGTERMed worker take a minute to exit (seen by the worker-process
        tests and in CI; py-spy showed the main thread in ``PubSubWorkerThread.stop``).
        """
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=PUBSUB_WAIT_S, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def stop_scheduler(self):
        """SIGTERM the scheduler child, wait SCHEDULER_STOP_S, then kill it."""
        process = self.scheduler._process if self.scheduler else None
        if process is None or not process.pid:
            return
        try:
            os.kill(process.pid, signal.SIGTERM)
        except OSError:
            pass
        process.join(SCHEDULER_STOP_S)
        if process.is_alive():
            log.warning("RQ scheduler %s did not stop in %s s: killed", process.pid, SCHEDULER_STOP_S)
            process.kill()
            process.join()


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
    worker = _Worker([jobs], connection=redis)
    if burst:
        jobs.enqueue(queue.TICK, True, result_ttl=60)
        return worker.work(burst=True, logging_level="WARNING")
    os.register_at_fork(after_in_child=_die_with_parent)  # os.fork() children only: RQ's scheduler
    stop = threading.Event()
    thread = threading.Thread(target=_ticker, args=(app, stop), name="gisgrid-ticker", daemon=True)
    thread.start()
    try:
        return worker.work(with_scheduler=True, logging_level="INFO")
    finally:
        stop.set()
