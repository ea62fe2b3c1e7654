"""Domain errors and their one mapping to HTTP responses."""
from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """Base of errors a user can act on; ``status`` is the HTTP status it maps to."""

    status = 400
    code = "bad_request"

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


class Conflict(DomainError):
    """The request conflicts with stored state."""

    status = 409
    code = "conflict"


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


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and HTTP errors to JSON; never leak a traceback."""

    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        return jsonify(error_body(err.code, err.message, err.details)), err.status

    @app.errorhandler(OperationalError)
    def _database_down(err: OperationalError):
        # connection refused or lost: a temporary 503; the pool reconnects (pool_pre_ping)
        app.logger.warning("database unavailable: %s", err.orig)
        return _domain(DatabaseUnavailable())

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        return jsonify(error_body(err.name.lower().replace(" ", "_"), err.description)), err.code

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unhandled error")
        return jsonify(error_body("internal_error", "服务器内部错误 (internal error)")), 500

