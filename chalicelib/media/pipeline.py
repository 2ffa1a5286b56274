"""Event background image pipeline: untrusted upload bytes in, stripped progressive JPEG renditions out.

No AWS and no HTTP here. Pillow is imported by this module only; the handler imports it lazily so that
app.py does not pay for Pillow at import time.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import math
import numbers
import os
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Final

from PIL import Image

from chalicelib.domain.errors import UnsupportedMediaError, ValidationError
from chalicelib.media.pixels import (
    AXIS_SWAPPING_TRANSPOSES,
    INVERSE_TRANSPOSES,
    ORIENTATION_TRANSPOSES,
    UNDECODABLE_IMAGE_ERRORS,
    exif_orientation,
    flattened_rgb,
    in_resizable_mode,
    to_srgb,
)

MAX_SOURCE_PIXELS: Final = 40_000_000
MAX_OUTPUT_WIDTH: Final = 1960
MAX_OUTPUT_HEIGHT: Final = 980
VARIANT_WIDTHS: Final = (980, 490)
ASPECT_RATIO: Final = MAX_OUTPUT_WIDTH / MAX_OUTPUT_HEIGHT
ASPECT_RATIO_TOLERANCE: Final = 0.01
JPEG_QUALITY: Final = 82
OUTPUT_CONTENT_TYPE: Final = "image/jpeg"

# Browser croppers report fractional coordinates whose rounding noise can overshoot an edge slightly.
_CROP_EDGE_TOLERANCE_PX: Final = 1.0
_RESIZE_STRIPES: Final = 4
_Box = tuple[float, float, float, float]  # left, top, right, bottom


class SourceFormat(StrEnum):
    """Accepted upload formats; values are Pillow's format names."""

    JPEG = "JPEG"
    PNG = "PNG"
    WEBP = "WEBP"
    GIF = "GIF"


@dataclass(frozen=True, slots=True)
class CropBox:
    """Crop rectangle in pixels of the image as displayed, i.e. after its EXIF orientation is applied."""

    x: float
    y: float
    width: float
    height: float

    @classmethod
    def from_mapping(cls, value: object) -> CropBox:
        """Build from decoded JSON such as ``{"x": 0, "y": 10, "width": 800, "height": 400}``."""
        if not isinstance(value, Mapping):
            raise ValidationError({"crop": "Must be an object with x, y, width and height."})
        coordinates = {}
        for name in ("x", "y", "width", "height"):
            coordinate = value.get(name)
            if not _is_finite_number(coordinate):
                raise ValidationError({"crop": f"{name} must be a finite number."})
            coordinates[name] = coordinate
        return cls(**coordinates)


@dataclass(frozen=True, slots=True)
class ImageVariant:
    width: int
    height: int
    jpeg: bytes


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    full: ImageVariant
    """The largest rendition (at most 1960x980); `content_hash` is computed from its bytes."""
    variants: dict[int, ImageVariant]
    """Every rendition keyed by width, `full` included; widths that would upscale are absent."""
    content_hash: str
    """sha256 hex digest of `full.jpeg`, for immutable storage keys."""
    source_format: SourceFormat
    content_type: ClassVar[str] = OUTPUT_CONTENT_TYPE


def sniff_image_format(data: bytes) -> SourceFormat | None:
    """The format given by the file's magic bytes, whatever type the client declared."""
    if data.startswith(b"\xff\xd8\xff"):
        return SourceFormat.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return SourceFormat.PNG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return SourceFormat.GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return SourceFormat.WEBP
    return None


def process_background(data: bytes, crop: CropBox | None = None) -> ProcessedImage:
    """Crop to 2:1 (`crop`, or centred), fit within 1960x980 and encode the JPEG renditions.

    Raises UnsupportedMediaError (415) unless the bytes are JPEG, PNG, WebP or GIF, and ValidationError
    (422) with details on "image" (empty, too many pixels, corrupt or truncated) or "crop" (invalid box).
    """
    if not data:
        raise ValidationError({"image": "The file is empty."})
    source_format = sniff_image_format(data)
    if source_format is None:
        raise UnsupportedMediaError("The image must be a JPEG, PNG, WebP or GIF file.")

    try:
        largest = _decode_cropped_and_resized(data, source_format, crop)
    except UNDECODABLE_IMAGE_ERRORS as error:
        raise ValidationError({"image": "The image file is corrupt or truncated."}) from error

    full = _encode_variant(largest)
    variants = {full.width: full}
    previous = largest
    for width in VARIANT_WIDTHS:
        if width < previous.width:
            # Each variant halves the previous one in the common case (1960, 980, 490): with a reducing gap
            # of 1 that is a 2x2 box average, ten times cheaper than Lanczos and as good for a halving.
            height = round(width / ASPECT_RATIO)
            previous = previous.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=1.0)
            variants[width] = _encode_variant(previous)
    return ProcessedImage(
        full=full,
        variants=variants,
        content_hash=hashlib.sha256(full.jpeg).hexdigest(),
        source_format=source_format,
    )


def _decode_cropped_and_resized(
    data: bytes, source_format: SourceFormat, crop: CropBox | None
) -> Image.Image:
    with _open_lazily(data, source_format) as image:
        width, height = image.size
        if width * height > MAX_SOURCE_PIXELS:
            raise _too_many_pixels(image.size)

        if not _is_jpeg(image):
            # Decode now, so that a pixel data error cannot pass for an EXIF error below (Pillow decodes
            # a PNG to look for EXIF after its pixel data) and be ignored.
            image.load()
        transpose = ORIENTATION_TRANSPOSES.get(exif_orientation(image))
        swaps_axes = transpose in AXIS_SWAPPING_TRANSPOSES
        displayed_size = (height, width) if swaps_axes else (width, height)
        displayed_box = (
            _validated_crop_box(crop, displayed_size)
            if crop is not None
            else _centred_crop_box(displayed_size)
        )
        output_size = _output_size(displayed_box, field="crop" if crop is not None else "image")

        # Work in the stored orientation and only transpose the small result.
        stored_box = displayed_box
        stored_output_size = output_size
        if transpose is not None:
            stored_box = _transpose_box(
                displayed_box, displayed_size, INVERSE_TRANSPOSES.get(transpose, transpose)
            )
            if swaps_axes:
                stored_output_size = (output_size[1], output_size[0])

        stored_box = _decode_at_reduced_scale(image, stored_box, stored_output_size)
        icc_profile = image.info.get("icc_profile")
        resizable = in_resizable_mode(image)
        resized = _resize_and_orient(resizable, stored_box, stored_output_size, transpose)

    rgb = to_srgb(flattened_rgb(resized), icc_profile)
    rgb.info = {}  # nothing from the source (EXIF, XMP, ICC, comments) may reach the encoder
    return rgb


def _open_lazily(data: bytes, source_format: SourceFormat) -> Image.Image:
    """Parse the header only; pixels are decoded on first access."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; make it a hard refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[source_format.value])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(
            {"image": f"The image has too many pixels; the limit is {_megapixels()}."}
        ) from error
    return image


def _validated_crop_box(crop: CropBox, image_size: tuple[int, int]) -> _Box:
    coordinates = (crop.x, crop.y, crop.width, crop.height)
    if not all(_is_finite_number(value) for value in coordinates):
        raise ValidationError({"crop": "x, y, width and height must be finite numbers."})
    if crop.width <= 0 or crop.height <= 0:
        raise ValidationError({"crop": "width and height must be positive."})
    if abs(crop.width / crop.height / ASPECT_RATIO - 1) > ASPECT_RATIO_TOLERANCE:
        raise ValidationError({"crop": "The crop box must have a 2:1 aspect ratio (width = 2 x height)."})

    image_width, image_height = image_size
    left, top, right, bottom = crop.x, crop.y, crop.x + crop.width, crop.y + crop.height
    tolerance = _CROP_EDGE_TOLERANCE_PX
    if (
        left < -tolerance
        or top < -tolerance
        or right > image_width + tolerance
        or bottom > image_height + tolerance
    ):
        raise ValidationError(
            {"crop": f"The crop box must lie inside the {image_width}x{image_height} image."}
        )
    return (max(left, 0.0), max(top, 0.0), min(right, image_width), min(bottom, image_height))


def _centred_crop_box(image_size: tuple[int, int]) -> _Box:
    width, height = image_size
    if width >= height * ASPECT_RATIO:
        crop_width = height * ASPECT_RATIO
        left = (width - crop_width) / 2
        return (left, 0.0, left + crop_width, float(height))
    crop_height = width / ASPECT_RATIO
    top = (height - crop_height) / 2
    return (0.0, top, float(width), top + crop_height)


def _output_size(box: _Box, field: str) -> tuple[int, int]:
    """Exactly 2:1, at most 1960x980 and never larger than the box (no upscaling)."""
    epsilon = 1e-6  # 599.9999999 from a cropper means 600
    box_width, box_height = box[2] - box[0], box[3] - box[1]
    width = min(
        MAX_OUTPUT_WIDTH, math.floor(box_width + epsilon), math.floor(box_height * ASPECT_RATIO + epsilon)
    )
    width -= width % 2
    if width < 2:
        raise ValidationError({field: "The image area is too small."})
    return width, round(width / ASPECT_RATIO)


def _transpose_box(box: _Box, size: tuple[int, int], transpose: Image.Transpose) -> _Box:
    """Where `box`, given in an image of `size`, lands after `image.transpose(transpose)`."""
    left, top, right, bottom = box
    width, height = size
    match transpose:
        case Image.Transpose.FLIP_LEFT_RIGHT:
            return (width - right, top, width - left, bottom)
        case Image.Transpose.FLIP_TOP_BOTTOM:
            return (left, height - bottom, right, height - top)
        case Image.Transpose.ROTATE_180:
            return (width - right, height - bottom, width - left, height - top)
        case Image.Transpose.ROTATE_90:
            return (top, width - right, bottom, width - left)
        case Image.Transpose.ROTATE_270:
            return (height - bottom, left, height - top, right)
        case Image.Transpose.TRANSPOSE:
            return (top, left, bottom, right)
        case Image.Transpose.TRANSVERSE:
            return (height - bottom, width - right, height - top, width - left)
    raise ValueError(f"unsupported transpose {transpose!r}")


def _decode_at_reduced_scale(image: Image.Image, box: _Box, output_size: tuple[int, int]) -> _Box:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the crop keeps at least `output_size` pixels.

    Returns `box` in the coordinates of the reduced image. A no-op for formats other than JPEG.
    """
    left, top, right, bottom = box
    full_width, full_height = image.size
    requested = (
        max(1, math.ceil(full_width * output_size[0] / (right - left))),
        max(1, math.ceil(full_height * output_size[1] / (bottom - top))),
    )
    drafted = image.draft("RGB", requested)
    if drafted is None:
        return box
    _, (_, _, scaled_width, scaled_height) = drafted
    scale_x, scale_y = scaled_width / full_width, scaled_height / full_height
    reduced_width, reduced_height = image.size
    return (
        left * scale_x,
        top * scale_y,
        min(right * scale_x, reduced_width),
        min(bottom * scale_y, reduced_height),
    )


def _is_jpeg(image: Image.Image) -> bool:
    return image.format in ("JPEG", "MPO")


def _resize_and_orient(
    image: Image.Image, box: _Box, size: tuple[int, int], transpose: Image.Transpose | None
) -> Image.Image:
    """Lanczos resize of `box` to `size`, then `transpose`, in row stripes on parallel threads.

    `box` makes Pillow read only the crop area, so the crop is never materialized at full size. Pillow
    releases the GIL while resampling. Each stripe runs the two passes of the resize explicitly
    (horizontal, then vertical) on the band of source rows its filter reads, so the stripes join exactly
    and the output bytes, hence the content hash, do not depend on the number of threads. (Splitting a
    two-axis resize would not do: Pillow orders its passes by the sizes, and the rounding differs.)
    """
    width, height = size
    left, top, right, bottom = box
    source_rows_per_row = (bottom - top) / height
    first_column, end_column = _with_support(left, right, width, image.width)
    output = Image.new(image.mode, (height, width) if transpose in AXIS_SWAPPING_TRANSPOSES else size)

    def resize_stripe_into_output(start: int, end: int) -> None:
        stripe_top, stripe_bottom = top + start * source_rows_per_row, top + end * source_rows_per_row
        first_row, end_row = _with_support(stripe_top, stripe_bottom, end - start, image.height)
        band = image.crop((first_column, first_row, end_column, end_row))
        horizontal_box = (left - first_column, 0, right - first_column, band.height)
        narrowed = band.resize((width, band.height), Image.Resampling.LANCZOS, box=horizontal_box)
        del band  # keep the peak memory of parallel stripes low
        vertical_box = (0, stripe_top - first_row, width, stripe_bottom - first_row)
        stripe = narrowed.resize((width, end - start), Image.Resampling.LANCZOS, box=vertical_box)
        region = (0, start, width, end)
        if transpose is not None:
            stripe = stripe.transpose(transpose)
            region = _transpose_box(region, size, transpose)
        output.paste(stripe, (round(region[0]), round(region[1])))  # stripes cover disjoint regions

    stripe_count = min(_RESIZE_STRIPES, height)
    edges = [height * index // stripe_count for index in range(stripe_count + 1)]
    workers = min(stripe_count, _available_cpus())
    if workers == 1:
        for start, end in itertools.pairwise(edges):
            resize_stripe_into_output(start, end)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            # list() re-raises any exception of a stripe here.
            list(pool.map(resize_stripe_into_output, edges[:-1], edges[1:]))
    return output


def _with_support(start: float, end: float, output_length: int, image_length: int) -> tuple[int, int]:
    """The pixel range a Lanczos resize of [start, end) to `output_length` reads along one axis."""
    support = 3 * max((end - start) / output_length, 1.0) + 1  # 3 taps each side, widened when shrinking
    return max(0, math.floor(start - support)), min(image_length, math.ceil(end + support))


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use, e.g. in a container
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _encode_variant(image: Image.Image) -> ImageVariant:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return ImageVariant(width=image.width, height=image.height, jpeg=buffer.getvalue())


def _is_finite_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _megapixels() -> str:
    return f"{MAX_SOURCE_PIXELS // 1_000_000} megapixels"


def _too_many_pixels(size: tuple[int, int]) -> ValidationError:
    return ValidationError({"image": f"The image is {size[0]}x{size[1]}; the limit is {_megapixels()}."})
