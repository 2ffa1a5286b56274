"""The token-signing secret: ``MARQUEE_JWT_SECRET`` when set (the local stack, the tests, a stack
that injects it), else the SSM Parameter Store parameter ``MARQUEE_JWT_SECRET_PARAMETER`` names
(``chalice deploy`` cannot put a secret into the functions' environment without writing it into
.chalice/config.json). The parameter is read on first use, not at import: a cold start and the
public routes never wait for SSM, and the value is kept for the container's life."""

from functools import cache

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.config import settings
from chalicelib.store.aws import client

MIN_SECRET_LENGTH = 32


class SecretUnavailable(RuntimeError):
    """The secret is not configured or cannot be read: a deployment mistake, never the caller's."""


@cache
def parameter_value(name: str) -> str:
    """A parameter's value, decrypted when it is a SecureString; cached per container (a failed
    read is not cached, so the next request tries again)."""
    try:
        return str(client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"])
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        raise SecretUnavailable(f"cannot read SSM parameter {name}: {code}") from error
    except BotoCoreError as error:
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
