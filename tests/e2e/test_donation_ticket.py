"""The wizard's donation row (#22): the organizer sets a minimum and a suggested amount (a decimal
comma is fine), a suggestion below the minimum is refused beside its field, and a minimum of 0 is
refused: a EUR 0.00 "donation" cannot be set up."""

from tests.e2e.conftest import unique_email


def test_the_organizer_sets_a_donations_minimum_and_suggested_amount(browser, stack):
    organizer = stack.signup(unique_email("dora"), "Dora Donation")
    event = stack.create_event(organizer["token"], "Donation Days")
    browser.console.allowed_statuses.add(422)
    page = browser.new_page()
    page.goto(stack.base_url)
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", organizer)
    page.goto(f"{stack.base_url}/?fresh#/events/{event['id']}/edit/tickets")
    page.locator("[data-action=add-donation]").click()
    row = page.locator("[data-ticket-row='0']")
    row.locator("[data-field=name]").fill("Supporter")
    assert row.get_by_label("Minimum (EUR)").get_attribute("placeholder") == "1.00"
    save = page.locator("[data-action=save-tickets]")

    row.get_by_label("Minimum (EUR)").fill("0")
    save.click()
    error = row.locator("[data-error-for='tickets[0].price']")
    error.wait_for()
    assert error.inner_text() == "A donation's minimum must be more than 0."

    row.get_by_label("Minimum (EUR)").fill("10")
    row.get_by_label("Suggested (EUR)").fill("7,50")
    save.click()
    suggested_error = row.locator("[data-error-for='tickets[0].suggested_price']")
    suggested_error.wait_for()
    assert suggested_error.inner_text() == "The suggested amount can't be below the minimum (10.00)."

    row.get_by_label("Suggested (EUR)").fill("25,50")
    save.click()
    page.wait_for_function(
        "() => document.querySelector('[data-tickets-status]').textContent === 'Tickets saved.'"
    )
    saved = stack.api("GET", f"/events/{event['id']}/tickets", token=organizer["token"]).json()
    assert [(t["type"], t["price"], t["suggested_price"]) for t in saved] == [("donation", "10.00", "25.50")]
    page.reload()
    assert page.locator("[data-ticket-row='0']").get_by_label("Suggested (EUR)").input_value() == "25.50"
