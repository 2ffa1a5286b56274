"""Check-in in the browser: the organizer's event page counts attendees in, live, as a door scans;
door staff are offered in the invite form and their dashboard opens the scanner; the super
admin's matrix has the door staff row and the attendee column."""

import uuid

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import PASSWORD, no_horizontal_overflow, sign_in


def _event_with_attendees(stack, organizer, quantity=2):
    event = stack.create_event(organizer["token"], "Door Night")
    ticket = stack.api(
        "POST",
        f"/events/{event['id']}/tickets",
        {"name": "Community", "type": "free", "price": "0", "quantity": 30},
        organizer["token"],
    ).json()
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    buyer = stack.signup(unique_email("buyer"), "Bea Buyer")
    order = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": quantity}]},
        buyer["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ).json()
    codes = [
        a["code"] for a in stack.api("GET", f"/orders/{order['id']}/attendees", token=buyer["token"]).json()
    ]
    return event, codes


def test_the_panel_counts_a_door_scan_live_and_door_staff_open_the_scanner(browser_factory, stack):
    organizer = stack.signup(unique_email("lead"), "Lea Lead")
    event, codes = _event_with_attendees(stack, organizer)
    door_email = unique_email("door")
    door = stack.add_member(organizer["token"], event["id"], door_email, "checkin")

    page = browser_factory().new_page()
    sign_in(page, stack, organizer["user"]["email"], PASSWORD, then="")
    page.goto(f"{stack.base_url}/#/events/{event['id']}/manage")
    total = page.locator("[data-checkin-total]")
    page.wait_for_function(
        "() => document.querySelector('[data-checkin-total]')?.textContent.includes('of 2')"
    )
    assert total.inner_text() == "0 of 2 checked in"
    page.wait_for_selector("[data-checkin-live=on]")
    assert page.locator(f"[data-member-email='{door_email}']").get_attribute("data-member-role") == "checkin"
    page.locator("[data-form=invite] select").wait_for()
    options = page.locator("[data-form=invite] select option").all_inner_texts()
    assert "Door staff (check-in)" in options

    scanned = stack.api(
        "POST",
        f"/events/{event['id']}/checkins",
        {
            "scans": [
                {
                    "id": str(uuid.uuid4()),
                    "code": codes[0],
                    "scanned_at": "2027-05-01T09:01:00+02:00",
                    "device": "Gate",
                }
            ]
        },
        door["token"],
    )
    assert scanned.json()["results"][0]["result"] == "ok"

    page.wait_for_function(
        "() => document.querySelector('[data-checkin-total]')?.textContent.startsWith('1 of 2')"
    )
    assert page.locator("[data-checkin-tickets] [data-checked-in]").inner_text() == "1"
    save_screenshot(page, "checkin-panel-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    assert no_horizontal_overflow(page)
    save_screenshot(page, "checkin-panel-375")

    door_page = browser_factory(viewport={"width": 375, "height": 800}).new_page()
    sign_in(door_page, stack, door_email, PASSWORD)
    card = door_page.locator(f"[data-event-id='{event['id']}']")
    card.wait_for()
    assert card.locator("[data-action=scan]").get_attribute("href") == f"#/events/{event['id']}/scan"
    assert card.locator("[data-action=manage]").count() == 0
    assert card.locator("[data-role=checkin]").inner_text() == "Door staff (check-in)"
    save_screenshot(door_page, "checkin-dashboard-375")
    # Their event page is the panel alone (none of the tabs is theirs), with the scanner's link.
    door_page.goto(f"{stack.base_url}/#/events/{event['id']}/manage")
    door_page.wait_for_function(
        "() => document.querySelector('[data-checkin-total]')?.textContent.startsWith('1 of 2')"
    )
    assert door_page.locator("nav.tabs").count() == 0
    assert door_page.locator("[data-checkin-panel] [data-action=scan]").is_visible()
    save_screenshot(door_page, "checkin-door-manage-375")


def test_the_matrix_page_has_the_door_staff_row_and_attendee_column(page, stack):
    sign_in(page, stack, stack.superadmin_email, stack.superadmin_password)
    page.goto(f"{stack.base_url}/#/admin/permissions")
    page.wait_for_selector("[data-matrix-role=checkin]")
    cells = {
        cell: page.locator(f"[data-cell='{cell}']").is_checked()
        for cell in (
            "checkin.attendee.read",
            "checkin.attendee.update",
            "checkin.attendee.create",
            "checkin.track.read",
            "coorganizer.attendee.update",
            "moderator.attendee.read",
        )
    }
    assert cells == {
        "checkin.attendee.read": True,
        "checkin.attendee.update": True,
        "checkin.attendee.create": False,
        "checkin.track.read": False,
        "coorganizer.attendee.update": True,
        "moderator.attendee.read": False,
    }
    assert "Door staff (check-in)" in page.locator("[data-matrix-role=checkin] caption").inner_text()
    page.locator("[data-matrix-role=checkin]").scroll_into_view_if_needed()
    save_screenshot(page, "checkin-matrix-1280")
