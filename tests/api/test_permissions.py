"""GET / PUT /permissions, invalidation by the stored version, and the DynamoDB budget of a
permission check."""

import copy

import pytest

from chalicelib.domain.permissions import DEFAULT_MATRIX

TRACK = {"name": "Main stage"}


def _with(matrix, role, service, operation, value):
    changed = copy.deepcopy(matrix)
    changed[role][service][operation] = value
    return changed


def test_get_permissions_gives_roles_services_and_the_default_matrix(api, signup):
    token = signup()

    response = api.get("/permissions", token=token)

    assert response.status == 200
    assert response.json["roles"] == ["organizer", "coorganizer", "track_organizer", "moderator", "checkin"]
    assert response.json["services"] == [
        "track",
        "session",
        "speaker",
        "sponsor",
        "microlocation",
        "attendee",
    ]
    assert response.json["matrix"] == DEFAULT_MATRIX
    again = api.get("/permissions", token=token, headers={"If-None-Match": response.headers["etag"]})
    assert again.status == 304 and again.body == b""
    assert api.get("/permissions").status == 401


def test_a_super_admin_replaces_the_matrix(api, make_staff, signup):
    root = make_staff()
    before = api.get("/permissions", token=root)
    matrix = _with(before.json["matrix"], "moderator", "speaker", "read", True)

    response = api.put("/permissions", {"matrix": matrix}, token=root)

    assert response.status == 200
    assert response.json["matrix"] == matrix
    assert response.headers["etag"] != before.headers["etag"]
    after = api.get("/permissions", token=signup())
    assert after.json["matrix"] == matrix
    assert after.headers["etag"] == response.headers["etag"]


@pytest.mark.parametrize("caller", ["organizer", "admin"])
def test_nobody_but_a_super_admin_may_replace_it(api, signup, make_event, make_staff, caller):
    token = make_staff("admin@example.com", super_admin=False) if caller == "admin" else signup()
    make_event(token)
    matrix = _with(DEFAULT_MATRIX, "moderator", "track", "delete", True)

    response = api.put("/permissions", {"matrix": matrix}, token=token)

    assert response.status == 403
    assert api.get("/permissions", token=token).json["matrix"] == DEFAULT_MATRIX


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda m: m.update(janitor=m["moderator"]), "matrix.janitor"),
        (lambda m: m["moderator"].update(ticket=m["moderator"]["track"]), "matrix.moderator.ticket"),
        (lambda m: m["moderator"]["track"].update(publish=True), "matrix.moderator.track.publish"),
        (lambda m: m["moderator"]["track"].update(read="yes"), "matrix.moderator.track.read"),
        (lambda m: m.pop("moderator"), "matrix.moderator"),
    ],
)
def test_unknown_roles_services_operations_are_422_and_change_nothing(api, make_staff, mutate, field):
    root = make_staff()
    before = api.get("/permissions", token=root)
    matrix = copy.deepcopy(DEFAULT_MATRIX)
    mutate(matrix)

    response = api.put("/permissions", {"matrix": matrix}, token=root)

    assert response.status == 422
    assert field in response.json["error"]["details"]
    assert api.get("/permissions", token=root).headers["etag"] == before.headers["etag"]


def test_malformed_bodies_are_400_or_422(api, make_staff):
    root = make_staff()
    assert api.put("/permissions", raw=b"{not json", token=root).status == 400
    assert api.put("/permissions", [], token=root).status == 400
    assert api.put("/permissions", {"roles": []}, token=root).status == 422


def test_if_match_is_honoured(api, make_staff):
    root = make_staff()
    first = api.get("/permissions", token=root)
    one = _with(DEFAULT_MATRIX, "moderator", "sponsor", "read", True)
    other = _with(DEFAULT_MATRIX, "moderator", "session", "read", True)
    assert (
        api.put(
            "/permissions", {"matrix": one}, token=root, headers={"If-Match": first.headers["etag"]}
        ).status
        == 200
    )

    stale = api.put(
        "/permissions", {"matrix": other}, token=root, headers={"If-Match": first.headers["etag"]}
    )

    assert stale.status == 412
    assert api.get("/permissions", token=root).json["matrix"] == one
    foreign = api.put("/permissions", {"matrix": other}, token=root, headers={"If-Match": '"1-000000000000"'})
    assert foreign.status == 412


def test_another_container_sees_the_change_on_its_next_request(api, signup, make_event, make_staff):
    """The cache is per container and invalidated by the stored version, not by time: a
    container holding the old matrix answers by the new one as soon as the version moved."""
    from chalicelib.store.access import load_matrix, remember_matrix
    from chalicelib.store.permissions import replace_matrix

    organizer = signup()
    event_id = make_event(organizer)["id"]
    assert api.get(f"/events/{event_id}/tracks", token=organizer).status == 200
    stale_cache = load_matrix()  # what this container holds since that request
    assert stale_cache.matrix["organizer"]["track"]["read"] is True

    # Another container writes the new matrix; this one still holds the old one in memory.
    replace_matrix(_with(DEFAULT_MATRIX, "organizer", "track", "read", False), None)
    remember_matrix(stale_cache)

    assert api.get(f"/events/{event_id}/tracks", token=organizer).status == 403


def test_provisioning_again_keeps_a_changed_matrix(api, make_staff):
    from chalicelib.store.permissions import seed_default_matrix
    from chalicelib.store.provision import provision

    root = make_staff()
    matrix = _with(DEFAULT_MATRIX, "moderator", "sponsor", "create", True)
    assert api.put("/permissions", {"matrix": matrix}, token=root).status == 200

    assert seed_default_matrix() is False
    provision(report=lambda _line: None)

    assert api.get("/permissions", token=root).json["matrix"] == matrix


def _events_with_roles(api, make_event, token, count):
    return [make_event(token, name=f"Event {i}")["id"] for i in range(count)]


def test_a_permission_check_costs_at_most_two_dynamodb_calls_however_many_roles(
    api, signup, make_event, make_staff, dynamodb_calls, configured
):
    """GET /sessions = 1 GetItem (authentication) + the check + 1 Query (the list).
    The check is one BatchGetItem (event + membership + matrix version), plus one GetItem of
    the matrix only when its version moved since this container last read it."""
    configured(MARQUEE_EVENTS_PER_USER_PER_DAY="40")  # one user organizes 40 events here
    few, many = signup("few@example.com"), signup("many@example.com")
    few_event = _events_with_roles(api, make_event, few, 1)[0]
    many_events = _events_with_roles(api, make_event, many, 40)
    api.get(f"/events/{few_event}/sessions", token=few)  # warm the container's matrix cache

    with dynamodb_calls:
        assert api.get(f"/events/{few_event}/sessions", token=few).status == 200
    one_role = list(dynamodb_calls.calls)
    with dynamodb_calls:
        assert api.get(f"/events/{many_events[-1]}/sessions", token=many).status == 200
    forty_roles = list(dynamodb_calls.calls)

    assert one_role == forty_roles == ["GetItem", "BatchGetItem", "Query"]
    check_calls = len(forty_roles) - 2  # minus authentication and the list's Query
    print(f"\npermission check, warm cache, 1 role: {len(one_role) - 2} call(s); 40 roles: {check_calls}")

    root = make_staff()
    matrix = _with(DEFAULT_MATRIX, "moderator", "track", "create", True)
    assert api.put("/permissions", {"matrix": matrix}, token=root).status == 200
    from chalicelib.store.access import forget_cached_matrix

    forget_cached_matrix()  # as in a container that has not seen the new version yet
    with dynamodb_calls:
        assert api.get(f"/events/{many_events[0]}/sessions", token=many).status == 200
    assert dynamodb_calls.calls == ["GetItem", "BatchGetItem", "GetItem", "Query"]
    print(f"permission check after the matrix changed: {len(dynamodb_calls.calls) - 2} call(s)")

    with dynamodb_calls:
        response = api.get(f"/events/{many_events[1]}/sessions", token=many)
    assert response.status == 200 and dynamodb_calls.calls == ["GetItem", "BatchGetItem", "Query"]
    with dynamodb_calls:
        cached = api.get(
            f"/events/{many_events[1]}/sessions",
            token=many,
            headers={"If-None-Match": response.headers["etag"]},
        )
    assert cached.status == 304 and dynamodb_calls.calls == ["GetItem", "BatchGetItem"]
    # Tracks include their sessions: the same check, then one Query per collection.
    with dynamodb_calls:
        assert api.get(f"/events/{many_events[1]}/tracks", token=many).status == 200
    assert dynamodb_calls.calls == ["GetItem", "BatchGetItem", "Query", "Query"]


def test_a_refused_check_costs_the_same(api, signup, make_event, dynamodb_calls):
    owner, stranger = signup(), signup()
    event_id = make_event(owner)["id"]
    api.get(f"/events/{event_id}/tracks", token=owner)

    with dynamodb_calls:
        assert api.post(f"/events/{event_id}/tracks", TRACK, token=stranger).status == 403
    assert dynamodb_calls.calls == ["GetItem", "BatchGetItem"]
