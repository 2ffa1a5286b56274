"""The password reset mail is sent from the events table's stream (docs/mail.md): the request
stores a request item and calls SES for no address, the stream mints the link and mails it to an
address that has an account, once however often the request is delivered, again on redelivery
when SES did not take it, and not at all once the link it would carry has expired."""

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from chalicelib.domain.clock import now
from devstack.streams import StreamPoller
from tests.api.test_password_reset import (
    OLD,
    _ask,
    _confirm,
    _reset_items,
    _reset_mails,
    _reset_requests,
    _token,
)


def _ses_sent() -> list[Any]:
    """What SES was asked to send, without running the stream."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


@pytest.fixture
def ses_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SES operations the app calls from now on."""
    from botocore.client import BaseClient

    calls: list[str] = []
    real = BaseClient._make_api_call

    def recording(client: Any, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "ses":
            calls.append(operation)
        return real(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    return calls


def test_the_request_calls_ses_for_no_address_the_stream_mails_the_registered_one(
    api, signup, stream, sent_emails, ses_calls
):
    signup("ann@example.com", password=OLD)
    stream.run_pending()  # the signup's own work (its verification mail is sent in the request)
    ses_calls.clear()
    before = len(_ses_sent())

    assert _ask(api, "ann@example.com").status == 202
    assert _ask(api, "nobody@example.com").status == 202

    assert ses_calls == [] and len(_ses_sent()) == before and _reset_items() == []
    stream.run_pending()
    assert ses_calls == ["SendRawEmail"]
    [mail] = _reset_mails(sent_emails, "ann@example.com")
    assert _confirm(api, _token(mail)).status == 200


def test_a_request_delivered_again_is_mailed_once(api, signup, stream, sent_emails):
    from app import app

    signup("ann@example.com", password=OLD)
    _ask(api)
    assert len(_reset_mails(sent_emails, "ann@example.com")) == 1

    # Another reader of the same stream from its start: every change handled a second time.
    assert StreamPoller(app, "us-east-1").run_pending() > 0

    assert len(_reset_mails(sent_emails, "ann@example.com")) == 1
    assert len(_reset_items()) == 1


def test_four_deliveries_of_one_request_at_once_mail_it_once(api, signup, sent_emails, threaded_app):
    from chalicelib.services.accounts import mail_reset_link
    from chalicelib.store.models.password_resets import PasswordResetRequestModel

    signup("ann@example.com", password=OLD)
    _ask(api)
    [item] = _reset_requests()
    request = PasswordResetRequestModel.get(item["pk"]["S"], item["sk"]["S"])
    start = threading.Barrier(4)
    mailed: list[bool] = []

    def deliver() -> None:
        start.wait()
        mailed.append(mail_reset_link(request))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(mailed) == [False, False, False, True]
    assert len(_reset_mails(sent_emails, "ann@example.com")) == 1  # the stream's own delivery too
    assert len(_reset_items()) == 1


def test_a_reset_mail_ses_did_not_take_is_sent_when_the_request_comes_again(
    api, signup, stream, sent_emails, monkeypatch: pytest.MonkeyPatch
):
    from chalicelib import mail

    signup("ann@example.com", password=OLD)
    stream.run_pending()
    refused: list[str] = []
    real_send = mail.send

    def refuse_once(to: str, template: str, **context: Any) -> str | None:
        if not refused:
            refused.append(template)
            return None
        return real_send(to, template, **context)

    monkeypatch.setattr(mail, "send", refuse_once)
    _ask(api)

    [sent] = _reset_mails(sent_emails, "ann@example.com")

    assert refused == ["password_reset"]
    assert _confirm(api, _token(sent)).status == 200


def test_a_request_the_stream_reaches_after_its_hour_mails_nothing(api, signup, stream, sent_emails):
    signup("ann@example.com", password=OLD)
    stream.run_pending()
    start = now()
    _ask(api)

    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        stream.run_pending()

    assert _reset_mails(sent_emails, "ann@example.com") == [] and _reset_items() == []
