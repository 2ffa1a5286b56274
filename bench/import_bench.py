"""Cold import time of app.py as a ratio to `import boto3, pynamodb.models, chalice` (goal <= 1.25),
measured side by side in one run, and the modules app.py must not import (Pillow, ...). Besides
wall time, the CPU time (user + system) of each interpreter: on a shared machine other work
stretches wall time far more than the CPU a process itself spends.

    .venv/bin/python bench/import_bench.py [--runs 15]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "import boto3, pynamodb.models, chalice"
APP = "import app"
MUST_NOT_IMPORT = ("PIL", "websockets", "moto", "requests", "jinja2", "markdown_it")
# Both sides are measured with their bytecode cached (the warm-up run writes it): any value of
# PYTHONDONTWRITEBYTECODE, even "0", would make Python recompile every edited module each run.
ENV = {
    **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    "MARQUEE_JWT_SECRET": "bench-secret-bench-secret-bench-secret!",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(code: str) -> tuple[float, float]:
    """Wall and CPU seconds of a fresh interpreter running ``code``."""
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, check=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def imported_modules() -> set[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", APP],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    names = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    timed(APP)  # warm the bytecode caches so both sides are compared cold-process, warm-disk
    timed(BASELINE)
    app_runs, base_runs = [], []
    for _ in range(args.runs):  # interleaved so machine noise hits both sides alike
        base_runs.append(timed(BASELINE))
        app_runs.append(timed(APP))
    app_times, base_times = [wall for wall, _ in app_runs], [wall for wall, _ in base_runs]
    app_cpu, base_cpu = statistics.median(c for _, c in app_runs), statistics.median(c for _, c in base_runs)
    app_median, base_median = statistics.median(app_times), statistics.median(base_times)
    ratio = app_median / base_median
    # The fastest run of each is the least disturbed by other work on a shared machine.
    best_ratio = min(app_times) / min(base_times)
    forbidden = sorted(set(MUST_NOT_IMPORT) & imported_modules())

    print(f"runs: {args.runs} (interleaved, fresh interpreter each)")
    print(f"baseline `{BASELINE}`: median {base_median * 1000:.0f} ms")
    print(f"`{APP}`: median {app_median * 1000:.0f} ms")
    print(f"ratio app / baseline: {ratio:.2f} of medians, {best_ratio:.2f} of fastest runs (goal <= 1.25)")
    cpu_ratio = app_cpu / base_cpu
    print(f"CPU user+sys: median {app_cpu * 1000:.0f} vs {base_cpu * 1000:.0f} ms, ratio {cpu_ratio:.2f}")
    print(f"heavy modules imported by app.py: {forbidden or 'none'}")
    return 0 if not forbidden else 1


if __name__ == "__main__":
    sys.exit(main())
