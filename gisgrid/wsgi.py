"""WSGI entry point for gunicorn: ``gunicorn gisgrid.wsgi:app`` (``--preload`` shares the lookup index)."""

import gc

from gisgrid import create_app
from gisgrid.deployment import ProfileError
from gisgrid.grids import resident
from gisgrid.security.startup import InsecureConfiguration

try:
    app = create_app()
except (ProfileError, InsecureConfiguration) as err:
    # a bad deployment profile or an unsafe production setting: one line naming the problem, no traceback
    raise SystemExit(f"gisgrid: refusing to start: {err}") from None

# the published version's lookup answers are built here: with gunicorn --preload, once in the master
# before the workers fork (they share its pages); without it, once per worker as it starts
resident.warm(app)
# everything alive now (the app, the lookup index: millions of objects at national scale) moves to the
# collector's permanent generation: a worker's full collection would otherwise write to every one of them
# (their GC headers), copying the pages the workers share after the fork into each worker
gc.freeze()
