"""304 revalidation vs full 200 GET of an event's sessions (500 of them), in-process.

The ETag comes from the version counters on the event item, so a matching If-None-Match is
answered after the access BatchGetItem, without querying or serializing the sessions. This
prints, side by side in one run, the handler time of each (median of interleaved runs), their
ratio (goal <= 0.2) and the DynamoDB calls each makes.

    .venv/bin/python bench/etag_bench.py [--sessions 500] [--runs 30]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

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

from botocore.client import BaseClient
from chalice.test import Client
from moto import mock_aws

dynamodb_calls: list[str] = []
_original_call = BaseClient._make_api_call


def _counting_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    if client.meta.service_model.service_name == "dynamodb":
        dynamodb_calls.append(operation)
    return _original_call(client, operation, params)


def _seed(sessions: int) -> tuple[str, str]:
    from chalicelib.http.tokens import issue_token
    from chalicelib.store import events, services
    from chalicelib.store.access import load_event_record
    from chalicelib.store.provision import provision
    from chalicelib.store.users import create_user

    provision(report=lambda _line: None)
    user = create_user({"email": "bench@example.com", "password": "bench password", "name": "Bench"})
    event = events.create_event(
        {
            "name": "Benchmark conference",
            "starts_at": "2027-05-01T09:00:00+00:00",
            "ends_at": "2027-05-05T18:00:00+00:00",
            "timezone": "UTC",
        },
        user.user_id,
    )
    for index in range(sessions):
        current = load_event_record(event.event_id, None).event
        services.create_item(
            current,
            "session",
            {
                "title": f"Session {index}: on revalidation without work",
                "abstract": "A talk about caches. " * 20,
                "starts_at": f"2027-05-0{1 + index % 4}T{9 + index % 8:02d}:00:00+00:00",
                "ends_at": f"2027-05-0{1 + index % 4}T{9 + index % 8:02d}:45:00+00:00",
            },
        )
    return issue_token(user.user_id, 0), event.event_id


def _timed_get(client: Client, path: str, headers: dict[str, str]) -> tuple[float, int, int]:
    dynamodb_calls.clear()
    start = time.perf_counter()
    response = client.http.get(path, headers=headers)
    elapsed = time.perf_counter() - start
    return elapsed, response.status_code, len(dynamodb_calls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    with mock_aws():
        BaseClient._make_api_call = _counting_call
        token, event_id = _seed(args.sessions)
        from app import app

        path = f"/events/{event_id}/sessions"
        auth = {"Authorization": f"Bearer {token}"}
        with Client(app) as client:
            warm = client.http.get(path, headers=auth)
            assert warm.status_code == 200, warm.body
            etag = warm.headers["ETag"]
            full_times, revalidation_times = [], []
            full_calls = revalidation_calls = 0
            for _ in range(args.runs):  # interleaved so machine noise hits both alike
                elapsed, status, full_calls = _timed_get(client, path, auth)
                assert status == 200
                full_times.append(elapsed)
                elapsed, status, revalidation_calls = _timed_get(
                    client, path, {**auth, "If-None-Match": etag}
                )
                assert status == 304
                revalidation_times.append(elapsed)
        BaseClient._make_api_call = _original_call

    full, revalidation = statistics.median(full_times), statistics.median(revalidation_times)
    print(f"event with {args.sessions} sessions, {args.runs} interleaved runs, moto in-process")
    print(f"{'request':<28}{'median ms':>10}{'DynamoDB calls':>16}")
    print(f"{'GET 200 (full body)':<28}{full * 1000:>10.1f}{full_calls:>16}")
    print(f"{'GET 304 (If-None-Match)':<28}{revalidation * 1000:>10.1f}{revalidation_calls:>16}")
    print(f"ratio 304 / 200: {revalidation / full:.3f} (goal <= 0.2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
