"""The stream function's own time to tell an audience one message: all posts its own, or split
into fan-out pages, side by side.

    .venv/bin/python bench/fanout_bench.py [--connections 5000] [--page-size 1000] [--rounds 4]

Two stand-ins on 127.0.0.1, each in a process of its own: API Gateway's management API (answers
200 to every PostToConnection and counts them) and the local stack's Lambda Invoke API
(``devstack.lambdas.LambdaService`` running the app's ``fan_out`` function). In this process
``chalicelib.realtime.fanout.broadcast`` (what ``push_availability`` calls) tells ``--connections``
connections one message, alternately in one page (every post made by the caller, as before the
split) and in pages of ``--page-size`` (the caller posts the first, invokes ``fan_out`` for the
rest). For each it prints the caller's time, which is what the stream function spends and what
met its 30 s timeout past ~48,000 pages before, and the time until the last post arrived. Both run
on this machine's cores, so the second figure only shows that every connection was told; deployed,
each invocation is a function of its own. The first round of each is a warm-up, not counted.
"""

import argparse
import os
import statistics
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devstack.processes import SPAWN  # noqa: E402 - the repository root is on the path only now

ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "MARQUEE_JWT_SECRET": "bench-secret-bench-secret-bench-secret",
}
MESSAGE = {"meta": "availability", "event_id": "bench", "tickets": [{"id": "t1", "available": 42}]}


def _serve_management(port_out: Any, posts: Any) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with posts.get_lock():
                posts.value += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_out.send(server.server_address[1])
    server.serve_forever()


def _serve_functions(port_out: Any) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    from app import app
    from devstack.lambdas import LambdaService

    service = LambdaService(app, "dev")
    service.start()
    port_out.send(service.url)
    while True:
        time.sleep(3600)


def _started(target: Any, *args: Any) -> tuple[Any, Any]:
    answers, child_end = SPAWN.Pipe(duplex=False)
    process = SPAWN.Process(target=target, args=(child_end, *args), daemon=True)
    process.start()
    return process, answers.recv()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()

    os.environ.update(ENVIRONMENT)
    posts = SPAWN.Value("q", 0)
    management, port = _started(_serve_management, posts)
    os.environ["MARQUEE_WEBSOCKET_ENDPOINT"] = f"http://127.0.0.1:{port}"
    functions, lambda_url = _started(_serve_functions)
    os.environ["AWS_ENDPOINT_URL_LAMBDA"] = lambda_url

    from chalicelib.config import settings
    from chalicelib.realtime.connections import Connection
    from chalicelib.realtime.fanout import broadcast

    endpoint = "https://bench.invalid/api"
    audience = [Connection("EVENT#bench", f"{n:015d}=", endpoint) for n in range(args.connections)]
    conditions = {
        "one page (the caller posts all)": args.connections,
        f"pages of {args.page_size}": args.page_size,
    }
    caller: dict[str, list[float]] = {name: [] for name in conditions}
    everyone: dict[str, list[float]] = {name: [] for name in conditions}
    for round_number in range(args.rounds + 1):
        for name, page_size in conditions.items():
            os.environ["MARQUEE_FAN_OUT_PAGE_SIZE"] = str(page_size)
            settings.cache_clear()
            with posts.get_lock():
                posts.value = 0
            started = time.perf_counter()
            reached = broadcast(audience, MESSAGE)
            returned = time.perf_counter()
            deadline = returned + 120
            while posts.value < args.connections and time.perf_counter() < deadline:
                time.sleep(0.001)
            arrived = time.perf_counter()
            if reached != args.connections or posts.value != args.connections:
                told = f"reached {reached}, {posts.value} posts arrived"
                raise SystemExit(f"{name}: {told} of {args.connections}")
            if round_number:
                caller[name].append((returned - started) * 1000)
                everyone[name].append((arrived - started) * 1000)
    management.terminate()
    functions.terminate()

    print(f"{args.connections} connections, {args.rounds} rounds (after a warm-up), medians:")
    print(f"{'condition':<36}{'caller ms':>12}{'all told ms':>14}")
    for name in conditions:
        print(f"{name:<36}{statistics.median(caller[name]):>12.0f}{statistics.median(everyone[name]):>14.0f}")
    single, split = (statistics.median(caller[name]) for name in conditions)
    print(f"the caller's time, one page / split: {single / split:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
