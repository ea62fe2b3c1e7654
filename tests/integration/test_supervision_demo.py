"""The demo step of 督查督办: a 督办 that escalated, a meeting with decisions (one accepted), a public 通报."""

from __future__ import annotations

from sqlalchemy import func, select

from gisgrid.auth.demo import load_demo_users
from gisgrid.cli import DEMO_FILE
from gisgrid.deployment import load
from gisgrid.grids import service as grids
from gisgrid.incidents.demo import DEMO_TOP, load_demo, load_demo_cases
from gisgrid.supervision.demo import load_demo_supervision
from gisgrid.supervision.models import Meeting, SupervisionCheck
from gisgrid.tracking.models import TrackedEscalation, TrackedItem


def test_demo_supervision_fills_every_page_once(app, session):
    grids.import_file(session, DEMO_FILE, label="demo", publish=True)
    load_demo_users(session)
    load_demo(session, load("xicheng"))
    load_demo_cases(session)
    from gisgrid.sources.demo import load_demo_sources

    load_demo_sources(session, profile=load("xicheng"), place="西城区")
    assert load_demo_supervision(session, load("xicheng"), DEMO_TOP) is True
    duban = session.scalar(select(TrackedItem).where(TrackedItem.kind == "duban"))
    assert duban.escalation_level == 2 and duban.escalated_to == DEMO_TOP
    assert session.scalar(select(func.count()).select_from(TrackedEscalation)) == 2
    meeting = session.scalar(select(Meeting))
    assert len(meeting.agenda) == 3 and meeting.attendees
    states = sorted(session.scalars(select(TrackedItem.state).where(TrackedItem.kind == "decision")))
    assert states == ["accepted", "open"]
    check = session.scalar(select(SupervisionCheck))
    assert check.public and check.bulletin_title.startswith("示例")
    assert session.scalar(select(TrackedItem.id).where(TrackedItem.kind == "rectification")) is not None
    from gisgrid.campaigns.models import Campaign

    campaign = session.scalar(select(Campaign))
    assert campaign.lead_grid_code == DEMO_TOP and campaign.source_ids  # the street's sample sources
    assert session.scalar(select(TrackedItem.id).where(TrackedItem.kind == "campaign_task")) is not None
    from gisgrid.campaigns.models import CampaignResult

    entered = session.scalar(select(CampaignResult))  # the department's own figures beside the data's
    assert (entered.campaign_id, entered.department_code, entered.inspections) == (
        campaign.id, campaign.departments[0], 6,
    )  # fmt: skip
    assert load_demo_supervision(session, load("xicheng"), DEMO_TOP) is False  # idempotent
    assert session.scalar(select(func.count()).select_from(Meeting)) == 1
