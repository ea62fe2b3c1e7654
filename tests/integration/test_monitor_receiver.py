"""The HJ 212 receiver over real TCP on loopback, writing to a real committed PostGIS database."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from gisgrid.monitoring import alerts, codec
from tests.monitor_support import LiveReceiver, monitor_db, packet, read_response

STATIONS = 200
LOCAL = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 30, 23, 0)  # local time; the next hour is in December: two month partitions


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with monitor_db(tmp_path_factory.mktemp("monitor"), stations=STATIONS) as eng:
        yield eng


@pytest.fixture(scope="module")
def live(engine):
    with LiveReceiver(engine) as rx:
        yield rx


def _scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def _values(engine, mn: str) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT v.pollutant, v.cn, v.data_time, v.rtd, v.avg, v.min, v.max, v.cou, v.flag FROM monitor_value v"
                " JOIN monitor_station s ON s.id = v.station_id WHERE s.mn = :mn ORDER BY v.cn, v.data_time, v.pollutant"
            ),
            {"mn": mn},
        ).all()


@pytest.mark.parametrize(
    ("cn", "fields"),
    [
        ("2011", {"Rtd": 12.5, "Flag": "N"}),
        ("2051", {"Cou": 3.5, "Min": 1.0, "Avg": 11.0, "Max": 20.0, "Flag": "N"}),
        ("2061", {"Cou": 60.0, "Min": 2.0, "Avg": 30.0, "Max": 45.0, "Flag": "N"}),
        ("2031", {"Cou": 900.0, "Min": 1.5, "Avg": 9.0, "Max": 50.0, "Flag": "N"}),
    ],
)
def test_each_data_command_is_stored_and_acknowledged(live, engine, cn, fields):
    with live.connect() as sock:
        sock.sendall(packet("MN00000", "pw-0", cn, T0, {"a21026": fields}, qn=f"20261130230000{cn[:3]}"))
        ack = read_response(sock)
    assert (ack.cn, ack.st, ack.qn, ack.mn, ack.flag) == ("9014", "91", f"20261130230000{cn[:3]}", "MN00000", 4)
    rows = [r for r in _values(engine, "MN00000") if r.cn == int(cn)]
    assert len(rows) == 1
    row = rows[0]
    assert row.data_time == T0.replace(tzinfo=LOCAL)  # DataTime is local (UTC+8) time
    assert (row.rtd, row.avg, row.min, row.max, row.cou, row.flag) == (
        fields.get("Rtd"),
        fields.get("Avg"),
        fields.get("Min"),
        fields.get("Max"),
        fields.get("Cou"),
        "N",
    )


def test_no_response_unless_the_flag_asks_and_values_of_two_months(live, engine):
    with live.connect() as sock:
        sock.sendall(packet("MN00001", "pw-1", "2061", T0, {"a21026": {"Avg": 1.0}}, flag=4))
        sock.sendall(packet("MN00001", "pw-1", "2061", T0 + timedelta(hours=1), {"a21026": {"Avg": 2.0}}, flag=5))
        ack = read_response(sock)  # the first response is the second packet's: the first asked for none
    assert ack.qn == f"{T0 + timedelta(hours=1):%Y%m%d%H%M%S}000"
    assert [r.avg for r in _values(engine, "MN00001")] == [1.0, 2.0]
    partitions = _scalar(engine, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'monitor_value'::regclass")
    assert partitions >= 2  # November and December (local time)


def test_a_bad_crc_is_counted_and_the_connection_goes_on(live, engine):
    before = live.stats["malformed_crc"]
    bad = packet("MN00002", "pw-2", "2011", T0, {"a21026": {"Rtd": 5.0}})
    bad = bad[:-6] + (b"0000" if not bad[-6:-2] == b"0000" else b"0001") + b"\r\n"
    good = packet("MN00002", "pw-2", "2011", T0 + timedelta(minutes=1), {"a21026": {"Rtd": 6.0}})
    with live.connect() as sock:
        sock.sendall(bad + good)
        ack = read_response(sock)
    assert ack.qn == f"{T0 + timedelta(minutes=1):%Y%m%d%H%M%S}000"
    assert live.stats["malformed_crc"] == before + 1
    assert [r.rtd for r in _values(engine, "MN00002")] == [6.0]


def test_a_wrong_password_or_unknown_mn_stores_nothing_and_gets_no_response(live, engine):
    before = live.stats["refused"]
    with live.connect() as sock:
        sock.sendall(packet("MN00003", "wrong", "2011", T0, {"a21026": {"Rtd": 5.0}}))
        sock.sendall(packet("NOSUCHMN", "pw-3", "2011", T0, {"a21026": {"Rtd": 5.0}}))
        sock.sendall(packet("MN00003", "pw-3", "2011", T0 + timedelta(minutes=1), {"a21026": {"Rtd": 7.0}}))
        ack = read_response(sock)
    assert ack.qn == f"{T0 + timedelta(minutes=1):%Y%m%d%H%M%S}000"  # the refused ones got no response
    assert live.stats["refused"] == before + 2
    assert [r.rtd for r in _values(engine, "MN00003")] == [7.0]


def test_a_packet_split_across_tcp_segments(live, engine):
    raw = packet("MN00004", "pw-4", "2051", T0, {"a21026": {"Avg": 3.0}, "a34013": {"Avg": 4.0}})
    with live.connect() as sock:
        for piece in (raw[:1], raw[1:5], raw[5:40], raw[40:-1], raw[-1:]):
            sock.sendall(piece)
            time.sleep(0.05)  # separate segments (TCP_NODELAY); the receiver must wait for the rest
        ack = read_response(sock)
    assert ack.cn == "9014"
    assert [(r.pollutant, r.avg) for r in _values(engine, "MN00004")] == [("a21026", 3.0), ("a34013", 4.0)]


def test_two_packets_in_one_segment(live, engine):
    one = packet("MN00005", "pw-5", "2061", T0, {"a21026": {"Avg": 8.0}})
    two = packet("MN00005", "pw-5", "2061", T0 + timedelta(hours=1), {"a21026": {"Avg": 9.0}})
    with live.connect() as sock:
        sock.sendall(one + two)
        acks = [read_response(sock).qn for _ in range(2)]
    assert acks == [f"{T0:%Y%m%d%H%M%S}000", f"{T0 + timedelta(hours=1):%Y%m%d%H%M%S}000"]
    assert [r.avg for r in _values(engine, "MN00005")] == [8.0, 9.0]


def test_a_split_message_is_joined_stored_and_acknowledged_once(live, engine):
    # Flag bit D: three parts with PNUM/PNO and one QN, sent out of order; DataTime only in the first part
    parts = [{"a21026": {"Avg": 31.0, "Flag": "N"}}, {"a21002": {"Avg": 81.0, "Flag": "N"}}, {"a34013": {"Avg": 6.0}}]
    when, qn = T0 - timedelta(days=10), "20261120230000777"
    frames = codec.build_split("MN00150", "pw-150", "2031", when, parts, qn)
    before = live.stats["split_parts"]
    with live.connect() as sock:
        sock.sendall(frames[2] + frames[0])
        time.sleep(0.2)  # nothing may be stored or acknowledged before the last part
        assert [r for r in _values(engine, "MN00150") if r.cn == 2031] == []
        sock.sendall(frames[1])
        ack = read_response(sock)
    assert (ack.cn, ack.qn) == ("9014", qn)
    stored = [(r.pollutant, r.avg, r.data_time) for r in _values(engine, "MN00150") if r.cn == 2031]
    local = when.replace(tzinfo=LOCAL)
    assert stored == [("a21002", 81.0, local), ("a21026", 31.0, local), ("a34013", 6.0, local)]
    assert live.stats["split_parts"] == before + 3


def test_an_unfinished_split_message_stores_nothing(live, engine):
    parts = [{"a21026": {"Avg": 1.0}}, {"a34013": {"Avg": 2.0}}]
    when = T0 - timedelta(days=11)
    first, _missing = codec.build_split("MN00151", "pw-151", "2031", when, parts, "20261119230000888")
    good = packet("MN00151", "pw-151", "2011", when, {"a21026": {"Rtd": 4.0}})
    with live.connect() as sock:
        sock.sendall(first + good)  # the connection goes on: the next packet is stored and acknowledged
        assert read_response(sock).cn == "9014"
    assert [(r.cn, r.rtd, r.avg) for r in _values(engine, "MN00151")] == [(2011, 4.0, None)]


def test_a_resent_packet_is_stored_once(live, engine):
    raw = packet("MN00006", "pw-6", "2061", T0, {"a21026": {"Avg": 1.5}})
    with live.connect() as sock:
        for _ in range(2):
            sock.sendall(raw)
            assert read_response(sock).cn == "9014"  # acknowledged both times: the logger may stop re-sending
    assert [r.avg for r in _values(engine, "MN00006")] == [1.5]


def test_garbage_never_ends_the_connection(live, engine):
    before = live.stats["malformed"]
    good = packet("MN00007", "pw-7", "2011", T0, {"a21026": {"Rtd": 1.0}})
    junk = [b"\x00\xff garbage", b"##abcd", codec.frame(b"CN=2011;no-cp"), codec.frame(b"CN=2011;MN=MN00007;CP=&&x&&")]
    with live.connect() as sock:
        sock.sendall(b"".join(junk) + good)
        assert read_response(sock).cn == "9014"
    assert live.stats["malformed"] >= before + 4
    assert [r.rtd for r in _values(engine, "MN00007")] == [1.0]


def test_two_hundred_stations_sending_at_once(live, engine):
    failures: list = []

    def station(n: int) -> None:
        try:
            with live.connect() as sock:
                for minute in range(3):
                    when = T0 + timedelta(days=2, minutes=minute)
                    values = {"a21026": {"Avg": float(n), "Flag": "N"}, "a34013": {"Avg": 1.0, "Flag": "N"}}
                    sock.sendall(packet(f"MN{n:05d}", f"pw-{n}", "2051", when, values))
                    assert read_response(sock).cn == "9014"
        except Exception as err:  # collected: an assertion in a thread would be lost
            failures.append((n, err))

    threads = [threading.Thread(target=station, args=(n,)) for n in range(STATIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    stored = _scalar(
        engine,
        "SELECT count(*) FROM monitor_value WHERE cn = 2051 AND data_time >= :t",
        t=(T0 + timedelta(days=2)).replace(tzinfo=LOCAL),
    )
    assert stored == STATIONS * 3 * 2
    assert _scalar(engine, "SELECT count(DISTINCT station_id) FROM monitor_value WHERE cn = 2051") >= STATIONS


def test_a_silent_station_raises_one_offline_alert_until_it_sends_again(live, engine):
    later = datetime.now(UTC) + timedelta(hours=1)  # every station's 60 s interval has passed by then
    with Session(engine) as session:
        opened = alerts.check_gaps(session, later)
        assert alerts.check_gaps(session, later + timedelta(minutes=5)) == 0  # one alert per silence
    assert opened >= 1
    sql = (
        "SELECT count(*) FROM monitor_alert a JOIN monitor_station s ON s.id = a.station_id"
        " WHERE s.mn = :mn AND a.kind = 'offline' AND a.ended_at IS NULL"
    )
    assert _scalar(engine, sql, mn="MN00150") == 1
    with live.connect() as sock:
        sock.sendall(packet("MN00150", "pw-150", "2011", T0 + timedelta(days=3), {"a21026": {"Rtd": 1.0}}))
        assert read_response(sock).cn == "9014"
    assert _scalar(engine, sql, mn="MN00150") == 0  # heard from again: the silence is over


def _cases(engine, mn: str) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT i.id, i.channel, i.category_code, i.grid_codes, i.description FROM incident i"
                " JOIN monitor_alert a ON a.incident_id = i.id JOIN monitor_station s ON s.id = a.station_id"
                " WHERE s.mn = :mn ORDER BY i.id"
            ),
            {"mn": mn},
        ).all()


def test_a_sustained_exceedance_opens_exactly_one_case_per_episode(live, engine):
    mn, pw, start = "MN00010", "pw-10", T0 + timedelta(days=5)

    def hourly(sock, hour: int, value: float) -> None:
        sock.sendall(packet(mn, pw, "2061", start + timedelta(hours=hour), {"a21026": {"Avg": value, "Flag": "N"}}))
        assert read_response(sock).cn == "9014"

    with live.connect() as sock:
        hourly(sock, 0, 120.0)
        hourly(sock, 1, 130.0)
        assert _cases(engine, mn) == []  # two exceeding hours: an alert, not yet a case (3 needed)
        for hour, value in ((2, 140.0), (3, 150.0), (4, 110.0)):
            hourly(sock, hour, value)
        cases = _cases(engine, mn)
        assert len(cases) == 1  # five exceeding hours, still one episode: one case
        case = cases[0]
        assert case.channel == "monitoring" and case.category_code == "other"
        assert case.grid_codes == ["E", "E1"]  # the source's grid
        # the data at opening: the limit, the maximum so far and the three exceeding hours
        assert "a21026" in case.description and "排放限值 100" in case.description and "最高 140" in case.description
        assert "2026-12-05 23:00 120；2026-12-06 00:00 130；2026-12-06 01:00 140" in case.description
        hourly(sock, 5, 90.0)  # back under the limit: the episode ends
        for hour in (6, 7, 8):
            hourly(sock, hour, 101.0)  # a new episode
    cases = _cases(engine, mn)
    assert len(cases) == 2
    with engine.connect() as conn:
        episodes = conn.execute(
            text(
                "SELECT a.count, a.max_value, a.ended_at IS NOT NULL AS ended FROM monitor_alert a"
                " JOIN monitor_station s ON s.id = a.station_id WHERE s.mn = :mn AND a.kind = 'exceedance'"
                " ORDER BY a.id"
            ),
            {"mn": mn},
        ).all()
    assert [tuple(e) for e in episodes] == [(5, 150.0, True), (3, 101.0, False)]


def test_values_flagged_as_maintenance_are_not_exceedances(live, engine):
    mn, start = "MN00011", T0 + timedelta(days=6)
    with live.connect() as sock:
        for hour in range(4):
            values = {"a21026": {"Avg": 500.0, "Flag": "M"}}
            sock.sendall(packet(mn, "pw-11", "2061", start + timedelta(hours=hour), values))
            assert read_response(sock).cn == "9014"
    sql = "SELECT count(*) FROM monitor_alert a JOIN monitor_station s ON s.id = a.station_id"
    assert _scalar(engine, f"{sql} WHERE s.mn = :mn AND a.kind = 'exceedance'", mn=mn) == 0
    assert [r.flag for r in _values(engine, mn) if r.cn == 2061] == ["M"] * 4  # stored all the same


def test_idle_and_half_open_clients_are_disconnected(engine):
    with LiveReceiver(engine, idle_s=0.3, frame_s=0.3) as rx:
        with rx.connect() as idle:
            assert idle.recv(10) == b""  # closed by the receiver, not by the client
        with rx.connect() as half:
            half.sendall(packet("MN00012", "pw-12", "2011", T0, {"a21026": {"Rtd": 1.0}})[:30])
            assert half.recv(10) == b""
        assert rx.stats["timeouts"] == 2


def test_a_refused_batch_is_not_acknowledged_and_the_server_goes_on(live, engine):
    """A database error (here a trigger refusing one station's rows, SQLSTATE 53100 disk full) loses no
    acknowledged value: that packet gets no 9014 (the logger will re-send), the next one is stored."""
    station_id = _scalar(engine, "SELECT id FROM monitor_station WHERE mn = 'MN00020'")
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION refuse_station() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                f" IF NEW.station_id = {station_id} THEN RAISE EXCEPTION 'disk full' USING ERRCODE = '53100'; END IF;"
                " RETURN NEW; END $$"
            )
        )
        conn.execute(
            text("CREATE TRIGGER refuse BEFORE INSERT ON monitor_value FOR EACH ROW EXECUTE FUNCTION refuse_station()")
        )
    try:
        before = live.stats["unstored_packets"]
        # a month no other test uses: the refused batch's new partition is rolled back with it, and the
        # receiver must create it again for the next batch (it once remembered it as existing)
        march = datetime(2027, 3, 1, 0, 0)
        refused = packet("MN00020", "pw-20", "2011", march, {"a21026": {"Rtd": 1.0}})
        fine = packet("MN00021", "pw-21", "2011", march, {"a21026": {"Rtd": 2.0}})
        with live.connect() as sock:
            sock.sendall(refused)
            sock.sendall(fine)
            assert read_response(sock).mn == "MN00021"  # the first response is the second packet's
        assert live.stats["unstored_packets"] == before + 1
        assert [r for r in _values(engine, "MN00020") if r.cn == 2011] == []
        assert [r.rtd for r in _values(engine, "MN00021") if r.cn == 2011] == [2.0]
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse ON monitor_value"))
            conn.execute(text("DROP FUNCTION refuse_station()"))
