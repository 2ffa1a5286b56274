"""The app under the deployed site's Content-Security-Policy (no inline script or style, images
from self / data: / blob:, connections to the API, the socket and the upload bucket only): the
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
            "img-src 'self' data: blob:",
            f"connect-src 'self' {stack.ws_url} {upload.scheme}://{upload.netloc}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# A document fulfilled by a route counts as a public origin for Chromium's local network access
# checks, which would then block the page's own connections to 127.0.0.1; the real site has no
# such problem (its header comes from CloudFront).
NO_LOCAL_NETWORK_CHECKS = ("--disable-features=LocalNetworkAccessChecks",)
PROBE = "window.__inlineProbe = 1"


def _with_policy(page, policy: str) -> None:
    def handle(route):
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "content-security-policy": policy})

    page.route("**/*", handle)


def test_the_whole_app_runs_under_the_sites_csp(browser_factory, stack, tmp_path):
    browser = browser_factory(extra_args=NO_LOCAL_NETWORK_CHECKS)
    probe_hash = base64.b64encode(hashlib.sha256(PROBE.encode()).digest()).decode()
    browser.console.allowed_texts.append(probe_hash)
    page = browser.new_page()
    _with_policy(page, _policy(stack))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => (window.__csp ||= []).push(e.violatedDirective + ' ' + e.blockedURI))"
    )

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
