"""The permission matrix: seeded with the defaults, replaced as a whole by a super admin.

Two system items: ``MATRIX`` (the matrix and its version) and ``VERSION`` (the version alone,
read by every permission check). Both change in one transaction, so a container that sees a
new version and reads the matrix gets the matching one.
"""

from collections.abc import Sequence
from typing import Any

from chalicelib.domain.errors import ConflictError, PreconditionFailedError
from chalicelib.domain.permissions import DEFAULT_MATRIX, EVENT_ROLES, OPERATIONS, SERVICES, Matrix
from chalicelib.store.access import StoredMatrix, load_matrix, remember_matrix
from chalicelib.store.audit import audit_record
from chalicelib.store.models.system import SystemItemModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.transactions import CONFLICT, Cancelled, transaction
from chalicelib.store.versions import STALE_MESSAGE

PERMISSIONS_PK = "PERMISSIONS"
MATRIX_SK = "MATRIX"
VERSION_SK = "VERSION"


def _items(matrix: Matrix, version: int) -> tuple[SystemItemModel, SystemItemModel]:
    return (
        SystemItemModel(PERMISSIONS_PK, MATRIX_SK, version=version, data=matrix),
        SystemItemModel(PERMISSIONS_PK, VERSION_SK, version=version),
    )


def seed_default_matrix() -> bool:
    """Store the default matrix unless one is stored already. Returns whether it wrote."""
    matrix_item, version_item = _items(DEFAULT_MATRIX, 1)
    try:
        with transaction() as pending:
            pending.save(matrix_item, condition=SystemItemModel.pk.does_not_exist(), tag="matrix")
            pending.save(version_item, condition=SystemItemModel.pk.does_not_exist(), tag="version")
    except Cancelled as cancelled:
        if cancelled.failed("matrix", "version"):
            return False
        raise
    return True


def current_matrix() -> StoredMatrix:
    return load_matrix()


def replace_matrix(
    matrix: Matrix, expected: Sequence[int] | None, actor: UserModel | None = None
) -> StoredMatrix:
    """Replace the whole matrix; ``expected`` (If-Match) are the versions the client read.
    ``actor`` is None for operator commands (migrations), recorded as such in the audit log."""
    current = load_matrix()
    if expected is not None and current.version not in expected:
        raise PreconditionFailedError(STALE_MESSAGE)
    stored = StoredMatrix(version=current.version + 1, matrix=matrix)
    matrix_item, version_item = _items(matrix, stored.version)
    unchanged = (
        SystemItemModel.version == current.version if current.version else SystemItemModel.pk.does_not_exist()
    )
    try:
        with transaction() as pending:
            pending.save(version_item, condition=unchanged, tag="version")
            pending.save(matrix_item)
            pending.save(
                audit_record(
                    actor,
                    "permissions.changed",
                    before=_changed_cells(current.matrix, matrix, True),
                    after=_changed_cells(current.matrix, matrix, False),
                )
            )
    except Cancelled as cancelled:
        if expected is not None and cancelled.failed("version"):
            raise PreconditionFailedError(STALE_MESSAGE) from cancelled
        if cancelled.failed("version") or CONFLICT in cancelled.codes:
            raise ConflictError(
                "The matrix was changed at the same moment; reload and try again."
            ) from cancelled
        raise
    remember_matrix(stored)
    return stored


def _changed_cells(before: Matrix, after: Matrix, old_side: bool) -> dict[str, bool]:
    """Only the cells that changed, as ``role.service.operation``, with their old or new value."""
    cells = {}
    for role, services in after.items():
        for service, operations in services.items():
            for operation, value in operations.items():
                old = before.get(role, {}).get(service, {}).get(operation, False)
                if old != value:
                    cells[f"{role}.{service}.{operation}"] = old if old_side else value
    return cells


def matrix_view(stored: StoredMatrix) -> dict[str, Any]:
    return {
        "roles": list(EVENT_ROLES),
        "services": list(SERVICES),
        "operations": list(OPERATIONS),
        "matrix": stored.matrix,
    }
