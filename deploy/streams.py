"""The stream functions' side of a deploy (chalicelib.streams).

``chalice deploy`` creates each ``@app.on_dynamodb_record`` function and its event source mapping
from the stream ARN the app names (chalicelib.config: ``MARQUEE_<TABLE>_STREAM_ARN``), and a
stream's ARN exists only once provisioning enabled it. So ``manage.py provision --stage S``
records the tables' stream ARNs in the stage's environment in .chalice/config.json (before the
first deploy), and, once the functions exist, makes their mappings report batch item failures
(Chalice cannot ask for it), with a retry limit and a maximum record age: a failed handler gets
its records again from the first one it failed on, and a record nobody handles is dropped after
``MAXIMUM_RETRY_ATTEMPTS`` retries or an hour.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chalicelib.config import STREAMED_TABLES, function_name, settings
from deploy.stage import CHALICE_DIR, chalice_config

Report = Callable[[str], None]

MAXIMUM_RETRY_ATTEMPTS = 10
MAXIMUM_RECORD_AGE_SECONDS = 3600
STREAM_FUNCTIONS = {"events": "events_stream", "orders": "orders_stream"}
_MAPPING = {
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
    "MaximumRetryAttempts": MAXIMUM_RETRY_ATTEMPTS,
    "MaximumRecordAgeInSeconds": MAXIMUM_RECORD_AGE_SECONDS,
}


def stream_variable(short_name: str) -> str:
    return f"MARQUEE_{short_name.upper()}_STREAM_ARN"


def record_stream_arns(
    dynamodb: Any, stage: str, report: Report, chalice_dir: Path = CHALICE_DIR
) -> list[str]:
    """Put each streamed table's current stream ARN into the stage's environment variables."""
    config = chalice_config(chalice_dir)
    variables = config.setdefault("stages", {}).setdefault(stage, {}).setdefault("environment_variables", {})
    changed = []
    for short in STREAMED_TABLES:
        table = dynamodb.describe_table(TableName=settings().table_name(short))["Table"]
        arn = table.get("LatestStreamArn")
        if arn and variables.get(stream_variable(short)) != arn:
            variables[stream_variable(short)] = arn
            changed.append(f"stage {stage}: {stream_variable(short)} recorded in .chalice/config.json")
    if changed:
        (chalice_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
        for line in changed:
            report(line)
        report(f"next: chalice deploy --stage {stage} (its stream functions read these streams)")
    return changed


def converge_stream_mappings(lambda_client: Any, stage: str, report: Report) -> list[str]:
    """Make the deployed stream functions' mappings report batch item failures (and retry within
    limits); nothing to do before the first deploy."""
    changed = []
    for function in STREAM_FUNCTIONS.values():
        name = function_name(stage, function)
        try:
            mappings = lambda_client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]
        except lambda_client.exceptions.ResourceNotFoundException:
            continue
        for mapping in mappings:
            if all(mapping.get(key) == value for key, value in _MAPPING.items()):
                continue
            lambda_client.update_event_source_mapping(UUID=mapping["UUID"], **_MAPPING)
            changed.append(f"function {name}: stream mapping reports batch item failures")
            report(changed[-1])
    return changed
