"""Tokens that travel only in an e-mailed link (address verification, password reset): random,
stored as their SHA-256 digest, so a leaked table cannot be turned back into working links."""

import hashlib
import secrets

from chalicelib.domain.fields import Matching

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_field(what: str) -> Matching:
    """The ``token`` of a body that follows a link of the ``what`` e-mail."""
    return Matching(
        f"The token from the {what} e-mail's link is required.",
        min_len=1,
        max_len=MAX_TOKEN_LENGTH,
        strip=False,
        description=f"From the {what} e-mail's link",
    )
