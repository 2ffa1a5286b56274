"""Periodic jobs of the local stack: what EventBridge schedules do once deployed.

A ``Scheduler`` owns its jobs and runs them on one background thread (jobs run one after another;
a failing job is logged and runs again at its next time). Each stack has its own, so nothing
registered by one stack (or test) reaches another. Two ways in:

* ``scheduler.every(seconds, fn, name=None)``: register any callable, e.g. from devstack code::

      scheduler.every(60, sweep_expired_orders)

  Before or after ``start()``; a job first runs one interval after it is registered.
* The app's own ``@app.schedule(Rate(...))`` / ``"rate(1 minute)"`` handlers are found and run at
  their rate with a CloudWatch-shaped scheduled event (``scheduler.register_app_schedules``, called
  by the stack on start). Cron expressions are not run locally (logged once).
"""

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger("devstack.schedule")

_UNIT_SECONDS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")


@dataclass
class Job:
    interval: float
    fn: Callable[[], Any]
    name: str
    next_run: float = field(default=0.0)


def rate_seconds(expression: Any) -> int | None:
    """Seconds of a Chalice ``Rate`` or a ``rate(...)`` string; None for cron."""
    text = expression.to_string() if hasattr(expression, "to_string") else str(expression)
    match = _RATE.match(text.strip())
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)] if match else None


class Scheduler:
    def __init__(self, tick: float = 1.0) -> None:
        self._tick = tick
        self._jobs: list[Job] = []
        self._jobs_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def every(self, seconds: float, fn: Callable[[], Any], name: str | None = None) -> Callable[[], Any]:
        """Run ``fn()`` every ``seconds`` while this scheduler runs. Returns ``fn``."""
        if seconds <= 0:
            raise ValueError("the interval must be positive")
        job = Job(seconds, fn, name or getattr(fn, "__name__", repr(fn)), time.monotonic() + seconds)
        with self._jobs_lock:
            self._jobs.append(job)
        return fn

    def jobs(self) -> list[Job]:
        with self._jobs_lock:
            return list(self._jobs)

    def register_app_schedules(self, app: Any, region: str, account_id: str = "123456789012") -> list[str]:
        """Register every ``@app.schedule`` handler of a Chalice app; returns their names."""
        from chalice.app import ScheduledEventConfig
        from chalice.local import LambdaContext

        registered = []
        for source in app.event_sources:
            if not isinstance(source, ScheduledEventConfig):
                continue
            seconds = rate_seconds(source.schedule_expression)
            if seconds is None:
                logger.info("schedule %s: cron expressions are not run by the local stack", source.name)
                continue
            handler = app.handler_map[source.name]

            def run(handler: Any = handler, name: str = source.name) -> Any:
                event = {
                    "version": "0",
                    "id": str(uuid.uuid4()),
                    "detail-type": "Scheduled Event",
                    "source": "aws.events",
                    "account": account_id,
                    "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "region": region,
                    "resources": [f"arn:aws:events:{region}:{account_id}:rule/{name}"],
                    "detail": {},
                }
                return handler(event, LambdaContext(name, 128, 60_000))

            self.every(seconds, run, name=source.name)
            registered.append(source.name)
        return registered

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._tick):
            for job in self.jobs():
                if self._stop.is_set() or time.monotonic() < job.next_run:
                    continue
                job.next_run = time.monotonic() + job.interval
                try:
                    job.fn()
                except Exception:
                    logger.exception("scheduled job %s failed", job.name)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
