"""Flow a: an organizer signs up, runs the whole wizard with a real image file (crop, upload,
preview), adds free, paid and donation tickets with the middle one hidden, and publishes; the public
page shows exactly the two visible tickets and the image."""

import io
import os
from pathlib import Path

from PIL import Image, ImageDraw

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import create_event, sign_up


def make_photo(path: Path, size: tuple[int, int] = (1600, 1200), noisy: bool = False) -> Path:
    """A real JPEG (or, noisy, a big PNG that cannot be compressed) with something to look at."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 8):
        draw.rectangle([0, y, width, y + 8], fill=(40 + y * 180 // height, 60, 200 - y * 150 // height))
    draw.ellipse([width // 4, height // 4, width * 3 // 4, height * 3 // 4], fill=(250, 200, 40))
    if noisy:
        noise = Image.frombytes("RGB", size, os.urandom(width * height * 3))
        image = Image.blend(image, noise, 0.5)
        image.save(path, format="PNG")
    else:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        path.write_bytes(buffer.getvalue())
    return path


def crop_and_upload(page, photo: Path) -> None:
    page.locator("[data-background-file]").set_input_files(str(photo))
    dialog = page.locator("dialog[data-modal=crop]")
    dialog.wait_for()
    dialog.locator(".cropper-crop-box").wait_for()
    dialog.locator("[data-action=crop-done]").click()
    dialog.wait_for(state="detached")


def test_organizer_runs_the_whole_wizard_and_the_public_page_shows_it(browser_factory, stack, tmp_path):
    organizer_browser = browser_factory()
    page = organizer_browser.new_page()
    sign_up(page, stack, unique_email("wiz"), "Wanda Wizard")
    event_id = create_event(page, stack, "Wizard Weekend")

    # Background: pick, crop 2:1 in the modal, Done uploads at once; the preview is the server's image.
    assert page.locator("[data-background-image]").count() == 0
    crop_and_upload(page, make_photo(tmp_path / "stage.jpg"))
    preview = page.locator("[data-background-image]")
    preview.wait_for()
    assert page.locator("[data-upload-status]").inner_text() == "Background saved."
    src = preview.get_attribute("src")
    assert src.startswith(f"{stack.base_url}/media/"), src
    assert f"/{event_id}/background/" in src, src
    page.wait_for_function("() => document.querySelector('[data-background-image]').naturalWidth > 0")
    width, height = preview.evaluate("image => [image.naturalWidth, image.naturalHeight]")
    assert width == 2 * height
    page.reload()
    page.locator("[data-background-image]").wait_for()

    # Tickets: free, paid (hidden), donation; one PUT.
    page.locator("[data-action=next]").click()
    page.wait_for_selector("[data-no-tickets]")
    page.locator("[data-action=add-free]").click()
    page.locator("[data-ticket-row='0'] [data-field=name]").fill("Community pass")
    page.locator("[data-ticket-row='0'] [data-field=quantity]").fill("200")
    page.locator("[data-action=add-paid]").click()
    paid = page.locator("[data-ticket-row='1']")
    paid.locator("[data-field=name]").fill("Backstage")
    paid.locator("[data-field=price]").fill("49.90")
    paid.locator("[data-action=toggle-settings]").click()
    assert paid.locator("[data-action=toggle-settings]").get_attribute("aria-expanded") == "true"
    paid.locator("[data-field=description]").fill("Meet the speakers.")
    paid.locator("[data-field=hidden]").check()
    page.locator("[data-action=add-donation]").click()
    page.locator("[data-ticket-row='2'] [data-field=name]").fill("Support us")
    page.locator("[data-ticket-row='2'] [data-field=price]").fill("5")
    page.locator("[data-ticket-row='2'] [data-field=suggested_price]").fill("12,50")

    # A removed row asks first, and stays when the question is cancelled.
    page.locator("[data-action=add-free]").click()
    page.locator("[data-ticket-row='3'] [data-field=name]").fill("Scratch")
    page.locator("[data-ticket-row='3'] [data-action=remove-ticket]").click()
    page.locator("dialog[data-modal=confirm] [data-action=cancel]").click()
    page.locator("dialog[data-modal=confirm]").wait_for(state="detached")
    assert page.locator("[data-ticket-row]").count() == 4
    page.locator("[data-ticket-row='3'] [data-action=remove-ticket]").click()
    page.locator("dialog[data-modal=confirm] [data-action=confirm]").click()
    page.wait_for_function("() => document.querySelectorAll('[data-ticket-row]').length === 3")

    page.locator("[data-action=save-tickets]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-tickets-status]').textContent === 'Tickets saved.'"
    )
    page.reload()
    page.wait_for_selector("[data-ticket-row='2']")
    assert page.locator("[data-ticket-row='1'] [data-field=hidden]").is_checked()
    assert not page.locator("[data-ticket-row='0'] [data-field=hidden]").is_checked()

    # Publish.
    page.locator("[data-action=next]").click()
    page.locator("[data-action=publish]").click()
    page.locator("[data-public-link]").click()
    page.wait_for_selector(f"[data-public-event='{event_id}']")

    visitor = browser_factory(viewport={"width": 390, "height": 844})
    public = visitor.new_page()
    public.goto(f"{stack.base_url}/#/public/events/{event_id}")
    public.wait_for_selector("[data-public-tickets] li")
    names = public.locator("[data-public-tickets] li").evaluate_all(
        "items => items.map(i => i.dataset.ticketName)"
    )
    assert names == ["Community pass", "Support us"]
    assert "From €5.00" in public.locator("[data-ticket-name='Support us']").inner_text()
    listed = stack.api("GET", f"/public/events/{event_id}").json()["tickets"]
    assert [(t["price"], t["suggested_price"]) for t in listed if t["type"] == "donation"] == [
        ("5.00", "12.50")
    ]
    assert "200 available" in public.locator("[data-ticket-name='Community pass']").inner_text()
    image = public.locator("[data-event-image]")
    assert image.get_attribute("srcset")
    public.wait_for_function("() => document.querySelector('[data-event-image]').naturalWidth > 0")
    save_screenshot(public, "flow-a-public-event")
