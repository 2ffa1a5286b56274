"""The door scanner's local decision per scan in Chromium, for a 20,000-attendee check-in list.

The page runs the scanner's own modules (frontend/js/views/scanner-decide.js, scanner-store.js),
served from frontend/ on 127.0.0.1 with cross-origin isolation so performance.now() has 5 us
resolution instead of 100 us. It makes a list of 20,000 attendees (random codes, their SHA-256; 2 %
revoked, 10 % already checked in), stores it in IndexedDB through scanner-store.js, reads it back
and builds the index as the page does on load, then decides a stream of scans (valid codes,
repeats, unknown codes, revoked ones), each timed from the typed code to the verdict (normalize,
SHA-256 with crypto.subtle, lookup, rules). Baseline, interleaved scan by scan in the same run: the
same steps with a linear search of the list instead of the Map. Also timed: writing a scan to the
IndexedDB queue (what follows each decision).

Prints p50 / p95 of each and the baseline / indexed ratio; the goal is p95 under 5 ms.

    .venv/bin/python bench/scanner_bench.py [--attendees 20000] [--scans 2000]
"""

import argparse
import json
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FRONTEND = Path(__file__).resolve().parent.parent / "frontend"
CHROMIUM = "/usr/bin/chromium"

# The page side: an async function of {attendees, scans}, evaluated by Playwright.
PAGE_SCRIPT = (Path(__file__).resolve().parent / "scanner_bench.js").read_text()


class Handler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        # Cross-origin isolation: performance.now() then has 5 us resolution (100 us without).
        self.send_header("Cross-Origin-Opener-Policy", "same-origin")
        self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        if self.path == "/bench":
            body = b"<!doctype html><title>scanner bench</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, default=20_000)
    parser.add_argument("--scans", type=int, default=2_000)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(FRONTEND)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--headless", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(f"{base}/bench")
            page.set_default_timeout(600_000)
            run = page.evaluate(PAGE_SCRIPT, {"attendees": args.attendees, "scans": args.scans})
            version = browser.version
            browser.close()
    finally:
        server.shutdown()

    rows = {name: run[name] for name in ("indexed", "linear", "persist")}
    figures = {name: (percentile(v, 0.5), percentile(v, 0.95)) for name, v in rows.items()}
    print(f"Chromium {version}, {args.attendees:,} attendees, {args.scans:,} scans, "
          f"cross-origin isolated: {run['isolated']}")  # fmt: skip
    print(f"verdicts: {json.dumps(run['counts'], sort_keys=True)}")
    print(
        f"list from IndexedDB {run['loadMs']:.1f} ms, index built in {run['buildMs']:.1f} ms (once, on load)"
    )
    print(f"{'per scan':<44} {'p50 ms':>8} {'p95 ms':>8}")
    labels = {
        "indexed": "scanner decision (Map by code_sha256)",
        "linear": "baseline: linear search of the list",
        "persist": "then: the scan written to the IndexedDB queue",
    }
    for name, label in labels.items():
        p50, p95 = figures[name]
        print(f"{label:<44} {p50:>8.3f} {p95:>8.3f}")
    (i50, i95), (l50, l95) = figures["indexed"], figures["linear"]
    print(f"ratio baseline / scanner: p50 {l50 / i50:.1f}x, p95 {l95 / i95:.1f}x")
    print(f"goal p95 < 5 ms: {'met' if i95 < 5 else 'NOT met'} ({i95:.3f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
