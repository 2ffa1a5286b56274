"""POST /auth/password-reset for a registered vs an unknown address, in-process (moto), side by
side: the answer must not tell them apart, so their handler times should be alike (goal: ratio
within 0.8-1.25). Since #20 both only count the limits and store a request item; the link is
minted and mailed by the events table's stream function, timed here apart (after each pair, off
the requests' clock: the registered address's mail, the unknown one's account lookup).

    .venv/bin/python bench/reset_bench.py [--runs 200]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "MARQUEE_STAGE": "bench",
        "MARQUEE_JWT_SECRET": "bench-secret-bench-secret-bench-secret!",
        "MARQUEE_ARGON2_TIME_COST": "1",
        "MARQUEE_ARGON2_MEMORY_KIB": "1024",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from chalice.local import LambdaEventConverter
from chalice.test import Client
from moto import mock_aws

from devstack.streams import StreamPoller


def _timed(client: Client, email: str, number: int) -> float:
    # A network of its own per request and a fresh address per run: no limit is reached.
    LambdaEventConverter.LOCAL_SOURCE_IP = f"10.{number // 65536}.{number // 256 % 256}.{number % 256}"
    start = time.perf_counter()
    response = client.http.post(
        "/auth/password-reset", headers={"Content-Type": "application/json"}, body=f'{{"email": "{email}"}}'
    )
    elapsed = time.perf_counter() - start
    assert response.status_code == 202, response.body
    return elapsed


def ses_sent() -> list:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    with mock_aws():
        from chalicelib.store.provision import provision
        from chalicelib.store.users import create_user

        provision(report=lambda _line: None)
        for name in ["warm-known", *(f"known{index}" for index in range(args.runs // 5 + 1))]:
            create_user({"email": f"{name}@example.com", "password": "bench password", "name": "Bench"})
        from app import app

        known_times, unknown_times, stream_times = [], [], []
        stream = StreamPoller(app, "us-east-1")
        stream.skip_existing()
        with Client(app) as client:
            _timed(client, "warm@example.com", 0)
            _timed(client, "warm-known@example.com", 1)
            stream.run_pending()
            for run in range(args.runs):  # interleaved so machine noise hits both alike
                # Five requests per known address (its hourly limit), a new unknown one each time.
                known_times.append(_timed(client, f"known{run // 5}@example.com", 2 * run + 2))
                unknown_times.append(_timed(client, f"unknown{run}@example.com", 2 * run + 3))
                start = time.perf_counter()
                stream.run_pending()
                stream_times.append(time.perf_counter() - start)
            mailed = len(ses_sent())

    known, unknown = statistics.median(known_times), statistics.median(unknown_times)
    print(f"POST /auth/password-reset, {args.runs} interleaved pairs, moto in-process")
    print(f"{'address':<24}{'median ms':>10}{'p90 ms':>10}")
    for name, times in (("registered", known_times), ("unknown", unknown_times)):
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{name:<24}{statistics.median(times) * 1000:>10.2f}{p90 * 1000:>10.2f}")
    difference = (known - unknown) * 1000
    print(f"ratio registered / unknown: {known / unknown:.3f}; difference {difference:.2f} ms")
    stream_median = statistics.median(stream_times) * 1000
    print(f"stream function per pair (one mail, one lookup): median {stream_median:.2f} ms; {mailed} mails")
    return 0


if __name__ == "__main__":
    sys.exit(main())
