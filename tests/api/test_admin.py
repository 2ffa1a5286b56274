"""Platform administration: the staff user list and the platform roles a super admin sets."""

import pytest


def test_staff_list_every_user_page_by_page(api, signup, make_staff):
    root = make_staff()
    admin = make_staff("admin@example.com", super_admin=False)
    for i in range(5):
        signup(f"user{i}@example.com")

    seen, cursor, pages = [], None, 0
    while True:
        path = "/admin/users?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(path, token=admin)
        assert page.status == 200 and len(page.json) <= 2
        seen += page.json
        pages += 1
        cursor = page.headers.get("x-next-cursor")
        if not cursor:
            break

    assert pages >= 4
    emails = [u["email"] for u in seen]
    assert sorted(emails) == sorted(
        ["root@example.com", "admin@example.com"] + [f"user{i}@example.com" for i in range(5)]
    )
    assert set(seen[0]) == {
        "id",
        "email",
        "name",
        "is_admin",
        "is_super_admin",
        "email_verified",
        "created_at",
    }
    assert all("password_hash" not in u for u in seen)
    assert api.get("/admin/users", token=root).status == 200


def test_the_user_list_is_staff_only(api, signup, make_event):
    organizer = signup()
    make_event(organizer)
    assert api.get("/admin/users", token=organizer).status == 403
    assert api.get("/admin/users").status == 401


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=abc", "cursor=%%%", "cursor=bm9wZQ"])
def test_bad_paging_is_422(api, make_staff, query):
    assert api.get(f"/admin/users?{query}", token=make_staff()).status == 422


def test_a_super_admin_makes_someone_admin_and_takes_it_back(api, signup, make_staff):
    root = make_staff()
    bob = signup("bob@example.com")
    bob_id = api.me(bob)["id"]
    assert api.get("/events", token=bob).status == 403

    promoted = api.patch(f"/admin/users/{bob_id}", {"is_admin": True}, token=root)

    assert promoted.status == 200
    assert promoted.json["is_admin"] is True and promoted.json["is_super_admin"] is False
    assert api.get("/events", token=bob).status == 200
    assert api.get("/admin/users", token=bob).status == 200
    # An admin is staff, not a super admin.
    assert api.patch(f"/admin/users/{bob_id}", {"is_super_admin": True}, token=bob).status == 403

    demoted = api.patch(f"/admin/users/{bob_id}", {"is_admin": False}, token=root)
    assert demoted.status == 200 and demoted.json["is_admin"] is False
    assert api.get("/events", token=bob).status == 403


@pytest.mark.parametrize("caller", ["admin", "user"])
def test_only_a_super_admin_sets_platform_roles(api, signup, make_staff, caller):
    token = (
        make_staff("admin@example.com", super_admin=False) if caller == "admin" else signup("u@example.com")
    )
    target = signup("bob@example.com")
    target_id = api.me(target)["id"]

    for who in (target_id, api.me(token)["id"]):
        response = api.patch(f"/admin/users/{who}", {"is_admin": True, "is_super_admin": True}, token=token)
        assert response.status == 403
    assert api.me(target)["is_admin"] is False


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"is_admin"}),
        ({"is_admin": "yes"}, {"is_admin"}),
        ({"is_super_admin": 1}, {"is_super_admin"}),
        ({"is_admin": True, "email": "x@example.com"}, {"email"}),
    ],
)
def test_platform_role_validation(api, signup, make_staff, payload, fields):
    root = make_staff()
    bob_id = api.me(signup("bob@example.com"))["id"]
    response = api.patch(f"/admin/users/{bob_id}", payload, token=root)
    assert response.status == 422 and set(response.json["error"]["details"]) == fields


def test_unknown_user_and_bad_bodies(api, make_staff):
    root = make_staff()
    assert api.patch("/admin/users/nope", {"is_admin": True}, token=root).status == 404
    assert api.patch("/admin/users/nope", raw=b"{", token=root).status == 400


def test_a_super_admin_cannot_leave_the_platform_without_one(api, signup, make_staff):
    root = make_staff()
    root_id = api.me(root)["id"]

    alone = api.patch(f"/admin/users/{root_id}", {"is_super_admin": False}, token=root)
    assert alone.status == 409 and alone.error_code == "last_super_admin"
    assert api.me(root)["is_super_admin"] is True

    second = signup("second@example.com")
    second_id = api.me(second)["id"]
    assert api.patch(f"/admin/users/{second_id}", {"is_super_admin": True}, token=root).status == 200
    # Even with another super admin around, nobody demotes themselves: the other one does it.
    assert api.patch(f"/admin/users/{root_id}", {"is_super_admin": False}, token=root).status == 409
    assert api.patch(f"/admin/users/{root_id}", {"is_super_admin": False}, token=second).status == 200
    assert api.me(root)["is_super_admin"] is False
    # A super admin may still change their own is_admin flag.
    assert api.patch(f"/admin/users/{second_id}", {"is_admin": True}, token=second).status == 200


def test_two_super_admins_demoting_each_other_at_once_leave_one(api, signup, make_staff):
    """Both passed the guard; the first demotion commits; the second is conditioned on its
    actor still being super admin, so it fails instead of leaving the platform without one."""
    from chalicelib.domain.errors import ForbiddenError
    from chalicelib.store.roles import set_system_roles
    from chalicelib.store.users import get_user

    root = make_staff()
    second = signup("second@example.com")
    root_id, second_id = api.me(root)["id"], api.me(second)["id"]
    assert api.patch(f"/admin/users/{second_id}", {"is_super_admin": True}, token=root).status == 200
    root_as_read_by_its_guard, second_as_read_by_its_guard = get_user(root_id), get_user(second_id)

    set_system_roles(root_as_read_by_its_guard, second_id, {"is_super_admin": False})
    with pytest.raises(ForbiddenError):
        set_system_roles(second_as_read_by_its_guard, root_id, {"is_super_admin": False})

    assert (api.me(root)["is_super_admin"], api.me(second)["is_super_admin"]) == (True, False)
