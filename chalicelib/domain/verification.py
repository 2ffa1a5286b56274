"""Rules for e-mail verification: how long a link lasts (its token: domain/link_tokens.py), how
a refused one is explained. The e-mail (chalicelib/mail's "email_verification") carries nothing anyone
typed: the address may belong to someone who never signed up."""

from datetime import timedelta
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.fields import Const, Text
from chalicelib.domain.link_tokens import token_field
from chalicelib.domain.objects import Object, sent

VERIFICATION_TTL = timedelta(hours=24)

CONFIRMATION = Object({"token": token_field("verification")}, required=("token",))
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
