"""Publish the frontend to its site bucket: frontend/ at the root, the browser libraries of
package.json under vendor/ (the same mapping the local stack serves), and a config.json pointing
at the deployed API and WebSocket URLs.

Unchanged objects are left alone, objects no longer in the tree are deleted, and CloudFront is
told to drop its copies when anything changed. No build step, so file names carry no content
hash: HTML, config.json and the service worker (sw.js) are revalidated on every load, the rest is
cached for five minutes (the service worker refreshes its copies after as long).
"""

import hashlib
import json
import mimetypes
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, WaiterError

from deploy.stage import CHALICE_DIR, PROJECT_DIR

FRONTEND_DIR = PROJECT_DIR / "frontend"
VENDOR_PREFIX = "vendor/"
# The files of package.json's libraries the frontend loads, relative to node_modules: the only ones
# published under vendor/ and served there by the local stack (the rest of a package is not the site).
BROWSER_FILES = (
    "cropperjs/dist/cropper.esm.js",
    "cropperjs/dist/cropper.min.css",
    "jsqr/dist/jsQR.js",
)
CONFIG_KEY = "config.json"

NO_CACHE = "no-cache"
SHORT_CACHE = "public, max-age=300"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".webmanifest": "application/manifest+json",
}

Report = Callable[[str], None]


class FrontendError(RuntimeError):
    pass


@dataclass(frozen=True)
class SiteObject:
    key: str
    body: bytes
    content_type: str
    cache_control: str

    @property
    def md5(self) -> str:
        return hashlib.md5(self.body, usedforsecurity=False).hexdigest()


def content_type(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def cache_control(key: str) -> str:
    # The service worker's script too: a new one must reach browsers with the files it caches.
    return NO_CACHE if key.endswith((".html", ".json")) or key == "sw.js" else SHORT_CACHE


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            yield path


def _object(key: str, body: bytes) -> SiteObject:
    return SiteObject(key=key, body=body, content_type=content_type(key), cache_control=cache_control(key))


def site_objects(
    frontend_dir: Path = FRONTEND_DIR,
    project_dir: Path = PROJECT_DIR,
    browser_files: Sequence[str] = BROWSER_FILES,
) -> list[SiteObject]:
    """Everything to publish except config.json (written from chalice deploy's record)."""
    if not (frontend_dir / "index.html").exists():
        raise FrontendError(f"{frontend_dir} has no index.html")
    objects = [
        _object(path.relative_to(frontend_dir).as_posix(), path.read_bytes())
        for path in _files(frontend_dir)
        if path.relative_to(frontend_dir).as_posix() != CONFIG_KEY
    ]
    node_modules = project_dir / "node_modules"
    for relative in browser_files:
        path = node_modules / relative
        if not path.is_file():
            raise FrontendError(f"{path} is missing: run `npm ci` first (package.json lists its package)")
        objects.append(_object(f"{VENDOR_PREFIX}{relative}", path.read_bytes()))
    return objects


@dataclass(frozen=True)
class Deployment:
    """Where the stage's API, WebSocket and site live (Chalice's record and the CDN stack)."""

    api_url: str
    ws_url: str
    bucket: str | None
    distribution_id: str | None
    source: str
    site_url: str | None = None

    def frontend_config(self) -> dict[str, str]:
        return {"apiUrl": self.api_url.rstrip("/"), "wsUrl": self.ws_url.rstrip("/")}


def chalice_deployment(stage: str, chalice_dir: Path = CHALICE_DIR) -> Deployment | None:
    """What ``chalice deploy`` recorded in .chalice/deployed/<stage>.json."""
    path = chalice_dir / "deployed" / f"{stage}.json"
    if not path.exists():
        return None
    resources = {r.get("resource_type"): r for r in json.loads(path.read_text()).get("resources", [])}
    try:
        api_url = resources["rest_api"]["rest_api_url"]
        ws_url = resources["websocket_api"]["websocket_api_url"]
    except KeyError as error:
        raise FrontendError(f"{path} records no {error.args[0]} URL") from None
    return Deployment(api_url=api_url, ws_url=ws_url, bucket=None, distribution_id=None, source=str(path))


def require_bucket(s3: Any, bucket: str, stage: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NotFound"):
            raise FrontendError(
                f"site bucket {bucket} does not exist: run `manage.py provision --stage {stage}` first"
            ) from None
        raise


def _stack(cloudformation: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(cloudformation.describe_stacks(StackName=name)["Stacks"][0])
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def ensure_site_stack(
    cloudformation: Any, name: str, template: dict[str, Any], report: Report = print, delay: int = 15
) -> dict[str, str]:
    """Create or update the CDN stack of a ``chalice deploy`` stage and wait for it; its outputs."""
    body = json.dumps(template, sort_keys=True)
    stack = _stack(cloudformation, name)
    if stack is not None and stack["StackStatus"] == "ROLLBACK_COMPLETE":
        raise FrontendError(
            f"stack {name} failed to create earlier (ROLLBACK_COMPLETE); see its events, then "
            f"`aws cloudformation delete-stack --stack-name {name}` and run this again"
        )
    waiter = None
    if stack is None:
        report(f"creating stack {name}: the CloudFront distribution takes a few minutes")
        cloudformation.create_stack(StackName=name, TemplateBody=body)
        waiter = "stack_create_complete"
    else:
        try:
            cloudformation.update_stack(StackName=name, TemplateBody=body)
            report(f"updating stack {name}")
            waiter = "stack_update_complete"
        except ClientError as error:
            if "No updates are to be performed" not in str(error):
                raise
    if waiter is not None:
        try:
            cloudformation.get_waiter(waiter).wait(
                StackName=name, WaiterConfig={"Delay": delay, "MaxAttempts": 2400 // delay}
            )
        except WaiterError as error:
            raise FrontendError(f"stack {name} did not complete ({error}); see its events") from None
    stack = _stack(cloudformation, name) or {}
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _listing(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            etags[item["Key"]] = item["ETag"].strip('"')
    return etags


def _unchanged(s3: Any, bucket: str, obj: SiteObject, etag: str | None) -> bool:
    if etag != obj.md5:
        return False
    head = s3.head_object(Bucket=bucket, Key=obj.key)
    return head.get("ContentType") == obj.content_type and head.get("CacheControl") == obj.cache_control


@dataclass
class PublishResult:
    uploaded: list[str]
    unchanged: int
    deleted: list[str]
    invalidation_id: str | None = None


def publish(
    s3: Any,
    bucket: str,
    objects: list[SiteObject],
    config: dict[str, str],
    report: Report = print,
    cloudfront: Any = None,
    distribution_id: str | None = None,
) -> PublishResult:
    everything = [*objects, _object(CONFIG_KEY, (json.dumps(config, indent=2) + "\n").encode())]
    existing = _listing(s3, bucket)
    result = PublishResult(uploaded=[], unchanged=0, deleted=[])
    for obj in everything:
        if _unchanged(s3, bucket, obj, existing.get(obj.key)):
            result.unchanged += 1
            continue
        s3.put_object(
            Bucket=bucket,
            Key=obj.key,
            Body=obj.body,
            ContentType=obj.content_type,
            CacheControl=obj.cache_control,
        )
        result.uploaded.append(obj.key)
        report(f"uploaded {obj.key} ({obj.content_type})")
    wanted = {obj.key for obj in everything}
    stale = sorted(set(existing) - wanted)
    for start in range(0, len(stale), 1000):
        batch = stale[start : start + 1000]
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True})
    for key in stale:
        report(f"deleted {key}")
    result.deleted = stale
    if (result.uploaded or result.deleted) and cloudfront is not None and distribution_id:
        invalidation = cloudfront.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": 1, "Items": ["/*"]},
                "CallerReference": uuid.uuid4().hex,
            },
        )
        result.invalidation_id = invalidation["Invalidation"]["Id"]
        report(f"CloudFront invalidation {result.invalidation_id} requested")
    report(
        f"{len(result.uploaded)} uploaded, {result.unchanged} unchanged, {len(result.deleted)} deleted "
        f"in s3://{bucket}"
    )
    return result
