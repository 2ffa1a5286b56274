"""Under `chalice deploy` the token secret is an SSM SecureString read on first use: tokens work,
the value is kept per container, public routes never read it, and a missing or unreadable secret
is a clear error (a logged 500 to the client, never a token signed with an empty key)."""

import os
from collections.abc import Iterator

import pytest

from chalicelib.config import settings
from chalicelib.domain.errors import UnauthorizedError
from chalicelib.http.tokens import decode_token, issue_token
from chalicelib.store import secrets
from chalicelib.store.aws import client

from .conftest import Api

PARAMETER = "/marquee/test/jwt-secret"
SECRET = "s" * 48


@pytest.fixture
def secret_in_ssm(aws: None, restore_environ: None) -> Iterator[None]:
    """The environment `chalice deploy` gives the functions: the parameter's name, no secret."""
    os.environ.pop("MARQUEE_JWT_SECRET")
    os.environ["MARQUEE_JWT_SECRET_PARAMETER"] = PARAMETER
    settings.cache_clear()
    secrets.forget_cached_parameters()
    yield
    secrets.forget_cached_parameters()


def _put(value: str, overwrite: bool = False) -> None:
    client("ssm").put_parameter(Name=PARAMETER, Value=value, Type="SecureString", Overwrite=overwrite)


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records every SSM read (the cache is what is under test, so the calls are counted)."""
    calls: list[str] = []
    ssm = client("ssm")
    original = ssm.get_parameter

    def counting(**kwargs: object) -> object:
        calls.append(str(kwargs["Name"]))
        return original(**kwargs)

    monkeypatch.setattr(ssm, "get_parameter", counting)
    return calls


def test_tokens_are_signed_with_the_decrypted_secure_string_read_once(
    secret_in_ssm: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    _put(SECRET)
    reads = _reads(monkeypatch)

    token = issue_token("user-1", 3)
    claims = decode_token(token)

    assert (claims.user_id, claims.token_version) == ("user-1", 3)
    assert secrets.jwt_secret() == SECRET
    assert reads == [PARAMETER]

    import jwt

    assert jwt.decode(token, SECRET, algorithms=["HS256"])["sub"] == "user-1"


def test_the_secret_is_kept_for_the_containers_life(secret_in_ssm: None) -> None:
    _put(SECRET)
    token = issue_token("user-1", 0)

    _put("r" * 48, overwrite=True)

    assert decode_token(token).user_id == "user-1"
    secrets.forget_cached_parameters()  # a new container
    with pytest.raises(UnauthorizedError, match="invalid"):
        decode_token(token)


def test_the_environment_secret_wins_and_ssm_is_never_asked(
    aws: None, restore_environ: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.environ["MARQUEE_JWT_SECRET_PARAMETER"] = PARAMETER  # no such parameter exists
    settings.cache_clear()
    reads = _reads(monkeypatch)

    assert decode_token(issue_token("user-1", 0)).user_id == "user-1"
    assert reads == []


def test_without_either_setting_the_error_says_what_to_set(aws: None, restore_environ: None) -> None:
    os.environ.pop("MARQUEE_JWT_SECRET")
    settings.cache_clear()

    with pytest.raises(
        secrets.SecretUnavailable, match="set MARQUEE_JWT_SECRET, or MARQUEE_JWT_SECRET_PARAMETER"
    ):
        issue_token("user-1", 0)


def test_a_missing_parameter_is_named_and_not_cached(secret_in_ssm: None) -> None:
    with pytest.raises(
        secrets.SecretUnavailable, match=f"cannot read SSM parameter {PARAMETER}: .*ParameterNotFound"
    ):
        secrets.jwt_secret()

    _put(SECRET)
    assert secrets.jwt_secret() == SECRET


def test_a_short_secret_is_refused(secret_in_ssm: None) -> None:
    _put("too-short")

    with pytest.raises(secrets.SecretUnavailable, match=f"from {PARAMETER} is shorter than 32"):
        secrets.jwt_secret()


def test_public_routes_work_without_reading_the_secret_and_sign_in_needs_it(
    secret_in_ssm: None, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _reads(monkeypatch)

    assert api.get("/public/events").status == 200
    assert reads == []

    signup = {"email": "first@example.com", "password": "correct horse", "name": "First"}
    failed = api.post("/auth/signup", signup)
    assert failed.status == 500 and failed.error_code == "internal_error"
    assert PARAMETER not in failed.body.decode()

    _put(SECRET)
    created = api.post("/auth/signup", {**signup, "email": "second@example.com"})
    assert created.status == 201, created.json
    me = api.get("/me", token=created.json["token"])
    assert me.status == 200 and me.json["email"] == "second@example.com"
