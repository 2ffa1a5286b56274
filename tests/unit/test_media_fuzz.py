"""Fuzzing the background pipeline: random and mutated image bytes (truncated, bit-flipped,
huge declared dimensions) only ever end in our 4xx errors, and memory stays bounded."""

import io
import resource
import struct
import zlib
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ImageFile

from chalicelib.domain.errors import UnsupportedMediaError, ValidationError
from chalicelib.http.errors import status_of
from chalicelib.media.pipeline import MAX_SOURCE_PIXELS, CropBox, process_background

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Decoding is refused above 40 MP; what a fuzz run may add to the process's peak is far below
# what decoding one such image would take (40 MP x 3 bytes = 120 MB, plus Pillow's copies).
MEMORY_BUDGET_BYTES = 150 * 1024 * 1024


def _seed_images() -> list[bytes]:
    from PIL import Image

    picture = Image.linear_gradient("L").resize((400, 200)).convert("RGB")
    seeds = []
    for image_format, options in (("JPEG", {"quality": 80}), ("PNG", {}), ("WEBP", {}), ("GIF", {})):
        buffer = io.BytesIO()
        picture.save(buffer, image_format, **options)
        seeds.append(buffer.getvalue())
    return seeds


SEEDS = _seed_images()


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares any dimensions, with a tiny (wrong) body."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    ihdr = b"IHDR" + header
    chunk = struct.pack(">I", len(header)) + ihdr + struct.pack(">I", zlib.crc32(ihdr))
    data = zlib.compress(b"\x00" * 64)
    idat = struct.pack(">I", len(data)) + b"IDAT" + data + struct.pack(">I", zlib.crc32(b"IDAT" + data))
    return b"\x89PNG\r\n\x1a\n" + chunk + idat + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def _run(data: bytes, crop: CropBox | None = None) -> None:
    try:
        result = process_background(data, crop)
    except (UnsupportedMediaError, ValidationError) as error:
        assert status_of(error) in (415, 422)
        assert error.message
        return
    assert result.full.jpeg.startswith(b"\xff\xd8")
    assert result.full.width <= 1960 and result.full.height <= 980


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_give_only_our_errors(data):
    _run(data)


@FUZZ
@given(st.sampled_from(SEEDS), st.floats(min_value=0.0, max_value=0.999))
def test_truncated_images_give_only_our_errors(seed, fraction):
    _run(seed[: int(len(seed) * fraction)])


@FUZZ
@given(st.sampled_from(SEEDS), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 7)), max_size=12))
def test_bit_flipped_images_give_only_our_errors(seed, flips):
    data = bytearray(seed)
    for position, bit in flips:
        data[position % len(data)] ^= 1 << bit
    _run(bytes(data))


def _dimensions_over_the_limit() -> st.SearchStrategy[tuple[int, int]]:
    """(width, height) of more than MAX_SOURCE_PIXELS, each side within a PNG header's range."""
    return st.integers(1, 2**31 - 1).flatmap(
        lambda width: st.tuples(st.just(width), st.integers(MAX_SOURCE_PIXELS // width + 1, 2**31 - 1))
    )


@FUZZ
@given(_dimensions_over_the_limit())
def test_huge_declared_dimensions_are_refused_before_decoding(dimensions):
    width, height = dimensions
    # Any pixel decoding fails the test: the refusal must come from the header alone.
    with (
        mock.patch.object(ImageFile.ImageFile, "load", side_effect=AssertionError("decoded pixels")),
        pytest.raises(ValidationError) as refused,
    ):
        process_background(_png_claiming(width, height))

    assert status_of(refused.value) == 422
    assert "megapixels" in refused.value.details["image"], refused.value.details


@FUZZ
@given(
    st.sampled_from(SEEDS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
)
def test_any_crop_box_gives_only_our_errors(seed, x, y, size):
    _run(seed, CropBox(x=x, y=y, width=size, height=size / 2 if size == size else size))


def test_memory_stays_bounded_over_a_fuzz_run():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for width, height in ((60_000, 60_000), (2**31 - 1, 2), (8_000, 6_000), (7_000, 5_700)):
        _run(_png_claiming(width, height))
    for seed in SEEDS:
        for cut in range(1, 20):
            _run(seed[: len(seed) * cut // 20])
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert after - before < MEMORY_BUDGET_BYTES
