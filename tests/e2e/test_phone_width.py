"""Every page works at phone width: nothing wider than a 375 px screen (tables scroll inside their
own box), and the main controls are reachable."""

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import no_horizontal_overflow, sign_in

PHONE = {"width": 375, "height": 740}


def test_pages_fit_a_phone_screen(browser_factory, stack):
    session = stack.signup(unique_email("phone"), "Pat Phone")
    event = stack.create_event(session["token"], "Pocket Conference With A Rather Long Name 2027")
    stack.api(
        "PUT",
        f"/events/{event['id']}/tickets",
        {"tickets": [{"name": "Entry", "type": "free", "quantity": 9}]},
        session["token"],
    )
    page = browser_factory(viewport=PHONE).new_page()
    page.goto(f"{stack.base_url}/#/signin")
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)

    pages = {
        "/": "[data-my-events] li",
        f"/events/{event['id']}/edit": "[data-form=event-details]",
        f"/events/{event['id']}/edit/background": "[data-background-file]",
        f"/events/{event['id']}/edit/tickets": "[data-ticket-row='0']",
        f"/events/{event['id']}/edit/publish": "[data-action=publish]",
        f"/events/{event['id']}/manage": "[data-roles]",
        f"/events/{event['id']}/manage/sessions": "[data-service-table=session]",
        "/notifications": "[data-no-notifications]",
    }
    for path, ready in pages.items():
        page.goto(f"{stack.base_url}/?phone#{path}")
        page.wait_for_selector(ready)
        if path.endswith("/tickets"):
            page.locator("[data-action=toggle-settings]").click()
        assert no_horizontal_overflow(page), path
    save_screenshot(page, "phone-notifications")

    admin = browser_factory(viewport=PHONE).new_page()
    sign_in(admin, stack, stack.superadmin_email, stack.superadmin_password)
    for path, ready in {"/admin/permissions": "[data-cell]", "/admin/users": "[data-users]"}.items():
        admin.goto(f"{stack.base_url}/#{path}")
        admin.wait_for_selector(ready)
        assert no_horizontal_overflow(admin), path
