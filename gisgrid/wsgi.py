"""WSGI entry point for gunicorn: ``gunicorn gisgrid.wsgi:app``."""

from gisgrid import create_app
from gisgrid.deployment import ProfileError

try:
    app = create_app()
except ProfileError as err:  # a bad deployment profile: one line naming the file, key and problem, no traceback
    raise SystemExit(f"gisgrid: refusing to start: {err}") from None
