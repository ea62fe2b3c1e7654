"""Load and validate a deployment profile (``deployments/<key>.toml``) into a frozen ``Profile``.

The profile says what the seed places' plans do differently, so the code assumes none of it: how the
grid levels are numbered and named (虎林's top grid is 鸡西's 二级), who organises 联合执法, the periods
of the 联席会议 and of self-evaluation, the departments with their duty texts, the 领导小组, the duty
matrix, the A/B/C inspection intervals and the 双随机 proportions. Stored grids keep ``level`` 1..n
(depth in this deployment); the profile maps a depth to the displayed number and name.
"""

from __future__ import annotations

import functools
import os
import tomllib
from pathlib import Path

from gisgrid.deployment import schema
from gisgrid.deployment.model import Profile

DEFAULT_KEY = "xicheng"
# the files live in the package (a wheel install ships them); the repository's deployments/ is a link to here
DEPLOYMENTS_DIR = Path(__file__).resolve().parent / "profiles"
EXTENSION_KEY = "gisgrid.profile"


class ProfileError(Exception):
    """A profile that cannot be used: the message names the file, the key and the problem."""


def path_for(key: str) -> Path:
    """The file of a profile: a key under deployments/, or a path to a .toml file."""
    if key.endswith(".toml") or os.sep in key:
        return Path(key)
    if not key.replace("_", "").isalnum():
        raise ProfileError(f"GISGRID_DEPLOYMENT={key!r}: not a profile name (letters, digits, _)")
    return DEPLOYMENTS_DIR / f"{key}.toml"


def load(key: str | None = None) -> Profile:
    """Read and validate a profile; ProfileError names the file, the key and the problem."""
    path = path_for(key or DEFAULT_KEY)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        known = ", ".join(available()) or "none"
        raise ProfileError(f"{path}: no such deployment profile (known: {known})") from None
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"{path}: not valid TOML: {err}") from None
    try:
        return schema.build(raw, path.stem)
    except schema.Invalid as err:
        raise ProfileError(f"{path}: {err.key}: {err.problem}") from None


def available() -> list[str]:
    """The keys of the profiles shipped in deployments/."""
    return sorted(p.stem for p in DEPLOYMENTS_DIR.glob("*.toml"))


def init_app(app) -> Profile:
    """Load the profile named by config DEPLOYMENT (start-up refuses a bad one) and offer it to templates."""
    found = load(app.config.get("DEPLOYMENT"))
    app.extensions[EXTENSION_KEY] = found
    # the profile's 等保 rule joins the setting: auth reads one list (TOTP_REQUIRED_ROLES)
    configured = tuple(app.config.get("TOTP_REQUIRED_ROLES", ()))
    app.config["TOTP_REQUIRED_ROLES"] = tuple(sorted(set(configured) | set(found.totp_required_roles)))
    # read per render (not bound once), so a page always shows the app's current profile
    app.context_processor(lambda: {"profile": current_profile()})
    return found


@functools.lru_cache(maxsize=8)
def _cached(key: str) -> Profile:
    return load(key)


def from_env() -> Profile:
    """The profile named by GISGRID_DEPLOYMENT, for services called without one (CLI, tests); cached per name."""
    return _cached(os.environ.get("GISGRID_DEPLOYMENT", "") or DEFAULT_KEY)


def current_profile() -> Profile:
    """The running app's profile (for routes and CLI commands; services take it as an argument)."""
    from flask import current_app

    return current_app.extensions[EXTENSION_KEY]
