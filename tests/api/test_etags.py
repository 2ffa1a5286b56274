"""ETags derived from stored versions: 304 without work, If-Match against lost updates."""

import time

import pytest


def test_original_transcript_on_an_event(api, owner, event):
    path = f"/events/{event['id']}"
    first = api.get(path, token=owner)
    assert first.status == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "private, no-cache"

    revalidated = api.get(path, token=owner, headers={"If-None-Match": etag})
    assert revalidated.status == 304
    assert revalidated.body == b""
    assert revalidated.headers["etag"] == etag

    api.patch(path, {"name": "Changed"}, token=owner)
    after = api.get(path, token=owner, headers={"If-None-Match": etag})
    assert after.status == 200 and after.json["name"] == "Changed"
    assert after.headers["etag"] != etag


@pytest.mark.parametrize(
    "header",
    ["{etag}", "W/{etag}", '"other", {etag}', 'W/"x", W/{etag}', "*"],
)
def test_if_none_match_weak_list_and_star_forms(api, owner, event, header):
    path = f"/events/{event['id']}"
    etag = api.get(path, token=owner).headers["etag"]

    assert api.get(path, token=owner, headers={"If-None-Match": header.format(etag=etag)}).status == 304


def test_if_none_match_mismatch_gets_the_body(api, owner, event):
    path = f"/events/{event['id']}"
    response = api.get(path, token=owner, headers={"If-None-Match": '"1-000000000000", "garbage'})
    assert response.status == 200 and response.json["id"] == event["id"]


def test_etag_is_per_resource(api, owner, make_event, event):
    other = make_event(owner, name="Other")
    etag = api.get(f"/events/{event['id']}", token=owner).headers["etag"]
    assert api.get(f"/events/{other['id']}", token=owner, headers={"If-None-Match": etag}).status == 200


def test_conditional_get_reads_only_the_version_item_after_authentication(api, owner, event, dynamodb_calls):
    path = f"/events/{event['id']}"
    etag = api.get(path, token=owner).headers["etag"]

    with dynamodb_calls:
        response = api.get(path, token=owner, headers={"If-None-Match": etag})
    assert response.status == 304
    # GetItem: the caller (token version); BatchGetItem: event item (versions) + membership.
    assert dynamodb_calls.calls == ["GetItem", "BatchGetItem"]


def test_if_match_two_writers_with_the_same_version_exactly_one_wins(api, owner, event):
    path = f"/events/{event['id']}"
    etag = api.get(path, token=owner).headers["etag"]

    first = api.patch(path, {"name": "First"}, token=owner, headers={"If-Match": etag})
    second = api.patch(path, {"name": "Second"}, token=owner, headers={"If-Match": etag})

    assert first.status == 200
    assert second.status == 412 and second.error_code == "precondition_failed"
    assert api.get(path, token=owner).json["name"] == "First"
    assert api.get(f"{path}/versions", token=owner).json["event_ver"] == 2


def test_if_match_uses_strong_comparison(api, owner, event):
    path = f"/events/{event['id']}"
    etag = api.get(path, token=owner).headers["etag"]

    weak = api.patch(path, {"name": "Weak"}, token=owner, headers={"If-Match": f"W/{etag}"})
    assert weak.status == 412
    listed = api.patch(path, {"name": "Listed"}, token=owner, headers={"If-Match": f'"9-abc", {etag}'})
    assert listed.status == 200
    star = api.patch(path, {"name": "Star"}, token=owner, headers={"If-Match": "*"})
    assert star.status == 200


def test_if_match_with_another_resources_tag_fails(api, owner, make_event, event):
    other = make_event(owner, name="Other")
    other_etag = api.get(f"/events/{other['id']}", token=owner).headers["etag"]

    response = api.patch(
        f"/events/{event['id']}", {"name": "X"}, token=owner, headers={"If-Match": other_etag}
    )
    assert response.status == 412
    assert api.get(f"/events/{event['id']}", token=owner).json["name"] == event["name"]


def test_delete_honours_if_match(api, owner, event):
    path = f"/events/{event['id']}"
    stale = api.get(path, token=owner).headers["etag"]
    api.patch(path, {"name": "Moved on"}, token=owner)

    assert api.delete(path, token=owner, headers={"If-Match": stale}).status == 412
    assert api.get(path, token=owner).status == 200
    fresh = api.get(path, token=owner).headers["etag"]
    assert api.delete(path, token=owner, headers={"If-Match": fresh}).status == 204


def test_patch_returns_the_new_etag(api, owner, event):
    path = f"/events/{event['id']}"
    patched = api.patch(path, {"name": "New"}, token=owner)
    assert api.get(path, token=owner, headers={"If-None-Match": patched.headers["etag"]}).status == 304


def test_event_write_bumps_only_event_ver(api, owner, event):
    versions_path = f"/events/{event['id']}/versions"
    before = api.get(versions_path, token=owner).json
    api.patch(f"/events/{event['id']}", {"description": "More"}, token=owner)
    after = api.get(versions_path, token=owner).json

    assert after == {**before, "event_ver": before["event_ver"] + 1}


def test_public_and_unversioned_gets_have_etags_too(api, owner, event, time_machine):
    # Frozen so the public page's one-minute clock variant cannot roll over mid-test.
    now = time.time()
    time_machine.move_to(now - now % 60 + 90, tick=False)
    api.patch(f"/events/{event['id']}", {"state": "published"}, token=owner)
    for path in ("/public/events", f"/public/events/{event['id']}", "/me/events", "/me"):
        token = None if path.startswith("/public") else owner
        response = api.get(path, token=token)
        assert response.status == 200 and response.headers["etag"], path
        assert (
            api.get(path, token=token, headers={"If-None-Match": response.headers["etag"]}).status == 304
        ), path


def test_public_event_etag_moves_with_the_clock_for_sales_windows(api, owner, event):
    import time_machine

    api.patch(f"/events/{event['id']}", {"state": "published"}, token=owner)
    path = f"/public/events/{event['id']}"
    with time_machine.travel("2027-04-01T10:00:00+00:00", tick=False):
        etag = api.get(path).headers["etag"]
        assert api.get(path, headers={"If-None-Match": etag}).status == 304
    with time_machine.travel("2027-04-01T10:01:00+00:00", tick=False):
        assert api.get(path, headers={"If-None-Match": etag}).status == 200
