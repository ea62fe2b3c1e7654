"""A real HTTP server for one app, in a thread of the test process."""

from __future__ import annotations

import threading
from contextlib import contextmanager

from werkzeug.serving import make_server

from tests.conftest import free_port


@contextmanager
def serve(app):
    """Serve ``app`` on 127.0.0.1:<free port> (threaded); yields the base URL; closes its pools after."""
    from gisgrid.db import db

    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        db.dispose(app)
