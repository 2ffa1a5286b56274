"""The one place where errors become HTTP responses with the body of docs/api.md."""

from typing import Any

from chalice import Response

from chalicelib.domain.errors import (
    BadRequestError,
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    PreconditionFailedError,
    TooManyRequestsError,
    UnauthorizedError,
    UnsupportedMediaError,
    ValidationError,
)
from chalicelib.encoding import dumps
from chalicelib.log import logger

# Chalice's own error codes (405, 415, its 500...) and API Gateway's, mapped to ours.
_CHALICE_CODES = {
    "BadRequestError": "bad_request",
    "BadRequest": "bad_request",
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "NotFoundError": "not_found",
    "UnauthorizedError": "unauthorized",
    "ForbiddenError": "forbidden",
    "RequestTimeoutError": "request_timeout",
    "TooManyRequestsError": "too_many_requests",
    "InternalServerError": "internal_error",
}

_STATUS_OF_KIND: dict[type[DomainError], int] = {
    BadRequestError: 400,
    UnauthorizedError: 401,
    ForbiddenError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    PreconditionFailedError: 412,
    PayloadTooLargeError: 413,
    UnsupportedMediaError: 415,
    ValidationError: 422,
    TooManyRequestsError: 429,
}

INTERNAL_ERROR_MESSAGE = "Something went wrong on our side; it has been logged."
UNKNOWN_ROUTE_BODY = {"error": {"code": "not_found", "message": "No such API route.", "details": {}}}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None, headers: dict | None = None
) -> Response:
    return Response(
        body=dumps(error_body(code, message, details)),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def status_of(error: DomainError) -> int:
    """The HTTP status of an error's kind: its nearest class in the table (a subclass such as an
    order's ``SoldOutError`` answers as its ``ConflictError`` base); any other DomainError is a 400."""
    return next((_STATUS_OF_KIND[kind] for kind in type(error).__mro__ if kind in _STATUS_OF_KIND), 400)


def domain_error_response(error: DomainError) -> Response:
    headers = {}
    if isinstance(error, TooManyRequestsError):
        headers["Retry-After"] = str(error.retry_after)
    return error_response(status_of(error), error.code, error.message, error.details, headers)


def internal_error_response() -> Response:
    logger.exception("unhandled error while serving a request")
    return error_response(500, "internal_error", INTERNAL_ERROR_MESSAGE)


def rewrite_chalice_error(response: Response) -> Response:
    """Give Chalice's own error bodies (``{"Code", "Message"}``) the shape of ours."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    code = _CHALICE_CODES.get(body["Code"], "error")
    message = INTERNAL_ERROR_MESSAGE if response.status_code >= 500 else str(body.get("Message", ""))
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return error_response(response.status_code, code, message, headers=headers)
