"""Flow d: a paid ticket with an empty price shows the server's error beside that row's price field."""

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import sign_up


def test_empty_paid_price_error_is_shown_beside_that_rows_price(browser, page, stack):
    sign_up(page, stack, unique_email("tix"), "Tina Tickets")
    token = page.evaluate("JSON.parse(localStorage.getItem('marquee.session')).token")
    event = stack.create_event(token, "Ticket Errors Expo")
    page.goto(f"{stack.base_url}/#/events/{event['id']}/edit/tickets")
    page.wait_for_selector("[data-no-tickets]")

    page.locator("[data-action=add-free]").click()
    page.locator("[data-ticket-row='0'] [data-field=name]").fill("Community")
    page.locator("[data-action=add-paid]").click()
    page.locator("[data-ticket-row='1'] [data-field=name]").fill("Supporter")
    assert page.locator("[data-ticket-row='0'] [data-field=price]").count() == 0  # free: a label
    assert page.locator("[data-ticket-row='0'] [data-price-label]").inner_text() == "Free"

    browser.console.allowed_statuses.add(422)
    page.locator("[data-action=save-tickets]").click()
    error = page.locator("[data-ticket-row='1'] [data-error-for='tickets[1].price']")
    error.wait_for()
    assert "price" in error.inner_text().lower()
    price = page.locator("[data-ticket-row='1'] [data-field=price]")
    assert price.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in price.get_attribute("aria-describedby")
    assert page.locator("[data-ticket-row='0'] .field-error:visible").count() == 0
    save_screenshot(page, "flow-d-ticket-price-error")

    price.fill("12.50")
    page.locator("[data-action=save-tickets]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-tickets-status]').textContent === 'Tickets saved.'"
    )
    assert page.locator("[data-ticket-row='1'] [data-field=price]").input_value() == "12.50"
    assert page.locator("[data-ticket-row] .field-error:visible").count() == 0
