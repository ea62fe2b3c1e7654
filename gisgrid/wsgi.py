"""WSGI entry point for gunicorn: ``gunicorn gisgrid.wsgi:app``."""

from gisgrid import create_app
from gisgrid.deployment import ProfileError
from gisgrid.security.startup import InsecureConfiguration

try:
    app = create_app()
except (ProfileError, InsecureConfiguration) as err:
    # a bad deployment profile or an unsafe production setting: one line naming the problem, no traceback
    raise SystemExit(f"gisgrid: refusing to start: {err}") from None
