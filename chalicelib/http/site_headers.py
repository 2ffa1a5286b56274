"""Security headers of the frontend site, one description for both places that serve it:
CloudFront's response-headers policy (deploy/site.py) and the local stack (devstack/web.py);
and those of every API response, from the Lambda (app.py's middleware), from API Gateway itself
(its gateway responses, deploy/gateway.py) and from the local stack's gateway."""

from collections.abc import Sequence

REFERRER_POLICY = "strict-origin-when-cross-origin"
# A JSON (or CSV) answer is never to be sniffed into HTML or script.
API_HEADERS = {"X-Content-Type-Options": "nosniff"}


def content_security_policy(connect: Sequence[str], media: Sequence[str] = ()) -> str:
    """No inline script or style anywhere; images from the site, https (speakers' photos, sponsors'
    logos), data: and blob:; connections only to the API, the socket and the upload bucket; no
    framing. Workers (the service worker, sw.js) come from the site itself (script-src)."""
    # Speakers' photos and sponsors' logos are https addresses organizers enter, on any host.
    images = " ".join(["'self'", "https:", "data:", "blob:", *media])
    connections = " ".join(["'self'", *dict.fromkeys([*connect, *media])])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            f"connect-src {connections}",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def site_headers(connect: Sequence[str], media: Sequence[str] = ()) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(connect, media),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": REFERRER_POLICY,
        "X-Frame-Options": "DENY",
    }
