"""Password reset in the browser: "Forgot password?" on sign-in, the same "check your inbox" for any
address, the mailed link (the stack's mailbox) opens "choose a new password", which signs in; the old
password and the old session stop working; a used or incomplete link says so in plain words."""

from tests.e2e.conftest import unique_email
from tests.e2e.ui import PASSWORD, shots, sign_in

NEW_PASSWORD = "a fresh password 2"
TOLD = "If an account uses {}, we have sent it a link to choose a new password."


def _ask_for_a_link(page, stack, email):
    page.goto(f"{stack.base_url}/#/signin")
    page.get_by_role("link", name="Forgot password?").click()
    page.locator("[data-form=forgot-password]").wait_for()
    page.get_by_label("E-mail").fill(email)
    page.locator("[data-action=send-reset]").click()
    return page.locator("[data-reset-requested]")


def test_forgot_password_mailbox_link_new_password_signed_in(browser_factory, stack):
    email = unique_email("reset")
    old_session = stack.signup(email, name="Rosa Reset", password=PASSWORD)
    browser = browser_factory()
    browser.console.allowed_statuses.add(422)
    page = browser.new_page()

    told = _ask_for_a_link(page, stack, email)
    told.wait_for()
    assert told.inner_text() == TOLD.format(email)
    shots(page, "password-reset-requested")
    link = stack.local.mailed_link("#/reset-password?token=", to=email)

    page.goto(link)
    page.locator("[data-form=reset-password]").wait_for()
    shots(page, "password-reset-choose")
    page.get_by_label("New password").fill("short")
    page.locator("[data-action=set-password]").click()
    error = page.locator("[data-error-for=password]:not([hidden])")
    error.wait_for()
    assert error.inner_text() == "Use at least 8 characters."
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.locator("[data-action=set-password]").click()

    page.locator("[data-action=sign-out]").wait_for()
    assert page.evaluate("location.hash") == "#/"
    assert page.locator("[data-toast]").first.inner_text().startswith("Your new password is set")
    token = page.evaluate("JSON.parse(localStorage.getItem('marquee.session')).token")
    assert stack.api("GET", "/me", token=token).json()["email"] == email
    assert stack.api("GET", "/me", token=old_session["token"]).status_code == 401
    assert stack.api("POST", "/auth/login", {"email": email, "password": PASSWORD}).status_code == 401
    assert stack.api("POST", "/auth/login", {"email": email, "password": NEW_PASSWORD}).status_code == 200


def test_an_unknown_address_gets_the_same_message(browser_factory, stack):
    email = unique_email("nobody")
    page = browser_factory().new_page()

    told = _ask_for_a_link(page, stack, email)

    told.wait_for()
    assert told.inner_text() == TOLD.format(email)
    assert not [m for m in stack.local.mailbox() if email in m["to"]]


def test_a_used_link_and_an_incomplete_one_say_so(browser_factory, stack):
    email = unique_email("reuse")
    stack.signup(email, name="Ulla Used", password=PASSWORD)
    first = browser_factory().new_page()
    _ask_for_a_link(first, stack, email).wait_for()
    link = stack.local.mailed_link("#/reset-password?token=", to=email)
    first.goto(link)
    first.get_by_label("New password").fill(NEW_PASSWORD)
    first.locator("[data-action=set-password]").click()
    first.locator("[data-action=sign-out]").wait_for()
    # The same mail opened again later, on another device.
    browser = browser_factory()
    browser.console.allowed_statuses.add(422)
    page = browser.new_page()

    page.goto(link)
    page.get_by_label("New password").fill("yet another password")
    page.locator("[data-action=set-password]").click()

    failed = page.locator("[data-reset-result=failed]")
    failed.wait_for()
    assert failed.inner_text() == "This password reset link was already used; ask for a new one."
    assert page.locator("[data-form=reset-password]").count() == 0
    shots(page, "password-reset-used-link")
    page.locator("[data-action=new-link]").click()
    page.locator("[data-form=forgot-password]").wait_for()

    page.goto(f"{stack.base_url}/#/reset-password")
    assert page.locator("[data-reset-result=failed]").inner_text().startswith("This link is incomplete.")
    sign_in(page, stack, email, NEW_PASSWORD)
