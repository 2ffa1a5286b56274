"""Background image through the real local stack: a browser-style multipart POST to the presigned URL
(the embedded moto server checks the policy), then {"key", "crop"}, then the image served from /media/."""

import base64
import io
import json
from typing import Any

import requests
from PIL import Image

from tests.integration.conftest import LocalStack

EVENT = {
    "name": "Background Fest",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-03T18:00:00+02:00",
    "timezone": "Europe/Berlin",
}


def photo(size: tuple[int, int], orientation: int | None = None) -> bytes:
    """Red on the left half, blue on the right (as stored)."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def new_event(stack: LocalStack) -> tuple[str, str]:
    token = stack.signup(stack.unique_email("background"))
    created = stack.api("POST", "/events", EVENT, token=token)
    assert created.status_code == 201, created.text
    return token, created.json()["id"]


def post_to_s3(target: dict[str, Any], data: bytes, content_type: str) -> requests.Response:
    """What the browser sends: the presigned fields, Content-Type, then the file last."""
    form = {**target["fields"], "Content-Type": content_type}
    return requests.post(
        target["url"], data=form, files={"file": ("photo.jpg", data, content_type)}, timeout=30
    )


def test_presigned_upload_then_key_then_media_url(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    token, event_id = new_event(stack)

    target = stack.api("POST", f"/events/{event_id}/background/upload-url", {}, token=token)
    assert target.status_code == 200, target.text
    target_json = target.json()
    assert target_json["url"].startswith("http://127.0.0.1:")  # the embedded S3, never AWS
    posted = post_to_s3(target_json, photo((3000, 2000)), "image/jpeg")
    assert posted.status_code in (200, 201, 204), posted.text

    saved = stack.api(
        "POST",
        f"/events/{event_id}/background",
        {"key": target_json["key"], "crop": {"x": 0, "y": 0, "width": 3000, "height": 1500}},
        token=token,
    )
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["background_url"].startswith(f"{stack.base_url}/media/events/{event_id}/background/")

    media = requests.get(body["background_url"], timeout=10)
    assert media.status_code == 200
    assert media.headers["Content-Type"] == "image/jpeg"
    assert media.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    image = Image.open(io.BytesIO(media.content))
    assert (image.format, image.size) == ("JPEG", (1960, 980))
    assert image.getpixel((200, 490))[0] > 200 and image.getpixel((1760, 490))[2] > 200
    for width, url in body["background_variants"].items():
        variant = Image.open(io.BytesIO(requests.get(url, timeout=10).content))
        assert variant.size == (int(width), int(width) // 2)

    # The original is gone once processed, and was never public.
    assert requests.get(f"{stack.base_url}/media/{target_json['key']}", timeout=10).status_code == 404
    uploads = stack.aws_client("s3").list_objects_v2(Bucket="marquee-dev-media", Prefix=target_json["key"])
    assert uploads.get("KeyCount", 0) == 0

    removed = stack.api("DELETE", f"/events/{event_id}/background", token=token)
    assert removed.status_code == 200, removed.text
    assert requests.get(body["background_url"], timeout=10).status_code == 404


def test_an_upload_that_is_not_an_image_is_refused_whatever_its_declared_type(
    shared_local_stack: LocalStack,
) -> None:
    # S3 only checks the declared Content-Type against the policy (the embedded moto not even that);
    # the server sniffs the bytes.
    stack = shared_local_stack
    token, event_id = new_event(stack)
    target = stack.api("POST", f"/events/{event_id}/background/upload-url", {}, token=token).json()
    assert post_to_s3(target, b"<html>not an image</html>", "image/jpeg").status_code in (200, 201, 204)

    refused = stack.api("POST", f"/events/{event_id}/background", {"key": target["key"]}, token=token)

    assert refused.status_code == 415, refused.text
    listed = stack.aws_client("s3").list_objects_v2(Bucket="marquee-dev-media", Prefix=target["key"])
    assert listed.get("KeyCount", 0) == 0
    assert stack.api("GET", f"/events/{event_id}", token=token).json()["background_url"] is None


def test_data_url_upload_and_the_6_mb_limit_through_the_stack(shared_local_stack: LocalStack) -> None:
    stack = shared_local_stack
    token, event_id = new_event(stack)
    image = photo((1000, 2000), orientation=6)  # displayed 2000x1000
    data_url = f"data:image/jpeg;base64,{base64.b64encode(image).decode()}"

    saved = stack.api("POST", f"/events/{event_id}/background", {"image": data_url}, token=token)
    assert saved.status_code == 200, saved.text
    shown = Image.open(io.BytesIO(requests.get(saved.json()["background_url"], timeout=10).content))
    assert shown.size == (1960, 980)

    too_big = json.dumps({"image": "data:image/jpeg;base64," + "A" * (6 * 1024 * 1024)})
    refused = stack.session.post(
        f"{stack.api_url}/events/{event_id}/background",
        data=too_big,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        timeout=30,
    )
    assert refused.status_code == 413, refused.text
    assert "upload-url" in refused.json()["error"]["message"]
