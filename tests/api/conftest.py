"""API tests: the Chalice app through chalice.test.Client, AWS provided by moto in-process."""

import copy
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from chalice.test import Client
from moto import mock_aws


class MotoAccount:
    """The AWS account of the API tests: one moto for the whole package, provisioned once.

    Provisioning (49 API calls) used to take 250-340 ms of every test. Instead the state of every
    moto backend is copied once after provisioning, and each test starts from a copy of it: every
    backend is reset first (S3's reset closes the objects' temporary files), then the provisioned
    ones get their copy back. Whatever a test made (items, objects, sent mail, pushed WebSocket
    messages, SSM parameters, tables or buckets of its own) is gone for the next one."""

    def __init__(self) -> None:
        from chalicelib.store.provision import provision

        provision(report=lambda _line: None)
        self._bucket_accounts = dict(self._s3_backends().bucket_accounts)
        self._provisioned = {
            (backends.service_name, account, region): copy.deepcopy(backend.__dict__)
            for backends, account, region, backend in self._backends()
        }

    @staticmethod
    def _s3_backends() -> Any:
        from moto.s3.models import s3_backends

        return s3_backends

    @staticmethod
    def _backends() -> Iterator[tuple[Any, str, str, Any]]:
        from moto.core.base_backend import BackendDict

        for backends in list(BackendDict._instances):
            for account, regions in list(backends.items()):
                for region, backend in list(regions.items()):
                    yield backends, account, region, backend

    def restore(self) -> None:
        """Back to the provisioned account (backends reset in place: boto3 clients, PynamoDB's
        connection and moto's own caches keep pointing at the same objects)."""
        self.empty()
        for backends, account, region, backend in self._backends():
            provisioned = self._provisioned.get((backends.service_name, account, region))
            if provisioned is not None:
                backend.__dict__ = copy.deepcopy(provisioned)
        s3_backends = self._s3_backends()
        s3_backends.bucket_accounts.clear()
        s3_backends.bucket_accounts.update(self._bucket_accounts)
        forget_cached_state()

    def empty(self) -> None:
        """An account with nothing in it (for provisioning's own tests)."""
        for _backends, _account, _region, backend in self._backends():
            backend.reset()
        forget_cached_state()


def forget_cached_state() -> None:
    """What a new container would not have: the permission matrix and SSM parameters it read.
    The settings are read again now, from the test environment: read first during a request,
    they would hold the variables chalice.test.Client puts around it (its "dev" stage's)."""
    from chalicelib.config import settings
    from chalicelib.store.access import forget_cached_matrix
    from chalicelib.store.secrets import forget_cached_parameters

    forget_cached_matrix()
    forget_cached_parameters()
    settings.cache_clear()
    settings()


@pytest.fixture(scope="package")
def moto_account() -> Iterator[MotoAccount]:
    """Active for the API tests only: integration and e2e tests talk to a real local stack, which
    moto's patching of botocore would intercept."""
    from chalicelib.store.aws import reset_clients
    from devstack import moto_partitions, moto_serialize, moto_transactions

    # As the local stack runs moto.
    moto_transactions.install()
    moto_serialize.install()
    moto_partitions.install()
    with mock_aws():
        reset_clients()
        yield MotoAccount()
    reset_clients()


@pytest.fixture
def aws(moto_account: MotoAccount) -> None:
    """The provisioned account, as no other test left it."""
    moto_account.restore()


@pytest.fixture
def empty_aws(moto_account: MotoAccount) -> None:
    """An account where nothing is provisioned yet."""
    moto_account.empty()


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

    def me(self, token: str) -> dict[str, Any]:
        """The account of ``token`` (GET /me)."""
        return self.get("/me", token=token).json

    def user_id(self, token: str) -> str:
        return str(self.me(token)["id"])

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


@pytest.fixture
def shop(api: Api, signup: Callable[..., str], make_event: Callable[..., dict]) -> Any:
    """A published event of a new organizer, with helpers to add tickets and order (orders_helpers)."""
    from tests.api.orders_helpers import make_shop

    return make_shop(api, signup, make_event)


@pytest.fixture
def buyer(signup: Callable[..., str]) -> str:
    return signup("buyer@example.com", name="Bea Buyer")


@pytest.fixture
def owner(signup: Callable[..., str]) -> str:
    """The token of owner@example.com, who owns ``event``."""
    return signup("owner@example.com")


@pytest.fixture
def event(make_event: Callable[..., dict], owner: str) -> dict:
    """The owner's event (a module may define its own ``event``, e.g. with its organizer's token)."""
    return make_event(owner)


@pytest.fixture
def tickets_path(event: dict) -> str:
    return f"/events/{event['id']}/tickets"


class CallRecorder:
    """The DynamoDB API calls made while recording (operation names, in order)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.recording = False

    def __enter__(self) -> "CallRecorder":
        self.calls.clear()
        self.recording = True
        return self

    def __exit__(self, *_exc: object) -> None:
        self.recording = False


@pytest.fixture
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> CallRecorder:
    """Counts every botocore call to DynamoDB, whichever client (PynamoDB's or boto3's) makes it."""
    from botocore.client import BaseClient

    recorder = CallRecorder()
    original = BaseClient._make_api_call

    def spy(client: BaseClient, operation_name: str, api_params: dict) -> Any:
        if recorder.recording and client.meta.service_model.service_name == "dynamodb":
            recorder.calls.append(operation_name)
        return original(client, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    return recorder


@pytest.fixture
def meanwhile(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Callable[[], Any]], list[Any]]:
    """``meanwhile("TransactWriteItems", act)`` runs ``act()`` once, just before the app's next
    DynamoDB call of that name: what another request does between the app's read and its
    conditional write. The DynamoDB calls ``act`` makes itself go through unchanged. Returns the
    list that receives what ``act`` returned, to check that the interleaving happened."""
    from botocore.client import BaseClient

    def arrange(operation: str, act: Callable[[], Any]) -> list[Any]:
        original = BaseClient._make_api_call  # with the spies set up before, e.g. dynamodb_calls
        happened: list[Any] = []
        running = threading.Event()

        def interleaving(client: BaseClient, operation_name: str, api_params: dict) -> Any:
            is_due = client.meta.service_model.service_name == "dynamodb" and operation_name == operation
            if is_due and not happened and not running.is_set():
                running.set()
                happened.append(act())
            return original(client, operation_name, api_params)

        monkeypatch.setattr(BaseClient, "_make_api_call", interleaving)
        return happened

    return arrange


@dataclass
class WsResult:
    status: int
    connection_id: str
    body: Any = None


class WebsocketEvents:
    """Invokes the app's websocket handlers (as Lambda would) with API Gateway-shaped events, and
    reads back what the app posted to a connection from moto's apigatewaymanagementapi backend."""

    API_ID = "wsapi123"
    STAGE = "api"
    DOMAIN = f"{API_ID}.execute-api.us-east-1.amazonaws.com"

    def __init__(self, stream: Any) -> None:
        from app import app

        self.app = app
        self.stream = stream
        self.counter = iter(range(1_000_000))

    def _invoke(self, route_key: str, event: dict[str, Any]) -> dict[str, Any]:
        handler = self.app.handler_map[self.app.websocket_handlers[route_key].name]
        return handler(event, None)

    def _context(self, route_key: str, event_type: str, connection_id: str) -> dict[str, Any]:
        return {
            "routeKey": route_key,
            "eventType": event_type,
            "messageDirection": "IN",
            "connectionId": connection_id,
            "domainName": self.DOMAIN,
            "stage": self.STAGE,
            "apiId": self.API_ID,
            "requestId": f"req-{next(self.counter)}",
            "connectedAt": 1_700_000_000_000,
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "pytest"},
        }

    def connect(self, token: str | None = None, event: str | None = None, **params: str) -> WsResult:
        connection_id = f"conn{next(self.counter)}="
        query = {
            **params,
            **({"token": token} if token is not None else {}),
            **({"event": event} if event else {}),
        }
        response = self._invoke(
            "$connect",
            {
                "headers": {"Host": self.DOMAIN},
                "queryStringParameters": query or None,
                "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
                "requestContext": self._context("$connect", "CONNECT", connection_id),
                "isBase64Encoded": False,
            },
        )
        body = json.loads(response["body"]) if response.get("body") else None
        return WsResult(response["statusCode"], connection_id, body)

    def send(self, connection_id: str, body: str) -> WsResult:
        context = {**self._context("$default", "MESSAGE", connection_id), "messageId": "m1"}
        response = self._invoke(
            "$default", {"body": body, "requestContext": context, "isBase64Encoded": False}
        )
        return WsResult(response["statusCode"], connection_id)

    def disconnect(self, connection_id: str) -> WsResult:
        context = {**self._context("$disconnect", "DISCONNECT", connection_id), "disconnectStatusCode": 1001}
        response = self._invoke(
            "$disconnect", {"headers": {}, "requestContext": context, "isBase64Encoded": False}
        )
        return WsResult(response["statusCode"], connection_id)

    def received(self, connection_id: str) -> list[Any]:
        """Every JSON message the app posted to this connection, in order, once the stream
        functions handled what is pending (pushes to an audience come from there)."""
        self.stream.run_pending()
        from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends
        from moto.core import DEFAULT_ACCOUNT_ID

        backend = apigatewaymanagementapi_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
        # moto keys connections by the id as it appears in the URL path (``=`` percent-encoded).
        connection = backend.connections.get(quote(connection_id, safe=""))
        data = connection.data.decode() if connection else ""
        decoder, messages, position = json.JSONDecoder(), [], 0
        while position < len(data):
            message, position = decoder.raw_decode(data, position)
            messages.append(message)
        return messages


def stored_connections(channel: str) -> dict[str, Any]:
    """The stored WebSocket connections listening on ``channel``, by connection id."""
    from chalicelib.store.models.connections import ConnectionModel

    return {item.connection_id: item for item in ConnectionModel.query(channel)}


@pytest.fixture
def stream(aws: None) -> Any:
    """The app's stream functions fed from moto's DynamoDB Streams, as the local stack feeds them
    (devstack.streams): ``stream.run_pending()`` delivers what the test's writes left pending, so
    what follows a change happens at a known point."""
    from app import app
    from devstack.streams import StreamPoller

    return StreamPoller(app, "us-east-1")


@pytest.fixture
def ws(stream: Any) -> WebsocketEvents:
    return WebsocketEvents(stream)


@pytest.fixture
def restore_environ() -> Iterator[None]:
    """For code that puts a stage's settings into os.environ (manage.py --stage): put back the
    environment, and forget the settings and clients made from it, afterwards."""
    import os

    from chalicelib.config import settings
    from chalicelib.store.aws import reset_clients

    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        settings.cache_clear()
        reset_clients()


@pytest.fixture
def grant_role(api: Api, invite_email_token: Callable[[str], str]) -> Callable[[str, str, str, str], None]:
    """Give the user of ``member_token`` ``role`` in the event, the way users do it: the
    organizer invites their address, they follow the invite e-mail's link and accept."""

    def grant(event_id: str, organizer_token: str, member_token: str, role: str) -> None:
        email = api.get("/me", token=member_token).json["email"]
        invited = api.post(
            f"/events/{event_id}/invites", {"email": email, "role": role}, token=organizer_token
        )
        assert invited.status == 201, invited.json
        accepted = api.post(f"/invites/{invite_email_token(invited.json['id'])}/accept", token=member_token)
        assert accepted.status == 200, accepted.json

    return grant


@pytest.fixture
def invite_email_token(sent_emails: Callable[[], list[Any]]) -> Callable[[str], str]:
    """The token of the invite ``invite_id`` as its e-mail's accept link carries it."""

    def find(invite_id: str) -> str:
        pattern = re.compile(rf"#/invites\?invite={invite_id}&(?:amp;)?token=([A-Za-z0-9_\-]+)")
        for message in reversed(sent_emails()):
            match = pattern.search(message.body)
            if match:
                return match.group(1)
        raise AssertionError(f"no e-mail carries the accept link of invite {invite_id}")

    return find


@dataclass(frozen=True)
class SentMail:
    """One e-mail SES was asked to send, as its recipient reads it (devstack.mailbox's reading)."""

    to: list[str]
    subject: str
    text: str
    html: str

    @property
    def destinations(self) -> dict[str, list[str]]:
        return {"ToAddresses": self.to}

    @property
    def body(self) -> str:
        """The HTML part (what moto's own records called the body)."""
        return self.html


@pytest.fixture
def sent_emails(stream: Any) -> Callable[[], list[SentMail]]:
    """The e-mails SES was asked to send (moto's backend), oldest first, once the stream
    functions handled what is pending (mail about orders is sent from there)."""

    def read() -> list[SentMail]:
        stream.run_pending()
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        from devstack.mailbox import describe

        records = [describe(m, "") for m in ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages]
        return [SentMail(r["to"], r["subject"], r["text"], r["html"]) for r in records]

    return read


@pytest.fixture
def verify_email(api: Api, sent_emails: Callable[[], list[Any]]) -> Callable[[str], None]:
    """Verify the address of the account of ``token`` the way its owner does: follow the
    newest verification link e-mailed to it."""

    def verify(token: str) -> None:
        address = api.get("/me", token=token).json["email"]
        links = [
            match.group(1)
            for message in sent_emails()
            if message.destinations["ToAddresses"] == [address]
            for match in [re.search(r"#/verify-email\?token=([A-Za-z0-9_\-]+)", message.body)]
            if match
        ]
        assert links, f"no verification e-mail reached {address}"
        confirmed = api.post("/auth/verify-email/confirm", {"token": links[-1]})
        assert confirmed.status == 200, confirmed.json

    return verify


@pytest.fixture
def threaded_app(monkeypatch: pytest.MonkeyPatch, restore_environ: None) -> None:
    """Requests from several threads at once, as the local stack serves them: the current request
    per thread (LocalChalice, as devstack does) and, as moto is not thread-safe, one lock per
    DynamoDB request, which models DynamoDB's per-request atomicity while leaving the
    interleaving between requests free. chalice.test.Client sets the stage's environment variables
    around each request and puts back what it saw: from parallel threads one of them puts back
    another's (MARQUEE_STAGE=dev leaked into every later test), so the environment is restored."""
    from botocore.client import BaseClient
    from chalice.local import LocalChalice

    from app import app

    monkeypatch.setattr(app, "__class__", type("ThreadedMarquee", (LocalChalice, type(app)), {}))
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def serialized(client, operation_name, api_params):
        with lock:
            return original(client, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", serialized)


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Settings from the environment as a deployment would set them (read again afterwards)."""
    from chalicelib.config import settings

    def configure(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        settings.cache_clear()

    yield configure
    monkeypatch.undo()
    settings.cache_clear()


from tests.api.stripe_helpers import stripe_sandbox  # noqa: E402, F401 - the Stripe stand-in fixture
