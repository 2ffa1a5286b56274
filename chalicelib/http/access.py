"""Route guards: the one mechanism every protected route uses to check who may call it.

@bp.route("/events/{event_id}/tracks", methods=["POST"])
@service_permission("track", "create")
def create_track(event_id): ...
"""

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.errors import ForbiddenError, NotFoundError
from chalicelib.domain.permissions import Matrix, allows
from chalicelib.http.context import current, current_user
from chalicelib.store.access import load_event_record
from chalicelib.store.models.events import EventModel
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


def load_access(event_id: str, with_matrix: bool = False) -> EventAccess:
    user = current_user()
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


def staff_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(**params: Any) -> Any:
        if not is_staff(current_user()):
            raise ForbiddenError("Only platform staff may do this.")
        return view(**params)

    return guarded


def super_admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def guarded(**params: Any) -> Any:
        if not current_user().is_super_admin:
            raise ForbiddenError("Only a super admin may do this.")
        return view(**params)

    return guarded


def event_role_required(roles: Iterable[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    allowed = frozenset(roles)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(**params: Any) -> Any:
            access = load_access(params["event_id"])
            if not access.has_role(allowed):
                raise ForbiddenError("Your role in this event does not allow this.")
            return view(**params)

        return guarded

    return decorate


def service_permission(service: str, operation: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(**params: Any) -> Any:
            access = load_access(params["event_id"], with_matrix=True)
            if not access.can(service, operation):
                raise ForbiddenError(f"Your role in this event may not {operation} a {service}.")
            return view(**params)

        return guarded

    return decorate
