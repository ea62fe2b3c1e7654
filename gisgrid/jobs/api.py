"""JSON API of background jobs: what the user started and how far it got; starting an open-data build."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from gisgrid.auth.access import login_required
from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.jobs import schemas, tracked

bp = Blueprint("jobs_api", __name__, description="后台任务 (background jobs)")
_SESSION = [{"session": []}]


@bp.get("/api/v1/jobs")
@login_required
@bp.alt_response(200, schema=schemas.JobRuns, success=True, description="the user's jobs, newest first")
@bp.doc(security=_SESSION)
def my_jobs():
    """The background jobs the logged-in user started, with their progress."""
    return {"jobs": [tracked.as_json(run) for run in tracked.mine(db.session(), current_user)]}


@bp.get("/api/v1/jobs/<int:run_id>")
@login_required
@bp.alt_response(200, schema=schemas.JobRun, success=True, description="the job")
@bp.doc(security=_SESSION)
def job(run_id: int):
    """One job of the logged-in user (403 for another user's job; admins see every job)."""
    return tracked.as_json(tracked.visible(db.session(), current_user, run_id))


@bp.post("/api/v1/jobs/open-data")
@capability_required("edit_grids")
@bp.alt_response(202, schema=schemas.JobRun, success=True, description="the build, queued (or the one already open)")
@bp.doc(security=[{"session": [], "csrf": []}])
def build_open_data():
    """Build the open-data files of the published version in the background (one open build per version)."""
    from gisgrid.public_map import tasks

    session = db.session()
    run = tracked.submit(
        session, current_app.config, tasks.OPEN_DATA, {}, current_user, dedupe_key=tasks.dedupe_key(session)
    )
    return tracked.as_json(run), 202
