"""The token-signing secret: ``MARQUEE_JWT_SECRET`` when set (the local stack, the tests, a stack
that injects it), else the SSM Parameter Store parameter ``MARQUEE_JWT_SECRET_PARAMETER`` names
(``chalice deploy`` cannot put a secret into the functions' environment without writing it into
.chalice/config.json). The parameter is read on first use, not at import: a cold start and the
public routes never wait for SSM, and the value is kept for the container's life."""

from functools import cache
from typing import TYPE_CHECKING

from chalicelib.config import settings
from chalicelib.store.aws import client

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SSMProvider

MIN_SECRET_LENGTH = 32
# Powertools re-reads a cached parameter after max_age seconds; the secret is kept for the container.
CONTAINER_LIFETIME_SECONDS = 24 * 3600


class SecretUnavailable(RuntimeError):
    """The secret is not configured or cannot be read: a deployment mistake, never the caller's."""


@cache
def _parameters() -> "SSMProvider":
    from aws_lambda_powertools.utilities.parameters import SSMProvider

    return SSMProvider(boto3_client=client("ssm"))


def forget_cached_parameters() -> None:
    """What a new container sees: the next read goes to SSM again."""
    _parameters.cache_clear()


def parameter_value(name: str) -> str:
    """A parameter's value, decrypted when it is a SecureString, through Powertools' parameters
    (cached per container; a failed read is not cached, so the next request tries again)."""
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        return str(_parameters().get(name, decrypt=True, max_age=CONTAINER_LIFETIME_SECONDS))
    except GetParameterError as error:
        raise SecretUnavailable(f"cannot read SSM parameter {name}: {error}") from error


def jwt_secret() -> str:
    config = settings()
    if config.jwt_secret:
        secret, source = config.jwt_secret, "MARQUEE_JWT_SECRET"
    elif config.jwt_secret_parameter:
        secret, source = parameter_value(config.jwt_secret_parameter), config.jwt_secret_parameter
    else:
        raise SecretUnavailable(
            "no token secret: set MARQUEE_JWT_SECRET, or MARQUEE_JWT_SECRET_PARAMETER to the SSM "
            "parameter that holds it"
        )
    if len(secret) < MIN_SECRET_LENGTH:
        raise SecretUnavailable(
            f"the token secret from {source} is shorter than {MIN_SECRET_LENGTH} characters"
        )
    return secret
