"""The local stack's HTTP server under a hostile or clumsy client: a burst past its connection bound
gets 503 with Retry-After (never a 500) while another user is still served, a request that ends at
EOF before it arrived whole is never run, a slow client is cut off at the request deadline, a bad
Content-Length is a 400 in our error body, /vendor/ serves only the frontend's browser files and
/media/ only the background renditions, as image/jpeg."""

import concurrent.futures
import json
import socket
import time
import uuid

import pytest
import requests

pytestmark = pytest.mark.integration

LIMITS = {"DEVSTACK_MAX_CONNECTIONS": "8", "DEVSTACK_REQUEST_TIMEOUT": "2"}
EVENT = {
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-02T18:00:00+02:00",
    "timezone": "Europe/Berlin",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from tests.integration.conftest import LocalStack, two_free_ports

    started = LocalStack(*two_free_ports(), tmp_path_factory.mktemp("server-limits"), LIMITS)
    started.start()
    yield started
    started.stop()


def _raw(stack, data: bytes, read: bool = True, timeout: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", stack.port), timeout=timeout) as connection:
        connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
        if not read:
            return b""
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer else 0


def _body(answer: bytes) -> dict:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])


def test_a_burst_past_the_bound_gets_503_with_retry_after_and_another_user_is_still_served(stack):
    holders = [socket.create_connection(("127.0.0.1", stack.port)) for _ in range(8)]
    try:
        for holder in holders:
            holder.sendall(b"GET /config.json HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        time.sleep(0.3)

        def fetch(_: int) -> requests.Response:
            return requests.get(f"{stack.api_url}/public/events", timeout=20)

        with concurrent.futures.ThreadPoolExecutor(40) as pool:
            answers = list(pool.map(fetch, range(40)))
    finally:
        for holder in holders:
            holder.close()

    statuses = [answer.status_code for answer in answers]
    assert set(statuses) == {503}
    assert all(answer.headers["Retry-After"] == "1" for answer in answers)
    assert answers[0].json()["error"]["code"] == "busy"
    # The held connections hit their deadline (2 s) and free their slots: the next user is served.
    deadline = time.monotonic() + 10
    while requests.get(f"{stack.base_url}/config.json", timeout=10).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_many_parallel_requests_within_the_bound_all_succeed(stack):
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        statuses = list(
            pool.map(
                lambda _: requests.get(f"{stack.api_url}/public/events", timeout=20).status_code, range(60)
            )
        )

    assert statuses.count(200) + statuses.count(503) == 60
    assert 500 not in statuses


def _create_event_request(
    token: str, name: str, *, finish_headers: bool, body_bytes: int | None = None
) -> bytes:
    body = json.dumps({"name": name, **EVENT}).encode()
    head = (
        f"POST /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    ).encode()
    if not finish_headers:
        return head
    return head + b"\r\n" + body[: len(body) if body_bytes is None else body_bytes]


def test_a_request_that_ends_at_eof_before_it_arrived_whole_is_never_run(stack):
    token = stack.signup()
    names = [f"Half {uuid.uuid4().hex[:6]}" for _ in range(3)]

    unfinished_headers = _raw(stack, _create_event_request(token, names[0], finish_headers=False))
    short_body = _raw(stack, _create_event_request(token, names[1], finish_headers=True, body_bytes=10))
    whole = _raw(stack, _create_event_request(token, names[2], finish_headers=True))

    assert (unfinished_headers, short_body) == (b"", b"")
    assert _status(whole) == 201
    mine = [event["name"] for event in stack.api("GET", "/me/events", token=token).json()]
    assert mine == [names[2]]


def test_a_slow_client_is_cut_off_at_the_deadline_while_others_are_served(stack):
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as slow:
        slow.sendall(b"GET /config.json HTTP/1.1\r\n")
        started = time.monotonic()
        for _ in range(5):
            assert requests.get(f"{stack.base_url}/config.json", timeout=10).status_code == 200
            try:
                slow.sendall(b"X")  # one byte at a time, never finishing a header
            except OSError:
                break
            time.sleep(0.5)
        assert slow.recv(65536) == b""  # the server closed it without answering
        assert time.monotonic() - started < 6


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3", b"5, 6"])
def test_a_bad_content_length_is_400_in_our_error_body(stack, length):
    answer = _raw(
        stack, b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n{}"
    )

    assert _status(answer) == 400
    assert _body(answer)["error"]["code"] == "bad_request"


def test_vendor_serves_only_the_frontends_browser_files(stack):
    from deploy.frontend import BROWSER_FILES

    for relative in BROWSER_FILES:
        assert requests.get(f"{stack.base_url}/vendor/{relative}", timeout=10).status_code == 200
    for other in (
        ".package-lock.json",
        "cropperjs/package.json",
        "cropperjs/README.md",
        "cropperjs/dist/cropper.js",
    ):
        assert requests.get(f"{stack.base_url}/vendor/{other}", timeout=10).status_code == 404, other


def test_media_serves_only_renditions_and_as_jpeg(stack):
    s3 = stack.aws_client("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].endswith("-media"))
    rendition = f"events/{uuid.uuid4().hex}/background/{'a' * 64}-980.jpg"
    planted = f"events/{uuid.uuid4().hex}/background/page.html"
    s3.put_object(Bucket=bucket, Key=rendition, Body=b"<script>alert(1)</script>", ContentType="text/html")
    s3.put_object(Bucket=bucket, Key=planted, Body=b"<script>alert(1)</script>", ContentType="text/html")

    served = requests.get(f"{stack.base_url}/media/{rendition}", timeout=10)
    assert (served.status_code, served.headers["Content-Type"]) == (200, "image/jpeg")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(f"{stack.base_url}/media/{planted}", timeout=10).status_code == 404
    assert requests.get(f"{stack.base_url}/media/uploads/someone/x", timeout=10).status_code == 404
