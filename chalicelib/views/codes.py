"""A code as the event's organizers see it."""

from typing import Any

from chalicelib.domain.codes import CODE
from chalicelib.store.models.codes import CodeModel


def code_view(code: CodeModel) -> dict[str, Any]:
    return CODE.dump(code)
