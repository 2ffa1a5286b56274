"""Notification messages are sanitized HTML: links and basic formatting survive, anything that
could run script does not."""

from datetime import UTC, datetime

import pytest

from chalicelib.domain.notifications import (
    MAX_TITLE_LENGTH,
    clean_title,
    created_at,
    iso_millis,
    new_notification_id,
    sanitize_message,
)


@pytest.mark.parametrize(
    "html",
    [
        "<b>bold</b> <strong>strong</strong> <i>i</i> <em>em</em> <u>u</u>",
        "<p>one</p><p>two<br>three</p>",
        "<ul><li>a</li></ul><ol><li>b</li></ol>",
        "<code>x = 1</code><pre>block</pre><blockquote>quote</blockquote>",
    ],
)
def test_basic_formatting_survives(html):
    assert sanitize_message(html) == html


def test_links_survive_with_noopener_noreferrer():
    cleaned = sanitize_message('<a href="https://marquee.example/events/1" title="PyCon">PyCon</a>')

    assert cleaned == (
        '<a href="https://marquee.example/events/1" title="PyCon" rel="noopener noreferrer">PyCon</a>'
    )


def test_a_link_cannot_choose_its_own_rel_or_target():
    cleaned = sanitize_message('<a href="https://x.example" rel="opener" target="_blank">x</a>')

    assert cleaned == '<a href="https://x.example" rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        "<style>body{display:none}</style>",
        "<script>/*</script><script>*/alert(1)</script>",
    ],
)
def test_scripts_and_styles_are_removed_with_their_content(html):
    assert sanitize_message(f"hello{html}") == "hello"


@pytest.mark.parametrize(
    "html",
    [
        '<img src=x onerror="alert(1)">',
        '<b onclick="alert(1)">x</b>',
        '<a href="https://ok.example" onmouseover="alert(1)">x</a>',
        '<svg onload="alert(1)"><circle/></svg>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        '<iframe src="https://evil.example"></iframe>',
        '<form action="https://evil.example"><input name="password"></form>',
    ],
)
def test_event_handlers_styles_and_active_elements_are_stripped(html):
    cleaned = sanitize_message(html).lower()

    for forbidden in ("onerror", "onclick", "onmouseover", "onload", "style", "javascript", "<img", "<svg"):
        assert forbidden not in cleaned
    for forbidden in ("<iframe", "<form", "<input"):
        assert forbidden not in cleaned


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "&#106;avascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
    ],
)
def test_dangerous_url_schemes_lose_the_href(href):
    cleaned = sanitize_message(f'<a href="{href}">click</a>')

    assert "href" not in cleaned
    assert cleaned == '<a rel="noopener noreferrer">click</a>'


def test_mailto_and_relative_links_are_kept():
    assert 'href="mailto:a@example.com"' in sanitize_message('<a href="mailto:a@example.com">mail</a>')
    assert 'href="/events/1"' in sanitize_message('<a href="/events/1">event</a>')


def test_text_is_escaped_not_interpreted():
    assert sanitize_message("1 < 2 & 3 > 2") == "1 &lt; 2 &amp; 3 &gt; 2"
    assert sanitize_message("<unknown>kept text</unknown>") == "kept text"


def test_titles_are_plain_text_on_one_line_and_bounded():
    assert clean_title("  Invited\n to   PyCon ") == "Invited to PyCon"
    assert len(clean_title("x" * 1000)) == MAX_TITLE_LENGTH


def test_an_id_knows_when_it_was_made():
    at = datetime(2026, 11, 26, 21, 5, 7, 123_999, tzinfo=UTC)

    notification_id = new_notification_id(at)

    assert len(notification_id) == 32
    assert iso_millis(created_at(notification_id)) == iso_millis(at) == "2026-11-26T21:05:07.123+00:00"
    assert new_notification_id(at) != notification_id


@pytest.mark.parametrize("value", ["", "abc", "Z" * 32, "0" * 31, "0" * 33, "../" + "0" * 29, "f" * 32])
def test_strings_that_are_not_ids_have_no_time(value):
    assert created_at(value) is None
