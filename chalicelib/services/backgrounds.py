"""The event's background image: process the upload, store its renditions, point the event at them in
one versioned write, then delete the image they replace.

The write is always conditioned on the event version read here (retried after a fresh read when the
client sent no If-Match), so the image deleted afterwards is exactly the one the write replaced.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chalicelib.domain.backgrounds import parse_background_request
from chalicelib.domain.errors import NotFoundError
from chalicelib.media import storage
from chalicelib.store import events
from chalicelib.store.models.events import EventModel

if TYPE_CHECKING:
    from chalicelib.media.pipeline import ProcessedImage

BUSY_MESSAGE = "The event kept changing while the image was saved; try again."
_FIELDS = ("background_url", "background_variants", "background_hash")


def upload_background(
    event: EventModel, user_id: str, body: dict[str, Any], expected: Sequence[int] | None
) -> dict[str, Any]:
    """``body`` is ``{"image": data URL}`` or ``{"key": upload key}``, with an optional ``crop``.

    An uploaded original is deleted once read, whatever the outcome: a key is good for one request.
    """
    request = parse_background_request(body)
    events.check_expected(event, expected)
    from chalicelib.media.pipeline import CropBox, process_background  # Pillow only on this path

    crop = CropBox.from_mapping(request.crop) if request.crop is not None else None
    if request.image is not None:
        return set_background(event, process_background(request.image, crop), expected)
    key = str(request.key)
    storage.check_upload_key(key, user_id)
    try:
        data = storage.read_upload(key)
        return set_background(event, process_background(data, crop), expected)
    finally:
        storage.delete_upload(key)


def set_background(
    event: EventModel, image: "ProcessedImage", expected: Sequence[int] | None
) -> dict[str, Any]:
    keys = storage.put_renditions(event.event_id, image)
    variants = {str(width): storage.media_url(key) for width, key in sorted(keys.items(), reverse=True)}
    url = variants[str(image.full.width)]
    fields = {"background_url": url, "background_variants": variants, "background_hash": image.content_hash}
    try:
        replaced = events.replace_fields(event, fields, expected, BUSY_MESSAGE)
    except Exception:
        if _stored_hash(event.event_id) != image.content_hash:
            storage.delete_renditions(event.event_id, image.content_hash)
        raise
    if replaced.background_hash and replaced.background_hash != image.content_hash:
        storage.delete_renditions(event.event_id, replaced.background_hash)
    return {"background_url": url, "background_variants": variants}


def clear_background(event: EventModel, expected: Sequence[int] | None) -> None:
    events.check_expected(event, expected)
    if not any(getattr(event, field) for field in _FIELDS):
        return
    replaced = events.replace_fields(event, dict.fromkeys(_FIELDS), expected, BUSY_MESSAGE)
    if replaced.background_hash:
        storage.delete_renditions(event.event_id, replaced.background_hash)


def _stored_hash(event_id: str) -> str | None:
    try:
        return events.get_event(event_id).background_hash
    except NotFoundError:
        return None
