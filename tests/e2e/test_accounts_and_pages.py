"""Sign up / in / out, a session that survives reloads and expires with a message, the dashboard, the
wizard's details step and the public pages, in a real Chromium against the real local stack."""

import time

import jwt

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import PASSWORD, create_event, no_horizontal_overflow, publish, sign_up


def test_sign_up_survives_reload_then_sign_out_and_back_in(page, stack, browser):
    email = unique_email("ada")
    sign_up(page, stack, email, "Ada Lovelace")
    assert page.locator("[data-current-user]").inner_text() == "Ada Lovelace"

    page.reload()
    page.wait_for_selector("[data-my-events]")
    assert page.locator("[data-current-user]").inner_text() == "Ada Lovelace"

    token = page.evaluate("JSON.parse(localStorage.getItem('marquee.session')).token")
    page.locator("[data-action=sign-out]").click()
    page.wait_for_selector("[data-form=signin]")
    assert stack.api("GET", "/me", token=token).status_code == 401  # revoked, not only forgotten
    page.reload()
    page.wait_for_selector("[data-form=signin]")
    assert page.locator("[data-action=sign-out]").count() == 0

    browser.console.allowed_statuses.add(401)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("not the password")
    page.locator("[data-action=sign-in]").click()
    page.wait_for_selector("[data-form-error]:visible")
    assert "Wrong e-mail or password" in page.locator("[data-form-error]").inner_text()

    page.get_by_label("Password").fill(PASSWORD)
    page.locator("[data-action=sign-in]").click()
    page.wait_for_selector("[data-my-events]")
    save_screenshot(page, "session-signed-in-again")


def test_signup_errors_are_shown_next_to_the_fields(page, stack, browser):
    browser.console.allowed_statuses.add(422)
    page.goto(f"{stack.base_url}/#/signup")
    page.get_by_label("Your name").fill("Shorty")
    page.get_by_label("E-mail").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.locator("[data-action=sign-up]").click()
    page.wait_for_selector("[data-error-for=password]:visible")
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"
    assert page.locator("[data-error-for=email]").is_visible()


def test_an_expired_token_sends_the_user_to_sign_in_with_a_message(page, stack, browser):
    session = stack.signup(unique_email("expired"), "Expired Eve")
    claims = jwt.decode(session["token"], options={"verify_signature": False})
    now = int(time.time())
    expired = jwt.encode(
        {**claims, "iat": now - 7200, "exp": now - 3600}, stack.jwt_secret(), algorithm="HS256"
    )
    browser.console.allowed_statuses.add(401)
    page.goto(f"{stack.base_url}/#/signin")
    page.evaluate(
        "s => localStorage.setItem('marquee.session', JSON.stringify(s))",
        {"token": expired, "user": session["user"]},
    )
    page.goto(f"{stack.base_url}/?reloaded#/")
    page.wait_for_selector("[data-signin-message]")
    assert "expired" in page.locator("[data-signin-message]").inner_text()
    assert page.locator("[data-action=sign-out]").count() == 0
    assert page.evaluate("localStorage.getItem('marquee.session')") is None


def test_dashboard_wizard_details_and_public_pages(browser_factory, stack):
    organizer = browser_factory()
    page = organizer.new_page()
    sign_up(page, stack, unique_email("olga"), "Olga Organizer")
    page.wait_for_selector("[data-my-events][data-empty]")

    event_id = create_event(page, stack, "Wizard Days <b>2027</b>")
    page.goto(f"{stack.base_url}/#/")
    card = page.locator(f"[data-event-id='{event_id}']")
    card.wait_for()
    assert card.locator("h2").inner_text() == "Wizard Days <b>2027</b>"  # user text stays text
    assert card.locator("[data-role]").inner_text() == "Organizer"
    assert card.locator("[data-state]").inner_text() == "Draft"

    # Details saved in the event's time zone come back as the same wall-clock times.
    card.locator("[data-action=edit]").click()
    page.wait_for_selector("[data-form=event-details]")
    assert page.get_by_label("Starts").input_value() == "2027-05-01T09:00"
    assert page.get_by_label("Time zone").input_value() == "Europe/Berlin"
    event = stack.api("GET", f"/public/events/{event_id}")
    assert event.status_code == 404  # a draft is not public

    publish(page, stack, event_id)

    visitor = browser_factory(viewport={"width": 375, "height": 740})
    public = visitor.new_page()
    public.goto(f"{stack.base_url}/#/public/events")
    public.locator(f"[data-event-id='{event_id}'] [data-event-link]").click()
    public.wait_for_selector(f"[data-public-event='{event_id}']")
    assert public.locator("h1").inner_text() == "Wizard Days <b>2027</b>"
    assert "Berlin, Alexanderplatz" in public.locator("[data-event-location]").inner_text()
    dates = public.locator("[data-event-dates]").inner_text()
    assert "2027" in dates and "9:00" in dates.replace("09:00", "9:00")
    assert no_horizontal_overflow(public)
    save_screenshot(public, "public-event-phone")
