"""Invites as a spam channel (#14): per-user daily limits on invites and on new events, and no
text the inviter wrote, beyond the event name, in mail to addresses that are not a verified
account's."""

from datetime import timedelta

import pytest
import time_machine

from chalicelib.domain.clock import now

SPAM = "Cheap watches at spam.example"


@pytest.fixture
def outgoing_mail(sent_emails):
    """Every invite e-mail SES was asked to send: (to, subject, text, html)."""
    return lambda: [
        (mail.to[0], mail.subject, mail.text, mail.html)
        for mail in sent_emails()
        if mail.subject.startswith("You are invited")
    ]


def _invite(api, event_id, token, email, role="moderator"):
    return api.post(f"/events/{event_id}/invites", {"email": email, "role": role}, token=token)


def test_a_user_creates_at_most_20_events_a_day(api, signup, make_event):
    from tests.api.conftest import EVENT

    spammer, other = signup(), signup()
    assert api.post("/events", {**EVENT, "name": ""}, token=spammer).status == 422  # not counted
    for number in range(20):
        make_event(spammer, name=f"Event {number}")

    refused = api.post("/events", EVENT, token=spammer)

    assert refused.status == 429 and refused.error_code == "too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 24 * 3600
    assert len(api.get("/me/events", token=spammer).json) == 20
    assert api.post("/events", EVENT, token=other).status == 201
    with time_machine.travel(now() + timedelta(days=1), tick=False):
        again = api.post("/auth/login", {"email": "user0@example.com", "password": "correct horse"})
        assert api.post("/events", EVENT, token=again.json["token"]).status == 201


def test_invites_are_limited_per_user_per_day_across_events(api, signup, make_event, configured, sent_emails):
    configured(MARQUEE_INVITES_PER_USER_PER_DAY="5")
    spammer, other = signup(), signup()
    first, second, third = (make_event(spammer)["id"] for _ in range(3))
    for number in range(3):
        assert _invite(api, first, spammer, f"a{number}@example.com").status == 201
    for number in range(2):
        assert _invite(api, second, spammer, f"b{number}@example.com").status == 201
    mails_before = len(sent_emails())

    refused = _invite(api, third, spammer, "c@example.com")

    assert refused.status == 429 and refused.error_code == "too_many_requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 24 * 3600
    assert api.get(f"/events/{third}/invites", token=spammer).json == []
    assert len(sent_emails()) == mails_before
    assert _invite(api, make_event(other)["id"], other, "c@example.com").status == 201


def test_the_default_daily_limits_are_200_invites_and_20_events(configured):
    from chalicelib.config import settings

    configured()
    assert (settings().invites_per_user_per_day, settings().events_per_user_per_day) == (200, 20)


def test_mail_to_an_unregistered_address_carries_only_the_event_name(api, signup, make_event, outgoing_mail):
    spammer = signup("spammer@example.com", name=SPAM)
    event_id = make_event(spammer, name="Berlin Meetup")["id"]

    assert _invite(api, event_id, spammer, "stranger@example.com").status == 201

    [(to, subject, text, html)] = outgoing_mail()
    assert to == "stranger@example.com"
    assert "Berlin Meetup" in subject and "Berlin Meetup" in text and "Berlin Meetup" in html
    assert all(SPAM not in part for part in (subject, text, html))


def test_an_unverified_account_is_mailed_like_a_stranger(api, signup, make_event, outgoing_mail):
    spammer = signup("spammer@example.com", name=SPAM)
    signup("squatted@example.com")
    event_id = make_event(spammer, name="Berlin Meetup")["id"]

    assert _invite(api, event_id, spammer, "squatted@example.com").status == 201

    [(_to, subject, text, html)] = outgoing_mail()
    assert all(SPAM not in part for part in (subject, text, html))
    assert "#/invites?invite=" in text
