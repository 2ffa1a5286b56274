"""Accounts: signup with a unique e-mail, login, lookups and the staff user list."""

import uuid
from collections.abc import Callable
from functools import cache
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.config import settings
from chalicelib.domain.clock import now_iso
from chalicelib.domain.errors import ConflictError, NotFoundError, UnauthorizedError, ValidationError
from chalicelib.domain.users import (
    USER,
    PasswordHashing,
    normalize_email,
    validate_password,
    validate_signup,
)
from chalicelib.store import login_limits
from chalicelib.store.models.users import EmailClaimModel, UserModel
from chalicelib.store.pagination import decode_cursor, encode_cursor
from chalicelib.store.transactions import Cancelled, Transaction, transaction


@cache
def password_hashing() -> PasswordHashing:
    config = settings()
    return PasswordHashing(config.argon2_time_cost, config.argon2_memory_kib)


def _claim_key(email: str) -> str:
    return f"EMAIL#{email}"


def user_view(user: UserModel) -> dict[str, Any]:
    return USER.dump(user)


def create_user(
    payload: dict[str, Any],
    *,
    is_super_admin: bool = False,
    email_verified: bool = False,
    extra_writes: Callable[[Transaction, UserModel], None] | None = None,
) -> UserModel:
    """``extra_writes`` adds writes that must happen with the signup or not at all (an invite);
    ``email_verified`` when the signup itself proves the address (an invite's e-mailed link)."""
    email, password, name = validate_signup(payload)
    user = UserModel(
        user_id=uuid.uuid4().hex,
        email=email,
        name=name,
        password_hash=password_hashing().hash(password),
        is_super_admin=is_super_admin,
        email_verified=email_verified,
        created_at=now_iso(),
    )
    claim = EmailClaimModel(user_id=_claim_key(email), owner_id=user.user_id)
    try:
        with transaction() as pending:
            pending.save(claim, condition=EmailClaimModel.user_id.does_not_exist())
            pending.save(user, condition=UserModel.user_id.does_not_exist())
            if extra_writes is not None:
                extra_writes(pending, user)
    except (Cancelled, TransactWriteError) as error:
        # PynamoDB reorders a transaction's operations, so ask the table what failed.
        if extra_writes is not None and find_by_email(email) is None:
            raise ConflictError("The signup clashed with another change; try again.") from error
        raise ConflictError("An account with this e-mail already exists.", code="email_taken") from error
    return user


def find_by_email(email: str) -> UserModel | None:
    try:
        claim = EmailClaimModel.get(_claim_key(normalize_email(email)))
    except DoesNotExist:
        return None
    return get_user_or_none(claim.owner_id)


def get_user_or_none(user_id: str) -> UserModel | None:
    try:
        return UserModel.get(user_id)
    except DoesNotExist:
        return None


def get_user(user_id: str) -> UserModel:
    user = get_user_or_none(user_id)
    if user is None:
        raise NotFoundError("No such user.")
    return user


def authenticate_password(email: Any, password: Any) -> UserModel:
    failure = UnauthorizedError("Wrong e-mail or password.", code="bad_credentials")
    if not isinstance(email, str) or not isinstance(password, str):
        raise failure
    user = find_by_email(email)
    if user is None:
        # Hash anyway so response time does not reveal which addresses have accounts.
        password_hashing().hash(password)
        raise failure
    if not password_hashing().verify(user.password_hash, password):
        raise failure
    return user


def login(email: Any, password: Any, source_ip: str) -> UserModel:
    """Password sign-in within the sign-in limits (chalicelib.store.login_limits)."""
    attempt = login_limits.reserve(normalize_email(email) if isinstance(email, str) else "-", source_ip)
    try:
        user = authenticate_password(email, password)
    except UnauthorizedError:
        login_limits.failed(attempt)
        raise
    login_limits.succeeded(attempt)
    return user


def revoke_tokens(user: UserModel) -> None:
    """Sign out everywhere: every token issued so far stops working."""
    user.update(actions=[UserModel.token_version.add(1)])


def change_password(user: UserModel, payload: dict[str, Any]) -> UserModel:
    current = payload.get("current_password")
    if not isinstance(current, str) or not password_hashing().verify(user.password_hash, current):
        raise ValidationError({"current_password": "This is not your current password."})
    new = payload.get("new_password")
    errors = validate_password(new, "new_password")
    if errors:
        raise ValidationError(errors)
    user.update(
        actions=[UserModel.password_hash.set(password_hashing().hash(new)), UserModel.token_version.add(1)]
    )
    return user


def list_users(limit: int, cursor: str | None) -> tuple[list[UserModel], str | None]:
    page = UserModel.by_entity.query(
        "user", scan_index_forward=False, limit=limit, last_evaluated_key=decode_cursor(cursor, "users")
    )
    keys = [item.user_id for item in page]
    users = {u.user_id: u for u in UserModel.batch_get(keys)} if keys else {}
    return [users[k] for k in keys if k in users], encode_cursor(page.last_evaluated_key, "users")


def ensure_super_admin(email: str, password: str, name: str = "Super Admin") -> tuple[UserModel, bool]:
    """Return (user, created). An existing account with this e-mail is promoted."""
    existing = find_by_email(email)
    if existing is not None:
        if not existing.is_super_admin:
            existing.update(actions=[UserModel.is_super_admin.set(True)])
        return existing, False
    return create_user({"email": email, "password": password, "name": name}, is_super_admin=True), True
