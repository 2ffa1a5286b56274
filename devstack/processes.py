"""The stack's processes: the log format they share, and how the parts that run in processes of
their own (the WebSocket gateway and the stream functions, services of their own deployed) are
spawned, asked to stop and begin."""

import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

SPAWN = multiprocessing.get_context("spawn")
QUIET_LOGGERS = ("werkzeug", "botocore", "boto3", "urllib3", "pynamodb", "websockets")
# Deployed, the gateway and the stream functions never take CPU from a request's Lambda; here they
# share the machine's cores with the process serving requests, which comes first when it is short.
BACKGROUND_NICENESS = 10


def configure_logging(level: str) -> None:
    """Every process of the stack logs lines on stdout, as ``HH:MM:SS LEVEL logger: message``."""
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-5s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class ChildProcess:
    """A spawned process running ``target(*args, stop)``, ``stop`` an Event it ends on. It inherits
    the stack's environment as it is when ``process.start()`` runs."""

    def __init__(self, name: str, target: Callable[..., None], args: tuple[Any, ...], grace: float) -> None:
        self._stop = SPAWN.Event()
        self._grace = grace
        self.process = SPAWN.Process(target=target, args=(*args, self._stop), name=name, daemon=True)

    def stop(self) -> None:
        """Asks it to end and waits ``grace`` seconds for it to finish its work before ending it."""
        self._stop.set()
        self.process.join(timeout=self._grace)
        if self.process.is_alive():
            self.process.terminate()


def begin_child(log_level: str) -> None:
    """The first thing a child does. Ctrl-C reaches the whole process group: the stack, not the
    child, decides when it stops (in its turn, before the final save)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(BACKGROUND_NICENESS)
    configure_logging(log_level)


def wait_for_stop(stop: Any) -> None:
    """In a child: returns once the stack asks it to stop, or has died (leaving no child behind)."""
    stack = os.getppid()
    while not stop.wait(1) and os.getppid() == stack:
        pass
