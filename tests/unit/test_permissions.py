"""The permission rules: the default matrix of docs/resources.md, lookups, and what a valid matrix is."""

import copy

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.permissions import (
    DEFAULT_MATRIX,
    EVENT_ROLES,
    OPERATIONS,
    SERVICES,
    allows,
    validate_matrix,
    validate_system_roles,
)


def _granted(role: str) -> set[tuple[str, str]]:
    return {(s, op) for s in SERVICES for op in OPERATIONS if DEFAULT_MATRIX[role][s][op]}


def test_default_matrix_is_the_one_of_design_md():
    every = {(s, op) for s in SERVICES for op in OPERATIONS}
    assert _granted("organizer") == every
    assert _granted("coorganizer") == {(s, op) for s in SERVICES for op in ("read", "update")}
    assert _granted("track_organizer") == {("track", "read"), ("track", "update")}
    assert _granted("moderator") == {("track", "read")}


def test_allows_denies_no_role_and_unknown_names():
    assert allows(DEFAULT_MATRIX, "organizer", "session", "delete")
    assert not allows(DEFAULT_MATRIX, None, "track", "read")
    assert not allows(DEFAULT_MATRIX, "stranger", "track", "read")
    assert not allows(DEFAULT_MATRIX, "organizer", "ticket", "read")
    assert not allows(DEFAULT_MATRIX, "organizer", "track", "publish")


def test_a_complete_matrix_is_accepted_as_given():
    changed = copy.deepcopy(DEFAULT_MATRIX)
    changed["moderator"]["session"]["create"] = True

    assert validate_matrix({"matrix": changed}) == changed
    # The GET shape (roles, services alongside) can be sent back as it is.
    assert (
        validate_matrix({"roles": list(EVENT_ROLES), "services": list(SERVICES), "matrix": changed})
        == changed
    )


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda m: m.update(janitor=copy.deepcopy(m["moderator"])), "matrix.janitor"),
        (lambda m: m["moderator"].update(ticket={op: True for op in OPERATIONS}), "matrix.moderator.ticket"),
        (lambda m: m["moderator"]["track"].update(publish=True), "matrix.moderator.track.publish"),
        (lambda m: m.pop("coorganizer"), "matrix.coorganizer"),
        (lambda m: m["organizer"].pop("sponsor"), "matrix.organizer.sponsor"),
        (lambda m: m["organizer"]["sponsor"].pop("delete"), "matrix.organizer.sponsor.delete"),
        (lambda m: m["organizer"]["sponsor"].update(delete="yes"), "matrix.organizer.sponsor.delete"),
        (lambda m: m["organizer"]["sponsor"].update(delete=1), "matrix.organizer.sponsor.delete"),
        (lambda m: m.update(organizer=[]), "matrix.organizer"),
    ],
)
def test_invalid_matrices_name_the_bad_cell(mutate, field):
    matrix = copy.deepcopy(DEFAULT_MATRIX)
    mutate(matrix)

    with pytest.raises(ValidationError) as caught:
        validate_matrix({"matrix": matrix})
    assert field in caught.value.details


@pytest.mark.parametrize("payload", [{}, {"matrix": []}, {"matrix": "all"}, []])
def test_a_payload_without_a_matrix_object_is_rejected(payload):
    with pytest.raises(ValidationError) as caught:
        validate_matrix(payload)
    assert "matrix" in caught.value.details


def test_system_roles_payload():
    assert validate_system_roles({"is_admin": True}) == {"is_admin": True}
    assert validate_system_roles({"is_admin": False, "is_super_admin": True}) == {
        "is_admin": False,
        "is_super_admin": True,
    }
    for payload, field in [
        ({}, "is_admin"),
        ({"is_admin": "true"}, "is_admin"),
        ({"is_super_admin": None}, "is_super_admin"),
        ({"is_admin": True, "role": "root"}, "role"),
    ]:
        with pytest.raises(ValidationError) as caught:
            validate_system_roles(payload)
        assert field in caught.value.details
