"""The organizer's main pages as a person sees them, at 1280 and 375 px (screenshots under
/tmp/shots/ and test-artifacts/, none scrolling sideways): the dashboard, the wizard's steps, the
team, the program, the sales summary with its orders, and the permission matrix. The sales
figures are checked against what was ordered."""

import uuid

from tests.e2e.conftest import unique_email
from tests.e2e.ui import shots, sign_in


def _order(stack, event_id, ticket_id, quantity):
    buyer = stack.signup(unique_email("buyer"), f"Buyer {uuid.uuid4().hex[:4]}")
    response = stack.api(
        "POST",
        f"/events/{event_id}/orders",
        {"items": [{"ticket_id": ticket_id, "quantity": quantity}]},
        buyer["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_the_organizer_pages_look_right_at_both_widths(page, stack, browser_factory):
    organizer = stack.signup(unique_email("showcase"), "Olivia Organizer")
    event = stack.create_event(organizer["token"], "PyCon Showcase 2027", currency="EUR")
    base = f"/events/{event['id']}"
    stack.api(
        "PUT",
        f"{base}/tickets",
        {
            "tickets": [
                {"name": "Community", "type": "free", "quantity": 50},
                {"name": "Conference pass", "type": "paid", "price": "49.50", "quantity": 20},
            ]
        },
        organizer["token"],
    )
    tickets = {t["name"]: t for t in stack.api("GET", f"{base}/tickets", token=organizer["token"]).json()}
    stack.api("PATCH", base, {"state": "published"}, organizer["token"])
    _order(stack, event["id"], tickets["Community"]["id"], 2)
    paid = _order(stack, event["id"], tickets["Conference pass"]["id"], 2)
    _order(stack, event["id"], tickets["Conference pass"]["id"], 1)
    marked = stack.api("POST", f"{base}/orders/{paid['id']}/mark-paid", {}, organizer["token"])
    assert marked.status_code == 200, marked.text
    data_track = {"name": "Data", "color": "#1e7a3c"}
    track = stack.api("POST", f"{base}/tracks", data_track, organizer["token"]).json()
    room = stack.api("POST", f"{base}/microlocations", {"name": "Hall A"}, organizer["token"]).json()
    speaker = stack.api("POST", f"{base}/speakers", {"name": "Ada Lovelace"}, organizer["token"]).json()
    stack.api(
        "POST",
        f"{base}/sessions",
        {
            "title": "Opening keynote",
            "starts_at": "2027-05-01T09:30:00+02:00",
            "ends_at": "2027-05-01T10:15:00+02:00",
            "track_id": track["id"],
            "microlocation_id": room["id"],
            "speaker_ids": [speaker["id"]],
        },
        organizer["token"],
    )
    stack.add_member(organizer["token"], event["id"], unique_email("co"), "coorganizer")
    stack.api(
        "POST", f"{base}/invites", {"email": unique_email("later"), "role": "moderator"}, organizer["token"]
    )

    page.goto(f"{stack.base_url}/#/signin")
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", organizer)
    pages = {
        "organizer-dashboard": ("/", "[data-my-events] li"),
        "organizer-details": (f"{base}/edit", "[data-form=event-details]"),
        "organizer-background": (f"{base}/edit/background", "[data-background-file]"),
        "organizer-tickets": (f"{base}/edit/tickets", "[data-ticket-sales]"),
        "organizer-publish": (f"{base}/edit/publish", "[data-publish-summary]"),
        "organizer-people": (f"{base}/manage/people", "[data-member-role=coorganizer]"),
        "organizer-sessions": (f"{base}/manage/sessions", "[data-service-table=session] td"),
        "organizer-tracks": (f"{base}/manage/tracks", ".swatch"),
        "organizer-sales": (f"{base}/orders", "[data-sales-summary]"),
    }
    for name, (path, ready) in pages.items():
        page.goto(f"{stack.base_url}/?{name}#{path}")
        page.locator(ready).first.wait_for()
        shots(page, name)

    # The session dialog with its room and speakers, and a draft with nothing on sale.
    page.goto(f"{stack.base_url}/?editor#{base}/manage/sessions")
    page.locator("[data-service-table=session] [data-action=edit]").click()
    page.locator("dialog[data-modal=editor]").get_by_label("Ada Lovelace").wait_for()
    shots(page, "organizer-session-editor")
    page.locator("dialog[data-modal=editor] [data-action=cancel]").click()
    draft = stack.create_event(organizer["token"], "Unticketed Draft")
    page.goto(f"{stack.base_url}/?draft#/events/{draft['id']}/edit/publish")
    page.locator("[data-nothing-on-sale]").wait_for()
    shots(page, "organizer-publish-nothing-on-sale")

    # The summary's figures: 2 + 2 sold (free, marked paid), 1 reserved, revenue 2 x 49.50.
    page.goto(f"{stack.base_url}/?sales#{base}/orders")
    summary = page.locator("[data-sales-summary]")
    summary.wait_for()
    assert summary.locator("[data-stat=sold] .stat-value").inner_text() == "4"
    assert summary.locator("[data-stat=reserved] .stat-value").inner_text() == "1"
    assert "99.00" in summary.locator("[data-stat=revenue] .stat-value").inner_text()
    assert page.locator("[data-sales-chart] rect").count() >= 1
    # Filters: by status, then a search that matches nobody.
    page.locator("[data-order-status-filter]").select_option("pending")
    assert page.locator("[data-event-orders] tbody tr:not([hidden])").count() == 1
    page.locator("[data-order-status-filter]").select_option("")
    page.locator("[data-order-search]").fill("nobody-at-all")
    assert page.locator("[data-event-orders] tbody tr:not([hidden])").count() == 0
    assert page.locator("[data-order-count]").inner_text() == "0 of 3 orders"

    # A phone: the menu opened over the page.
    phone = browser_factory(viewport={"width": 375, "height": 740}).new_page()
    phone.goto(f"{stack.base_url}/#/signin")
    phone.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", organizer)
    phone.goto(f"{stack.base_url}/?menu#{base}/orders")
    phone.locator("[data-sales-summary]").wait_for()
    phone.locator("[data-action=menu]").click()
    phone.locator("[data-nav=dashboard]").wait_for()
    phone.screenshot(path="/tmp/shots/organizer-menu-375.png")

    admin = browser_factory().new_page()
    sign_in(admin, stack, stack.superadmin_email, stack.superadmin_password)
    admin.goto(f"{stack.base_url}/#/admin/permissions")
    admin.locator("[data-cell]").first.wait_for()
    assert admin.locator("th[scope=row]", has_text="Rooms").count() >= 1
    assert admin.locator("th[scope=row]", has_text="microlocation").count() == 0
    shots(admin, "organizer-admin-matrix")
