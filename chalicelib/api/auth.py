"""Signup, login and the caller's profile."""

from chalice import Response

from chalicelib.http.context import current_user
from chalicelib.http.request import json_body
from chalicelib.http.responses import created
from chalicelib.http.routing import ApiBlueprint
from chalicelib.http.tokens import issue_token
from chalicelib.store import users

bp = ApiBlueprint(__name__)


def _session(user: users.UserModel) -> dict:
    return {"token": issue_token(user.user_id, int(user.token_version)), "user": users.user_view(user)}


@bp.route("/auth/signup", methods=["POST"], public=True)
def signup() -> Response:
    return created(_session(users.create_user(json_body())))


@bp.route("/auth/login", methods=["POST"], public=True)
def login() -> dict:
    payload = json_body()
    return _session(users.authenticate_password(payload.get("email"), payload.get("password")))


@bp.route("/me")
def me() -> dict:
    user = current_user()
    return {**users.user_view(user), "unread_notifications": int(user.unread_notifications)}
