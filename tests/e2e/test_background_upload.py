"""The wizard's background step beyond the happy path: a large original goes through the presigned
upload URL, "Remove" deletes the image, and the server's refusal is shown to the user."""

from PIL import Image

from tests.e2e.conftest import unique_email
from tests.e2e.test_wizard_flow import crop_and_upload, make_photo


def _open_background_step(page, stack, name):
    session = stack.signup(unique_email("bg"), "Bea Background")
    event = stack.create_event(session["token"], name)
    page.goto(f"{stack.base_url}/#/signin")
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    page.goto(f"{stack.base_url}/?fresh#/events/{event['id']}/edit/background")
    page.wait_for_selector("[data-background-file]")
    return session, event


def test_a_large_original_goes_through_the_presigned_url_and_remove_deletes_it(page, stack, tmp_path):
    session, event = _open_background_step(page, stack, "Big Picture Fest")
    photo = make_photo(tmp_path / "large.png", size=(1800, 1200), noisy=True)
    assert photo.stat().st_size > 3 * 1024 * 1024
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))

    crop_and_upload(page, photo)
    page.locator("[data-background-image]").wait_for()
    assert any(url.endswith("/background/upload-url") for _, url in requests)
    direct = [url for method, url in requests if method == "POST" and url.endswith("/background")]
    assert len(direct) == 1  # only the {"key", "crop"} call: the bytes went to S3
    stored = stack.api("GET", f"/events/{event['id']}", token=session["token"]).json()
    assert stored["background_url"] == page.locator("[data-background-image]").get_attribute("src")

    page.locator("[data-action=remove-background]").click()
    page.locator("dialog[data-modal=confirm] [data-action=confirm]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-upload-status]').textContent === 'Background removed.'"
    )
    assert page.locator("[data-background-image]").count() == 0
    assert page.locator("[data-action=remove-background]").is_hidden()
    assert stack.api("GET", f"/events/{event['id']}", token=session["token"]).json()["background_url"] is None


def test_the_servers_refusal_is_shown_and_no_preview_appears(page, stack, browser, tmp_path):
    _open_background_step(page, stack, "Too Many Pixels")
    huge = tmp_path / "huge.png"
    Image.new("RGB", (8200, 5000), (30, 120, 200)).save(huge, format="PNG")  # 41 MP, a small file
    browser.console.allowed_statuses.update({413, 422})
    crop_and_upload(page, huge)
    error = page.locator("[data-background-error]")
    error.wait_for()
    assert "pixel" in error.inner_text().lower() or "megapixel" in error.inner_text().lower()
    assert page.locator("[data-background-image]").count() == 0
    assert page.locator("[data-upload-progress]").is_hidden()


def test_crop_box_is_in_the_displayed_orientation_of_an_exif_rotated_photo(page, stack, tmp_path):
    """Stored 1600x1200 with EXIF orientation 6 (shown 1200x1600): the cropper's box and the server's
    agree, so the default full-width 2:1 box is 1200x600 and is accepted."""
    _open_background_step(page, stack, "Rotated Photo Party")
    photo = tmp_path / "rotated.jpg"
    image = Image.new("RGB", (1600, 1200), (200, 60, 60))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(photo, format="JPEG", exif=exif)
    sent = []
    page.on(
        "request",
        lambda r: (
            sent.append(r.post_data_json) if r.method == "POST" and r.url.endswith("/background") else None
        ),
    )
    crop_and_upload(page, photo)
    page.locator("[data-background-image]").wait_for()
    assert sent[0]["crop"]["width"] == 1200
    assert sent[0]["crop"]["height"] == 600
