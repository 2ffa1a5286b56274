"""ApiBlueprint: every REST route goes through one wrapper that authenticates the caller, runs
the view's guards, reads the body its definition describes, maps domain errors to our error
body and gives every GET an ETag."""

import functools
from collections.abc import Callable, Iterable
from typing import Any

from chalice import BadRequestError as ChaliceBadRequestError
from chalice import Blueprint, CORSConfig, Response

from chalicelib import log
from chalicelib.domain.errors import DomainError
from chalicelib.domain.fields import Field
from chalicelib.domain.objects import Object
from chalicelib.encoding import dumps
from chalicelib.http import context
from chalicelib.http.access import guards_of
from chalicelib.http.auth import authenticate
from chalicelib.http.errors import domain_error_response, error_response, internal_error_response
from chalicelib.http.etag import body_etag, cache_control, none_match
from chalicelib.http.request import MAX_JSON_BODY, Body, check_body_size
from chalicelib.http.responses import NEXT_CURSOR_HEADER

CORS = CORSConfig(
    allow_origin="*",
    allow_headers=[
        "Authorization",
        "Content-Type",
        "If-Match",
        "If-None-Match",
        "Idempotency-Key",
        "X-Admission",
    ],
    expose_headers=["ETag", "Retry-After", "Location", NEXT_CURSOR_HEADER],
    max_age=600,
)


def _finish(result: Any, method: str) -> Response:
    response = result if isinstance(result, Response) else Response(body=result)
    if not isinstance(response.body, str | bytes):
        response.body = dumps(response.body)
        response.headers.setdefault("Content-Type", "application/json")
    if method == "GET" and response.status_code == 200 and "ETag" not in response.headers:
        etag = body_etag(response.body if isinstance(response.body, str) else response.body.hex())
        response.headers["ETag"] = etag
        response.headers.setdefault("Cache-Control", cache_control())
        if none_match(context.current_request().headers.get("if-none-match"), etag):
            return Response(body="", status_code=304, headers=response.headers)
    response.headers.update(context.current().extra_headers)
    return response


class ApiBlueprint(Blueprint):
    def route(
        self,
        path: str,
        methods: Iterable[str] = ("GET",),
        *,
        public: bool = False,
        body: Object | Body | None = None,
        response: Field | None = None,
        status: int | None = None,
        query: dict[str, Field] | None = None,
        headers: dict[str, Field] | None = None,
        **kwargs: Any,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register a view. With ``body`` (a definition, or a Body with its size limit) the view
        is called with ``body=`` the clean fields, once its guards have passed; ``response`` is
        the definition of what it returns, ``status`` its success (default 204 for DELETE, else
        200), ``query`` and required request ``headers`` are described in the OpenAPI document."""
        reads = Body(body) if isinstance(body, Object) else body
        max_bytes = reads.max_bytes if reads else MAX_JSON_BODY

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            guards = guards_of(view)

            def respond(**params: Any) -> Response:
                request = self.current_request
                token = context.begin(context.RequestContext(request=request, public=public))
                try:
                    check_body_size(max_bytes, reads.hint if reads else "")
                    if not public:
                        context.current().user = authenticate(request.headers.get("authorization"))
                    for check in guards:
                        check(params)
                    arguments = {**params, "body": reads.read()} if reads else params
                    return _finish(view(**arguments), request.method)
                except DomainError as error:
                    return domain_error_response(error)
                except ChaliceBadRequestError as error:
                    return error_response(400, "bad_request", str(error))
                except Exception:
                    return internal_error_response()
                finally:
                    context.end(token)

            @functools.wraps(view)
            def handle(**params: Any) -> Response:
                started = log.begin_request(self.current_request, self.current_app.lambda_context)
                answer = respond(**params)
                log.end_request(answer.status_code, started)
                return answer

            handle.openapi = {  # type: ignore[attr-defined]  # read back by http/openapi.py
                "public": public,
                "body": reads,
                "status": status,
                "response": response,
                "query": query or {},
                "headers": headers or {},
            }
            Blueprint.route(self, path, methods=list(methods), cors=CORS, **kwargs)(handle)
            view.routed = True  # type: ignore[attr-defined]
            return view

        return register
