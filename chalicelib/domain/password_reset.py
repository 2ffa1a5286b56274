"""Rules for resetting a forgotten password: the request's answer says nothing about whether the
address has an account, a link lasts one hour and works once (its token: domain/link_tokens.py),
the new password follows the signup rules."""

from datetime import datetime, timedelta

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.fields import Text
from chalicelib.domain.link_tokens import token_field
from chalicelib.domain.objects import Object, sent
from chalicelib.domain.users import PASSWORD, email_field

RESET_TTL = timedelta(hours=1)

RESET_REQUEST = Object({"email": email_field(254)}, required=("email",))
RESET_CONFIRMATION = Object(
    {"token": token_field("password reset"), "password": PASSWORD}, required=("token", "password")
)
RESET_REQUESTED = sent(
    "PasswordResetRequested",
    {"email": Text(fmt="email", description="The address as understood; never whether it has an account")},
)


def mails_a_link(requested_at: datetime, account_created_at: datetime, moment: datetime) -> bool:
    """Whether a request is answered with a link to the address's account: only when the account
    existed when it was asked (signing up later gets nothing from an unknown address's request)
    and while the link would still work."""
    return account_created_at <= requested_at and moment < requested_at + RESET_TTL


def unknown_link() -> ValidationError:
    return ValidationError({"token": "This password reset link is not valid; ask for a new one."})


def used_link() -> ValidationError:
    return ValidationError({"token": "This password reset link was already used; ask for a new one."})


def expired_link() -> ValidationError:
    return ValidationError(
        {"token": f"This password reset link has expired after {minutes()} minutes; ask for a new one."}
    )


def superseded_link() -> ValidationError:
    """The account's password or sessions changed after the link was sent."""
    return ValidationError(
        {"token": "This password reset link no longer works: the account changed since; ask for a new one."}
    )


def minutes() -> int:
    return int(RESET_TTL.total_seconds() // 60)
