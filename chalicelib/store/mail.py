"""Outgoing e-mail through SES, from the configured sender."""

from chalicelib.config import settings
from chalicelib.store.aws import client

CHARSET = "UTF-8"


def send_email(to: str, subject: str, text: str, html: str | None = None) -> str:
    """Send one message; returns SES's message id (botocore errors propagate)."""
    body = {"Text": {"Data": text, "Charset": CHARSET}}
    if html is not None:
        body["Html"] = {"Data": html, "Charset": CHARSET}
    response = client("ses").send_email(
        Source=settings().mail_sender,
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": subject, "Charset": CHARSET}, "Body": body},
    )
    return str(response["MessageId"])
