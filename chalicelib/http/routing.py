"""ApiBlueprint: every REST route goes through one wrapper that authenticates the caller,
limits the body, maps domain errors to our error body and gives every GET an ETag."""

import functools
from collections.abc import Callable, Iterable
from typing import Any

from chalice import BadRequestError as ChaliceBadRequestError
from chalice import Blueprint, CORSConfig, Response

from chalicelib import log
from chalicelib.domain.errors import DomainError
from chalicelib.http import context
from chalicelib.http.auth import authenticate
from chalicelib.http.errors import domain_error_response, error_response, internal_error_response
from chalicelib.http.etag import body_etag, cache_control, none_match
from chalicelib.http.json import dumps
from chalicelib.http.request import MAX_JSON_BODY, check_body_size
from chalicelib.http.responses import NEXT_CURSOR_HEADER

CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key"],
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
        response.headers["Cache-Control"] = cache_control()
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
        max_body: int = MAX_JSON_BODY,
        max_body_hint: str = "",
        request_schema: dict[str, Any] | None = None,
        body_required: bool = True,
        status: int | None = None,
        response_schema: dict[str, Any] | None = None,
        query: dict[str, dict[str, Any]] | None = None,
        request_headers: dict[str, dict[str, Any]] | None = None,
        **kwargs: Any,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register a view. ``request_schema`` and the keyword arguments after it only describe the
        route in the OpenAPI document (chalicelib.http.openapi): whether the body may be left out
        (``body_required``), ``status`` of success (default 204 for DELETE, else 200),
        ``response_schema`` of its body (chalicelib.http.schemas), ``query`` options and required
        ``request_headers`` (name -> JSON Schema)."""

        def register(view: Callable[..., Any]) -> Callable[..., Any]:
            def respond(**params: Any) -> Response:
                request = self.current_request
                token = context.begin(context.RequestContext(request=request, public=public))
                try:
                    check_body_size(max_body, max_body_hint)
                    if not public:
                        context.current().user = authenticate(request.headers.get("authorization"))
                    return _finish(view(**params), request.method)
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
                response = respond(**params)
                log.end_request(response.status_code, started)
                return response

            handle.openapi = {  # type: ignore[attr-defined]  # read back by http/openapi.py
                "public": public,
                "request_schema": request_schema,
                "body_required": body_required,
                "status": status,
                "response_schema": response_schema,
                "query": query or {},
                "request_headers": request_headers or {},
            }
            Blueprint.route(self, path, methods=list(methods), cors=CORS, **kwargs)(handle)
            return view

        return register
