"""Signed, expiring bearer tokens (JWT, HS256)."""

import time
from typing import NamedTuple

from chalicelib.config import settings
from chalicelib.domain.errors import UnauthorizedError
from chalicelib.store.secrets import jwt_secret

MAX_USER_ID = 128


class TokenClaims(NamedTuple):
    user_id: str
    token_version: int
    expires_at: int


def issue_token(user_id: str, token_version: int, ttl_seconds: int | None = None) -> str:
    import jwt  # PyJWT pulls in cryptography (~50 ms); public routes and cold starts skip it

    now = int(time.time())
    ttl = settings().token_ttl_seconds if ttl_seconds is None else ttl_seconds
    claims = {"sub": user_id, "ver": token_version, "iat": now, "exp": now + ttl}
    return jwt.encode(claims, jwt_secret(), algorithm="HS256")


def decode_token(token: str) -> TokenClaims:
    import jwt

    try:
        claims = jwt.decode(token, jwt_secret(), algorithms=["HS256"], options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError as error:
        raise UnauthorizedError(
            "Your session has expired; please sign in again.", code="token_expired"
        ) from error
    except jwt.PyJWTError as error:
        raise UnauthorizedError("The token is invalid.", code="invalid_token") from error
    user_id, version, expires_at = claims["sub"], claims.get("ver", 0), claims["exp"]
    # Signed with our secret yet unlike what issue_token writes: a user id is a short non-empty
    # string (a key DynamoDB accepts), a version an int (not a bool, not a string of digits).
    if not isinstance(user_id, str) or not 0 < len(user_id) <= MAX_USER_ID or type(version) is not int:
        raise UnauthorizedError("The token is invalid.", code="invalid_token")
    return TokenClaims(user_id=user_id, token_version=version, expires_at=int(expires_at))
