"""Flow c: a super admin changes a matrix cell and a coorganizer's page shows (or hides) the matching
control after a reload; a concurrent edit of the matrix is refused with a conflict message."""

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.ui import PASSWORD, sign_in


def _login_token(stack):
    return stack.login(stack.superadmin_email, stack.superadmin_password)["token"]


def test_matrix_change_shows_the_control_to_a_coorganizer(browser_factory, stack):
    organizer = stack.signup(unique_email("owner"), "Owner")
    event = stack.create_event(organizer["token"], "Matrix Meetup")
    co_email = unique_email("coorg")
    stack.add_member(organizer["token"], event["id"], co_email, "coorganizer")
    original = stack.api("GET", "/permissions", token=_login_token(stack)).json()
    try:
        coorganizer = browser_factory().new_page()
        sign_in(coorganizer, stack, co_email, PASSWORD)
        coorganizer.goto(f"{stack.base_url}/#/events/{event['id']}/manage/tracks")
        coorganizer.wait_for_selector("[data-service-table=track]")
        assert coorganizer.locator("[data-action=create]").count() == 0  # default: no create

        admin_browser = browser_factory()
        admin = admin_browser.new_page()
        sign_in(admin, stack, stack.superadmin_email, stack.superadmin_password)
        admin.goto(f"{stack.base_url}/#/admin/permissions")
        cell = admin.locator("[data-cell='coorganizer.track.create']")
        assert not cell.is_checked()
        cell.check()
        admin.locator("[data-action=save-matrix]").click()
        admin.wait_for_function(
            "() => document.querySelector('[data-matrix-status]').textContent.includes('saved')"
        )

        coorganizer.reload()
        coorganizer.wait_for_selector("[data-service-table=track]")
        coorganizer.locator("[data-action=create]").click()
        coorganizer.get_by_label("Name").fill("Main stage")
        coorganizer.locator("[data-modal=editor] [data-action=save]").click()
        coorganizer.wait_for_selector("[data-service-table=track] tr:has-text('Main stage')")
        assert coorganizer.locator("[data-action=delete]").count() == 0  # delete is still not granted

        # Two admins edit at once: the second save is refused (412) and told to reload.
        admin_browser.console.allowed_statuses.add(412)
        stale = admin_browser.new_page()
        stale.goto(f"{stack.base_url}/#/admin/permissions")
        stale.wait_for_selector("[data-cell='moderator.sponsor.read']")
        admin.reload()
        admin.locator("[data-cell='moderator.speaker.read']").check()
        admin.locator("[data-action=save-matrix]").click()
        admin.wait_for_function(
            "() => document.querySelector('[data-matrix-status]').textContent.includes('saved')"
        )
        stale.locator("[data-cell='moderator.sponsor.read']").check()
        stale.locator("[data-action=save-matrix]").click()
        stale.wait_for_selector("[data-matrix-error]:visible")
        assert "reload" in stale.locator("[data-matrix-error]").inner_text().lower()
        assert stale.locator("[data-action=reload]").is_visible()

        # The removed grant hides the control again after a reload.
        admin.reload()
        admin.locator("[data-cell='coorganizer.track.create']").uncheck()
        admin.locator("[data-action=save-matrix]").click()
        admin.wait_for_function(
            "() => document.querySelector('[data-matrix-status]').textContent.includes('saved')"
        )
        coorganizer.reload()
        coorganizer.wait_for_selector("[data-service-table=track] tr:has-text('Main stage')")
        assert coorganizer.locator("[data-action=create]").count() == 0
        save_screenshot(coorganizer, "flow-c-matrix-coorganizer")
    finally:
        restored = stack.api("PUT", "/permissions", {"matrix": original["matrix"]}, token=_login_token(stack))
        assert restored.status_code == 200, restored.text
