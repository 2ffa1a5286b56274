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


def test_the_editor_takes_its_limits_from_the_api_document_and_its_controls_from_allowed(page, stack):
    session = stack.signup(unique_email("limits"), "Lee Limits")
    event = stack.create_event(session["token"], "Limits Live")
    document = stack.api("GET", "/openapi.json").json()
    room_body = document["paths"]["/events/{event_id}/microlocations"]["post"]["requestBody"]
    room_rules = room_body["content"]["application/json"]["schema"]["properties"]
    floor = next(branch for branch in room_rules["floor"]["anyOf"] if branch.get("type") == "integer")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    _signed_in(page, stack, session)

    page.goto(f"{stack.base_url}/?limits#/events/{event['id']}/manage/microlocations")
    page.locator("[data-action=create]:not([disabled])").click()
    editor = page.locator("[data-modal=editor]")
    name = editor.get_by_label("Name")
    floor_input = editor.get_by_label("Floor")

    assert name.get_attribute("maxlength") == str(room_rules["name"]["maxLength"])
    assert name.evaluate("input => input.required") is True
    assert editor.get_by_label("Room").get_attribute("maxlength") == str(room_rules["room"]["maxLength"])
    assert floor_input.get_attribute("min") == str(floor["minimum"])
    assert floor_input.get_attribute("max") == str(floor["maximum"])
    # What the organizer may do came with the event: the page never reads the matrix itself.
    assert not [url for url in requested if url.split("?")[0].endswith("/permissions")]
