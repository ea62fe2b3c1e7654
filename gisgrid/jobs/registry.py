"""What the worker can run: job functions by name and periodic tasks, registered by each domain.

A domain lists its tasks module in ``TASK_MODULES``; importing it registers its functions. Jobs are
enqueued by name (``gisgrid.jobs.queue.enqueue``), so RQ stores a name and plain arguments, never a
pickled callable of some module version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

# every domain's tasks module (issue 25 adds imports and open-data builds here)
TASK_MODULES = (
    "gisgrid.notifications.tasks",
    "gisgrid.incidents.tasks",
    "gisgrid.tracking.tasks",
    "gisgrid.privacy.tasks",
    "gisgrid.patrols.tasks",
    "gisgrid.jobs.tracked",
    "gisgrid.public_map.tasks",
    "gisgrid.editor.tasks",
    "gisgrid.audit.tasks",
    "gisgrid.grids.tasks",
)


@dataclass(frozen=True)
class Periodic:
    """A task run every ``every`` seconds by one worker: ``run(session, config)``."""

    name: str
    every: float
    run: Callable


_JOBS: dict[str, Callable] = {}
_PERIODIC: dict[str, Periodic] = {}
_KINDS: dict[str, Callable] = {}


def job(name: str):
    """Decorator: register ``fn(session, config, *args)`` as the job ``name``."""

    def register(fn: Callable) -> Callable:
        _JOBS[name] = fn
        return fn

    return register


def periodic(name: str, every: float):
    """Decorator: register ``fn(session, config)`` to run every ``every`` seconds (at most once per tick)."""

    def register(fn: Callable) -> Callable:
        _PERIODIC[name] = Periodic(name, every, fn)
        return fn

    return register


def kind(name: str):
    """Decorator: register ``fn(session, config, args, progress)`` as a tracked job kind (``jobs.tracked``).

    ``progress(done, total, message)`` shows how far it got; the function must be idempotent (a run
    interrupted by a worker restart runs again from the start) and returns a JSON-able result.
    """

    def register(fn: Callable) -> Callable:
        _KINDS[name] = fn
        return fn

    return register


def find_kind(name: str) -> Callable:
    """The tracked job kind ``name`` (KeyError naming it when unknown)."""
    load()
    return _KINDS[name]


def load() -> None:
    """Import every domain's tasks module (idempotent)."""
    for name in TASK_MODULES:
        import_module(name)


def find(name: str) -> Callable:
    """The job function ``name`` (KeyError naming it when unknown)."""
    load()
    return _JOBS[name]


def periodics() -> list[Periodic]:
    """Registered periodic tasks, in registration order."""
    load()
    return list(_PERIODIC.values())
