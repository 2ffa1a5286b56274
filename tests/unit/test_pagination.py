"""Cursors are signed with the list they belong to: only ours, only for that list."""

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.store.pagination import decode_cursor, encode_cursor, page_size

KEY = {"pk": {"S": "EVENT#1"}, "sk": {"S": "2026-11-26T10:00:00#a"}}


def test_a_cursor_round_trips_within_its_list():
    cursor = encode_cursor(KEY, "orders:e1")
    assert decode_cursor(cursor, "orders:e1") == KEY
    assert encode_cursor(None, "orders:e1") is None
    assert decode_cursor(None, "orders:e1") is None and decode_cursor("", "orders:e1") is None


@pytest.mark.parametrize("scope", ["orders:e2", "my-orders:u1", "orders:e1:x"])
def test_a_cursor_of_another_list_is_refused(scope):
    with pytest.raises(ValidationError) as refused:
        decode_cursor(encode_cursor(KEY, "orders:e1"), scope)
    assert "cursor" in refused.value.details


@pytest.mark.parametrize("cursor", ["garbage!", "abc.def", "e30", "e30.", ".", "x" * 500])
def test_forged_cursors_are_refused(cursor):
    with pytest.raises(ValidationError):
        decode_cursor(cursor, "orders:e1")


def test_a_tampered_payload_is_refused():
    payload, _, signature = encode_cursor(KEY, "s").partition(".")
    other_payload = encode_cursor({"pk": {"S": "EVENT#2"}}, "s").partition(".")[0]
    with pytest.raises(ValidationError):
        decode_cursor(f"{other_payload}.{signature}", "s")
    assert payload != other_payload


@pytest.mark.parametrize(("value", "expected"), [(None, 50), ("1", 1), ("100", 100)])
def test_page_size(value, expected):
    assert page_size(value) == expected


@pytest.mark.parametrize("value", ["0", "101", "-1", "ten", "1.5"])
def test_bad_page_size(value):
    with pytest.raises(ValidationError):
        page_size(value)
