"""Flow b: a second user, in another browser, sees the bell count rise without a reload when invited,
opens the notification, and accepts the invitation through the invitation e-mail's link (their
address is not verified, so the list alone cannot answer it)."""

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import PASSWORD, create_event, sign_up


def test_invited_user_sees_the_bell_rise_live_and_accepts(browser_factory, stack):
    organizer = browser_factory().new_page()
    sign_up(organizer, stack, unique_email("org"), "Oscar Organizer")
    event_id = create_event(organizer, stack, "Invite Summit")

    invitee_email = unique_email("guest")
    invitee = browser_factory().new_page()
    sign_up(invitee, stack, invitee_email, "Gina Guest")
    bell_count = invitee.locator("[data-unread-count]")
    assert bell_count.inner_text() == "0"
    invitee.wait_for_function("() => window.WebSocket && document.querySelector('[data-bell]')")
    invitee.evaluate("window.__sameDocument = true")

    organizer.goto(f"{stack.base_url}/#/events/{event_id}/manage")
    organizer.get_by_label("E-mail").fill(invitee_email)
    organizer.get_by_label("Role").select_option("coorganizer")
    organizer.locator("[data-action=send-invite]").click()
    organizer.wait_for_selector("[data-invite-sent]:visible")
    assert invitee_email in organizer.locator("[data-invite-sent]").inner_text()

    # Live over the WebSocket: the count rises and a toast appears, in the same document (no reload).
    invitee.wait_for_function("() => document.querySelector('[data-unread-count]').textContent === '1'")
    assert invitee.evaluate("window.__sameDocument") is True
    assert (
        "Invite Summit" in invitee.locator("[data-toast]").first.inner_text()
        or invitee.locator("[data-toast]").count()
    )
    assert invitee.locator("[data-bell]").get_attribute("aria-label") == "Notifications, 1 unread"

    invitee.locator("[data-bell]").click()
    notification = invitee.locator("[data-action=role_invite]").first
    notification.wait_for()
    assert notification.locator("time").inner_text()  # a relative time such as "now" / "1 minute ago"
    notification.locator("[data-action=open-invite]").click()
    invite = invitee.locator("[data-invites] li").filter(has_text="Invite Summit")
    # An unverified address gets no token in the list: the invitation e-mail's link answers it.
    invite.locator("[data-invite-needs-link]").wait_for()
    assert invitee.locator("[data-needs-proof] [data-action=send-verification]").count() == 1
    assert invite.locator("[data-action=accept-invite]").count() == 0
    invitee.goto(stack.local.mailed_link("#/invites?invite=", to=invitee_email))
    invite.locator("[data-action=accept-invite]").click()
    invitee.wait_for_selector("[data-my-role=coorganizer]")
    invitee.wait_for_function("() => document.querySelector('[data-unread-count]').textContent === '0'")

    invitee.goto(f"{stack.base_url}/#/")
    card = invitee.locator(f"[data-event-id='{event_id}']")
    card.wait_for()
    assert card.locator("[data-role]").inner_text() == "Co-organizer"
    save_screenshot(invitee, "flow-b-invite-accepted")


def test_a_signed_out_invitee_follows_the_email_link_signs_in_and_accepts(browser_factory, stack):
    organizer = stack.signup(unique_email("org"), name="Olga Organizer")
    event = stack.create_event(organizer["token"], name="Link Summit")
    invitee_email = unique_email("linked")
    stack.signup(invitee_email, name="Lena Linked")
    invite = stack.api(
        "POST",
        f"/events/{event['id']}/invites",
        {"email": invitee_email, "role": "moderator"},
        organizer["token"],
    )
    assert invite.status_code == 201, invite.text
    page = browser_factory().new_page()

    page.goto(stack.local.mailed_link("#/invites?invite=", to=invitee_email))
    page.get_by_label("E-mail").fill(invitee_email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("[data-action=sign-in]").click()

    # Signing in keeps the link's token: the invite can be answered right away.
    card = page.locator(f"[data-invite-id='{invite.json()['id']}']")
    card.locator("[data-action=accept-invite]").click()
    page.wait_for_selector("[data-my-role=moderator]")
