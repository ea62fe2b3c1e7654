"""The day in China of a timestamp, whatever the server's time zone."""

from datetime import UTC, date, datetime, timedelta, timezone

from gisgrid.clock import CHINA_TZ, china_date


def test_china_date_of_utc_and_other_zones():
    assert china_date(datetime(2025, 3, 2, 23, 30, tzinfo=UTC)) == date(2025, 3, 3)
    assert china_date(datetime(2025, 3, 2, 15, 59, tzinfo=UTC)) == date(2025, 3, 2)
    assert china_date(datetime(2025, 3, 3, 0, 0, tzinfo=CHINA_TZ)) == date(2025, 3, 3)
    assert china_date(datetime(2025, 3, 2, 12, 0, tzinfo=timezone(timedelta(hours=-5)))) == date(2025, 3, 3)
