"""Unit tests of the background image pipeline, on images generated in memory."""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms, ImageFile, ImageOps

from chalicelib.domain.errors import UnsupportedMediaError, ValidationError
from chalicelib.http.errors import status_of
from chalicelib.media import pipeline
from chalicelib.media.pipeline import CropBox, ProcessedImage, SourceFormat, process_background

XYZ = tuple[float, float, float]
SRGB_RED_D50: XYZ = (0.4361, 0.2225, 0.0139)
SRGB_GREEN_D50: XYZ = (0.3851, 0.7169, 0.0971)
SRGB_BLUE_D50: XYZ = (0.1431, 0.0606, 0.7141)

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
WHITE = (255, 255, 255)
ORIENTATION_TAG = 0x0112


# --- image generators ---------------------------------------------------------------------------------


def encode(image: Image.Image, image_format: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **params)
    return buffer.getvalue()


def solid(size: tuple[int, int], colour: tuple[int, ...] = BLUE, mode: str = "RGB") -> Image.Image:
    return Image.new(mode, size, colour)


def bands(size: tuple[int, int], colours: list[tuple[int, int, int]], vertical: bool = False) -> Image.Image:
    """Equal bands left to right (or top to bottom when `vertical`)."""
    image = Image.new("RGB", size)
    width, height = size
    count = len(colours)
    for index, colour in enumerate(colours):
        if vertical:
            image.paste(colour, (0, height * index // count, width, height * (index + 1) // count))
        else:
            image.paste(colour, (width * index // count, 0, width * (index + 1) // count, height))
    return image


def quadrants(size: tuple[int, int]) -> Image.Image:
    """Red top-left, green top-right, blue bottom-left, white bottom-right."""
    image = Image.new("RGB", size)
    width, height = size
    image.paste(RED, (0, 0, width // 2, height // 2))
    image.paste(GREEN, (width // 2, 0, width, height // 2))
    image.paste(BLUE, (0, height // 2, width // 2, height))
    image.paste(WHITE, (width // 2, height // 2, width, height))
    return image


def jpeg_with_orientation(image: Image.Image, orientation: int, quality: int = 95) -> bytes:
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    return encode(image, "JPEG", quality=quality, exif=exif.tobytes())


def png_chunk(chunk_type: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + chunk_type
        + payload
        + struct.pack(">I", zlib.crc32(chunk_type + payload))
    )


def png_header_only(width: int, height: int) -> bytes:
    """A PNG declaring `width` x `height` whose pixel data is a few bytes: decoding it would fail."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + png_chunk(b"IEND", b"")
    )


def jpeg_declaring_size(width: int, height: int) -> bytes:
    """A real small JPEG whose SOF header is patched to claim `width` x `height`."""
    data = bytearray(encode(solid((16, 8)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def rgb_icc_profile(red: XYZ, green: XYZ, blue: XYZ) -> bytes:
    """A minimal ICC v2 display profile: linear curves and the given D50 colorants."""

    def fixed(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz_tag(xyz: XYZ) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(fixed(component) for component in xyz)

    white = tuple(sum(components) for components in zip(red, green, blue, strict=True))
    linear_curve = b"curv\0\0\0\0" + struct.pack(">I", 0)
    tags = [
        (b"wtpt", xyz_tag(white)),
        (b"rXYZ", xyz_tag(red)),
        (b"gXYZ", xyz_tag(green)),
        (b"bXYZ", xyz_tag(blue)),
        (b"rTRC", linear_curve),
        (b"gTRC", linear_curve),
        (b"bTRC", linear_curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, payload = b"", b""
    for signature, data in tags:
        table += signature + struct.pack(">II", offset + len(payload), len(data))
        payload += data + b"\0" * (-len(data) % 4)
    size = offset + len(payload)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + fixed(0.9642)
        + fixed(1.0)
        + fixed(0.8249)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + payload


def animated_gif(colours: list[tuple[int, int, int]], size: tuple[int, int] = (200, 100)) -> bytes:
    frames = [solid(size, colour) for colour in colours]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


# --- helpers --------------------------------------------------------------------------------------------


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    image.load()
    return image


def assert_colour(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> None:
    assert all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True)), (actual, expected)


def sizes(result: ProcessedImage) -> dict[int, tuple[int, int]]:
    return {width: (variant.width, variant.height) for width, variant in result.variants.items()}


def validation_details(data: bytes, crop: CropBox | None = None) -> dict[str, str]:
    with pytest.raises(ValidationError) as raised:
        process_background(data, crop)
    assert status_of(raised.value) == 422
    return raised.value.details


# --- formats --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "expected"),
    [
        ("JPEG", SourceFormat.JPEG),
        ("PNG", SourceFormat.PNG),
        ("WEBP", SourceFormat.WEBP),
        ("GIF", SourceFormat.GIF),
    ],
)
def test_each_supported_format_becomes_a_jpeg(image_format: str, expected: SourceFormat) -> None:
    result = process_background(encode(solid((800, 400), RED), image_format))

    assert result.source_format is expected
    assert result.content_type == "image/jpeg"
    output = decoded(result.full.jpeg)
    assert (output.format, output.mode, output.size) == ("JPEG", "RGB", (800, 400))
    assert_colour(output.getpixel((400, 200)), RED)


def test_animated_gif_uses_its_first_frame() -> None:
    result = process_background(animated_gif([GREEN, RED, BLUE]))

    assert_colour(decoded(result.full.jpeg).getpixel((100, 50)), GREEN)


def test_multi_picture_jpeg_uses_its_first_picture() -> None:
    first, second = solid((400, 200), RED), solid((400, 200), BLUE)
    data = encode(first, "MPO", save_all=True, append_images=[second])
    assert data.startswith(b"\xff\xd8\xff")

    result = process_background(data)

    assert result.source_format is SourceFormat.JPEG
    assert_colour(decoded(result.full.jpeg).getpixel((200, 100)), RED)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"hello, this is plain text pretending to be an image\n", id="text"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n", id="pdf"),
        pytest.param(encode(solid((40, 20)), "BMP"), id="bmp"),
        pytest.param(encode(solid((40, 20)), "TIFF"), id="tiff"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", id="heic"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="svg"),
    ],
)
def test_anything_but_jpeg_png_webp_gif_is_unsupported_media(data: bytes) -> None:
    with pytest.raises(UnsupportedMediaError) as raised:
        process_background(data)
    assert status_of(raised.value) == 415


def test_empty_file_is_a_validation_error() -> None:
    assert validation_details(b"") == {"image": "The file is empty."}


@pytest.mark.parametrize(
    ("image_format", "expected"),
    [
        ("JPEG", SourceFormat.JPEG),
        ("PNG", SourceFormat.PNG),
        ("WEBP", SourceFormat.WEBP),
        ("GIF", SourceFormat.GIF),
    ],
)
def test_sniffing_reads_magic_bytes(image_format: str, expected: SourceFormat) -> None:
    assert pipeline.sniff_image_format(encode(solid((8, 4)), image_format)) is expected


# --- pixel limit ----------------------------------------------------------------------------------------


@pytest.fixture
def decoding_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any pixel decoding fail the test (AssertionError is not swallowed by the pipeline)."""

    def forbidden_load(self: ImageFile.ImageFile) -> None:
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", forbidden_load)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(png_header_only(8000, 6000), id="png-48MP"),
        pytest.param(jpeg_declaring_size(8000, 6000), id="jpeg-48MP"),
        pytest.param(png_header_only(7000, 5800), id="png-just-over-40MP"),
    ],
)
def test_more_than_40_megapixels_is_refused_from_the_header(data: bytes, decoding_forbidden: None) -> None:
    details = validation_details(data)

    assert "40 megapixels" in details["image"]


@pytest.mark.parametrize(
    "size",
    [
        pytest.param((10_000, 10_000), id="pillow-warning-range"),
        pytest.param((20_000, 20_000), id="pillow-error-range"),
    ],
)
def test_decompression_bombs_are_refused_without_a_warning(size: tuple[int, int]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        details = validation_details(png_header_only(*size))

    assert "40 megapixels" in details["image"]


def test_exactly_40_megapixels_is_accepted_by_the_limit(decoding_forbidden: None) -> None:
    # The header passes the limit, so the (forbidden) decoding is reached.
    with pytest.raises(AssertionError, match="decoded"):
        process_background(png_header_only(8000, 5000))


# --- EXIF orientation -----------------------------------------------------------------------------------


def test_orientation_6_is_applied_before_the_centre_crop() -> None:
    # Stored 800x400 with a red left half; orientation 6 shows it rotated 90 degrees clockwise,
    # i.e. a 400x800 portrait whose top half is red.
    data = jpeg_with_orientation(bands((800, 400), [RED, BLUE]), 6)

    result = process_background(data)

    output = decoded(result.full.jpeg)
    assert output.size == (400, 200)
    assert_colour(output.getpixel((200, 20)), RED)
    assert_colour(output.getpixel((200, 180)), BLUE)
    assert output.getexif().get(ORIENTATION_TAG) is None


@pytest.mark.parametrize(("top", "expected"), [(0, RED), (600, BLUE)])
def test_crop_box_is_in_the_coordinates_of_the_oriented_image(
    top: int, expected: tuple[int, int, int]
) -> None:
    data = jpeg_with_orientation(bands((800, 400), [RED, BLUE]), 6)

    result = process_background(data, CropBox(x=0, y=top, width=400, height=200))

    output = decoded(result.full.jpeg)
    for point in [(5, 5), (395, 5), (5, 195), (395, 195), (200, 100)]:
        assert_colour(output.getpixel(point), expected)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_matches_pillow_exif_transpose(orientation: int) -> None:
    data = jpeg_with_orientation(quadrants((1200, 800)), orientation)
    reference = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    crop = CropBox(x=100, y=150, width=400, height=200)
    expected = reference.crop((100, 150, 500, 350))

    output = decoded(process_background(data, crop).full.jpeg)

    assert output.size == (400, 200)
    for point in [(20, 20), (380, 20), (20, 180), (380, 180), (200, 100)]:
        assert_colour(output.getpixel(point), expected.getpixel(point), tolerance=40)


@settings(max_examples=200, deadline=None)
@given(
    transpose=st.sampled_from(list(Image.Transpose)),
    width=st.integers(1, 9),
    height=st.integers(1, 9),
    data=st.data(),
)
def test_transpose_box_agrees_with_image_transpose(
    transpose: Image.Transpose, width: int, height: int, data: st.DataObject
) -> None:
    image = Image.new("L", (width, height))
    image.putdata(range(width * height))
    left = data.draw(st.integers(0, width - 1))
    top = data.draw(st.integers(0, height - 1))
    box = (left, top, data.draw(st.integers(left + 1, width)), data.draw(st.integers(top + 1, height)))

    moved_box = pipeline._transpose_box(box, image.size, transpose)

    expected = image.crop(box).transpose(transpose)
    actual = image.transpose(transpose).crop(tuple(int(edge) for edge in moved_box))
    assert actual.tobytes() == expected.tobytes()


# --- resizing -------------------------------------------------------------------------------------------


def test_resizing_in_stripes_joins_seamlessly() -> None:
    image = Image.merge("RGB", [Image.effect_noise((900, 700), 60) for _ in range(3)])
    box = (10.5, 20.25, 810.5, 420.25)

    striped = pipeline._resize_and_orient(image, box, (640, 320), transpose=None)

    narrowed = image.resize((640, 700), Image.Resampling.LANCZOS, box=(box[0], 0, box[2], 700))
    whole = narrowed.resize((640, 320), Image.Resampling.LANCZOS, box=(0, box[1], 640, box[3]))
    assert striped.tobytes() == whole.tobytes()


@pytest.mark.parametrize("transpose", list(Image.Transpose))
def test_striped_resize_transposes_each_stripe_into_place(transpose: Image.Transpose) -> None:
    image = Image.merge("RGB", [Image.effect_noise((500, 300), 60) for _ in range(3)])

    box, size = (0, 0, 500, 250), (400, 200)

    oriented = pipeline._resize_and_orient(image, box, size, transpose)

    expected = pipeline._resize_and_orient(image, box, size, None).transpose(transpose)
    assert oriented.tobytes() == expected.tobytes()


def test_output_does_not_depend_on_the_number_of_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    data = encode(Image.merge("RGB", [Image.effect_noise((1200, 800), 60) for _ in range(3)]), "JPEG")
    hashes = set()
    for cpus in (1, 2, 8):
        monkeypatch.setattr(pipeline, "_available_cpus", lambda cpus=cpus: cpus)
        hashes.add(process_background(data).content_hash)

    assert len(hashes) == 1


# --- modes ----------------------------------------------------------------------------------------------


def test_cmyk_jpeg_becomes_rgb() -> None:
    result = process_background(encode(solid((400, 200), (0, 255, 255, 0), mode="CMYK"), "JPEG"))

    output = decoded(result.full.jpeg)
    assert output.mode == "RGB"
    assert_colour(output.getpixel((200, 100)), RED)


def test_palette_png_transparency_is_flattened_on_white() -> None:
    image = Image.new("P", (400, 200), 0)
    image.putpalette([*RED, *BLUE] + [0] * 762)
    image.paste(1, (200, 0, 400, 200))
    data = encode(image, "PNG", transparency=0)

    output = decoded(process_background(data).full.jpeg)

    assert_colour(output.getpixel((100, 100)), WHITE)
    assert_colour(output.getpixel((300, 100)), BLUE)


def test_gif_transparency_is_flattened_on_white() -> None:
    image = Image.new("P", (400, 200), 0)
    image.putpalette([*RED, *BLUE] + [0] * 762)
    image.paste(1, (200, 0, 400, 200))
    data = encode(image, "GIF", transparency=1)

    output = decoded(process_background(data).full.jpeg)

    assert_colour(output.getpixel((100, 100)), RED)
    assert_colour(output.getpixel((300, 100)), WHITE)


def test_sixteen_bit_greyscale_png_is_scaled_not_clipped() -> None:
    row = struct.pack("<200H", *[32768] * 100, *[65535] * 100)
    image = Image.frombytes("I;16", (200, 100), row * 100)
    data = encode(image, "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")

    output = decoded(process_background(data).full.jpeg)

    assert output.mode == "RGB"
    assert_colour(output.getpixel((50, 50)), (128, 128, 128), tolerance=3)
    assert_colour(output.getpixel((150, 50)), WHITE, tolerance=3)


@pytest.mark.parametrize(
    ("mode", "transparent", "half_transparent_red"),
    [
        ("RGBA", (0, 0, 0, 0), (255, 0, 0, 128)),
        ("LA", (0, 0), (76, 128)),
    ],
)
def test_alpha_is_flattened_on_white(
    mode: str, transparent: tuple[int, ...], half_transparent_red: tuple[int, ...]
) -> None:
    image = Image.new(mode, (400, 200), transparent)
    image.paste(half_transparent_red, (200, 0, 400, 200))
    data = encode(image, "PNG")

    output = decoded(process_background(data).full.jpeg)

    assert output.mode == "RGB"
    assert_colour(output.getpixel((100, 100)), WHITE)
    expected = (255, 127, 127) if mode == "RGBA" else (165, 165, 165)
    assert_colour(output.getpixel((300, 100)), expected)


def test_rgba_webp_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (400, 200), (0, 0, 255, 0))
    data = encode(image, "WEBP", lossless=True)

    assert_colour(decoded(process_background(data).full.jpeg).getpixel((200, 100)), WHITE)


def test_rgb_png_colour_key_transparency_is_flattened_on_white() -> None:
    data = encode(bands((400, 200), [GREEN, BLUE]), "PNG", transparency=GREEN)

    output = decoded(process_background(data).full.jpeg)

    assert_colour(output.getpixel((100, 100)), WHITE)
    assert_colour(output.getpixel((300, 100)), BLUE)


@pytest.mark.parametrize("mode", ["1", "L"])
def test_black_and_white_and_greyscale_become_rgb(mode: str) -> None:
    output = decoded(
        process_background(encode(Image.new(mode, (400, 200), 1 if mode == "1" else 255), "PNG")).full.jpeg
    )

    assert output.mode == "RGB"
    assert_colour(output.getpixel((200, 100)), WHITE)


# --- crop -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "crop",
    [
        pytest.param(CropBox(x=-10, y=0, width=400, height=200), id="left-of-image"),
        pytest.param(CropBox(x=0, y=-5, width=400, height=200), id="above-image"),
        pytest.param(CropBox(x=700, y=0, width=400, height=200), id="past-right-edge"),
        pytest.param(CropBox(x=0, y=500, width=400, height=200), id="past-bottom-edge"),
        pytest.param(CropBox(x=2000, y=2000, width=20, height=10), id="far-outside"),
        pytest.param(CropBox(x=0, y=0, width=400, height=400), id="square"),
        pytest.param(CropBox(x=0, y=0, width=400, height=196), id="ratio-off-by-2-percent"),
        pytest.param(CropBox(x=0, y=0, width=0, height=0), id="empty"),
        pytest.param(CropBox(x=0, y=0, width=-400, height=-200), id="negative"),
        pytest.param(CropBox(x=float("nan"), y=0, width=400, height=200), id="nan"),
        pytest.param(CropBox(x=0, y=0, width=float("inf"), height=float("inf")), id="infinite"),
        pytest.param(CropBox(x=True, y=0, width=400, height=200), id="bool"),
        pytest.param(CropBox(x="0", y=0, width=400, height=200), id="string"),  # type: ignore[arg-type]
        pytest.param(CropBox(x=0, y=0, width=1, height=0.5), id="too-small"),
    ],
)
def test_invalid_crop_box_is_a_validation_error_on_crop(crop: CropBox) -> None:
    details = validation_details(encode(solid((1000, 600)), "PNG"), crop)

    assert set(details) == {"crop"}


def test_crop_box_within_the_ratio_tolerance_and_rounding_noise_is_accepted() -> None:
    data = encode(bands((1000, 600), [RED, BLUE]), "PNG")
    crop = CropBox(x=599.7, y=399.6, width=400.8, height=200.9)  # ratio 1.995, overshoots by 0.5 px

    result = process_background(data, crop)

    assert (result.full.width, result.full.height) == (400, 200)
    assert_colour(decoded(result.full.jpeg).getpixel((200, 100)), BLUE)


def test_fractional_crop_box_is_accepted() -> None:
    result = process_background(
        encode(solid((1000, 600)), "PNG"), CropBox(x=10.25, y=20.5, width=640.5, height=320.25)
    )

    assert (result.full.width, result.full.height) == (640, 320)


@pytest.mark.parametrize(
    ("size", "colours", "vertical"),
    [
        pytest.param((1000, 1000), [RED, BLUE, BLUE, GREEN], True, id="tall"),
        pytest.param((3000, 500), [RED, BLUE, GREEN], False, id="wide"),
    ],
)
def test_without_a_box_the_image_is_centre_cropped_to_2_to_1(
    size: tuple[int, int], colours: list[tuple[int, int, int]], vertical: bool
) -> None:
    result = process_background(encode(bands(size, colours, vertical), "PNG"))

    output = decoded(result.full.jpeg)
    assert output.width == 2 * output.height
    for x in (3, output.width // 2, output.width - 4):
        for y in (3, output.height // 2, output.height - 4):
            assert_colour(output.getpixel((x, y)), BLUE)


def test_crop_box_from_mapping_accepts_json_numbers() -> None:
    assert CropBox.from_mapping({"x": 1, "y": 2.5, "width": 400, "height": 200}) == CropBox(1, 2.5, 400, 200)


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        "0,0,400,200",
        {"x": 0, "y": 0, "width": 400},
        {"x": "0", "y": 0, "width": 400, "height": 200},
    ],
)
def test_crop_box_from_mapping_rejects_malformed_json(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        CropBox.from_mapping(value)
    assert set(raised.value.details) == {"crop"}


# --- sizes and encoding ---------------------------------------------------------------------------------


def test_small_image_is_not_upscaled() -> None:
    result = process_background(encode(solid((600, 300)), "JPEG"))

    assert (result.full.width, result.full.height) == (600, 300)
    assert sizes(result) == {600: (600, 300), 490: (490, 245)}


def test_large_image_gets_the_three_widths() -> None:
    result = process_background(encode(quadrants((4000, 2400)), "JPEG", quality=90))

    assert sizes(result) == {1960: (1960, 980), 980: (980, 490), 490: (490, 245)}
    assert result.full is result.variants[1960]
    for width, variant in result.variants.items():
        output = decoded(variant.jpeg)
        assert output.size == (variant.width, variant.height) == (width, width // 2)
        # Quadrant colours survive the crop and the resizes.
        assert_colour(output.getpixel((width // 8, output.height // 8)), RED, tolerance=20)
        assert_colour(output.getpixel((width * 7 // 8, output.height * 7 // 8)), WHITE, tolerance=20)


def test_image_exactly_980_wide_has_no_separate_980_variant() -> None:
    assert sizes(process_background(encode(solid((980, 490)), "PNG"))) == {980: (980, 490), 490: (490, 245)}


def test_tiny_image_is_a_validation_error() -> None:
    assert set(validation_details(encode(solid((1, 1)), "PNG"))) == {"image"}


def test_output_is_progressive_jpeg_without_metadata() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 1
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N"}  # GPS IFD
    data = encode(quadrants((1200, 600)), "JPEG", exif=exif.tobytes(), icc_profile=srgb, comment=b"secret")

    result = process_background(data)

    for variant in result.variants.values():
        output = decoded(variant.jpeg)
        assert output.info.get("progressive") == 1
        assert not output.getexif()
        for key in ("exif", "icc_profile", "comment", "xmp"):
            assert key not in output.info
        for marker in (b"Exif\x00\x00", b"ICC_PROFILE", b"secret", b"CameraMaker"):
            assert marker not in variant.jpeg


def test_rgb_icc_profile_is_converted_to_srgb_before_being_stripped() -> None:
    # A profile whose red primary is sRGB green and the other way round.
    swapped = rgb_icc_profile(red=SRGB_GREEN_D50, green=SRGB_RED_D50, blue=SRGB_BLUE_D50)
    data = encode(bands((400, 200), [RED, BLUE]), "PNG", icc_profile=swapped)

    output = decoded(process_background(data).full.jpeg)

    assert "icc_profile" not in output.info
    assert_colour(output.getpixel((100, 100)), GREEN, tolerance=20)
    assert_colour(output.getpixel((300, 100)), BLUE, tolerance=20)


def test_unusable_icc_profile_is_dropped() -> None:
    data = encode(solid((400, 200), RED), "JPEG", icc_profile=b"not an icc profile at all")

    output = decoded(process_background(data).full.jpeg)

    assert "icc_profile" not in output.info
    assert_colour(output.getpixel((200, 100)), RED)


def test_content_hash_is_the_sha256_of_the_full_jpeg_and_is_stable() -> None:
    data = encode(quadrants((1200, 600)), "PNG")

    first, second = process_background(data), process_background(data)

    assert first.content_hash == hashlib.sha256(first.full.jpeg).hexdigest()
    assert second.content_hash == first.content_hash


# --- corrupt input --------------------------------------------------------------------------------------


def test_truncated_images_are_not_loaded_half_grey() -> None:
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "GIF"])
def test_truncated_file_is_a_validation_error(image_format: str) -> None:
    data = encode(Image.effect_noise((400, 200), 64).convert("RGB"), image_format)

    details = validation_details(data[: len(data) * 2 // 3])

    assert details == {"image": "The image file is corrupt or truncated."}


def test_jpeg_with_corrupt_header_is_a_validation_error() -> None:
    data = bytearray(encode(solid((400, 200)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 9] = 0  # zero colour components

    assert set(validation_details(bytes(data))) == {"image"}


def test_png_with_bit_flipped_pixel_data_is_a_validation_error() -> None:
    data = bytearray(encode(quadrants((400, 200)), "PNG"))
    idat = data.index(b"IDAT")
    for offset in range(idat + 4, idat + 12):  # zlib header and first deflate block header
        data[offset] ^= 0x5A

    assert set(validation_details(bytes(data))) == {"image"}


def test_header_only_file_is_a_validation_error() -> None:
    assert set(validation_details(png_header_only(400, 200))) == {"image"}


SMALL_SAMPLES = {
    image_format: encode(quadrants((64, 32)), image_format) for image_format in ("JPEG", "PNG", "WEBP", "GIF")
}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    image_format=st.sampled_from(sorted(SMALL_SAMPLES)),
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=8),
    truncate_at=st.none() | st.floats(0, 1),
)
def test_corrupted_bytes_never_raise_anything_but_domain_errors(
    image_format: str, flips: list[tuple[float, int]], truncate_at: float | None
) -> None:
    data = bytearray(SMALL_SAMPLES[image_format])
    for position, mask in flips:
        data[int(position * len(data))] ^= mask
    if truncate_at is not None:
        data = data[: int(truncate_at * len(data))]

    try:
        result = process_background(bytes(data))
    except (ValidationError, UnsupportedMediaError):
        return
    assert decoded(result.full.jpeg).size == (result.full.width, result.full.height)
