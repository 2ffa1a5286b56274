"""Pixels before and after the resize: the EXIF orientation, a mode Pillow can filter, alpha flattened
and colours in sRGB. Imported by the pipeline only (Pillow stays off the request path)."""

from __future__ import annotations

import functools
import io
import struct
import zlib
from typing import Final

from PIL import ExifTags, Image, ImageCms

FLATTEN_BACKGROUND: Final = (255, 255, 255)

ORIENTATION_TRANSPOSES: Final = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
AXIS_SWAPPING_TRANSPOSES: Final = frozenset(
    {
        Image.Transpose.ROTATE_90,
        Image.Transpose.ROTATE_270,
        Image.Transpose.TRANSPOSE,
        Image.Transpose.TRANSVERSE,
    }
)
INVERSE_TRANSPOSES: Final = {
    Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270,
    Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
}

# What Pillow and its codecs raise on malformed input. DecompressionBombError is handled separately so
# that it reads as "too many pixels" rather than "corrupt".
UNDECODABLE_IMAGE_ERRORS: Final = (
    OSError,  # includes UnidentifiedImageError and "image file is truncated"
    EOFError,
    SyntaxError,  # Pillow's historical "not a <format> file"
    ValueError,
    TypeError,
    IndexError,
    KeyError,
    struct.error,
    zlib.error,
)


def exif_orientation(image: Image.Image) -> int:
    try:
        orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    except UNDECODABLE_IMAGE_ERRORS:
        # Browsers ignore malformed EXIF too, so the user's crop was made on the unrotated image.
        return 1
    return orientation if isinstance(orientation, int) else 1


def in_resizable_mode(image: Image.Image) -> Image.Image:
    """Convert modes that `resize` cannot filter properly; alpha is kept and flattened after resizing."""
    image.load()  # the mode of some formats (GIF) is only final once the frame is decoded
    mode = image.mode
    if mode in ("L", "RGB") and "transparency" in image.info:
        return image.convert("RGBA")  # PNG tRNS colour key
    if mode in ("L", "LA", "RGB", "RGBA", "CMYK"):
        return image
    if mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if has_alpha else "RGB")
    if mode == "1":
        return image.convert("L")
    if mode == "I" or mode.startswith("I;16"):
        # Pillow clips 16-bit values when converting to L; scale them to 8 bits instead.
        return image.convert("I").point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def flattened_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA"):
        flattened = Image.new("RGB", image.size, FLATTEN_BACKGROUND)
        flattened.paste(image.convert("RGB"), mask=image.getchannel("A"))
        return flattened
    return image if image.mode == "RGB" else image.convert("RGB")


def to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Bake an RGB profile (Display P3 from phones, Adobe RGB) into the pixels, as it is stripped."""
    if not icc_profile:
        return image
    try:
        source_profile = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        if source_profile.profile.xcolor_space.strip() != "RGB":
            return image
        converted = ImageCms.profileToProfile(image, source_profile, _srgb_profile(), outputMode="RGB")
    except (ImageCms.PyCMSError, *UNDECODABLE_IMAGE_ERRORS):
        # An unusable profile is dropped: the pixels are then shown as sRGB, as most browsers would.
        return image
    return converted if converted is not None else image


@functools.cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
