"""Signup, login, /me and the token rules of docs/api.md."""

import threading

import jwt
import pytest

from chalicelib.http.tokens import issue_token


def test_signup_returns_token_and_user(api):
    response = api.post(
        "/auth/signup", {"email": " Ada@Example.COM ", "password": "long enough", "name": "Ada"}
    )

    assert response.status == 201
    body = response.json
    assert body["user"]["email"] == "ada@example.com"
    assert body["user"]["is_admin"] is False and body["user"]["is_super_admin"] is False
    me = api.get("/me", token=body["token"])
    assert me.status == 200
    assert me.json == {**body["user"], "unread_notifications": 0}


def test_password_is_stored_as_argon2_hash(api):
    from chalicelib.store.users import find_by_email

    api.post("/auth/signup", {"email": "a@example.com", "password": "long enough", "name": "A"})
    stored = find_by_email("a@example.com").password_hash
    assert stored.startswith("$argon2id$") and "long enough" not in stored


def test_email_taken_case_insensitively(api, signup):
    signup("bob@example.com")
    response = api.post("/auth/signup", {"email": "BOB@example.com", "password": "long enough", "name": "B"})

    assert response.status == 409
    assert response.error_code == "email_taken"


def test_concurrent_signups_with_one_email_only_one_wins(api):
    from chalicelib.domain.errors import ConflictError
    from chalicelib.store.users import create_user

    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def attempt():
        barrier.wait()
        try:
            create_user({"email": "race@example.com", "password": "long enough", "name": "R"})
            outcomes.append("created")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "created"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"email", "password", "name"}),
        ({"email": "not-an-email", "password": "long enough", "name": "X"}, {"email"}),
        ({"email": "a@example.com", "password": "short", "name": "X"}, {"password"}),
        ({"email": "a@example.com", "password": "long enough", "name": "   "}, {"name"}),
        ({"email": "a@example.com", "password": "long enough", "name": "x" * 101}, {"name"}),
        ({"email": 5, "password": ["x"], "name": None}, {"email", "password", "name"}),
    ],
)
def test_signup_validation(api, payload, fields):
    response = api.post("/auth/signup", payload)

    assert response.status == 422
    assert set(response.json["error"]["details"]) == fields


def test_login(api, signup):
    signup("carol@example.com", password="carol password")

    ok = api.post("/auth/login", {"email": "CAROL@example.com", "password": "carol password"})
    assert ok.status == 200 and ok.json["user"]["email"] == "carol@example.com"
    assert api.get("/me", token=ok.json["token"]).status == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "carol@example.com", "password": "wrong password"},
        {"email": "nobody@example.com", "password": "carol password"},
        {"email": 1, "password": None},
    ],
)
def test_login_bad_credentials(api, signup, payload):
    signup("carol@example.com", password="carol password")
    response = api.post("/auth/login", payload)

    assert response.status == 401
    assert response.error_code == "bad_credentials"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Basic abc",
        "Bearer not.a.jwt",
        "Bearer "
        + jwt.encode({"sub": "x", "exp": 4102444800}, "another-secret-of-sufficient-length-000000", "HS256"),
    ],
)
def test_me_requires_a_valid_token(api, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = api.get("/me", headers=headers)

    assert response.status == 401
    assert response.json["error"]["message"]


def test_expired_token_is_refused(api, signup):
    from chalicelib.store.users import find_by_email

    signup("old@example.com")
    user = find_by_email("old@example.com")
    expired = issue_token(user.user_id, 0, ttl_seconds=-10)

    response = api.get("/me", token=expired)
    assert response.status == 401
    assert response.error_code == "token_expired"


@pytest.mark.parametrize(
    "claim",
    [
        *({"ver": version} for version in ("abc", "0", 0.0, 0.5, True, False, None, [0], {"v": 0})),
        {"sub": ""},
        {"sub": "x" * 129},
    ],
)
def test_a_signed_token_with_claims_we_never_issue_is_refused(api, signup, claim):
    """Signed with our secret, yet not a token we issue: 401 (a ``ver`` of "abc" answered 500)."""
    from chalicelib.store.secrets import jwt_secret
    from chalicelib.store.users import find_by_email

    signup("signed@example.com")
    claims = {"sub": find_by_email("signed@example.com").user_id, "ver": 0, "exp": 4102444800}
    assert api.get("/me", token=jwt.encode(claims, jwt_secret(), "HS256")).status == 200

    response = api.get("/me", token=jwt.encode({**claims, **claim}, jwt_secret(), "HS256"))
    assert response.status == 401
    assert response.error_code == "invalid_token"


def test_token_of_a_deleted_user_is_refused(api):
    token = issue_token("no-such-user", 0)
    assert api.get("/me", token=token).status == 401


def test_successful_logins_do_not_count_towards_the_limit(api, signup):
    signup("busy@example.com", password="right password")
    for _ in range(15):
        assert (
            api.post("/auth/login", {"email": "busy@example.com", "password": "right password"}).status == 200
        )


def test_logout_revokes_every_token(api, signup):
    token = signup("leaving@example.com", password="my password")
    second = api.post("/auth/login", {"email": "leaving@example.com", "password": "my password"}).json[
        "token"
    ]

    assert api.post("/auth/logout", token=token).status == 204
    assert api.get("/me", token=token).status == 401
    assert api.get("/me", token=second).error_code == "token_revoked"
    fresh = api.post("/auth/login", {"email": "leaving@example.com", "password": "my password"}).json["token"]
    assert api.get("/me", token=fresh).status == 200


def test_password_change_bumps_the_token_version(api, signup):
    old_token = signup("pw@example.com", password="old password")

    wrong = api.post(
        "/auth/password", {"current_password": "nope", "new_password": "new password"}, token=old_token
    )
    assert wrong.status == 422 and "current_password" in wrong.json["error"]["details"]
    short = api.post(
        "/auth/password", {"current_password": "old password", "new_password": "x"}, token=old_token
    )
    assert short.status == 422 and "new_password" in short.json["error"]["details"]

    changed = api.post(
        "/auth/password",
        {"current_password": "old password", "new_password": "new password"},
        token=old_token,
    )
    assert changed.status == 200
    assert api.get("/me", token=old_token).status == 401
    assert api.get("/me", token=changed.json["token"]).status == 200
    assert api.post("/auth/login", {"email": "pw@example.com", "password": "old password"}).status == 401
    assert api.post("/auth/login", {"email": "pw@example.com", "password": "new password"}).status == 200
