"""Structured JSON logs: one line per request carrying API Gateway's and Lambda's request ids,
errors logged with their stack under the same ids, and nothing of it sent to the client."""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice import Chalice

from chalicelib.http.errors import INTERNAL_ERROR_MESSAGE
from chalicelib.http.routing import ApiBlueprint
from chalicelib.log import FORMATTER, logger

SECRET_DETAIL = "table marquee-x exploded at row 42"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []
        self.setFormatter(FORMATTER)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def logs() -> Iterator[list[dict[str, Any]]]:
    handler = _Collect()
    target = logging.getLogger(logger.name)
    target.addHandler(handler)
    try:
        yield handler.lines
    finally:
        target.removeHandler(handler)


@dataclass
class LambdaContext:
    aws_request_id: str
    function_name: str = "marquee-test-APIHandler"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:marquee-test-APIHandler"


def _app() -> Chalice:
    app = Chalice(app_name="logging-test")
    bp = ApiBlueprint(__name__)

    @bp.route("/fine", public=True)
    def fine() -> dict:
        logging.getLogger("marquee.sample").info("inside the view")
        return {"ok": True}

    @bp.route("/broken", public=True)
    def broken() -> dict:
        raise RuntimeError(SECRET_DETAIL)

    app.register_blueprint(bp)
    return app


def _invoke(app: Chalice, path: str, request_id: str, lambda_id: str) -> dict[str, Any]:
    event = {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {"accept": "application/json"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "requestId": request_id,
            "resourcePath": path,
            "httpMethod": "GET",
            "path": f"/api{path}",
            "stage": "api",
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": None,
        "isBase64Encoded": False,
    }
    return app(event, LambdaContext(aws_request_id=lambda_id))


def test_every_request_logs_one_json_line_with_its_ids(logs: list[dict[str, Any]]) -> None:
    response = _invoke(_app(), "/fine", "apigw-1", "lambda-1")

    assert response["statusCode"] == 200
    inside, request = logs
    assert inside["message"] == "inside the view"
    assert request["message"] == "request"
    for line in (inside, request):
        assert line["service"] == "marquee"
        assert (line["request_id"], line["lambda_request_id"]) == ("apigw-1", "lambda-1")
    assert (request["method"], request["route"], request["status"]) == ("GET", "/fine", 200)
    assert request["duration_ms"] >= 0


def test_an_error_is_logged_with_its_stack_and_the_client_sees_only_a_generic_500(
    logs: list[dict[str, Any]],
) -> None:
    response = _invoke(_app(), "/broken", "apigw-2", "lambda-2")

    assert response["statusCode"] == 500
    assert json.loads(response["body"]) == {
        "error": {"code": "internal_error", "message": INTERNAL_ERROR_MESSAGE, "details": {}}
    }
    assert SECRET_DETAIL not in json.dumps(response) and "Traceback" not in json.dumps(response)
    error, request = logs
    assert error["level"] == "ERROR"
    assert error["exception_name"] == "RuntimeError"
    assert "Traceback" in error["exception"] and SECRET_DETAIL in error["exception"]
    assert error["request_id"] == request["request_id"] == "apigw-2"
    assert request["status"] == 500


def test_ids_of_one_request_never_leak_into_the_next(logs: list[dict[str, Any]]) -> None:
    app = _app()
    _invoke(app, "/fine", "apigw-3", "lambda-3")
    logging.getLogger("marquee.sample").warning("between requests")

    between = logs[-1]
    assert "request_id" not in between and "lambda_request_id" not in between
