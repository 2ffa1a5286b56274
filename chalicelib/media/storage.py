"""Where background images live in S3: renditions under immutable keys derived from their content hash,
originals uploaded by browsers through a presigned POST under ``uploads/{user_id}/``.

No Pillow here: this module is imported with the app.
"""

from __future__ import annotations

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from botocore.exceptions import ClientError

from chalicelib.config import settings
from chalicelib.domain.errors import ForbiddenError, PayloadTooLargeError, ValidationError
from chalicelib.store.aws import client
from chalicelib.store.buckets import MEDIA_PUBLIC_PREFIX, UPLOADS_PREFIX

if TYPE_CHECKING:
    from chalicelib.media.pipeline import ProcessedImage

MAX_UPLOAD_BYTES: Final = 25 * 1024 * 1024
UPLOAD_URL_EXPIRES_SECONDS: Final = 600
IMMUTABLE_CACHE_CONTROL: Final = "public, max-age=31536000, immutable"
RENDITION_CONTENT_TYPE: Final = "image/jpeg"

_UPLOAD_NAME = re.compile(r"[0-9a-f]{32}")
_MISSING_UPLOAD = "Nothing is uploaded under this key (it was already used, or it expired); upload again."


class PresignedUpload(NamedTuple):
    url: str
    fields: dict[str, str]
    key: str


def background_prefix(event_id: str) -> str:
    return f"{MEDIA_PUBLIC_PREFIX}{event_id}/background/"


def background_key(event_id: str, content_hash: str, width: int) -> str:
    return f"{background_prefix(event_id)}{content_hash}-{width}.jpg"


# What background_key makes: the only objects of the media bucket a browser is served.
RENDITION_KEY = re.compile(
    rf"^{MEDIA_PUBLIC_PREFIX}[0-9a-f]{{32}}/background/[0-9a-f]{{64}}-[0-9]{{1,5}}\.jpg$"
)


def is_rendition_key(key: str) -> bool:
    return RENDITION_KEY.fullmatch(key) is not None


def media_url(key: str) -> str:
    return f"{settings().media_base_url}/{key}"


def put_renditions(event_id: str, image: ProcessedImage) -> dict[int, str]:
    """Store every rendition (in parallel); returns their keys by width.

    The keys hold the content hash, so an object never changes once written and may be cached forever.
    """
    s3 = client("s3")
    bucket = settings().media_bucket
    keys = {width: background_key(event_id, image.content_hash, width) for width in image.variants}

    def put(width: int) -> None:
        s3.put_object(
            Bucket=bucket,
            Key=keys[width],
            Body=image.variants[width].jpeg,
            ContentType=RENDITION_CONTENT_TYPE,
            CacheControl=IMMUTABLE_CACHE_CONTROL,
        )

    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        list(pool.map(put, keys))
    return keys


def delete_renditions(event_id: str, content_hash: str = "") -> None:
    """Delete every rendition of the image with this hash, whichever widths it has (without a
    hash: every background image the event ever had)."""
    s3 = client("s3")
    bucket = settings().media_bucket
    prefix = background_prefix(event_id) + (f"{content_hash}-" if content_hash else "")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    keys = [{"Key": found["Key"]} for found in listed.get("Contents", [])]
    if keys:
        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def presigned_upload(user_id: str) -> PresignedUpload:
    """A browser POSTs the original straight to S3 with these: at most 25 MB, an image/* Content-Type,
    this key only, within 10 minutes."""
    key = f"{UPLOADS_PREFIX}{user_id}/{uuid.uuid4().hex}"
    post = client("s3").generate_presigned_post(
        Bucket=settings().uploads_bucket,
        Key=key,
        Conditions=[
            ["content-length-range", 1, MAX_UPLOAD_BYTES],
            ["starts-with", "$Content-Type", "image/"],
        ],
        ExpiresIn=UPLOAD_URL_EXPIRES_SECONDS,
    )
    return PresignedUpload(url=post["url"], fields=post["fields"], key=key)


def check_upload_key(key: str, user_id: str) -> None:
    """403 unless ``key`` is under the caller's own uploads; 422 unless shaped like the keys we hand out."""
    own_prefix = f"{UPLOADS_PREFIX}{user_id}/"
    if not key.startswith(own_prefix):
        raise ForbiddenError("You can only use an image you uploaded yourself.")
    if not _UPLOAD_NAME.fullmatch(key[len(own_prefix) :]):
        raise ValidationError({"key": "Not a key returned by the upload URL."})


def read_upload(key: str) -> bytes:
    """The uploaded original; its size is checked before its body is read."""
    try:
        found = client("s3").get_object(Bucket=settings().uploads_bucket, Key=key)
    except ClientError as error:
        if _error_code(error) in ("NoSuchKey", "404"):
            raise ValidationError({"key": _MISSING_UPLOAD}) from error
        raise
    body = found["Body"]
    size = int(found.get("ContentLength", 0))
    if size > MAX_UPLOAD_BYTES:
        body.close()
        raise PayloadTooLargeError(
            f"The uploaded file is {size} bytes; the limit is {MAX_UPLOAD_BYTES} bytes.",
            {"limit": MAX_UPLOAD_BYTES},
        )
    try:
        return bytes(body.read())
    finally:
        body.close()


def delete_upload(key: str) -> None:
    client("s3").delete_object(Bucket=settings().uploads_bucket, Key=key)


def _error_code(error: ClientError) -> str:
    response: dict[str, Any] = error.response
    return str(response.get("Error", {}).get("Code", ""))
