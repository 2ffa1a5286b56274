"""Settings read lazily from the environment, in one place.

Deployed stages set these through .chalice/config.json; the local stack and the tests set them
in the process environment before the first request.
"""

import os
from functools import cache
from typing import NamedTuple

from chalicelib.domain.limits import EVENTS_PER_USER, INVITES_PER_USER

# chalice deploy names each function <app>-<stage>-<function>.
APP_NAME = "marquee"
# Connections one function posts an audience's message to; more are split among fan-out
# functions (chalicelib.realtime.fanout), so a message reaches 100,000 pages within a second.
FAN_OUT_PAGE_SIZE = 1000
# The app's @app.lambda_function that posts one such page.
FAN_OUT_FUNCTION = "fan_out"


def function_name(stage: str, function: str) -> str:
    return f"{APP_NAME}-{stage}-{function}"


class Settings(NamedTuple):
    stage: str
    region: str
    table_prefix: str
    media_bucket: str
    uploads_bucket: str
    frontend_bucket: str
    media_base_url: str
    jwt_secret: str
    jwt_secret_parameter: str
    token_ttl_seconds: int
    argon2_time_cost: int
    argon2_memory_kib: int
    mail_sender: str
    frontend_url: str
    websocket_endpoint: str
    invites_per_user_per_day: int
    events_per_user_per_day: int
    # Stripe's secret key and webhook signing secret: each as a value (the local stack, tests) or
    # as the name of an SSM SecureString (deployed), read only when a payment needs it.
    stripe_secret_key: str
    stripe_secret_key_parameter: str
    stripe_webhook_secret: str
    stripe_webhook_secret_parameter: str
    # Where the stripe library sends its calls (the local stand-in); empty: Stripe itself.
    stripe_api_base: str
    # SES's bounce and complaint notifications (SNS over HTTPS): the secret in the subscribed
    # URL's path (empty: the route refuses every call) and the one topic accepted (empty: any).
    ses_notification_secret: str
    ses_topic_arn: str
    # The tables' streams the stream functions read, {short table name: ARN}. chalice deploy
    # needs the real ARNs (manage.py policy records them in .chalice/config.json); the local stack
    # and the tests read the streams of the tables named in these ARNs.
    stream_arns: dict[str, str]
    fan_out_page_size: int

    @property
    def stripe_configured(self) -> bool:
        """Events may choose card payments: the platform has a Stripe secret key."""
        return bool(self.stripe_secret_key or self.stripe_secret_key_parameter)

    def table_name(self, short_name: str) -> str:
        return f"{self.table_prefix}-{short_name}"

    def stream_arn(self, short_name: str) -> str:
        return self.stream_arns[short_name]

    def function_name(self, function: str) -> str:
        """The deployed name of the app's ``@app.lambda_function`` ``function`` in this stage."""
        return function_name(self.stage, function)


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


STREAMED_TABLES = ("events", "orders")


def _stream_arns(region: str, prefix: str) -> dict[str, str]:
    """MARQUEE_EVENTS_STREAM_ARN etc.; unset, an ARN of no stream that still names the table."""
    return {
        name: os.environ.get(f"MARQUEE_{name.upper()}_STREAM_ARN")
        or f"arn:aws:dynamodb:{region}:000000000000:table/{prefix}-{name}/stream/not-deployed"
        for name in STREAMED_TABLES
    }


@cache
def settings() -> Settings:
    stage = _env("MARQUEE_STAGE", "dev")
    region = _env("AWS_DEFAULT_REGION", "us-east-1")
    prefix = _env("MARQUEE_TABLE_PREFIX", f"marquee-{stage}")
    media_bucket = _env("MARQUEE_MEDIA_BUCKET", f"{prefix}-media")
    return Settings(
        stage=stage,
        region=region,
        table_prefix=prefix,
        media_bucket=media_bucket,
        uploads_bucket=_env("MARQUEE_UPLOADS_BUCKET", media_bucket),
        frontend_bucket=_env("MARQUEE_FRONTEND_BUCKET", f"{prefix}-frontend"),
        media_base_url=_env("MARQUEE_MEDIA_BASE_URL", f"https://{media_bucket}.s3.amazonaws.com"),
        jwt_secret=os.environ.get("MARQUEE_JWT_SECRET", ""),
        jwt_secret_parameter=os.environ.get("MARQUEE_JWT_SECRET_PARAMETER", ""),
        token_ttl_seconds=int(_env("MARQUEE_TOKEN_TTL_SECONDS", str(12 * 3600))),
        argon2_time_cost=int(_env("MARQUEE_ARGON2_TIME_COST", "3")),
        argon2_memory_kib=int(_env("MARQUEE_ARGON2_MEMORY_KIB", "65536")),
        mail_sender=_env("MARQUEE_MAIL_SENDER", "no-reply@marquee.example"),
        frontend_url=_env("MARQUEE_FRONTEND_URL", "http://127.0.0.1:8000"),
        websocket_endpoint=os.environ.get("MARQUEE_WEBSOCKET_ENDPOINT", ""),
        invites_per_user_per_day=int(
            _env("MARQUEE_INVITES_PER_USER_PER_DAY", str(INVITES_PER_USER.max_count))
        ),
        events_per_user_per_day=int(_env("MARQUEE_EVENTS_PER_USER_PER_DAY", str(EVENTS_PER_USER.max_count))),
        stripe_secret_key=os.environ.get("MARQUEE_STRIPE_SECRET_KEY", ""),
        stripe_secret_key_parameter=os.environ.get("MARQUEE_STRIPE_SECRET_KEY_PARAMETER", ""),
        stripe_webhook_secret=os.environ.get("MARQUEE_STRIPE_WEBHOOK_SECRET", ""),
        stripe_webhook_secret_parameter=os.environ.get("MARQUEE_STRIPE_WEBHOOK_SECRET_PARAMETER", ""),
        stripe_api_base=os.environ.get("MARQUEE_STRIPE_API_BASE", ""),
        ses_notification_secret=os.environ.get("MARQUEE_SES_NOTIFICATION_SECRET", ""),
        ses_topic_arn=os.environ.get("MARQUEE_SES_TOPIC_ARN", ""),
        stream_arns=_stream_arns(region, prefix),
        fan_out_page_size=max(1, int(_env("MARQUEE_FAN_OUT_PAGE_SIZE", str(FAN_OUT_PAGE_SIZE)))),
    )
