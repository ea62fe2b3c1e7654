"""The ``gisgrid monitor`` commands: run the HJ 212 receiver, import stations, look for silent stations."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.errors import DomainError


@click.group("monitor", cls=AppGroup)
def monitor_group() -> None:
    """Online monitoring (HJ 212-2017): receiver, stations, alerts."""


@monitor_group.command("serve")
@click.option("--host", help="Address to listen on (default GISGRID_MONITOR_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="TCP port (default GISGRID_MONITOR_PORT, 9212).")
def serve_command(host, port) -> None:
    """Receive HJ 212-2017 packets from the stations' data loggers until SIGTERM/SIGINT."""
    from dataclasses import replace

    from gisgrid.monitoring import server, settings

    config = settings.from_env()
    config = replace(config, host=host or config.host, port=config.port if port is None else port)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(server, config))


async def _serve(server, config) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.serve(db.engine, config, stop)


@monitor_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path) -> None:
    """Import stations and their limits from a CSV file (all rows or none)."""
    from gisgrid.monitoring import service

    try:
        with db.new_session() as session:
            count = service.import_csv(session, Path(path).read_bytes())
    except DomainError as err:
        for problem in err.details if isinstance(err.details, list) else []:
            click.secho(f"row {problem['row']}: {problem['message']}", fg="red", err=True)
        fail(err)
    click.echo(f"imported {count} stations")


@monitor_group.command("check-gaps")
def gaps_command() -> None:
    """Open an offline alert for each station silent longer than its interval (the receiver does this too)."""
    from gisgrid.monitoring import alerts

    with db.new_session() as session:
        count = alerts.check_gaps(session, datetime.now(UTC))
    click.echo(f"{count} stations newly offline")
