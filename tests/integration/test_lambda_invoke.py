"""The local stack's Lambda Invoke API (devstack/lambdas.py), through the real boto3 ``lambda``
client the app invokes its fan-out function with: asynchronous invocations answer 202 and run
(retried twice, as Lambda does, when they raise), synchronous ones answer the function's result or
its error, and the errors Lambda gives for an unknown function, a payload too large or not JSON."""

import json
import queue
import threading
import time
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from chalice import Chalice

from devstack.lambdas import ASYNC_PAYLOAD_LIMIT, LambdaService

pytestmark = pytest.mark.integration

STAGE = "test"


def _app(ran: "queue.Queue[tuple[str, object]]") -> Chalice:
    app = Chalice(app_name="marquee")
    attempts = {"flaky": 0}
    lock = threading.Lock()

    @app.lambda_function(name="echo")
    def echo(event, context):
        return {"event": event, "function": context.function_name}

    @app.lambda_function(name="record")
    def record(event, context):
        ran.put(("record", event))

    @app.lambda_function(name="flaky")
    def flaky(event, context):
        with lock:
            attempts["flaky"] += 1
            attempt = attempts["flaky"]
        ran.put(("flaky", attempt))
        if attempt < 3:
            raise RuntimeError(f"attempt {attempt} fails")

    @app.lambda_function(name="broken")
    def broken(event, context):
        ran.put(("broken", event))
        raise ValueError("the function's own error")

    @app.route("/")
    def index():
        return {}

    return app


@pytest.fixture
def ran() -> "queue.Queue[tuple[str, object]]":
    return queue.Queue()


@pytest.fixture
def service(ran) -> Iterator[LambdaService]:
    running = LambdaService(_app(ran), STAGE, retry_delays=(0.05, 0.05))
    running.start()
    yield running
    running.stop()


@pytest.fixture
def lambda_client(service: LambdaService):
    return boto3.session.Session().client(
        "lambda",
        endpoint_url=service.url,
        region_name="us-east-1",
        aws_access_key_id="devstack",
        aws_secret_access_key="devstack",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def test_an_asynchronous_invocation_is_accepted_at_once_and_runs(lambda_client, ran) -> None:
    answer = lambda_client.invoke(
        FunctionName="marquee-test-record", InvocationType="Event", Payload=json.dumps({"page": 3}).encode()
    )

    assert answer["StatusCode"] == 202
    assert ran.get(timeout=5) == ("record", {"page": 3})


def test_a_synchronous_invocation_answers_the_functions_result_by_name_or_arn(lambda_client) -> None:
    for name in ("marquee-test-echo", "arn:aws:lambda:us-east-1:123456789012:function:marquee-test-echo"):
        answer = lambda_client.invoke(FunctionName=name, Payload=b'{"n": 1}')

        assert answer["StatusCode"] == 200
        assert "FunctionError" not in answer
        assert json.loads(answer["Payload"].read()) == {"event": {"n": 1}, "function": "marquee-test-echo"}


def test_a_function_that_raises_answers_its_error_synchronously(lambda_client) -> None:
    answer = lambda_client.invoke(FunctionName="marquee-test-broken", Payload=b"{}")

    assert answer["StatusCode"] == 200
    assert answer["FunctionError"] == "Unhandled"
    assert json.loads(answer["Payload"].read()) == {
        "errorMessage": "the function's own error",
        "errorType": "ValueError",
    }


def test_an_asynchronous_invocation_that_raises_runs_twice_more_then_no_more(lambda_client, ran) -> None:
    lambda_client.invoke(FunctionName="marquee-test-flaky", InvocationType="Event", Payload=b"{}")
    assert [ran.get(timeout=5) for _ in range(3)] == [("flaky", 1), ("flaky", 2), ("flaky", 3)]

    lambda_client.invoke(FunctionName="marquee-test-broken", InvocationType="Event", Payload=b'{"x": 1}')
    assert [ran.get(timeout=5) for _ in range(3)] == [("broken", {"x": 1})] * 3
    time.sleep(0.5)
    assert ran.empty()


def test_lambdas_refusals(lambda_client) -> None:
    errors = lambda_client.exceptions
    with pytest.raises(errors.ResourceNotFoundException):
        lambda_client.invoke(FunctionName="marquee-prod-echo", InvocationType="Event", Payload=b"{}")
    with pytest.raises(errors.ResourceNotFoundException):
        lambda_client.invoke(FunctionName="marquee-test-index", Payload=b"{}")
    with pytest.raises(errors.RequestTooLargeException):
        lambda_client.invoke(
            FunctionName="marquee-test-record",
            InvocationType="Event",
            Payload=json.dumps({"pad": "x" * ASYNC_PAYLOAD_LIMIT}).encode(),
        )
    with pytest.raises(errors.InvalidRequestContentException):
        lambda_client.invoke(FunctionName="marquee-test-record", InvocationType="Event", Payload=b"{not json")
    dry_run = lambda_client.invoke(FunctionName="marquee-test-echo", InvocationType="DryRun")
    assert dry_run["StatusCode"] == 204


def test_the_apps_fan_out_function_is_served_under_its_deployed_name() -> None:
    from app import app

    service = LambdaService(app, STAGE)
    service.start()
    try:
        assert service.invoke("marquee-test-fan_out", "DryRun", b"{}")[0] == 204
    finally:
        service.stop()
