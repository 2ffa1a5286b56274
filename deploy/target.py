"""What the deploy tools generate from: the stage's settings, the models' tables and the bucket rules."""

from dataclasses import dataclass
from pathlib import Path

from chalicelib.config import Settings
from chalicelib.store.buckets import BucketSpec
from chalicelib.store.schema import TableSpec
from deploy.stage import CHALICE_DIR, chalice_config


@dataclass(frozen=True)
class DeployTarget:
    stage: str
    api_gateway_stage: str
    settings: Settings
    tables: list[TableSpec]
    buckets: list[BucketSpec]
    websocket: bool


def current_target(stage: str, chalice_dir: Path = CHALICE_DIR) -> DeployTarget:
    """The target as this process's settings and models describe it (apply the stage first)."""
    from app import app
    from chalicelib.config import settings
    from chalicelib.store.buckets import bucket_specs
    from chalicelib.store.schema import table_specs

    chalice = chalice_config(chalice_dir)
    stage_config = chalice.get("stages", {}).get(stage, {})
    config = settings()
    if config.stage != stage:
        raise ValueError(f"settings are for stage {config.stage!r}, not {stage!r}: apply the stage first")
    return DeployTarget(
        stage=stage,
        api_gateway_stage=str(
            stage_config.get("api_gateway_stage") or chalice.get("api_gateway_stage", "api")
        ),
        settings=config,
        tables=table_specs(),
        buckets=bucket_specs(config),
        websocket=bool(app.websocket_handlers),
    )
