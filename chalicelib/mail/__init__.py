"""The platform's e-mail: every message is one of our templates (``templates/<name>.subject.txt``,
``<name>.txt`` and ``<name>.html`` inside the shared ``layout.html``), rendered with Jinja2 and sent
through SES as one MIME message with a plain-text and an HTML part (with the images it shows inline,
if any). Nothing else calls SES to send.

Templates build every link with ``link(route, **query)``, from MARQUEE_FRONTEND_URL: callers pass
ids and tokens, never URLs. Jinja2 is imported on the first render only (cold start).
"""

import logging
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import settings
from chalicelib.mail.message import Message
from chalicelib.mail.rendering import link, render
from chalicelib.mail.suppression import unsubscribe_token_for, why_not
from chalicelib.store.aws import client

__all__ = ["Message", "render", "send", "send_unsubscribable", "send_with_images"]

logger = logging.getLogger("marquee.mail")


# Headers up to RFC 5322's 998 characters stay on one line: folding at 78 turned a long
# List-Unsubscribe URL (one word) into encoded words that mail programs do not read as a URL.
_POLICY = policy.default.clone(max_line_length=998)


def _mime(
    to: str, message: Message, unsubscribe_url: str | None = None, images: Mapping[str, bytes] | None = None
) -> bytes:
    mime = EmailMessage(policy=_POLICY)
    mime["Subject"] = message.subject
    mime["From"] = settings().mail_sender
    mime["To"] = to
    if unsubscribe_url:
        mime["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    mime.set_content(message.text)
    mime.add_alternative(message.html, subtype="html")
    if images:
        # multipart/related around the HTML part: its <img src="cid:..."> need no remote fetch.
        _, html = mime.iter_parts()
        for cid, png in images.items():
            html.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>")
    return mime.as_bytes()


def send(to: str, template: str, **context: object) -> str | None:
    """Render ``template`` with ``context`` and send it to ``to``; SES's message id, or None when
    the message did not go out (the address is suppressed: chalicelib.mail.suppression; SES
    refused it or could not be reached: logged, never raised, so a mail never undoes the change
    it reports)."""
    return _send(to, template, None, context)


def send_with_images(to: str, template: str, images: Mapping[str, bytes], /, **context: object) -> str | None:
    """``send`` with ``images`` (Content-ID to PNG) beside the HTML part, which shows each as
    ``<img src="cid:<Content-ID>">``: mail programs show them without fetching anything."""
    return _send(to, template, None, context, images)


def send_unsubscribable(to: str, template: str, event_id: str, **context: object) -> str | None:
    """``send`` for an organizer message of the event ``event_id``: an address unsubscribed from
    it does not get it; the template gets ``unsubscribe_token`` for its link, the mail a
    List-Unsubscribe header."""
    token = unsubscribe_token_for(to, event_id)
    return _send(to, template, event_id, {**context, "unsubscribe_token": token})


def _send(
    to: str,
    template: str,
    event_id: str | None,
    context: dict[str, object],
    images: Mapping[str, bytes] | None = None,
) -> str | None:
    reason = why_not(to, template, event_id)
    if reason is not None:
        logger.info("not sending the %s e-mail: the address is %s", template, reason)
        return None
    token = context.get("unsubscribe_token")
    unsubscribe_url = link("unsubscribe", token=token) if event_id is not None else None
    message = render(template, **context)
    try:
        response = client("ses").send_raw_email(
            Source=settings().mail_sender,
            Destinations=[to],
            RawMessage={"Data": _mime(to, message, unsubscribe_url, images)},
        )
    except (ClientError, BotoCoreError):
        logger.exception("could not send the %s e-mail", template)
        return None
    return str(response["MessageId"])
