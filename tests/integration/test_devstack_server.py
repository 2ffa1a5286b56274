"""The local stack's HTTP server under a hostile or clumsy client: a burst past its connection bound
waits its turn, past its queue (or its deadline) gets 503 with Retry-After, never a 500, a request
that ends at EOF before it arrived whole is never run, a slow client is cut off at the request deadline, a bad
Content-Length is a 400 in our error body, /vendor/ serves only the frontend's browser files and
/media/ only the background renditions, as image/jpeg."""

import concurrent.futures
import json
import socket
import threading
import time
import uuid

import pytest
import requests

from tests.integration.media import rendition_key

pytestmark = pytest.mark.integration

LIMITS = {
    "DEVSTACK_MAX_CONNECTIONS": "8",
    "DEVSTACK_MAX_WAITING": "64",
    "DEVSTACK_REQUEST_TIMEOUT": "2",
    "DEVSTACK_KEEP_ALIVE": "1",
}
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


def _hold(stack, count: int) -> list[socket.socket]:
    """Connections that start a request and never finish its headers."""
    holders = [socket.create_connection(("127.0.0.1", stack.port)) for _ in range(count)]
    for holder in holders:
        holder.sendall(b"GET /config.json HTTP/1.1\r\nHost: x\r\n")
    return holders


def test_a_burst_past_the_bound_waits_its_turn_and_past_the_queue_gets_503(stack):
    holders = _hold(stack, 8)  # every worker busy
    time.sleep(0.3)
    answers: list[requests.Response] = []
    answered = threading.Condition()

    def fetch(_: int) -> None:
        answer = requests.get(f"{stack.base_url}/config.json", timeout=20)
        with answered:
            answers.append(answer)
            answered.notify_all()

    with concurrent.futures.ThreadPoolExecutor(100) as pool:
        futures = [pool.submit(fetch, n) for n in range(100)]
        with answered:  # 64 wait in line; the other 36 are refused at once
            assert answered.wait_for(lambda: len(answers) >= 36, timeout=10)
        refused_at_once = list(answers)
        for holder in holders:
            holder.close()
        for future in futures:
            future.result()

    assert [answer.status_code for answer in refused_at_once] == [503] * 36
    assert all(answer.headers["Retry-After"] == "1" for answer in refused_at_once)
    assert refused_at_once[0].json()["error"]["code"] == "busy"
    statuses = [answer.status_code for answer in answers]
    assert (statuses.count(200), statuses.count(503)) == (64, 36)


def test_a_connection_that_waited_past_the_deadline_gets_503_not_a_late_answer(stack):
    serving = _hold(stack, 8)
    time.sleep(0.1)
    in_line = _hold(stack, 8)  # served when the first 8 hit their deadline, held 2 s more
    time.sleep(0.1)
    try:
        started = time.monotonic()
        answer = requests.get(f"{stack.base_url}/config.json", timeout=20)
        waited = time.monotonic() - started
    finally:
        for holder in serving + in_line:
            holder.close()

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "busy"
    assert waited > 1.5


def test_an_idle_kept_alive_connection_is_closed_after_the_keep_alive_time(stack):
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as connection:
        connection.sendall(b"GET /config.json HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while b"}" not in answer:
            answer += connection.recv(65536)
        answered = time.monotonic()
        assert _status(answer) == 200 and b"Connection: close" not in answer
        assert connection.recv(65536) == b""  # closed by the server, not by this test's timeout
        idle = time.monotonic() - answered

    assert 0.8 < idle < 1.8  # DEVSTACK_KEEP_ALIVE, not the 2 s request deadline


def test_a_burst_within_the_bound_and_its_queue_is_served_whole(stack):
    with concurrent.futures.ThreadPoolExecutor(40) as pool:
        statuses = list(
            pool.map(
                lambda _: requests.get(f"{stack.api_url}/public/events", timeout=20).status_code, range(120)
            )
        )

    assert statuses == [200] * 120


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
    rendition = rendition_key(uuid.uuid4().hex, width=980)
    planted = f"events/{uuid.uuid4().hex}/background/page.html"
    s3.put_object(Bucket=bucket, Key=rendition, Body=b"<script>alert(1)</script>", ContentType="text/html")
    s3.put_object(Bucket=bucket, Key=planted, Body=b"<script>alert(1)</script>", ContentType="text/html")

    served = requests.get(f"{stack.base_url}/media/{rendition}", timeout=10)
    assert (served.status_code, served.headers["Content-Type"]) == (200, "image/jpeg")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(f"{stack.base_url}/media/{planted}", timeout=10).status_code == 404
    assert requests.get(f"{stack.base_url}/media/uploads/someone/x", timeout=10).status_code == 404
