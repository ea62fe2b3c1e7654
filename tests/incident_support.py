"""Shared pieces of the incident HTTP tests: a client per user, reporting, status checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gisgrid.incidents.models import Incident
from tests.helpers import csrf_from, login
from tests.worlds import wgs84

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class As:
    """A logged-in test client for one user."""

    def __init__(self, app, user):
        self.client = app.test_client()
        self.token = login(self.client, user.username)

    def post(self, url, **data):
        return self.client.post(url, json=data, headers={"X-CSRFToken": self.token})

    def put(self, url, **data):
        return self.client.put(url, json=data, headers={"X-CSRFToken": self.token})

    def delete(self, url):
        return self.client.delete(url, headers={"X-CSRFToken": self.token})

    def act(self, case_id, action, **data):
        return self.post(f"/api/v1/incidents/{case_id}/actions/{action}", **data)

    def get(self, url):
        return self.client.get(url)


def _report(client, category="dust", x=100, y=100, **extra):
    lon, lat = wgs84(x, y)
    token = csrf_from(client.get("/report").get_data(as_text=True))
    data = {"category": category, "description": "工地未覆盖，扬尘严重", "lon": lon, "lat": lat, **extra}
    return client.post("/api/v1/incidents", data=data, headers={"X-CSRFToken": token})


def _ok(resp, status=200):
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()


T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


def _case(app, session, x, y, minutes, channel="web"):
    """A public report at world metres (x, y), received ``minutes`` after T0."""
    body = _ok(_report(app.test_client(), x=x, y=y), 201)
    case = session.get(Incident, body["id"])
    case.reported_at, case.channel = T0 + timedelta(minutes=minutes), channel
    session.commit()
    return case
