"""People: the organizer sees the team and pending invitations, removes a member, and is told why
the last organizer cannot be removed."""

from tests.e2e.conftest import unique_email


def test_organizer_manages_the_team(page, stack, browser):
    organizer = stack.signup(unique_email("lead"), "Lea Lead")
    event = stack.create_event(organizer["token"], "Team Gathering")
    member_email = unique_email("mod")
    stack.add_member(organizer["token"], event["id"], member_email, "moderator")
    pending_email = unique_email("later")
    stack.api(
        "POST",
        f"/events/{event['id']}/invites",
        {"email": pending_email, "role": "coorganizer"},
        organizer["token"],
    )

    page.goto(f"{stack.base_url}/#/signin")
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", organizer)
    page.goto(f"{stack.base_url}/?p#/events/{event['id']}/manage")
    member = page.locator(f"[data-member-email='{member_email}']")
    member.wait_for()
    assert member.get_attribute("data-member-role") == "moderator"
    page.locator(f"[data-invite-email='{pending_email}']").wait_for()

    member.locator("[data-action=remove-role]").click()
    page.locator("dialog[data-modal=confirm] [data-action=confirm]").click()
    member.wait_for(state="detached")

    browser.console.allowed_statuses.add(409)
    me = page.locator(f"[data-member-email='{organizer['user']['email']}']")
    me.locator("[data-action=remove-role]").click()
    page.locator("dialog[data-modal=confirm] [data-action=confirm]").click()
    error = page.locator("[data-people-error]")
    error.wait_for()
    assert "organizer" in error.inner_text().lower()
    assert me.is_visible()
