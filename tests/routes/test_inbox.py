"""待办 over HTTP: each role sees exactly the next steps it may take, foreign grids see nothing, the header counts."""

from __future__ import annotations

from datetime import date

import pytest

from gisgrid.errors import DomainError
from gisgrid.inbox import registry, service
from gisgrid.incidents import waiting, workflow
from gisgrid.incidents.models import Incident
from gisgrid.sources import inspections
from gisgrid.sources import service as sources
from gisgrid.sources import waiting as source_waiting
from tests import worlds
from tests.helpers import assert_login_required
from tests.incident_support import As, _ok, _report


def inbox(user_client) -> dict:
    return _ok(user_client.get("/api/v1/inbox"))


def case_work(body) -> list[dict]:
    """The case entries of an inbox (other sources, e.g. 信息报告 due for the user's grids, are left out)."""
    return [e for e in body["entries"] if e["kind"].startswith("case_")]


def kinds(user_client) -> list[str]:
    """The kinds of the user's case work (reports due for the user's grids etc. come from other sources)."""
    return [e["kind"] for e in case_work(inbox(user_client))]


def test_each_role_sees_the_next_step_of_a_case_and_foreign_grids_see_none(app, client, case_world):
    case = _ok(_report(client), 201)["id"]  # in A1a
    d, staff, h = As(app, case_world["dispatcher"]), As(app, case_world["staff"]), As(app, case_world["zhujian"])
    foreign = [As(app, case_world[k]) for k in ("foreign_staff", "foreign_dispatcher", "gongan")]
    url = f"/incidents/{case}"
    steps = [("register", d), ("dispatch", d), ("start", h), ("handle", h), ("verify", staff), ("close", d)]
    params = {"handle": {"result": "已整改"}, "close": {"outcome": "resolved"}}
    for action, who in steps:
        body = inbox(who)
        mine = [e for e in body["entries"] if e["url"] == url]
        assert [e["kind"] for e in mine] == [f"case_{action}"], (action, body)
        assert workflow.LABELS[action] in mine[0]["title"]
        assert body["counts"]["cases"] == 1 and len(case_work(body)) == 1
        others = [u for u in (d, staff, h) if u is not who]
        assert all(not [e for e in inbox(u)["entries"] if e["url"] == url] for u in others), action
        assert all(not case_work(inbox(u)) for u in foreign), action
        _ok(who.act(case, action, **params.get(action, {})))
    assert all(not case_work(inbox(u)) for u in (d, staff, h))  # closed: no case work waits any more


def test_a_handlers_deadline_makes_the_entry_overdue_and_first(app, client, case_world, session):
    d, h = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"])
    late, fresh = _ok(_report(client), 201)["id"], _ok(_report(client, x=120, y=120), 201)["id"]
    for case in (fresh, late):
        _ok(d.act(case, "register"))
        _ok(d.act(case, "dispatch"))
    session.get(Incident, late).deadline = date(2020, 1, 2)
    session.commit()
    entries = inbox(h)["entries"]
    assert [e["url"] for e in entries] == [f"/incidents/{late}", f"/incidents/{fresh}"]
    assert entries[0]["overdue"] is True and entries[0]["due"] == "2020-01-02"
    assert entries[1]["overdue"] is False and entries[1]["due"] > "2020-01-02"


def test_transfers_wait_for_the_receiving_department(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    d, h, police = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"]), As(app, case_world["gongan"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    transfer = _ok(h.act(case, "transfer", to_department="gongan", reason="涉嫌需行政拘留"))["transfers"][0]["id"]
    titles = [e["title"] for e in inbox(police)["entries"]]
    assert len(titles) == 1 and titles[0].startswith("接收或退回移送")
    assert inbox(As(app, case_world["zhzf"]))["total"] == 0  # not the receiving unit
    _ok(police.act(case, "transfer_accept", transfer_id=transfer))
    assert [e["title"].split(" ·")[0] for e in inbox(police)["entries"] if e["kind"] == "transfer"] == ["登记查处完成"]
    _ok(police.act(case, "transfer_complete", transfer_id=transfer))
    entry = next(e for e in inbox(police)["entries"] if e["kind"] == "transfer")
    assert entry["title"].startswith("反馈移送结果") and entry["due"] and entry["overdue"] is False
    _ok(police.act(case, "transfer_feedback", transfer_id=transfer, feedback="已依法处理"))
    assert [e["kind"] for e in inbox(police)["entries"]] == ["case_start"]  # now gongan's case to handle


def test_inspections_due_in_my_grid_only(app, session, case_world, make_user):
    lon, lat = worlds.wgs84(100, 100)  # in A1a
    blon, blat = worlds.wgs84(3500, 500)  # in B
    for code, x, y in (("IN1", lon, lat), ("IN2", blon, blat)):
        sources.create_source(
            session, {"code": code, "name": f"示例·{code}", "kind": "enterprise", "lon": x, "lat": y}, by="t"
        )
    staff, foreign = As(app, case_world["staff"]), As(app, case_world["foreign_staff"])
    mine = [e for e in inbox(staff)["entries"] if e["kind"] == "inspection"]
    theirs = [e for e in inbox(foreign)["entries"] if e["kind"] == "inspection"]
    assert len(mine) == 1 and mine[0]["url"].startswith("/sources/") and "示例·IN1（" in mine[0]["title"]
    assert mine[0]["title"].split(" · ")[0] in ("从未检查", "即将到期检查", "逾期未检查") and mine[0]["due"]
    assert len(theirs) == 1 and "IN2" in theirs[0]["title"]
    assert inbox(As(app, case_world["gongan"]))["counts"]["inspections"] == 0  # a handler without grids
    admin = make_user("admin")
    for user in (case_world["staff"], case_world["foreign_staff"], case_world["gongan"], admin):
        # the badge's own count query agrees with the listed entries
        assert service.counts(session, user)["inspections"] == len(source_waiting.inspections_due(session, user))
    assert service.counts(session, admin)["inspections"] == 2
    inspections.record_inspection(
        session,
        int(mine[0]["url"].rsplit("/", 1)[1]),
        case_world["staff"],
        inspected_on=date.today(),
        violation=False,
        findings=None,
    )
    assert inbox(staff)["counts"]["inspections"] == 0 and not [
        e for e in inbox(staff)["entries"] if e["kind"] == "inspection"
    ]


def test_every_listed_case_is_one_the_user_may_act_on(app, client, case_world, session):
    d = As(app, case_world["dispatcher"])
    cases = [_ok(_report(client, x=100 + i, y=100), 201)["id"] for i in range(4)]
    _ok(d.act(cases[1], "register"))
    _ok(d.act(cases[2], "register"))
    _ok(d.act(cases[2], "dispatch"))
    for name, user in case_world.items():
        for entry in waiting.case_steps(session, user):
            incident = session.get(Incident, int(entry.url.rsplit("/", 1)[1]))
            action = entry.kind.removeprefix("case_")
            try:
                workflow.check_permission(user, incident, action)
            except DomainError as err:  # pragma: no cover - the failure message names the mismatch
                pytest.fail(f"{name} sees {action} on case {incident.id} but may not: {err}")
        assert waiting.count_case_steps(session, user) == len(waiting.case_steps(session, user))
    listed = {e.url for e in waiting.case_steps(session, case_world["dispatcher"])}
    assert listed == {f"/incidents/{c}" for c in (cases[0], cases[1], cases[3])}  # cases[2] is the handler's now
    assert [e.url for e in waiting.case_steps(session, case_world["zhujian"])] == [f"/incidents/{cases[2]}"]


def test_the_page_and_the_header_badge(app, client, case_world):
    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    page = d.get("/inbox").get_data(as_text=True)
    assert f'href="/incidents/{case}"' in page and "立案 · 案件" in page
    waiting = inbox(d)["total"]  # the case, and the 信息报告 due for the dispatcher's grid
    assert waiting >= 1 and 'id="inbox-badge"' in page and f'data-count="{waiting}"' in page
    other = d.get("/sources").get_data(as_text=True)  # every page's header
    assert f'data-count="{waiting}"' in other and 'href="/app/" id="field-app-link"' in other
    quiet = As(app, case_world["foreign_staff"]).get("/inbox").get_data(as_text=True)
    assert 'id="inbox-empty"' in quiet and 'data-count="0"' in quiet
    assert 'id="inbox-badge"' not in client.get("/").get_data(as_text=True)  # nobody logged in


def test_anonymous_gets_401(client):
    assert_login_required(client.get("/api/v1/inbox", headers={"Accept": "application/json"}))


def test_a_source_offering_dicts_joins_and_sorts(app, session, case_world):
    """The interface of 督办 and evaluation forms: ``waiting_for(session, user) -> list[dict]``."""

    def waiting_for(_session, user):
        return [
            {"kind": "supervision", "title": "督办 乙", "url": "/x/2", "due": None, "overdue": False, "urgency": 0},
            {
                "kind": "supervision",
                "title": "督办 甲",
                "url": "/x/1",
                "due": date(2020, 1, 1),
                "overdue": True,
                "urgency": 5,
            },
        ]

    registry.register("test_supervision", waiting_for)
    try:
        found = service.entries(session, case_world["staff"])
        assert [e.title for e in found][:2] == ["督办 甲", "督办 乙"]  # overdue first, then urgency
        assert service.counts(session, case_world["staff"])["test_supervision"] == 2
        registry.register("test_supervision", lambda s, u: [{"kind": "x", "title": "bad"}])
        with pytest.raises(TypeError):
            service.entries(session, case_world["staff"])
    finally:
        registry._SOURCES.pop("test_supervision", None)


def test_a_patrol_case_is_verified_by_its_reporter_then_by_the_grid_leader(app, session, case_world, make_user):
    staff, d, h = As(app, case_world["staff"]), As(app, case_world["dispatcher"]), As(app, case_world["zhujian"])
    case = _ok(staff.client.post("/api/v1/incidents", data=_patrol_report(), headers={"X-CSRFToken": staff.token}), 201)
    for who, action, params in (
        (d, "register", {}),
        (d, "dispatch", {}),
        (h, "start", {}),
        (h, "handle", {"result": "已整改"}),
    ):
        _ok(who.act(case["id"], action, **params))
    leader, foreign_leader = As(app, case_world["leader"]), As(app, make_user("grid_leader", grids=("B",)))
    assert (
        kinds(staff) == ["case_verify"]
        and kinds(leader) == []
        and kinds(As(app, make_user("grid_staff", grids=("A1a",)))) == []
    )
    case_world["staff"].active = False  # the reporting supervisor left: a leader of the grid stands in
    session.commit()
    assert kinds(leader) == ["case_verify"] and kinds(foreign_leader) == []


def _patrol_report() -> dict:
    lon, lat = worlds.wgs84(100, 100)
    return {"category": "dust", "description": "巡查发现扬尘", "lon": lon, "lat": lat, "channel": "patrol"}
