"""What one request knows about itself: the Chalice request, the caller, their access to an event."""

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalice.app import Request

from chalicelib.domain.errors import UnauthorizedError

if TYPE_CHECKING:
    from chalicelib.http.access import EventAccess, OrderAccess
    from chalicelib.store.models.users import UserModel


@dataclass
class RequestContext:
    request: Request
    public: bool
    user: "UserModel | None" = None
    access: "EventAccess | None" = None
    order_access: "OrderAccess | None" = None
    extra_headers: dict[str, str] = field(default_factory=dict)


_current: ContextVar[RequestContext] = ContextVar("marquee_request")


def begin(context: RequestContext) -> Any:
    return _current.set(context)


def end(token: Any) -> None:
    _current.reset(token)


def current() -> RequestContext:
    return _current.get()


def current_request() -> Request:
    return _current.get().request


def current_user() -> "UserModel":
    user = _current.get().user
    if user is None:
        raise UnauthorizedError("Sign in first.", code="not_authenticated")
    return user


def current_access() -> "EventAccess":
    access = _current.get().access
    if access is None:
        raise RuntimeError("the route did not load event access; add an event guard decorator")
    return access
