"""HJ 212-2017 (污染物在线监控（监测）系统数据传输标准) packets: framing, CRC, parsing and building.

A packet is ``##`` + 4 decimal digits (length of the data segment in bytes) + the data segment
``QN=…;ST=…;CN=…;PW=…;MN=…;Flag=…;CP=&&…&&`` + 4 hex digits of CRC16 over the data segment + CRLF.
The CRC is the standard's own variant of CRC-16/0xA001: each byte is XORed into the register
*shifted right by 8* (not into the register itself), initial value 0xFFFF, no final XOR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

HEADER = b"##"
TRAILER = b"\r\n"
MAX_SEGMENT = 9999  # four decimal digits
FRAME_OVERHEAD = 2 + 4 + 4 + 2  # header, length, CRC, CRLF

# Flag = V5 V4 V3 V2 V1 V0 D A: A (bit 0) asks for a response, D (bit 1) marks a split packet (PNUM/PNO)
FLAG_ACK = 0b01
FLAG_SPLIT = 0b10
VERSION_2017 = 1 << 2  # V = 000001: HJ 212-2017
MAX_PARTS = 99  # parts of one split message (a data segment is at most 9999 bytes; 99 parts ≈ 1 MB)

CN_REALTIME, CN_MINUTE, CN_HOUR, CN_DAY = "2011", "2051", "2061", "2031"
DATA_CNS = (CN_REALTIME, CN_MINUTE, CN_HOUR, CN_DAY)
CN_DATA_RESPONSE = "9014"  # 数据应答
ST_SYSTEM = "91"  # 系统交互
VALUE_FIELDS = ("Rtd", "Avg", "Min", "Max", "Cou")
CODE = re.compile(r"[A-Za-z0-9]{1,20}")  # pollutant codes (a21026, w01018, legacy 060) and data flags (N, T)


class PacketError(ValueError):
    """A frame that is not a valid HJ 212 packet (length, CRC, syntax); ``reason`` is a short code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def _eight_steps(reg: int) -> int:
    for _ in range(8):
        carry = reg & 1
        reg >>= 1
        if carry:
            reg ^= 0xA001
    return reg


def crc16_bitwise(data: bytes) -> int:
    """CRC16 of HJ 212-2017 exactly as the standard's appendix code computes it, bit by bit."""
    reg = 0xFFFF
    for byte in data:
        reg = _eight_steps((reg >> 8) ^ byte)
    return reg


# (reg >> 8) ^ byte is always < 256 and the eight steps depend on nothing else, so one table lookup
# per byte gives the same result many times faster (the CRC was the receiver's hottest loop)
_TABLE = tuple(_eight_steps(v) for v in range(256))


def crc16(data: bytes) -> int:
    """CRC16 of HJ 212-2017 over ``data`` (table-driven; equal to ``crc16_bitwise``)."""
    reg = 0xFFFF
    table = _TABLE
    for byte in data:
        reg = table[(reg >> 8) ^ byte]
    return reg


@dataclass
class Packet:
    """A parsed data segment: the header fields and the CP area."""

    qn: str | None
    st: str | None
    cn: str
    pw: str | None
    mn: str
    flag: int
    data_time: datetime | None = None
    # pollutant code → {"Rtd": 1.2, "Avg": …, "Flag": "N", …}
    values: dict[str, dict] = field(default_factory=dict)
    cp: dict[str, str] = field(default_factory=dict)  # other CP fields (RtdInterval=30, …)
    # a part of a split message (Flag bit D): how many parts (PNUM) and which one this is (PNO, from 1)
    pnum: int | None = None
    pno: int | None = None

    @property
    def wants_ack(self) -> bool:
        """True when the sender's Flag asks for a response (bit A)."""
        return bool(self.flag & FLAG_ACK)


def frame(segment: bytes) -> bytes:
    """Wrap a data segment into a packet: header, length, CRC, CRLF."""
    if len(segment) > MAX_SEGMENT:
        raise PacketError("too_long", f"{len(segment)} bytes")
    return b"%s%04d%s%04X%s" % (HEADER, len(segment), segment, crc16(segment), TRAILER)


def check_frame(packet: bytes) -> bytes:
    """The data segment of one complete frame, after checking header, length, CRC and trailer."""
    if not packet.startswith(HEADER) or not packet.endswith(TRAILER):
        raise PacketError("framing", "missing ## or CRLF")
    digits = packet[2:6]
    if not digits.isdigit():
        raise PacketError("length", "length field is not 4 digits")
    segment = packet[6:-6]
    if int(digits) != len(segment):
        raise PacketError("length", f"declared {int(digits)}, got {len(segment)}")
    sent = packet[-6:-2]
    try:
        sent_crc = int(sent, 16)
    except ValueError:
        raise PacketError("crc", "CRC is not 4 hex digits") from None
    if len(sent) != 4 or sent_crc != crc16(segment):
        raise PacketError("crc", f"sent {sent.decode('ascii', 'replace')}, computed {crc16(segment):04X}")
    return segment


def parse_segment(segment: bytes) -> Packet:
    """Parse a data segment into a Packet (header fields, DataTime, per-pollutant values)."""
    try:
        text = segment.decode("utf-8")
    except UnicodeDecodeError:
        raise PacketError("encoding", "not UTF-8/ASCII") from None
    head, sep, rest = text.partition("CP=&&")
    if not sep or not rest.endswith("&&"):
        raise PacketError("syntax", "no CP=&&…&& area")
    fields = _pairs(head.rstrip(";").split(";"))
    for required in ("CN", "MN"):
        if not fields.get(required):
            raise PacketError("syntax", f"{required} missing")
    try:
        flag = int(fields.get("Flag") or 0)
    except ValueError:
        raise PacketError("syntax", "Flag is not a number") from None
    packet = Packet(fields.get("QN"), fields.get("ST"), fields["CN"], fields.get("PW"), fields["MN"], flag)
    if flag & FLAG_SPLIT:
        packet.pnum, packet.pno = _part_numbers(fields)
    _parse_cp(rest[:-2], packet)
    return packet


def _part_numbers(fields: dict[str, str]) -> tuple[int, int]:
    # Flag bit D: the header carries PNUM (parts in all) and PNO (this part, 1…PNUM); QN ties the parts
    pnum, pno = fields.get("PNUM") or "", fields.get("PNO") or ""
    if not (pnum.isdigit() and pno.isdigit()):
        raise PacketError("syntax", "split packet (Flag bit D) without numeric PNUM and PNO")
    if not 1 <= int(pno) <= int(pnum) <= MAX_PARTS or not fields.get("QN"):
        raise PacketError("syntax", f"PNO {pno[:6]} of PNUM {pnum[:6]} (at most {MAX_PARTS} parts, QN required)")
    return int(pnum), int(pno)


def parse(packet: bytes) -> Packet:
    """Check and parse one complete frame."""
    return parse_segment(check_frame(packet))


def _pairs(items) -> dict[str, str]:
    out = {}
    for item in items:
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise PacketError("syntax", f"{item[:40]!r} is not key=value")
        out[key.strip()] = value
    return out


def _parse_cp(cp: str, packet: Packet) -> None:
    # CP: groups separated by ';', fields of a group by ','; a field "a21026-Rtd=12.3" belongs to pollutant a21026
    for group in filter(None, cp.split(";")):
        for key, value in _pairs(group.split(",")).items():
            code, dash, kind = key.partition("-")
            if not dash:
                if key == "DataTime":
                    packet.data_time = _data_time(value)
                else:
                    packet.cp[key] = value
                continue
            if not CODE.fullmatch(code):
                raise PacketError("syntax", f"pollutant code {code[:24]!r}")
            entry = packet.values.setdefault(code, {})
            if kind == "Flag" and not CODE.fullmatch(value):
                raise PacketError("syntax", f"{key} {value[:8]!r} is not a data flag")
            entry[kind] = value if kind not in VALUE_FIELDS else _number(key, value)


def _data_time(value: str) -> datetime:
    # slicing instead of strptime (5× faster, once per packet); datetime() still rejects 20261340…
    try:
        if len(value) != 14 or not value.isdigit():
            raise ValueError
        parts = (value[0:4], value[4:6], value[6:8], value[8:10], value[10:12], value[12:14])
        return datetime(*map(int, parts))
    except ValueError:
        raise PacketError("syntax", f"DataTime {value[:20]!r} is not YYYYMMDDhhmmss") from None


def _number(key: str, value: str) -> float | None:
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        raise PacketError("syntax", f"{key} {value[:20]!r} is not a number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise PacketError("syntax", f"{key} is not finite")
    return number


def build_segment(fields: dict[str, str], cp: str) -> bytes:
    """A data segment from ordered header fields and the CP text (without the &&)."""
    head = ";".join(f"{k}={v}" for k, v in fields.items() if v is not None)
    return f"{head};CP=&&{cp}&&".encode()


def build_data(
    mn: str,
    pw: str,
    cn: str,
    data_time: datetime,
    values: dict[str, dict],
    qn: str | None = None,
    st: str = "32",
    flag: int = VERSION_2017 | FLAG_ACK,
) -> bytes:
    """A data packet (CN 2011/2051/2061/2031) of ``values`` {code: {"Rtd": 1.0, "Flag": "N"}}; framed."""
    groups = [f"DataTime={data_time:%Y%m%d%H%M%S}"]
    for code, entry in values.items():
        groups.append(",".join(f"{code}-{k}={_text(v)}" for k, v in entry.items()))
    header = {"QN": qn, "ST": st, "CN": cn, "PW": pw, "MN": mn, "Flag": str(flag)}
    return frame(build_segment(header, ";".join(groups)))


def build_split(
    mn: str,
    pw: str,
    cn: str,
    data_time: datetime,
    parts: list[dict[str, dict]],
    qn: str,
    st: str = "32",
    flag: int = VERSION_2017 | FLAG_ACK,
) -> list[bytes]:
    """A data message split into ``len(parts)`` packets (Flag bit D, PNUM/PNO, one QN); DataTime in the first."""
    frames = []
    for number, values in enumerate(parts, start=1):
        groups = [f"DataTime={data_time:%Y%m%d%H%M%S}"] if number == 1 else []
        groups += [",".join(f"{code}-{k}={_text(v)}" for k, v in entry.items()) for code, entry in values.items()]
        header = {"QN": qn, "ST": st, "CN": cn, "PW": pw, "MN": mn, "Flag": str(flag | FLAG_SPLIT)}
        header |= {"PNUM": str(len(parts)), "PNO": str(number)}
        frames.append(frame(build_segment(header, ";".join(groups))))
    return frames


def _text(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def data_response(request: Packet) -> bytes:
    """The 数据应答 (CN=9014) to a data packet whose Flag asks for one: same QN, PW, MN."""
    header = {"QN": request.qn, "ST": ST_SYSTEM, "CN": CN_DATA_RESPONSE, "PW": request.pw, "MN": request.mn}
    header["Flag"] = str(VERSION_2017)
    return frame(build_segment(header, ""))


class Framer:
    """Cuts a TCP byte stream into frames: handles packets split across segments and several in one.

    ``feed`` returns complete frames (bytes) and PacketErrors for garbage it skipped; it keeps at most
    one incomplete frame, so a client cannot make it buffer more than ``FRAME_OVERHEAD + MAX_SEGMENT``.
    """

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes | PacketError]:
        """Add received bytes; the frames (or framing errors) now complete, in order."""
        self.buffer += data
        out: list[bytes | PacketError] = []
        while True:
            item = self._next()
            if item is None:
                return out
            out.append(item)

    def _next(self) -> bytes | PacketError | None:
        start = self.buffer.find(HEADER)
        if start != 0:
            return self._skip_to(start)
        if len(self.buffer) < 6:
            return None
        digits = bytes(self.buffer[2:6])
        if not digits.isdigit():
            del self.buffer[:2]  # resynchronise on the next ##
            return PacketError("length", "length field is not 4 digits")
        total = int(digits) + FRAME_OVERHEAD
        if len(self.buffer) < total:
            return None
        packet = bytes(self.buffer[:total])
        del self.buffer[:total]
        return packet

    def _skip_to(self, start: int) -> PacketError | None:
        if start < 0:  # no header yet: keep a trailing '#' that may start one
            keep = 1 if self.buffer.endswith(b"#") else 0
            junk = len(self.buffer) - keep
            if junk == 0:
                return None
            del self.buffer[:junk]
            return PacketError("framing", f"{junk} bytes outside any packet")
        del self.buffer[:start]
        return PacketError("framing", f"{start} bytes before ##")


class Reassembler:
    """Joins the parts of split messages (Flag bit D) of one connection into one Packet.

    Parts are keyed by MN, QN and CN and may come in any order; a repeated part replaces the earlier copy.
    At most ``max_pending`` messages wait for missing parts: a further one evicts the oldest (counted in
    ``dropped``), so a client cannot make the receiver hold more than ``max_pending × MAX_PARTS`` frames.
    """

    def __init__(self, max_pending: int = 16) -> None:
        self.max_pending = max_pending
        self.pending: dict[tuple, dict[int, Packet]] = {}
        self.dropped = 0

    def add(self, part: Packet) -> Packet | None:
        """Keep ``part``; the whole message once its last missing part arrived, else None."""
        key = (part.mn, part.qn, part.cn)
        parts = self.pending.get(key)
        if parts and next(iter(parts.values())).pnum != part.pnum:  # the count changed: start over
            parts = None
        if parts is None:
            self._make_room()
            parts = self.pending[key] = {}
        parts[part.pno] = part
        if len(parts) < part.pnum:
            return None
        del self.pending[key]
        return _joined([parts[n] for n in sorted(parts)])

    def _make_room(self) -> None:
        while len(self.pending) >= self.max_pending:
            del self.pending[next(iter(self.pending))]
            self.dropped += 1


def _joined(parts: list[Packet]) -> Packet:
    first = parts[0]
    flag = (first.flag & ~FLAG_SPLIT) | (FLAG_ACK if any(p.wants_ack for p in parts) else 0)
    whole = Packet(first.qn, first.st, first.cn, first.pw, first.mn, flag)
    whole.data_time = next((p.data_time for p in parts if p.data_time is not None), None)
    for part in parts:
        for code, entry in part.values.items():
            whole.values.setdefault(code, {}).update(entry)
        whole.cp.update(part.cp)
    return whole
