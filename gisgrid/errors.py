"""Domain errors and their one mapping to HTTP responses."""

from __future__ import annotations

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """Base of errors a user can act on; ``status`` is the HTTP status it maps to."""

    status = 400
    code = "bad_request"
    headers: dict = {}  # HTTP headers the answer carries (e.g. Allow of a 405); never mutated

    def __init__(self, message: str, details: list | dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    """Input that is missing, malformed or out of range."""

    code = "invalid_input"


class NotFound(DomainError):
    """The thing asked for does not exist (e.g. no grid covers a point)."""

    status = 404
    code = "not_found"


class Unauthorized(DomainError):
    """Nobody is logged in (or the session expired)."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str = "请先登录 (login required)") -> None:
        super().__init__(message)


class Forbidden(DomainError):
    """The logged-in user may not do this here (role or grid scope)."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The request conflicts with stored state."""

    status = 409
    code = "conflict"


class PreconditionFailed(DomainError):
    """A conditional write's ``If-Match`` no longer holds: someone changed the resource since it was read."""

    status = 412
    code = "precondition_failed"


class MethodNotAllowed(DomainError):
    """The resource exists but never accepts this method; the Allow header lists the ones it does."""

    status = 405
    code = "method_not_allowed"

    def __init__(self, message: str, allow: tuple[str, ...]) -> None:
        super().__init__(message, {"allow": list(allow)})
        self.headers = {"Allow": ", ".join(allow)}


class TooLarge(DomainError):
    """An upload or body over a size, vertex or entry limit; refused before it is processed."""

    status = 413
    code = "too_large"

    @classmethod
    def upload(cls, field: str, limit: int, label: str = "文件") -> TooLarge:
        """The one refusal of an oversize upload: names the form field and the limit."""
        size = f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"
        return cls(
            f"{label}超过 {size} 上限（字段 {field}）({field}: file larger than the {size} limit)",
            {"field": field, "limit_bytes": limit},
        )


class DatabaseUnavailable(DomainError):
    """The database cannot be reached right now; retrying later helps."""

    status = 503
    code = "database_unavailable"

    def __init__(self, message: str = "数据库暂时不可用，请稍后重试 (database unavailable)") -> None:
        super().__init__(message)


class ValidationFailed(DomainError):
    """A dataset failed validation; ``details`` lists every problem found."""

    status = 422
    code = "validation_failed"


def error_body(code: str, message: str, details=None) -> dict:
    """The JSON error envelope used by every API."""
    body = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return body


# machine clients: JSON errors even when a browser-like Accept header is sent
JSON_PREFIXES = ("/api/", "/ogc", "/open311/")


def wants_html() -> bool:
    """True for page requests from a browser; APIs always get JSON."""
    if request.path.startswith(JSON_PREFIXES):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes[best] > request.accept_mimetypes["application/json"]


def respond_error(code: str, message: str, status: int, details=None):
    """The error as JSON for APIs, or as a page (login redirect on 401) for browsers."""
    if wants_html():
        if status == 401:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return render_template("error.html", status=status, message=message, details=details), status
    return jsonify(error_body(code, message, details)), status


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to JSON (or an error page); never leak a traceback."""

    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        resp = app.make_response(respond_error(err.code, err.message, err.status, err.details))
        resp.headers.update(err.headers)
        return resp

    @app.errorhandler(CSRFError)
    def _csrf(err: CSRFError):
        return respond_error(
            "csrf_failed",
            f"页面已过期或缺少 CSRF 令牌，请刷新后重试 (CSRF token missing or invalid: {err.description})",
            400,
        )

    @app.errorhandler(RateLimitExceeded)
    def _rate_limited(err: RateLimitExceeded):
        # Retry-After and X-RateLimit-* are added by Flask-Limiter (RATELIMIT_HEADERS_ENABLED)
        return respond_error("rate_limited", err.description, 429)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(err: OperationalError | InterfaceError):
        # connection refused or lost ("connection already closed" is an InterfaceError): a temporary
        # 503; SQLAlchemy has invalidated the connection and the pool reconnects (pool_pre_ping)
        app.logger.warning("database unavailable: %s", err.orig)
        return _domain(DatabaseUnavailable())

    @app.errorhandler(DBAPIError)
    def _database_error(err: DBAPIError):
        # libpq reports a connection lost mid-statement with several classes (e.g. a bare DatabaseError
        # "error with status PGRES_TUPLES_OK and no message"); SQLAlchemy marks every one it recognises as a
        # disconnect, and those are as temporary as a refused connection
        if err.connection_invalidated:
            return _database_down(err)
        return _unexpected(err)

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if err.code is None or err.code < 400:  # routing redirects are not errors
            return err
        return respond_error(err.name.lower().replace(" ", "_"), err.description, err.code)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unhandled error")
        return respond_error("internal_error", "服务器内部错误 (internal error)", 500)
