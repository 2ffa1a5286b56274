"""Domain errors carry no HTTP status: chalicelib.http.errors decides it for every kind."""

import inspect

from chalicelib.domain import errors
from chalicelib.http.errors import domain_error_response, status_of


def _kinds() -> list[type[errors.DomainError]]:
    return [
        kind
        for _, kind in inspect.getmembers(errors, inspect.isclass)
        if issubclass(kind, errors.DomainError) and kind is not errors.DomainError
    ]


def test_every_kind_of_domain_error_has_its_own_status() -> None:
    statuses = {kind.__name__: status_of(kind.__new__(kind)) for kind in _kinds()}
    assert statuses == {
        "BadRequestError": 400,
        "UnauthorizedError": 401,
        "ForbiddenError": 403,
        "NotFoundError": 404,
        "ConflictError": 409,
        "PreconditionFailedError": 412,
        "PayloadTooLargeError": 413,
        "UnsupportedMediaError": 415,
        "ValidationError": 422,
        "TooManyRequestsError": 429,
    }


def test_a_subclass_answers_as_its_base_and_the_domain_knows_no_status() -> None:
    class SoldOut(errors.ConflictError):
        code = "sold_out"

    response = domain_error_response(SoldOut("Sold out."))
    assert response.status_code == 409
    assert not any(hasattr(kind, "status") for kind in [*_kinds(), errors.DomainError])


def test_too_many_requests_keeps_its_retry_after_header() -> None:
    response = domain_error_response(errors.TooManyRequestsError("Slow down.", retry_after=7))
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")
