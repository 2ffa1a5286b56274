"""The first impression (#22): a visitor at #/ reads what Marquee is, finds published events
(upcoming soonest first, past on request, searchable) as cards with date and zone, place and price
("Free", "From €12.00"), and an organizer finds "Create your event", which leads through signing up
to the wizard; signed in, #/ is the dashboard."""

from tests.e2e.conftest import unique_email
from tests.e2e.ui import PASSWORD, shots


def _publish(stack, token: str, name: str, tickets: list[dict], **fields) -> dict:
    event = stack.create_event(token, name, **fields)
    if tickets:
        saved = stack.api("PUT", f"/events/{event['id']}/tickets", {"tickets": tickets}, token)
        assert saved.status_code == 200, saved.text
    published = stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, token)
    assert published.status_code == 200, published.text
    return event


def _wait_for_names(page, *names: str) -> None:
    listed = "[...document.querySelectorAll('[data-event-link]')].map(a => a.textContent).join('|')"
    page.wait_for_function(f"() => {listed} === {'|'.join(names)!r}")


def test_a_visitor_finds_events_and_an_organizer_the_way_in(browser_factory, stack):
    organizer = stack.signup(unique_email("lena"), "Lena Lister")
    paid = {"type": "paid", "quantity": 50}
    _publish(stack, organizer["token"], "Landing Summit", [{**paid, "name": "Early", "price": "12.00"},
             {**paid, "name": "Late", "price": "30.00"}], location_name="Lisbon, LX Factory",
             starts_at="2027-06-10T09:00:00+01:00", ends_at="2027-06-11T18:00:00+01:00",
             timezone="Europe/Lisbon")  # fmt: skip
    _publish(stack, organizer["token"], "Landing Meetup", [{"name": "Seat", "type": "free", "quantity": 30}],
             location_name="Oslo", starts_at="2027-03-02T18:00:00+01:00",
             ends_at="2027-03-02T21:00:00+01:00", timezone="Europe/Oslo")  # fmt: skip
    _publish(stack, organizer["token"], "Landing Retro", [], starts_at="2026-01-10T10:00:00+00:00",
             ends_at="2026-01-10T12:00:00+00:00", timezone="UTC")  # fmt: skip

    page = browser_factory().new_page()
    page.goto(f"{stack.base_url}/#/")
    assert page.locator("h1").inner_text() == "Find your next event, or run your own"
    page.locator("[data-public-events] li").first.wait_for()
    search = page.get_by_label("Search events")
    search.fill("landing")
    _wait_for_names(page, "Landing Meetup", "Landing Summit")
    summit = page.locator("[data-public-events] li", has_text="Landing Summit")
    assert summit.locator("[data-event-price]").inner_text() == "From €12.00"
    assert "Jun 10, 2027" in summit.locator("[data-event-when]").inner_text()
    assert "(GMT+1)" in summit.locator("[data-event-when]").inner_text()
    assert "Lisbon, LX Factory" in summit.inner_text()
    meetup = page.locator("[data-public-events] li", has_text="Landing Meetup")
    assert meetup.locator("[data-event-price]").inner_text() == "Free"
    shots(page, "attendee-landing")

    page.get_by_role("button", name="Past").click()
    _wait_for_names(page, "Landing Retro")
    page.get_by_role("button", name="Upcoming").click()
    search.fill("oslo LANDING")
    _wait_for_names(page, "Landing Meetup")
    search.fill("no such event anywhere")
    status = page.locator("[data-listing-status]")
    status.filter(has_text="No events match").wait_for()
    assert status.inner_text() == "No events match “no such event anywhere”."

    # The card opens the event's site.
    search.fill("meetup landing")
    _wait_for_names(page, "Landing Meetup")
    page.locator("[data-event-link]").click()
    page.locator("[data-public-event]").wait_for()
    assert page.locator("h1").inner_text() == "Landing Meetup"

    # An organizer's way in: "Create your event" -> sign up -> the wizard; then #/ is the dashboard.
    page.goto(f"{stack.base_url}/#/")
    page.locator("[data-action=create-your-event]").first.click()
    page.get_by_label("Your name").fill("Nina New")
    page.get_by_label("E-mail").fill(unique_email("nina"))
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("[data-action=sign-up]").click()
    page.wait_for_selector("[data-form=event-details]")
    page.goto(f"{stack.base_url}/#/")
    page.wait_for_selector("[data-action=create-event]")
    assert page.locator("h1").inner_text() == "My events"


def test_the_event_page_for_a_visitor_with_its_image_and_a_get_tickets_bar_on_phones(browser_factory, stack):
    from tests.e2e.test_event_site import _jpeg_data_url

    organizer = stack.signup(unique_email("iris"), "Iris Image")
    event = _publish(stack, organizer["token"], "Landing Image Days", [
        {"name": "Standard", "type": "paid", "price": "29.00", "quantity": 100},
        {"name": "Supporter", "type": "donation", "price": "10.00", "suggested_price": "40.00",
         "quantity": 20},
    ], description="Three tracks of talks, workshops\nand a party on Saturday.")  # fmt: skip
    image = stack.api(
        "POST", f"/events/{event['id']}/background", {"image": _jpeg_data_url()}, organizer["token"]
    )
    assert image.status_code == 200, image.text

    page = browser_factory(viewport={"width": 375, "height": 740}).new_page()
    page.goto(f"{stack.base_url}/#/e/{event['id']}")
    page.wait_for_function("() => document.querySelector('[data-event-image]')?.naturalWidth > 0")
    bar = page.locator("[data-get-tickets-bar]")
    bar.wait_for()
    assert bar.inner_text().replace("\n", " ") == "From €10.00 Get tickets"
    bar.locator("[data-action=get-tickets]").click()
    page.wait_for_function("() => document.activeElement.textContent === 'Sign in to get tickets'")
    bar.wait_for(state="hidden")
    supporter = page.locator("[data-ticket-name='Supporter']")
    assert "Pay what you want" in supporter.inner_text() and "From €10.00" in supporter.inner_text()
    page.evaluate("window.scrollTo(0, 0)")
    shots(page, "attendee-event-site")
