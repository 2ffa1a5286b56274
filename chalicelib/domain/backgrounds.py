"""What a background upload request holds: the image as a data URL, or the key of an original uploaded
through the presigned POST, and an optional crop box (checked by the image pipeline)."""

import base64
import binascii
from typing import Any, NamedTuple

from chalicelib.domain.errors import BadRequestError, UnsupportedMediaError, ValidationError

DATA_URL_PREFIX = "data:"


class BackgroundRequest(NamedTuple):
    image: bytes | None
    key: str | None
    crop: Any


def parse_background_request(body: dict[str, Any]) -> BackgroundRequest:
    """Exactly one of ``image`` (data URL) and ``key``; ``crop`` is passed on as sent (None when absent)."""
    image, key = body.get("image"), body.get("key")
    if not image and not key:
        raise BadRequestError(
            'Send the image as {"image": "data:image/...;base64,..."} or {"key": ...} from the upload URL.',
            code="no_image",
        )
    if image and key:
        raise ValidationError({"image": "Send either image or key, not both."})
    crop = body.get("crop")
    if key:
        if not isinstance(key, str):
            raise ValidationError({"key": "Must be the key returned by the upload URL."})
        return BackgroundRequest(image=None, key=key, crop=crop)
    return BackgroundRequest(image=decode_data_url(image), key=None, crop=crop)


def decode_data_url(value: Any) -> bytes:
    """The bytes of ``data:image/<type>[;params];base64,<data>``.

    400 ``invalid_data_url`` for anything else but a non-image media type, which is 415. The declared
    type is not trusted further: the pipeline sniffs the real format from the bytes.
    """
    if not isinstance(value, str) or not value.startswith(DATA_URL_PREFIX):
        raise _invalid_data_url("The image must be a data URL (data:image/...;base64,...).")
    header, separator, payload = value[len(DATA_URL_PREFIX) :].partition(",")
    if not separator:
        raise _invalid_data_url("The data URL has no comma before its data.")
    media_type, *parameters = (part.strip().lower() for part in header.split(";"))
    if not media_type.startswith("image/"):
        raise UnsupportedMediaError(
            f"The data URL declares {media_type or 'no media type'}; send a JPEG, PNG, WebP or GIF image."
        )
    if "base64" not in parameters:
        raise _invalid_data_url("The data URL must be base64-encoded (data:image/...;base64,...).")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as error:
        raise _invalid_data_url("The data URL's data is not valid base64.") from error


def _invalid_data_url(message: str) -> BadRequestError:
    return BadRequestError(message, code="invalid_data_url")
