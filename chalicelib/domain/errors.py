"""Domain errors: plain exceptions with a code for the error body. Which HTTP status each kind
becomes is decided in one place, chalicelib.http.errors."""

from typing import Any


class DomainError(Exception):
    """Base of every error a request can end with on purpose."""

    code = "bad_request"

    def __init__(self, message: str, details: dict[str, Any] | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class BadRequestError(DomainError):
    code = "bad_request"


class UnauthorizedError(DomainError):
    code = "unauthorized"


class ForbiddenError(DomainError):
    code = "forbidden"


class NotFoundError(DomainError):
    code = "not_found"


class ConflictError(DomainError):
    code = "conflict"


class PreconditionFailedError(DomainError):
    code = "precondition_failed"


class PayloadTooLargeError(DomainError):
    code = "payload_too_large"


class UnsupportedMediaError(DomainError):
    code = "unsupported_media_type"


class ValidationError(DomainError):
    """422 with `details` mapping field paths (``tickets[2].price``) to messages."""

    code = "validation_error"

    def __init__(self, details: dict[str, str], message: str = "Some fields are invalid.") -> None:
        super().__init__(message, details)


class TooManyRequestsError(DomainError):
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"retry_after": retry_after})
        self.retry_after = retry_after
