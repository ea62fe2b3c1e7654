"""Notification rules without a database: quiet hours, backoff, contact parsing, gateway templates and success."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from urllib.parse import parse_qs

import pytest

from gisgrid.clock import CHINA_TZ
from gisgrid.notifications import channels, quiet
from gisgrid.notifications.delivery import backoff
from gisgrid.notifications.recipients import contact_channel


def _beijing(hour, minute=0, day=5):
    return datetime(2026, 12, day, hour, minute, tzinfo=CHINA_TZ).astimezone(UTC)


def test_overnight_quiet_hours_hold_until_the_morning():
    start, end = time(22), time(7)
    assert quiet.hold_until(_beijing(23, 30), start, end) == datetime(2026, 12, 6, 7, tzinfo=CHINA_TZ)
    assert quiet.hold_until(_beijing(2), start, end) == datetime(2026, 12, 5, 7, tzinfo=CHINA_TZ)
    assert quiet.hold_until(_beijing(7), start, end) is None  # the end is not quiet
    assert quiet.hold_until(_beijing(12), start, end) is None
    # 22:30 in Beijing is 14:30 UTC: the server's zone does not matter
    assert quiet.hold_until(datetime(2026, 12, 5, 14, 30, tzinfo=UTC), start, end) is not None


def test_daytime_quiet_hours_and_none():
    assert quiet.hold_until(_beijing(12, 30), time(12), time(14)) == datetime(2026, 12, 5, 14, tzinfo=CHINA_TZ)
    assert quiet.hold_until(_beijing(15), time(12), time(14)) is None
    assert quiet.hold_until(_beijing(12), None, None) is None
    assert quiet.hold_until(_beijing(12), time(9), time(9)) is None
    assert quiet.parse("22:00-07:00") == (time(22), time(7)) and quiet.parse("") is None
    with pytest.raises(ValueError):
        quiet.parse("late")


def test_backoff_doubles_up_to_the_cap():
    waits = [backoff(n, 30, 3600).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert backoff(1, 0, 3600) == timedelta(0)


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ("citizen@example.org", ("email", "citizen@example.org")),
        ("139-1234-5678", ("sms", "13912345678")),
        ("+86 139 1234 5678", ("sms", "13912345678")),
        ("010-66012345", None),  # a landline gets no SMS
        ("张先生", None),
        (None, None),
    ],
)
def test_a_citizens_contact_picks_the_channel(contact, expected):
    assert contact_channel(contact) == expected


def _sms(**params):
    return SimpleNamespace(
        address="13912345678", kind="overdue", params=params, body="案件 7 已超期", message_id="abc123"
    )


def test_a_form_encoded_gateway_template_yunpian_style():
    # 云片 tpl_single_send: apikey, mobile, tpl_id and tpl_value (itself url-encoded #key#=value pairs)
    cfg = {
        "SMS_TEMPLATES": json.dumps({"overdue": "4001"}),
        "SMS_TEMPLATE_ID": "1",
        "SMS_URL": "https://sms.example/v2/sms/tpl_single_send.json",
        "SMS_HEADERS": json.dumps({"Content-Type": "application/x-www-form-urlencoded"}),
        "SMS_BODY": "apikey=KEY&mobile={{ phone|urlencode }}&tpl_id={{ template_id }}"
        "&tpl_value={{ ('#case#=' ~ params.case ~ '&#event#=' ~ params.event)|urlencode }}",
    }
    url, headers, body = channels.sms_request(cfg, _sms(case="7", event="案件已超期"))
    form = parse_qs(body)
    assert form["mobile"] == ["13912345678"] and form["tpl_id"] == ["4001"]
    assert parse_qs(form["tpl_value"][0]) == {"#case#": ["7"], "#event#": ["案件已超期"]}
    assert headers["Content-Type"] == "application/x-www-form-urlencoded" and url.endswith("tpl_single_send.json")


def test_the_json_template_escapes_what_it_is_given():
    cfg = {"SMS_TEMPLATES": "{}", "SMS_TEMPLATE_ID": "T1", "SMS_URL": "u", "SMS_HEADERS": "{}"}
    cfg["SMS_BODY"] = '{"to": {{ phone|tojson }}, "p": {{ params|tojson }}}'
    _url, _headers, body = channels.sms_request(cfg, _sms(case='7", "x": "injected'))
    assert json.loads(body) == {"to": "13912345678", "p": {"case": '7", "x": "injected'}}


def test_success_rules_read_the_json_answer():
    assert channels.accepted("code=0", '{"code": 0, "msg": "OK"}')
    assert channels.accepted("Code=OK", '{"Code": "OK"}')
    assert channels.accepted("result.0.status=success", '{"result": [{"status": "success"}]}')
    assert not channels.accepted("code=0", '{"code": 22}')
    assert not channels.accepted("code=0", "<html>busy</html>")
    assert not channels.accepted("code=0", '{"msg": "no code"}')
