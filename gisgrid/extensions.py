"""Flask extensions created once and attached in create_app with init_app."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
# keyed by the client address; behind a proxy gisgrid.ratelimit installs ProxyFix so that this is the real client
limiter = Limiter(key_func=get_remote_address)
