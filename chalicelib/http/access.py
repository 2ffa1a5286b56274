"""Route guards: the one mechanism every protected route uses to check who may call it.

@bp.route("/events/{event_id}/tracks", methods=["POST"])
@service_permission("track", "create")
def create_track(event_id): ...

The guards ask the questions of the original system through ``acting_user()``:
``acting_user().is_organizer(event_id)``, ``acting_user().can_create("track", event_id)``...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import ForbiddenError, NotFoundError
from chalicelib.domain.permissions import COORGANIZER, ORGANIZER, Allowed, Matrix, allowed_operations, allows
from chalicelib.http.context import current, current_user

# The store is imported by the checks, on a request: the route table is built without it (cold start).
if TYPE_CHECKING:
    from chalicelib.store.models.events import EventModel
    from chalicelib.store.models.orders import OrderModel
    from chalicelib.store.models.users import UserModel


def is_staff(user: UserModel) -> bool:
    return bool(user.is_admin or user.is_super_admin)


@dataclass
class EventAccess:
    event: EventModel
    role: str | None
    user: UserModel
    matrix: Matrix | None = None

    @property
    def is_staff(self) -> bool:
        return is_staff(self.user)

    def has_role(self, roles: Iterable[str]) -> bool:
        return self.is_staff or self.role in set(roles)

    def can(self, service: str, operation: str) -> bool:
        if self.is_staff:
            return True
        return self.matrix is not None and allows(self.matrix, self.role, service, operation)

    def allowed(self) -> Allowed:
        if self.matrix is None:
            raise RuntimeError("load the access with_matrix=True to list what the caller may do")
        return allowed_operations(self.matrix, self.role, self.is_staff)


def load_access(event_id: str, with_matrix: bool = False) -> EventAccess:
    """The caller's access to the event, loaded once per request (one BatchGetItem)."""
    user = current_user()
    loaded = current().access
    if (
        loaded is not None
        and loaded.event.event_id == event_id
        and loaded.user.user_id == user.user_id
        and (loaded.matrix is not None or not with_matrix)
    ):
        return loaded
    from chalicelib.store.access import load_event_record

    record = load_event_record(event_id, user.user_id, with_matrix)
    if record.event is None:
        raise NotFoundError("No such event.")
    access = EventAccess(
        event=record.event,
        role=record.role,
        user=user,
        matrix=record.matrix.matrix if record.matrix else None,
    )
    current().access = access
    return access


class CurrentUser:
    """The signed-in caller and the questions the original system asked of ``current_user``."""

    def __init__(self, user: UserModel) -> None:
        self.user = user

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def is_staff(self) -> bool:
        return is_staff(self.user)

    @property
    def is_super_admin(self) -> bool:
        return bool(self.user.is_super_admin)

    def role_in(self, event_id: str) -> str | None:
        return load_access(event_id).role

    def is_organizer(self, event_id: str) -> bool:
        return self.role_in(event_id) == ORGANIZER

    def is_coorganizer(self, event_id: str) -> bool:
        return self.role_in(event_id) == COORGANIZER

    def has_role(self, event_id: str, roles: Iterable[str]) -> bool:
        """Holds one of ``roles`` in the event (staff count as holding every role)."""
        return load_access(event_id).has_role(roles)

    def can(self, service: str, operation: str, event_id: str) -> bool:
        return load_access(event_id, with_matrix=True).can(service, operation)

    def can_create(self, service: str, event_id: str) -> bool:
        return self.can(service, "create", event_id)

    def can_read(self, service: str, event_id: str) -> bool:
        return self.can(service, "read", event_id)

    def can_update(self, service: str, event_id: str) -> bool:
        return self.can(service, "update", event_id)

    def can_delete(self, service: str, event_id: str) -> bool:
        return self.can(service, "delete", event_id)


def acting_user() -> CurrentUser:
    return CurrentUser(current_user())


View = Callable[..., Any]
Check = Callable[[dict[str, Any]], None]


def guard(check: Check) -> Callable[[View], View]:
    """Attach ``check`` (of the route's path parameters) to a view: the route wrapper runs a
    view's guards, top one first, before it reads the body, so a caller who may not use the
    route learns nothing from its validation."""

    def decorate(view: View) -> View:
        if getattr(view, "routed", False):
            raise TypeError(f"{view.__name__}: put route guards below @bp.route")
        view.guards = (check, *getattr(view, "guards", ()))  # type: ignore[attr-defined]
        return view

    return decorate


def guards_of(view: View) -> tuple[Check, ...]:
    return getattr(view, "guards", ())


def _staff(params: dict[str, Any]) -> None:
    if not acting_user().is_staff:
        raise ForbiddenError("Only platform staff may do this.")


def _super_admin(params: dict[str, Any]) -> None:
    if not acting_user().is_super_admin:
        raise ForbiddenError("Only a super admin may do this.")


def _published_event(params: dict[str, Any]) -> None:
    """Any signed-in user, for a published event; a draft is 404 to them as it is to the public."""
    from chalicelib.store.events import PUBLISHED

    if load_access(params["event_id"]).event.state != PUBLISHED:
        raise NotFoundError("No such published event.")


staff_only = guard(_staff)
super_admin_only = guard(_super_admin)
published_event_required = guard(_published_event)


def event_role_required(roles: Iterable[str], with_matrix: bool = False) -> Callable[[View], View]:
    """``with_matrix``: the view also needs the permission matrix (read in the same BatchGetItem)."""
    allowed = frozenset(roles)

    def check(params: dict[str, Any]) -> None:
        if not load_access(params["event_id"], with_matrix).has_role(allowed):
            raise ForbiddenError("Your role in this event does not allow this.")

    return guard(check)


def service_permission(service: str, operation: str) -> Callable[[View], View]:
    def check(params: dict[str, Any]) -> None:
        if not acting_user().can(service, operation, params["event_id"]):
            raise ForbiddenError(f"Your role in this event may not {operation} a {service}.")

    return guard(check)


@dataclass
class OrderAccess:
    order: OrderModel
    is_buyer: bool
    # Holds one of the guard's roles in the order's event, or is staff.
    privileged: bool
    # The event's (None once the event is deleted): until then the buyer may cancel a paid order.
    refund_deadline: str | None = None
    # None once the event is deleted.
    event: EventModel | None = None


def current_order_access() -> OrderAccess:
    access = current().order_access
    if access is None:
        raise RuntimeError("the route did not load the order; add order_party_required")
    return access


def order_party_required(roles: Iterable[str]) -> Callable[[View], View]:
    """Routes under /orders/{order_id}: the order's buyer, or one of ``roles`` in the order's event
    (or staff). Other members of the event get 403; anyone else 404 (an order is nobody else's business)."""
    allowed = frozenset(roles)

    def check(params: dict[str, Any]) -> None:
        from chalicelib.store.orders import get_order

        order = get_order(params["order_id"])
        user = current_user()
        is_buyer = order.buyer_id == user.user_id
        try:
            access = load_access(order.event_id)
        except NotFoundError:
            access = None
        privileged = access.has_role(allowed) if access else is_staff(user)
        if not (is_buyer or privileged):
            if access is not None and access.role is not None:
                raise ForbiddenError("Your role in this event does not allow this.")
            raise NotFoundError("No such order.")
        deadline = access.event.refund_deadline if access else None
        current().order_access = OrderAccess(
            order, is_buyer, privileged, deadline, access.event if access else None
        )

    return guard(check)
