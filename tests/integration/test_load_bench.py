"""bench/load_bench.py stays working: a short run against the local stack ends by itself with a
clean verdict, and its checks do catch a write that was acknowledged but is not stored, a version
counter that moved by other than the acknowledged writes, and an order nobody was told about."""

import importlib.util
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH = REPO_ROOT / "bench" / "load_bench.py"


def _bench_module():
    spec = importlib.util.spec_from_file_location("load_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_bench"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_a_short_run_is_clean_and_stops_by_itself(shared_local_stack, tmp_path):
    stack = shared_local_stack
    report_path = tmp_path / "report.json"
    command = [sys.executable, str(BENCH), "--api", stack.api_url, "--aws-endpoint", stack.aws_endpoint]
    command += [
        "--clients",
        "4",
        "--duration",
        "4",
        "--events",
        "2",
        "--quantity",
        "6",
        "--json-out",
        str(report_path),
    ]
    run = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=150)

    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(report_path.read_text())
    assert report["consistent"], report["problems"]
    assert report["problems"] == []
    assert report["requests"] > 0
    assert report["duration_s"] < 4 + 15  # the deadline plus at most one request's timeout
    assert report["orders_acknowledged"] >= 1
    kinds = report["kinds"]
    assert sum(kinds[k]["statuses"].get("200", 0) + kinds[k]["statuses"].get("201", 0) for k in kinds) > 0
    assert not [status for status in report["errors"] if status.startswith("5")]
    assert "consistency: OK" in run.stdout


def test_the_checks_catch_lost_writes_and_unknown_orders(shared_local_stack):
    bench = _bench_module()
    stack = shared_local_stack
    organizer, buyers, ledger = bench.Setup(stack.api_url).build(events=2, buyers=1, quantity=5)

    def problems() -> list[str]:
        verifier = bench.Verifier(stack.api_url, organizer, buyers, ledger, stack.aws_endpoint)
        verifier.run()
        assert verifier.checks > 10
        return verifier.problems

    assert problems() == []
    busy = next(e for e in ledger.events.values() if not e.quiet and not e.shop)
    shop = next(e for e in ledger.events.values() if e.shop)

    # Acknowledged after every other write, but never written.
    moment = time.monotonic()
    busy.descriptions.append(bench.Ack(10_000, "a description the stack never stored", moment, moment))
    found = problems()
    assert any("description" in p and busy.event_id in p for p in found), found
    busy.descriptions.pop()
    session_id = busy.session_ids[0]
    busy.titles[session_id].append(bench.Ack(7, "a title the stack never stored", moment, moment))
    found = problems()
    assert any(f"session {session_id}: title" in p for p in found), found
    busy.titles[session_id].pop()

    # A write counted that the sessions counter does not show.
    busy.writes["sessions_ver"] += 1
    assert any("sessions_ver moved by 0 for 1 acknowledged" in p for p in problems())
    busy.writes["sessions_ver"] -= 1

    # An order placed behind the ledger's back: neither acknowledged nor counted.
    ticket = shop.ticket_ids[0]
    placed = requests.post(
        f"{stack.api_url}/events/{shop.event_id}/orders",
        json={"items": [{"ticket_id": ticket, "quantity": 1}]},
        headers={"Authorization": f"Bearer {buyers[0]}", "Idempotency-Key": uuid.uuid4().hex},
        timeout=30,
    )
    assert placed.status_code == 201, placed.text
    found = problems()
    assert any("orders nobody was told were placed" in p for p in found), found
    assert any("tickets_ver moved by 1 for 0 acknowledged" in p for p in found), found

    # Told about, counted: clean again.
    order = placed.json()
    ledger.orders[order["id"]] = bench.Order(
        order["id"], 0, "k", [{"ticket_id": ticket, "quantity": 1}], "pending"
    )
    shop.writes["tickets_ver"] += 1
    assert problems() == []

    # Acknowledged as cancelled, but still pending.
    ledger.orders[order["id"]].status = "cancelled"
    assert any("status pending, acknowledged cancelled" in p for p in problems())
