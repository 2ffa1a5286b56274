"""Rules for e-mail verification: how long a link lasts, how its token is kept, how a
refused one is explained. The e-mail (chalicelib/mail's "email_verification") carries nothing anyone
typed: the address may belong to someone who never signed up."""

import hashlib
from datetime import timedelta
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.fields import Const, Matching, Text
from chalicelib.domain.objects import Object, sent

VERIFICATION_TTL = timedelta(hours=24)
MAX_TOKEN_LENGTH = 200


def token_digest(token: str) -> str:
    """Only this is stored: a leaked table cannot be turned back into working links."""
    return hashlib.sha256(token.encode()).hexdigest()


CONFIRMATION = Object(
    {
        "token": Matching(
            "The verification token from the e-mail's link is required.",
            min_len=1,
            max_len=MAX_TOKEN_LENGTH,
            strip=False,
            description="From the verification e-mail's link",
        )
    },
    required=("token",),
)
EMAIL_VERIFIED = sent("EmailVerified", {"email": Text(fmt="email"), "email_verified": Const(True)})


def validate_confirmation(payload: dict[str, Any]) -> str:
    """The token of a ``/auth/verify-email/confirm`` body, or ValidationError."""
    return CONFIRMATION.validate(payload)["token"]


def unknown_link() -> ValidationError:
    return ValidationError({"token": "This verification link is not valid."})


def used_link() -> ValidationError:
    return ValidationError({"token": "This verification link was already used."})


def expired_link() -> ValidationError:
    return ValidationError({"token": "This verification link has expired; ask for a new one."})
