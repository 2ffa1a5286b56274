"""E-mail verification in the browser: sign up, ask for a link again on the invites page, open the
link of the e-mail the stack sent (its /mailbox.json): the page says the address is verified, and
the invites page stops asking for it."""

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import sign_up


def test_the_verification_link_verifies_the_address(browser_factory, stack):
    page = browser_factory().new_page()
    email = unique_email("verify")
    sign_up(page, stack, email, "Vera Verify")
    first_link = stack.local.mailed_link("#/verify-email?token=", to=email)
    page.goto(f"{stack.base_url}/#/invites")
    page.locator("[data-no-invites]").wait_for()
    page.locator("[data-verify-hint] [data-action=send-verification]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-verification-status]').textContent.startsWith('We sent a link')"
    )

    link = stack.local.mailed_link("#/verify-email?token=", to=email)
    assert link != first_link
    page.goto(link)

    result = page.locator("[data-verify-result=verified]")
    result.wait_for()
    assert result.inner_text() == f"Thank you: {email} is verified."
    save_screenshot(page, "email-verified")
    token = page.evaluate("JSON.parse(localStorage.getItem('marquee.session')).token")
    assert stack.api("GET", "/me", token=token).json()["email_verified"] is True
    assert page.evaluate("JSON.parse(localStorage.getItem('marquee.session')).user.email_verified") is True
    page.goto(f"{stack.base_url}/#/invites")
    page.locator("[data-no-invites]").wait_for()
    assert page.locator("[data-verify-hint]").count() == 0


def test_a_used_link_says_so_in_plain_words(browser_factory, stack):
    browser = browser_factory()
    browser.console.allowed_statuses.add(422)
    page = browser.new_page()
    email = unique_email("reuse")
    sign_up(page, stack, email, "Rita Reuse")
    link = stack.local.mailed_link("#/verify-email?token=", to=email)
    page.goto(link)
    page.locator("[data-verify-result=verified]").wait_for()

    page.goto(f"{stack.base_url}/#/")
    page.goto(link)

    failed = page.locator("[data-verify-result=failed]")
    failed.wait_for()
    assert failed.inner_text() == "This verification link was already used."
