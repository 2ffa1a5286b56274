"""Verification and password reset end to end on the local stack, through its mailbox (what SES
was asked to send): each mail has a readable plain-text part and an HTML part carrying the same
link, the links work once, and a reset ends the sessions opened before it."""

from typing import Any

from tests.integration.conftest import LocalStack


def _mail_to(stack: LocalStack, address: str, subject: str) -> dict[str, Any]:
    mine = stack.mails(lambda m: address in m["to"] and m["subject"] == subject)
    assert mine, f"no {subject!r} mail to {address}"
    return mine[-1]


def _token(mail: dict[str, Any], fragment: str) -> str:
    [link] = [link for link in mail["links"] if fragment in link]
    assert link in mail["text"], mail["text"]
    assert link.replace("&", "&amp;") in mail["html"]
    return link.split(fragment, 1)[1]


def test_verify_then_reset_through_the_mailbox(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    email = stack.unique_email("mailflow")
    session = stack.signup(email, password="first password")

    verification = _mail_to(stack, email, "Confirm your e-mail address")
    assert verification["text"].startswith("Confirm that this is your e-mail address on Marquee:")
    token = _token(verification, "#/verify-email?token=")
    assert stack.api("POST", "/auth/verify-email/confirm", {"token": token}).status_code == 200
    assert stack.api("POST", "/auth/verify-email/confirm", {"token": token}).status_code == 422
    assert stack.api("GET", "/me", token=session).json()["email_verified"] is True

    asked = stack.api("POST", "/auth/password-reset", {"email": email.upper()})
    assert (asked.status_code, asked.json()) == (202, {"email": email})
    reset = _mail_to(stack, email, "Choose a new password for Marquee")
    assert "works once, for 60 minutes" in reset["text"]
    token = _token(reset, "#/reset-password?token=")
    confirmed = stack.api(
        "POST", "/auth/password-reset/confirm", {"token": token, "password": "second password"}
    )

    assert confirmed.status_code == 200, confirmed.text
    assert stack.api("GET", "/me", token=confirmed.json()["token"]).status_code == 200
    old = stack.api("GET", "/me", token=session)
    assert old.status_code == 401 and old.json()["error"]["code"] == "token_revoked"
    again = stack.api("POST", "/auth/password-reset/confirm", {"token": token, "password": "third password"})
    assert again.status_code == 422
    assert stack.login(email, "second password")


def test_an_unknown_address_is_answered_alike_and_mailed_nothing(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    email = stack.unique_email("nobody")
    known = stack.unique_email("known")
    stack.signup(known, password="first password")

    asked = stack.api("POST", "/auth/password-reset", {"email": email})
    # Asked after it: the local stack's stream (one shard) hands the requests over in order, so once
    # this mail is here the unknown address's request was handled.
    assert stack.api("POST", "/auth/password-reset", {"email": known}).status_code == 202
    _mail_to(stack, known, "Choose a new password for Marquee")

    assert (asked.status_code, asked.json()) == (202, {"email": email})
    assert [m for m in stack.mailbox() if email in m["to"]] == []
