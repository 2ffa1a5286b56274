"""The frontend's CDN after ``chalice deploy`` (which makes no CloudFront): a CloudFormation stack of
its own, ``marquee-<stage>-site``, over the site bucket ``manage.py provision`` created: the
distribution, its security headers and the bucket policy that lets only it read the bucket."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from chalicelib.config import Settings
from chalicelib.http.site_headers import REFERRER_POLICY
from chalicelib.http.site_headers import content_security_policy as site_content_security_policy
from chalicelib.store.buckets import BucketSpec
from deploy.stage import APP_NAME
from deploy.target import DeployTarget

# CloudFront's managed "CachingOptimized" policy: honours the Cache-Control the upload sets.
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def _site_bucket(target: DeployTarget) -> BucketSpec:
    return next(b for b in target.buckets if b.name == target.settings.frontend_bucket)


def _media_origins(config: Settings) -> list[str]:
    """Where the browser loads images from and posts presigned uploads to."""
    origins = [f"https://{config.media_bucket}.s3.amazonaws.com"]
    origins.append(f"https://{config.media_bucket}.s3.{config.region}.amazonaws.com")
    if config.uploads_bucket != config.media_bucket:
        origins.append(f"https://{config.uploads_bucket}.s3.amazonaws.com")
        origins.append(f"https://{config.uploads_bucket}.s3.{config.region}.amazonaws.com")
    base = urlsplit(config.media_base_url)
    if base.scheme and base.netloc:
        origins.append(f"{base.scheme}://{base.netloc}")
    return list(dict.fromkeys(origins))


def content_security_policy(target: DeployTarget) -> str:
    """The API origins are wildcards within the region because naming the exact APIs here would
    make the distribution depend on the API, whose functions depend on the distribution (they
    need its URL for links in e-mails)."""
    region = target.settings.region
    connect = [f"https://*.execute-api.{region}.amazonaws.com"]
    if target.websocket:
        connect.append(f"wss://*.execute-api.{region}.amazonaws.com")
    return site_content_security_policy(connect, _media_origins(target.settings))


@dataclass(frozen=True)
class _SiteOrigin:
    """How the CDN's resources refer to the site bucket ``manage.py provision`` made, by name."""

    logical_id: str
    bucket: Any
    arn: Any
    domain: Any


def _existing_site_origin(target: DeployTarget) -> _SiteOrigin:
    site = _site_bucket(target)
    return _SiteOrigin(
        site.logical_id,
        site.name,
        _sub(f"arn:${{AWS::Partition}}:s3:::{site.name}"),
        _sub(f"{site.name}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}"),
    )


def _site_resources(target: DeployTarget, site: _SiteOrigin) -> dict[str, Any]:
    name = f"{APP_NAME}-{target.stage}-site"
    return {
        "SiteOriginAccessControl": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {
                "OriginAccessControlConfig": {
                    "Name": name,
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }
            },
        },
        "SiteResponseHeadersPolicy": {
            "Type": "AWS::CloudFront::ResponseHeadersPolicy",
            "Properties": {
                "ResponseHeadersPolicyConfig": {
                    "Name": f"{name}-headers",
                    "SecurityHeadersConfig": {
                        "ContentSecurityPolicy": {
                            "ContentSecurityPolicy": content_security_policy(target),
                            "Override": True,
                        },
                        "ContentTypeOptions": {"Override": True},
                        "FrameOptions": {"FrameOption": "DENY", "Override": True},
                        "ReferrerPolicy": {
                            "ReferrerPolicy": REFERRER_POLICY,
                            "Override": True,
                        },
                        "StrictTransportSecurity": {
                            "AccessControlMaxAgeSec": 63072000,
                            "IncludeSubdomains": True,
                            "Override": True,
                        },
                    },
                }
            },
        },
        "SiteDistribution": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Comment": f"Marquee {target.stage} frontend",
                    "DefaultRootObject": "index.html",
                    "HttpVersion": "http2and3",
                    "PriceClass": "PriceClass_100",
                    "Origins": [
                        {
                            "Id": "site",
                            "DomainName": site.domain,
                            "OriginAccessControlId": {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]},
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "site",
                        "ViewerProtocolPolicy": "redirect-to-https",
                        "AllowedMethods": ["GET", "HEAD"],
                        "CachedMethods": ["GET", "HEAD"],
                        "Compress": True,
                        "CachePolicyId": CACHING_OPTIMIZED_POLICY_ID,
                        "ResponseHeadersPolicyId": {"Ref": "SiteResponseHeadersPolicy"},
                    },
                }
            },
        },
        f"{site.logical_id}Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": site.bucket,
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "CloudFrontReadsSite",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Join": ["", [site.arn, "/*"]]},
                            "Condition": {
                                "StringEquals": {
                                    "AWS:SourceArn": _sub(
                                        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:"
                                        "distribution/${SiteDistribution}"
                                    )
                                }
                            },
                        }
                    ],
                },
            },
        },
    }


def site_template(target: DeployTarget) -> dict[str, Any]:
    """The CDN stack's template (the site bucket stays out of it, like the tables)."""
    site = _site_bucket(target)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Marquee ({target.stage}): the frontend CDN over bucket {site.name}",
        "Resources": _site_resources(target, _existing_site_origin(target)),
        "Outputs": {
            "SiteURL": {"Value": _sub("https://${SiteDistribution.DomainName}")},
            "SiteBucketName": {"Value": site.name},
            "SiteDistributionId": {"Value": {"Ref": "SiteDistribution"}},
        },
    }
