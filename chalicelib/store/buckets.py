"""The S3 buckets Marquee needs and their rules, described once: ``manage.py provision`` applies
them with boto3 and the CloudFormation template renders them as resources, so the two agree."""

from typing import Any, NamedTuple

from chalicelib.config import Settings

MEDIA_PUBLIC_PREFIX = "events/"
UPLOADS_PREFIX = "uploads/"
UPLOADS_EXPIRE_DAYS = 1


class CorsRule(NamedTuple):
    methods: tuple[str, ...]
    origins: tuple[str, ...] = ("*",)
    headers: tuple[str, ...] = ("*",)
    max_age_seconds: int = 3600


class ExpiryRule(NamedTuple):
    rule_id: str
    prefix: str
    days: int


class BucketSpec(NamedTuple):
    """``logical_id`` names the bucket in the template; ``public_prefixes`` are readable by anyone
    (everything else stays private: ACLs are disabled and public access is blocked otherwise)."""

    logical_id: str
    name: str
    cors: tuple[CorsRule, ...] = ()
    expiry: tuple[ExpiryRule, ...] = ()
    public_prefixes: tuple[str, ...] = ()

    def public_access_block(self) -> dict[str, bool]:
        public = bool(self.public_prefixes)
        return {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": not public,
            "RestrictPublicBuckets": not public,
        }

    def public_read_statements(self, bucket_arn: Any) -> list[dict[str, Any]]:
        """``bucket_arn`` is a string for boto3 or an intrinsic function for the template."""
        return [
            {
                "Sid": f"PublicRead{prefix.strip('/').title()}",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": _join(bucket_arn, f"/{prefix}*"),
            }
            for prefix in self.public_prefixes
        ]

    def cors_configuration(self) -> dict[str, Any]:
        """The S3 API shape (boto3 ``put_bucket_cors``)."""
        return {
            "CORSRules": [
                {
                    "AllowedMethods": list(rule.methods),
                    "AllowedOrigins": list(rule.origins),
                    "AllowedHeaders": list(rule.headers),
                    "MaxAgeSeconds": rule.max_age_seconds,
                }
                for rule in self.cors
            ]
        }

    def lifecycle_configuration(self) -> dict[str, Any]:
        """The S3 API shape (boto3 ``put_bucket_lifecycle_configuration``)."""
        return {
            "Rules": [
                {
                    "ID": rule.rule_id,
                    "Filter": {"Prefix": rule.prefix},
                    "Status": "Enabled",
                    "Expiration": {"Days": rule.days},
                }
                for rule in self.expiry
            ]
        }


def _join(arn: Any, suffix: str) -> Any:
    if isinstance(arn, str):
        return arn + suffix
    return {"Fn::Join": ["", [arn, suffix]]}


_UPLOAD_CORS = CorsRule(methods=("POST",))
_READ_CORS = CorsRule(methods=("GET", "HEAD"))
_UPLOADS_EXPIRY = ExpiryRule(rule_id="expire-uploads", prefix=UPLOADS_PREFIX, days=UPLOADS_EXPIRE_DAYS)


def bucket_specs(config: Settings) -> list[BucketSpec]:
    """Media (events/ public, browser uploads under uploads/ gone after a day), and the private
    frontend site bucket (served through CloudFront when deployed). When uploads are configured
    to go to a bucket of their own, that bucket gets the upload rules instead."""
    separate_uploads = config.uploads_bucket != config.media_bucket
    media_cors = (_READ_CORS,) if separate_uploads else (CorsRule(methods=("GET", "HEAD", "POST")),)
    specs = [
        BucketSpec(
            logical_id="MediaBucket",
            name=config.media_bucket,
            cors=media_cors,
            expiry=() if separate_uploads else (_UPLOADS_EXPIRY,),
            public_prefixes=(MEDIA_PUBLIC_PREFIX,),
        )
    ]
    if separate_uploads:
        specs.append(
            BucketSpec(
                logical_id="UploadsBucket",
                name=config.uploads_bucket,
                cors=(_UPLOAD_CORS,),
                expiry=(_UPLOADS_EXPIRY,),
            )
        )
    specs.append(BucketSpec(logical_id="SiteBucket", name=config.frontend_bucket))
    return specs
