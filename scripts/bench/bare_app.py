"""The bare ceiling of scripts/bench_lookup.py: a minimal Flask app answering a small JSON document.

Run under the same gunicorn settings and driven by the same wrk load as gisgrid's lookup, it shows
what Flask + gunicorn + wrk cost on this machine in the same run, so the lookup is judged against
what the hardware allows rather than against a figure measured on another day.
"""

from __future__ import annotations

from flask import Flask, Response

app = Flask(__name__)

# about the size of the fixed part of a lookup answer's envelope
_BODY = b'{"query":{"lon":115.0,"lat":35.0,"crs":"wgs84"},"grid":{"code":"bare","name":"bare","level":3}}'


@app.get("/api/v1/lookup")
def lookup() -> Response:
    """The same URL as gisgrid's lookup (the wrk script is shared); query arguments are ignored."""
    return Response(_BODY, mimetype="application/json")
