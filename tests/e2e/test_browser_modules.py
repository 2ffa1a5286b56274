"""The frontend's own modules, exercised inside Chromium: time-zone arithmetic, relative times, the
API client's error shape and ETag revalidation, and the notifications socket's reconnect."""

import re

from tests.e2e.conftest import unique_email


def _module(page, stack, name):
    page.goto(f"{stack.base_url}/#/public/events")
    page.wait_for_selector("h1")
    return f"import('{stack.base_url}/js/{name}')"


def test_wall_clock_times_convert_in_the_events_time_zone(page, stack):
    time_module = _module(page, stack, "time.js")
    cases = page.evaluate(
        f"""async () => {{
          const t = await {time_module};
          return [
            t.wallToIso('2027-01-10T10:00', 'Europe/Berlin'),
            t.wallToIso('2027-07-10T10:00', 'Europe/Berlin'),
            t.wallToIso('2027-03-28T03:30', 'Europe/Berlin'),
            t.wallToIso('2027-11-07T01:30', 'America/New_York'),
            t.wallToIso('2027-05-01T09:00', 'Asia/Kolkata'),
            t.wallToIso('', 'UTC'),
            t.isoToWall('2027-05-01T07:00:00+00:00', 'Europe/Berlin'),
            t.isoToWall('2027-05-01T09:00:00+05:30', 'Asia/Kolkata'),
            t.relativeTime(new Date(Date.now() - 3 * 60000).toISOString()),
            t.relativeTime(new Date(Date.now() - 2 * 3600000).toISOString()),
          ];
        }}"""
    )
    assert cases == [
        "2027-01-10T10:00:00+01:00",
        "2027-07-10T10:00:00+02:00",
        "2027-03-28T03:30:00+02:00",
        "2027-11-07T01:30:00-04:00",
        "2027-05-01T09:00:00+05:30",
        None,
        "2027-05-01T09:00",
        "2027-05-01T09:00",
        "3 minutes ago",
        "2 hours ago",
    ]


def test_api_client_error_shape_and_etag_revalidation(page, stack, browser):
    browser.console.allowed_statuses.update({404, 422})
    api = _module(page, stack, "api.js")
    result = page.evaluate(
        f"""async () => {{
          const api = await {api};
          const out = {{}};
          const bad = {{email: 'nope', password: 'x', name: ''}};
          try {{ await api.post('/auth/signup', bad, {{auth: false}}); }}
          catch (e) {{ out.signup = [e.name, e.status, e.code, Object.keys(e.details).sort()]; }}
          try {{ await api.get('/public/events/does-not-exist', {{auth: false}}); }}
          catch (e) {{ out.missing = [e.status, e.code]; }}
          const first = await api.request('GET', '/public/events', {{auth: false, withResponse: true}});
          const again = await api.request('GET', '/public/events', {{auth: false, withResponse: true}});
          const same = JSON.stringify(first.data) === JSON.stringify(again.data);
          out.etag = [Boolean(first.etag), first.etag === again.etag, same];
          return out;
        }}"""
    )
    assert result["signup"] == ["ApiError", 422, "validation_error", ["email", "name", "password"]]
    assert result["missing"] == [404, "not_found"]
    assert result["etag"] == [True, True, True]


def test_revalidation_sends_if_none_match_and_uses_the_304(page, stack):
    api = _module(page, stack, "api.js")
    statuses = []
    page.on(
        "response",
        lambda r: (
            statuses.append((r.status, r.request.headers.get("if-none-match")))
            if r.url.endswith("/api/public/events")
            else None
        ),
    )
    page.evaluate(f"async () => {{ const api = await {api}; await api.get('/public/events'); }}")
    page.evaluate(f"async () => {{ const api = await {api}; await api.get('/public/events'); }}")
    # The first answer's ETag is remembered: the second call revalidates and gets a 304.
    assert [(status, bool(if_none_match)) for status, if_none_match in statuses] == [
        (200, False),
        (304, True),
    ]


def _until(page, condition, timeout_ms: int = 10_000) -> None:
    for _ in range(timeout_ms // 100):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("condition not met in time")


def test_notifications_socket_reconnects_after_the_connection_drops(page, stack):
    email = unique_email("reconnect")
    session = stack.signup(email, "Rey Reconnect")
    sockets = []

    def relay(ws):
        sockets.append(ws)
        ws.connect_to_server()

    page.route_web_socket(re.compile(r".*[?&]token=.*"), relay)
    page.goto(f"{stack.base_url}/#/signin")
    page.evaluate("s => localStorage.setItem('marquee.session', JSON.stringify(s))", session)
    page.goto(f"{stack.base_url}/?fresh#/")
    page.wait_for_selector("[data-my-events]")
    _until(page, lambda: len(sockets) == 1)
    sockets[0].close(code=1011, reason="gateway restarted")
    _until(page, lambda: len(sockets) == 2)  # the first retry comes after 0.5-1 s

    owner = stack.signup(unique_email("owner"), "Owner")
    event = stack.create_event(owner["token"], "Reconnect Rally")
    stack.api("POST", f"/events/{event['id']}/invites", {"email": email, "role": "moderator"}, owner["token"])
    page.wait_for_function("() => document.querySelector('[data-unread-count]').textContent === '1'")
