"""SES's bounce and complaint notifications (SNS over HTTPS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.lazy import lazy
from chalicelib.domain.fields import Text
from chalicelib.domain.objects import sent
from chalicelib.http.request import check_body_size, raw_body
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import bounces
else:
    bounces = lazy("chalicelib.services.bounces")

bp = ApiBlueprint(__name__)

# An SES notification lists at most 50 recipients: a few KB.
MAX_NOTIFICATION_BYTES = 256 * 1024
NOTIFICATION_RECEIVED = sent("NotificationReceived", {"result": Text()})


@bp.route(
    "/mail/ses-notifications/{secret}",
    methods=["POST"],
    public=True,
    response=NOTIFICATION_RECEIVED,
    # SNS posts its JSON as text/plain.
    content_types=["application/json", "text/plain"],
)
def ses_notification(secret: str) -> dict:
    """Bounces and complaints mark addresses undeliverable; a subscription confirmation is confirmed."""
    check_body_size(MAX_NOTIFICATION_BYTES)
    return {"result": bounces.receive(secret, raw_body())}
