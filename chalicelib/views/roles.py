"""An event member and their role."""

from typing import Any

from chalicelib.store.models.events import MembershipModel
from chalicelib.store.models.users import UserModel


def _user_summary(user: UserModel | None, user_id: str) -> dict[str, Any]:
    if user is None:
        return {"id": user_id, "email": None, "name": None}
    return {"id": user.user_id, "email": user.email, "name": user.name}


def role_view(membership: MembershipModel, user: UserModel | None) -> dict[str, Any]:
    return {"user": _user_summary(user, membership.member_id), "role": membership.role}
