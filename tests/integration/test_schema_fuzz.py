"""Schema fuzzing: schemathesis drives every operation of the served OpenAPI document against the
real local stack, signed in as an organizer who owns a published event with tickets, the five
services, a second member, a pending order, an invite and a notification.

Path parameters are the generated values, ids of those real resources (filled in just before the
call; a DELETE gets a fresh resource so the shared ones survive), or a mix of both; body fields
that refer to other items (ticket_id, track_id, speaker_ids...) point at real ones some of the
time too. Every response must be a non-5xx that the document allows: a documented status, the
documented content type and a body valid against the documented schema.

A second test sends bodies schemathesis never generates (nested too deeply, lone UTF-16
surrogates, NaN, not UTF-8...) to every operation that reads one.

Bounds: MAX_EXAMPLES fuzzed cases per operation plus schemathesis's coverage cases, no shrinking,
two workers; the engine is stopped after TIME_BOUND seconds (about 3 minutes are needed on two
cores) and whatever ran is still checked, which must be at least MIN_TESTED_WHEN_STOPPED of the
operations. The stack is this test's own (its own DATA_DIR), so the login and invite rate limits
the fuzzer runs into touch no other test."""

import ast
import contextlib
import itertools
import math
import os
import re
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.engine import events

# FUZZ_MAX_EXAMPLES=200 FUZZ_TIME_BOUND=3000 for a deeper local run; FUZZ_SEED=<printed seed> to
# generate a failed run's cases again (the stack's own ids differ, the drawn data does not).
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES") or 20)
TIME_BOUND = int(os.environ.get("FUZZ_TIME_BOUND") or 420)
WORKERS = 2
# A run the time bound stops must still have tested this share of the operations.
MIN_TESTED_WHEN_STOPPED = 0.75

pytestmark = [pytest.mark.integration, pytest.mark.timeout(TIME_BOUND + 120)]

CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)
# A value drawn as this (or "REAL:<collection>" in a body) becomes a real id just before the call.
REAL = "\x00real"
# Body fields that refer to other items of the event, and the collection they refer to.
BODY_REFERENCES = {
    "ticket_id": "tickets",
    "track_id": "tracks",
    "microlocation_id": "microlocations",
    "speaker_ids": "speakers",
}
# The engine phases that can draw ids captured from earlier calls (see _config).
REUSING_PHASES = ("examples", "coverage", "fuzzing")
# Operations that end the caller's session run as a throwaway user.
SESSION_ENDING = {("POST", "/auth/logout"), ("POST", "/auth/password")}
EVENT = {
    "name": "Fuzz Conf",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-03T18:00:00+02:00",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
}
SERVICE_BODIES: dict[str, Callable[[int], dict[str, Any]]] = {
    "tracks": lambda n: {"name": f"Track {n}", "color": "#336699"},
    "speakers": lambda n: {"name": f"Speaker {n}", "email": "speaker@example.com"},
    "sponsors": lambda n: {"name": f"Sponsor {n}", "url": "https://example.com"},
    "microlocations": lambda n: {"name": f"Room {n}", "floor": 1},
    "sessions": lambda n: {
        "title": f"Session {n}",
        "starts_at": "2027-05-01T10:00:00+02:00",
        "ends_at": "2027-05-01T11:00:00+02:00",
    },
}


@pytest.fixture
def local_stack(local_stack_factory: Any) -> Any:
    """This test's own stack, with daily limits on new events and invites no fuzz run reaches:
    its one organizer creates an event for every fuzzed POST /events and DELETE of one."""
    return local_stack_factory(
        env={
            "SUPERADMIN_EMAIL": "root@example.com",
            "SUPERADMIN_PASSWORD": "root-password-1",
            "MARQUEE_EVENTS_PER_USER_PER_DAY": "100000",
            "MARQUEE_INVITES_PER_USER_PER_DAY": "100000",
        }
    )


@dataclass
class World:
    """The organizer and the real resources the fuzzer may address; replenished when used up."""

    stack: Any
    organizer: str = ""
    organizer_id: str = ""
    helper: str = ""
    member_id: str = ""
    event_id: str = ""
    paid_ticket_id: str = ""
    # A completed order, whose attendees the attendee routes address.
    completed_order_id: str = ""
    # Events made for a fuzzed DELETE /events/{event_id} to remove.
    disposable_events: set[str] = field(default_factory=set)
    counter: itertools.count = field(default_factory=itertools.count)
    # The engine's workers fill in real values concurrently: one at a time, or two could both
    # find the member gone and invite a new one.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        response = self.stack.api(method, path, body, token=token or self.organizer)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    # -- setup ---------------------------------------------------------------------------------

    def build(self) -> "World":
        self.organizer = self.stack.signup(self.stack.unique_email("organizer"), name="Fuzz Organizer")
        self.organizer_id = self.call("GET", "/me")["id"]
        self.helper = self.stack.signup(self.stack.unique_email("helper"), name="Other Organizer")
        self.event_id = self.new_event()
        self.new_ticket("free")
        self.paid_ticket_id = self.new_ticket("paid")
        items = {collection: self.new_item(collection) for collection in SERVICE_BODIES}
        self.call(
            "PATCH",
            f"/events/{self.event_id}/sessions/{items['sessions']}",
            {
                "track_id": items["tracks"],
                "microlocation_id": items["microlocations"],
                "speaker_ids": [items["speakers"]],
            },
        )
        self.ensure_published()
        self.ensure_member()
        self.pending_order()
        self.pending_invite()
        return self

    def new_event(self) -> str:
        return str(self.call("POST", "/events", EVENT)["id"])

    def new_ticket(self, kind: str = "free") -> str:
        def body() -> dict[str, Any]:
            fields = {"name": f"Ticket {next(self.counter)}", "type": kind, "quantity": 1000, "max_order": 5}
            return {**fields, "price": "12.50"} if kind == "paid" else fields

        return self.create("tickets", body)

    def new_item(self, collection: str) -> str:
        return self.create(collection, lambda: SERVICE_BODIES[collection](next(self.counter)))

    def create(self, collection: str, body: Callable[[], dict[str, Any]]) -> str:
        """A new item of the event; if the fuzzer left the event unable to take it (moved its
        dates, say), the event is put back first."""
        for attempt in range(2):
            created = self.stack.api(
                "POST", f"/events/{self.event_id}/{collection}", body(), token=self.organizer
            )
            if created.status_code == 201:
                return str(created.json()["id"])
            if attempt == 0:
                self.restore_event()
        raise AssertionError(f"POST {collection}: {created.status_code} {created.text}")

    def restore_event(self) -> None:
        """The event's original dates, published; a new event if even that is refused."""
        fields = {"starts_at": EVENT["starts_at"], "ends_at": EVENT["ends_at"], "state": "published"}
        restored = self.stack.api("PATCH", f"/events/{self.event_id}", fields, token=self.organizer)
        if restored.status_code != 200:
            self.event_id = self.new_event()
            self.call("PATCH", f"/events/{self.event_id}", {"state": "published"})

    # -- the shared resources, as they are now ----------------------------------------------------

    def ticket(self) -> str:
        found = self.call("GET", f"/events/{self.event_id}/tickets")
        return str(found[0]["id"]) if found else self.new_ticket()

    def item(self, collection: str) -> str:
        found = self.call("GET", f"/events/{self.event_id}/{collection}")
        return str(found[0]["id"]) if found else self.new_item(collection)

    def ensure_published(self) -> None:
        """Orders and the public page need the event published (a fuzzed PATCH may have unpublished it)."""
        if self.call("GET", f"/events/{self.event_id}")["state"] != "published":
            self.call("PATCH", f"/events/{self.event_id}", {"state": "published"})

    def ensure_member(self) -> str:
        """A coorganizer besides the organizer (invited again after a fuzzed DELETE removed them)."""
        for role in self.call("GET", f"/events/{self.event_id}/roles"):
            if role["user"]["id"] != self.organizer_id:
                self.member_id = role["user"]["id"]
                return self.member_id
        email = self.stack.unique_email("member")
        member = self.stack.signup(email, name="Member")
        invited = self.stack.api(
            "POST",
            f"/events/{self.event_id}/invites",
            {"email": email, "role": "coorganizer"},
            token=self.organizer,
        )
        if invited.status_code == 429:  # the fuzzer spent the event's invites for this hour
            return self.organizer_id
        assert invited.status_code == 201, invited.text
        token = self.stack.invite_token(invited.json()["id"])
        self.call("POST", f"/invites/{token}/accept", token=member)
        self.member_id = self.call("GET", "/me", token=member)["id"]
        return self.member_id

    def pending_order(self) -> str:
        self.ensure_published()
        found = self.call("GET", f"/events/{self.event_id}/orders?status=pending")
        if found:
            return str(found[0]["id"])
        # The fuzzer may have hidden, sold out, closed or deleted the paid ticket (then a new one),
        # moved the event into the past (then the event is put back too), or asked required
        # checkout questions (then they go).
        refusal = ""
        for attempt, ticket_id in enumerate((self.paid_ticket_id, "", "")):
            if attempt == 2:
                self.restore_event()
            if "attendees" in refusal:
                self.call("PUT", f"/events/{self.event_id}/questions", {"questions": []})
                ticket_id = ticket_id or self.paid_ticket_id
            ticket_id = ticket_id or self.new_ticket("paid")
            placed = self.stack.api(
                "POST",
                f"/events/{self.event_id}/orders",
                {"items": [{"ticket_id": ticket_id, "quantity": 1}]},
                token=self.organizer,
                headers={"Idempotency-Key": uuid.uuid4().hex},
            )
            if placed.status_code == 201:
                self.paid_ticket_id = ticket_id
                return str(placed.json()["id"])
            refusal = placed.text
        raise AssertionError(f"no order could be placed: {placed.status_code} {placed.text}")

    def completed_order(self) -> str:
        """An order with an attendee: a pending order marked paid (once; a fuzzed cancel or refund
        revokes its attendee, which the routes still answer for)."""
        if not self.completed_order_id:
            order_id = self.pending_order()
            self.call("POST", f"/events/{self.event_id}/orders/{order_id}/mark-paid", {})
            self.completed_order_id = order_id
        return self.completed_order_id

    def code(self) -> str:
        """A code of the event (a new one when a fuzzed DELETE took the last)."""
        found = self.call("GET", f"/events/{self.event_id}/codes")
        if found:
            return str(found[0]["id"])
        made = self.call(
            "POST",
            f"/events/{self.event_id}/codes",
            {"code": f"FUZZ{uuid.uuid4().hex[:8]}", "unlocks_hidden": True},
        )
        return str(made["id"])

    def queue_id(self) -> str:
        """A number in the event's waiting room (switched on for it, then off again, so orders
        fuzzed afterwards need no admission)."""
        self.ensure_published()
        path = f"/events/{self.event_id}"
        self.call("PATCH", path, {"waiting_room": {"enabled": True, "admit_per_minute": 600}})
        try:
            return str(self.call("POST", f"/public{path}/queue")["queue_id"])
        finally:
            self.call("PATCH", path, {"waiting_room": {"enabled": False, "admit_per_minute": 600}})

    def pending_invite(self) -> str:
        """An invite to the organizer from another organizer's event (with its notification)."""
        found = self.call("GET", "/me/invites")
        if found:
            return self.stack.invite_token(found[0]["id"])
        helper_event = self.call("POST", "/events", EVENT, token=self.helper)["id"]
        invite = {"email": self.call("GET", "/me")["email"], "role": "moderator"}
        sent = self.call("POST", f"/events/{helper_event}/invites", invite, token=self.helper)
        return self.stack.invite_token(sent["id"])

    def notification(self) -> str:
        found = self.call("GET", "/notifications")
        if not found:
            self.pending_invite()
            found = self.call("GET", "/notifications")
        return str(found[0]["id"])

    # -- what a value drawn as REAL becomes -------------------------------------------------------

    def real(self, method: str, path: str, name: str) -> str:
        destructive = method == "DELETE"
        collection = path.split("/")[3] if path.startswith("/events/{event_id}/") else ""
        if name == "event_id":
            if destructive and path == "/events/{event_id}":
                disposable = self.new_event()
                self.disposable_events.add(disposable)
                return disposable
            if path.startswith(("/events/{event_id}/orders", "/public/")):
                self.ensure_published()
            return self.event_id
        if name == "ticket_id":
            return self.new_ticket() if destructive else self.ticket()
        if name == "item_id":
            return self.new_item(collection) if destructive else self.item(collection)
        if name == "user_id":
            return self.organizer_id if path.startswith("/admin/") else self.ensure_member()
        if name == "order_id":
            return self.completed_order() if "/attendees" in path else self.pending_order()
        if name == "attendee_id":
            return f"{self.completed_order()}-1"
        if name == "code_id":
            return self.code()
        if name == "token":
            return self.pending_invite()
        if name == "notification_id":
            return self.notification()
        if name == "secret":
            # The SES notification route's path secret: the stack configures none, so it answers 404.
            return "not-the-configured-secret"
        if name == "queue_id":
            return self.queue_id()
        raise AssertionError(f"no real value for {{{name}}} in {method} {path}")

    def resolve(self, value: Any) -> Any:
        """``value`` with every real reference drawn into a body replaced by a real id."""
        if isinstance(value, dict):
            return {key: self.resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, str) and value.startswith(REAL + ":"):
            collection = value.split(":", 1)[1]
            return self.ticket() if collection == "tickets" else self.item(collection)
        return value


# -- generation hooks ----------------------------------------------------------------------------


def _real_or_generated(context: Any, path_parameters: dict[str, Any]) -> Any:
    """The generated path parameters, all of them REAL, or each one either (a real id next to a
    made-up one: a real ticket of an unknown event...)."""
    if not path_parameters:
        return st.just(path_parameters)
    return st.one_of(
        st.just(path_parameters),
        st.just(dict.fromkeys(path_parameters, REAL)),
        st.fixed_dictionaries(
            {name: st.sampled_from([value, REAL]) for name, value in path_parameters.items()}
        ),
    )


def _reference_fields(operation: Any) -> dict[str, str]:
    table = operation.method.upper() == "PUT" and operation.path == "/events/{event_id}/tickets"
    return {**BODY_REFERENCES, **({"id": "tickets"} if table else {})}


def _real_references(context: Any, body: Any) -> Any:
    """The generated body, or the same with some of its references to other items pointing at
    real ones (also the ``id`` of a row of the whole-table ticket save)."""
    fields = _reference_fields(context.operation)

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return st.fixed_dictionaries({key: member(key, item) for key, item in value.items()})
        if isinstance(value, list):
            return st.tuples(*(walk(item) for item in value)).map(list)
        return st.just(value)

    def member(key: str, value: Any) -> Any:
        collection = fields.get(key)
        if collection is None:
            return walk(value)
        real = f"{REAL}:{collection}"
        return st.sampled_from([value, [real] if isinstance(value, list) else real])

    return walk(body)


def _meant_for_real_resources(case: Any) -> bool:
    """Cases that skip the generation hooks: the schema's examples, and coverage cases about the
    body, query or headers. Sent to real resources, or every one of them would only meet a 404."""
    meta = case.meta
    if meta is None:
        return False
    if meta.phase.name == "examples":
        return True
    return meta.phase.name == "coverage" and getattr(meta.phase.data, "parameter_location", None) != "path"


def _references_to_real(operation: Any, value: Any) -> Any:
    """``value`` with its references to other items (see _real_references) all made REAL."""
    fields = _reference_fields(operation)
    if isinstance(value, dict):
        return {
            key: ([f"{REAL}:{fields[key]}"] if isinstance(item, list) else f"{REAL}:{fields[key]}")
            if key in fields
            else _references_to_real(operation, item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_references_to_real(operation, item) for item in value]
    return value


# -- the run ---------------------------------------------------------------------------------------


def _config(world: World) -> schemathesis.Config:
    seed = {"seed": int(os.environ["FUZZ_SEED"])} if os.environ.get("FUZZ_SEED") else {}
    return schemathesis.Config.from_dict(
        {
            **seed,
            "auth": {"openapi": {"bearer": {"bearer": world.organizer}}},
            "workers": WORKERS,
            "suppress-health-check": ["all"],
            "generation": {"max-examples": MAX_EXAMPLES, "no-shrink": True, "database": "none"},
            "phases": {
                "stateful": {"enabled": False},
                # Left on, the engine would reuse ids seen in earlier calls as "generated" values:
                # the shared event's (every filled-in call under /events/{event_id}/ names it)
                # sent to DELETE /events/{event_id}, past World.real's fresh event for a DELETE.
                # Real ids come from the World alone (REAL), which keeps the shared ones alive.
                **{phase: {"extra-data-sources": {"responses": False}} for phase in REUSING_PHASES},
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECK_NAMES}},
            "request-timeout": 30,
        }
    )


@dataclass
class Run:
    cases: dict[str, int] = field(default_factory=dict)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    findings: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    stop_reason: str = "not finished"

    def record(self, recorder: Any) -> None:
        label = recorder.label
        self.cases[label] = self.cases.get(label, 0) + len(recorder.cases)
        seen = self.statuses.setdefault(label, {})
        for interaction in recorder.interactions.values():
            if interaction.response is not None:
                code = interaction.response.status_code
                seen[code] = seen.get(code, 0) + 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.failure_info is not None:
                    kind, detail = self._describe(recorder, case_id, check)
                    self.findings.setdefault(kind, []).append(detail)

    @staticmethod
    def _describe(recorder: Any, case_id: str, check: Any) -> tuple[str, str]:
        """(what went wrong, one way to see it): failures with the same first part are one finding."""
        interaction = recorder.interactions.get(case_id)
        response = interaction.response if interaction else None
        failure = check.failure_info.failure
        status = response.status_code if response is not None else "no response"
        detail = [check.failure_info.code_sample]
        if interaction is not None:
            sent = interaction.request
            detail.append(f"sent: {sent.method} {sent.uri} {(sent.body or b'')[:300]!r}")
        if response is not None:
            detail.append(f"-> {response.status_code} {response.content[:300]!r}")
        if failure.message:
            detail.append(failure.message.strip()[:1500])
        return f"{recorder.label} [{check.name}] {failure.title} ({status})", "\n".join(detail)

    def report(self) -> str:
        return "\n\n".join(
            f"{kind} x{len(examples)}\n  " + examples[0].replace("\n", "\n  ")
            for kind, examples in self.findings.items()
        )

    def summary(self) -> str:
        lines = [f"{sum(self.cases.values())} cases over {len(self.cases)} operations ({self.stop_reason})"]
        lines += [f"  {label}: {dict(sorted(seen.items()))}" for label, seen in sorted(self.statuses.items())]
        return "\n".join(lines)


def _fill_in(case: Any, world: World) -> None:
    """Real ids where REAL was drawn (or the phase skips the hooks), a throwaway session where the
    operation would end the organizer's."""
    method = case.method.upper()
    explicit = _meant_for_real_resources(case)
    # New containers, never the drawn ones in place: a strategy may hand the same one out again.
    case.path_parameters = {
        name: world.real(method, case.path, name) if value == REAL or explicit else value
        for name, value in (case.path_parameters or {}).items()
    }
    if isinstance(case.body, dict | list):
        if explicit and case.meta.phase.name == "examples":
            case.body = _references_to_real(case.operation, case.body)
        case.body = world.resolve(case.body)
    if (method, case.path) in SESSION_ENDING:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {world.stack.signup()}"}


@contextlib.contextmanager
def _one_ast_parse_at_a_time() -> Iterator[None]:
    """CPython 3.11 keeps one AST recursion depth per interpreter, not per thread: two threads in
    ast.parse at once (Hypothesis reads lambdas' and modules' source while drawing, in every
    worker) can fail with "SystemError: AST constructor recursion depth mismatch". Generating
    cases calls ast.parse; the HTTP calls, the bulk of the run, stay concurrent."""
    original = ast.parse
    lock = threading.Lock()

    def parse(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(*args, **kwargs)

    ast.parse = parse
    try:
        yield
    finally:
        ast.parse = original


def _fuzz(schema: Any, world: World) -> Run:
    def before_call(context: Any, case: Any, kwargs: Any) -> None:
        with world.lock:
            _fill_in(case, world)

    run = Run()
    # before_call exists only as a global hook: registered for this run alone.
    schemathesis.hook("before_call")(before_call)
    stream = schemathesis.engine.from_schema(schema).execute()
    watchdog = threading.Timer(TIME_BOUND, stream.stop)
    watchdog.start()
    try:
        with _one_ast_parse_at_a_time():
            for event in stream:
                if isinstance(event, events.ScenarioFinished):
                    run.record(event.recorder)
                elif isinstance(event, events.NonFatalError):
                    run.errors.append(f"{event.label}: {event.info.format()}")
                elif isinstance(event, events.FatalError):
                    raise event.exception
                elif isinstance(event, events.EngineFinished):
                    run.stop_reason = str(event.stop_reason)
    finally:
        watchdog.cancel()
        schemathesis.hooks.GLOBAL_HOOK_DISPATCHER.unregister(before_call)
    return run


def test_every_operation_answers_as_documented(local_stack, tmp_path: Path) -> None:
    world = World(local_stack).build()
    config = _config(world)
    schema = schemathesis.openapi.from_url(f"{local_stack.api_url}/openapi.json", config=config)
    schema.hook("flatmap_path_parameters")(_real_or_generated)
    schema.hook("flatmap_body")(_real_references)
    operations = sum(1 for _ in schema.get_all_operations())

    started = time.monotonic()
    run = _fuzz(schema, world)
    elapsed = time.monotonic() - started

    print(f"schema fuzzing (FUZZ_SEED={config.seed}): {run.summary()}\nin {elapsed:.0f}s")
    (tmp_path / "fuzz-report.txt").write_text(run.report())
    assert not run.errors, "\n\n".join(run.errors)
    assert not run.findings, (
        f"{len(run.findings)} kinds of failure (FUZZ_SEED={config.seed}):\n\n{run.report()}"
    )
    tested = {label for label, count in run.cases.items() if count}
    if run.stop_reason == "interrupted":
        # The time bound stopped it (a machine busy with other work): what ran was checked, and
        # it must still have covered most of the document.
        warnings.warn(
            f"schema fuzzing stopped after {TIME_BOUND}s: {len(tested)} of {operations} operations tested",
            stacklevel=1,
        )
        required = math.ceil(MIN_TESTED_WHEN_STOPPED * operations)
        assert len(tested) >= required, (
            f"stopped after {TIME_BOUND}s with only {len(tested)} of {operations} operations tested "
            f"(at least {required} needed)"
        )
    else:
        assert len(tested) == operations, f"only {len(tested)} of {operations} tested ({run.stop_reason})"
    # The organizer's real resources were reached: most operations tested succeeded at least once.
    succeeded = {label for label, seen in run.statuses.items() if any(200 <= code < 300 for code in seen)}
    assert len(succeeded) > 0.8 * len(tested), sorted(tested - succeeded)


# Bodies schemathesis never generates (its text is valid Unicode, its JSON standard): every
# operation that reads a body must answer them with a documented 4xx in our error shape.
HOSTILE_BODIES = {
    "nested too deeply": b"[" * 100_000 + b"]" * 100_000,
    "lone surrogate": b'{"name": "\\ud800", "title": "\\udfff", "email": "a\\ud800@example.com"}',
    "NaN": b'{"name": NaN, "quantity": NaN, "latitude": NaN}',
    "Infinity": b'{"quantity": Infinity, "floor": -Infinity}',
    "integer of 5000 digits": b'{"quantity": ' + b"9" * 5000 + b"}",
    "not UTF-8": b'{"name": "\xff\xfe"}',
    "not an object": b'["name"]',
    "truncated": b'{"name": "a',
}


def test_hostile_bodies_get_a_documented_4xx(local_stack) -> None:
    world = World(local_stack).build()
    document = local_stack.api("GET", "/openapi.json").json()
    answered: dict[str, int] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" not in operation:
                continue
            if (method.upper(), path) in SESSION_ENDING:
                continue  # a body-less 4xx there proves nothing more than elsewhere
            params = {name: world.real(method.upper(), path, name) for name in re.findall(r"{(\w+)}", path)}
            url = path.format(**params)
            for kind, body in HOSTILE_BODIES.items():
                response = local_stack.session.request(
                    method.upper(),
                    f"{local_stack.api_url}{url}",
                    data=body,
                    headers={
                        "Authorization": f"Bearer {world.organizer}",
                        "Content-Type": "application/json",
                        "Idempotency-Key": uuid.uuid4().hex,
                    },
                    timeout=30,
                )
                where = f"{method.upper()} {path} with {kind}: {response.status_code} {response.text[:200]}"
                assert 400 <= response.status_code < 500, where
                assert str(response.status_code) in operation["responses"], where
                assert response.headers["Content-Type"].startswith("application/json"), where
                assert response.json()["error"]["code"], where
                answered[response.json()["error"]["code"]] = (
                    answered.get(response.json()["error"]["code"], 0) + 1
                )
    assert answered.get("malformed_json", 0) > 100, answered


def test_fuzzed_deletes_of_an_event_hit_only_made_up_or_disposable_ids(local_stack) -> None:
    """DELETE /events/{event_id} may meet a made-up id or an event the World made for that DELETE,
    never one whose id the engine picked up from another call (the shared event, which every
    filled-in call under /events/{event_id}/ names, or an event a fuzzed POST /events created)."""
    world = World(local_stack).build()
    schema = schemathesis.openapi.from_url(f"{local_stack.api_url}/openapi.json", config=_config(world))
    schema = schema.include(
        lambda ctx: (
            ctx.operation.path in ("/events", "/events/{event_id}")
            or (
                ctx.operation.method.upper() == "GET" and ctx.operation.path.startswith("/events/{event_id}/")
            )
        )
    )
    schema.hook("flatmap_path_parameters")(_real_or_generated)
    schema.hook("flatmap_body")(_real_references)
    deleted: list[str] = []

    def after_call(context: Any, case: Any, response: Any) -> None:
        if (case.method.upper(), case.path) == (
            "DELETE",
            "/events/{event_id}",
        ) and response.status_code == 204:
            deleted.append(case.path_parameters["event_id"])

    schemathesis.hook("after_call")(after_call)
    try:
        run = _fuzz(schema, world)
    finally:
        schemathesis.hooks.GLOBAL_HOOK_DISPATCHER.unregister(after_call)

    print(f"schema fuzzing of /events and /events/{{event_id}}: {run.summary()}\ndeleted: {deleted}")
    assert deleted, "no fuzzed DELETE /events/{event_id} deleted an event"
    assert set(deleted) <= world.disposable_events, (deleted, world.disposable_events)
    assert world.call("GET", f"/events/{world.event_id}")["id"] == world.event_id
