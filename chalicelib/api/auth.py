"""Signup, login and the caller's profile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.password_reset import RESET_CONFIRMATION, RESET_REQUEST, RESET_REQUESTED
from chalicelib.domain.users import LOGIN, ME, PASSWORD_CHANGE, SIGNED_IN, SIGNUP, VERIFICATION_SENT
from chalicelib.domain.verification import CONFIRMATION, EMAIL_VERIFIED
from chalicelib.http.context import current_user
from chalicelib.http.request import source_ip
from chalicelib.http.responses import created, no_content
from chalicelib.http.routing import ApiBlueprint
from chalicelib.http.tokens import issue_token

if TYPE_CHECKING:
    from chalicelib.services import accounts, invites
    from chalicelib.store import users
else:
    accounts = lazy("chalicelib.services.accounts")
    invites = lazy("chalicelib.services.invites")
    users = lazy("chalicelib.store.users")

bp = ApiBlueprint(__name__)


def _session(user: users.UserModel) -> dict:
    return {"token": issue_token(user.user_id, int(user.token_version)), "user": users.user_view(user)}


@bp.route(
    "/auth/signup",
    methods=["POST"],
    public=True,
    status=201,
    body=SIGNUP,
    response=SIGNED_IN,
)
def signup(body: dict[str, Any]) -> Response:
    user = invites.sign_up(body)
    if not user.email_verified:
        accounts.send_verification(user)
    return created(_session(user))


@bp.route("/auth/login", methods=["POST"], public=True, body=LOGIN, response=SIGNED_IN)
def login(body: dict[str, Any]) -> dict:
    return _session(users.login(body["email"], body["password"], source_ip()))


@bp.route("/auth/logout", methods=["POST"], status=204)
def logout() -> Response:
    """Sign out everywhere: every token issued so far stops working."""
    accounts.sign_out_everywhere(current_user())
    return no_content()


@bp.route("/auth/password", methods=["POST"], body=PASSWORD_CHANGE, response=SIGNED_IN)
def change_password(body: dict[str, Any]) -> dict:
    """Change the password; older tokens stop working and a fresh one is returned."""
    return _session(accounts.change_password(current_user(), body))


@bp.route(
    "/auth/password-reset",
    methods=["POST"],
    public=True,
    status=202,
    body=RESET_REQUEST,
    response=RESET_REQUESTED,
)
def request_password_reset(body: dict[str, Any]) -> Response:
    """E-mail a link that sets a new password, if the address has an account (the answer is the
    same either way)."""
    return Response(body=accounts.request_password_reset(body["email"], source_ip()), status_code=202)


@bp.route(
    "/auth/password-reset/confirm",
    methods=["POST"],
    public=True,
    body=RESET_CONFIRMATION,
    response=SIGNED_IN,
)
def confirm_password_reset(body: dict[str, Any]) -> dict:
    """Follow a reset link: the new password is set, every older session ends, the link is spent."""
    return _session(accounts.reset_password(body["token"], body["password"], source_ip()))


@bp.route("/auth/verify-email", methods=["POST"], status=202, response=VERIFICATION_SENT)
def request_verification() -> Response:
    """E-mail me a link that verifies my address (limited per hour)."""
    return Response(body=accounts.request_verification(current_user()), status_code=202)


@bp.route(
    "/auth/verify-email/confirm",
    methods=["POST"],
    public=True,
    body=CONFIRMATION,
    response=EMAIL_VERIFIED,
)
def confirm_verification(body: dict[str, Any]) -> dict:
    """Follow a verification link: its account's address is verified; the link is spent."""
    return accounts.confirm_verification(body, source_ip())


@bp.route("/me", response=ME)
def me() -> dict:
    user = current_user()
    return {**users.user_view(user), "unread_notifications": int(user.unread_notifications)}
