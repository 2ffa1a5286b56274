"""E-mail verification (docs/api.md "Accounts"): the link e-mailed on signup and on request, confirmed
once within 24 hours, and ``email_verified`` on the user."""

import re
import threading
from datetime import timedelta

import pytest
import time_machine

from chalicelib.domain.clock import now

PASSWORD = "correct horse"


def _verification_mails(sent_emails, address):
    return [
        m
        for m in sent_emails()
        if m.destinations["ToAddresses"] == [address] and m.subject == "Confirm your e-mail address"
    ]


def _link_token(message) -> str:
    match = re.search(r"http://127\.0\.0\.1:8000/#/verify-email\?token=([A-Za-z0-9_\-]+)", message.body)
    assert match, message.body
    return match.group(1)


def _signup(api, email="ann@example.com", name="Ann"):
    response = api.post("/auth/signup", {"email": email, "password": PASSWORD, "name": name})
    assert response.status == 201, response.json
    return response.json


def test_signup_emails_a_link_that_verifies_the_address(api, sent_emails):
    session = _signup(api, "Ann@Example.com")
    assert session["user"]["email_verified"] is False
    assert api.get("/me", token=session["token"]).json["email_verified"] is False
    [mail] = _verification_mails(sent_emails, "ann@example.com")
    # Nothing the person typed is in it: the address may be someone else's.
    assert "Ann" not in mail.body

    confirmed = api.post("/auth/verify-email/confirm", {"token": _link_token(mail)})

    assert confirmed.status == 200
    assert confirmed.json == {"email": "ann@example.com", "email_verified": True}
    assert api.get("/me", token=session["token"]).json["email_verified"] is True
    login = api.post("/auth/login", {"email": "ann@example.com", "password": PASSWORD})
    assert login.json["user"]["email_verified"] is True


def test_only_the_tokens_digest_is_stored(api, sent_emails):
    import hashlib

    from chalicelib.store.aws import client
    from chalicelib.store.models.system import SYSTEM_TABLE

    _signup(api)
    token = _link_token(_verification_mails(sent_emails, "ann@example.com")[0])

    items = client("dynamodb").scan(TableName=SYSTEM_TABLE)["Items"]

    assert token not in repr(items)
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert [i["pk"]["S"] for i in items if i["pk"]["S"].startswith("VERIFY#")] == [f"VERIFY#{digest}"]


def test_a_link_works_once(api, sent_emails):
    _signup(api)
    token = _link_token(_verification_mails(sent_emails, "ann@example.com")[0])
    assert api.post("/auth/verify-email/confirm", {"token": token}).status == 200

    again = api.post("/auth/verify-email/confirm", {"token": token})

    assert again.status == 422
    assert again.json["error"]["details"] == {"token": "This verification link was already used."}


def test_a_link_expires_after_24_hours(api, sent_emails):
    session = _signup(api)
    _signup(api, "bea@example.com")
    ann_token = _link_token(_verification_mails(sent_emails, "ann@example.com")[0])
    bea_token = _link_token(_verification_mails(sent_emails, "bea@example.com")[0])
    start = now()

    with time_machine.travel(start + timedelta(hours=23, minutes=59), tick=False):
        assert api.post("/auth/verify-email/confirm", {"token": bea_token}).status == 200
    with time_machine.travel(start + timedelta(hours=24, seconds=1), tick=False):
        late = api.post("/auth/verify-email/confirm", {"token": ann_token})

    assert late.status == 422
    assert "expired" in late.json["error"]["details"]["token"]
    assert api.get("/me", token=session["token"]).json["email_verified"] is False


def test_parallel_confirmations_of_one_link_succeed_once(api, sent_emails, threaded_app):
    _signup(api)
    token = _link_token(_verification_mails(sent_emails, "ann@example.com")[0])
    start = threading.Barrier(8)
    statuses: list[int] = []

    def confirm() -> None:
        start.wait()
        statuses.append(api.post("/auth/verify-email/confirm", {"token": token}).status)

    threads = [threading.Thread(target=confirm) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200] + [422] * 7


def test_a_confirmation_that_lost_the_race_after_reading_the_link_fails(api, sent_emails, monkeypatch):
    """The read says unused, yet another confirmation spends the link before this one writes:
    only the transaction's own condition can refuse it."""
    from chalicelib.store.models.system import EmailVerificationModel

    _signup(api)
    token = _link_token(_verification_mails(sent_emails, "ann@example.com")[0])
    original_get = EmailVerificationModel.get.__func__
    raced: list[int] = []
    racing = threading.Event()

    def get_then_lose_the_race(cls, *args, **kwargs):
        item = original_get(cls, *args, **kwargs)
        if not racing.is_set():
            racing.set()
            raced.append(api.post("/auth/verify-email/confirm", {"token": token}).status)
        return item

    monkeypatch.setattr(EmailVerificationModel, "get", classmethod(get_then_lose_the_race))

    late = api.post("/auth/verify-email/confirm", {"token": token})

    assert raced == [200]
    assert late.status == 422 and "already used" in late.json["error"]["details"]["token"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"token"}),
        ({"token": ""}, {"token"}),
        ({"token": 12}, {"token"}),
        ({"token": "x" * 201}, {"token"}),
        ({"token": "x" * 43}, {"token"}),
        ({"token": "x" * 43, "user_id": "someone"}, {"user_id"}),
    ],
)
def test_bad_confirmations_are_422(api, body, fields):
    response = api.post("/auth/verify-email/confirm", body)
    assert response.status == 422 and set(response.json["error"]["details"]) == fields


def test_malformed_confirmations_are_400(api):
    assert api.post("/auth/verify-email/confirm", raw=b"{").error_code == "malformed_json"
    assert api.post("/auth/verify-email/confirm", ["token"]).status == 400


def test_asking_again_sends_a_new_link_within_a_limit(api, sent_emails):
    session = _signup(api)
    token = session["token"]
    assert api.post("/auth/verify-email").status == 401

    answers = [api.post("/auth/verify-email", token=token) for _ in range(6)]

    assert [a.status for a in answers] == [202] * 5 + [429]
    assert answers[0].json == {"email": "ann@example.com", "email_sent": True}
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 3600
    mails = _verification_mails(sent_emails, "ann@example.com")
    assert len(mails) == 6 and len({_link_token(m) for m in mails}) == 6
    # Any of them works (the first here); then there is nothing left to verify.
    assert api.post("/auth/verify-email/confirm", {"token": _link_token(mails[0])}).status == 200
    done = api.post("/auth/verify-email", token=token)
    assert done.status == 409 and done.error_code == "already_verified"


def test_when_ses_refuses_signup_still_works_and_asking_again_costs_nothing(api, sent_emails):
    from chalicelib.config import settings
    from chalicelib.store.aws import client

    client("ses").delete_identity(Identity=settings().mail_sender)
    session = _signup(api)

    answers = [api.post("/auth/verify-email", token=session["token"]) for _ in range(6)]

    assert [(a.status, a.json["email_sent"]) for a in answers] == [(202, False)] * 6
    assert sent_emails() == []


def test_a_link_for_an_account_that_changed_address_does_not_verify_it(api, sent_emails):
    from chalicelib.store.models.users import UserModel
    from chalicelib.store.users import find_by_email

    session = _signup(api)
    token = _link_token(_verification_mails(sent_emails, "ann@example.com")[0])
    find_by_email("ann@example.com").update(actions=[UserModel.email.set("ann.new@example.com")])

    response = api.post("/auth/verify-email/confirm", {"token": token})

    assert response.status == 422
    assert api.get("/me", token=session["token"]).json["email_verified"] is False


def test_links_that_do_not_work_are_limited_per_network(api, sent_emails):
    from tests.api.test_login_limits import _from_address

    _signup(api)
    token = _link_token(_verification_mails(sent_emails, "ann@example.com")[0])
    with _from_address("203.0.113.66"):
        for number in range(29):
            assert api.post("/auth/verify-email/confirm", {"token": f"guess-{number}"}).status == 422
        assert api.post("/auth/verify-email/confirm", {"token": token}).status == 200
        assert api.post("/auth/verify-email/confirm", {"token": "guess-last"}).status == 422
        refused = api.post("/auth/verify-email/confirm", {"token": "guess-over"})
    assert refused.status == 429 and int(refused.headers["retry-after"]) >= 1
    with _from_address("198.51.100.1"):
        assert api.post("/auth/verify-email/confirm", {"token": "guess-elsewhere"}).status == 422
