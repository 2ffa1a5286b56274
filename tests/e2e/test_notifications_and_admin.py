"""The notifications list (relative times, mark one / all read, the bell follows), the super admin's
users list with the admin toggle, and focus kept inside a modal."""

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import PASSWORD, sign_in


def _bell(page) -> str:
    return page.locator("[data-unread-count]").inner_text()


def test_notifications_list_marks_one_and_all_read(page, stack):
    email = unique_email("reader")
    stack.signup(email, "Rita Reader")
    names = ("Alpha <b>Days</b>", "Beta & Days")
    for name in names:
        owner = stack.signup(unique_email("owner"), "Owner")
        event = stack.create_event(owner["token"], name)
        invited = stack.api(
            "POST", f"/events/{event['id']}/invites", {"email": email, "role": "moderator"}, owner["token"]
        )
        assert invited.status_code == 201, invited.text

    sign_in(page, stack, email, PASSWORD)
    page.wait_for_function("() => document.querySelector('[data-unread-count]').textContent === '2'")
    page.wait_for_selector("[data-pending-invites='2']")
    page.locator("[data-bell]").click()
    items = page.locator("[data-notification-id]")
    items.nth(1).wait_for()
    assert items.count() == 2
    # Messages are plain text: the names read exactly as written, no markup parsed or shown.
    assert [items.nth(i).locator(".body p").inner_text() for i in range(2)] == [
        f"Owner invited you to be moderator of {name}." for name in reversed(names)
    ]
    assert items.locator(".body p b").count() == 0
    assert items.locator("time").first.inner_text() in (
        "now",
        "1 second ago",
        "1 minute ago",
    ) or items.locator("time").first.inner_text().endswith("ago")

    items.first.locator("[data-action=mark-read]").click()
    page.wait_for_function("() => document.querySelector('[data-unread-count]').textContent === '1'")
    assert items.first.get_attribute("data-read") == "true"
    page.reload()
    page.locator("[data-notification-id]").nth(1).wait_for()
    assert page.locator("[data-notification-id][data-read=false]").count() == 1

    page.locator("[data-action=mark-all-read]").click()
    page.wait_for_function("() => document.querySelector('[data-unread-count]').textContent === '0'")
    assert page.locator("[data-notification-id][data-read=false]").count() == 0
    save_screenshot(page, "notifications-all-read")


def test_super_admin_toggles_a_users_admin_flag(page, stack):
    email = unique_email("promoted")
    session = stack.signup(email, "Paul Promoted")
    sign_in(page, stack, stack.superadmin_email, stack.superadmin_password)
    page.locator("[data-nav=admin]").click()
    row = page.locator(f"[data-user-email='{email}']")
    row.wait_for()
    toggle = row.locator("[data-action=toggle-admin]")
    assert not toggle.is_checked()
    toggle.check()
    page.wait_for_function(
        "e => !document.querySelector(`[data-user-email='${e}'] [data-action=toggle-admin]`).disabled",
        arg=email,
    )
    assert stack.api("GET", "/me", token=session["token"]).json()["is_admin"] is True
    page.reload()
    assert page.locator(f"[data-user-email='{email}'] [data-action=toggle-admin]").is_checked()
    save_screenshot(page, "admin-users")


def test_focus_stays_in_the_confirmation_dialog(page, stack):
    session = stack.signup(unique_email("keys"), "Kim Keyboard")
    event = stack.create_event(session["token"], "Keyboard Camp")
    page.goto(f"{stack.base_url}/#/signin")
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    page.goto(f"{stack.base_url}/?fresh#/events/{event['id']}/edit/tickets")
    page.locator("[data-action=add-free]").click()
    page.locator("[data-action=remove-ticket]").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("dialog[data-modal=confirm]")
    dialog.wait_for()
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert page.locator("[data-ticket-row]").count() == 1
    assert page.evaluate("document.activeElement.dataset.action") == "remove-ticket"
