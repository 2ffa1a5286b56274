"""Checkout questions: any event role reads them, organizers and co-organizers replace the list
(If-Match like other versioned writes); the public reads a published event's questions, which its
order form asks per seat."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.permissions import EVENT_EDITORS, EVENT_READERS
from chalicelib.domain.questions import QUESTIONS, QUESTIONS_INPUT
from chalicelib.http.access import event_role_required
from chalicelib.http.context import current_access, current_user
from chalicelib.http.etag import conditional_get, expected_versions, versioned_etag
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import questions as cases
    from chalicelib.store import events
    from chalicelib.store import questions as store
    from chalicelib.views import questions as questions_views
else:
    cases = lazy("chalicelib.services.questions")
    events = lazy("chalicelib.store.events")
    store = lazy("chalicelib.store.questions")
    questions_views = lazy("chalicelib.views.questions")

bp = ApiBlueprint(__name__)


@bp.route("/events/{event_id}/questions", response=QUESTIONS)
@event_role_required(EVENT_READERS)
def get_questions(event_id: str) -> Response:
    """The questions the order form asks per seat, in order."""
    stored = store.stored_questions(event_id)
    return conditional_get(versioned_etag([int(stored.ver)]), lambda: questions_views.questions_view(stored))


@bp.route("/events/{event_id}/questions", methods=["PUT"], body=QUESTIONS_INPUT, response=QUESTIONS)
@event_role_required(EVENT_EDITORS)
def replace_questions(event_id: str, body: dict[str, Any]) -> Response:
    """Replace the whole list: questions sent with their id are kept (and their answers with
    them), those without are new, those left out are no longer asked."""
    saved = cases.replace_questions(current_access().event, body, expected_versions(), current_user().user_id)
    return Response(
        body=questions_views.questions_view(saved), headers={"ETag": versioned_etag([int(saved.ver)])}
    )


@bp.route("/public/events/{event_id}/questions", public=True, response=QUESTIONS)
def public_questions(event_id: str) -> Response:
    """A published event's questions (draft or unknown -> 404)."""
    if events.get_published_event(event_id) is None:
        raise NotFoundError("No such published event.")
    stored = store.stored_questions(event_id)
    return conditional_get(versioned_etag([int(stored.ver)]), lambda: questions_views.questions_view(stored))
