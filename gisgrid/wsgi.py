"""WSGI entry point for gunicorn: ``gunicorn gisgrid.wsgi:app`` (``--preload`` shares the lookup index)."""

from gisgrid import create_app
from gisgrid.deployment import ProfileError
from gisgrid.grids import resident

try:
    app = create_app()
except ProfileError as err:  # a bad deployment profile: one line naming the file, key and problem, no traceback
    raise SystemExit(f"gisgrid: refusing to start: {err}") from None

# the published version's lookup answers are built here: with gunicorn --preload, once in the master
# before the workers fork (they share its pages); without it, once per worker as it starts
resident.warm(app)
