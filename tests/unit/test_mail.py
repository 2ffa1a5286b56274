"""The mail module's templates: every message has a readable plain-text part and an HTML part in
the shared layout, what people typed is escaped in the HTML (and as typed in the text), the subject
is one line, and every link starts at MARQUEE_FRONTEND_URL."""

import re
from types import SimpleNamespace

import pytest
from jinja2 import TemplateNotFound

from chalicelib.config import settings
from chalicelib.mail import render

HOSTILE = '<script>alert("x")</script> & Co'
ORDER = {
    "event_name": HOSTILE,
    "order_id": "o1",
    "lines": [SimpleNamespace(name=HOSTILE, quantity=2, subtotal="10.00")],
    "total": "10.00",
    "currency": "EUR",
    "attendees": [SimpleNamespace(name=HOSTILE, ticket_name="VIP", attendee_id="o1-1")],
    "qrs": {"o1-1": SimpleNamespace(cid="qr-o1-1@marquee", size=222)},
    "too_many_for_qr": False,
}
# One context per template the platform sends.
CONTEXTS = {
    "invite": {
        "event_name": HOSTILE,
        "role_label": "moderator",
        "inviter_name": HOSTILE,
        "invite_id": "i1",
        "token": "tok-_1",
        "email": "new+person@example.com",
        "new_account": True,
        "expires_in_days": 7,
    },
    "email_verification": {"token": "tok-_1", "hours": 24},
    "password_reset": {"token": "tok-_1", "minutes": 60},
    "order_confirmation": ORDER,
    "payment_receipt": ORDER,
    "refund_notice": {
        "buyer_name": HOSTILE,
        "event_name": HOSTILE,
        "amount": "7.50",
        "currency": "EUR",
        "fully_refunded": False,
        "reason": HOSTILE,
        "order_id": "o1",
    },
    "late_payment": {"event_name": HOSTILE, "paid": "25.00 EUR", "order_id": "o1"},
}
URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def frontend(monkeypatch):
    monkeypatch.setenv("MARQUEE_FRONTEND_URL", "https://tickets.example.org/")
    settings.cache_clear()
    yield "https://tickets.example.org/#/"
    settings.cache_clear()


@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_every_message_has_both_parts_and_escapes_what_people_typed(template, frontend):
    message = render(template, **CONTEXTS[template])

    assert message.subject and "\n" not in message.subject
    assert message.text.strip() and "<p>" not in message.text
    assert message.text.endswith("-- \nMarquee\n")
    assert message.html.startswith("<!doctype html>") and "</html>" in message.html
    assert "<script>" not in message.html
    if HOSTILE in str(CONTEXTS[template].values()):
        assert "&lt;script&gt;alert(" in message.html
        assert HOSTILE in message.text or HOSTILE in message.subject
    links = URL.findall(message.text) + URL.findall(message.html)
    assert links and all(link.startswith(frontend) for link in links), links


def test_the_links_carry_their_ids_and_tokens(frontend):
    invite = render("invite", **CONTEXTS["invite"])
    # The address rides along so the sign-up form is filled in.
    assert f"{frontend}signup?invite=tok-_1&email=new%2Bperson%40example.com" in invite.text
    assert f"{frontend}invites?invite=i1&token=tok-_1" in invite.text
    assert f'href="{frontend}invites?invite=i1&amp;token=tok-_1"' in invite.html
    receipt = render("payment_receipt", **ORDER)
    assert f"{frontend}orders/o1/tickets/o1-1" in receipt.text
    assert f'href="{frontend}orders/o1/tickets/o1-1"' in receipt.html


def test_a_subject_stays_one_line():
    message = render("refund_notice", **{**CONTEXTS["refund_notice"], "event_name": "Fest\r\nBcc: x@y.z"})
    assert message.subject == "Refund of 7.50 EUR for Fest Bcc: x@y.z"


def test_a_missing_value_or_template_is_an_error_not_a_gap():
    with pytest.raises(Exception, match="token"):
        render("email_verification", hours=24)
    with pytest.raises(TemplateNotFound):
        render("no_such_mail")
