"""The event's background image: process the upload, store its renditions, point the event at them in
one versioned write, then delete the image they replace.

The write is always conditioned on the event version read here (retried after a fresh read when the
client sent no If-Match), so the image deleted afterwards is exactly the one the write replaced.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain.backgrounds import parse_background_request
from chalicelib.domain.errors import ConflictError, NotFoundError, PreconditionFailedError
from chalicelib.media import storage
from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk
from chalicelib.store.versions import STALE_MESSAGE, versioned_write

if TYPE_CHECKING:
    from chalicelib.media.pipeline import ProcessedImage

_WRITE_ATTEMPTS = 3
_FIELDS = ("background_url", "background_variants", "background_hash")


def upload_background(
    event: EventModel, user_id: str, body: dict[str, Any], expected: Sequence[int] | None
) -> dict[str, Any]:
    """``body`` is ``{"image": data URL}`` or ``{"key": upload key}``, with an optional ``crop``.

    An uploaded original is deleted once read, whatever the outcome: a key is good for one request.
    """
    request = parse_background_request(body)
    _check_expected(event, expected)
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
        replaced = _write(event, fields, expected)
    except Exception:
        if _stored_hash(event.event_id) != image.content_hash:
            storage.delete_renditions(event.event_id, image.content_hash)
        raise
    if replaced.background_hash and replaced.background_hash != image.content_hash:
        storage.delete_renditions(event.event_id, replaced.background_hash)
    return {"background_url": url, "background_variants": variants}


def clear_background(event: EventModel, expected: Sequence[int] | None) -> None:
    _check_expected(event, expected)
    if not any(getattr(event, field) for field in _FIELDS):
        return
    replaced = _write(event, dict.fromkeys(_FIELDS), expected)
    if replaced.background_hash:
        storage.delete_renditions(event.event_id, replaced.background_hash)


def _check_expected(event: EventModel, expected: Sequence[int] | None) -> None:
    if expected is not None and int(event.event_ver) not in expected:
        raise PreconditionFailedError(STALE_MESSAGE)


def _write(event: EventModel, fields: dict[str, Any], expected: Sequence[int] | None) -> EventModel:
    """Set (or remove, for None) ``fields`` on the event item; returns the event as it was before."""
    actions = [
        getattr(EventModel, name).set(value) if value is not None else getattr(EventModel, name).remove()
        for name, value in fields.items()
    ]
    for _ in range(_WRITE_ATTEMPTS):
        _check_expected(event, expected)
        try:
            with versioned_write(
                event.event_id, ["event_ver"], [int(event.event_ver)], event_actions=actions
            ):
                pass
        except PreconditionFailedError:
            if expected is not None:
                raise
            event = _read_event(event.event_id)
        else:
            return event
    raise ConflictError("The event kept changing while the image was saved; try again.")


def _read_event(event_id: str) -> EventModel:
    try:
        return EventModel.get(event_pk(event_id), EVENT_SK, consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError("No such event.") from error


def _stored_hash(event_id: str) -> str | None:
    try:
        return _read_event(event_id).background_hash
    except NotFoundError:
        return None
