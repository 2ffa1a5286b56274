"""Test settings, applied before the app is imported: cheap argon2, a fixed JWT secret,
fake AWS credentials so nothing can ever reach real AWS."""

import os

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "MARQUEE_STAGE": "test",
        "MARQUEE_JWT_SECRET": "test-secret-that-is-long-enough-for-hs256-0123456789",
        "MARQUEE_ARGON2_TIME_COST": "1",
        "MARQUEE_ARGON2_MEMORY_KIB": "1024",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)
