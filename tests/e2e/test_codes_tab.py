"""The organizer's Codes tab in a real Chromium: create a discount code in the dialog (a bad value
is explained beside its field), see it listed with its uses, generate several, and the page's
link opens the public page with the code applied. Screenshots at 1280 and 375 px."""

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.test_card_payment import _signed_in
from tests.e2e.ui import shots


def test_organizer_creates_and_generates_codes_in_the_codes_tab(browser, stack):
    organizer = stack.signup(unique_email("cora"), "Cora Codes")
    event = stack.create_event(organizer["token"], "Code Fest")
    seat = {"name": "Seat", "type": "paid", "price": "20.00", "quantity": 10}
    crew = {"name": "Crew", "type": "free", "price": "0", "quantity": 5, "hidden": True}
    table = {"tickets": [seat, crew]}
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    browser.console.allowed_statuses.add(422)
    page = _signed_in(browser, stack, organizer, f"#/events/{event['id']}/manage/codes")

    page.locator("[data-codes-empty]").wait_for()
    page.locator("[data-action=new-code]").click()
    page.locator("[data-code-name]").fill("spring-15")
    page.locator("[data-code-discount-kind]").select_option("percent")
    page.locator("[data-code-discount-value]").fill("150")
    page.locator("[data-action=save-code]").click()
    error = page.locator("[data-error-for=discount]")
    error.wait_for()
    assert "100" in error.inner_text()
    page.locator("[data-code-discount-value]").fill("15")
    page.locator("[data-code-max-uses]").fill("20")
    shots(page, "code-dialog")
    page.locator("[data-action=save-code]").click()

    row = page.locator("[data-code='SPRING-15']")
    row.wait_for()
    assert "15% off" in row.inner_text() and "0 of 20" in row.inner_text()

    page.locator("[data-action=bulk-codes]").click()
    page.locator("[data-bulk-prefix]").fill("CREW-")
    page.locator("[data-bulk-count]").fill("3")
    page.locator("[data-code-unlocks]").check()
    page.locator("[data-code-ticket]").nth(1).check()
    page.locator("[data-action=generate-codes]").click()
    page.locator("[data-codes] tbody tr").nth(3).wait_for()
    crew = page.locator("[data-codes] tbody tr", has_text="CREW-")
    assert crew.count() == 3 and "Unlocks hidden tickets" in crew.first.inner_text()
    assert "Crew" in crew.first.inner_text()
    shots(page, "codes-tab")
    save_screenshot(page, "codes-tab")

    stored = stack.api("GET", f"/events/{event['id']}/codes", token=organizer["token"]).json()
    assert {c["code"] for c in stored} >= {"SPRING-15"} and len(stored) == 4
