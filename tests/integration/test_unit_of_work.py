"""The unit of work: commit on success, roll back on any exception, nested units join, lost races are 409."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, InvalidInput


@pytest.fixture()
def scratch(session):
    session.execute(text("CREATE TEMP TABLE uow_probe (k text PRIMARY KEY, v int)"))
    session.commit()
    return session


def _rows(session) -> list:
    return session.execute(text("SELECT k, v FROM uow_probe ORDER BY k")).all()


def test_commits_when_the_block_ends(scratch):
    with unit_of_work(scratch) as s:
        s.execute(text("INSERT INTO uow_probe VALUES ('a', 1)"))
    scratch.rollback()  # nothing left to roll back: the unit committed
    assert _rows(scratch) == [("a", 1)]


def test_rolls_back_everything_on_a_domain_error(scratch):
    with pytest.raises(InvalidInput), unit_of_work(scratch) as s:
        s.execute(text("INSERT INTO uow_probe VALUES ('a', 1)"))
        raise InvalidInput("bad")
    assert _rows(scratch) == []


def test_nested_units_join_the_outer_one(scratch):
    with pytest.raises(RuntimeError), unit_of_work(scratch) as outer:
        with unit_of_work(outer) as inner:
            inner.execute(text("INSERT INTO uow_probe VALUES ('inner', 1)"))
        # the inner unit did not commit on its own: the outer failure undoes it
        raise RuntimeError("later step fails")
    assert _rows(scratch) == []
    with unit_of_work(scratch) as again:  # the depth counter was restored
        again.execute(text("INSERT INTO uow_probe VALUES ('b', 2)"))
    scratch.rollback()
    assert _rows(scratch) == [("b", 2)]


def test_duplicate_key_is_a_conflict_with_the_given_message(scratch):
    with unit_of_work(scratch) as s:
        s.execute(text("INSERT INTO uow_probe VALUES ('a', 1)"))
    with pytest.raises(Conflict, match="已存在") as caught, unit_of_work(scratch, conflict="已存在 (exists)") as s:
        s.execute(text("INSERT INTO uow_probe VALUES ('a', 2)"))
    assert caught.value.status == 409
    assert _rows(scratch) == [("a", 1)]


def test_other_database_errors_propagate_unchanged(scratch):
    from sqlalchemy.exc import DataError

    with pytest.raises(DataError), unit_of_work(scratch) as s:
        s.execute(text("INSERT INTO uow_probe VALUES ('a', 'not a number'::int)"))
    assert _rows(scratch) == []
