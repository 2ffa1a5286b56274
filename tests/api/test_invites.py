"""Role invites end to end: the notification, the e-mail read back from moto's SES, the
invited user's list, accept / decline, signup with the token, and the token rules."""

import re
from datetime import timedelta

import pytest
import time_machine

from chalicelib.domain.clock import now

PASSWORD = "correct horse"


@pytest.fixture
def event(signup, make_event):
    organizer = signup("organizer@example.com", name="Olga <Organizer>")
    return make_event(organizer, name="PyCon & Friends")["id"], organizer


def _invite(api, event_id, token, email, role="coorganizer"):
    response = api.post(f"/events/{event_id}/invites", {"email": email, "role": role}, token=token)
    assert response.status == 201, response.json
    return response.json


def _pending(api, token):
    response = api.get("/me/invites", token=token)
    assert response.status == 200
    return response.json


def _invite_mails(sent_emails):
    return [m for m in sent_emails() if m.subject.startswith("You are invited")]


def _signup_link_token(message) -> str:
    match = re.search(r"#/signup\?invite=([A-Za-z0-9_\-]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_inviting_a_registered_user_notifies_and_emails_them(api, event, signup, sent_emails, verify_email):
    event_id, organizer = event
    bob = signup("bob@example.com")
    verify_email(bob)

    response = api.post(
        f"/events/{event_id}/invites", {"email": " Bob@Example.com ", "role": "moderator"}, token=organizer
    )

    assert response.status == 201
    body = response.json
    assert {k: body[k] for k in ("email", "role", "status")} == {
        "email": "bob@example.com",
        "role": "moderator",
        "status": "pending",
    }
    assert body["id"] and "token" not in body and body["email_sent"] is True
    assert api.get("/me", token=bob).json["unread_notifications"] == 1
    notifications = api.get("/notifications", token=bob).json
    assert [(n["action"], n["has_read"]) for n in notifications] == [("role_invite", False)]
    # Plain text, quoting the names as they are (clients show it as text).
    assert notifications[0]["message"] == "Olga <Organizer> invited you to be moderator of PyCon & Friends."
    [mail] = _invite_mails(sent_emails)
    assert mail.destinations["ToAddresses"] == ["bob@example.com"]
    assert mail.subject == "You are invited to be moderator of PyCon & Friends"
    assert f"http://127.0.0.1:8000/#/invites?invite={body['id']}&amp;token=" in mail.body
    # Names are escaped in the HTML part: no markup can be injected through them.
    assert "Olga &lt;Organizer&gt;" in mail.body and "<Organizer>" not in mail.body
    # The plain-text part is the same invitation, readable as it is.
    assert mail.text.startswith(
        "Olga <Organizer> invited you to be moderator of PyCon & Friends on Marquee.\n\n"
        f"Accept or decline: http://127.0.0.1:8000/#/invites?invite={body['id']}&token="
    )
    assert "The invite expires in 7 days." in mail.text


def test_a_verified_user_lists_their_invites_with_tokens_and_accepts(api, event, signup, verify_email):
    event_id, organizer = event
    bob = signup("bob@example.com")
    verify_email(bob)
    invite = _invite(api, event_id, organizer, "BOB@example.com", "coorganizer")

    [pending] = _pending(api, bob)
    assert pending == {
        "id": invite["id"],
        "token": pending["token"],
        "role": "coorganizer",
        "status": "pending",
        "expires_at": invite["expires_at"],
        "event": {"id": event_id, "name": "PyCon & Friends"},
    }
    assert len(pending["token"]) >= 40
    assert api.get(f"/events/{event_id}", token=bob).status == 403

    accepted = api.post(f"/invites/{pending['token']}/accept", token=bob)

    assert accepted.status == 200
    assert accepted.json == {
        "event": {"id": event_id, "name": "PyCon & Friends"},
        "role": "coorganizer",
        "status": "accepted",
    }
    assert api.get(f"/events/{event_id}", token=bob).status == 200
    assert [(e["id"], e["role"]) for e in api.get("/me/events", token=bob).json] == [
        (event_id, "coorganizer")
    ]
    assert _pending(api, bob) == []
    listed = api.get(f"/events/{event_id}/invites", token=organizer).json
    assert [(i["id"], i["status"]) for i in listed] == [(invite["id"], "accepted")]
    assert all("token" not in i for i in listed)


def test_a_token_is_single_use(api, event, signup, invite_email_token):
    event_id, organizer = event
    bob = signup("bob@example.com")
    invite = _invite(api, event_id, organizer, "bob@example.com")
    token = invite_email_token(invite["id"])
    assert api.post(f"/invites/{token}/accept", token=bob).status == 200

    for action in ("accept", "decline"):
        again = api.post(f"/invites/{token}/{action}", token=bob)
        assert again.status == 409 and again.error_code == "invite_used"


def test_declining(api, event, signup, invite_email_token):
    event_id, organizer = event
    bob = signup("bob@example.com")
    invite = _invite(api, event_id, organizer, "bob@example.com")
    token = invite_email_token(invite["id"])

    declined = api.post(f"/invites/{token}/decline", token=bob)

    assert declined.status == 200 and declined.json == {
        "id": invite["id"],
        "role": "coorganizer",
        "status": "declined",
    }
    assert api.get(f"/events/{event_id}", token=bob).status == 403
    assert _pending(api, bob) == []
    assert api.post(f"/invites/{token}/accept", token=bob).error_code == "invite_used"


def test_only_the_invited_address_may_answer(api, event, signup, invite_email_token):
    event_id, organizer = event
    bob, mallory = signup("bob@example.com"), signup("mallory@example.com")
    invite = _invite(api, event_id, organizer, "bob@example.com")
    token = invite_email_token(invite["id"])

    assert _pending(api, mallory) == []
    for action in ("accept", "decline"):
        response = api.post(f"/invites/{token}/{action}", token=mallory)
        assert response.status == 403 and response.error_code == "invite_not_yours"
    # Not even the organizer who sent it.
    assert api.post(f"/invites/{token}/accept", token=organizer).status == 403
    assert api.get(f"/events/{event_id}", token=mallory).status == 403
    assert api.post(f"/invites/{token}/accept", token=bob).status == 200


def test_unknown_tokens_are_404_and_answering_needs_a_session(api, event, signup):
    bob = signup("bob@example.com")
    assert api.post("/invites/not-a-token/accept", token=bob).status == 404
    assert api.post("/invites/not-a-token/decline", token=bob).status == 404
    assert api.post("/invites/whatever/accept").status == 401
    assert api.get("/me/invites").status == 401


def _login(api, email):
    return api.post("/auth/login", {"email": email, "password": PASSWORD}).json["token"]


def test_invites_expire_after_seven_days(api, event, signup):
    event_id, organizer = event
    signup("bob@example.com")
    _invite(api, event_id, organizer, "bob@example.com")
    start = now()

    with time_machine.travel(start + timedelta(days=6, hours=23), tick=False):
        bob = _login(api, "bob@example.com")
        assert len(_pending(api, bob)) == 1
    with time_machine.travel(start + timedelta(days=7, minutes=1), tick=False):
        bob = _login(api, "bob@example.com")
        listed = api.get(f"/events/{event_id}/invites", token=_login(api, "organizer@example.com")).json
        assert [i["status"] for i in listed] == ["expired"]
        assert _pending(api, bob) == []


def test_an_expired_token_cannot_be_accepted(api, event, signup, invite_email_token):
    event_id, organizer = event
    bob = signup("bob@example.com")
    invite = _invite(api, event_id, organizer, "bob@example.com")
    token = invite_email_token(invite["id"])

    with time_machine.travel(now() + timedelta(days=7, seconds=1), tick=False):
        response = api.post(f"/invites/{token}/accept", token=_login(api, "bob@example.com"))

    assert response.status == 409 and response.error_code == "invite_expired"
    assert api.get(f"/events/{event_id}", token=bob).status == 403


def test_an_unknown_address_gets_a_signup_link_and_signing_up_grants_the_role(api, event, sent_emails):
    event_id, organizer = event
    invite = _invite(api, event_id, organizer, "New.Person@example.com", "track_organizer")
    [mail] = _invite_mails(sent_emails)
    assert mail.destinations["ToAddresses"] == ["new.person@example.com"]
    assert "http://127.0.0.1:8000/#/signup?invite=" in mail.body
    assert "Create your account to accept: http://127.0.0.1:8000/#/signup?invite=" in mail.text
    assert "Accept or decline here: http://127.0.0.1:8000/#/invites?invite=" in mail.text
    token = _signup_link_token(mail)

    response = api.post(
        "/auth/signup",
        {"email": "new.person@EXAMPLE.com", "password": PASSWORD, "name": "New", "invite_token": token},
    )

    assert response.status == 201
    member = response.json["token"]
    assert [(e["id"], e["role"]) for e in api.get("/me/events", token=member).json] == [
        (event_id, "track_organizer")
    ]
    assert api.get(f"/events/{event_id}/tracks", token=member).status == 200
    statuses = api.get(f"/events/{event_id}/invites", token=organizer).json
    assert [(i["id"], i["status"]) for i in statuses] == [(invite["id"], "accepted")]

    reused = api.post(
        "/auth/signup",
        {"email": "new.person@example.com", "password": PASSWORD, "name": "N", "invite_token": token},
    )
    assert reused.status == 422 and reused.json["error"]["details"] == {
        "invite_token": "This invite was already accepted."
    }


@pytest.mark.parametrize(
    ("email", "token_kind"),
    [
        ("someone.else@example.com", "real"),
        ("new.person@example.com", "unknown"),
        ("new.person@example.com", "bad"),
    ],
)
def test_signup_with_an_invite_for_another_address_or_a_bad_token_creates_nothing(
    api, event, sent_emails, email, token_kind
):
    event_id, organizer = event
    _invite(api, event_id, organizer, "new.person@example.com")
    token = {"real": _signup_link_token(_invite_mails(sent_emails)[0]), "unknown": "x" * 43, "bad": 12}[
        token_kind
    ]

    response = api.post(
        "/auth/signup", {"email": email, "password": PASSWORD, "name": "N", "invite_token": token}
    )

    assert response.status == 422
    assert set(response.json["error"]["details"]) == {"invite_token"}
    assert api.post("/auth/login", {"email": email, "password": PASSWORD}).status == 401
    assert [i["status"] for i in api.get(f"/events/{event_id}/invites", token=organizer).json] == ["pending"]


def test_signup_with_an_invite_still_validates_the_account_fields(api, event, sent_emails):
    event_id, organizer = event
    _invite(api, event_id, organizer, "new.person@example.com")
    token = _signup_link_token(_invite_mails(sent_emails)[0])

    response = api.post(
        "/auth/signup", {"email": "new.person@example.com", "password": "short", "invite_token": token}
    )

    assert response.status == 422 and set(response.json["error"]["details"]) == {"password", "name"}
    assert [i["status"] for i in api.get(f"/events/{event_id}/invites", token=organizer).json] == ["pending"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"email", "role"}),
        ({"email": "not-mail", "role": "moderator"}, {"email"}),
        ({"email": "a@example.com", "role": "owner"}, {"role"}),
        ({"email": "a@example.com", "role": "moderator", "message": "hi"}, {"message"}),
        ({"email": ["a@example.com"], "role": None}, {"email", "role"}),
    ],
)
def test_invite_validation(api, event, sent_emails, payload, fields):
    event_id, organizer = event
    response = api.post(f"/events/{event_id}/invites", payload, token=organizer)
    assert response.status == 422 and set(response.json["error"]["details"]) == fields
    assert api.get(f"/events/{event_id}/invites", token=organizer).json == []
    assert _invite_mails(sent_emails) == []


def test_malformed_invite_bodies_are_400(api, event):
    event_id, organizer = event
    assert api.post(f"/events/{event_id}/invites", raw=b"{", token=organizer).error_code == "malformed_json"
    assert api.post(f"/events/{event_id}/invites", [1], token=organizer).status == 400


@pytest.mark.parametrize("role", ["coorganizer", "track_organizer", "moderator", None])
def test_only_organizers_and_staff_invite(api, event, signup, grant_role, sent_emails, role):
    event_id, organizer = event
    caller = signup("caller@example.com")
    if role:
        grant_role(event_id, organizer, caller, role)
    emails_before = len(sent_emails())

    response = api.post(
        f"/events/{event_id}/invites", {"email": "x@example.com", "role": "moderator"}, token=caller
    )

    assert response.status == 403
    assert api.get(f"/events/{event_id}/invites", token=caller).status == 403
    assert len(sent_emails()) == emails_before


def test_staff_may_invite(api, event, make_staff):
    event_id, _organizer = event
    admin = make_staff("admin@example.com", super_admin=False)
    assert _invite(api, event_id, admin, "x@example.com")["status"] == "pending"


def test_no_duplicate_invites_and_no_invite_to_a_role_already_held(api, event, signup, invite_email_token):
    event_id, organizer = event
    bob = signup("bob@example.com")
    invite = _invite(api, event_id, organizer, "bob@example.com", "moderator")

    again = api.post(
        f"/events/{event_id}/invites", {"email": "BOB@example.com", "role": "moderator"}, token=organizer
    )
    assert again.status == 409 and again.error_code == "already_invited"
    api.post(f"/invites/{invite_email_token(invite['id'])}/accept", token=bob)
    held = api.post(
        f"/events/{event_id}/invites", {"email": "bob@example.com", "role": "moderator"}, token=organizer
    )
    assert held.status == 409 and held.error_code == "already_member"


def test_accepting_another_role_replaces_the_current_one(api, event, signup, grant_role):
    event_id, organizer = event
    bob = signup("bob@example.com")
    grant_role(event_id, organizer, bob, "moderator")
    assert api.post(f"/events/{event_id}/sessions", {}, token=bob).status == 403

    grant_role(event_id, organizer, bob, "organizer")

    roles = {
        r["user"]["email"]: r["role"] for r in api.get(f"/events/{event_id}/roles", token=organizer).json
    }
    assert roles["bob@example.com"] == "organizer"
    assert api.get(f"/events/{event_id}/roles", token=bob).status == 200


def test_the_last_organizer_cannot_accept_a_lesser_role(api, event, invite_email_token):
    event_id, organizer = event
    invite = _invite(api, event_id, organizer, "organizer@example.com", "moderator")
    token = invite_email_token(invite["id"])

    response = api.post(f"/invites/{token}/accept", token=organizer)

    assert response.status == 409 and response.error_code == "last_organizer"
    assert [i["id"] for i in _pending(api, organizer)] == [invite["id"]]


def test_invites_of_a_deleted_event_vanish(api, event, signup, invite_email_token):
    event_id, organizer = event
    bob = signup("bob@example.com")
    invite = _invite(api, event_id, organizer, "bob@example.com")
    token = invite_email_token(invite["id"])
    assert api.delete(f"/events/{event_id}", token=organizer).status == 204

    assert _pending(api, bob) == []
    assert api.post(f"/invites/{token}/accept", token=bob).status == 404


def test_the_invite_stands_when_ses_refuses_the_email(api, event, signup, sent_emails):
    from chalicelib.config import settings
    from chalicelib.store.aws import client

    event_id, organizer = event
    bob = signup("bob@example.com")
    client("ses").delete_identity(Identity=settings().mail_sender)

    response = api.post(
        f"/events/{event_id}/invites", {"email": "bob@example.com", "role": "moderator"}, token=organizer
    )

    assert response.status == 201 and response.json["email_sent"] is False
    assert _invite_mails(sent_emails) == []
    assert len(_pending(api, bob)) == 1
    assert api.get("/me", token=bob).json["unread_notifications"] == 1


def test_an_expired_signup_link_creates_nothing(api, event, sent_emails):
    event_id, organizer = event
    _invite(api, event_id, organizer, "new.person@example.com")
    token = _signup_link_token(_invite_mails(sent_emails)[0])

    with time_machine.travel(now() + timedelta(days=7, seconds=1), tick=False):
        response = api.post(
            "/auth/signup",
            {"email": "new.person@example.com", "password": PASSWORD, "name": "N", "invite_token": token},
        )

    assert response.status == 422 and "expired" in response.json["error"]["details"]["invite_token"]
    assert api.post("/auth/login", {"email": "new.person@example.com", "password": PASSWORD}).status == 401


def _accept_link_token(message, invite_id) -> str:
    match = re.search(rf"#/invites\?invite={invite_id}&amp;token=([A-Za-z0-9_\-]+)", message.body)
    assert match, message.body
    return match.group(1)


def test_signing_up_with_an_invited_address_does_not_hand_over_the_invite(api, event, sent_emails):
    """The attack of #14: the organizer invites an address without an account; someone else
    signs up with it. They see the invite, but not its token: only the inbox has that."""
    event_id, organizer = event
    invite = _invite(api, event_id, organizer, "newhire@corp.example", "organizer")
    attacker = api.post(
        "/auth/signup", {"email": "newhire@corp.example", "password": PASSWORD, "name": "Mallory"}
    ).json["token"]

    [listed] = _pending(api, attacker)

    assert listed["id"] == invite["id"] and listed["token"] is None
    assert "token" not in repr(api.get("/notifications", token=attacker).json)
    assert api.get(f"/events/{event_id}", token=attacker).status == 403
    # Whoever reads the invite e-mail has the token: its link answers the invite.
    [mail] = _invite_mails(sent_emails)
    token = _accept_link_token(mail, invite["id"])
    assert token == _signup_link_token(mail)
    assert api.post(f"/invites/{token}/accept", token=attacker).status == 200


def test_signing_up_before_the_invite_is_sent_does_not_hand_it_over_either(
    api, event, signup, sent_emails, invite_email_token
):
    event_id, organizer = event
    squatter = signup("newhire@corp.example", name="Mallory")

    invite = _invite(api, event_id, organizer, "newhire@corp.example", "organizer")

    assert [i["token"] for i in _pending(api, squatter)] == [None]
    notifications = api.get("/notifications", token=squatter).json
    assert [n["action"] for n in notifications] == ["role_invite"]
    token = invite_email_token(invite["id"])
    assert token not in repr(notifications)
    roles = api.get(f"/events/{event_id}/roles", token=organizer).json
    assert [r["user"]["email"] for r in roles] == ["organizer@example.com"]
    assert api.post(f"/invites/{token}/accept", token=squatter).status == 200


def test_verifying_the_address_reveals_the_tokens(api, event, signup, verify_email, invite_email_token):
    event_id, organizer = event
    bob = signup("bob@example.com")
    invite = _invite(api, event_id, organizer, "bob@example.com")
    assert [i["token"] for i in _pending(api, bob)] == [None]

    verify_email(bob)

    assert [i["token"] for i in _pending(api, bob)] == [invite_email_token(invite["id"])]


def test_signing_up_through_the_invite_link_verifies_the_address(api, event, sent_emails):
    event_id, organizer = event
    _invite(api, event_id, organizer, "new.person@example.com")
    token = _signup_link_token(_invite_mails(sent_emails)[0])

    response = api.post(
        "/auth/signup",
        {"email": "new.person@example.com", "password": PASSWORD, "name": "New", "invite_token": token},
    )

    assert response.status == 201 and response.json["user"]["email_verified"] is True
    assert api.get("/me", token=response.json["token"]).json["email_verified"] is True
    # Nothing left to verify, so no verification e-mail.
    assert [m.destinations["ToAddresses"] for m in sent_emails()] == [
        ["organizer@example.com"],
        ["new.person@example.com"],
    ]
