"""Background image: the presigned S3 POST flow for large originals, and who may change the image."""

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.config import settings
from tests.api.conftest import Api
from tests.api.test_background import data_url, halves_jpeg, jpeg, key_of, read_image, s3, stored_keys

BLUE = (0, 0, 255)
RED = (255, 0, 0)
MAX_UPLOAD = 25 * 1024 * 1024


@pytest.fixture
def organizer(signup: Callable[..., str]) -> str:
    return signup("organizer@example.com")


@pytest.fixture
def event(make_event: Callable[..., dict], organizer: str) -> dict:
    return make_event(organizer)


def user_id(api: Api, token: str) -> str:
    return str(api.get("/me", token=token).json["id"])


def upload_url(api: Api, event_id: str, token: str) -> dict[str, Any]:
    response = api.post(f"/events/{event_id}/background/upload-url", {}, token=token)
    assert response.status == 200, response.json
    return response.json


def put_upload(key: str, data: bytes, content_type: str = "image/jpeg") -> None:
    """What the browser's POST to the presigned URL leaves in the bucket (moto's in-process mock does
    not serve HTTP; tests/integration/test_background_stack.py POSTs for real)."""
    s3().put_object(Bucket=settings().uploads_bucket, Key=key, Body=data, ContentType=content_type)


def upload_exists(key: str) -> bool:
    listed = s3().list_objects_v2(Bucket=settings().uploads_bucket, Prefix=key)
    return any(found["Key"] == key for found in listed.get("Contents", []))


# --- the upload URL ----------------------------------------------------------------------------------------


def test_upload_url_is_a_presigned_post_for_one_key_under_the_callers_uploads(api, event, organizer):
    target = upload_url(api, event["id"], organizer)

    assert target["key"].startswith(f"uploads/{user_id(api, organizer)}/")
    assert target["fields"]["key"] == target["key"]
    assert settings().uploads_bucket in target["url"]
    policy = json.loads(base64.b64decode(target["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, MAX_UPLOAD] in conditions
    assert ["starts-with", "$Content-Type", "image/"] in conditions
    assert {"key": target["key"]} in conditions
    assert {"bucket": settings().uploads_bucket} in conditions
    # SigV4 (S3 refuses SigV2 for buckets created since 2020; boto3 would use it in us-east-1).
    assert target["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert "x-amz-signature" in target["fields"] and "AWSAccessKeyId" not in target["fields"]


def test_every_upload_url_has_its_own_key(api, event, organizer):
    assert upload_url(api, event["id"], organizer)["key"] != upload_url(api, event["id"], organizer)["key"]


def test_policy_expires_in_about_ten_minutes(api, event, organizer):
    from datetime import UTC, datetime

    target = upload_url(api, event["id"], organizer)
    expiration = json.loads(base64.b64decode(target["fields"]["policy"]))["expiration"]

    remaining = datetime.fromisoformat(expiration.replace("Z", "+00:00")) - datetime.now(UTC)
    assert 540 <= remaining.total_seconds() <= 600


# --- processing an uploaded key ----------------------------------------------------------------------------


def test_uploaded_original_is_processed_with_the_crop_and_then_deleted(api, event, organizer):
    target = upload_url(api, event["id"], organizer)
    put_upload(target["key"], halves_jpeg((1000, 2000), top=RED, bottom=BLUE, orientation=6))

    response = api.post(
        f"/events/{event['id']}/background",
        {"key": target["key"], "crop": {"x": 0, "y": 0, "width": 1000, "height": 500}},
        token=organizer,
    )

    assert response.status == 200, response.json
    assert response.json["status"] == "ok"
    full = read_image(response.json["background_url"])
    assert full.size == (1000, 500)
    assert full.getpixel((500, 250))[2] > 200  # the blue (left) half of the displayed image
    assert set(response.json["background_variants"]) == {"1000", "980", "490"}
    assert stored_keys(event["id"]) == sorted(
        key_of(u) for u in response.json["background_variants"].values()
    )
    assert not upload_exists(target["key"])
    stored = api.get(f"/events/{event['id']}", token=organizer).json
    assert stored["background_url"] == response.json["background_url"]


def test_uploaded_original_without_crop_is_centre_cropped(api, event, organizer):
    target = upload_url(api, event["id"], organizer)
    put_upload(target["key"], jpeg((3000, 3000)))

    response = api.post(f"/events/{event['id']}/background", {"key": target["key"]}, token=organizer)

    assert response.status == 200, response.json
    assert read_image(response.json["background_url"]).size == (1960, 980)


def test_a_key_is_good_for_one_request(api, event, organizer):
    target = upload_url(api, event["id"], organizer)
    put_upload(target["key"], jpeg((2000, 1000)))
    assert (
        api.post(f"/events/{event['id']}/background", {"key": target["key"]}, token=organizer).status == 200
    )

    again = api.post(f"/events/{event['id']}/background", {"key": target["key"]}, token=organizer)

    assert (again.status, again.error_code) == (422, "validation_error")
    assert "upload again" in again.json["error"]["details"]["key"]


def test_a_key_uploaded_by_another_user_is_403_and_left_alone(api, event, organizer, signup, make_event):
    other = signup("other@example.com")
    other_event = make_event(other, name="Theirs")
    target = upload_url(api, other_event["id"], other)
    put_upload(target["key"], jpeg((2000, 1000)))

    response = api.post(f"/events/{event['id']}/background", {"key": target["key"]}, token=organizer)

    assert (response.status, response.error_code) == (403, "forbidden")
    assert upload_exists(target["key"])
    assert stored_keys(event["id"]) == []


@pytest.mark.parametrize(
    "key",
    [
        "events/some-event/background/abc-1960.jpg",
        "uploads/",
        "uploads/someone-else/0123456789abcdef0123456789abcdef",
        "/uploads/x",
    ],
)
def test_a_key_outside_the_callers_uploads_is_403(api, event, organizer, key):
    response = api.post(f"/events/{event['id']}/background", {"key": key}, token=organizer)

    assert (response.status, response.error_code) == (403, "forbidden")


@pytest.mark.parametrize(
    "suffix", ["../../events/x", "", "NOT-A-UUID", "0123456789abcdef0123456789abcdef/more"]
)
def test_a_key_not_shaped_like_ours_is_422(api, event, organizer, suffix):
    key = f"uploads/{user_id(api, organizer)}/{suffix}"

    response = api.post(f"/events/{event['id']}/background", {"key": key}, token=organizer)

    assert (response.status, response.error_code) == (422, "validation_error")
    assert "key" in response.json["error"]["details"]


@pytest.mark.parametrize("key", [123, ["uploads/x"], {"key": "x"}])
def test_a_key_that_is_not_a_string_is_422(api, event, organizer, key):
    response = api.post(f"/events/{event['id']}/background", {"key": key}, token=organizer)

    assert (response.status, response.error_code) == (422, "validation_error")


def test_a_missing_upload_is_a_clear_422(api, event, organizer):
    target = upload_url(api, event["id"], organizer)  # never uploaded

    response = api.post(f"/events/{event['id']}/background", {"key": target["key"]}, token=organizer)

    assert (response.status, response.error_code) == (422, "validation_error")
    assert "Nothing is uploaded under this key" in response.json["error"]["details"]["key"]
    assert stored_keys(event["id"]) == []


def test_an_uploaded_file_that_is_not_an_image_is_415_and_deleted(api, event, organizer):
    target = upload_url(api, event["id"], organizer)
    put_upload(target["key"], b"%PDF-1.4\n%%EOF\n", content_type="image/png")

    response = api.post(f"/events/{event['id']}/background", {"key": target["key"]}, token=organizer)

    assert (response.status, response.error_code) == (415, "unsupported_media_type")
    assert not upload_exists(target["key"])
    assert stored_keys(event["id"]) == []


def test_an_oversized_upload_is_413_without_being_processed(api, event, organizer):
    target = upload_url(api, event["id"], organizer)
    put_upload(target["key"], jpeg((400, 200)) + b"\0" * MAX_UPLOAD)

    response = api.post(f"/events/{event['id']}/background", {"key": target["key"]}, token=organizer)

    assert (response.status, response.error_code) == (413, "payload_too_large")
    assert not upload_exists(target["key"])
    assert stored_keys(event["id"]) == []


def test_a_bad_crop_with_a_key_is_422_and_changes_nothing(api, event, organizer):
    target = upload_url(api, event["id"], organizer)
    put_upload(target["key"], jpeg((2000, 1000)))

    response = api.post(
        f"/events/{event['id']}/background",
        {"key": target["key"], "crop": {"x": 0, "y": 0, "width": 300, "height": 300}},
        token=organizer,
    )

    assert (response.status, response.error_code) == (422, "validation_error")
    assert "crop" in response.json["error"]["details"]
    assert stored_keys(event["id"]) == []
    assert api.get(f"/events/{event['id']}", token=organizer).json["background_url"] is None


# --- who may change the background --------------------------------------------------------------------------


def try_everything(api: Api, event_id: str, token: str) -> list[int]:
    """POST a data URL, get an upload URL, DELETE: the three statuses."""
    return [
        api.post(f"/events/{event_id}/background", {"image": data_url(jpeg((800, 400)))}, token=token).status,
        api.post(f"/events/{event_id}/background/upload-url", {}, token=token).status,
        api.delete(f"/events/{event_id}/background", token=token).status,
    ]


def test_a_coorganizer_may_change_the_background(api, event, organizer, signup, grant_role):
    member = signup("coorganizer@example.com")
    grant_role(event["id"], organizer, member, "coorganizer")

    assert try_everything(api, event["id"], member) == [200, 200, 200]


def test_the_organizer_may_change_the_background(api, event, organizer):
    assert try_everything(api, event["id"], organizer) == [200, 200, 200]


@pytest.mark.parametrize("super_admin", [True, False])
def test_staff_may_change_the_background_of_any_event(api, event, make_staff, super_admin):
    staff = make_staff(super_admin=super_admin)

    assert try_everything(api, event["id"], staff) == [200, 200, 200]


@pytest.mark.parametrize("role", ["track_organizer", "moderator"])
def test_other_roles_may_not(api, event, organizer, signup, grant_role, role):
    member = signup(f"{role}@example.com")
    grant_role(event["id"], organizer, member, role)
    upload = api.post(
        f"/events/{event['id']}/background", {"image": data_url(jpeg((800, 400)))}, token=organizer
    )
    before = stored_keys(event["id"])

    assert try_everything(api, event["id"], member) == [403, 403, 403]
    assert stored_keys(event["id"]) == before
    stored = api.get(f"/events/{event['id']}", token=organizer).json
    assert stored["background_url"] == upload.json["background_url"]


def test_a_user_without_a_role_may_not(api, event, signup):
    outsider = signup("outsider@example.com")

    assert try_everything(api, event["id"], outsider) == [403, 403, 403]
    assert stored_keys(event["id"]) == []
