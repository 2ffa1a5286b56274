"""The organizer's side, defect by defect (issue #22): each test is what a person did and what they
should have seen."""

import re
import uuid

from tests.e2e.conftest import unique_email

PHONE = {"width": 375, "height": 740}


class _SignedIn:
    """A page with the session stored; ``goto(path)`` loads the app afresh on that route."""

    def __init__(self, page, stack, session):
        self.page, self.stack = page, stack
        page.goto(f"{stack.base_url}/#/signin")
        page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)

    def goto(self, path):
        self.page.goto(f"{self.stack.base_url}/?{uuid.uuid4().hex[:6]}#{path}")


def _signed_in(page, stack, session):
    return _SignedIn(page, stack, session)


def _luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(first, second):
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rgb(css):
    return tuple(int(v) for v in re.findall(r"\d+", css)[:3])


def test_unsaved_tickets_are_not_thrown_away_and_publishing_nothing_on_sale_asks(page, stack):
    organizer = stack.signup(unique_email("wizard"), "Wanda Wizard")
    event = stack.create_event(organizer["token"], "Six Rows Fest")
    _signed_in(page, stack, organizer).goto(f"/events/{event['id']}/edit/tickets")
    page.locator("[data-no-tickets]").wait_for()
    for number in range(6):
        page.locator("[data-action=add-free]").click()
        page.locator(f"[data-ticket-row='{number}'] [data-field=name]").fill(f"Row {number + 1}")
    # Closing or reloading the tab would lose them: the browser is asked to warn.
    assert page.evaluate(
        "(() => { const e = new Event('beforeunload', {cancelable: true}); window.dispatchEvent(e);"
        " return e.defaultPrevented; })()"
    )

    page.locator("[data-step=publish]").click()
    leave = page.locator("dialog[data-modal=leave]")
    leave.wait_for()
    assert "tickets have changes you have not saved" in leave.inner_text()
    leave.locator("[data-action=cancel]").click()
    assert page.locator("[data-ticket-row]").count() == 6
    assert "/edit/tickets" in page.url

    page.locator("[data-action=next]").click()
    leave.wait_for()
    leave.locator("[data-action=confirm]").click()
    page.locator("[data-wizard-step=publish]").wait_for()
    assert "Tickets: 0" in page.locator("[data-publish-summary]").inner_text()

    page.locator("[data-action=publish]").click()
    warning = page.locator("dialog[data-modal=confirm]")
    warning.wait_for()
    assert "no ticket" in warning.inner_text().lower()
    warning.locator("[data-action=cancel]").click()
    assert stack.api("GET", f"/events/{event['id']}", token=organizer["token"]).json()["state"] == "draft"


def test_a_ticket_of_three_saves_without_touching_the_maximum(page, stack):
    organizer = stack.signup(unique_email("small"), "Sid Small")
    event = stack.create_event(organizer["token"], "Tiny Salon")
    _signed_in(page, stack, organizer).goto(f"/events/{event['id']}/edit/tickets")
    page.locator("[data-action=add-free]").click()
    row = page.locator("[data-ticket-row='0']")
    row.locator("[data-field=name]").fill("Salon seat")
    row.locator("[data-field=quantity]").fill("3")
    page.locator("[data-action=save-tickets]").click()
    page.locator("[data-tickets-status]", has_text="Tickets saved").wait_for()
    [ticket] = stack.api("GET", f"/events/{event['id']}/tickets", token=organizer["token"]).json()
    assert (ticket["quantity"], ticket["max_order"]) == (3, 3)


def test_deleting_a_track_in_use_offers_to_unlink_its_sessions(page, stack, browser):
    organizer = stack.signup(unique_email("tracks"), "Tess Track")
    event = stack.create_event(organizer["token"], "Track Day")
    base = f"/events/{event['id']}"
    track = stack.api(
        "POST", f"{base}/tracks", {"name": "Data", "color": "#1e7a3c"}, organizer["token"]
    ).json()
    created = stack.api(
        "POST",
        f"{base}/sessions",
        {
            "title": "Pipelines",
            "starts_at": "2027-05-01T10:00:00+02:00",
            "ends_at": "2027-05-01T11:00:00+02:00",
            "track_id": track["id"],
        },
        organizer["token"],
    )
    assert created.status_code == 201, created.text
    session = created.json()
    browser.console.allowed_statuses.add(409)
    _signed_in(page, stack, organizer).goto(f"{base}/manage/tracks")
    row = page.locator(f"[data-item-id='{track['id']}']")
    row.locator("[data-action=delete]").click()
    page.locator("dialog[data-modal=confirm] [data-action=confirm]").click()
    unlink = page.locator("dialog[data-modal=unlink]")
    unlink.wait_for()
    assert "1 session" in unlink.inner_text()
    unlink.locator("[data-action=confirm]").click()
    row.wait_for(state="detached")
    unlinked = stack.api("GET", f"{base}/sessions/{session['id']}", token=organizer["token"]).json()
    assert unlinked["track_id"] is None


def test_navigation_focuses_the_heading_quietly_and_focus_rings_are_visible(page, stack):
    organizer = stack.signup(unique_email("focus"), "Fay Focus")
    stack.create_event(organizer["token"], "Focus Week")
    _signed_in(page, stack, organizer).goto("/")
    page.locator("[data-my-events] li").first.wait_for()
    page.locator("[data-action=create-event]").click()
    page.locator("[data-form=event-details]").wait_for()
    page.locator("[data-action=save-details]").wait_for()
    page.locator("a[data-nav=dashboard]").click()
    page.locator("[data-my-events] li").first.wait_for()
    focused = page.evaluate(
        "(() => { const el = document.activeElement; const s = getComputedStyle(el);"
        " return {tag: el.tagName, shadow: s.boxShadow, outline: s.outlineStyle}; })()"
    )
    assert focused["tag"] == "H1", focused
    assert focused["shadow"] == "none" and focused["outline"] == "none", focused

    page.keyboard.press("Tab")
    ring = page.evaluate(
        "(() => { const el = document.activeElement; const s = getComputedStyle(el);"
        " return {tag: el.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth),"
        " color: s.outlineColor,"
        " page: getComputedStyle(document.body).backgroundColor}; })()"
    )
    assert ring["style"] == "solid" and ring["width"] >= 2, ring
    page_colour = _rgb(ring["page"]) if "rgba(0, 0, 0, 0)" not in ring["page"] else (250, 249, 252)
    assert _contrast(_rgb(ring["color"]), page_colour) >= 3, ring


def test_sessions_get_a_room_and_speakers_and_the_table_shows_them(page, stack):
    organizer = stack.signup(unique_email("program"), "Pia Program")
    event = stack.create_event(organizer["token"], "Program Con")
    base = f"/events/{event['id']}"
    room = stack.api("POST", f"{base}/microlocations", {"name": "Hall B"}, organizer["token"]).json()
    ada = stack.api("POST", f"{base}/speakers", {"name": "Ada Lovelace"}, organizer["token"]).json()
    stack.api("POST", f"{base}/speakers", {"name": "Grace Hopper"}, organizer["token"])
    _signed_in(page, stack, organizer).goto(f"{base}/manage/sessions")
    page.locator("[data-action=create]:not([disabled])").click()
    dialog = page.locator("dialog[data-modal=editor]")
    dialog.get_by_label("Title", exact=True).fill("Engines")
    dialog.get_by_label("Starts").fill("2027-05-01T11:00")
    dialog.get_by_label("Ends").fill("2027-05-01T11:45")
    dialog.get_by_label("Room").select_option(label="Hall B")
    dialog.get_by_label("Ada Lovelace").check()
    dialog.locator("[data-action=save]").click()
    dialog.wait_for(state="detached")
    row = page.locator("[data-service-table=session] tbody tr", has_text="Engines")
    text = row.inner_text()
    assert "Hall B" in text and "Ada Lovelace" in text and "11:45" in text, text
    [stored] = stack.api("GET", f"{base}/sessions", token=organizer["token"]).json()
    assert (stored["microlocation_id"], stored["speaker_ids"]) == (room["id"], [ada["id"]])


def test_the_people_tab_hears_an_accepted_invite(page, stack):
    organizer = stack.signup(unique_email("host"), "Hana Host")
    event = stack.create_event(organizer["token"], "PyCon Live")
    carl_email = unique_email("carl")
    carl = stack.signup(carl_email, "Carl")
    _signed_in(page, stack, organizer).goto(f"/events/{event['id']}/manage/people")
    page.locator("[data-roles]").wait_for()
    page.get_by_label("E-mail").fill(carl_email)
    page.get_by_label("Role").select_option("moderator")
    page.locator("[data-action=send-invite]").click()
    page.locator(f"[data-invite-email='{carl_email}']").wait_for()
    [invite] = stack.api("GET", f"/events/{event['id']}/invites", token=organizer["token"]).json()
    token = stack.local.invite_token(invite["id"])
    assert stack.api("POST", f"/invites/{token}/accept", {}, carl["token"]).status_code == 200

    page.locator(f"[data-member-email='{carl_email}'][data-member-role=moderator]").wait_for()
    page.locator(f"[data-invite-email='{carl_email}']").wait_for(state="detached")
    page.locator("[data-toast]", has_text="Carl accepted your invite to PyCon Live").wait_for()
    # The notification links to the team it is about.
    page.locator("[data-bell]").click()
    told = page.locator("[data-notification-id]", has_text="Carl accepted your invite to PyCon Live")
    link = told.locator("[data-action=open-link]")
    assert link.get_attribute("href") == f"#/events/{event['id']}/manage/people"
    link.click()
    page.locator(f"[data-member-email='{carl_email}']").wait_for()


def test_the_sign_up_page_of_an_invite_fills_in_the_address(page, stack):
    organizer = stack.signup(unique_email("inviter"), "Ivo Inviter")
    event = stack.create_event(organizer["token"], "Newcomers Night")
    newcomer = unique_email("newcomer")
    stack.api(
        "POST",
        f"/events/{event['id']}/invites",
        {"email": newcomer, "role": "coorganizer"},
        organizer["token"],
    )
    link = stack.local.mailed_link("#/signup?invite=", to=newcomer)
    page.goto(link)
    assert page.get_by_label("E-mail").input_value() == newcomer


def test_on_a_phone_the_header_is_one_row_and_orders_are_cards(browser_factory, stack):
    organizer = stack.signup(unique_email("phoneorg"), "Olu Organizer")
    event = stack.create_event(organizer["token"], "Pocket Market With A Long Name")
    stack.api(
        "PUT",
        f"/events/{event['id']}/tickets",
        {"tickets": [{"name": "Stall", "type": "paid", "price": "12.50", "quantity": 20}]},
        organizer["token"],
    )
    [ticket] = stack.api("GET", f"/events/{event['id']}/tickets", token=organizer["token"]).json()
    stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, organizer["token"])
    buyer = stack.signup(unique_email("buyer"), "Bea Buyer With A Longer Name")
    order = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": 2}]},
        buyer["token"],
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ).json()
    page = browser_factory(viewport=PHONE).new_page()
    _signed_in(page, stack, organizer).goto(f"/events/{event['id']}/orders")
    row = page.locator(f"[data-order-id='{order['id']}']")
    row.wait_for()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 64, header
    menu = page.locator("[data-action=menu]")
    assert menu.is_visible()
    assert not page.locator("[data-nav=orders]").is_visible()
    for part in (row.locator("[data-status]"), row.locator("[data-action=mark-paid]")):
        box = part.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    menu.click()
    page.locator("[data-nav=orders]").wait_for()
    # The time of the order names its zone (the event's).
    ordered = row.locator("[data-ordered-at]").inner_text()
    assert re.search(r"(CET|CEST|GMT[+-]\d)", ordered), ordered


def test_unsaved_questions_ask_before_another_tab_opens(page, stack):
    organizer = stack.signup(unique_email("asker"), "Quinn Questions")
    event = stack.create_event(organizer["token"], "Ask Me Fest")
    _signed_in(page, stack, organizer).goto(f"/events/{event['id']}/manage/questions")
    page.locator("[data-action=add-question]").click()
    page.locator("[data-question-label]").fill("T-shirt size")
    page.locator("[data-tab=tracks]").click()
    leave = page.locator("dialog[data-modal=leave]")
    leave.wait_for()
    assert "questions have changes you have not saved" in leave.inner_text()
    leave.locator("[data-action=cancel]").click()
    assert page.locator("[data-question-label]").input_value() == "T-shirt size"
    page.locator("[data-action=save-questions]").click()
    page.locator("[data-toast]", has_text="Questions saved").wait_for()
    page.locator("[data-tab=tracks]").click()
    page.locator("[data-service-table=track]").wait_for()
