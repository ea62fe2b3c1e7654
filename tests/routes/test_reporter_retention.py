"""Retention of reporters' data: the periodic job anonymises name and contact of cases that ended more than
GISGRID_REPORTER_RETENTION_MONTHS ago, and nothing else (other columns, other cases), audited and logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from gisgrid.jobs import registry
from gisgrid.privacy import retention
from tests.incident_support import _ok, _report

MONTH = timedelta(days=31)


@pytest.fixture()
def cases(app, session, client, case_world):
    """Five reported cases, then moved (in the database) to the states and ages the rule looks at."""
    now = datetime.now(UTC)
    ages = {
        "old_closed": ("closed", now - 25 * MONTH),
        "old_evaluated": ("evaluated", now - 30 * MONTH),
        "recent_closed": ("closed", now - 23 * MONTH),
        "open": ("in_progress", None),
        "old_rejected": ("rejected", None),
    }
    ids = {}
    for n, (name, (state, closed)) in enumerate(ages.items()):
        body = _ok(_report(client, name=f"举报人{n}", contact=f"1380000000{n}"), 201)
        ids[name] = body["id"]
        session.execute(
            text("UPDATE incident SET state = :s, closed_at = :c WHERE id = :i"),
            {"s": state, "c": closed, "i": body["id"]},
        )
    # the rejected case's last step is 3 years old
    session.execute(
        text("UPDATE incident_event SET at = :at WHERE incident_id = :i"),
        {"at": now - 36 * MONTH, "i": ids["old_rejected"]},
    )
    session.commit()
    return ids


def _rows(session) -> dict[int, dict]:
    found = session.execute(text("SELECT id, to_jsonb(i) AS row FROM incident AS i")).all()
    return {r.id: r.row for r in found}


def test_the_job_anonymises_old_reporters_and_nothing_else(app, session, cases, caplog):
    before = _rows(session)
    task = next(t for t in registry.periodics() if t.name == "privacy.reporter_retention")
    with caplog.at_level(logging.INFO, logger="gisgrid.privacy.retention"):
        assert task.run(session, app.config) == 3
    after = _rows(session)
    gone = {cases["old_closed"], cases["old_evaluated"], cases["old_rejected"]}
    for case_id, row in after.items():
        if case_id in gone:
            assert row["reporter_name"] is None and row["reporter_contact"] is None
            keep = {k: v for k, v in before[case_id].items() if k not in ("reporter_name", "reporter_contact")}
            assert {k: row[k] for k in keep} == keep  # every other column as it was
        else:
            assert row == before[case_id]  # open, recently closed: untouched
    assert before[cases["recent_closed"]]["reporter_contact"] == after[cases["recent_closed"]]["reporter_contact"]
    assert "anonymised 3 case(s)" in caplog.text


def test_the_job_is_audited_and_idempotent(app, session, cases):
    ids = retention.anonymise_closed(session, datetime.now(UTC), 24)
    assert ids == sorted([cases["old_closed"], cases["old_evaluated"], cases["old_rejected"]])
    row = session.execute(text("SELECT entity, changes FROM audit_log WHERE action = 'anonymise'")).one()
    assert row.entity == "incident" and row.changes["ids"] == ids and row.changes["months"] == 24
    assert retention.anonymise_closed(session, datetime.now(UTC), 24) == []  # nothing left: no second row
    assert session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'anonymise'")).scalar() == 1


def test_the_setting_decides_the_age(app, session, cases):
    assert retention.anonymise_closed(session, datetime.now(UTC), 40) == []
    assert len(retention.anonymise_closed(session, datetime.now(UTC), 22)) == 4  # now the 23-month case too


def test_a_retention_below_one_month_is_refused(session):
    with pytest.raises(ValueError, match="GISGRID_REPORTER_RETENTION_MONTHS"):
        retention.anonymise_closed(session, datetime.now(UTC), 0)


def _receipt(session, case_id: int, address: str | None, user_id: int | None = None) -> int:
    """A sent SMS receipt about ``case_id`` in the outbox (to a citizen's address, or to an account)."""
    return session.execute(
        text(
            "INSERT INTO notification (message_id, user_id, address, channel, kind, incident_id, subject, body,"
            " state, dedupe_key) VALUES (gen_random_uuid()::text, :u, :a, 'sms', 'receipt', :i, 's', 'b', 'sent',"
            " :d) RETURNING id"
        ),
        {"u": user_id, "a": address, "i": case_id, "d": f"receipt:{case_id}:{address or user_id}:sms"},
    ).scalar()


def test_the_receipts_sent_to_an_old_reporter_lose_their_address_and_no_other(app, session, cases, make_user):
    staff = make_user("dispatcher")
    old = _receipt(session, cases["old_closed"], "13800000000")
    recent = _receipt(session, cases["recent_closed"], "13800000002")
    account = _receipt(session, cases["old_closed"], None, user_id=staff.id)
    session.commit()
    retention.anonymise_closed(session, datetime.now(UTC), 24)
    rows = {r.id: r for r in session.execute(text("SELECT id, address, dedupe_key, user_id FROM notification"))}
    assert rows[old].address == "(已匿名)" and rows[old].dedupe_key is None
    assert "13800000000" not in str(session.execute(text("SELECT to_jsonb(n) FROM notification n")).scalars().all())
    assert rows[recent].address == "13800000002"  # a case inside the retention period keeps its receipts
    assert rows[account].user_id == staff.id and rows[account].dedupe_key is not None  # an account's row stays
    audit = session.execute(text("SELECT changes FROM audit_log WHERE action = 'anonymise'")).scalar()
    assert audit["notifications"] == 1
