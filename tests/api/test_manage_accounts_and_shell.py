"""`manage.py create-superadmin` and `manage.py shell` (its namespace, and the console itself
reading commands from stdin), `sweep-orders`, and the CLI's errors and help."""

import io
import subprocess
import sys
from pathlib import Path

import pytest

import manage
from chalicelib.config import settings
from chalicelib.store.models import ALL_MODELS
from chalicelib.store.models.users import UserModel
from chalicelib.store.users import authenticate_password, create_user, find_by_email
from manage import build_namespace, main

ROOT = Path(__file__).resolve().parents[2]


def _superadmin(monkeypatch: pytest.MonkeyPatch, email: str, password: str, *extra: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    return main(["create-superadmin", "--email", email, "--password-stdin", *extra])


def test_create_superadmin_creates_an_account_that_can_sign_in(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status = _superadmin(monkeypatch, "Root@Example.com", "a long enough password", "--name", "Root")

    assert status == 0
    assert capsys.readouterr().out.startswith("created super admin root@example.com (id ")
    user = authenticate_password("root@example.com", "a long enough password")
    assert user.is_super_admin and user.name == "Root"


def test_create_superadmin_promotes_an_existing_account_and_keeps_its_password(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    create_user({"email": "ada@example.com", "password": "her own password", "name": "Ada"})

    status = _superadmin(monkeypatch, "ada@example.com", "ignored")

    assert status == 0
    assert capsys.readouterr().out == "ada@example.com exists: promoted to super admin (password unchanged)\n"
    assert authenticate_password("ada@example.com", "her own password").is_super_admin


def test_create_superadmin_rejects_a_bad_password_with_the_reason(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status = _superadmin(monkeypatch, "short@example.com", "x")

    assert status == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "password" in err
    assert find_by_email("short@example.com") is None


def test_create_superadmin_without_a_password_fails(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _superadmin(monkeypatch, "empty@example.com", "") == 1
    assert capsys.readouterr().err == "error: no password given\n"


def test_shell_namespace_has_models_repositories_config_and_the_first_super_admin(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_user({"email": "plain@example.com", "password": "a long enough password", "name": "Plain"})
    _superadmin(monkeypatch, "first@example.com", "a long enough password")
    _superadmin(monkeypatch, "second@example.com", "a long enough password")

    namespace = build_namespace()

    for model in ALL_MODELS:
        assert namespace[model.__name__] is model
    assert namespace["User"] is UserModel
    assert namespace["users"].find_by_email is find_by_email
    assert namespace["events"].__name__ == "chalicelib.store.events"
    assert "provision" not in namespace and namespace["store"].provision.__name__.endswith("provision")
    assert namespace["config"] == settings()
    assert namespace["admin"].email == "first@example.com"
    assert namespace["client"]("s3").meta.service_model.service_name == "s3"


def test_shell_namespace_without_a_super_admin_has_admin_none(aws: None) -> None:
    assert build_namespace()["admin"] is None


def test_shell_runs_the_console_with_the_namespace(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _superadmin(monkeypatch, "root@example.com", "a long enough password")
    capsys.readouterr()
    monkeypatch.setitem(sys.modules, "IPython", None)  # the standard console, as without IPython
    monkeypatch.setattr(sys, "stdin", io.StringIO("print('ADMIN', admin.email, User.Meta.table_name)\n"))

    assert main(["shell"]) == 0

    captured = capsys.readouterr()
    assert f"ADMIN root@example.com {settings().table_prefix}-users" in captured.out
    assert "Marquee shell, stage test" in captured.err


def test_sweep_orders_runs_the_sweep(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep-orders"]) == 0
    assert capsys.readouterr().out == "order sweep done: 0\n"


def test_sweep_orders_without_a_sweep_says_so_and_fails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(manage, "SWEEP_MODULE", "chalicelib.store.no_such_module")

    assert main(["sweep-orders"]) == 1
    assert (
        "no order sweep (chalicelib.store.no_such_module.sweep_expired_orders is missing)"
        in capsys.readouterr().err
    )


def test_unknown_stage_fails_with_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provision", "--stage", "staging"]) == 1
    assert (
        capsys.readouterr().err == "error: unknown stage 'staging'; .chalice/config.json defines: dev, prod\n"
    )


def test_a_stage_chosen_after_the_models_were_imported_is_refused(
    restore_environ: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "status", "--stage", "prod"]) == 1
    assert "the models were imported for another stage" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command",
    ["provision", "policy", "create-superadmin", "shell", "migrate", "deploy-frontend", "sweep-orders"],
)
def test_every_command_has_help(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: manage.py {command}")


def test_a_missing_argument_exits_non_zero_with_usage() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "deploy-frontend"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "the following arguments are required: --stage" in result.stderr
