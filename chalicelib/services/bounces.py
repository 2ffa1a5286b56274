"""SES's bounce and complaint notifications, delivered by SNS over HTTPS.

Genuineness: the route's path carries a shared secret (``MARQUEE_SES_NOTIFICATION_SECRET``, put
into the SNS subscription's URL), compared in constant time. SNS's own signature would need its
signing certificate fetched from the internet on every cold start (or pinned and rotated by hand);
the secret needs nothing fetched, and over HTTPS only SNS and the operator know it. With
``MARQUEE_SES_TOPIC_ARN`` set, only that topic is accepted too. A subscription is confirmed with
SNS's ConfirmSubscription call for the topic and token it names, never by fetching the URL the
body gives."""

import hmac
import logging

from botocore.exceptions import ClientError

from chalicelib.config import settings
from chalicelib.domain import bounces as rules
from chalicelib.domain.errors import BadRequestError, ForbiddenError, NotFoundError
from chalicelib.store import mailing
from chalicelib.store.aws import client

logger = logging.getLogger("marquee.mail")


def _check_secret(secret: str) -> None:
    expected = settings().ses_notification_secret
    if not expected or not hmac.compare_digest(secret.encode(), expected.encode()):
        raise NotFoundError("No such notification endpoint.")


def receive(secret: str, raw: bytes) -> str:
    """Apply one SNS message; returns what was done (``confirmed``, ``marked``, ``ignored``)."""
    _check_secret(secret)
    envelope = rules.parse_envelope(raw)
    topic = envelope.get("TopicArn")
    wanted = settings().ses_topic_arn
    if wanted and topic != wanted:
        raise ForbiddenError("Notifications of this topic are not accepted here.", code="wrong_topic")
    kind = envelope["Type"]
    if kind == rules.SUBSCRIPTION_CONFIRMATION:
        token = envelope.get("Token")
        if not isinstance(topic, str) or not isinstance(token, str):
            raise BadRequestError(
                "A confirmation names its TopicArn and Token.", code="malformed_notification"
            )
        try:
            client("sns").confirm_subscription(TopicArn=topic, Token=token)
        except ClientError as error:
            # No such topic, or a token SNS did not issue (or that expired): nothing to confirm.
            raise BadRequestError("SNS did not accept this confirmation.", code="not_confirmed") from error
        logger.info("confirmed the SNS subscription to %s", topic)
        return "confirmed"
    if kind != rules.NOTIFICATION:
        return "ignored"
    found = rules.undeliverable_addresses(envelope)
    for address in found:
        mailing.mark_undeliverable(address.email, address.reason, address.detail)
        logger.info("address marked undeliverable (%s %s)", address.reason, address.detail)
    return "marked" if found else "ignored"
