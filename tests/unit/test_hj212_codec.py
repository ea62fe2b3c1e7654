"""HJ 212-2017 codec: the standard's CRC on its own example packet, parsing, building, stream framing."""

from __future__ import annotations

from datetime import datetime

import pytest

from gisgrid.monitoring import codec

# HJ 212-2017 附录 C (通讯命令示例), the 设置实时数据间隔 example: reproduced verbatim by public parsers,
# e.g. the parameterised HJT212FormatValidatorTest and the HJ212Parser README/tests found with the
# project's code search; its CRC 1C80 is the standard's, not ours.
STANDARD_EXAMPLE = (
    b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    b"CP=&&RtdInterval=30&&1C80\r\n"
)


def test_crc_of_the_standards_example_packet():
    segment = STANDARD_EXAMPLE[6:-6]
    assert len(segment) == 101  # the declared ##0101
    assert codec.crc16(segment) == 0x1C80
    packet = codec.parse(STANDARD_EXAMPLE)
    assert (packet.qn, packet.st, packet.cn, packet.pw) == ("20160801085857223", "32", "1062", "100000")
    assert packet.mn == "010000A8900016F000169DC0" and packet.flag == 5 and packet.wants_ack
    assert packet.cp == {"RtdInterval": "30"}


def test_building_the_example_gives_the_same_bytes():
    header = {"QN": "20160801085857223", "ST": "32", "CN": "1062", "PW": "100000"}
    header |= {"MN": "010000A8900016F000169DC0", "Flag": "5"}
    assert codec.frame(codec.build_segment(header, "RtdInterval=30")) == STANDARD_EXAMPLE


@pytest.mark.parametrize("cn", codec.DATA_CNS)
def test_data_packets_round_trip(cn):
    when = datetime(2026, 12, 5, 8, 0)
    fields = {"Rtd": 12.5, "Flag": "N"} if cn == codec.CN_REALTIME else {"Avg": 30.5, "Min": 1, "Max": 80.25}
    raw = codec.build_data("MN0001", "pw1", cn, when, {"a21026": fields, "w01018": {"Avg": 7.0, "Flag": "T"}})
    packet = codec.parse(raw)
    assert packet.cn == cn and packet.data_time == when and packet.pw == "pw1"
    expected = {k: (float(v) if k != "Flag" else v) for k, v in fields.items()}
    assert packet.values == {"a21026": expected, "w01018": {"Avg": 7.0, "Flag": "T"}}


def test_the_data_response_echoes_qn_and_is_a_valid_packet():
    request = codec.parse(codec.build_data("MN9", "secret", "2051", datetime(2026, 1, 1), {}, qn="20260101000000001"))
    response = codec.parse(codec.data_response(request))
    assert (response.cn, response.st, response.qn, response.mn) == ("9014", "91", "20260101000000001", "MN9")
    assert not response.wants_ack


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (STANDARD_EXAMPLE.replace(b"1C80", b"1C81"), "crc"),
        (STANDARD_EXAMPLE.replace(b"##0101", b"##0100"), "length"),
        (STANDARD_EXAMPLE.replace(b"1C80", b"ZZZZ"), "crc"),
        (STANDARD_EXAMPLE[:-2], "framing"),
        (codec.frame(b"QN=1;CN=2011;MN=x;Flag=5"), "syntax"),
        (codec.frame(b"QN=1;CN=2011;Flag=5;CP=&&&&"), "syntax"),
        (codec.frame(b"CN=2011;MN=x;CP=&&DataTime=2026;a1-Rtd=1&&"), "syntax"),
        (codec.frame(b"CN=2011;MN=x;CP=&&DataTime=20261340000000;a1-Rtd=1&&"), "syntax"),
        (codec.frame(b"CN=2011;MN=x;CP=&&DataTime=2026-1-1 00:00:0;a1-Rtd=1&&"), "syntax"),
        (codec.frame(b"CN=2011;MN=x;CP=&&DataTime=20260101000000;a1-Rtd=abc&&"), "syntax"),
        (codec.frame(b"CN=2011;MN=x;CP=&&a1-Rtd=nan&&"), "syntax"),
        (codec.frame(b"CN=2011;MN=\xff;CP=&&&&"), "encoding"),
    ],
)
def test_bad_packets_name_their_problem(raw, reason):
    with pytest.raises(codec.PacketError) as err:
        codec.parse(raw)
    assert err.value.reason == reason


def test_the_framer_joins_split_packets_and_cuts_coalesced_ones():
    one = codec.build_data("A", "p", "2011", datetime(2026, 1, 1), {"a21026": {"Rtd": 1.0}})
    two = codec.build_data("B", "p", "2011", datetime(2026, 1, 1), {"a21026": {"Rtd": 2.0}})
    framer = codec.Framer()
    assert framer.feed(one[:3]) == [] and framer.feed(one[3:20]) == []
    assert framer.feed(one[20:] + two + one[:10]) == [one, two]
    assert framer.feed(one[10:]) == [one]


def test_the_framer_skips_garbage_and_resynchronises():
    good = codec.build_data("A", "p", "2011", datetime(2026, 1, 1), {"a21026": {"Rtd": 1.0}})
    items = codec.Framer().feed(b"hello" + b"##ab" + good)
    assert [i.reason for i in items if isinstance(i, codec.PacketError)] == ["framing", "length", "framing"]
    assert items[-1] == good


@pytest.mark.parametrize(
    "cp",
    [b"DataTime=20260101000000;a 1-Rtd=1", b"DataTime=20260101000000;a1-Rtd=1,a1-Flag=N\tx", b"a1\\x-Rtd=1"],
)
def test_codes_and_flags_are_letters_and_digits(cp):
    with pytest.raises(codec.PacketError) as err:
        codec.parse(codec.frame(b"CN=2011;MN=x;CP=&&" + cp + b"&&"))
    assert err.value.reason == "syntax"


def test_the_table_crc_equals_the_standards_bitwise_crc():
    import random

    rng = random.Random(212)
    samples = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600))) for _ in range(300)]
    samples += [b"", bytes(range(256)), STANDARD_EXAMPLE[6:-6]]
    assert [codec.crc16(s) for s in samples] == [codec.crc16_bitwise(s) for s in samples]


WHEN = datetime(2026, 12, 5, 10, 0)
PARTS = [{"a21026": {"Avg": 30.0, "Flag": "N"}}, {"a21002": {"Avg": 80.0, "Flag": "N"}}, {"a34013": {"Avg": 5.0}}]


def _parts(qn: str = "20261205100000001", **kwargs) -> list[codec.Packet]:
    return [codec.parse(f) for f in codec.build_split("MNSPLIT", "pw", "2061", WHEN, PARTS, qn, **kwargs)]


def test_a_split_message_carries_pnum_pno_and_the_split_flag():
    first, second, third = _parts()
    assert [(p.pnum, p.pno) for p in (first, second, third)] == [(3, 1), (3, 2), (3, 3)]
    assert all(p.flag & codec.FLAG_SPLIT for p in (first, second, third))
    assert (first.data_time, second.data_time) == (WHEN, None)  # DataTime only in the first part


def test_the_reassembler_joins_parts_in_any_order_once():
    first, second, third = _parts()
    joiner = codec.Reassembler()
    assert joiner.add(third) is None and joiner.add(first) is None
    assert joiner.add(first) is None  # a repeated part replaces the earlier copy
    whole = joiner.add(second)
    assert (whole.mn, whole.qn, whole.cn, whole.data_time, whole.pnum) == (
        "MNSPLIT",
        "20261205100000001",
        "2061",
        WHEN,
        None,
    )
    assert whole.values == {
        "a21026": {"Avg": 30.0, "Flag": "N"},
        "a21002": {"Avg": 80.0, "Flag": "N"},
        "a34013": {"Avg": 5.0},
    }
    assert whole.wants_ack and not whole.flag & codec.FLAG_SPLIT
    assert joiner.pending == {}


def test_the_reassembler_keeps_messages_apart_and_bounds_what_waits():
    joiner = codec.Reassembler(max_pending=2)
    a, b, c = (_parts(qn=f"2026120510000000{n}")[0] for n in (1, 2, 3))
    assert joiner.add(a) is None and joiner.add(b) is None and joiner.add(c) is None
    assert joiner.dropped == 1 and len(joiner.pending) == 2  # the oldest (a) made room for c
    rest = _parts(qn="20261205100000002")[1:]
    assert joiner.add(rest[0]) is None and joiner.add(rest[1]).qn == "20261205100000002"


@pytest.mark.parametrize(
    "header",
    [
        "QN=1;CN=2061;MN=M;Flag=6;PNUM=2",  # PNO missing
        "QN=1;CN=2061;MN=M;Flag=6;PNUM=2;PNO=3",  # PNO beyond PNUM
        "QN=1;CN=2061;MN=M;Flag=6;PNUM=100;PNO=1",  # more than MAX_PARTS
        "CN=2061;MN=M;Flag=6;PNUM=2;PNO=1",  # no QN to tie the parts
        "QN=1;CN=2061;MN=M;Flag=6;PNUM=x;PNO=1",
    ],
)
def test_bad_split_headers_are_syntax_errors(header):
    with pytest.raises(codec.PacketError) as err:
        codec.parse(codec.frame(f"{header};CP=&&DataTime=20261205100000&&".encode()))
    assert err.value.reason == "syntax"
