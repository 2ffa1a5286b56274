"""The local mailbox shows each e-mail as its recipient would see it: the HTML part drawn in a
sandboxed frame (its links open the frontend in a new tab), the plain-text part one click away."""

from tests.e2e.conftest import unique_email
from tests.e2e.ui import shots


def test_the_mailbox_shows_the_html_part_and_the_text_part(browser_factory, stack):
    email = unique_email("mailbox")
    stack.signup(email, name="Mia Mailbox")
    link = stack.local.mailed_link("#/verify-email?token=", to=email)
    page = browser_factory().new_page()
    page.goto(f"{stack.base_url}/mailbox")

    mine = page.locator("article", has_text=email)
    frame = mine.locator("iframe")
    assert frame.get_attribute("sandbox") == "allow-popups allow-popups-to-escape-sandbox"
    button = frame.content_frame.get_by_role("link", name="Confirm my address")
    assert button.get_attribute("href") == link
    assert frame.content_frame.get_by_text("The link works once, for 24 hours.").is_visible()

    text = mine.locator("details", has_text="Plain text")
    assert not text.locator("pre").is_visible()
    text.locator("summary").click()
    assert link in text.locator("pre").inner_text()
    mine.scroll_into_view_if_needed()
    shots(page, "mailbox-verification")

    with page.context.expect_page() as opened:
        button.click()
    assert opened.value.url == link
