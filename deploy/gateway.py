"""After ``chalice deploy``: give the REST API our gateway responses (``gateway_responses()``: an
unknown route is a 404 in our error body, not API Gateway's 403 "Missing Authentication Token").
Chalice's deploy imports its own API definition, which has none, so ``manage.py provision --stage S``
puts them back after each deploy and redeploys the API stage when it changed anything."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalicelib.http.errors import INTERNAL_ERROR_MESSAGE, UNKNOWN_ROUTE_BODY
from chalicelib.http.site_headers import API_HEADERS
from deploy.stage import CHALICE_DIR, chalice_config

Report = Callable[[str], None]


def _gateway_response(status: int | None, code: str, message: str | None) -> dict[str, Any]:
    """``message`` None: API Gateway's own message (``$context.error.messageString`` is quoted JSON)."""
    text = json.dumps(message) if message is not None else "$context.error.messageString"
    response: dict[str, Any] = {
        "responseTemplates": {
            "application/json": f'{{"error": {{"code": "{code}", "message": {text}, "details": {{}}}}}}'
        },
        "responseParameters": {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
            **{f"gatewayresponse.header.{name}": f"'{value}'" for name, value in API_HEADERS.items()},
        },
    }
    if status is not None:
        response["statusCode"] = str(status)
    return response


def gateway_responses() -> dict[str, Any]:
    """API Gateway answers some requests before the Lambda runs (unknown route, too large,
    throttled); these give them our error body. An unknown route is API Gateway's
    MISSING_AUTHENTICATION_TOKEN (403), which is a 404 to our clients."""
    unknown = UNKNOWN_ROUTE_BODY["error"]
    return {
        "MISSING_AUTHENTICATION_TOKEN": _gateway_response(404, unknown["code"], unknown["message"]),
        "RESOURCE_NOT_FOUND": _gateway_response(404, unknown["code"], unknown["message"]),
        "REQUEST_TOO_LARGE": _gateway_response(413, "payload_too_large", None),
        "UNSUPPORTED_MEDIA_TYPE": _gateway_response(415, "unsupported_media_type", None),
        "THROTTLED": _gateway_response(429, "too_many_requests", None),
        "DEFAULT_4XX": _gateway_response(None, "bad_request", None),
        "DEFAULT_5XX": _gateway_response(None, "internal_error", INTERNAL_ERROR_MESSAGE),
    }


def deployed_rest_api(stage: str, chalice_dir: Path = CHALICE_DIR) -> tuple[str, str] | None:
    """(REST API id, its API Gateway stage) as ``chalice deploy`` recorded and configured them."""
    path = chalice_dir / "deployed" / f"{stage}.json"
    if not path.exists():
        return None
    api_id = next(
        (
            str(r["rest_api_id"])
            for r in json.loads(path.read_text()).get("resources", [])
            if r.get("resource_type") == "rest_api" and r.get("rest_api_id")
        ),
        None,
    )
    if api_id is None:
        return None
    config = chalice_config(chalice_dir)
    stage_config = config.get("stages", {}).get(stage, {})
    return api_id, str(stage_config.get("api_gateway_stage") or config.get("api_gateway_stage", "api"))


def _same(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return (
        current.get("responseTemplates") == wanted["responseTemplates"]
        and current.get("responseParameters") == wanted["responseParameters"]
        and current.get("statusCode") == wanted.get("statusCode", current.get("statusCode"))
    )


def converge_gateway_responses(
    apigateway: Any, api_id: str, api_stage: str, report: Report = print
) -> list[str]:
    """Put the responses that differ, redeploy the stage if any did; the types changed."""
    current: dict[str, dict[str, Any]] = {}
    for page in apigateway.get_paginator("get_gateway_responses").paginate(restApiId=api_id):
        current.update({item["responseType"]: item for item in page.get("items", [])})
    changed = []
    for kind, wanted in gateway_responses().items():
        if _same(current.get(kind, {}), wanted):
            continue
        extra = {"statusCode": wanted["statusCode"]} if "statusCode" in wanted else {}
        apigateway.put_gateway_response(
            restApiId=api_id,
            responseType=kind,
            responseParameters=wanted["responseParameters"],
            responseTemplates=wanted["responseTemplates"],
            **extra,
        )
        changed.append(kind)
    if changed:
        apigateway.create_deployment(
            restApiId=api_id, stageName=api_stage, description="Marquee gateway responses"
        )
        report(f"REST API {api_id}: gateway responses {', '.join(changed)} set; stage {api_stage} redeployed")
    else:
        report(f"REST API {api_id}: gateway responses already set")
    return changed
