"""Benchmark of the background image pipeline against naive Pillow and, when importable, pyvips.

    python bench/image_bench.py [--repeats 7] [--size 6000x4000] [--orientation 6]

Generates a photo-like JPEG (gradients, blotches and grain, quality 90, EXIF orientation tag) in a
temporary directory, then makes each implementation produce the same three outputs (centre crop to
2:1, 1960x980, 980x490 and 490x245 progressive JPEG, quality 82). Every run is a fresh process so that its
peak RSS (ru_maxrss, the whole process: interpreter, libraries and work) belongs to that run alone; each
process warms its library up on a tiny image before the timed run, as a warm Lambda would be. Runs of the
implementations are interleaved, and medians are reported. CPU time (user + system, all threads) is shown
too, with the load average: wall time is only meaningful on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT_WIDTHS = (1960, 980, 490)
JPEG_QUALITY = 82
GOAL_TIME_VS_NAIVE = 0.45
GOAL_MEMORY_VS_NAIVE = 0.33
GOAL_TIME_VS_PYVIPS = 0.65

PIPELINE = "pipeline"
NAIVE = "naive Pillow"
PYVIPS = "pyvips"


# --- the implementations, each returning the JPEG bytes of OUTPUT_WIDTHS in order -------------------------


def run_pipeline(data: bytes) -> list[bytes]:
    from chalicelib.media.pipeline import process_background

    result = process_background(data)
    return [variant.jpeg for _, variant in sorted(result.variants.items(), reverse=True)]


def run_naive_pillow(data: bytes) -> list[bytes]:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        oriented = ImageOps.exif_transpose(image)
    width, height = oriented.size
    if width >= 2 * height:
        left = (width - 2 * height) // 2
        box = (left, 0, left + 2 * height, height)
    else:
        top = (height - width // 2) // 2
        box = (0, top, width, top + width // 2)
    cropped = oriented.crop(box)
    outputs = []
    for output_width in OUTPUT_WIDTHS:
        resized = cropped.resize((output_width, output_width // 2), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        resized.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        outputs.append(buffer.getvalue())
    return outputs


def run_pyvips(data: bytes) -> list[bytes]:
    import pyvips

    def encode(image: pyvips.Image) -> bytes:
        return image.jpegsave_buffer(Q=JPEG_QUALITY, interlace=True, optimize_coding=True, strip=True)

    largest_width = OUTPUT_WIDTHS[0]
    # thumbnail applies EXIF orientation and shrink-on-load; copy_memory stops the smaller outputs from
    # re-running the whole lazy pipeline from the source.
    largest = pyvips.Image.thumbnail_buffer(
        data, largest_width, height=largest_width // 2, crop="centre", size="down"
    ).copy_memory()
    outputs = [encode(largest)]
    for output_width in OUTPUT_WIDTHS[1:]:
        outputs.append(encode(largest.thumbnail_image(output_width, height=output_width // 2, crop="centre")))
    return outputs


IMPLEMENTATIONS: dict[str, Callable[[bytes], list[bytes]]] = {
    PIPELINE: run_pipeline,
    NAIVE: run_naive_pillow,
    PYVIPS: run_pyvips,
}


def pyvips_available() -> bool:
    try:
        import pyvips  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


# --- one measured run, in its own process ----------------------------------------------------------------


def current_rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def child_main(name: str, photo: Path, warm_up_photo: Path) -> None:
    implementation = IMPLEMENTATIONS[name]
    implementation(warm_up_photo.read_bytes())
    data = photo.read_bytes()
    rss_before = current_rss_kib()
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    outputs = implementation(data)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    from PIL import Image

    measurement = {
        "seconds": elapsed,
        "cpu_seconds": usage.ru_utime + usage.ru_stime - usage_before.ru_utime - usage_before.ru_stime,
        "peak_kib": usage.ru_maxrss,  # KiB on Linux
        "rss_before_kib": rss_before,
        "sizes": [Image.open(io.BytesIO(output)).size for output in outputs],
    }
    print(json.dumps(measurement))


def measure_once(name: str, photo: Path, warm_up_photo: Path) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", name, str(photo), str(warm_up_photo)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"the {name} run failed:\n{completed.stderr}")
    measurement = json.loads(completed.stdout.strip().splitlines()[-1])
    expected_sizes = [[width, width // 2] for width in OUTPUT_WIDTHS]
    if measurement["sizes"] != expected_sizes:
        raise SystemExit(f"{name} produced {measurement['sizes']}, expected {expected_sizes}")
    return measurement


# --- input generation and output quality ------------------------------------------------------------------


def write_photo_like_jpeg(path: Path, size: tuple[int, int], orientation: int, quality: int = 90) -> None:
    from PIL import Image, ImageChops

    width, height = size
    gradients = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").resize(size, Image.Resampling.BILINEAR),
            Image.radial_gradient("L").resize(size, Image.Resampling.BILINEAR),
            Image.linear_gradient("L").rotate(90).resize(size, Image.Resampling.BILINEAR),
        ),
    )
    blotches = Image.merge(
        "RGB",
        [
            Image.effect_noise((max(1, width // 60), max(1, height // 60)), 70).resize(
                size, Image.Resampling.BICUBIC
            )
            for _ in range(3)
        ],
    )
    grain = Image.merge("RGB", [Image.effect_noise(size, 10) for _ in range(3)])
    photo = ImageChops.add(Image.blend(gradients, blotches, 0.45), grain, offset=-128)
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Benchmark Camera"
    photo.save(path, format="JPEG", quality=quality, exif=exif.tobytes())


def psnr_db(jpeg: bytes, reference_jpeg: bytes) -> float:
    from PIL import Image, ImageChops, ImageStat

    image = Image.open(io.BytesIO(jpeg)).convert("RGB")
    reference = Image.open(io.BytesIO(reference_jpeg)).convert("RGB")
    squared_errors = ImageStat.Stat(ImageChops.difference(image, reference)).rms
    mean_squared_error = statistics.fmean(value**2 for value in squared_errors)
    return math.inf if mean_squared_error == 0 else 10 * math.log10(255**2 / mean_squared_error)


# --- report ------------------------------------------------------------------------------------------------


def parse_size(text: str) -> tuple[int, int]:
    width, height = (int(value) for value in text.lower().split("x"))
    return width, height


def verdict(ratio: float, goal: float | None) -> str:
    if goal is None:
        return "(no goal)"
    return f"goal <= {goal:.2f}x  {'met' if ratio <= goal else 'MISSED'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="fresh-process runs per implementation")
    parser.add_argument("--size", default="6000x4000", help="source size WIDTHxHEIGHT")
    parser.add_argument("--orientation", type=int, default=6, help="EXIF orientation of the source")
    parser.add_argument(
        "--child", nargs=3, metavar=("NAME", "PHOTO", "WARM_UP_PHOTO"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--generate", nargs=3, metavar=("PHOTO", "SIZE", "ORIENTATION"), help=argparse.SUPPRESS
    )
    arguments = parser.parse_args()

    sys.path.insert(0, str(REPO_ROOT))
    if arguments.child:
        name, photo, warm_up_photo = arguments.child
        child_main(name, Path(photo), Path(warm_up_photo))
        return
    if arguments.generate:
        photo, size, orientation = arguments.generate
        write_photo_like_jpeg(Path(photo), parse_size(size), int(orientation))
        return

    width, height = parse_size(arguments.size)
    names = [PIPELINE, NAIVE] + ([PYVIPS] if pyvips_available() else [])
    with tempfile.TemporaryDirectory(prefix="image-bench-") as directory:
        photo, warm_up_photo = Path(directory, "photo.jpg"), Path(directory, "warm-up.jpg")
        print(f"generating a {width}x{height} photo-like JPEG ...", flush=True)
        # In a child process: Linux carries the parent's peak RSS over to the children it spawns, so the
        # parent must never grow bigger than the runs it measures.
        for path, size in ((photo, arguments.size), (warm_up_photo, "300x200")):
            subprocess.run(
                [sys.executable, __file__, "--generate", str(path), size, str(arguments.orientation)],
                check=True,
            )

        runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
        for repeat in range(arguments.repeats):
            rotation = repeat % len(names)  # no implementation always runs first
            for name in names[rotation:] + names[:rotation]:
                runs[name].append(measure_once(name, photo, warm_up_photo))
            print(f"  run {repeat + 1}/{arguments.repeats} done", flush=True)

        data = photo.read_bytes()
        outputs = {name: IMPLEMENTATIONS[name](data) for name in names}

    load_average = " / ".join(f"{load:.2f}" for load in os.getloadavg())
    seconds = {name: statistics.median(run["seconds"] for run in runs[name]) for name in names}
    cpu_seconds = {name: statistics.median(run["cpu_seconds"] for run in runs[name]) for name in names}
    peak_mib = {name: statistics.median(run["peak_kib"] for run in runs[name]) / 1024 for name in names}
    added_mib = {
        name: statistics.median(run["peak_kib"] - run["rss_before_kib"] for run in runs[name]) / 1024
        for name in names
    }

    print()
    print(
        f"source: {width}x{height} JPEG, quality 90, EXIF orientation {arguments.orientation}, "
        f"{len(data) / 2**20:.1f} MiB; outputs {' + '.join(f'{w}x{w // 2}' for w in OUTPUT_WIDTHS)}"
    )
    print(f"medians of {arguments.repeats} runs, each in a fresh process after a warm-up on a 300x200 image")
    print(f"{os.cpu_count()} CPUs; load average over the last 1/5/15 minutes at the end: {load_average}")
    print()
    print(f"{'implementation':<16}{'wall time':>12}{'CPU time':>12}{'peak RSS':>14}{'RSS added by run':>20}")
    for name in names:
        print(
            f"{name:<16}{seconds[name] * 1000:>9.1f} ms{cpu_seconds[name] * 1000:>9.1f} ms"
            f"{peak_mib[name]:>10.1f} MiB{added_mib[name]:>16.1f} MiB"
        )

    print()
    print("pipeline as a ratio of the others (lower is better):")
    ratio_rows = [
        ("time", NAIVE, seconds, GOAL_TIME_VS_NAIVE),
        ("peak RSS", NAIVE, peak_mib, GOAL_MEMORY_VS_NAIVE),
        ("time", PYVIPS, seconds, GOAL_TIME_VS_PYVIPS),
        ("peak RSS", PYVIPS, peak_mib, None),
        ("CPU time", NAIVE, cpu_seconds, None),
        ("CPU time", PYVIPS, cpu_seconds, None),
    ]
    for measure, other, figures, goal in ratio_rows:
        if other in names:
            ratio = figures[PIPELINE] / figures[other]
            print(f"  {measure:<9} vs {other:<14}{ratio:5.2f}x   {verdict(ratio, goal)}")
    if PYVIPS not in names:
        print("  pyvips is not importable: no comparison with it")

    print()
    print(
        "quality: PSNR against the naive Pillow outputs (full-resolution decode + Lanczos), higher is closer"
    )
    for name in names:
        if name != NAIVE:
            figures = "  ".join(
                f"{w}: {psnr_db(output, reference):.1f} dB"
                for w, output, reference in zip(OUTPUT_WIDTHS, outputs[name], outputs[NAIVE], strict=True)
            )
            print(f"  {name:<14}{figures}")


if __name__ == "__main__":
    main()
