#!/usr/bin/env python3
"""Marquee's operator commands; `python manage.py COMMAND --help` explains each.

Commands that read or write AWS take ``--stage STAGE`` to run with that stage's settings from
.chalice/config.json (the names of its tables and buckets, its mail sender), exactly as its
Lambda functions see them. Without ``--stage`` they use the environment as it is (the local
stack, tests). Credentials and region come from the usual AWS environment (AWS_PROFILE, ...).
"""

import argparse
import getpass
import importlib
import pkgutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deploy.stage import CHALICE_DIR, StageError, apply_stage, stage_names


class CommandError(Exception):
    """A failure the operator can act on: printed without a traceback, exit status 1."""


def _check_table_names() -> None:
    """Table names are fixed when the models are imported; a stage chosen after that would
    leave them pointing at another stage's tables."""
    from chalicelib.config import settings
    from chalicelib.store.schema import table_specs

    prefix = settings().table_prefix + "-"
    wrong = [spec.name for spec in table_specs() if not spec.name.startswith(prefix)]
    if wrong:
        raise CommandError(
            f"the models were imported for another stage ({', '.join(wrong)}); "
            "run manage.py in a process of its own"
        )


# -- provision / policy ---------------------------------------------------------------------------------


def cmd_provision(args: argparse.Namespace) -> int:
    from chalicelib.store.provision import ProvisionError, provision

    try:
        provision(report=print)
    except ProvisionError as error:
        raise CommandError(str(error)) from None
    if args.stage:
        from chalicelib.store.aws import client
        from deploy.gateway import converge_gateway_responses, deployed_rest_api
        from deploy.streams import converge_stream_mappings, record_stream_arns

        record_stream_arns(client("dynamodb"), args.stage, print, args.chalice_dir)
        converge_stream_mappings(client("lambda"), args.stage, print)
        rest_api = deployed_rest_api(args.stage, args.chalice_dir)
        if rest_api is not None:
            converge_gateway_responses(client("apigateway"), *rest_api)
    return 0


def _shown(path: Path) -> str:
    from deploy.stage import PROJECT_DIR

    return str(path.relative_to(PROJECT_DIR) if path.is_relative_to(PROJECT_DIR) else path)


def _write_deploy_policy(args: argparse.Namespace, target: Any) -> None:
    """.chalice/policy-STAGE.json, the functions' IAM policy for ``chalice deploy``."""
    from deploy.policy import (
        PolicyError,
        caller_account,
        check_account,
        deploy_policy,
        deployed_websocket_api_id,
        write_policy,
    )

    try:
        account, source = (check_account(args.account), "--account") if args.account else caller_account()
        api_id = deployed_websocket_api_id(args.stage, args.chalice_dir)
        path = write_policy(deploy_policy(target, account, api_id), args.stage, args.chalice_dir)
    except PolicyError as error:
        raise CommandError(str(error)) from None
    print(f"wrote {_shown(path)} (the functions' IAM policy for chalice deploy)")
    print(f"  account: {account} ({source})")
    if target.websocket:
        recorded = f"from .chalice/deployed/{args.stage}.json" if api_id else "any: none deployed yet"
        print(f"  websocket API: {api_id or '*'} ({recorded})")


def cmd_policy(args: argparse.Namespace) -> int:
    from deploy.target import current_target

    target = current_target(args.stage, args.chalice_dir)
    _write_deploy_policy(args, target)
    print(f"next: chalice deploy --stage {args.stage}")
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise CommandError("the two passwords differ")
    if not password:
        raise CommandError("no password given")
    return password


def cmd_create_superadmin(args: argparse.Namespace) -> int:
    from chalicelib.domain.errors import DomainError
    from chalicelib.store.users import ensure_super_admin, find_by_email

    existing = find_by_email(args.email)
    if existing is not None:
        was = bool(existing.is_super_admin)
        ensure_super_admin(args.email, "")
        state = "already a super admin" if was else "promoted to super admin"
        print(f"{existing.email} exists: {state} (password unchanged)")
        return 0
    password = _read_password(args.password_stdin)
    try:
        user, _created = ensure_super_admin(args.email, password, name=args.name)
    except DomainError as error:
        details = "; ".join(f"{field}: {message}" for field, message in (error.details or {}).items())
        raise CommandError(f"{error.message} {details}".strip()) from None
    print(f"created super admin {user.email} (id {user.user_id})")
    return 0


# -- shell ------------------------------------------------------------------------------------------

# Store modules that are plumbing rather than repositories; still reachable as store.<name>.
_NOT_REPOSITORIES = frozenset(
    {"aws", "migrate", "provision", "schema", "buckets", "pagination", "versions", "secrets"}
)


def first_super_admin() -> Any:
    """The earliest account flagged super admin, or None (reads the user index, never scans)."""
    from chalicelib.store.models.users import UserModel

    def first_of(keys: list[str]) -> Any:
        users = {user.user_id: user for user in UserModel.batch_get(keys)}
        return next((users[k] for k in keys if k in users and users[k].is_super_admin), None)

    batch: list[str] = []
    for item in UserModel.by_entity.query("user", scan_index_forward=True):
        batch.append(item.user_id)
        if len(batch) == 100:
            found = first_of(batch)
            if found is not None:
                return found
            batch = []
    return first_of(batch) if batch else None


def build_namespace() -> dict[str, Any]:
    """What the shell preloads: models (``User`` and ``UserModel``), repositories (``users``,
    ``events``, ...), ``config``, ``client`` (boto3), ``now`` and ``admin`` (the first super admin)."""
    import chalicelib.store as store
    from chalicelib.config import settings
    from chalicelib.domain.clock import now
    from chalicelib.store.aws import client
    from chalicelib.store.models import ALL_MODELS

    namespace: dict[str, Any] = {
        "ALL_MODELS": ALL_MODELS,
        "config": settings(),
        "settings": settings,
        "client": client,
        "now": now,
        "store": store,
    }
    for model in ALL_MODELS:
        namespace[model.__name__] = model
        namespace.setdefault(model.__name__.removesuffix("Model"), model)
    for info in pkgutil.iter_modules(store.__path__):
        if info.ispkg:
            continue
        module = importlib.import_module(f"{store.__name__}.{info.name}")
        setattr(store, info.name, module)
        if info.name not in _NOT_REPOSITORIES:
            namespace.setdefault(info.name, module)
    namespace["admin"] = first_super_admin()
    return namespace


def _banner(namespace: dict[str, Any]) -> str:
    config = namespace["config"]
    models = sorted(
        name for name, value in namespace.items() if isinstance(value, type) and name != "ALL_MODELS"
    )
    modules = sorted(name for name, value in namespace.items() if type(value).__name__ == "module")
    admin = namespace["admin"]
    admin_line = (
        admin.email if admin is not None else "None (no super admin yet: manage.py create-superadmin)"
    )
    return "\n".join(
        [
            f"Marquee shell, stage {config.stage}, region {config.region}, tables {config.table_prefix}-*",
            f"models: {', '.join(models)}",
            f"modules: {', '.join(modules)}",
            "also: config, settings(), client('s3'), now()",
            f"admin: {admin_line}",
        ]
    )


def cmd_shell(args: argparse.Namespace) -> int:
    namespace = build_namespace()
    banner = _banner(namespace)
    try:
        from IPython import start_ipython
    except ImportError:
        import code

        code.interact(banner=banner, local=namespace, exitmsg="")
        return 0
    print(banner)
    start_ipython(argv=[], user_ns=namespace)
    return 0


# -- migrate ----------------------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> int:
    from chalicelib.store import migrate

    try:
        if args.action == "status":
            for line in migrate.status_lines(migrate.discover(), migrate.read_state()):
                print(line)
        elif args.action == "up":
            migrate.up(report=print)
        else:
            state = migrate.stamp(args.revision)
            print(f"stamped: current revision is now {state.revision or migrate.BASE}")
    except migrate.MigrationError as error:
        raise CommandError(str(error)) from None
    return 0


# -- deploy-frontend --------------------------------------------------------------------------------


def _chalice_deployment(args: argparse.Namespace) -> Any:
    """After ``chalice deploy``: its recorded URLs, and the CDN stack over the provisioned site
    bucket (created on the first run)."""
    import dataclasses

    from chalicelib.config import settings
    from chalicelib.store.aws import client
    from deploy import frontend
    from deploy.site import site_template
    from deploy.stage import site_stack_name
    from deploy.target import current_target

    recorded = frontend.chalice_deployment(args.stage, args.chalice_dir)
    if recorded is None:
        raise CommandError(
            f"stage {args.stage} is not deployed: no .chalice/deployed/{args.stage}.json (run chalice deploy)"
        )
    frontend.require_bucket(client("s3"), settings().frontend_bucket, args.stage)
    outputs = frontend.ensure_site_stack(
        client("cloudformation"),
        site_stack_name(args.stage),
        site_template(current_target(args.stage, args.chalice_dir)),
    )
    return dataclasses.replace(
        recorded,
        bucket=outputs["SiteBucketName"],
        distribution_id=outputs["SiteDistributionId"],
        site_url=outputs["SiteURL"],
    )


def cmd_deploy_frontend(args: argparse.Namespace) -> int:
    from chalicelib.config import settings
    from chalicelib.store.aws import client
    from deploy import frontend

    try:
        deployment = _chalice_deployment(args)
        bucket = deployment.bucket
        objects = frontend.site_objects()
        print(f"publishing {len(objects)} files to s3://{bucket}; API URLs from {deployment.source}")
        frontend.publish(
            client("s3"),
            bucket,
            objects,
            deployment.frontend_config(),
            cloudfront=client("cloudfront") if deployment.distribution_id else None,
            distribution_id=deployment.distribution_id,
        )
    except frontend.FrontendError as error:
        raise CommandError(str(error)) from None
    if deployment.site_url:
        print(f"site: {deployment.site_url}")
    configured = settings().frontend_url.rstrip("/")
    if configured != deployment.site_url.rstrip("/"):
        # The functions take their URL from config.json; only the CDN stack knows the real one.
        print(
            f"note: e-mail links point at MARQUEE_FRONTEND_URL={configured}; set it to {deployment.site_url} "
            f"under stages.{args.stage} in .chalice/config.json and run `chalice deploy --stage {args.stage}`"
        )
    return 0


# -- sweep-orders -----------------------------------------------------------------------------------

SWEEP_MODULE = "chalicelib.services.orders"
SWEEP_FUNCTION = "sweep_expired_orders"


def cmd_sweep_orders(args: argparse.Namespace) -> int:
    try:
        module = importlib.import_module(SWEEP_MODULE)
    except ModuleNotFoundError as error:
        if error.name != SWEEP_MODULE:
            raise
        module = None
    sweep = getattr(module, SWEEP_FUNCTION, None)
    if not callable(sweep):
        raise CommandError(f"this version has no order sweep ({SWEEP_MODULE}.{SWEEP_FUNCTION} is missing)")
    result = sweep()
    print(f"order sweep done: {result}")
    return 0


# -- wiring -----------------------------------------------------------------------------------------


def _add_stage(parser: argparse.ArgumentParser, required: bool = False, nested: bool = False) -> None:
    """``nested``: the option of a sub-action (``migrate up --stage S``); it must not reset a
    ``--stage`` given before the action (``migrate --stage S up``)."""
    try:
        known = ", ".join(stage_names())
    except StageError:
        known = "see .chalice/config.json"
    suffix = "" if required else "; default: the environment as it is"
    parser.add_argument(
        "--stage",
        required=required,
        default=argparse.SUPPRESS if nested else None,
        help=f"stage of .chalice/config.json to act on ({known}){suffix}",
    )


def _add_chalice_dir(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--chalice-dir", type=Path, default=CHALICE_DIR, help=f"{help_text} (default: .chalice)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str, tables: bool = True):  # type: ignore[no-untyped-def]
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler, tables=tables)
        return sub

    provision = command(
        "provision",
        cmd_provision,
        "Create or repair the tables, buckets and mail sender of a stage; a second run changes nothing. "
        "After `chalice deploy` also the REST API's gateway responses (our error body for unknown routes).",
    )
    _add_stage(provision)
    _add_chalice_dir(provision, "where config.json and deployed/STAGE.json (after `chalice deploy`) are read")
    policy = command(
        "policy",
        cmd_policy,
        "Write .chalice/policy-STAGE.json, the functions' IAM policy for `chalice deploy`, from the models, "
        "bucket rules and stage settings (plain ARNs; run it before every `chalice deploy`).",
    )
    _add_stage(policy, required=True)
    _add_chalice_dir(policy, "where config.json and deployed/STAGE.json are read and the policy is written")
    policy.add_argument(
        "--account",
        help="AWS account id for the policy's ARNs (default: sts get-caller-identity when credentials "
        "are configured, else '*')",
    )
    superadmin = command(
        "create-superadmin",
        cmd_create_superadmin,
        "Create a super admin account (asks for the password), or promote an existing account.",
    )
    superadmin.add_argument("--email", required=True)
    superadmin.add_argument("--name", default="Super Admin")
    superadmin.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of stdin"
    )
    _add_stage(superadmin)
    _add_stage(
        command(
            "shell",
            cmd_shell,
            "Interactive shell with models, repositories, config and the first super admin preloaded.",
        )
    )
    migrate = command("migrate", cmd_migrate, "Data migrations: the revision is stored in the system table.")
    actions = migrate.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="list migrations, marking the current revision and the head")
    up = actions.add_parser("up", help="apply every pending migration in order")
    stamp = actions.add_parser("stamp", help="record REV as current without running anything (repair)")
    stamp.add_argument("revision", metavar="REV", help="a revision such as 0001, or 'base' for none")
    _add_stage(migrate)
    for action in (status, up, stamp):
        _add_stage(action, nested=True)
    frontend = command(
        "deploy-frontend",
        cmd_deploy_frontend,
        "Upload frontend/ (and package.json's browser libraries under vendor/) to the stage's site bucket "
        "and write config.json with the stage's API and WebSocket URLs.",
        tables=False,
    )
    _add_stage(frontend, required=True)
    _add_chalice_dir(frontend, "where config.json and deployed/STAGE.json (after `chalice deploy`) are read")
    _add_stage(command("sweep-orders", cmd_sweep_orders, "Release the tickets held by expired orders now."))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        if args.stage:
            apply_stage(args.stage, getattr(args, "chalice_dir", CHALICE_DIR))
            if args.tables:
                _check_table_names()
        return args.handler(args)
    except (CommandError, StageError) as error:
        print(f"error: {error}", file=sys.stderr)
    except NoCredentialsError:
        print("error: no AWS credentials (set AWS_PROFILE or AWS_ACCESS_KEY_ID / ...)", file=sys.stderr)
    except ClientError as error:
        details = error.response.get("Error", {})
        print(f"error: AWS refused: {details.get('Code')}: {details.get('Message')}", file=sys.stderr)
    except BotoCoreError as error:
        print(f"error: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())
