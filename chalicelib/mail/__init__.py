"""The platform's e-mail: every message is one of our templates (``templates/<name>.subject.txt``,
``<name>.txt`` and ``<name>.html`` inside the shared ``layout.html``), rendered with Jinja2 and sent
through SES as one MIME message with a plain-text and an HTML part. Nothing else calls SES to send.

Templates build every link with ``link(route, **query)``, from MARQUEE_FRONTEND_URL: callers pass
ids and tokens, never URLs. Jinja2 is imported on the first render only (cold start).
"""

import logging
from email.message import EmailMessage

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import settings
from chalicelib.mail.message import Message
from chalicelib.mail.rendering import render
from chalicelib.store.aws import client

__all__ = ["Message", "render", "send"]

logger = logging.getLogger("marquee.mail")


def _mime(to: str, message: Message) -> bytes:
    mime = EmailMessage()
    mime["Subject"] = message.subject
    mime["From"] = settings().mail_sender
    mime["To"] = to
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    return mime.as_bytes()


def send(to: str, template: str, **context: object) -> str | None:
    """Render ``template`` with ``context`` and send it to ``to``; SES's message id, or None when
    the message did not go out (SES refused it or could not be reached: logged, never raised, so
    a mail never undoes the change it reports)."""
    message = render(template, **context)
    try:
        response = client("ses").send_raw_email(
            Source=settings().mail_sender, Destinations=[to], RawMessage={"Data": _mime(to, message)}
        )
    except (ClientError, BotoCoreError):
        logger.exception("could not send the %s e-mail", template)
        return None
    return str(response["MessageId"])
