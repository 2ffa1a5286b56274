"""The ticket's QR code: an SVG drawn on the server that a scanner reads back as the attendee's
code (decoded here from the SVG's own path, not from the library's matrix), for the buyer and
the event's order readers only, cached privately with an ETag, and none for a revoked ticket."""

import xml.etree.ElementTree as ET

import pytest

from tests.api.orders_helpers import FREE
from tests.qr_decode import SVG_NS, decode_svg, svg_modules


def _first_attendee(shop, order, token):
    response = shop.api.get(f"/orders/{order['id']}/attendees", token=token)
    assert response.status == 200, response.json
    return response.json[0]


def _qr_path(order, attendee):
    return f"/orders/{order['id']}/attendees/{attendee['id']}/qr.svg"


@pytest.fixture
def ticket(shop, buyer):
    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    return order, _first_attendee(shop, order, buyer)


def test_the_qr_is_an_svg_that_decodes_to_the_attendees_code(shop, buyer, ticket):
    order, attendee = ticket
    response = shop.api.get(_qr_path(order, attendee), token=buyer)
    assert response.status == 200, response.body
    assert response.headers["content-type"] == "image/svg+xml"
    svg = response.body.decode()
    assert [(read.text, read.ec_level) for read in decode_svg(svg)] == [(attendee["code"], "Q")]
    # A quiet zone of four light modules on every side.
    grid = svg_modules(svg)
    assert len(grid) == 29 + 8
    for edge in (*grid[:4], *grid[-4:], *([row[n] for row in grid] for n in (0, 1, 2, 3, -1, -2, -3, -4))):
        assert not any(edge)
    root = ET.fromstring(svg)
    # Scales to any size: a viewBox and no fixed width or height.
    assert root.get("viewBox") == "0 0 37 37" and root.get("width") is None and root.get("height") is None


def test_the_second_seat_has_its_own_qr(shop, buyer, ticket):
    order, first = ticket
    second = shop.api.get(f"/orders/{order['id']}/attendees", token=buyer).json[1]
    svg = shop.api.get(_qr_path(order, second), token=buyer).body.decode()
    assert [read.text for read in decode_svg(svg)] == [second["code"]] != [first["code"]]


def test_the_svg_holds_the_modules_and_nothing_of_the_buyers(shop, signup):
    buyer = signup("markup@example.com", name='<script>alert("x")</script> Bea')
    order = shop.buy(buyer, shop.ticket(**FREE), 1)
    attendee = _first_attendee(shop, order, buyer)
    renamed = shop.api.patch(
        f"/orders/{order['id']}/attendees/{attendee['id']}", {"name": "<b>Ada</b>"}, token=buyer
    )
    assert renamed.status == 200
    response = shop.api.get(_qr_path(order, attendee), token=buyer)
    svg = response.body.decode()
    assert {element.tag for element in ET.fromstring(svg).iter()} == {f"{SVG_NS}svg", f"{SVG_NS}path"}
    assert "Ada" not in svg and "Bea" not in svg and "script" not in svg
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_qr_is_cached_privately_and_revalidated_with_its_etag(shop, buyer, ticket):
    order, attendee = ticket
    first = shop.api.get(_qr_path(order, attendee), token=buyer)
    assert first.headers["cache-control"] == "private, no-cache"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = shop.api.get(_qr_path(order, attendee), token=buyer, headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
    other = shop.api.get(f"/orders/{order['id']}/attendees/{order['id']}-2/qr.svg", token=buyer)
    assert other.status == 200 and other.headers["etag"] != etag


def test_who_may_see_the_qr(shop, buyer, ticket, signup):
    order, attendee = ticket
    path = _qr_path(order, attendee)
    assert shop.api.get(path).status == 401
    stranger = shop.api.get(path, token=signup("stranger@example.com"))
    assert stranger.status == 404 and stranger.error_code == "not_found"
    assert b"<svg" not in stranger.body
    moderator = signup("mod@example.com")
    shop.add_member(moderator, "moderator")
    assert shop.api.get(path, token=moderator).status == 403
    coorganizer = signup("co@example.com")
    shop.add_member(coorganizer, "coorganizer")
    assert shop.api.get(path, token=coorganizer).status == 200
    assert shop.api.get(path, token=shop.organizer).status == 200
    assert shop.api.get(path, token=buyer).status == 200


def test_a_revoked_ticket_has_no_qr(shop, buyer, ticket):
    order, attendee = ticket
    assert shop.api.post(f"/orders/{order['id']}/cancel", token=shop.organizer).status == 200
    response = shop.api.get(_qr_path(order, attendee), token=buyer)
    assert response.status == 409 and response.error_code == "ticket_revoked", response.json
    assert "revoked" in response.json["error"]["message"]
    # The ticket page still learns that it was revoked.
    seen = shop.api.get(f"/orders/{order['id']}/attendees/{attendee['id']}", token=buyer).json
    assert seen["status"] == "revoked"


@pytest.mark.parametrize("attendee_id", ["1", "x" * 40, "0" * 32 + "-1", "{order}-3", "{order}-0"])
def test_unknown_attendees_have_no_qr(shop, buyer, ticket, attendee_id):
    order, _ = ticket
    path = f"/orders/{order['id']}/attendees/{attendee_id.format(order=order['id'])}/qr.svg"
    response = shop.api.get(path, token=buyer)
    assert response.status == 404 and response.error_code == "not_found", response.body


def test_a_pending_order_has_no_ticket_to_show_yet(shop, buyer):
    order = shop.buy(buyer, shop.ticket(), 1)
    assert shop.api.get(f"/orders/{order['id']}/attendees/{order['id']}-1/qr.svg", token=buyer).status == 404


def test_the_openapi_document_describes_the_svg(api):
    document = api.get("/openapi.json").json
    operation = document["paths"]["/orders/{order_id}/attendees/{attendee_id}/qr.svg"]["get"]
    assert operation["responses"]["200"]["content"] == {"image/svg+xml": {"schema": {"type": "string"}}}
    assert "ETag" in operation["responses"]["200"]["headers"] and "304" in operation["responses"]
    assert "409" in operation["responses"] and "404" in operation["responses"]
