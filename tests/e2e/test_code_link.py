"""A buyer opens a shared ?code= link in a real Chromium: the hidden ticket it unlocks appears with
the discounted price, the order goes through with the code, and a wrong code typed into "Have a
code?" is explained beside the field. Screenshots at 1280 and 375 px."""

from tests.e2e.conftest import unique_email
from tests.e2e.test_card_payment import _signed_in
from tests.e2e.ui import shots


def test_a_buyer_orders_a_hidden_ticket_at_the_discounted_price_from_a_code_link(browser, stack):
    organizer = stack.signup(unique_email("olga"), "Olga Organizer")
    event = stack.create_event(organizer["token"], "Member Night")
    table = {
        "tickets": [
            {"name": "Standard", "type": "paid", "price": "40.00", "quantity": 50},
            {"name": "Members", "type": "paid", "price": "30.00", "quantity": 20, "hidden": True},
        ]
    }
    standard, members = stack.api("PUT", f"/events/{event['id']}/tickets", table, organizer["token"]).json()
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    made = stack.api(
        "POST",
        f"/events/{event['id']}/codes",
        {"code": "MEMBER25", "unlocks_hidden": True, "discount": {"percent": "25"}, "max_uses": 5},
        organizer["token"],
    )
    assert made.status_code == 201, made.text
    buyer = stack.signup(unique_email("ben"), "Ben Buyer")
    browser.console.allowed_statuses.add(422)

    page = _signed_in(browser, stack, buyer, f"#/public/events/{event['id']}?code=member25")
    row = page.locator(f"[data-ticket-id='{members['id']}']")
    row.wait_for()
    assert "22.50" in row.locator("[data-price-with-code]").inner_text()
    assert "30.00" in row.locator("del").inner_text()
    assert "30.00" in page.locator(f"[data-ticket-id='{standard['id']}'] [data-price-with-code]").inner_text()
    assert "MEMBER25 applied" in page.locator("[data-code-box]").inner_text()
    shots(page, "code-link")

    page.locator(f"[data-order-quantity='{members['id']}']").fill("2")
    page.locator("[data-action=order]").click()
    page.locator("[data-order-result]").wait_for()
    orders = stack.api("GET", "/me/orders", token=buyer["token"]).json()
    assert (orders[0]["code"], orders[0]["total"]) == ("MEMBER25", "45.00")
    assert orders[0]["items"][0]["list_price"] == "30.00"

    page.locator("[data-code-input]").fill("NOT-A-CODE")
    page.locator("[data-action=apply-code]").click()
    page.locator("[data-error-for=code]").wait_for()
    assert "not valid" in page.locator("[data-error-for=code]").inner_text()
    assert page.locator(f"[data-ticket-id='{members['id']}']").count() == 0
    shots(page, "code-refused")
