"""Route guards: login and role checks that raise domain errors (401/403) mapped in one place."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user

from gisgrid.errors import Forbidden, Unauthorized


def require_login() -> None:
    """Raise Unauthorized unless someone is logged in."""
    if not current_user.is_authenticated:
        raise Unauthorized()


def require_role(*allowed: str) -> None:
    """Raise Unauthorized/Forbidden unless the current user has one of ``allowed`` roles."""
    require_login()
    if current_user.role not in allowed:
        raise Forbidden(f"当前角色（{current_user.role_label}）无权执行此操作 (role not allowed)")


def roles_required(*allowed: str):
    """Decorator form of ``require_role`` for a view."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            require_role(*allowed)
            return view(*args, **kwargs)

        return guarded

    return decorate


def login_required(view):
    """Decorator: the view needs a logged-in user (401 for APIs, login page for browsers)."""

    @wraps(view)
    def guarded(*args, **kwargs):
        require_login()
        return view(*args, **kwargs)

    return guarded
