"""Checkout questions in a real Chromium against the real local stack: the organizer adds a required
question on the event's Questions tab; a buyer orders two seats, leaves one seat's answer blank and
sees the server's message beside that field, fills it in and the order completes; the order page
shows each attendee's answers and the attendee CSV holds them."""

import csv
import io

from tests.e2e.conftest import save_screenshot, unique_email


def _signed_in_page(browser, stack, session: dict):
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    return page


def test_a_required_question_is_asked_per_seat_and_lands_in_the_csv(browser_factory, stack):
    organizer = stack.signup(unique_email("olga"), "Olga Organizer")
    event = stack.create_event(organizer["token"], "Question Fest")
    table = {"tickets": [{"name": "Entry", "type": "free", "quantity": 10, "max_order": 5}]}
    saved = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"])
    assert saved.status_code == 200, saved.text
    ticket = saved.json()[0]
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    assert published.status_code == 200, published.text

    # The organizer adds a required choice question and an optional text one, moved above it.
    office = _signed_in_page(browser_factory(), stack, organizer)
    office.goto(f"{stack.base_url}/?fresh#/events/{event['id']}/manage/questions")
    office.locator("[data-action=add-question]").click()
    first = office.locator("[data-question]").nth(0)
    first.locator("[data-question-label]").fill("T-shirt size")
    first.locator("[data-question-kind]").select_option("choice")
    first.locator("[data-question-options]").fill("S\nM\nL")
    first.locator("[data-question-required]").check()
    office.locator("[data-action=add-question]").click()
    second = office.locator("[data-question]").nth(1)
    second.locator("[data-question-label]").fill("Dietary needs")
    second.locator("[data-action=question-up]").click()
    assert (
        office.locator("[data-question]").nth(0).locator("[data-question-label]").input_value()
        == "Dietary needs"
    )
    office.locator("[data-action=save-questions]").click()
    office.locator("[data-toast]").filter(has_text="Questions saved.").wait_for()
    stored = stack.api("GET", f"/events/{event['id']}/questions", None, organizer["token"]).json()[
        "questions"
    ]
    assert [(q["label"], q["kind"], q["required"]) for q in stored] == [
        ("Dietary needs", "text", False),
        ("T-shirt size", "choice", True),
    ]
    diet, size = stored
    save_screenshot(office, "questions-editor")
    office.set_viewport_size({"width": 375, "height": 900})
    save_screenshot(office, "questions-editor-375")

    # A buyer orders two seats and leaves the second seat's size blank.
    buyer = stack.signup(unique_email("bea"), "Bea Buyer")
    shopper = browser_factory()
    shopper.console.allowed_statuses.add(422)
    page = _signed_in_page(shopper, stack, buyer)
    page.goto(f"{stack.base_url}/?fresh#/public/events/{event['id']}")
    page.locator(f"[data-order-quantity='{ticket['id']}']").fill("2")
    seat1 = page.locator(f"[data-seat='{ticket['id']}-1']")
    seat2 = page.locator(f"[data-seat='{ticket['id']}-2']")
    seat1.locator("[data-attendee-name]").fill("Ada Lovelace")
    seat1.locator("[data-attendee-email]").fill("ada@example.com")
    seat1.locator(f"[data-answer='{size['id']}']").select_option("M")
    seat1.locator(f"[data-answer='{diet['id']}']").fill("Vegan")
    seat2.locator("[data-attendee-name]").fill("Charles Babbage")
    page.locator("[data-action=order]").click()

    blank = seat2.locator(f"[data-answer='{size['id']}']")
    error = seat2.locator(".field-error:not([hidden])")
    error.wait_for()
    assert error.inner_text() == "Choose an option."
    assert blank.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in blank.get_attribute("aria-describedby")
    assert seat1.locator(".field-error:not([hidden])").count() == 0
    assert "attendee details" in page.locator("[data-order-error]").inner_text()
    save_screenshot(page, "questions-order-error")
    page.set_viewport_size({"width": 375, "height": 900})
    save_screenshot(page, "questions-order-error-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    blank.select_option("L")
    page.locator("[data-action=order]").click()
    result = page.locator("[data-order-result=completed]")
    result.wait_for()
    assert page.locator("[data-order-error]").is_hidden()

    # The order page shows each attendee's answers.
    page.locator("[data-my-orders], a[href='#/orders']").first.click()
    page.locator("[data-order-link]").first.click()
    page.locator("[data-order-attendees] li").nth(1).wait_for()
    people = page.locator("[data-order-attendees] li")
    assert "Ada Lovelace" in people.nth(0).inner_text() and "Vegan" in people.nth(0).inner_text()
    assert people.nth(0).locator(f"[data-answer-to='{size['id']}']").inner_text() == "M"
    assert "Charles Babbage" in people.nth(1).inner_text()
    assert people.nth(1).locator(f"[data-answer-to='{size['id']}']").inner_text() == "L"
    save_screenshot(page, "questions-order-page")

    # The attendee CSV holds the answers, one column per question.
    office.set_viewport_size({"width": 1280, "height": 900})
    office.goto(f"{stack.base_url}/?fresh#/events/{event['id']}/orders")
    with office.expect_download() as download:
        office.locator("[data-action=export-attendees]").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [(r["name"], r["email"], r["T-shirt size"], r["Dietary needs"]) for r in rows] == [
        ("Ada Lovelace", "ada@example.com", "M", "Vegan"),
        ("Charles Babbage", buyer["user"]["email"], "L", ""),
    ]
