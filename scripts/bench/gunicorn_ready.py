"""gunicorn config of the benchmarks' servers: each worker marks itself ready once it has loaded the app.

Without ``--preload`` a worker builds the lookup index as it loads the app, and the first worker to
finish already answers: a benchmark that started then would measure one worker while the other still
builds. ``load.gunicorn_process`` waits for one mark per worker (``BENCH_READY_DIR``).
"""

import os
from pathlib import Path


def post_worker_init(worker) -> None:
    """Called by gunicorn in the worker right after it loaded the app."""
    (Path(os.environ["BENCH_READY_DIR"]) / str(worker.pid)).touch()
