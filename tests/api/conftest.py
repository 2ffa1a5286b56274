"""API tests: the Chalice app through chalice.test.Client, AWS provided by moto in-process."""

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws


@pytest.fixture
def aws() -> Iterator[None]:
    from chalicelib.store import access
    from chalicelib.store.provision import provision

    with mock_aws():
        access._matrix_cache = None
        provision(report=lambda _line: None)
        yield


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def error_code(self) -> str | None:
        payload = self.json
        return payload["error"]["code"] if isinstance(payload, dict) and "error" in payload else None


class Api:
    """A thin JSON client over chalice.test.Client; ``as_user`` adds the bearer token."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> ApiResponse:
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        response = self.client.http.request(method, path, headers=all_headers, body=data)
        return ApiResponse(
            response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.body
        )

    def get(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> ApiResponse:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> ApiResponse:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> ApiResponse:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> ApiResponse:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def api(aws: None) -> Iterator[Api]:
    from app import app

    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def signup(api: Api) -> Callable[..., str]:
    """Create an account and return its token."""
    counter = iter(range(10_000))

    def make(email: str | None = None, name: str = "Test User", password: str = "correct horse") -> str:
        address = email or f"user{next(counter)}@example.com"
        response = api.post("/auth/signup", {"email": address, "password": password, "name": name})
        assert response.status == 201, response.json
        return response.json["token"]

    return make


@pytest.fixture
def make_staff(api: Api) -> Callable[..., str]:
    """A super admin (is_super_admin) or admin (is_admin) account's token."""

    def make(email: str = "root@example.com", super_admin: bool = True) -> str:
        from chalicelib.store.models.users import UserModel
        from chalicelib.store.users import ensure_super_admin, find_by_email

        ensure_super_admin(email, "root password")
        if not super_admin:
            user = find_by_email(email)
            user.update(actions=[UserModel.is_super_admin.set(False), UserModel.is_admin.set(True)])
        return api.post("/auth/login", {"email": email, "password": "root password"}).json["token"]

    return make


EVENT = {
    "name": "PyCon Test",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-03T18:00:00+02:00",
    "timezone": "Europe/Berlin",
    "location_name": "Berlin",
    "currency": "EUR",
}


@pytest.fixture
def make_event(api: Api) -> Callable[..., dict]:
    def make(token: str, **overrides: Any) -> dict:
        response = api.post("/events", {**EVENT, **overrides}, token=token)
        assert response.status == 201, response.json
        return response.json

    return make
