"""Security headers of the frontend site, one description for both places that serve it:
CloudFront's response-headers policy (deploy/template.py) and the local stack (devstack/web.py)."""

from collections.abc import Sequence

REFERRER_POLICY = "strict-origin-when-cross-origin"


def content_security_policy(connect: Sequence[str], media: Sequence[str] = ()) -> str:
    """No inline script or style anywhere; connections only to the API, the socket and the
    upload bucket; no framing."""
    images = " ".join(["'self'", "data:", "blob:", *media])
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
