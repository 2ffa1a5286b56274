"""Password reset (docs/api.md "Accounts"): the same 202 whatever the address, a one-hour link
that works once and is stored hashed, confirming it ends every older session, limits per address
and per network like sign-in, and a clear 4xx for every bad input."""

import hashlib
import re
import threading
from datetime import timedelta

import pytest
import time_machine

from chalicelib.domain.clock import now
from chalicelib.services.notifications import notify
from chalicelib.store.models.connections import user_channel
from tests.api.conftest import stored_connections
from tests.api.test_login_limits import _from_address

OLD, NEW = "correct horse", "a brand new password"
SUBJECT = "Choose a new password for Marquee"
LINK = re.compile(r"^http://127\.0\.0\.1:8000/#/reset-password\?token=([A-Za-z0-9_\-]+)$", re.M)


def _reset_mails(sent_emails, address):
    return [m for m in sent_emails() if m.to == [address] and m.subject == SUBJECT]


def _token(mail) -> str:
    match = LINK.search(mail.text)
    assert match, mail.text
    assert f'href="{match.group(0)}"' in mail.html
    return match.group(1)


def _ask(api, email="ann@example.com", address="198.51.100.7"):
    with _from_address(address):
        return api.post("/auth/password-reset", {"email": email})


def _confirm(api, token, password=NEW, address="198.51.100.7"):
    with _from_address(address):
        return api.post("/auth/password-reset/confirm", {"token": token, "password": password})


def _scan(table, prefix):
    from chalicelib.store.aws import client

    items = client("dynamodb").scan(TableName=table)["Items"]
    return [item for item in items if item["pk"]["S"].startswith(prefix)]


def _reset_items():
    """The links (minted by the stream for an address that has an account)."""
    from chalicelib.store.models.system import SYSTEM_TABLE

    return _scan(SYSTEM_TABLE, "RESET#")


def _reset_requests():
    """The requests (stored by the request whatever the address)."""
    from chalicelib.store.models.events import EVENTS_TABLE

    return _scan(EVENTS_TABLE, "RESET_REQUEST#")


def test_the_mailed_link_sets_a_new_password_and_ends_every_older_session(api, signup, sent_emails, ws):
    first = signup("ann@example.com", password=OLD)
    second = api.post("/auth/login", {"email": "ann@example.com", "password": OLD}).json["token"]
    user_id = api.user_id(first)
    socket = ws.connect(token=first).connection_id

    asked = _ask(api, " Ann@Example.COM ")

    assert asked.status == 202 and asked.json == {"email": "ann@example.com"}
    [mail] = _reset_mails(sent_emails, "ann@example.com")
    assert "works once, for 60 minutes" in mail.text
    confirmed = _confirm(api, _token(mail))

    assert confirmed.status == 200, confirmed.json
    assert set(confirmed.json) == {"token", "user"}
    assert confirmed.json["user"]["id"] == user_id and confirmed.json["user"]["email"] == "ann@example.com"
    assert api.get("/me", token=confirmed.json["token"]).status == 200
    for old in (first, second):
        refused = api.get("/me", token=old)
        assert refused.status == 401 and refused.error_code == "token_revoked"
    assert sorted(stored_connections(user_channel(user_id))) == []
    notify(user_id, "test", "After", "A message.")
    assert ws.received(socket) == []
    assert api.post("/auth/login", {"email": "ann@example.com", "password": OLD}).status == 401
    assert api.post("/auth/login", {"email": "ann@example.com", "password": NEW}).status == 200


def test_following_the_link_verifies_the_address(api, signup, sent_emails):
    token = signup("ann@example.com", password=OLD)
    assert api.me(token)["email_verified"] is False
    _ask(api)
    confirmed = _confirm(api, _token(_reset_mails(sent_emails, "ann@example.com")[0]))
    assert confirmed.json["user"]["email_verified"] is True
    assert api.me(confirmed.json["token"])["email_verified"] is True


def test_a_known_and_an_unknown_address_get_the_same_answer_and_the_same_writes(
    api, signup, sent_emails, dynamodb_calls
):
    signup("ann@example.com", password=OLD)
    mails_before = len(sent_emails())

    with dynamodb_calls:
        known = _ask(api, "ann@example.com")
    known_calls = list(dynamodb_calls.calls)
    dynamodb_calls.calls.clear()
    with dynamodb_calls:
        unknown = _ask(api, "nobody@example.com")
    unknown_calls = list(dynamodb_calls.calls)

    assert (known.status, unknown.status) == (202, 202)
    assert known.json == {"email": "ann@example.com"} and unknown.json == {"email": "nobody@example.com"}
    same_headers = {"content-type", "cache-control", "content-length"}
    assert {k: v for k, v in known.headers.items() if k in same_headers} == {
        k: v for k, v in unknown.headers.items() if k in same_headers
    }
    assert [op for op, *_ in known_calls] == [op for op, *_ in unknown_calls]
    requests = sorted(_reset_requests(), key=lambda item: item["email"]["S"])
    assert [r["email"]["S"] for r in requests] == ["ann@example.com", "nobody@example.com"]
    assert [sorted(r) for r in requests] == [["email", "pk", "purge_at", "requested_at", "sk"]] * 2
    assert [m.to for m in sent_emails()[mails_before:]] == [["ann@example.com"]]
    assert [link["email"]["S"] for link in _reset_items()] == ["ann@example.com"]


def test_only_the_tokens_digest_is_stored(api, signup, sent_emails):
    signup("ann@example.com", password=OLD)
    _ask(api)
    token = _token(_reset_mails(sent_emails, "ann@example.com")[0])

    items = _reset_items()

    assert token not in repr(items) and token not in repr(_reset_requests())
    assert [i["pk"]["S"] for i in items] == [f"RESET#{hashlib.sha256(token.encode()).hexdigest()}"]


def test_a_link_works_once(api, signup, sent_emails):
    signup("ann@example.com", password=OLD)
    _ask(api)
    token = _token(_reset_mails(sent_emails, "ann@example.com")[0])
    assert _confirm(api, token).status == 200

    again = _confirm(api, token, password="yet another password")

    assert again.status == 422 and again.error_code == "validation_error"
    assert again.json["error"]["details"] == {
        "token": "This password reset link was already used; ask for a new one."
    }
    assert api.post("/auth/login", {"email": "ann@example.com", "password": NEW}).status == 200


def test_a_link_expires_after_one_hour(api, signup, sent_emails):
    signup("ann@example.com", password=OLD)
    signup("bea@example.com", password=OLD)
    start = now()
    _ask(api, "ann@example.com")
    _ask(api, "bea@example.com")
    ann = _token(_reset_mails(sent_emails, "ann@example.com")[0])
    bea = _token(_reset_mails(sent_emails, "bea@example.com")[0])

    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert _confirm(api, bea).status == 200
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        late = _confirm(api, ann)

    assert late.status == 422
    assert late.json["error"]["details"] == {
        "token": "This password reset link has expired after 60 minutes; ask for a new one."
    }
    assert api.post("/auth/login", {"email": "ann@example.com", "password": OLD}).status == 200


def test_parallel_confirmations_of_one_link_succeed_once(api, signup, sent_emails, threaded_app):
    signup("ann@example.com", password=OLD)
    _ask(api)
    token = _token(_reset_mails(sent_emails, "ann@example.com")[0])
    start = threading.Barrier(8)
    results: list[tuple[int, str]] = []

    def confirm(index: int) -> None:
        start.wait()
        response = api.post(
            "/auth/password-reset/confirm", {"token": token, "password": f"parallel pw {index}"}
        )
        results.append((response.status, f"parallel pw {index}"))

    threads = [threading.Thread(target=confirm, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _ in results) == [200] + [422] * 7
    [winner] = [password for status, password in results if status == 200]
    assert api.post("/auth/login", {"email": "ann@example.com", "password": winner}).status == 200


def test_a_link_is_void_once_the_account_changed_its_password_or_used_another_link(api, signup, sent_emails):
    signup("ann@example.com", password=OLD)
    _ask(api)
    _ask(api)
    older, newer = (_token(m) for m in _reset_mails(sent_emails, "ann@example.com"))
    assert _confirm(api, newer).status == 200

    stale = _confirm(api, older, password="sneaky password")

    assert stale.status == 422
    assert stale.json["error"]["details"]["token"].startswith("This password reset link no longer works")
    _ask(api)
    latest = _token(_reset_mails(sent_emails, "ann@example.com")[-1])
    signed_in = api.post("/auth/login", {"email": "ann@example.com", "password": NEW}).json["token"]
    changed = api.post(
        "/auth/password", {"current_password": NEW, "new_password": "changed by hand"}, token=signed_in
    )
    assert changed.status == 200
    assert _confirm(api, latest).status == 422
    assert api.post("/auth/login", {"email": "ann@example.com", "password": "changed by hand"}).status == 200


def test_an_unknown_addresss_request_mails_nothing_even_after_signing_up(api, signup, sent_emails):
    _ask(api, "late@example.com")
    signup("late@example.com", password=OLD)  # before the stream handles the request

    assert _reset_mails(sent_emails, "late@example.com") == []
    assert _reset_items() == [] and len(_reset_requests()) == 1


def test_requests_are_limited_per_address_known_or_not(api, signup, sent_emails):
    signup("ann@example.com", password=OLD)
    for address in ("ann@example.com", "nobody@example.com"):
        for attempt in range(5):
            assert _ask(api, address, address=f"203.0.113.{attempt}").status == 202

        refused = _ask(api, address.upper(), address="203.0.113.99")

        assert refused.status == 429 and refused.error_code == "too_many_requests"
        assert 1 <= int(refused.headers["retry-after"]) <= 3600
    assert len(_reset_mails(sent_emails, "ann@example.com")) == 5
    assert _ask(api, "bea@example.com", address="203.0.113.99").status == 202


def test_parallel_requests_for_one_address_cannot_pass_its_limit(api, signup, sent_emails, threaded_app):
    signup("ann@example.com", password=OLD)
    start = threading.Barrier(12)
    statuses: list[int] = []

    def ask() -> None:
        start.wait()
        statuses.append(api.post("/auth/password-reset", {"email": "ann@example.com"}).status)

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [202] * 5 + [429] * 7
    assert len(_reset_mails(sent_emails, "ann@example.com")) == 5


def test_requests_are_limited_per_network(api):
    for number in range(100):
        assert _ask(api, f"user{number}@example.com", address="203.0.113.66").status == 202

    refused = _ask(api, "one-more@example.com", address="203.0.113.66")

    assert refused.status == 429 and int(refused.headers["retry-after"]) >= 1
    assert _ask(api, "one-more@example.com", address="198.51.100.1").status == 202


def test_links_that_do_not_work_are_limited_per_network_and_a_working_one_is_not_counted(
    api, signup, sent_emails
):
    signup("ann@example.com", password=OLD)
    _ask(api, address="198.51.100.1")
    real = _token(_reset_mails(sent_emails, "ann@example.com")[0])
    for number in range(29):
        assert _confirm(api, f"guess-{number}", address="203.0.113.66").status == 422
    assert _confirm(api, real, address="203.0.113.66").status == 200

    assert _confirm(api, "guess-last", address="203.0.113.66").status == 422
    refused = _confirm(api, "guess-over", address="203.0.113.66")

    assert refused.status == 429 and int(refused.headers["retry-after"]) >= 1
    assert _confirm(api, "guess-elsewhere", address="198.51.100.1").status == 422


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({}, {"email": "An e-mail address is required."}),
        ({"email": ""}, {"email": "An e-mail address is required."}),
        ({"email": "not an address"}, {"email": "This is not a valid e-mail address."}),
        ({"email": 42}, {"email": "An e-mail address is required."}),
        ({"email": None}, {"email": "An e-mail address is required."}),
        ({"email": "a@b.co" + "x" * 260}, {"email": "This is not a valid e-mail address."}),
    ],
)
def test_a_bad_request_body_is_a_422_and_stores_nothing(api, sent_emails, body, details):
    response = api.post("/auth/password-reset", body)

    assert response.status == 422 and response.error_code == "validation_error"
    assert response.json["error"]["details"] == details
    assert _reset_requests() == [] and _reset_items() == [] and sent_emails() == []


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"token", "password"}),
        ({"token": "abc"}, {"password"}),
        ({"password": NEW}, {"token"}),
        ({"token": "abc", "password": "short"}, {"password"}),
        ({"token": "abc", "password": "x" * 257}, {"password"}),
        ({"token": "abc", "password": 12345678}, {"password"}),
        ({"token": "", "password": NEW}, {"token"}),
        ({"token": 7, "password": NEW}, {"token"}),
        ({"token": "x" * 201, "password": NEW}, {"token"}),
        ({"token": "not-a-real-token", "password": NEW}, {"token"}),
    ],
)
def test_a_bad_confirmation_is_a_422_per_field(api, body, fields):
    response = api.post("/auth/password-reset/confirm", body)

    assert response.status == 422 and response.error_code == "validation_error", response.json
    assert set(response.json["error"]["details"]) == fields


@pytest.mark.parametrize("path", ["/auth/password-reset", "/auth/password-reset/confirm"])
@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'"text"', b"null"])
def test_a_body_that_is_not_an_object_is_a_4xx(api, path, raw):
    response = api.request("POST", path, raw=raw)

    assert 400 <= response.status < 500 and response.error_code, (response.status, response.body)
