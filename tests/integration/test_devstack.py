"""The local stack behind `make run`, started for real and driven over HTTP."""

import contextlib
import io
import json
import re
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.integration.conftest import REPO_ROOT, LocalStack, StackFactory
from tests.integration.media import rendition_key

pytestmark = pytest.mark.integration

EVENT = {
    "name": "Integration Summit",
    "starts_at": "2027-03-01T09:00:00+01:00",
    "ends_at": "2027-03-02T18:00:00+01:00",
    "timezone": "Europe/Berlin",
}


TYPED_ITEM = {
    "pk": {"S": "DEVSTACK#typed"},
    "sk": {"S": "ROUNDTRIP"},
    "binary": {"B": b"\x00\xffraw"},
    "binaries": {"BS": [b"\x01", b"\x02"]},
    "number": {"N": "12.50"},
    "numbers": {"NS": ["1", "2"]},
    "strings": {"SS": ["a", "b"]},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "nested": {"M": {"list": {"L": [{"S": "x"}, {"B": b"\x03"}, {"M": {"deep": {"N": "1"}}}]}}},
}


def create_event(stack: LocalStack, token: str, **overrides: str) -> dict:
    response = stack.api("POST", "/events", {**EVENT, **overrides}, token=token)
    assert response.status_code == 201, response.text
    return response.json()


# -- one shared stack: what a user of `make run` sees ------------------------------------------------


def test_config_json_gives_the_api_and_websocket_urls(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    response = requests.get(f"{stack.base_url}/config.json", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "apiUrl": f"http://127.0.0.1:{stack.port}/api",
        "wsUrl": f"ws://127.0.0.1:{stack.ws_port}",
    }


def _niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def _spawned_children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
            if int(fields[1]) == pid and b"spawn_main" in command:
                children.append(int(stat.parent.name))
    return children


def test_the_gateway_and_the_functions_yield_the_cores_to_requests(shared_local_stack: LocalStack) -> None:
    # Deployed they never take CPU from a request; on a machine with fewer cores than busy
    # processes (1,000 open pages on 2 cores) the request comes first. The three: the WebSocket
    # gateway, the Lambda Invoke stand-in (fan-out pages) and the stream functions.
    assert shared_local_stack.process is not None
    stack = shared_local_stack.process.pid
    children = _spawned_children(stack)
    assert len(children) == 3
    assert [_niceness(child) - _niceness(stack) for child in children] == [10, 10, 10]


def test_signup_login_and_me(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    email = stack.unique_email("Signup")
    signed_up = stack.api(
        "POST", "/auth/signup", {"email": email, "password": "correct horse", "name": "Ada"}
    )
    assert signed_up.status_code == 201, signed_up.text
    token = stack.login(email.upper(), "correct horse")
    me = stack.api("GET", "/me", token=token)
    assert me.status_code == 200
    assert me.json()["email"] == email.lower()
    assert me.json()["name"] == "Ada"
    assert me.json()["is_super_admin"] is False
    assert stack.api("GET", "/me").status_code == 401
    wrong = stack.api("POST", "/auth/login", {"email": email, "password": "wrong password"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "bad_credentials"


def test_the_super_admin_signs_in_with_the_printed_credentials(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    assert stack.superadmin_email == "root@example.com"
    assert stack.superadmin_password == "root-password-1"
    me = stack.api("GET", "/me", token=stack.superadmin_token())
    assert me.status_code == 200
    assert me.json()["is_super_admin"] is True
    # Staff-only route: the super admin may list every event, a plain user may not.
    assert stack.api("GET", "/events", token=stack.superadmin_token()).status_code == 200
    assert stack.api("GET", "/events", token=stack.signup()).status_code == 403


def test_create_and_read_an_event(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    token = stack.signup()
    event = create_event(stack, token)
    assert event["state"] == "draft"
    fetched = stack.api("GET", f"/events/{event['id']}", token=token)
    assert fetched.status_code == 200
    assert fetched.json()["name"] == EVENT["name"]
    assert fetched.headers["ETag"]
    again = stack.api(
        "GET", f"/events/{event['id']}", token=token, headers={"If-None-Match": fetched.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.content == b""
    mine = stack.api("GET", "/me/events", token=token).json()
    assert [(item["id"], item["role"]) for item in mine] == [(event["id"], "organizer")]


def test_unknown_api_route_answers_404_with_our_error_body(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    for method, path in [("GET", "/no/such/route"), ("POST", "/nothing"), ("GET", "")]:
        response = stack.api(method, path, token=stack.signup() if path == "/nothing" else None)
        assert response.status_code == 404, (method, path, response.text)
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == {
            "error": {"code": "not_found", "message": "No such API route.", "details": {}}
        }


def test_wrong_method_and_malformed_json_keep_our_error_shape(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    wrong_method = stack.api("DELETE", "/auth/signup")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"
    malformed = stack.session.post(
        f"{stack.api_url}/auth/signup",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert malformed.status_code == 400
    assert set(malformed.json()["error"]) == {"code", "message", "details"}


def test_api_body_over_the_gateway_limit_is_refused(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    response = stack.session.post(
        f"{stack.api_url}/auth/signup",
        data=b"x" * (10 * 1024 * 1024 + 1),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_frontend_is_served_with_content_types_and_revalidation(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    index = requests.get(f"{stack.base_url}/", timeout=10)
    assert index.status_code == 200
    assert index.headers["Content-Type"] == "text/html; charset=utf-8"
    assert index.content == (REPO_ROOT / "frontend" / "index.html").read_bytes()
    assert index.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(f"{stack.base_url}/index.html", timeout=10).content == index.content
    revalidated = requests.get(
        f"{stack.base_url}/", headers={"If-None-Match": index.headers["ETag"]}, timeout=10
    )
    assert revalidated.status_code == 304
    scripts = sorted((REPO_ROOT / "frontend").rglob("*.js"))
    if scripts:
        relative = scripts[0].relative_to(REPO_ROOT / "frontend").as_posix()
        script = requests.get(f"{stack.base_url}/{relative}", timeout=10)
        assert script.status_code == 200
        assert script.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert requests.get(f"{stack.base_url}/no-such-file.js", timeout=10).status_code == 404
    assert requests.post(f"{stack.base_url}/index.html", timeout=10).status_code == 405


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """A GET with the target sent exactly as written (clients normalize ``..`` away)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


@pytest.mark.parametrize(
    "target",
    [
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/css/../../pyproject.toml",
        "/..%2fpyproject.toml",
        "/%2e%2e%2f%2e%2e%2fetc/passwd",
        "/vendor/../../pyproject.toml",
        "/vendor/%2e%2e/pyproject.toml",
        "/..\\pyproject.toml",
        "/index.html%00.js",
    ],
)
def test_static_files_never_leave_their_folder(shared_local_stack: LocalStack, target: str) -> None:
    status, body = raw_get(shared_local_stack.port, target)
    assert status in (400, 404), (target, status)
    assert b"[project]" not in body
    assert b"root:" not in body


def test_media_route_serves_objects_of_the_media_bucket(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    s3 = stack.aws_client("s3")
    key = rendition_key("e1")
    s3.put_object(
        Bucket="marquee-dev-media",
        Key=key,
        Body=b"jpeg bytes",
        ContentType="image/jpeg",
        CacheControl="public, max-age=31536000, immutable",
    )
    s3.put_object(
        Bucket="marquee-dev-media", Key="uploads/original.jpg", Body=b"private", ContentType="image/jpeg"
    )
    media = requests.get(f"{stack.base_url}/media/{key}", timeout=10)
    assert media.status_code == 200
    assert media.content == b"jpeg bytes"
    assert media.headers["Content-Type"] == "image/jpeg"
    assert media.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    cached = requests.get(
        f"{stack.base_url}/media/{key}",
        headers={"If-None-Match": media.headers["ETag"]},
        timeout=10,
    )
    assert cached.status_code == 304
    missing = rendition_key("e1", width=640)
    assert requests.get(f"{stack.base_url}/media/{missing}", timeout=10).status_code == 404
    # Originals waiting for processing are not public.
    assert requests.get(f"{stack.base_url}/media/uploads/original.jpg", timeout=10).status_code == 404


def test_mailbox_lists_sent_emails_escaped(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    recipient = stack.unique_email("mail")
    stack.aws_client("ses").send_email(
        Source="no-reply@marquee.example",
        Destination={"ToAddresses": [recipient]},
        Message={
            "Subject": {"Data": "You are invited <script>alert(1)</script>"},
            "Body": {
                "Html": {
                    "Data": '<p><a href="http://127.0.0.1/#/signup?invite=tok">Join</a></p>'
                    "<script>alert(2)</script>"
                }
            },
        },
    )
    listed = requests.get(f"{stack.base_url}/mailbox.json", timeout=10).json()
    mine = [message for message in listed if recipient in message["to"]]
    assert len(mine) == 1
    assert mine[0]["subject"] == "You are invited <script>alert(1)</script>"
    assert mine[0]["links"] == ["http://127.0.0.1/#/signup?invite=tok"]
    page = requests.get(f"{stack.base_url}/mailbox", timeout=10)
    assert page.status_code == 200
    assert "You are invited &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert '<a href="http://127.0.0.1/#/signup?invite=tok"' in page.text
    # The mail's own HTML is drawn only inside a frame without scripts or same-origin access.
    assert page.text.count("<iframe") == len(listed)
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page.text
    assert 'srcdoc="&lt;base target=&quot;_blank&quot;&gt;&lt;p&gt;&lt;a href=' in page.text


def test_concurrent_signups_with_one_email_create_one_account(shared_local_stack: LocalStack) -> None:
    """moto is not thread-safe; the stack's lock is what lets exactly one conditional write win."""
    stack = shared_local_stack
    email = stack.unique_email("race")

    def attempt(_: int) -> int:
        return requests.post(
            f"{stack.api_url}/auth/signup",
            json={"email": email, "password": "correct horse", "name": "Racer"},
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(attempt, range(12)))
    assert sorted(statuses) == [201] + [409] * 11


# -- stop, restart, persistence ----------------------------------------------------------------------


def test_sigterm_saves_and_a_restart_keeps_the_data(local_stack: LocalStack) -> None:
    stack = local_stack
    email = stack.unique_email("persist")
    token = stack.signup(email)
    event = create_event(stack, token, name="Survives Restarts")
    background = rendition_key("persist")
    stack.aws_client("s3").put_object(
        Bucket="marquee-dev-media",
        Key=background,
        Body=b"\x00\x01binary\xff",
        ContentType="image/jpeg",
    )
    stack.aws_client("ses").send_email(
        Source="no-reply@marquee.example",
        Destination={"ToAddresses": [email]},
        Message={"Subject": {"Data": "kept"}, "Body": {"Text": {"Data": "hello"}}},
    )
    dynamodb = stack.aws_client("dynamodb")
    dynamodb.put_item(TableName="marquee-dev-system", Item=TYPED_ITEM)

    assert stack.stop(signal.SIGTERM) == 0
    assert re.search(r"saved \d+ items", stack.output)
    saved = json.loads((stack.data_dir / "snapshot.json").read_text())
    assert any(
        item.get("name", {}).get("S") == "Survives Restarts"
        for items in saved["tables"].values()
        for item in items
    )

    stack.start()
    # The signing secret is per install and kept: a token from before the restart still works.
    fetched = stack.api("GET", f"/events/{event['id']}", token=token)
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["name"] == "Survives Restarts"
    assert stack.login(email, "correct horse")
    media = requests.get(f"{stack.base_url}/media/{background}", timeout=10)
    assert (media.status_code, media.content, media.headers["Content-Type"]) == (
        200,
        b"\x00\x01binary\xff",
        "image/jpeg",
    )
    mail = requests.get(f"{stack.base_url}/mailbox.json", timeout=10).json()
    assert [message["subject"] for message in mail if email in message["to"]] == [
        "kept",
        "Confirm your e-mail address",
    ]
    # Every DynamoDB type comes back as it was (binary, sets, nested maps and lists, null).
    restored = stack.aws_client("dynamodb").get_item(
        TableName="marquee-dev-system",
        Key={"pk": TYPED_ITEM["pk"], "sk": TYPED_ITEM["sk"]},
        ConsistentRead=True,
    )
    assert restored["Item"] == TYPED_ITEM
    # Restoring did not duplicate the super admin.
    staff = stack.api("GET", "/events", token=stack.superadmin_token())
    assert staff.status_code == 200


def test_sigint_stops_cleanly_and_saves(local_stack: LocalStack) -> None:
    stack = local_stack
    token = stack.signup()
    event = create_event(stack, token, name="Ctrl-C")
    # Ctrl-C in a terminal signals every process of the stack; only the stack itself reacts.
    assert stack.stop(signal.SIGINT, group=True) == 0
    assert "SIGINT received" in stack.output
    assert "Traceback" not in stack.output
    assert re.search(r"saved \d+ items", stack.output)
    stack.start()
    assert stack.api("GET", f"/events/{event['id']}", token=token).json()["name"] == "Ctrl-C"


def test_periodic_saves_compact_the_journal_and_survive_a_crash(local_stack_factory: StackFactory) -> None:
    stack = local_stack_factory(env={"DEVSTACK_SAVE_INTERVAL": "0.5"})
    token = stack.signup()
    event = create_event(stack, token, name="Before The Crash")
    dump = stack.data_dir / "snapshot.json"
    deadline = time.monotonic() + 10
    while not (dump.exists() and "Before The Crash" in dump.read_text()):
        assert time.monotonic() < deadline, "no periodic save within 10 s"
        time.sleep(0.1)
    # The snapshot covers the journal up to its sequence number: the segments before are gone.
    covered = json.loads(dump.read_text())["journal_seq"]
    assert covered > 0
    assert all(int(path.stem) > covered for path in (stack.data_dir / "journal").iterdir())
    after = create_event(stack, token, name="After The Snapshot")
    assert stack.stop(signal.SIGKILL) == -signal.SIGKILL
    stack.start()
    assert stack.api("GET", f"/events/{event['id']}", token=token).json()["name"] == "Before The Crash"
    assert stack.api("GET", f"/events/{after['id']}", token=token).json()["name"] == "After The Snapshot"


def test_generated_super_admin_credentials_are_printed_and_kept(local_stack_factory: StackFactory) -> None:
    stack = local_stack_factory()
    email, password = stack.superadmin_email, stack.superadmin_password
    assert email == "admin@marquee.test"
    assert len(password) >= 16
    me = stack.api("GET", "/me", token=stack.login(email, password)).json()
    assert me["is_super_admin"] is True
    stack.restart()
    assert (stack.superadmin_email, stack.superadmin_password) == (email, password)
    assert stack.login(email, password)


def test_an_empty_data_dir_starts_fresh(local_stack_factory: StackFactory, tmp_path: Path) -> None:
    first = local_stack_factory(data_dir=tmp_path / "one")
    first.signup("only-here@example.com")
    assert first.stop() == 0
    second = local_stack_factory(data_dir=tmp_path / "two")
    login = second.api("POST", "/auth/login", {"email": "only-here@example.com", "password": "correct horse"})
    assert login.status_code == 401
    assert (tmp_path / "one" / "jwt-secret").read_text() != (tmp_path / "two" / "jwt-secret").read_text()


def test_two_stacks_run_side_by_side(local_stack_factory: StackFactory) -> None:
    one = local_stack_factory()
    two = local_stack_factory()
    assert len({one.port, one.ws_port, two.port, two.ws_port}) == 4
    assert one.aws_endpoint != two.aws_endpoint
    email = one.unique_email("side")
    one.signup(email)
    for stack in (one, two):
        config = requests.get(f"{stack.base_url}/config.json", timeout=10).json()
        assert config["apiUrl"] == stack.api_url
    assert two.api("POST", "/auth/login", {"email": email, "password": "correct horse"}).status_code == 401
    assert one.login(email, "correct horse")


def test_a_taken_port_or_data_dir_is_refused_clearly(
    local_stack: LocalStack, local_stack_factory: StackFactory
) -> None:
    with pytest.raises(AssertionError, match=r"cannot listen on 127\.0\.0\.1"):
        local_stack_factory(port=local_stack.port)
    taken_ws_port = rf"cannot listen on 127\.0\.0\.1:{local_stack.ws_port} .*; set WS_PORT"
    with pytest.raises(AssertionError, match=taken_ws_port):
        local_stack_factory(ws_port=local_stack.ws_port)
    with pytest.raises(AssertionError, match="used by another running stack"):
        local_stack_factory(data_dir=local_stack.data_dir)
    assert requests.get(f"{local_stack.base_url}/config.json", timeout=10).status_code == 200


# -- the pieces, in process ---------------------------------------------------------------------------


def test_moto_lock_lets_one_request_in_at_a_time() -> None:
    from devstack.moto_server import SerializedApp

    inside = 0
    most = 0
    guard = threading.Lock()

    def slow_app(environ: dict, start_response: Any) -> list[bytes]:
        nonlocal inside, most
        with guard:
            inside += 1
            most = max(most, inside)
        time.sleep(0.01)
        with guard:
            inside -= 1
        start_response("400 Bad Request" if environ.get("HTTP_X_REFUSE") else "200 OK", [])
        return [b"ok"]

    class Recorder:
        def __init__(self) -> None:
            self.committed: list[bytes] = []

        def prepare(self, request: Any) -> Any:
            return request

        def commit(self, request: Any) -> None:
            self.committed.append(request.body)

        def position(self) -> int:
            return len(self.committed)

        def wait_durable(self, position: int) -> None:
            pass

    app = SerializedApp(slow_app)
    app.recorder = recorder = Recorder()

    def call(i: int) -> list[bytes]:
        target = "DynamoDB_20120810." + ("PutItem" if i % 2 else "Query")
        body = f"request {i}".encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "HTTP_X_AMZ_TARGET": target,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        if i % 4 == 3:
            environ["HTTP_X_REFUSE"] = "1"
        return list(app(environ, lambda status, headers, exc_info=None: None))

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(call, range(16))) == [[b"ok"]] * 16
    assert most == 1
    # Reads and refused writes are not recorded; the body is recorded and still reached moto.
    assert sorted(recorder.committed) == sorted(f"request {i}".encode() for i in range(16) if i % 4 == 1)


def test_schedule_runs_registered_jobs_and_survives_failures() -> None:
    from devstack import schedule

    assert schedule.rate_seconds("rate(1 minute)") == 60
    assert schedule.rate_seconds("rate(2 hours)") == 7200
    assert schedule.rate_seconds("cron(0 12 * * ? *)") is None
    runs: list[str] = []

    def failing() -> None:
        runs.append("failing")
        raise RuntimeError("boom")

    scheduler = schedule.Scheduler(tick=0.01)
    scheduler.every(0.05, lambda: runs.append("ok"), name="test-ok")
    scheduler.every(0.05, failing)
    scheduler.start()
    try:
        deadline = time.monotonic() + 5
        while runs.count("ok") < 3 or runs.count("failing") < 3:
            assert time.monotonic() < deadline, runs
            time.sleep(0.01)
    finally:
        scheduler.stop()
    with pytest.raises(ValueError):
        scheduler.every(0, lambda: None)


def test_each_scheduler_runs_only_its_own_jobs() -> None:
    """Two stacks in one process (tests start many): one's jobs, the app's scheduled handlers
    included, never run in the other."""
    from app import app
    from devstack import schedule

    first, second = schedule.Scheduler(), schedule.Scheduler()
    first.every(60, lambda: None, name="first-only")
    registered = second.register_app_schedules(app, "us-east-1")

    assert registered
    assert [job.name for job in first.jobs()] == ["first-only"]
    assert [job.name for job in second.jobs()] == registered
    assert [job.name for job in schedule.Scheduler().jobs()] == []


def test_static_paths_resolve_inside_their_roots_only() -> None:
    from devstack.web import STATIC_ROOTS, content_type_for, resolve_static

    assert resolve_static("/") == REPO_ROOT / "frontend" / "index.html"
    assert resolve_static("/index.html") == REPO_ROOT / "frontend" / "index.html"
    for bad in [
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/vendor/../app.py",
        "/a%00b",
        "/..%5capp.py",
    ]:
        assert resolve_static(bad) is None, bad
    assert [prefix for prefix, _ in STATIC_ROOTS] == ["/vendor/", "/"]
    assert content_type_for(Path("x.js")) == "text/javascript; charset=utf-8"
    assert content_type_for(Path("x.mjs")) == "text/javascript; charset=utf-8"
    assert content_type_for(Path("x.css")) == "text/css; charset=utf-8"
    assert content_type_for(Path("x.unknown-kind")) == "application/octet-stream"
