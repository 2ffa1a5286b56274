"""A ticket's QR code as SVG, drawn by segno (text in, SVG text out; no AWS, no HTTP).

The symbol carries the given text only. Error correction Q (a quarter of the symbol may be
smudged, glared or folded and it still reads), the standard quiet zone of four modules in white
around it (so it reads on a dark page or a phone in dark mode too), and sizes left to whoever
shows it: the SVG has a viewBox and no width or height, so it scales to any size crisply. An
attendee's code (32 characters of A-Z and 2-7) fits QR's alphanumeric mode: version 3, 29 x 29
modules. No title, description or class: nothing but the modules is in the document.
"""

import io

QUIET_ZONE = 4  # modules: what ISO/IEC 18004 asks for around a QR symbol
SVG_TYPE = "image/svg+xml"


def qr_svg(text: str) -> str:
    import segno  # only the route that draws a QR code pays for the import

    symbol = segno.make_qr(text, error="q", boost_error=False)
    out = io.BytesIO()
    symbol.save(
        out,
        kind="svg",
        border=QUIET_ZONE,
        dark="#000",
        light="#fff",
        xmldecl=False,
        omitsize=True,
        svgclass=None,
        lineclass=None,
        title=None,
        desc=None,
    )
    return out.getvalue().decode()


def qr_png(text: str, scale: int = 6) -> bytes:
    """The same symbol as ``qr_svg`` as a PNG (segno writes PNG itself, no Pillow): for mail,
    whose programs show inline images but not SVG."""
    import segno

    out = io.BytesIO()
    symbol = segno.make_qr(text, error="q", boost_error=False)
    symbol.save(out, kind="png", border=QUIET_ZONE, scale=scale, dark="#000", light="#fff")
    return out.getvalue()
