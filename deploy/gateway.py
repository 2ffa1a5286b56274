"""After ``chalice deploy``: give the REST API the gateway responses the stack's template carries
(deploy.template.gateway_responses(): an unknown route is a 404 in our error body, not API
Gateway's 403 "Missing Authentication Token"). Chalice's deploy imports its own API definition,
which has none, so ``manage.py provision --stage S`` puts them back after each deploy and
redeploys the API stage when it changed anything."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deploy.stage import CHALICE_DIR, chalice_config
from deploy.template import gateway_responses

Report = Callable[[str], None]


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
