"""The event's background image (docs/api.md "Background image"): upload as a data URL or through a presigned
S3 POST, and removal. Pillow is imported only when an image is processed, never with the app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.api.lazy import lazy
from chalicelib.domain.permissions import EVENT_EDITORS
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_access, current_user
from chalicelib.http.definitions import BACKGROUND, BACKGROUND_REQUEST, UPLOAD_URL
from chalicelib.http.etag import expected_versions
from chalicelib.http.request import Body
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.media import storage
    from chalicelib.services import backgrounds
else:
    storage = lazy("chalicelib.media.storage")
    backgrounds = lazy("chalicelib.services.backgrounds")

bp = ApiBlueprint(__name__)

# What a synchronous Lambda invocation accepts; larger originals go to S3 directly.
MAX_BACKGROUND_BODY = 6 * 1024 * 1024
LARGE_IMAGE_HINT = (
    "Upload larger images through POST /events/{event_id}/background/upload-url, "
    'then send {"key": ..., "crop": ...} here.'
)
# The event's ETag (GET /events/{event_id}) is what If-Match compares with.
EVENT_ROUTE = "/events/{event_id}"


@bp.route(
    "/events/{event_id}/background",
    methods=["POST"],
    body=Body(BACKGROUND_REQUEST, max_bytes=MAX_BACKGROUND_BODY, hint=LARGE_IMAGE_HINT),
    response=BACKGROUND,
)
@event_role_required(EVENT_EDITORS)
def upload_background(event_id: str, body: dict[str, Any]) -> dict:
    saved = backgrounds.upload_background(
        current_access().event, current_user().user_id, body, expected_versions(EVENT_ROUTE)
    )
    return {"status": "ok", **saved}


@bp.route("/events/{event_id}/background/upload-url", methods=["POST"], response=UPLOAD_URL)
@event_role_required(EVENT_EDITORS)
def background_upload_url(event_id: str) -> dict:
    upload = storage.presigned_upload(current_user().user_id)
    return {"url": upload.url, "fields": upload.fields, "key": upload.key}


@bp.route("/events/{event_id}/background", methods=["DELETE"], status=200, response=BACKGROUND)
@event_role_required(EVENT_EDITORS)
def delete_background(event_id: str) -> dict:
    backgrounds.clear_background(current_access().event, expected_versions(EVENT_ROUTE))
    return {"status": "ok"}
