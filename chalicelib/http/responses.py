"""Shapes shared by many routes."""

from typing import Any

from chalice import Response

from chalicelib.http.errors import rewrite_chalice_error
from chalicelib.http.site_headers import API_HEADERS

NEXT_CURSOR_HEADER = "X-Next-Cursor"


def paginated(items: list[Any], next_cursor: str | None) -> Response:
    """A page of a list: the items as the body, the cursor of the next page in a header."""
    headers: dict[str, str | list[str]] = {NEXT_CURSOR_HEADER: next_cursor} if next_cursor else {}
    return Response(body=items, headers=headers)


def created(body: Any, etag: str | None = None) -> Response:
    return Response(body=body, status_code=201, headers={"ETag": etag} if etag else {})


def csv_download(text: str, filename: str) -> Response:
    """A CSV file the browser saves as ``filename``."""
    return Response(
        body=text,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )


def no_content() -> Response:
    return Response(body="", status_code=204)


def finish_api_response(response: Response) -> Response:
    """The last step of every response the Lambda sends (routes' and Chalice's own): our error
    body and the API's security headers."""
    response = rewrite_chalice_error(response)
    response.headers.update(API_HEADERS)
    return response
