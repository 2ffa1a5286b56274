"""Reading a QR code back the way a scanner does: the SVG we serve drawn module by module from
its own path (not from segno's matrix), or a screenshot of what the browser shows, decoded by
zxing-cpp (the decoder of many phone scanners, a test dependency only)."""

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

SVG_NS = "{http://www.w3.org/2000/svg}"
_COMMAND = re.compile(r"([MmHhVvZz])([^MmHhVvZz]*)")


@dataclass(frozen=True)
class Read:
    text: str
    ec_level: str


def svg_modules(svg: str) -> list[list[bool]]:
    """The dark modules of a segno SVG: a viewBox of n x n modules, a light square path and one
    dark path of horizontal strokes 1 module wide (``M x y+.5 h len m dx dy ...``)."""
    root = ET.fromstring(svg)
    _, _, width, height = (int(float(v)) for v in root.attrib["viewBox"].split())
    grid = [[False] * width for _ in range(height)]
    dark = [p for p in root.iter(f"{SVG_NS}path") if p.get("stroke") not in (None, "none")]
    assert len(dark) == 1, svg
    x = y = 0.0
    for command, numbers in _COMMAND.findall(dark[0].attrib["d"]):
        values = [float(v) for v in numbers.replace(",", " ").split()]
        if command in "Mm":
            x, y = (values[0], values[1]) if command == "M" else (x + values[0], y + values[1])
        elif command in "Hh":
            end = values[0] if command == "H" else x + values[0]
            for column in range(round(x), round(end)):
                grid[int(y)][column] = True
            x = end
        else:
            raise AssertionError(f"unexpected path command {command!r}")
    return grid


def decode_image(png: bytes) -> list[Read]:
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    return [Read(found.text, found.ec_level) for found in zxingcpp.read_barcodes(image)]


def decode_svg(svg: str, scale: int = 8) -> list[Read]:
    """Draw the SVG's modules in black on white, ``scale`` pixels each, and decode that."""
    from PIL import Image

    grid = svg_modules(svg)
    image = Image.new("L", (len(grid[0]), len(grid)), 255)
    for row, cells in enumerate(grid):
        for column, is_dark in enumerate(cells):
            if is_dark:
                image.putpixel((column, row), 0)
    image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return decode_image(out.getvalue())
