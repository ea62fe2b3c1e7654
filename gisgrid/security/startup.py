"""Refuse to start in production mode with settings that are only safe on a developer's machine.

Production mode is ``GISGRID_ENV=production`` (config key ``ENV``); ``scripts/dev run``, the tests and
the CLI on a developer machine leave it unset ("development") and start with the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping

from gisgrid.config import DEFAULT_SECRET_KEY

PRODUCTION = "production"
MIN_SECRET_LENGTH = 32


class InsecureConfiguration(RuntimeError):
    """A production start with a setting that would expose sessions or signed links."""


def is_production(config: Mapping) -> bool:
    """True when GISGRID_ENV=production and the app is not under test."""
    return str(config.get("ENV", "")).strip().lower() == PRODUCTION and not config.get("TESTING")


def problems(config: Mapping) -> list[str]:
    """Every reason the configuration is unfit for production, as one Chinese + English line each."""
    found = []
    secret = str(config.get("SECRET_KEY") or "")
    if secret == DEFAULT_SECRET_KEY or len(secret) < MIN_SECRET_LENGTH:
        found.append(
            f"GISGRID_SECRET_KEY 未设置、为默认值或少于 {MIN_SECRET_LENGTH} 个字符 "
            f"(set GISGRID_SECRET_KEY to a random value of at least {MIN_SECRET_LENGTH} characters, "
            'e.g. python -c "import secrets; print(secrets.token_hex(32))")'
        )
    if not config.get("SESSION_COOKIE_SECURE"):
        found.append(
            "GISGRID_SESSION_COOKIE_SECURE 未开启：生产环境须经 HTTPS 访问 "
            "(set GISGRID_SESSION_COOKIE_SECURE=1 and serve the site over HTTPS only)"
        )
    return found


def check(config: Mapping) -> None:
    """Raise InsecureConfiguration naming every problem when production mode is set and unsafe."""
    if not is_production(config):
        return
    found = problems(config)
    if found:
        raise InsecureConfiguration("生产模式 (GISGRID_ENV=production) 拒绝启动: " + "; ".join(found))
