"""A committed database with grids, the duty matrix, sources and stations, and a live HJ 212 receiver.

The receiver writes on its own connections, so these tests need committed data (not the per-test
rolled-back transaction): ``monitor_db`` makes a database of its own for a module.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from gisgrid.grids import service as grids
from gisgrid.incidents import matrix
from gisgrid.monitoring import codec, server
from gisgrid.monitoring import service as monitoring
from gisgrid.monitoring.settings import Settings
from gisgrid.sources import service as sources
from tests import worlds
from tests.conftest import fresh_database

# world E: 戊区 E with 戊一街道 E1 (west half) and 戊二街道 E2 (east half), WGS84
IN_E1 = (116.005, 39.005)
IN_E2 = (116.015, 39.005)
SO2_HOUR_LIMIT = 100.0  # a21026 hourly limit of every test station (mg/m³)


def station_rows(count: int, source_code: str = "S-E1", prefix: str = "MN", medium: str = "gas") -> list[dict]:
    """Registry rows of ``count`` stations (password pw-<n>), each with hourly and real-time SO₂ limits."""
    rows = []
    for n in range(count):
        base = {"source_code": source_code, "mn": f"{prefix}{n:05d}", "name": f"排口{n}", "password": f"pw-{n}"}
        base |= {"medium": medium, "lon": IN_E1[0], "lat": IN_E1[1], "interval_s": 60}
        rows.append(base | {"pollutant": "a21026", "pollutant_name": "二氧化硫", "unit": "mg/m3"} | _lim("hour", 100))
        rows.append(base | {"pollutant": "a21026", "unit": "mg/m3"} | _lim("rtd", 150))
        rows.append(base | {"pollutant": "a34013", "pollutant_name": "颗粒物", "unit": "mg/m3"} | _lim("day", 20))
    return rows


def _lim(period: str, value: float) -> dict:
    return {"period": period, "limit": value}


def build_world(session: Session, tmp_path, stations: int = 3) -> None:
    """Grids of world E published, the duty matrix, sources S-E1 (in E1) and S-E2 (in E2), stations of S-E1."""
    grids.import_file(session, worlds.write(worlds.world_e_frame(), tmp_path / "e.geojson"), publish=True)
    matrix.load_demo(session)
    for code, (lon, lat) in (("S-E1", IN_E1), ("S-E2", IN_E2)):
        raw = {"code": code, "name": f"示例·企业{code}", "kind": "enterprise", "lon": lon, "lat": lat}
        sources.create_source(session, raw, by="test")
    monitoring.register(session, None, station_rows(stations))
    monitoring.register(session, None, station_rows(1, "S-E2", prefix="MNE2"))


@contextmanager
def monitor_db(tmp_path, stations: int = 3):
    """A fresh committed database holding ``build_world``; yields its engine."""
    with fresh_database("gisgrid_test_monitor") as url:
        engine = create_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            build_world(session, tmp_path, stations)
        try:
            yield engine
        finally:
            engine.dispose()


class LiveReceiver:
    """A receiver running on its own event loop in a thread, on a free loopback port."""

    def __init__(self, engine, **overrides) -> None:
        self.settings = replace(Settings(host="127.0.0.1", port=0, flush_ms=50, gap_check_s=3600), **overrides)
        self.engine = engine
        self.receiver: server.Receiver | None = None
        self.port = 0
        self._ready = threading.Event()

    def __enter__(self) -> LiveReceiver:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("receiver did not start")
        return self

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.stop = asyncio.Event()
        self.loop.run_until_complete(server.serve(self.engine, self.settings, self.stop, self._started))

    def _started(self, receiver, port) -> None:
        self.receiver, self.port = receiver, port
        self._ready.set()

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(30)
        self.loop.close()

    def call(self, coroutine_fn):
        """Run a coroutine of the receiver on its loop and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine_fn(), self.loop).result(60)

    @property
    def stats(self):
        return self.receiver.stats

    def connect(self) -> socket.socket:
        """A TCP client connected to the receiver."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock


def packet(mn: str, pw: str, cn: str, when: datetime, values: dict, qn: str | None = None, flag: int = 5) -> bytes:
    """A framed data packet (Flag 5 = HJ 212-2017, response wanted)."""
    return codec.build_data(mn, pw, cn, when, values, qn=qn or f"{when:%Y%m%d%H%M%S}000", flag=flag)


def read_response(sock: socket.socket) -> codec.Packet:
    """Read one framed packet from the socket and parse it."""
    framer, items = codec.Framer(), []
    while not items:
        data = sock.recv(4096)
        if not data:
            raise ConnectionError("closed before a response")
        items = framer.feed(data)
    assert not isinstance(items[0], codec.PacketError), items[0]
    return codec.parse(items[0])
