"""The signed unsubscribe link (works without signing in; a forged or altered one is refused and
changes nothing) and SES's bounce and complaint notifications (only with the secret of the
subscribed URL; permanent bounces and complaints mark the address, transient bounces do not)."""

import json

import pytest

from tests.api.orders_helpers import make_shop

SECRET = "s3cr3t-of-the-sns-subscription-url"
ROUTE = f"/mail/ses-notifications/{SECRET}"


@pytest.fixture
def shop(api, signup, make_event):
    return make_shop(api, signup, make_event)


def link_token(event_id, email):
    from chalicelib.domain.unsubscribe import unsubscribe_token
    from chalicelib.store.secrets import jwt_secret

    return unsubscribe_token(jwt_secret(), event_id, email)


def subscribed(event_id, email):
    from chalicelib.store.mailing import is_subscribed

    return is_subscribed(event_id, email)


def undeliverable(email):
    from chalicelib.store.mailing import suppressed

    return suppressed(email) == "undeliverable"


def test_the_link_unsubscribes_without_signing_in_and_undo_takes_it_back(shop):
    token = link_token(shop.event_id, "ada@example.com")
    answer = shop.api.post("/unsubscribe", {"token": token})
    assert answer.status == 200, answer.json
    assert answer.json == {
        "event": {"id": shop.event_id, "name": shop.event["name"]},
        "email": "ada@example.com",
        "subscribed": False,
    }
    assert not subscribed(shop.event_id, "ada@example.com")
    assert shop.api.post("/unsubscribe", {"token": token}).status == 200
    undone = shop.api.post("/unsubscribe/undo", {"token": token})
    assert undone.status == 200 and undone.json["subscribed"] is True
    assert subscribed(shop.event_id, "ada@example.com")


def _forged(shop):
    import base64

    from chalicelib.domain.unsubscribe import unsubscribe_token

    good = link_token(shop.event_id, "ada@example.com")
    payload, mac = good.split(".")
    other = base64.urlsafe_b64encode(f"{shop.event_id}\x00bob@example.com".encode()).decode().rstrip("=")
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    return [
        f"{payload}.{flipped}",
        f"{other}.{mac}",
        unsubscribe_token("another-secret-of-at-least-32-characters!", shop.event_id, "ada@example.com"),
        f"{payload}.",
    ]


def test_a_forged_or_altered_link_is_refused_and_changes_nothing(shop):
    for token in _forged(shop):
        for path in ("/unsubscribe", "/unsubscribe/undo"):
            answer = shop.api.post(path, {"token": token})
            assert 400 <= answer.status < 500, (token, answer.json)
            assert answer.error_code in {"invalid_link", "validation_error"}
    assert subscribed(shop.event_id, "ada@example.com") and subscribed(shop.event_id, "bob@example.com")


@pytest.mark.parametrize("body", [{}, {"token": 5}, {"token": "x" * 3000}, {"token": "no-dot"}])
def test_a_body_without_a_token_is_422(api, body):
    assert api.post("/unsubscribe", body).status == 422


def test_the_link_of_a_deleted_event_is_404(shop):
    token = link_token(shop.event_id, "ada@example.com")
    assert shop.api.delete(f"/events/{shop.event_id}", token=shop.organizer).status == 204
    assert shop.api.post("/unsubscribe", {"token": token}).status == 404


def sns(kind="Notification", message=None, **fields):
    envelope = {
        "Type": kind,
        "MessageId": "m-1",
        "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses-feedback",
        **fields,
    }
    if message is not None:
        envelope["Message"] = json.dumps(message)
    return json.dumps(envelope).encode()


def bounce(kind, *addresses):
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": kind,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address} for address in addresses],
        },
        "mail": {"destination": list(addresses)},
    }


def post_sns(api, body, route=ROUTE):
    # SNS posts its JSON as text/plain.
    return api.request("POST", route, raw=body, headers={"Content-Type": "text/plain; charset=UTF-8"})


@pytest.fixture
def feedback(configured):
    configured(MARQUEE_SES_NOTIFICATION_SECRET=SECRET)


def test_a_permanent_bounce_and_a_complaint_mark_their_addresses(api, feedback):
    answer = post_sns(api, sns(message=bounce("Permanent", "Gone@Example.com", "also@example.com")))
    assert answer.status == 200 and answer.json == {"result": "marked"}
    complaint = {
        "notificationType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "angry@example.com"}]},
    }
    assert post_sns(api, sns(message=complaint)).json == {"result": "marked"}
    assert undeliverable("gone@example.com") and undeliverable("also@example.com")
    assert undeliverable("angry@example.com")


def test_a_transient_bounce_marks_nothing(api, feedback):
    answer = post_sns(api, sns(message=bounce("Transient", "full@example.com")))
    assert answer.status == 200 and answer.json == {"result": "ignored"}
    assert not undeliverable("full@example.com")


def test_without_the_secret_nothing_is_marked(api, configured):
    body = sns(message=bounce("Permanent", "victim@example.com"))
    assert post_sns(api, body).status == 404  # no secret configured: the route answers no one
    configured(MARQUEE_SES_NOTIFICATION_SECRET=SECRET)
    assert post_sns(api, body, "/mail/ses-notifications/guess").status == 404
    assert post_sns(api, body, f"/mail/ses-notifications/{SECRET}x").status == 404
    assert not undeliverable("victim@example.com")


def test_another_topic_is_refused_when_one_is_configured(api, configured):
    configured(MARQUEE_SES_NOTIFICATION_SECRET=SECRET, MARQUEE_SES_TOPIC_ARN="arn:aws:sns:us-east-1:1:mine")
    answer = post_sns(api, sns(message=bounce("Permanent", "victim@example.com")))
    assert answer.status == 403 and answer.error_code == "wrong_topic"
    assert not undeliverable("victim@example.com")


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1]", b'{"Type": 5}', sns(Message="not json"), sns(Message='"a string"')],
)
def test_malformed_notifications_are_400(api, feedback, body):
    answer = post_sns(api, body)
    assert answer.status == 400, answer.json


def test_a_subscription_confirmation_is_confirmed_with_sns(api, feedback, monkeypatch):
    from botocore.client import BaseClient

    calls = []
    original = BaseClient._make_api_call

    def spy(client, operation, params):
        if client.meta.service_model.service_name == "sns":
            calls.append((operation, params))
        return original(client, operation, params)

    from chalicelib.store.aws import client

    topic = client("sns").create_topic(Name="ses-feedback")["TopicArn"]
    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    body = sns(
        "SubscriptionConfirmation",
        Token="tok-123",
        SubscribeURL="https://attacker.example/never-fetched",
    )
    answer = post_sns(api, body)
    assert answer.status == 200 and answer.json == {"result": "confirmed"}
    assert calls == [("ConfirmSubscription", {"TopicArn": topic, "Token": "tok-123"})]
    assert post_sns(api, sns("SubscriptionConfirmation")).status == 400


def test_a_confirmation_sns_refuses_is_400(api, feedback):
    answer = post_sns(
        api, sns("SubscriptionConfirmation", Token="tok", TopicArn="arn:aws:sns:us-east-1:1:none")
    )
    assert answer.status == 400 and answer.error_code == "not_confirmed"


def test_after_a_bounce_only_the_mail_its_owner_asks_for_reaches_the_address(
    api, signup, make_event, feedback, sent_emails
):
    from tests.api.orders_helpers import FREE

    shop = make_shop(api, signup, make_event)
    buyer = signup("bounced@example.com")
    assert post_sns(api, sns(message=bounce("Permanent", "bounced@example.com"))).status == 200
    shop.buy(buyer, shop.ticket(**FREE), 1)
    mine = [m.subject for m in sent_emails() if m.to == ["bounced@example.com"]]
    assert not any(subject.startswith("Your tickets for") for subject in mine)
    # An e-mail verification or a password reset the owner asks for now still goes.
    assert api.post("/auth/verify-email", token=buyer).status == 202
    assert api.post("/auth/password-reset", {"email": "bounced@example.com"}).status == 202
    assert len([m for m in sent_emails() if m.to == ["bounced@example.com"]]) == len(mine) + 2
