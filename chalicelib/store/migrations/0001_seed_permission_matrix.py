"""Seed the default permission matrix (left alone if one is stored)."""

from chalicelib.store.permissions import seed_default_matrix


def up() -> None:
    seed_default_matrix()
