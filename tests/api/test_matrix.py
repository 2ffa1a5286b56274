"""The exhaustive permission matrix over HTTP: every caller kind x every service x every
operation gets exactly the status the matrix says; then a super admin changes cells and the
next request already answers by the new matrix."""

import copy

import pytest

SERVICES = {
    "track": ("tracks", {"name": "Main stage"}),
    "session": (
        "sessions",
        {
            "title": "Keynote",
            "starts_at": "2027-05-01T10:00:00+02:00",
            "ends_at": "2027-05-01T11:00:00+02:00",
        },
    ),
    "speaker": ("speakers", {"name": "Ada Lovelace"}),
    "sponsor": ("sponsors", {"name": "ACME"}),
    "microlocation": ("microlocations", {"name": "Hall A"}),
}
ALL = "CRUD"
# Written out by hand from docs/resources.md (not derived from the code under test).
EXPECTED = {
    "organizer": dict.fromkeys(SERVICES, ALL),
    "coorganizer": dict.fromkeys(SERVICES, "RU"),
    "track_organizer": {**dict.fromkeys(SERVICES, ""), "track": "RU"},
    "moderator": {**dict.fromkeys(SERVICES, ""), "track": "R"},
    "checkin": dict.fromkeys(SERVICES, ""),
    "no_role": dict.fromkeys(SERVICES, ""),
    "admin": dict.fromkeys(SERVICES, ALL),
    "super_admin": dict.fromkeys(SERVICES, ALL),
}
EVENT_ROLES = ("coorganizer", "track_organizer", "moderator", "checkin")


@pytest.fixture
def world(api, signup, make_event, make_staff, grant_role):
    """An event, a caller of every kind, and items of every service made by the organizer."""
    organizer = signup("organizer@example.com")
    event_id = make_event(organizer)["id"]
    callers = {
        "organizer": organizer,
        "no_role": signup("stranger@example.com"),
        "admin": make_staff("admin@example.com", super_admin=False),
        "super_admin": make_staff("root@example.com"),
    }
    for role in EVENT_ROLES:
        callers[role] = signup(f"{role}@example.com")
        grant_role(event_id, organizer, callers[role], role)
    return event_id, callers


def _make_item(api, event_id, token, service):
    collection, payload = SERVICES[service]
    response = api.post(f"/events/{event_id}/{collection}", payload, token=token)
    assert response.status == 201, response.json
    return response.json["id"]


def _answers(api, event_id, callers, organizer):
    """{caller: {service: letters of the operations that succeeded}}, with exact statuses checked."""
    answers = {}
    kept = {service: _make_item(api, event_id, organizer, service) for service in SERVICES}
    for caller, token in callers.items():
        answers[caller] = {}
        for service, (collection, payload) in SERVICES.items():
            base = f"/events/{event_id}/{collection}"
            doomed = _make_item(api, event_id, organizer, service)
            change = {"title": "Changed"} if service == "session" else {"name": "Changed"}
            outcomes = {
                "C": (api.post(base, payload, token=token), 201),
                "R": (api.get(base, token=token), 200),
                "r": (api.get(f"{base}/{kept[service]}", token=token), 200),
                "U": (api.patch(f"{base}/{kept[service]}", change, token=token), 200),
                "D": (api.delete(f"{base}/{doomed}", token=token), 204),
            }
            letters = ""
            for letter, (response, success) in outcomes.items():
                assert response.status in (success, 403), (
                    caller,
                    service,
                    letter,
                    response.status,
                    response.json,
                )
                if response.status == 403:
                    assert response.error_code == "forbidden"
                else:
                    letters += letter
            # Reading the list and reading one item are the same permission.
            assert ("R" in letters) == ("r" in letters), (caller, service)
            answers[caller][service] = letters.replace("r", "")
    return answers


def test_every_caller_service_and_operation_gets_the_matrix_answer(api, world):
    event_id, callers = world

    assert _answers(api, event_id, callers, callers["organizer"]) == EXPECTED


def test_a_changed_cell_holds_on_the_next_request(api, world):
    event_id, callers = world
    root = callers["super_admin"]
    current = api.get("/permissions", token=root)
    matrix = copy.deepcopy(current.json["matrix"])
    matrix["moderator"]["session"]["create"] = True
    matrix["moderator"]["session"]["read"] = True
    matrix["organizer"]["sponsor"]["delete"] = False
    matrix["coorganizer"]["speaker"]["update"] = False

    changed = api.put(
        "/permissions", {"matrix": matrix}, token=root, headers={"If-Match": current.headers["etag"]}
    )
    assert changed.status == 200, changed.json

    expected = copy.deepcopy(EXPECTED)
    expected["moderator"]["session"] = "CR"
    expected["organizer"]["sponsor"] = "CRU"
    expected["coorganizer"]["speaker"] = "R"
    assert _answers(api, event_id, callers, callers["organizer"]) == expected


def test_a_role_without_any_grant_is_refused_everywhere_even_reading(api, world):
    event_id, callers = world
    root = callers["super_admin"]
    matrix = copy.deepcopy(api.get("/permissions", token=root).json["matrix"])
    matrix["moderator"]["track"]["read"] = False
    assert api.put("/permissions", {"matrix": matrix}, token=root).status == 200

    response = api.get(f"/events/{event_id}/tracks", token=callers["moderator"])
    assert response.status == 403
    # The event itself stays readable: the matrix governs services only.
    assert api.get(f"/events/{event_id}", token=callers["moderator"]).status == 200
