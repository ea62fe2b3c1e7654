"""The HJ 212-2017 receiver: an asyncio TCP server that checks, acknowledges and batches station data.

One coroutine per connection cuts the stream into frames (codec.Framer), checks length and CRC,
the station's MN and PW, and hands the values to the ``Batcher``, which writes them in batches on
one worker thread (psycopg2 is blocking). A packet is acknowledged (CN=9014, when its Flag asks)
only after its batch committed, so an acknowledged value is stored. Bad packets are logged and
counted and never end the connection; idle clients and clients that never finish a packet are
disconnected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from gisgrid.audit import actor as audit_actor
from gisgrid.db import unit_of_work
from gisgrid.monitoring import alerts, codec, registry, store
from gisgrid.monitoring.settings import Settings

log = logging.getLogger("gisgrid.monitoring")
ACTOR = audit_actor.Actor(name="hj212-receiver", source="monitoring")
STATS_EVERY_S = 300  # the counters (packets, values, malformed by reason, refused, timeouts) are logged this often


class Batcher:
    """Collects value rows from all connections; writes them every ``flush_values`` values or ``flush_ms``."""

    def __init__(self, write, settings: Settings) -> None:
        self.write, self.settings = write, settings
        self.rows: list = []
        self.seen: dict[int, datetime] = {}
        self.waiters: list[asyncio.Future] = []
        self.timer: asyncio.TimerHandle | None = None
        self.lock = asyncio.Lock()
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="hj212-writer")
        self.tasks: set[asyncio.Task] = set()

    def add(self, rows: list, station_id: int) -> asyncio.Future:
        """Queue a packet's rows; the future is done when they are committed (or failed)."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self.rows.extend(rows)
        self.seen[station_id] = datetime.now(UTC)
        self.waiters.append(waiter)
        if len(self.rows) >= self.settings.flush_values:
            self.kick()
        elif self.timer is None:
            self.timer = loop.call_later(self.settings.flush_ms / 1000, self.kick)
        return waiter

    def kick(self) -> None:
        """Write what is queued as soon as the previous batch is done."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        task = asyncio.ensure_future(self._flush())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _flush(self) -> None:
        async with self.lock:
            if not self.waiters:
                return
            rows, seen, waiters = self.rows, self.seen, self.waiters
            self.rows, self.seen, self.waiters = [], {}, []
            loop = asyncio.get_running_loop()
            started = time.monotonic()
            try:
                await loop.run_in_executor(self.executor, self.write, rows, seen)
            except Exception as err:  # the database is down or refused the batch: nobody is acknowledged
                log.error("batch of %d values not stored: %s", len(rows), err)
                for waiter in waiters:
                    if not waiter.done():  # a connection's task cancelled meanwhile (shutdown)
                        waiter.set_exception(err)
                return
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(len(rows))
            log.debug("stored a batch of %d values in %.3f s", len(rows), time.monotonic() - started)

    async def drain(self) -> None:
        """Write everything still queued (at shutdown)."""
        if self.waiters:
            self.kick()
        await asyncio.gather(*self.tasks, return_exceptions=True)


class Receiver:
    """The server: connections, the registry copy, the batch writer, the silence check, counters."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.stats: Counter = Counter()
        self.stations: dict[str, registry.Known] = {}
        self.partitions = store.PartitionCache(settings.zone)
        self.batcher = Batcher(self._write, settings)
        self.server: asyncio.AbstractServer | None = None
        self._reloaded = 0.0
        self._background: list[asyncio.Task] = []

    # -- database work (on the writer thread) --------------------------------------------------

    def _write(self, rows: list, seen: dict[int, datetime]) -> None:
        token = audit_actor.act_as(ACTOR)
        try:
            with Session(self.engine) as session, unit_of_work(session):
                new = store.insert(session, rows, self.partitions)
                store.touch(session, seen)
                alerts.evaluate(session, new, registry.limits_by_id(self.stations), self.settings)
        except BaseException:
            self.partitions.rolled_back()
            raise
        else:
            self.partitions.committed()
            self.stats["values_stored"] += len(new)
            self.stats["values_duplicate"] += len(rows) - len(new)
        finally:
            audit_actor.reset(token)

    def _load(self) -> dict[str, registry.Known]:
        with self.engine.connect() as conn:
            return registry.load(conn)

    def _gaps(self) -> int:
        token = audit_actor.act_as(ACTOR)
        try:
            with Session(self.engine) as session:
                return alerts.check_gaps(session, datetime.now(UTC))
        finally:
            audit_actor.reset(token)

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self, host: str | None = None, port: int | None = None) -> int:
        """Load the registry, listen, start the periodic tasks; returns the port listened on."""
        await self.reload()
        self.server = await asyncio.start_server(
            self._client, host or self.settings.host, self.settings.port if port is None else port
        )
        self._background = [
            asyncio.ensure_future(self._every(self.settings.registry_s, self.reload)),
            asyncio.ensure_future(self._every(self.settings.gap_check_s, self.check_gaps)),
            asyncio.ensure_future(self._every(STATS_EVERY_S, self.log_stats)),
        ]
        return self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening, write what is queued, end the periodic tasks."""
        if self.server is not None:
            self.server.close()
        for task in self._background:
            task.cancel()
        await self.batcher.drain()
        self.batcher.executor.shutdown(wait=True)

    async def reload(self) -> None:
        """Re-read the station registry."""
        self.stations = await asyncio.get_running_loop().run_in_executor(None, self._load)
        self._reloaded = time.monotonic()

    async def check_gaps(self) -> None:
        """Raise offline alerts for silent stations."""
        opened = await asyncio.get_running_loop().run_in_executor(self.batcher.executor, self._gaps)
        self.stats["offline_alerts"] += opened

    async def log_stats(self) -> None:
        """Log the counters since start."""
        log.info("receiver counters: %s", dict(sorted(self.stats.items())))

    async def _every(self, seconds: float, job) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await job()
            except Exception as err:  # the database may be down for a while: try again next time
                log.error("%s failed: %s", getattr(job, "__name__", job), err)

    # -- connections -----------------------------------------------------------------------------

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        self.stats["connections"] += 1
        framer, partial_since = codec.Framer(), None
        parts = codec.Reassembler()  # split messages (PNUM/PNO) are joined per connection
        try:
            while True:
                timeout = self.settings.idle_s
                if partial_since is not None:  # a started packet must be finished in time
                    timeout = min(timeout, partial_since + self.settings.frame_s - time.monotonic())
                try:
                    data = await asyncio.wait_for(reader.read(65536), max(timeout, 0))
                except TimeoutError:
                    self.stats["timeouts"] += 1
                    log.info("%s: timed out", peer)
                    return
                if not data:
                    return
                for item in framer.feed(data):
                    await self._item(item, writer, peer, parts)
                partial_since = (partial_since or time.monotonic()) if framer.buffer else None
        except (ConnectionError, OSError) as err:
            log.info("%s: connection lost (%s)", peer, err)
        finally:
            if parts.dropped or parts.pending:  # split messages never completed
                self.stats["split_dropped"] += parts.dropped + len(parts.pending)
            writer.close()

    async def _item(self, item, writer: asyncio.StreamWriter, peer, parts: codec.Reassembler) -> None:
        if isinstance(item, codec.PacketError):
            return self._malformed(item, peer)
        try:
            packet = codec.parse(item)
        except codec.PacketError as err:
            return self._malformed(err, peer)
        station = await self._station(packet.mn)
        if station is None or not station.accepts(packet.pw):
            self.stats["refused"] += 1
            log.warning("%s: MN %r refused (unknown station or wrong PW)", peer, packet.mn[:40])
            return
        if packet.pnum is not None:  # a part of a split message: stored (and acknowledged) once it is whole
            self.stats["split_parts"] += 1
            packet = parts.add(packet)
            if packet is None:
                return
        await self._data(packet, station, writer, peer)

    async def _data(self, packet: codec.Packet, station: registry.Known, writer, peer) -> None:
        if packet.cn not in codec.DATA_CNS or packet.data_time is None:
            self.stats["unsupported"] += 1
            log.info("%s: CN %s not stored", peer, packet.cn[:8])
            return
        self.stats["packets"] += 1
        try:
            await self.batcher.add(store.rows_of(station.id, packet, self.settings.zone), station.id)
        except Exception:  # logged by the batcher; no acknowledgement, the logger will send again
            self.stats["unstored_packets"] += 1
            return
        if packet.wants_ack:
            writer.write(codec.data_response(packet))
            await writer.drain()
            self.stats["acks"] += 1

    async def _station(self, mn: str) -> registry.Known | None:
        known = self.stations.get(mn)
        if known is None and time.monotonic() - self._reloaded > 5:  # a new station: re-read, at most every 5 s
            await self.reload()
            known = self.stations.get(mn)
        return known

    def _malformed(self, err: codec.PacketError, peer) -> None:
        self.stats["malformed"] += 1
        self.stats[f"malformed_{err.reason}"] += 1
        log.warning("%s: malformed packet: %s", peer, err)


async def serve(engine: Engine, settings: Settings, stop: asyncio.Event | None = None, ready=None) -> Receiver:
    """Run a receiver until ``stop`` is set (forever when None); ``ready(port)`` is called once listening."""
    receiver = Receiver(engine, settings)
    port = await receiver.start()
    log.info("HJ 212 receiver listening on %s:%d", settings.host, port)
    if ready is not None:
        ready(receiver, port)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await receiver.stop()
        log.info("receiver stopped: %s", dict(receiver.stats))
    return receiver
