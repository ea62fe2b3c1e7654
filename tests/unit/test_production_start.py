"""The app refuses to start in production mode with a default secret or a cookie sent over plain HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gisgrid import create_app
from gisgrid.config import DEFAULT_SECRET_KEY
from gisgrid.security import startup

GOOD_SECRET = "0123456789abcdef" * 4


def test_development_starts_with_the_defaults():
    app = create_app({"RATELIMIT_ENABLED": False})
    assert app.config["ENV"] == "development" and app.config["SECRET_KEY"] == DEFAULT_SECRET_KEY


@pytest.mark.parametrize(
    "secret,secure,named",
    [
        (DEFAULT_SECRET_KEY, True, "GISGRID_SECRET_KEY"),
        ("short", True, "GISGRID_SECRET_KEY"),
        (GOOD_SECRET, False, "GISGRID_SESSION_COOKIE_SECURE"),
    ],
)
def test_production_refuses_an_unsafe_setting_naming_it(secret, secure, named):
    with pytest.raises(startup.InsecureConfiguration) as err:
        create_app({"ENV": "production", "SECRET_KEY": secret, "SESSION_COOKIE_SECURE": secure})
    assert named in str(err.value) and "生产模式" in str(err.value)


def test_production_starts_with_a_secret_and_a_secure_cookie():
    app = create_app({"ENV": "production", "SECRET_KEY": GOOD_SECRET, "SESSION_COOKIE_SECURE": True})
    assert startup.is_production(app.config)


def test_tests_are_not_production_even_when_the_env_says_so():
    assert not startup.is_production({"ENV": "production", "TESTING": True})


def test_gunicorn_entry_point_exits_with_one_line(tmp_path):
    # the real wsgi module in a fresh interpreter, as gunicorn would import it
    checkout = str(Path(__file__).resolve().parents[2])  # this checkout's gisgrid, not an installed one
    env = {**os.environ, "GISGRID_ENV": "production", "PYTHONPATH": checkout}
    env.pop("GISGRID_SECRET_KEY", None)
    env.pop("GISGRID_SESSION_COOKIE_SECURE", None)
    done = subprocess.run(
        [sys.executable, "-c", "import gisgrid.wsgi"], env=env, capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode != 0
    assert "refusing to start" in done.stderr and "GISGRID_SECRET_KEY" in done.stderr
    assert "GISGRID_SESSION_COOKIE_SECURE" in done.stderr and "Traceback" not in done.stderr
