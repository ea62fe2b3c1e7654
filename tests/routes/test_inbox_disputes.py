"""待办: an open jurisdiction dispute waits for the leaders of the common superior grid (and above) only."""

from __future__ import annotations

from tests.incident_support import As, _case, _ok
from tests.jurisdiction_world import line

ACROSS_TOWNSHIPS = line((1400, 300), (1600, 300))  # V112 (T11) → V121 (T12), both in county C1


def dispute_titles(user_client) -> list[str]:
    return [e["title"] for e in _ok(user_client.get("/api/v1/inbox"))["entries"] if e["kind"] == "dispute"]


def test_a_dispute_waits_for_the_designating_leaders_until_decided(app, session, jw):
    first, later = _case(app, session, 1600, 300, 0), _case(app, session, 1300, 300, 45)
    event = _ok(As(app, jw["staff_v121"]).put(f"/api/v1/incidents/{first.id}/jurisdiction", act=ACROSS_TOWNSHIPS), 201)
    url = f"/api/v1/jurisdiction/events/{event['id']}"
    _ok(As(app, jw["staff_v112"]).post(f"{url}/cases", incident_id=later.id), 201)
    dispute = _ok(As(app, jw["leader_t12"]).post(f"{url}/disputes", reason="排污口位于西村一侧"), 201)["disputes"][0]
    assert dispute["deciding"] == "C1"
    for name in ("leader_c1", "leader_p", "admin"):  # the common superior grid, the grid above it, the admin
        titles = dispute_titles(As(app, jw[name]))
        assert len(titles) == 1 and titles[0].startswith("指定管辖 · ") and "V112" in titles[0], name
        assert _ok(As(app, jw[name]).get("/api/v1/inbox"))["counts"]["disputes"] == 1
    for name in ("leader_t11", "leader_t12", "leader_c2", "staff_v112", "dispatcher_c1"):  # parties, foreign, roles
        assert dispute_titles(As(app, jw[name])) == [], name
        assert _ok(As(app, jw[name]).get("/api/v1/inbox"))["counts"]["disputes"] == 0, name
    decision = {"designated": "V112", "reason": "排污口设在西村"}
    _ok(As(app, jw["leader_c1"]).post(f"{url}/disputes/{dispute['id']}/decision", **decision))
    assert dispute_titles(As(app, jw["leader_c1"])) == [] and dispute_titles(As(app, jw["leader_p"])) == []
