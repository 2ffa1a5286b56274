"""Domain errors: plain exceptions, mapped to HTTP responses in one place (chalicelib.http.errors)."""

from typing import Any


class DomainError(Exception):
    """Base of every error a request can end with on purpose."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: dict[str, Any] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class BadRequestError(DomainError):
    status = 400
    code = "bad_request"


class UnauthorizedError(DomainError):
    status = 401
    code = "unauthorized"


class ForbiddenError(DomainError):
    status = 403
    code = "forbidden"


class NotFoundError(DomainError):
    status = 404
    code = "not_found"


class ConflictError(DomainError):
    status = 409
    code = "conflict"


class PreconditionFailedError(DomainError):
    status = 412
    code = "precondition_failed"


class PayloadTooLargeError(DomainError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaError(DomainError):
    status = 415
    code = "unsupported_media_type"


class ValidationError(DomainError):
    """422 with `details` mapping field paths (``tickets[2].price``) to messages."""

    status = 422
    code = "validation_error"

    def __init__(self, details: dict[str, str], message: str = "Some fields are invalid.") -> None:
        super().__init__(message, details)


class TooManyRequestsError(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after
