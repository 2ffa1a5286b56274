"""Authentication: the bearer token, checked against the user's current token version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.domain.errors import UnauthorizedError
from chalicelib.http.tokens import TokenClaims, decode_token

# The store on the first request, not at cold start (bench/import_bench.py).
if TYPE_CHECKING:
    from chalicelib.store.models.users import UserModel


def authenticate(authorization: str | None) -> UserModel:
    if not authorization:
        raise UnauthorizedError(
            "Sign in first: send Authorization: Bearer <token>.", code="not_authenticated"
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("Use Authorization: Bearer <token>.", code="invalid_token")
    return authenticate_token(token.strip())[0]


def authenticate_token(token: str) -> tuple[UserModel, TokenClaims]:
    """The user of a bearer token, with its claims (a WebSocket keeps its version and expiry)."""
    from chalicelib.store.users import get_user_or_none

    claims = decode_token(token)
    user = get_user_or_none(claims.user_id)
    if user is None or int(user.token_version) != claims.token_version:
        raise UnauthorizedError(
            "This session is no longer valid; please sign in again.", code="token_revoked"
        )
    return user, claims
