"""Stages as .chalice/config.json defines them, so operator commands run with exactly the
settings the deployed Lambda functions have."""

import json
import os
from pathlib import Path
from typing import Any

from chalicelib.config import APP_NAME

PROJECT_DIR = Path(__file__).resolve().parents[1]
CHALICE_DIR = PROJECT_DIR / ".chalice"


class StageError(ValueError):
    pass


def chalice_config(chalice_dir: Path = CHALICE_DIR) -> dict[str, Any]:
    path = chalice_dir / "config.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise StageError(f"{path} is missing") from None
    except json.JSONDecodeError as error:
        raise StageError(f"{path} is not valid JSON: {error}") from None


def stage_names(chalice_dir: Path = CHALICE_DIR) -> list[str]:
    return sorted(chalice_config(chalice_dir).get("stages", {}))


def stage_environment(stage: str, chalice_dir: Path = CHALICE_DIR) -> dict[str, str]:
    """The environment variables the stage's functions get (top level, then the stage's own)."""
    config = chalice_config(chalice_dir)
    stages = config.get("stages", {})
    if stage not in stages:
        known = ", ".join(sorted(stages)) or "none"
        raise StageError(f"unknown stage {stage!r}; .chalice/config.json defines: {known}")
    variables = {**config.get("environment_variables", {}), **stages[stage].get("environment_variables", {})}
    variables["MARQUEE_STAGE"] = stage
    return {k: str(v) for k, v in variables.items()}


def site_stack_name(stage: str) -> str:
    """The stack holding the frontend's CDN (deploy-frontend makes it)."""
    return f"{APP_NAME}-{stage}-site"


def apply_stage(stage: str, chalice_dir: Path = CHALICE_DIR) -> None:
    """Put the stage's settings into this process's environment and forget cached settings and
    clients, so chalicelib reads the stage's names from now on. MARQUEE_* variables of the shell
    (a local stack's, say) are dropped first: the stage's functions do not see them either."""
    variables = stage_environment(stage, chalice_dir)
    for name in [n for n in os.environ if n.startswith("MARQUEE_")]:
        del os.environ[name]
    os.environ.update(variables)
    from chalicelib.config import settings
    from chalicelib.store.aws import reset_clients

    settings.cache_clear()
    reset_clients()
