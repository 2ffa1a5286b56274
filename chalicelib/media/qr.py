"""A ticket's QR code drawn by segno: SVG for the ticket page, PNG for the order mail (text in,
image out; no AWS, no HTTP).

The symbol carries the given text only. Error correction Q (a quarter of the symbol may be
smudged, glared or folded and it still reads), the standard quiet zone of four modules in white
around it (so it reads on a dark page or a phone in dark mode too), and sizes left to whoever
shows it: the SVG has a viewBox and no width or height, so it scales to any size crisply. An
attendee's code (32 characters of A-Z and 2-7) fits QR's alphanumeric mode: version 3, 29 x 29
modules. No title, description or class: nothing but the modules is in the document.
"""

import io
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from segno import QRCode

QUIET_ZONE = 4  # modules: what ISO/IEC 18004 asks for around a QR symbol
SVG_TYPE = "image/svg+xml"


class Png(NamedTuple):
    data: bytes
    size: int  # pixels, its width and its height


def _symbol(text: str) -> "QRCode":
    import segno  # only what draws a QR code pays for the import

    return segno.make_qr(text, error="q", boost_error=False)


def qr_svg(text: str) -> str:
    out = io.BytesIO()
    _symbol(text).save(
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


def qr_png(text: str, scale: int = 6) -> Png:
    """The same symbol as ``qr_svg`` as a PNG of ``scale`` pixels a module (segno writes PNG
    itself, no Pillow): for mail, whose programs show inline PNGs but not SVG. Shown at its own
    size, so no module is scaled to a fraction of a pixel."""
    symbol = _symbol(text)
    out = io.BytesIO()
    symbol.save(out, kind="png", border=QUIET_ZONE, scale=scale, dark="#000", light="#fff")
    width, _ = symbol.symbol_size(scale=scale, border=QUIET_ZONE)
    return Png(out.getvalue(), int(width))
