"""The app under the deployed site's Content-Security-Policy (no inline script or style, images
from self / https: / data: / blob:, connections to the API, the socket and the upload bucket only): the
wizard with the cropper, both upload paths, and the public page run without a single violation
(any "Refused to ..." console error fails the test)."""

import base64
import hashlib
from urllib.parse import urlsplit

from tests.e2e.conftest import save_screenshot, unique_email
from tests.e2e.test_wizard_flow import crop_and_upload, make_photo
from tests.e2e.ui import create_event, sign_up


def _policy(stack) -> str:
    upload = urlsplit(stack.local.aws_endpoint)
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' https: data: blob:",
            f"connect-src 'self' {stack.ws_url} {upload.scheme}://{upload.netloc}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


PROBE = "window.__inlineProbe = 1"


def test_the_whole_app_runs_under_the_sites_csp(browser_factory, stack, tmp_path):
    browser = browser_factory()
    probe_hash = base64.b64encode(hashlib.sha256(PROBE.encode()).digest()).decode()
    browser.console.allowed_texts.append(probe_hash)
    page = browser.new_page()
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => (window.__csp ||= []).push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    # The local stack sends the site's policy itself, as CloudFront does (chalicelib/http/site_headers.py);
    # (injecting it with page.route would not reach a page the service worker serves).
    served = page.goto(stack.base_url)
    assert served.headers["content-security-policy"] == _policy(stack)

    sign_up(page, stack, unique_email("csp"), "Cass Policy")
    # The policy is in force: an inline script is refused (the one violation this test provokes).
    ran = page.evaluate(
        """probe => { const s = document.createElement('script'); s.textContent = probe;
        document.head.append(s); return window.__inlineProbe === 1; }""",
        PROBE,
    )
    assert ran is False
    page.wait_for_function("() => (window.__csp || []).length === 1")
    page.evaluate("window.__csp = []")
    event_id = create_event(page, stack, "Strict Policy Days")
    crop_and_upload(page, make_photo(tmp_path / "small.jpg"))
    page.locator("[data-background-image]").wait_for()
    crop_and_upload(page, make_photo(tmp_path / "large.png", size=(1800, 1200), noisy=True))
    page.wait_for_function(
        "() => document.querySelector('[data-upload-status]').textContent === 'Background saved.'"
    )

    page.goto(f"{stack.base_url}/#/events/{event_id}/edit/tickets")
    page.locator("[data-action=add-free]").click()
    page.locator("[data-ticket-row='0'] [data-field=name]").fill("Entry")
    page.locator("[data-action=save-tickets]").click()
    page.wait_for_function(
        "() => document.querySelector('[data-tickets-status]').textContent === 'Tickets saved.'"
    )
    page.goto(f"{stack.base_url}/#/events/{event_id}/edit/publish")
    page.locator("[data-action=publish]").click()
    page.locator("[data-public-link]").click()
    page.wait_for_function("() => document.querySelector('[data-event-image]')?.naturalWidth > 0")
    page.wait_for_function("() => document.querySelector('[data-unread-count]') !== null")
    save_screenshot(page, "csp-public-event")
    assert page.evaluate("window.__csp") == []

    # The event's site: its own stylesheet, track colours set through the CSSOM, a sponsor's logo,
    # the service worker registered and in control after a reload.
    token = page.evaluate("JSON.parse(localStorage.getItem('marquee.session')).token")
    logo = page.locator("[data-event-image]").get_attribute("src")
    base = f"/events/{event_id}"
    track = stack.api("POST", f"{base}/tracks", {"name": "Main", "color": "#aa3366"}, token).json()["id"]
    session = {
        "title": "Policy talk",
        "state": "accepted",
        "starts_at": "2027-05-01T10:00:00+02:00",
        "ends_at": "2027-05-01T11:00:00+02:00",
        "track_id": track,
    }
    assert stack.api("POST", f"{base}/sessions", session, token).status_code == 201
    assert stack.api("POST", f"{base}/sponsors", {"name": "ACME", "logo_url": logo}, token).status_code == 201
    page.goto(f"{stack.base_url}/#/e/{event_id}?tab=schedule")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()
    page.locator("[data-session-title='Policy talk']").wait_for()
    page.locator("[data-tab=sponsors]").click()
    page.wait_for_function("() => document.querySelector('[data-sponsor] img')?.naturalWidth > 0")
    save_screenshot(page, "csp-event-site")
    assert page.evaluate("window.__csp || []") == []
    # The document the service worker served carries the policy too: the probe is refused again.
    assert page.evaluate("navigator.serviceWorker.controller !== null")
    assert (
        page.evaluate(
            """probe => { const s = document.createElement('script'); s.textContent = probe;
        document.head.append(s); return window.__inlineProbe === 1; }""",
            PROBE,
        )
        is False
    )
