"""The organizer's services tables: create, edit and delete through the generic editor, with the
server's per-field errors shown in the dialog."""

from tests.e2e.conftest import unique_email


def _signed_in(page, stack, session):
    page.goto(f"{stack.base_url}/#/signin")
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)


def test_organizer_creates_edits_and_deletes_sessions(page, stack, browser):
    session = stack.signup(unique_email("svc"), "Sam Services")
    event = stack.create_event(session["token"], "Services Summit")
    _signed_in(page, stack, session)

    page.goto(f"{stack.base_url}/?s#/events/{event['id']}/manage/tracks")
    page.locator("[data-action=create]").click()
    page.get_by_label("Name").fill("Data track")
    page.locator("[data-modal=editor] [data-action=save]").click()
    page.wait_for_selector("[data-service-table=track] tr:has-text('Data track')")

    page.goto(f"{stack.base_url}/?s#/events/{event['id']}/manage/sessions")
    page.locator("[data-action=create]").click()
    editor = page.locator("[data-modal=editor]")
    editor.get_by_label("Title", exact=True).fill("Opening keynote")
    editor.get_by_label("Starts").fill("2027-05-01T10:00")
    editor.get_by_label("Ends").fill("2027-05-01T09:00")
    editor.get_by_label("Track").select_option(label="Data track")
    browser.console.allowed_statuses.add(422)
    editor.locator("[data-action=save]").click()
    error = editor.locator("[data-error-for=ends_at]")
    error.wait_for()
    assert "end after" in error.inner_text()
    editor.get_by_label("Ends").fill("2027-05-01T11:00")
    editor.locator("[data-action=save]").click()
    row = page.locator("[data-service-table=session] tr:has-text('Opening keynote')")
    row.wait_for()
    assert "Data track" in row.inner_text()

    row.locator("[data-action=edit]").click()
    page.locator("[data-modal=editor]").get_by_label("Title", exact=True).fill("Opening keynote (updated)")
    page.locator("[data-modal=editor] [data-action=save]").click()
    updated = page.locator("[data-service-table=session] tr:has-text('Opening keynote (updated)')")
    updated.wait_for()

    updated.locator("[data-action=delete]").click()
    page.locator("dialog[data-modal=confirm] [data-action=confirm]").click()
    page.wait_for_selector("[data-service-table=session] tr:has-text('No sessions yet')")
    assert stack.api("GET", f"/events/{event['id']}/sessions", token=session["token"]).json() == []
