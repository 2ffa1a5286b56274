"""Background image API (docs/api.md "Background image"): data URL uploads, the presigned S3 flow, removal,
guards and bad input, with the renditions read back from (moto's) S3."""

import base64
import hashlib
import io
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from PIL import Image

from chalicelib.config import settings
from tests.api.conftest import Api

RED = (255, 0, 0)
BLUE = (0, 0, 255)
GREEN = (0, 160, 0)
WIDTHS = (1960, 980, 490)
ORIENTATION_TAG = 0x0112
SIX_MB = 6 * 1024 * 1024


# --- images and helpers -----------------------------------------------------------------------------------


def jpeg(size: tuple[int, int], colour: tuple[int, int, int] = BLUE, orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, colour)
    buffer = io.BytesIO()
    params: dict[str, Any] = {"quality": 90}
    if orientation is not None:
        exif = Image.Exif()
        exif[ORIENTATION_TAG] = orientation
        params["exif"] = exif.tobytes()
    image.save(buffer, format="JPEG", **params)
    return buffer.getvalue()


def halves_jpeg(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int], orientation: int
) -> bytes:
    """Stored with ``top`` over ``bottom``, displayed as the EXIF ``orientation`` says."""
    width, height = size
    image = Image.new("RGB", size, top)
    image.paste(bottom, (0, height // 2, width, height))
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()


def noise_png(size: tuple[int, int]) -> bytes:
    image = Image.merge("RGB", [Image.effect_noise(size, 120) for _ in range(3)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes, media_type: str = "image/jpeg") -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


def s3() -> Any:
    return boto3.client("s3", region_name="us-east-1")


def stored_keys(event_id: str) -> list[str]:
    listed = s3().list_objects_v2(Bucket=settings().media_bucket, Prefix=f"events/{event_id}/")
    return sorted(found["Key"] for found in listed.get("Contents", []))


def key_of(url: str) -> str:
    prefix = f"{settings().media_base_url}/"
    assert url.startswith(prefix), url
    return url[len(prefix) :]


def read_image(url: str) -> Image.Image:
    body = s3().get_object(Bucket=settings().media_bucket, Key=key_of(url))["Body"].read()
    return Image.open(io.BytesIO(body))


def close_to(pixel: tuple[int, ...], colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def rename_behind_the_back(event_id: str) -> None:
    """Another request's edit of the event (a PATCH would bump event_ver the same way)."""
    from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk

    EventModel(event_pk(event_id), EVENT_SK).update(
        actions=[EventModel.name.set("Renamed meanwhile"), EventModel.event_ver.add(1)]
    )


def versions(api: Api, event_id: str, token: str) -> dict[str, int]:
    return api.get(f"/events/{event_id}/versions", token=token).json


@pytest.fixture
def organizer(signup: Callable[..., str]) -> str:
    return signup("organizer@example.com")


@pytest.fixture
def event(make_event: Callable[..., dict], organizer: str) -> dict:
    return make_event(organizer)


def upload(api: Api, event_id: str, token: str, image: bytes, crop: dict | None = None, **kw: Any) -> Any:
    body: dict[str, Any] = {"image": data_url(image)}
    if crop is not None:
        body["crop"] = crop
    return api.post(f"/events/{event_id}/background", body, token=token, **kw)


# --- data URL uploads -------------------------------------------------------------------------------------


def test_data_url_upload_stores_three_immutable_renditions_and_points_the_event_at_them(
    api, event, organizer
):
    before = versions(api, event["id"], organizer)["event_ver"]

    response = upload(api, event["id"], organizer, jpeg((4000, 2000)))

    assert response.status == 200, response.json
    body = response.json
    assert body["status"] == "ok"
    assert set(body["background_variants"]) == {"1960", "980", "490"}
    assert body["background_url"] == body["background_variants"]["1960"]
    full = s3().get_object(Bucket=settings().media_bucket, Key=key_of(body["background_url"]))["Body"].read()
    content_hash = hashlib.sha256(full).hexdigest()
    for width in WIDTHS:
        url = body["background_variants"][str(width)]
        key = key_of(url)
        assert key == f"events/{event['id']}/background/{content_hash}-{width}.jpg"
        head = s3().head_object(Bucket=settings().media_bucket, Key=key)
        assert head["ContentType"] == "image/jpeg"
        assert head["CacheControl"] == "public, max-age=31536000, immutable"
        image = read_image(url)
        assert (image.format, image.size) == ("JPEG", (width, width // 2))
    assert len(stored_keys(event["id"])) == 3

    stored = api.get(f"/events/{event['id']}", token=organizer).json
    assert stored["background_url"] == body["background_url"]
    assert stored["background_variants"] == body["background_variants"]
    assert versions(api, event["id"], organizer)["event_ver"] == before + 1


def test_a_small_image_is_never_upscaled_and_only_smaller_widths_are_kept(api, event, organizer):
    response = upload(api, event["id"], organizer, jpeg((1200, 600)))

    assert response.status == 200, response.json
    variants = response.json["background_variants"]
    assert set(variants) == {"1200", "980", "490"}
    assert response.json["background_url"] == variants["1200"]
    assert read_image(variants["1200"]).size == (1200, 600)


def test_orientation_6_is_applied_and_read_back_upright_from_s3(api, event, organizer):
    # Stored 1000x2000 red over blue; orientation 6 displays it turned 90 degrees clockwise:
    # 2000x1000 with blue on the left and red on the right.
    image = halves_jpeg((1000, 2000), top=RED, bottom=BLUE, orientation=6)

    response = upload(api, event["id"], organizer, image)

    assert response.status == 200, response.json
    full = read_image(response.json["background_url"])
    assert full.size == (1960, 980)
    assert close_to(full.getpixel((400, 490)), BLUE)
    assert close_to(full.getpixel((1560, 490)), RED)
    assert ORIENTATION_TAG not in full.getexif()


def test_crop_box_selects_the_area_in_displayed_pixels(api, event, organizer):
    image = halves_jpeg((1000, 2000), top=RED, bottom=BLUE, orientation=6)  # displayed 2000x1000

    response = upload(
        api, event["id"], organizer, image, crop={"x": 1000, "y": 250, "width": 1000, "height": 500}
    )

    assert response.status == 200, response.json
    full = read_image(response.json["background_url"])
    assert full.size == (1000, 500)
    assert set(response.json["background_variants"]) == {"1000", "980", "490"}
    assert close_to(full.getpixel((100, 250)), RED) and close_to(full.getpixel((900, 250)), RED)


def test_png_data_url_bigger_than_the_default_json_limit_is_accepted(api, event, organizer):
    image = noise_png((1200, 600))
    assert len(data_url(image, "image/png")) > 1024 * 1024

    response = api.post(
        f"/events/{event['id']}/background", {"image": data_url(image, "image/png")}, token=organizer
    )

    assert response.status == 200, response.json
    assert read_image(response.json["background_url"]).size == (1200, 600)


def test_reupload_deletes_the_previous_objects(api, event, organizer):
    first = upload(api, event["id"], organizer, jpeg((2000, 1000), RED)).json
    second = upload(api, event["id"], organizer, jpeg((2000, 1000), GREEN)).json

    assert first["background_url"] != second["background_url"]
    assert stored_keys(event["id"]) == sorted(key_of(url) for url in second["background_variants"].values())
    assert (
        api.get(f"/events/{event['id']}", token=organizer).json["background_url"] == second["background_url"]
    )


def test_uploading_the_same_image_again_keeps_its_objects(api, event, organizer):
    image = jpeg((2000, 1000), RED)
    first = upload(api, event["id"], organizer, image).json
    ver = versions(api, event["id"], organizer)["event_ver"]

    second = upload(api, event["id"], organizer, image)

    assert second.status == 200
    assert second.json["background_variants"] == first["background_variants"]
    assert stored_keys(event["id"]) == sorted(key_of(url) for url in first["background_variants"].values())
    assert versions(api, event["id"], organizer)["event_ver"] == ver + 1


def test_images_of_two_events_stay_apart(api, event, organizer, make_event):
    other = make_event(organizer, name="Other event")
    upload(api, event["id"], organizer, jpeg((2000, 1000), RED))
    upload(api, other["id"], organizer, jpeg((2000, 1000), RED))

    api.delete(f"/events/{event['id']}/background", token=organizer)

    assert stored_keys(event["id"]) == []
    assert len(stored_keys(other["id"])) == 3


# --- removal ----------------------------------------------------------------------------------------------


def test_delete_clears_the_event_and_deletes_the_objects(api, event, organizer):
    upload(api, event["id"], organizer, jpeg((2000, 1000)))
    ver = versions(api, event["id"], organizer)["event_ver"]

    response = api.delete(f"/events/{event['id']}/background", token=organizer)

    assert (response.status, response.json) == (200, {"status": "ok"})
    stored = api.get(f"/events/{event['id']}", token=organizer).json
    assert stored["background_url"] is None and stored["background_variants"] is None
    assert stored_keys(event["id"]) == []
    assert versions(api, event["id"], organizer)["event_ver"] == ver + 1


def test_deleting_the_event_deletes_its_images(api, event, organizer, make_event):
    other = make_event(organizer, name="Other")
    upload(api, event["id"], organizer, jpeg((2000, 1000)))
    upload(api, other["id"], organizer, jpeg((2000, 1000)))

    assert api.delete(f"/events/{event['id']}", token=organizer).status == 204

    assert stored_keys(event["id"]) == []
    assert len(stored_keys(other["id"])) == 3


def test_delete_without_a_background_is_ok_and_changes_nothing(api, event, organizer):
    ver = versions(api, event["id"], organizer)["event_ver"]

    response = api.delete(f"/events/{event['id']}/background", token=organizer)

    assert (response.status, response.json) == (200, {"status": "ok"})
    assert versions(api, event["id"], organizer)["event_ver"] == ver


# --- bad input --------------------------------------------------------------------------------------------


def assert_nothing_written(api: Api, event: dict, token: str) -> None:
    stored = api.get(f"/events/{event['id']}", token=token).json
    assert stored["background_url"] is None and stored["background_variants"] is None
    assert versions(api, event["id"], token)["event_ver"] == 1
    assert stored_keys(event["id"]) == []


def test_body_over_6_mb_is_413_with_a_hint_to_use_the_upload_url(api, event, organizer):
    body = json.dumps({"image": "data:image/jpeg;base64," + "A" * SIX_MB}).encode()

    response = api.post(f"/events/{event['id']}/background", token=organizer, raw=body)

    assert response.status == 413
    assert response.error_code == "payload_too_large"
    assert "upload-url" in response.json["error"]["message"]
    assert response.json["error"]["details"]["limit"] == SIX_MB
    assert_nothing_written(api, event, organizer)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"crop": {"x": 0, "y": 0, "width": 200, "height": 100}},
        {"image": ""},
        {"image": None, "key": None},
    ],
)
def test_no_image_is_400_no_image(api, event, organizer, body):
    response = api.post(f"/events/{event['id']}/background", body, token=organizer)

    assert (response.status, response.error_code) == (400, "no_image")
    assert_nothing_written(api, event, organizer)


def test_malformed_json_is_400(api, event, organizer):
    response = api.post(f"/events/{event['id']}/background", token=organizer, raw=b"{not json")

    assert (response.status, response.error_code) == (400, "malformed_json")


@pytest.mark.parametrize(
    "image",
    [
        "https://example.com/picture.jpg",
        "data:image/jpeg,not-base64-declared",
        "data:image/jpeg;base64",
        "data:image/jpeg;base64,@@@not base64@@@",
        "data:image/jpeg;base64,é",
        12345,
        ["data:image/jpeg;base64,AAAA"],
    ],
)
def test_a_data_url_that_is_not_base64_is_400(api, event, organizer, image):
    response = api.post(f"/events/{event['id']}/background", {"image": image}, token=organizer)

    assert (response.status, response.error_code) == (400, "invalid_data_url"), response.json
    assert_nothing_written(api, event, organizer)


@pytest.mark.parametrize(
    "image",
    [
        data_url(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "image/png"),
        data_url(b"just some text, not an image at all\n", "image/jpeg"),
        data_url(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"),
        data_url(jpeg((400, 200)), "application/pdf"),
        data_url(b"hello", "text/plain"),
    ],
)
def test_not_an_image_is_415_whatever_the_declared_type(api, event, organizer, image):
    response = api.post(f"/events/{event['id']}/background", {"image": image}, token=organizer)

    assert (response.status, response.error_code) == (415, "unsupported_media_type"), response.json
    assert_nothing_written(api, event, organizer)


def test_corrupt_image_is_422_not_500(api, event, organizer):
    truncated = jpeg((2000, 1000))[:600]

    response = upload(api, event["id"], organizer, truncated)

    assert (response.status, response.error_code) == (422, "validation_error"), response.json
    assert "image" in response.json["error"]["details"]
    assert_nothing_written(api, event, organizer)


@pytest.mark.parametrize(
    "crop",
    [
        {"x": 0, "y": 0, "width": 500, "height": 500},  # not 2:1
        {"x": 1500, "y": 0, "width": 1000, "height": 500},  # beyond the right edge
        {"x": -50, "y": 0, "width": 400, "height": 200},  # left of the image
        {"x": 0, "y": 0, "width": 0, "height": 0},
        {"x": "0", "y": 0, "width": 400, "height": 200},
        {"x": 0, "y": 0, "width": 400},
        [0, 0, 400, 200],
        "0,0,400,200",
    ],
)
def test_bad_crop_box_is_422(api, event, organizer, crop):
    response = upload(api, event["id"], organizer, jpeg((2000, 1000)), crop=crop)

    assert (response.status, response.error_code) == (422, "validation_error"), response.json
    assert "crop" in response.json["error"]["details"]
    assert_nothing_written(api, event, organizer)


def test_image_and_key_together_are_refused(api, event, organizer):
    response = api.post(
        f"/events/{event['id']}/background",
        {"image": data_url(jpeg((400, 200))), "key": "uploads/x/y"},
        token=organizer,
    )

    assert response.status == 422
    assert_nothing_written(api, event, organizer)


def test_unknown_event_is_404(api, organizer):
    response = upload(api, "no-such-event", organizer, jpeg((400, 200)))

    assert response.status == 404


def test_signed_out_is_401(api, event):
    assert upload(api, event["id"], "", jpeg((400, 200))).status == 401
    assert api.post(f"/events/{event['id']}/background/upload-url").status == 401
    assert api.delete(f"/events/{event['id']}/background").status == 401


# --- If-Match -----------------------------------------------------------------------------------------------


def test_if_match_with_the_events_current_etag_is_accepted(api, event, organizer):
    etag = api.get(f"/events/{event['id']}", token=organizer).headers["etag"]

    response = upload(api, event["id"], organizer, jpeg((2000, 1000)), headers={"If-Match": etag})

    assert response.status == 200, response.json


def test_if_match_stale_is_412_and_nothing_changes(api, event, organizer):
    stale = api.get(f"/events/{event['id']}", token=organizer).headers["etag"]
    first = upload(api, event["id"], organizer, jpeg((2000, 1000), RED)).json
    ver = versions(api, event["id"], organizer)["event_ver"]
    keys = stored_keys(event["id"])

    replaced = upload(api, event["id"], organizer, jpeg((2000, 1000), GREEN), headers={"If-Match": stale})
    removed = api.delete(f"/events/{event['id']}/background", token=organizer, headers={"If-Match": stale})

    assert (replaced.status, replaced.error_code) == (412, "precondition_failed")
    assert (removed.status, removed.error_code) == (412, "precondition_failed")
    assert (
        api.get(f"/events/{event['id']}", token=organizer).json["background_url"] == first["background_url"]
    )
    assert versions(api, event["id"], organizer)["event_ver"] == ver
    assert stored_keys(event["id"]) == keys


def test_a_write_that_loses_the_race_cleans_up_its_objects(api, event, organizer, monkeypatch):
    """The event changes between the guard's read and the write (If-Match sent): 412, and the renditions
    already stored for the losing image are deleted again."""
    from chalicelib.services import backgrounds

    etag = api.get(f"/events/{event['id']}", token=organizer).headers["etag"]
    original = backgrounds.storage.put_renditions

    def put_then_someone_edits(event_id: str, image: Any) -> dict[int, str]:
        keys = original(event_id, image)
        rename_behind_the_back(event_id)
        return keys

    monkeypatch.setattr(backgrounds.storage, "put_renditions", put_then_someone_edits)
    response = upload(api, event["id"], organizer, jpeg((2000, 1000)), headers={"If-Match": etag})

    assert response.status == 412
    assert stored_keys(event["id"]) == []
    assert api.get(f"/events/{event['id']}", token=organizer).json["background_url"] is None


def test_without_if_match_a_concurrent_edit_is_retried_and_the_replaced_image_deleted(
    api, event, organizer, monkeypatch
):
    from chalicelib.services import backgrounds

    upload(api, event["id"], organizer, jpeg((2000, 1000), RED))
    original = backgrounds.storage.put_renditions
    edits = iter([True])

    def put_then_someone_edits(event_id: str, image: Any) -> dict[int, str]:
        keys = original(event_id, image)
        if next(edits, False):
            rename_behind_the_back(event_id)
        return keys

    monkeypatch.setattr(backgrounds.storage, "put_renditions", put_then_someone_edits)
    response = upload(api, event["id"], organizer, jpeg((2000, 1000), GREEN))

    assert response.status == 200, response.json
    stored = api.get(f"/events/{event['id']}", token=organizer).json
    assert stored["name"] == "Renamed meanwhile"
    assert stored["background_url"] == response.json["background_url"]
    assert stored_keys(event["id"]) == sorted(
        key_of(url) for url in response.json["background_variants"].values()
    )
