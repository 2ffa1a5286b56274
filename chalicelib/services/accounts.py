"""Account use cases whose effects reach beyond the user item."""

from typing import Any

from chalicelib.services.signals import SessionsRevoked, emit
from chalicelib.store import users
from chalicelib.store.models.users import UserModel


def sign_out_everywhere(user: UserModel) -> None:
    """Every token issued so far stops working, and the user's open WebSockets are closed."""
    users.revoke_tokens(user)
    emit(SessionsRevoked(user.user_id))


def change_password(user: UserModel, payload: dict[str, Any]) -> UserModel:
    """A new password ends every older session (tokens and open WebSockets)."""
    changed = users.change_password(user, payload)
    emit(SessionsRevoked(user.user_id))
    return changed
