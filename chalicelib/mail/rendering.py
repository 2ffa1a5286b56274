"""Rendering our templates: HTML autoescaped (every value a person typed is text there), plain
text as written, the subject on one line."""

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from chalicelib.config import settings
from chalicelib.mail.message import Message

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATES = Path(__file__).resolve().parent / "templates"


def link(route: str, **query: object) -> str:
    """The frontend page ``#/<route>`` (with ``query``) at MARQUEE_FRONTEND_URL."""
    url = f"{settings().frontend_url.rstrip('/')}/#/{quote(route.lstrip('/'), safe='/')}"
    return f"{url}?{urlencode(query)}" if query else url


@cache
def _environment() -> "Environment":
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        # A value missing from the context is a bug to see, not an empty gap in someone's mail.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    environment.globals["link"] = link
    return environment


def render(template: str, **context: object) -> Message:
    """The message ``template`` says with ``context`` (jinja2.TemplateNotFound for an unknown one)."""
    environment = _environment()
    subject = environment.get_template(f"{template}.subject.txt").render(context)
    return Message(
        # One line: a subject is a header, and a line break would end it.
        subject=" ".join(subject.split()),
        text=environment.get_template(f"{template}.txt").render(context).strip() + "\n",
        html=environment.get_template(f"{template}.html").render(context),
    )
