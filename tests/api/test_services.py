"""Tracks, sessions, speakers, sponsors and microlocations over HTTP: CRUD, validation,
references, the track's sessions, deleting what sessions use, ETags and If-Match, races."""

import pytest

COLLECTIONS = {
    "track": "tracks",
    "session": "sessions",
    "speaker": "speakers",
    "sponsor": "sponsors",
    "microlocation": "microlocations",
}
SESSION = {
    "title": "Keynote",
    "starts_at": "2027-05-01T10:00:00+02:00",
    "ends_at": "2027-05-01T11:00:00+02:00",
}
FULL = {
    "track": {"name": "Main stage", "description": "Talks", "color": "#FF8800", "location": "Hall 1"},
    "session": {**SESSION, "subtitle": "Opening", "abstract": "Hello", "state": "accepted"},
    "speaker": {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "bio": "Analyst",
        "organisation": "Engine",
        "photo_url": "https://img.example/ada.png",
    },
    "sponsor": {
        "name": "ACME",
        "url": "https://acme.example",
        "logo_url": "https://acme.example/l.png",
        "level": "gold",
    },
    "microlocation": {"name": "Hall A", "floor": 2, "room": "A1", "latitude": 52.52, "longitude": 13.405},
}
CHANGE = {
    "track": {"name": "Side stage"},
    "session": {"title": "Closing"},
    "speaker": {"bio": "Mathematician"},
    "sponsor": {"level": "silver"},
    "microlocation": {"floor": -1},
}
INVALID = {
    "track": ({"name": "", "color": "orange"}, {"name", "color"}),
    "session": ({**SESSION, "ends_at": SESSION["starts_at"], "state": "done"}, {"ends_at", "state"}),
    "speaker": ({"name": "S", "email": "not-mail", "photo_url": "javascript:x"}, {"email", "photo_url"}),
    "sponsor": ({"name": " ", "url": "nope", "level": 7}, {"name", "url", "level"}),
    "microlocation": ({"name": "M", "latitude": 100, "floor": "2"}, {"latitude", "floor"}),
}


@pytest.fixture
def event(signup, make_event):
    organizer = signup("organizer@example.com")
    return make_event(organizer)["id"], organizer


def _url(event_id, service, item_id=None):
    base = f"/events/{event_id}/{COLLECTIONS[service]}"
    return f"{base}/{item_id}" if item_id else base


def _create(api, event_id, token, service, payload=None):
    response = api.post(_url(event_id, service), payload or FULL[service], token=token)
    assert response.status == 201, response.json
    return response.json


def _versions(api, event_id, token):
    return api.get(f"/events/{event_id}/versions", token=token).json


@pytest.mark.parametrize("service", COLLECTIONS)
def test_create_read_update_delete(api, event, service):
    event_id, token = event
    counter = f"{COLLECTIONS[service]}_ver"
    before = _versions(api, event_id, token)[counter]

    created = _create(api, event_id, token, service)
    assert created["id"]
    for field, value in FULL[service].items():
        expected = value.lower() if field == "color" else value
        assert created[field] == expected, field
    assert _versions(api, event_id, token)[counter] == before + 1

    one = api.get(_url(event_id, service, created["id"]), token=token)
    assert one.status == 200 and one.json == created
    listed = api.get(_url(event_id, service), token=token)
    assert listed.status == 200 and listed.json == [created]

    changed = api.patch(_url(event_id, service, created["id"]), CHANGE[service], token=token)
    assert changed.status == 200
    assert changed.json == {**created, **CHANGE[service], "updated_at": changed.json["updated_at"]}
    assert changed.headers["etag"] != one.headers["etag"]
    assert (
        api.get(_url(event_id, service, created["id"]), token=token).headers["etag"]
        == changed.headers["etag"]
    )
    assert _versions(api, event_id, token)[counter] == before + 2

    assert api.delete(_url(event_id, service, created["id"]), token=token).status == 204
    gone = api.get(_url(event_id, service, created["id"]), token=token)
    assert gone.status == 404 and gone.error_code == "not_found"
    assert api.get(_url(event_id, service), token=token).json == []
    assert _versions(api, event_id, token)[counter] == before + 3


@pytest.mark.parametrize("service", COLLECTIONS)
def test_invalid_fields_are_422_per_field_and_nothing_is_written(api, event, service):
    event_id, token = event
    payload, fields = INVALID[service]
    before = _versions(api, event_id, token)

    response = api.post(_url(event_id, service), payload, token=token)

    assert response.status == 422
    assert set(response.json["error"]["details"]) == fields
    assert api.get(_url(event_id, service), token=token).json == []
    assert _versions(api, event_id, token) == before

    item = _create(api, event_id, token, service)
    patched = api.patch(_url(event_id, service, item["id"]), {**payload, "id": "x"}, token=token)
    assert patched.status == 422
    assert set(patched.json["error"]["details"]) == fields | {"id"}
    assert api.get(_url(event_id, service, item["id"]), token=token).json == item


@pytest.mark.parametrize("service", COLLECTIONS)
def test_bad_bodies_are_400(api, event, service):
    event_id, token = event
    assert api.post(_url(event_id, service), raw=b"{oops", token=token).error_code == "malformed_json"
    assert api.post(_url(event_id, service), ["name"], token=token).status == 400
    assert api.post(_url(event_id, service), raw=b"", token=token).status == 400


def test_unknown_items_and_events_are_404(api, event, signup):
    event_id, token = event
    for method in ("get", "delete"):
        assert getattr(api, method)(_url(event_id, "track", "nope"), token=token).status == 404
    assert api.patch(_url(event_id, "track", "nope"), {"name": "x"}, token=token).status == 404
    assert api.get("/events/nope/tracks", token=token).status == 404
    assert api.post("/events/nope/tracks", {"name": "x"}, token=signup()).status == 404


def test_sessions_must_lie_within_the_event(api, event):
    event_id, token = event
    early = {**SESSION, "starts_at": "2027-04-30T10:00:00+02:00"}
    response = api.post(_url(event_id, "session"), early, token=token)
    assert response.status == 422 and "starts_at" in response.json["error"]["details"]


def test_session_references_must_exist_in_the_same_event(api, event, make_event):
    event_id, token = event
    other_event = make_event(token, name="Other")["id"]
    foreign_track = _create(api, other_event, token, "track")
    track = _create(api, event_id, token, "track")
    speaker = _create(api, event_id, token, "speaker")
    room = _create(api, event_id, token, "microlocation")

    response = api.post(
        _url(event_id, "session"),
        {
            **SESSION,
            "track_id": foreign_track["id"],
            "microlocation_id": "nope",
            "speaker_ids": [speaker["id"], "x"],
        },
        token=token,
    )
    assert response.status == 422
    assert set(response.json["error"]["details"]) == {"track_id", "microlocation_id", "speaker_ids[1]"}
    assert api.get(_url(event_id, "session"), token=token).json == []

    linked = _create(
        api,
        event_id,
        token,
        "session",
        {**SESSION, "track_id": track["id"], "microlocation_id": room["id"], "speaker_ids": [speaker["id"]]},
    )
    assert (linked["track_id"], linked["microlocation_id"], linked["speaker_ids"]) == (
        track["id"],
        room["id"],
        [speaker["id"]],
    )
    moved = api.patch(_url(event_id, "session", linked["id"]), {"track_id": foreign_track["id"]}, token=token)
    assert moved.status == 422 and "track_id" in moved.json["error"]["details"]


def test_a_track_lists_its_sessions_in_time_order(api, event):
    event_id, token = event
    track = _create(api, event_id, token, "track")
    other = _create(api, event_id, token, "track", {"name": "Other"})
    listed = api.get(_url(event_id, "track"), token=token)
    one = api.get(_url(event_id, "track", track["id"]), token=token)
    late = _create(
        api,
        event_id,
        token,
        "session",
        {
            **SESSION,
            "title": "Late",
            "starts_at": "2027-05-02T10:00:00+02:00",
            "ends_at": "2027-05-02T11:00:00+02:00",
            "track_id": track["id"],
        },
    )
    early = _create(api, event_id, token, "session", {**SESSION, "title": "Early", "track_id": track["id"]})
    _create(api, event_id, token, "session", {**SESSION, "title": "Loose"})

    tracks = api.get(_url(event_id, "track"), token=token)
    by_id = {t["id"]: t for t in tracks.json}
    assert by_id[track["id"]]["sessions"] == [
        {"id": early["id"], "title": "Early"},
        {"id": late["id"], "title": "Late"},
    ]
    assert by_id[other["id"]]["sessions"] == []
    # A session change changes the track's representation, so its ETags move too.
    assert tracks.headers["etag"] != listed.headers["etag"]
    again = api.get(_url(event_id, "track", track["id"]), token=token)
    assert again.json["sessions"] == by_id[track["id"]]["sessions"]
    assert again.headers["etag"] != one.headers["etag"]


def test_conditional_gets(api, event):
    event_id, token = event
    item = _create(api, event_id, token, "speaker")
    for url in (_url(event_id, "speaker"), _url(event_id, "speaker", item["id"])):
        first = api.get(url, token=token)
        again = api.get(url, token=token, headers={"If-None-Match": first.headers["etag"]})
        assert again.status == 304 and again.headers["etag"] == first.headers["etag"]


@pytest.mark.parametrize(("service", "field"), [("track", "track_id"), ("microlocation", "microlocation_id")])
def test_deleting_what_sessions_use_is_409_unless_forced(api, event, service, field):
    event_id, token = event
    used = _create(api, event_id, token, service)
    sessions = [
        _create(api, event_id, token, "session", {**SESSION, "title": f"S{i}", field: used["id"]})
        for i in range(2)
    ]
    before = _versions(api, event_id, token)

    refused = api.delete(_url(event_id, service, used["id"]), token=token)

    assert refused.status == 409 and refused.error_code == "in_use"
    assert sorted(refused.json["error"]["details"]["sessions"]) == sorted(s["id"] for s in sessions)
    assert api.get(_url(event_id, service, used["id"]), token=token).status == 200
    assert _versions(api, event_id, token) == before

    session_etag = api.get(_url(event_id, "session", sessions[0]["id"]), token=token).headers["etag"]
    assert api.delete(_url(event_id, service, used["id"]) + "?force=true", token=token).status == 204

    assert api.get(_url(event_id, service, used["id"]), token=token).status == 404
    for session in api.get(_url(event_id, "session"), token=token).json:
        assert session[field] is None
    after = _versions(api, event_id, token)
    assert after[f"{COLLECTIONS[service]}_ver"] == before[f"{COLLECTIONS[service]}_ver"] + 1
    assert after["sessions_ver"] == before["sessions_ver"] + 1
    unlinked = api.get(_url(event_id, "session", sessions[0]["id"]), token=token)
    assert unlinked.headers["etag"] != session_etag


def test_deleting_a_speaker_sessions_list_is_409_unless_forced(api, event):
    event_id, token = event
    ada, bob = (
        _create(api, event_id, token, "speaker"),
        _create(api, event_id, token, "speaker", {"name": "Bob"}),
    )
    session = _create(api, event_id, token, "session", {**SESSION, "speaker_ids": [ada["id"], bob["id"]]})

    assert api.delete(_url(event_id, "speaker", ada["id"]), token=token).status == 409
    assert api.delete(_url(event_id, "speaker", ada["id"]) + "?force=true", token=token).status == 204
    assert api.get(_url(event_id, "session", session["id"]), token=token).json["speaker_ids"] == [bob["id"]]


def test_deleting_an_unused_track_needs_no_force(api, event):
    event_id, token = event
    track = _create(api, event_id, token, "track")
    _create(api, event_id, token, "session")
    assert api.delete(_url(event_id, "track", track["id"]), token=token).status == 204


def test_if_match_on_update_and_delete(api, event):
    event_id, token = event
    item = _create(api, event_id, token, "sponsor")
    url = _url(event_id, "sponsor", item["id"])
    first = api.get(url, token=token).headers["etag"]
    assert api.patch(url, {"level": "gold"}, token=token, headers={"If-Match": first}).status == 200

    stale = api.patch(url, {"level": "bronze"}, token=token, headers={"If-Match": first})
    assert stale.status == 412 and stale.error_code == "precondition_failed"
    assert api.get(url, token=token).json["level"] == "gold"
    list_tag = api.get(_url(event_id, "sponsor"), token=token).headers["etag"]
    assert api.patch(url, {"level": "bronze"}, token=token, headers={"If-Match": list_tag}).status == 412
    assert api.delete(url, token=token, headers={"If-Match": first}).status == 412
    assert api.get(url, token=token).status == 200

    current = api.get(url, token=token).headers["etag"]
    assert api.delete(url, token=token, headers={"If-Match": current}).status == 204


def test_a_session_linked_while_its_track_is_being_deleted_is_not_left_dangling(api, event, meanwhile):
    """The delete lists the sessions, finds none, and before it writes another request links a
    session to the track. The delete is conditioned on sessions_ver: it re-reads and refuses."""
    event_id, token = event
    track = _create(api, event_id, token, "track")
    interleaved = meanwhile(
        "TransactWriteItems",
        lambda: _create(api, event_id, token, "session", {**SESSION, "track_id": track["id"]}),
    )

    response = api.delete(_url(event_id, "track", track["id"]), token=token)

    assert interleaved, "the interleaving did not happen"
    assert response.status == 409 and response.error_code == "in_use"
    assert api.get(_url(event_id, "track", track["id"]), token=token).json["sessions"] == [
        {"id": interleaved[0]["id"], "title": "Keynote"}
    ]


def test_a_track_deleted_while_a_session_is_being_linked_to_it_gives_422(api, event, meanwhile):
    """The session's reference check passes, then the track is deleted before the session is
    written: the write's ConditionCheck on the track fails and the client learns which field."""
    event_id, token = event
    track = _create(api, event_id, token, "track")
    deleted = meanwhile(
        "TransactWriteItems", lambda: api.delete(_url(event_id, "track", track["id"]), token=token).status
    )

    response = api.post(_url(event_id, "session"), {**SESSION, "track_id": track["id"]}, token=token)

    assert deleted == [204]
    assert response.status == 422 and "track_id" in response.json["error"]["details"]
    assert api.get(_url(event_id, "session"), token=token).json == []
