"""Signup, login and the caller's profile."""

from chalice import Response

from chalicelib.http import schemas
from chalicelib.http.context import current_user
from chalicelib.http.request import json_body, source_ip
from chalicelib.http.responses import created, no_content
from chalicelib.http.routing import ApiBlueprint
from chalicelib.http.tokens import issue_token
from chalicelib.services import accounts, invites
from chalicelib.store import users, verification

bp = ApiBlueprint(__name__)


def _session(user: users.UserModel) -> dict:
    return {"token": issue_token(user.user_id, int(user.token_version)), "user": users.user_view(user)}


@bp.route(
    "/auth/signup",
    methods=["POST"],
    public=True,
    status=201,
    request_schema=schemas.SIGNUP_REQUEST,
    response_schema=schemas.SIGNED_IN,
)
def signup() -> Response:
    user = invites.sign_up(json_body())
    if not user.email_verified:
        verification.send_link(user)
    return created(_session(user))


@bp.route(
    "/auth/login",
    methods=["POST"],
    public=True,
    request_schema=schemas.LOGIN_REQUEST,
    response_schema=schemas.SIGNED_IN,
)
def login() -> dict:
    payload = json_body()
    return _session(users.login(payload.get("email"), payload.get("password"), source_ip()))


@bp.route("/auth/logout", methods=["POST"], status=204)
def logout() -> Response:
    """Sign out everywhere: every token issued so far stops working."""
    accounts.sign_out_everywhere(current_user())
    return no_content()


@bp.route(
    "/auth/password",
    methods=["POST"],
    request_schema=schemas.PASSWORD_REQUEST,
    response_schema=schemas.SIGNED_IN,
)
def change_password() -> dict:
    """Change the password; older tokens stop working and a fresh one is returned."""
    return _session(accounts.change_password(current_user(), json_body()))


@bp.route("/auth/verify-email", methods=["POST"], status=202, response_schema=schemas.VERIFICATION_SENT)
def request_verification() -> Response:
    """E-mail me a link that verifies my address (limited per hour)."""
    return Response(body=verification.request_link(current_user()), status_code=202)


@bp.route(
    "/auth/verify-email/confirm",
    methods=["POST"],
    public=True,
    request_schema=schemas.VERIFY_EMAIL_CONFIRM_REQUEST,
    response_schema=schemas.EMAIL_VERIFIED,
)
def confirm_verification() -> dict:
    """Follow a verification link: its account's address is verified; the link is spent."""
    return verification.confirm(json_body())


@bp.route("/me", response_schema=schemas.ME)
def me() -> dict:
    user = current_user()
    return {**users.user_view(user), "unread_notifications": int(user.unread_notifications)}
