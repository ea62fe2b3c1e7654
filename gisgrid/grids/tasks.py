"""The worker's grid jobs: the prepared batch index, built right after publication.

A publication records the job in its own transaction (``grid_versions.on_publish``, as the tile fill is
recorded); the worker builds the version's index file under ``CACHE_DIR`` (``batch_store``), so no
request, worker start-up or ``gisgrid grids assign`` pays the build (~100 s at 100,000 grids).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.audit.actor import current_actor
from gisgrid.grids import batch_store
from gisgrid.grids import versions as grid_versions
from gisgrid.jobs import deferred
from gisgrid.jobs.registry import kind

BATCH_INDEX = "grids.batch_index"


@kind(BATCH_INDEX)
def build_batch_index(session: Session, cfg, args: dict, progress) -> dict:
    """Write the prepared batch index of a published version (idempotent: a sound file is kept).

    A version no longer published when the job starts is done without building: its successor has a job of its own.
    """
    version_id = int(args["version_id"])
    published = grid_versions.find_published(session)  # read committed: sees the latest publication
    if published is None or published.id != version_id:
        return {"version_id": version_id, "skipped": "superseded"}
    return batch_store.prepare(session, published, cfg["CACHE_DIR"], progress)


def start_at_publication(session: Session, version_id: int) -> None:
    """The ``grid_versions.on_publish`` preparer: record the batch index job for the user who published."""
    actor = current_actor()
    user_id = actor.id if actor else None
    args = {"version_id": version_id}
    deferred.submit_in(session, deferred.app_config(), BATCH_INDEX, args, user_id, f"{BATCH_INDEX}:v{version_id}")


grid_versions.on_publish(start_at_publication)
